"""Tests of the Spotify export importers on real exports and small invented files."""

import codecs
import gzip
import json
import os
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from soundtrack.errors import ImportFileError
from storage.db import connect
from storage.plays import upsert_plays
from storage.records import PLAY_COLUMNS
from tasks.inputs import InputFile, iter_inputs
from tasks.spotify_export import detect_spotify_kind, parse_spotify_file

T = pd.Timestamp

# Per real file: folder, name, kind, records read, plays kept and skip counts. The
# counts were read from the files with a separate json.load script.
REAL_FILES = [
    (
        "spotify_extended",
        "Streaming_History_Audio_2022.json",
        "spotify_extended",
        35,
        33,
        {"zero-length play": 2},
    ),
    (
        "spotify_extended",
        "Streaming_History_Audio_2024_4_excerpt.json",
        "spotify_extended",
        160,
        139,
        {"podcast episode": 21},
    ),
    (
        "spotify_extended",
        "Streaming_History_Audio_2024_excerpt.json",
        "spotify_extended",
        200,
        194,
        {"zero-length play": 6},
    ),
    (
        "spotify_extended",
        "Streaming_History_Audio_2026_excerpt.json",
        "spotify_extended",
        60,
        59,
        {"podcast episode": 1},
    ),
    (
        "spotify_extended",
        "Streaming_History_Video_2026.json",
        "spotify_video",
        13,
        0,
        {"video or podcast history, not music": 13},
    ),
    (
        "spotify_extended",
        "endsong_1_excerpt.json",
        "spotify_extended",
        354,
        330,
        {"zero-length play": 23, "no track URI, name or artist": 1},
    ),
    (
        "spotify_account",
        "StreamingHistory0_excerpt.json",
        "spotify_account",
        320,
        301,
        {"local file": 9, "zero-length play": 10},
    ),
    (
        "spotify_account",
        "StreamingHistory_music_0_excerpt.json",
        "spotify_account",
        400,
        400,
        {},
    ),
    (
        "spotify_account",
        "StreamingHistory_music_1_excerpt.json",
        "spotify_account",
        400,
        400,
        {},
    ),
    (
        "spotify_account",
        "StreamingHistory_podcast_0_excerpt.json",
        "spotify_account_podcast",
        150,
        0,
        {"podcast episode": 150},
    ),
    (
        "spotify_account",
        "StreamingHistory_audiobook_0.json",
        "spotify_account_audiobook",
        11,
        0,
        {"audiobook chapter": 11},
    ),
]

EXTENDED_FILES = [row[1] for row in REAL_FILES if row[2] == "spotify_extended"]

# Keys that identify the listener or the device. The parser must never copy them.
PERSONAL_KEYS = (
    "ip_addr",
    "ip_addr_decrypted",
    "username",
    "user_agent",
    "user_agent_decrypted",
)


def _real_file(real_dir: Path, folder: str, name: str) -> InputFile:
    path = real_dir / folder / name
    return InputFile(str(path), path.name, path.read_bytes())


def _parse_real(real_dir: Path, folder: str, name: str):
    file = _real_file(real_dir, folder, name)
    return parse_spotify_file(file, detect_spotify_kind(file))


def _file(name: str, records, *, bom: bool = False, indent: int | None = None):
    data = json.dumps(records, indent=indent, ensure_ascii=False).encode()
    if bom:
        data = codecs.BOM_UTF8 + data
    return InputFile(f"/exports/{name}", name, data)


def _write(folder: Path, name: str, records, *, bom: bool = False, indent=None):
    path = folder / name
    path.write_bytes(_file(name, records, bom=bom, indent=indent).data)
    return path


# Invented records in the shapes of the three export generations.


def _endsong_record(ts: str, ms: int, track: str, **changes) -> dict:
    record = {
        "ts": ts,
        "username": "exampleuser-secret-1",
        "platform": "iOS 14.7.1 (iPhone10,3)",
        "ms_played": ms,
        "conn_country": "SE",
        "ip_addr_decrypted": "198.51.100.23",
        "user_agent_decrypted": "Mozilla%2F5.0%20(ExampleAgent-secret)",
        "master_metadata_track_name": track,
        "master_metadata_album_artist_name": "Harbour Lights",
        "master_metadata_album_album_name": "Tide Tables",
        "spotify_track_uri": f"spotify:track:{track.replace(' ', '')}0000",
        "episode_name": None,
        "episode_show_name": None,
        "spotify_episode_uri": None,
        "reason_start": "trackdone",
        "reason_end": "trackdone",
        "shuffle": False,
        "skipped": None,
        "offline": False,
        "offline_timestamp": 1632253124315,
        "incognito_mode": False,
    }
    record.update(changes)
    return record


def _audio_record(ts: str, ms: int, track: str | None, **changes) -> dict:
    record = {
        "ts": ts,
        "platform": "android",
        "ms_played": ms,
        "conn_country": "SE",
        "ip_addr": "203.0.113.77",
        "master_metadata_track_name": track,
        "master_metadata_album_artist_name": "Harbour Lights" if track else None,
        "master_metadata_album_album_name": "Tide Tables" if track else None,
        "spotify_track_uri": f"spotify:track:{track}0000" if track else None,
        "episode_name": None,
        "episode_show_name": None,
        "spotify_episode_uri": None,
        "audiobook_title": None,
        "audiobook_uri": None,
        "audiobook_chapter_uri": None,
        "audiobook_chapter_title": None,
        "reason_start": "clickrow",
        "reason_end": "endplay",
        "shuffle": True,
        "skipped": False,
        "offline": False,
        "offline_timestamp": 1700000000,
        "incognito_mode": False,
    }
    record.update(changes)
    return record


def _episode_record(ts: str, ms: int) -> dict:
    return _audio_record(
        ts,
        ms,
        None,
        episode_name="Episode 12",
        episode_show_name="Example Show",
        spotify_episode_uri="spotify:episode:0000example",
    )


def _account_record(end: str, ms: int, artist="Harbour Lights", track="Tide Tables"):
    return {"endTime": end, "artistName": artist, "trackName": track, "msPlayed": ms}


# Real files: counts and quirks


@pytest.mark.parametrize(
    ("folder", "name", "kind", "read", "plays", "skipped"),
    REAL_FILES,
    ids=[row[1] for row in REAL_FILES],
)
def test_real_file_counts(real_dir, folder, name, kind, read, plays, skipped):
    file = _real_file(real_dir, folder, name)

    assert detect_spotify_kind(file) == kind
    parsed = parse_spotify_file(file, kind)

    assert parsed.kind == kind
    assert parsed.read == read
    assert len(parsed.plays) == plays
    assert parsed.skipped == skipped
    assert list(parsed.plays.columns) == list(PLAY_COLUMNS)
    assert parsed.plays.dtypes.astype(str).to_dict() == PLAY_COLUMNS
    assert set(parsed.plays["source_file"]) <= {str(real_dir / folder / name)}


@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        (
            "endsong_1_excerpt.json",
            {"username", "ip_addr_decrypted", "user_agent_decrypted"},
            {"ip_addr", "audiobook_uri"},
        ),
        (
            "Streaming_History_Audio_2024_4_excerpt.json",
            {"ip_addr"},
            {"username", "user_agent_decrypted", "audiobook_uri"},
        ),
        (
            "Streaming_History_Audio_2026_excerpt.json",
            {"ip_addr", "audiobook_title", "audiobook_uri", "audiobook_chapter_uri"},
            {"username", "ip_addr_decrypted"},
        ),
    ],
)
def test_three_schema_generations_give_same_columns(real_dir, name, present, absent):
    file = _real_file(real_dir, "spotify_extended", name)
    keys = set(json.loads(file.data)[0])
    assert present <= keys
    assert not absent & keys

    parsed = parse_spotify_file(file, detect_spotify_kind(file))

    assert list(parsed.plays.columns) == list(PLAY_COLUMNS)
    assert parsed.plays["track_uri"].str.startswith("spotify:track:").all()
    assert (parsed.plays["source"] == "extended_history").all()
    assert (parsed.plays["end_uncertainty_s"] == 0).all()


@pytest.mark.parametrize("name", EXTENDED_FILES)
def test_personal_fields_never_reach_frame(real_dir, name):
    file = _real_file(real_dir, "spotify_extended", name)
    records = json.loads(file.data)
    # "unknown" is Spotify's user agent placeholder and also a reason_end value, so
    # it identifies no one.
    personal = {
        str(record[key])
        for record in records
        for key in PERSONAL_KEYS
        if record.get(key) not in (None, "unknown")
    }
    assert personal

    plays = parse_spotify_file(file, "spotify_extended").plays
    cells = "\n".join(str(value) for value in plays.to_numpy().ravel())

    for value in personal:
        assert value not in cells


def test_extended_offline_timestamp_in_milliseconds(real_dir):
    plays = _parse_real(real_dir, "spotify_extended", "endsong_1_excerpt.json").plays
    play = plays[plays["ended_at"] == T("2021-09-21 19:38:59")].iloc[0]

    assert play["offline_at"] == T("2021-09-21 19:38:44.315")
    # 53 records have offline_timestamp 0; 49 of them are kept plays.
    assert plays["offline_at"].isna().sum() == 49
    assert plays["offline_at"].dropna().dt.year.min() >= 2014


def test_extended_offline_timestamp_in_seconds(real_dir):
    name = "Streaming_History_Audio_2026_excerpt.json"
    plays = _parse_real(real_dir, "spotify_extended", name).plays
    play = plays[plays["ended_at"] == T("2026-01-13 00:40:02")].iloc[0]

    assert play["offline_at"] == T("2026-01-13 00:30:01")
    assert plays["offline_at"].notna().all()


def test_extended_null_offline_timestamp(real_dir):
    name = "Streaming_History_Audio_2022.json"
    plays = _parse_real(real_dir, "spotify_extended", name).plays
    play = plays[plays["ended_at"] == T("2022-05-22 13:01:24")].iloc[0]

    assert pd.isna(play["offline_at"])
    assert plays["offline_at"].isna().sum() == 1


def test_extended_offline_timestamp_units_by_magnitude():
    records = [
        _audio_record("2024-03-01T10:00:00Z", 1000, "A", offline_timestamp=1709287000),
        _audio_record(
            "2024-03-01T10:00:00Z", 1000, "B", offline_timestamp=1709287000500
        ),
        _audio_record("2024-03-01T10:00:00Z", 1000, "C", offline_timestamp=0),
        _audio_record("2024-03-01T10:00:00Z", 1000, "D", offline_timestamp=None),
    ]
    plays = parse_spotify_file(_file("a.json", records), "spotify_extended").plays

    assert plays["offline_at"][0] == T("2024-03-01 09:56:40")
    assert plays["offline_at"][1] == T("2024-03-01 09:56:40.500")
    assert pd.isna(plays["offline_at"][2])
    assert pd.isna(plays["offline_at"][3])


def test_extended_skipped_null_stays_null(real_dir):
    old = _parse_real(real_dir, "spotify_extended", "endsong_1_excerpt.json").plays
    new = _parse_real(
        real_dir, "spotify_extended", "Streaming_History_Audio_2024_excerpt.json"
    ).plays

    assert old["skipped"].isna().sum() == 294
    assert old["skipped"].notna().sum() == 36
    assert new["skipped"].notna().all()


def test_extended_unsorted_file_keeps_every_play(real_dir):
    plays = _parse_real(real_dir, "spotify_extended", "endsong_1_excerpt.json").plays
    ends = plays["ended_at"]

    assert not ends.is_monotonic_increasing
    assert (ends.diff() < pd.Timedelta(0)).sum() > 100
    assert ends.min() == T("2014-05-25 05:43:44")
    assert ends.max() == T("2021-09-21 19:38:59")
    assert set(plays["conn_country"]) == {"CA", "US", "ZZ"}


def test_extended_podcasts_excluded(real_dir):
    name = "Streaming_History_Audio_2024_4_excerpt.json"
    records = json.loads(_real_file(real_dir, "spotify_extended", name).data)
    episodes = {r["ts"] for r in records if r["spotify_episode_uri"] is not None}
    assert len(episodes) == 21

    plays = _parse_real(real_dir, "spotify_extended", name).plays

    kept = set(plays["ended_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert not episodes & kept
    assert plays["track_uri"].notna().all()


def test_extended_audiobook_chapter_as_track_kept(real_dir):
    name = "Streaming_History_Audio_2026_excerpt.json"
    plays = _parse_real(real_dir, "spotify_extended", name).plays
    chapters = plays[plays["track_name"].str.startswith("Kapitel")]

    assert list(chapters["track_name"]) == [
        "Kapitel 201 - Haunting Adeline",
        "Kapitel 01 - Haunting Adeline",
    ]
    assert list(chapters["track_uri"]) == [
        "spotify:track:5Ql8e4GOdLvl0iNQXLVbuz",
        "spotify:track:0n3MEpRGnsGXxmsOOgWUg2",
    ]


def test_extended_incognito_plays_kept(real_dir):
    name = "Streaming_History_Audio_2024_4_excerpt.json"
    plays = _parse_real(real_dir, "spotify_extended", name).plays

    assert plays["incognito"].sum() == 26
    assert plays["incognito"].notna().all()


@pytest.mark.parametrize(
    ("name", "offline"),
    [
        ("Streaming_History_Audio_2024_excerpt.json", 2),
        ("Streaming_History_Audio_2024_4_excerpt.json", 9),
        ("endsong_1_excerpt.json", 31),
    ],
)
def test_extended_offline_plays_kept(real_dir, name, offline):
    plays = _parse_real(real_dir, "spotify_extended", name).plays

    assert plays["offline"].sum() == offline


@pytest.mark.parametrize("name", EXTENDED_FILES)
def test_extended_zero_length_plays_skipped(real_dir, name):
    file = _real_file(real_dir, "spotify_extended", name)
    records = json.loads(file.data)
    zero = sum(1 for r in records if r["ms_played"] == 0 and r["spotify_track_uri"])

    parsed = parse_spotify_file(file, "spotify_extended")

    assert (parsed.plays["ms_played"] > 0).all()
    assert parsed.skipped.get("zero-length play", 0) == zero


def test_extended_keeps_device_and_reason_fields(real_dir):
    plays = _parse_real(real_dir, "spotify_extended", "endsong_1_excerpt.json").plays
    play = plays.iloc[0]

    assert play["ended_at"] == T("2021-09-21 19:38:59")
    assert play["ms_played"] == 14450
    assert play["track_name"] == "Colors of Fall, Wool Clothes"
    assert play["artist_name"] == "Kendall Miles"
    assert play["album_name"] == "Chillhop Essentials Fall 2021"
    assert play["platform"] == "iOS 14.7.1 (iPhone10,3)"
    assert play["reason_start"] == "clickrow"
    assert play["reason_end"] == "fwdbtn"
    assert not play["shuffle"]
    assert not play["offline"]
    assert not play["incognito"]
    assert "" in set(plays["reason_end"]) | set(plays["reason_start"])


def test_extended_ts_year_not_taken_from_name():
    records = [
        _audio_record("2025-12-31T23:59:30Z", 200_000, "Last"),
        _audio_record("2026-01-01T00:03:10Z", 190_000, "First"),
    ]
    file = _file("Streaming_History_Audio_2026_0.json", records)

    plays = parse_spotify_file(file, detect_spotify_kind(file)).plays

    assert list(plays["ended_at"]) == [
        T("2025-12-31 23:59:30"),
        T("2026-01-01 00:03:10"),
    ]


def test_extended_ts_with_offset_converted_to_utc():
    records = [_audio_record("2024-06-02T15:22:19+02:00", 182_000, "Q")]

    plays = parse_spotify_file(_file("a.json", records), "spotify_extended").plays

    assert plays["ended_at"][0] == T("2024-06-02 13:22:19")


def test_extended_unknown_and_personal_keys_dropped():
    record = _endsong_record("2021-02-03T04:05:06Z", 120_000, "Tide")
    record["zz_new_field"] = "later-key-secret"
    file = _file("endsong_0.json", [record])

    plays = parse_spotify_file(file, detect_spotify_kind(file)).plays
    cells = "\n".join(str(value) for value in plays.to_numpy().ravel())

    assert len(plays) == 1
    for secret in ("secret", "198.51.100.23", "exampleuser"):
        assert secret not in cells


def test_extended_episode_and_audiobook_reasons():
    audiobook = _audio_record(
        "2025-01-01T10:00:00Z",
        60_000,
        None,
        audiobook_title="Example Audiobook",
        audiobook_uri="spotify:show:0000example",
    )
    records = [
        _audio_record("2025-01-01T09:00:00Z", 60_000, "Song"),
        _episode_record("2025-01-01T09:30:00Z", 60_000),
        audiobook,
        _audio_record("2025-01-01T10:30:00Z", 60_000, None),
        _episode_record("2025-01-01T11:00:00Z", 0),
    ]

    parsed = parse_spotify_file(_file("a.json", records), "spotify_extended")

    assert list(parsed.plays["track_name"]) == ["Song"]
    assert parsed.skipped == {
        "podcast episode": 2,
        "audiobook chapter": 1,
        "no track URI, name or artist": 1,
    }


def test_bom_file_parses_like_plain_file(real_dir):
    plain = _real_file(
        real_dir, "spotify_extended", "Streaming_History_Audio_2022.json"
    )
    marked = InputFile(plain.display_path, plain.name, codecs.BOM_UTF8 + plain.data)

    assert detect_spotify_kind(marked) == "spotify_extended"
    expected = parse_spotify_file(plain, "spotify_extended")
    parsed = parse_spotify_file(marked, "spotify_extended")

    pd.testing.assert_frame_equal(parsed.plays, expected.plays)
    assert parsed.read == expected.read


def test_gzipped_file_parses(real_dir):
    plain = _real_file(real_dir, "spotify_extended", "endsong_1_excerpt.json")
    zipped = InputFile(
        "endsong_1.json.gz", "endsong_1.json.gz", gzip.compress(plain.data)
    )

    assert detect_spotify_kind(zipped) == "spotify_extended"
    assert len(parse_spotify_file(zipped, "spotify_extended").plays) == 330


# Account data


def test_account_local_files_skipped(real_dir):
    parsed = _parse_real(real_dir, "spotify_account", "StreamingHistory0_excerpt.json")
    plays = parsed.plays

    assert parsed.skipped["local file"] == 9
    assert not (plays["artist_name"] == "Unknown Artist").any()
    assert not (plays["track_name"] == "Unknown Track").any()


def test_account_podcast_in_music_list_kept_with_note(real_dir):
    parsed = _parse_real(real_dir, "spotify_account", "StreamingHistory0_excerpt.json")
    platzi = parsed.plays[parsed.plays["artist_name"] == "Platzi"]

    assert list(platzi["ms_played"]) == [4_267_827, 75_974]
    assert len(parsed.notes) == 1
    assert parsed.notes[0].startswith("1 play lasts 30 minutes or more.")


def test_account_plays_end_at_minute(real_dir):
    name = "StreamingHistory_music_0_excerpt.json"
    plays = _parse_real(real_dir, "spotify_account", name).plays
    first = plays.iloc[0]

    assert first["ended_at"] == T("2024-05-07 18:09")
    assert first["artist_name"] == "MAVI"
    assert first["track_name"] == "Love, of Money"
    assert first["ms_played"] == 64765
    assert (plays["end_uncertainty_s"] == 60).all()
    assert (plays["source"] == "account_data").all()
    assert plays["track_uri"].isna().all()
    assert (plays["ended_at"].dt.second == 0).all()
    assert plays["ended_at"].duplicated().sum() == 40


def test_account_file_split_continues(real_dir):
    first = _parse_real(
        real_dir, "spotify_account", "StreamingHistory_music_0_excerpt.json"
    ).plays
    second = _parse_real(
        real_dir, "spotify_account", "StreamingHistory_music_1_excerpt.json"
    ).plays

    gap = second["ended_at"].min() - first["ended_at"].max()
    assert gap == pd.Timedelta(minutes=4)


def test_account_zero_and_local_reasons():
    records = [
        _account_record("2021-10-14 00:04", 182_200),
        _account_record("2021-10-14 00:05", 0),
        _account_record("2021-10-14 00:09", 250_000, "Unknown Artist", "Unknown Track"),
        _account_record("2021-10-14 00:12", 0, "Unknown Artist", "Unknown Track"),
    ]

    parsed = parse_spotify_file(_file("s.json", records), "spotify_account")

    assert parsed.read == 4
    assert len(parsed.plays) == 1
    assert parsed.skipped == {"zero-length play": 1, "local file": 2}


@contextmanager
def _process_time_zone(monkeypatch: pytest.MonkeyPatch, zone: str):
    original = os.environ.get("TZ")
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        yield
    finally:
        if original is None:
            monkeypatch.delenv("TZ")
        else:
            monkeypatch.setenv("TZ", original)
        time.tzset()


def test_account_end_ignores_process_time_zone(monkeypatch, db_path):
    record = _account_record(
        "2021-10-14 00:04", 182_200, "Harbour Lights", "Tide Tables"
    )
    file = _file("StreamingHistory_music_0.json", [record], indent=2)

    stored = {}
    for zone in ("America/New_York", "UTC"):
        with _process_time_zone(monkeypatch, zone):
            # 1970-01-01T00:00Z is 19:00 the day before in New York.
            assert time.localtime(0).tm_hour == (19 if zone != "UTC" else 0)
            plays = parse_spotify_file(file, "spotify_account").plays
            with connect(db_path) as con:
                upsert_plays(con, zone, plays)
                stored[zone] = con.execute(
                    "SELECT ended_at, end_uncertainty_s FROM plays WHERE user_id = ?",
                    [zone],
                ).fetchall()

        assert plays["ended_at"][0] == T("2021-10-14 00:04")
        assert plays["end_uncertainty_s"][0] == 60

    assert stored["America/New_York"] == [(datetime(2021, 10, 14, 0, 4), 60)]
    assert stored["UTC"] == stored["America/New_York"]


def test_second_store_changes_nothing(real_dir, db_path):
    plays = _parse_real(real_dir, "spotify_extended", "endsong_1_excerpt.json").plays

    with connect(db_path) as con:
        first = upsert_plays(con, "me", plays)
        second = upsert_plays(con, "me", plays)
        rows = con.execute("SELECT count(*) FROM plays").fetchone()[0]

    assert first.inserted == rows
    assert second.inserted == 0
    assert second.already_stored == first.received


# Export folders with the three generations side by side


@pytest.fixture
def mixed_export(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    _write(
        folder,
        "endsong_0.json",
        [
            _endsong_record("2021-02-03T04:05:06Z", 120_000, "Tide"),
            _endsong_record("2019-07-01T12:00:00Z", 0, "Swell"),
            _endsong_record("2020-01-01T00:00:00Z", 30_000, "Shore", skipped=True),
        ],
    )
    _write(
        folder,
        "Streaming_History_Audio_2023_1.json",
        [
            _audio_record("2023-05-02T07:31:00Z", 240_000, "Harbour"),
            _episode_record("2023-05-02T07:40:00Z", 500_000),
            _audio_record("2023-05-02T07:03:20Z", 200_000, "Pier"),
        ],
        indent=2,
    )
    _write(
        folder,
        "StreamingHistory_music_0.json",
        [
            _account_record("2023-05-02 07:31", 240_000),
            _account_record(
                "2023-05-02 07:35", 150_000, "Unknown Artist", "Unknown Track"
            ),
        ],
        bom=True,
        indent=2,
    )
    _write(
        folder,
        "Streaming_History_Video_2024.json",
        [_episode_record("2024-01-04T11:41:14Z", 90_000)] * 2,
        indent=2,
    )
    return folder


def test_mixed_export_folder_parsed(mixed_export):
    results = {}
    for file in iter_inputs([mixed_export]):
        kind = detect_spotify_kind(file)
        parsed = parse_spotify_file(file, kind)
        results[file.name] = (kind, parsed.read, len(parsed.plays), parsed.skipped)

    assert results == {
        "endsong_0.json": ("spotify_extended", 3, 2, {"zero-length play": 1}),
        "Streaming_History_Audio_2023_1.json": (
            "spotify_extended",
            3,
            2,
            {"podcast episode": 1},
        ),
        "StreamingHistory_music_0.json": ("spotify_account", 2, 1, {"local file": 1}),
        "Streaming_History_Video_2024.json": (
            "spotify_video",
            2,
            0,
            {"video or podcast history, not music": 2},
        ),
    }


@pytest.mark.parametrize(
    ("original", "misleading", "kind"),
    [
        ("endsong_0.json", "StreamingHistory_music_7.json", "spotify_extended"),
        ("StreamingHistory_music_0.json", "endsong_3.json", "spotify_account"),
        ("Streaming_History_Audio_2023_1.json", "my_plays.json", "spotify_extended"),
        ("Streaming_History_Video_2024.json", "backup.json", "spotify_video"),
    ],
)
def test_kind_read_from_content_not_name(mixed_export, original, misleading, kind):
    renamed = mixed_export / misleading
    (mixed_export / original).rename(renamed)
    file = InputFile(str(renamed), renamed.name, renamed.read_bytes())

    assert detect_spotify_kind(file) == kind


def test_account_podcast_and_audiobook_files_detected():
    podcast = {"endTime": "2023-10-03 21:56", "podcastName": "Show", "msPlayed": 1835}
    podcast["episodeName"] = "Episode"
    audiobook = {"endTime": "2024-04-03 17:05", "audiobookName": "Book", "msPlayed": 0}
    audiobook.update(chapterName="Chapter 1", authorName="Example Author")

    assert detect_spotify_kind(_file("x.json", [podcast])) == "spotify_account_podcast"
    assert detect_spotify_kind(_file("y.json", [audiobook])) == (
        "spotify_account_audiobook"
    )


def test_record_without_ts_names_file_record_field(mixed_export):
    records = [
        _audio_record("2023-05-02T07:31:00Z", 240_000, "Harbour"),
        _audio_record("2023-05-02T07:35:00Z", 240_000, "Pier"),
    ]
    del records[1]["ts"]
    path = _write(mixed_export, "Streaming_History_Audio_2023_2.json", records)
    file = InputFile(str(path), path.name, path.read_bytes())

    with pytest.raises(ImportFileError) as caught:
        parse_spotify_file(file, detect_spotify_kind(file))

    assert caught.value.record == 2
    assert caught.value.field == "ts"
    assert caught.value.problem == "missing field"
    assert str(caught.value).startswith(f"{path}, record 2, field 'ts': missing field")


def test_first_record_without_ts_still_detected():
    records = [_endsong_record("2021-01-01T00:00:00Z", 1000, "A") for _ in range(3)]
    del records[0]["ts"]
    file = _file("renamed.json", records)

    assert detect_spotify_kind(file) == "spotify_extended"
    with pytest.raises(ImportFileError) as caught:
        parse_spotify_file(file, "spotify_extended")
    assert (caught.value.record, caught.value.field) == (1, "ts")


@pytest.mark.parametrize(
    ("kind", "record", "field"),
    [
        ("spotify_extended", {"ts": "2024-01-01T00:00:00Z"}, "ms_played"),
        (
            "spotify_account",
            {"endTime": "2024-01-01 00:00", "msPlayed": 5},
            "artistName",
        ),
        (
            "spotify_account",
            {"artistName": "A", "trackName": "B", "msPlayed": 5},
            "endTime",
        ),
        (
            "spotify_account",
            {"endTime": "2024-01-01 00:00", "trackName": "B"},
            "msPlayed",
        ),
    ],
)
def test_missing_required_field_rejects_file(kind, record, field):
    good = (
        _audio_record("2024-01-01T00:00:00Z", 1000, "A")
        if kind == "spotify_extended"
        else _account_record("2024-01-01 00:00", 1000)
    )
    file = _file("f.json", [good, good, record])

    with pytest.raises(ImportFileError) as caught:
        parse_spotify_file(file, kind)

    assert (caught.value.record, caught.value.field) == (3, field)


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"ts": "yesterday"}, "ts", "invalid timestamp 'yesterday'"),
        ({"ts": None}, "ts", "invalid timestamp None"),
        ({"ms_played": "1000"}, "ms_played", "invalid value '1000'"),
        ({"ms_played": -5}, "ms_played", "invalid value -5"),
        ({"shuffle": "yes"}, "shuffle", "invalid value 'yes'"),
    ],
)
def test_invalid_value_rejects_file(change, field, problem):
    records = [_audio_record("2024-01-01T00:00:00Z", 1000, "A") for _ in range(2)]
    records[1].update(change)

    with pytest.raises(ImportFileError) as caught:
        parse_spotify_file(_file("f.json", records), "spotify_extended")

    assert (caught.value.record, caught.value.field) == (2, field)
    assert caught.value.problem.startswith(problem)


def test_invalid_account_end_time_rejects_file():
    records = [
        _account_record("2024-01-01 00:00", 1000),
        _account_record("01/02/2024", 5),
    ]

    with pytest.raises(ImportFileError) as caught:
        parse_spotify_file(_file("f.json", records), "spotify_account")

    assert (caught.value.record, caught.value.field) == (2, "endTime")


# Files that are damaged or not exports


def test_truncated_file_rejected(real_dir):
    whole = _real_file(
        real_dir, "spotify_account", "StreamingHistory_music_0_excerpt.json"
    )
    cut = InputFile(whole.display_path, whole.name, whole.data[: len(whole.data) // 2])

    # The records before the cut still show what the file is, so it is not skipped
    # as unrelated.
    assert detect_spotify_kind(cut) == "spotify_account"
    with pytest.raises(ImportFileError) as caught:
        parse_spotify_file(cut, "spotify_account")

    message = str(caught.value)
    assert message.startswith(f"{whole.display_path}: is not valid JSON: ")
    # The cut leaves 1222 lines, and the decoder stops on the last, unfinished one.
    assert " at line 1222, column " in message
    assert "Re-download the export" in message


def test_truncated_large_file_detected_then_rejected():
    records = [
        _audio_record("2024-01-01T00:00:00Z", 1000, f"T{i}") for i in range(3000)
    ]
    data = json.dumps(records, indent=2).encode()
    assert len(data) > 1_000_000
    file = InputFile("big.json", "big.json", data[:-5000])

    assert detect_spotify_kind(file) == "spotify_extended"
    with pytest.raises(ImportFileError, match="is not valid JSON"):
        parse_spotify_file(file, "spotify_extended")


def test_large_all_episode_file_stays_extended():
    records = [_episode_record("2024-01-01T00:00:00Z", 1000) for _ in range(3000)]
    file = _file("history.json", records, indent=2)

    kind = detect_spotify_kind(file)
    parsed = parse_spotify_file(file, kind)

    assert kind == "spotify_extended"
    assert len(parsed.plays) == 0
    assert parsed.skipped == {"podcast episode": 3000}


def test_binary_file_rejected():
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    file = InputFile("/exports/endsong_0.json", "endsong_0.json", data)

    assert detect_spotify_kind(file) is None
    with pytest.raises(ImportFileError) as caught:
        parse_spotify_file(file, "spotify_extended")

    assert str(caught.value).startswith(
        "/exports/endsong_0.json: is not UTF-8 text: invalid byte 0x89 at offset 0"
    )


@pytest.mark.parametrize(
    ("value", "problem", "record"),
    [
        ({"ts": "2024-01-01T00:00:00Z"}, "top-level JSON value is an object", None),
        ("plays", "top-level JSON value is a string", None),
        ([{"ts": "2024-01-01T00:00:00Z", "ms_played": 1}, 5], "record is a number", 2),
        ([None], "record is null", 1),
    ],
)
def test_wrong_json_shape_rejected(value, problem, record):
    with pytest.raises(ImportFileError) as caught:
        parse_spotify_file(_file("endsong_0.json", value), "spotify_extended")

    assert caught.value.problem.startswith(problem)
    assert caught.value.record == record


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("endsong_0.json", "spotify_extended"),
        ("Streaming_History_Audio_2023_1.json", "spotify_extended"),
        ("Streaming_History_Video_2024.json", "spotify_video"),
        ("StreamingHistory_music_0.json", "spotify_account"),
        ("StreamingHistory_podcast_0.json", "spotify_account_podcast"),
        ("notes.json", None),
    ],
)
def test_empty_list_is_valid_file(name, kind):
    file = _file(name, [], bom=True)

    assert detect_spotify_kind(file) == kind
    parsed = parse_spotify_file(file, kind or "spotify_extended")
    assert parsed.read == 0
    assert parsed.skipped == {}
    assert list(parsed.plays.columns) == list(PLAY_COLUMNS)
    assert len(parsed.plays) == 0


@pytest.mark.parametrize(
    "data",
    [
        b'{"type": "FeatureCollection", "features": []}',
        b'[{"id": 8100000001, "name": "Hill repeats", "elapsed_time": 2700}]',
        b"[1, 2, 3]",
        b"Activity ID,Activity Date\n1,2024-01-01\n",
        b"",
    ],
)
def test_other_files_not_detected(data):
    assert detect_spotify_kind(InputFile("x.json", "x.json", data)) is None


def test_unknown_kind_raises_value_error():
    with pytest.raises(ValueError, match="unknown Spotify export kind 'gpx'"):
        parse_spotify_file(_file("a.json", []), "gpx")
