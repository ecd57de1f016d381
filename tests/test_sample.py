"""The sample generator: determinism, the real export layouts, and the hard cases."""

import csv
import gzip
import json
import re
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import gpxpy
import pytest

from flows.import_exports import read_inputs, store_inputs
from sample import generate_world, write_exports
from sample.world import Activity, World
from storage.db import connect
from tasks.matching import match_soundtracks
from tasks.strava_export import parse_activity_date

EXTENDED = "Spotify Extended Streaming History"
ACCOUNT_FILE = "Spotify Account Data/StreamingHistory_music_0.json"
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world()


@pytest.fixture(scope="module")
def export_dir(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_exports(world, out)
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _load(export_dir: Path, name: str) -> list[dict]:
    return json.loads((export_dir / name).read_text(encoding="utf-8"))


def _csv_rows(export_dir: Path) -> list[list[str]]:
    path = export_dir / "strava_export" / "activities.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _music_during(world: World, activity: Activity) -> list:
    return [
        play
        for play in world.plays
        if play.kind == "track"
        and play.started_at < activity.end
        and play.ended_at > activity.start
    ]


def test_same_seed_writes_identical_bytes(export_dir: Path, tmp_path: Path):
    write_exports(generate_world(seed=7), tmp_path)

    assert _files(tmp_path) == _files(export_dir)


def test_other_seed_writes_other_plays(export_dir: Path, tmp_path: Path):
    write_exports(generate_world(seed=8), tmp_path)
    name = f"{EXTENDED}/Streaming_History_Audio_2026.json"

    assert _files(tmp_path)[name] != _files(export_dir)[name]


def test_every_file_parses(export_dir: Path):
    paths = [p for p in export_dir.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in paths}

    for path in paths:
        if path.suffix == ".json":
            assert isinstance(json.loads(path.read_text(encoding="utf-8")), list)
        elif path.suffix == ".csv":
            assert len(_csv_rows(export_dir)) > 1
        else:
            gpx = gpxpy.parse(gzip.decompress(path.read_bytes()).decode("utf-8"))
            assert gpx.tracks[0].segments[0].points
    assert kinds == {".json", ".csv", ".gz"}


def test_csv_header_equals_real_header(export_dir: Path, real_dir: Path):
    real = (real_dir / "strava_export" / "activities.csv").read_text(encoding="utf-8")
    ours = (export_dir / "strava_export" / "activities.csv").read_text(encoding="utf-8")

    assert ours.split("\n", 1)[0] == real.split("\n", 1)[0]


def test_csv_rows_follow_export_quirks(export_dir: Path, world: World):
    header, *rows = _csv_rows(export_dir)
    text = (export_dir / "strava_export" / "activities.csv").read_text("utf-8")
    by_id = {str(a.id): a for a in world.activities}

    assert len(rows) == len(world.activities)
    assert all(len(row) == len(header) == 103 for row in rows)
    assert text.endswith(',""\n')
    assert any("\n" in row[4] for row in rows)
    for row in rows:
        activity = by_id[row[0]]
        start = parse_activity_date(row[1])
        assert start == activity.start.astimezone(UTC).replace(tzinfo=None)
        if row[12]:
            assert row[12] == f"activities/{activity.upload_id}.gpx.gz"
            assert row[0] not in row[12]


def test_extended_keys_match_real_generations(export_dir: Path, real_dir: Path):
    real = real_dir / "spotify_extended"
    current = json.loads(
        (real / "Streaming_History_Audio_2026_excerpt.json").read_text("utf-8")
    )
    old = json.loads((real / "endsong_1_excerpt.json").read_text("utf-8"))

    audio = _load(export_dir, f"{EXTENDED}/Streaming_History_Audio_2026.json")
    video = _load(export_dir, f"{EXTENDED}/Streaming_History_Video_2026.json")
    endsong = _load(export_dir, f"{EXTENDED}/endsong_0.json")
    assert all(list(r) == list(current[0]) for r in audio + video)
    assert all(list(r) == list(old[0]) for r in endsong)


def test_spotify_files_use_spotify_layouts(export_dir: Path):
    endsong = (export_dir / EXTENDED / "endsong_0.json").read_text("utf-8")
    audio = (export_dir / EXTENDED / "Streaming_History_Audio_2026.json").read_text(
        "utf-8"
    )
    account = (export_dir / ACCOUNT_FILE).read_text("utf-8")

    assert "\n" not in endsong
    assert audio.startswith('[\n  {\n    "ts": "')
    assert account.startswith('[\n  {\n    "endTime" : "')
    assert not account.endswith("\n")
    assert not audio.endswith("\n")


def test_timestamps_are_utc_in_each_unit(export_dir: Path):
    audio = _load(export_dir, f"{EXTENDED}/Streaming_History_Audio_2026.json")
    endsong = _load(export_dir, f"{EXTENDED}/endsong_0.json")
    account = _load(export_dir, ACCOUNT_FILE)

    for record in audio + endsong:
        assert ISO_UTC.fullmatch(record["ts"])
        assert record.get("ip_addr", record.get("ip_addr_decrypted")).startswith(
            "192.0.2."
        )
    assert all(1e9 < r["offline_timestamp"] < 1e11 for r in audio)
    assert all(r["offline_timestamp"] > 1e12 for r in endsong)
    for record in account:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", record["endTime"])


def test_episodes_have_null_track_fields(export_dir: Path):
    audio = _load(export_dir, f"{EXTENDED}/Streaming_History_Audio_2026.json")
    episodes = [r for r in audio if r["spotify_episode_uri"]]

    assert episodes
    assert all(r["spotify_track_uri"] is None for r in episodes)
    assert all(r["master_metadata_track_name"] is None for r in episodes)


def test_account_data_overlaps_extended_history(export_dir: Path):
    audio = _load(export_dir, f"{EXTENDED}/Streaming_History_Audio_2026.json")
    account = _load(export_dir, ACCOUNT_FILE)
    extended_ends = {(r["ts"][:16].replace("T", " "), r["ms_played"]) for r in audio}

    shared = [r for r in account if (r["endTime"], r["msPlayed"]) in extended_ends]
    assert len(shared) > 100


def test_plays_do_not_overlap(world: World):
    for before, after in zip(world.plays, world.plays[1:], strict=False):
        assert after.started_at >= before.ended_at - timedelta(seconds=1)


def test_plays_cover_every_kind(world: World):
    kinds = {play.kind for play in world.plays}
    ids = {play.uri for play in world.plays if play.kind == "track"}

    assert kinds == {"track", "episode", "local"}
    assert all(re.fullmatch(r"spotify:track:[0-9A-Za-z]{22}", uri) for uri in ids)
    assert any(play.video for play in world.plays)
    assert any(play.skipped for play in world.plays)


def test_dst_activity_spans_the_change_with_music(world: World):
    london = ZoneInfo("Europe/London")
    spanning = [a for a in world.activities if "dst" in a.tags]

    assert len(spanning) == 1
    activity = spanning[0]
    assert activity.start.astimezone(london).utcoffset() == timedelta(0)
    assert activity.end.astimezone(london).utcoffset() == timedelta(hours=1)
    assert _music_during(world, activity)


def test_midnight_activities_cross_local_midnight_with_music(world: World):
    london = ZoneInfo("Europe/London")
    crossing = [a for a in world.activities if "midnight" in a.tags]

    assert len(crossing) == 2
    for activity in crossing:
        start, end = activity.start.astimezone(london), activity.end.astimezone(london)
        assert start.date() != end.date()
        assert _music_during(world, activity)


def test_cafe_ride_has_a_long_pause(world: World):
    ride = next(a for a in world.activities if "cafe" in a.tags)

    assert ride.elapsed_s == 5 * 3600
    assert [p.seconds for p in ride.pauses] == [45 * 60]
    assert "\n" in ride.description


def test_some_activities_have_no_music(world: World):
    silent = [a for a in world.activities if not a.has_music]

    assert silent
    assert all(not _music_during(world, a) for a in silent)


def test_recordings_start_at_activity_start(export_dir: Path, world: World):
    recorded = [a for a in world.activities if a.has_recording]

    assert recorded
    for activity in recorded:
        path = export_dir / "strava_export" / f"activities/{activity.upload_id}.gpx.gz"
        gpx = gpxpy.parse(gzip.decompress(path.read_bytes()).decode("utf-8"))
        points = gpx.tracks[0].segments[0].points
        assert points[0].time == activity.start
        assert points[-1].time == activity.end


def test_sample_imports_and_matches(export_dir: Path, world: World, db_path: Path):
    report = read_inputs.fn([str(export_dir)])
    counts = store_inputs.fn(report, "sample")
    with connect() as con:
        match_soundtracks(con, "sample")
        with_music = {
            row[0]
            for row in con.execute("SELECT activity_id FROM soundtracks").fetchall()
        }
        cafe = next(a for a in world.activities if "cafe" in a.tags)
        pauses = con.execute(
            "SELECT epoch(resumed_at) - epoch(paused_at) FROM activity_pauses"
            " WHERE activity_id = ?",
            [str(cafe.id)],
        ).fetchall()

    assert counts.activities.inserted == len(world.activities)
    assert counts.plays.merged > 100
    assert (45 * 60,) in pauses
    for activity in world.activities:
        expected = bool(_music_during(world, activity))
        assert (str(activity.id) in with_music) == expected, activity.name
