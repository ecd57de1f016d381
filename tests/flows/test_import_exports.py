"""The import flow end to end: real exports, real Prefect flow runs, a real DuckDB file."""

import gzip
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flows.import_exports import import_exports
from soundtrack.errors import ImportFileError
from storage.db import connect

TABLES = [
    "users",
    "plays",
    "activities",
    "activity_pauses",
    "import_files",
    "settings",
    "listening_coverage",
]


def snapshot(db_path: Path) -> dict[str, list]:
    """Return every row of the import tables, minus the import time stamps."""
    with connect(db_path) as con:
        return {
            table: con.execute(
                f"SELECT * EXCLUDE ({_stamp(table)}) FROM {table} ORDER BY ALL"
                if _stamp(table)
                else f"SELECT * FROM {table} ORDER BY ALL"
            ).fetchall()
            for table in TABLES
        }


def _stamp(table: str) -> str:
    return {
        "plays": "imported_at",
        "activities": "imported_at",
        "listening_coverage": "recorded_at",
    }.get(table, "")


def test_real_exports_import_with_pinned_counts(real_dir, db_path):
    folders = ["spotify_extended", "spotify_account", "strava_export", "activity_files"]
    summary = import_exports([str(real_dir / f) for f in folders], "me")

    kinds = {Path(o.display_path).name: o.kind for o in summary.outcomes}
    assert kinds["Streaming_History_Video_2026.json"] == "spotify_video"
    assert kinds["activities.csv"] == "strava_activities_csv"
    assert kinds["gpxpy_Mojstrovka.gpx"] == "gpx"
    unreadable = [o for o in summary.outcomes if o.kind and o.parsed is None]
    assert [Path(o.display_path).name for o in unreadable] == PINNED_UNREADABLE

    with connect(db_path) as con:
        counts = dict(
            con.execute("SELECT source, count(*) FROM plays GROUP BY source").fetchall()
        )
        activities = con.execute("SELECT count(*) FROM activities").fetchone()[0]
        linked = con.execute(
            "SELECT count(*) FROM activities WHERE start_from_file AND activity_id NOT LIKE 'file-%'"
        ).fetchone()[0]
    assert counts == PINNED_PLAYS
    assert activities == PINNED_ACTIVITIES
    # The four Strava GPX files record activities of the 2018-layout activities.csv.
    assert linked == 4


# Pinned from a run over the real folders; the importer tests pin why each file keeps
# what it keeps. The endsong excerpt holds one record twice, stored once.
PINNED_PLAYS = {"account_data": 1101, "extended_history": 754}
# 76 rows of the two activities.csv files, plus 15 recordings that no row names.
PINNED_ACTIVITIES = 91
PINNED_UNREADABLE: list[str] = []
# name: (kind, records read, records kept)
PINNED_FILES = {
    "Streaming_History_Audio_2022.json": ("spotify_extended", 35, 33),
    "Streaming_History_Audio_2024_4_excerpt.json": ("spotify_extended", 160, 139),
    "Streaming_History_Audio_2024_excerpt.json": ("spotify_extended", 200, 194),
    "Streaming_History_Audio_2026_excerpt.json": ("spotify_extended", 60, 59),
    "Streaming_History_Video_2026.json": ("spotify_video", 13, 0),
    "endsong_1_excerpt.json": ("spotify_extended", 354, 330),
    "StreamingHistory0_excerpt.json": ("spotify_account", 320, 301),
    "StreamingHistory_audiobook_0.json": ("spotify_account_audiobook", 11, 0),
    "StreamingHistory_music_0_excerpt.json": ("spotify_account", 400, 400),
    "StreamingHistory_music_1_excerpt.json": ("spotify_account", 400, 400),
    "StreamingHistory_podcast_0_excerpt.json": ("spotify_account_podcast", 150, 0),
    "activities.csv": ("strava_activities_csv", 67, 67),
    "activities_2018_format.csv": ("strava_activities_csv", 9, 9),
    "fitdecode_2015-10-13-08-43-15.fit": ("fit", 1, 1),
    "fitdecode_activity-small-fenix2-run.fit": ("fit", 1, 1),
    "fitdecode_elemnt-bolt-no-application-id-inside-developer-data-id.fit": (
        "fit",
        1,
        1,
    ),
    "fitdecode_event_timestamp.fit": ("fit", 1, 1),
    "fitdecode_garmin-fenix-5-run.fit": ("fit", 1, 1),
    "fitdecode_sample-activity-indoor-trainer.fit": ("fit", 1, 1),
    "fitdecode_sample-activity.fit": ("fit", 1, 1),
    "gpxpy_Mojstrovka.gpx": ("gpx", 1, 0),
    "gpxpy_around-visnjan-with-car.gpx": ("gpx", 1, 1),
    "gpxpy_cerknicko-jezero.gpx": ("gpx", 1, 1),
    "gpxpy_cerknicko-without-times.gpx": ("gpx", 1, 1),
    "gpxpy_korita-zbevnica.gpx": ("gpx", 1, 1),
    "gpxpy_track-with-less-sec-time.gpx": ("gpx", 1, 1),
    "strava-ruby-client_fitbit_ionic_17611540601.tcx": ("tcx", 1, 1),
    "strava_export_50311096562.gpx": ("gpx", 1, 1),
    "strava_export_51117377208.gpx": ("gpx", 1, 1),
    "strava_export_51173752758.gpx": ("gpx", 1, 1),
    "strava_export_51472847905.gpx": ("gpx", 1, 1),
    "stravalib_edge705_sample_trimmed.tcx": ("tcx", 1, 1),
    "tcxreader_vivoactive_hr_sup_activity_1.tcx": ("tcx", 1, 1),
}


def test_real_exports_report_per_file_counts(real_dir):
    folders = ["spotify_extended", "spotify_account", "strava_export", "activity_files"]
    summary = import_exports([str(real_dir / f) for f in folders], "me")
    counts = {}
    for outcome in summary.outcomes:
        parsed = outcome.parsed
        frame = parsed.plays if parsed.plays is not None else parsed.activities
        counts[Path(outcome.display_path).name] = (
            outcome.kind,
            parsed.read,
            0 if frame is None else len(frame),
        )
    assert counts == PINNED_FILES


def test_second_import_changes_no_table(real_dir, db_path):
    paths = [
        str(real_dir / "spotify_extended"),
        str(real_dir / "strava_export"),
        str(real_dir / "activity_files"),
        str(real_dir / "spotify_account"),
    ]
    import_exports(paths, "me")
    first = snapshot(db_path)
    summary = import_exports(paths, "me")
    assert summary.counts.plays.inserted == 0
    assert summary.counts.activities.inserted == 0
    assert summary.counts.activities.updated == 0
    assert snapshot(db_path) == first


def _truncated_json(folder: Path) -> Path:
    path = folder / "Streaming_History_Audio_2025.json"
    path.write_text(
        '[{"ts": "2025-01-01T10:00:00Z", "ms_played": 1000, "master_metadata_tr'
    )
    return path


def _wrong_columns_csv(folder: Path) -> Path:
    path = folder / "activities.csv"
    path.write_text("when,what,how long\n2025-01-01,run,3600\n")
    return path


def _binary_file(folder: Path) -> Path:
    path = folder / "export.bin"
    path.write_bytes(bytes(range(256)) * 40)
    return path


def _corrupt_zip(folder: Path) -> Path:
    path = folder / "my_spotify_data.zip"
    path.write_bytes(b"PK\x03\x04this is not really a zip")
    return path


def _huge_play(folder: Path) -> Path:
    path = folder / "StreamingHistory_music_9.json"
    record = {
        "endTime": "2021-10-14 00:04",
        "artistName": "A",
        "trackName": "T",
        "msPlayed": 10_000_000_000_000,
    }
    path.write_text(json.dumps([record]))
    return path


@pytest.mark.parametrize(
    ("make_file", "problem"),
    [
        (_corrupt_zip, "is not a valid zip archive"),
        (_huge_play, "from 0 to one day"),
        (_truncated_json, "not valid JSON"),
        (_wrong_columns_csv, "activities.csv"),
        (_binary_file, "is not a Spotify or Strava export file"),
    ],
)
def test_bad_file_fails_and_changes_nothing(
    real_dir, db_path, tmp_path, make_file, problem
):
    import_exports([str(real_dir / "strava_export")], "me")
    before = snapshot(db_path)
    bad = make_file(tmp_path)

    with pytest.raises(ImportFileError) as raised:
        import_exports([str(real_dir / "spotify_account"), str(bad)], "me")

    assert str(bad) in str(raised.value)
    assert problem in str(raised.value)
    assert snapshot(db_path) == before


def test_gzipped_recording_in_zip_is_read(real_dir, db_path, tmp_path):
    import zipfile

    archive = tmp_path / "export_strava.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(
            real_dir / "strava_export" / "activities_2018_format.csv", "activities.csv"
        )
        gpx = (
            real_dir / "activity_files" / "strava_export_51472847905.gpx"
        ).read_bytes()
        out.writestr("activities/51472847905.gpx.gz", gzip.compress(gpx))
    summary = import_exports([str(archive)], "me")
    assert summary.counts.recordings_linked == 1
    assert len(summary.missing_recordings) == 8
    assert "activities/51472847905.gpx" not in summary.missing_recordings
    with connect(db_path) as con:
        row = con.execute(
            "SELECT start_from_file FROM activities WHERE activity_id = '51472847905'"
        ).fetchone()
    assert row == (True,)


READER = textwrap.dedent(
    """
    import sys, time
    from storage.db import connect
    deadline = time.monotonic() + 120
    reads = 0
    while time.monotonic() < deadline:
        with connect(sys.argv[1], read_only=True) as con:
            con.execute("SELECT count(*) FROM plays").fetchone()
        reads += 1
        if reads >= 30 and open(sys.argv[2]).read() == "done":
            break
    print(reads)
    """
)


def test_reader_loop_during_import(tmp_path, db_path):
    # A large history keeps the import's write transaction open for a while.
    records = [
        {
            "ts": f"2025-{1 + i // 40000 % 12:02d}-{1 + i // 1500 % 28:02d}T"
            f"{i // 60 % 24:02d}:{i % 60:02d}:{i % 59:02d}Z",
            "ms_played": 180000,
            "master_metadata_track_name": f"Track {i % 500}",
            "master_metadata_album_artist_name": f"Artist {i % 70}",
            "master_metadata_album_album_name": "Album",
            "spotify_track_uri": f"spotify:track:{i % 500:022d}",
            "platform": "android",
            "conn_country": "GB",
            "reason_start": "trackdone",
            "reason_end": "trackdone",
            "shuffle": False,
            "skipped": False,
            "offline": False,
            "offline_timestamp": None,
            "incognito_mode": False,
        }
        for i in range(150_000)
    ]
    export = tmp_path / "Streaming_History_Audio_2025.json"
    export.write_text(json.dumps(records))
    flag = tmp_path / "flag"
    flag.write_text("running")
    with connect(db_path):
        pass  # create the file so the reader's first open succeeds
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db_path), str(flag)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    importer = subprocess.run(
        [sys.executable, "-m", "soundtrack.cli", "import", str(export)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    flag.write_text("done")
    out, err = reader.communicate(timeout=180)

    assert importer.returncode == 0, importer.stderr
    assert reader.returncode == 0, err
    assert int(out) >= 30
    with connect(db_path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM plays").fetchone()[0] > 100_000


def test_damaged_gzip_recording_is_skipped(real_dir, db_path, tmp_path):
    folder = tmp_path / "export"
    (folder / "activities").mkdir(parents=True)
    (folder / "activities.csv").write_bytes(
        (real_dir / "strava_export" / "activities_2018_format.csv").read_bytes()
    )
    (folder / "activities" / "124.gpx.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    summary = import_exports([str(folder)], "me")
    damaged = [o for o in summary.outcomes if o.display_path.endswith("124.gpx.gz")]
    assert damaged[0].parsed is None
    assert "not a valid gzip file" in damaged[0].error
    assert summary.counts.activities.inserted == 9


def test_folder_without_exports_fails(tmp_path, db_path):
    from flows.import_exports import NothingToImport

    (tmp_path / "empty").mkdir()
    with pytest.raises(
        NothingToImport, match="found no Spotify or Strava export files"
    ):
        import_exports([str(tmp_path / "empty")], "me")


def test_same_path_twice_read_once(real_dir, db_path):
    folder = str(real_dir / "activity_files")
    summary = import_exports([folder, folder], "me")
    names = [o.display_path for o in summary.outcomes]
    assert len(names) == len(set(names))
    # Recordings that no activities.csv names stand as activities of their own.
    assert summary.counts.recordings_alone == 19
    assert summary.counts.pauses > 0
