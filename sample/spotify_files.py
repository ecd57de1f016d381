"""Write plays as Spotify's export files, in each generation's exact layout."""

import json
import random
from datetime import datetime
from pathlib import Path

from sample.world import Play

EXTENDED_DIR = "Spotify Extended Streaming History"
ACCOUNT_DIR = "Spotify Account Data"

# The runner's phone, as each export generation names it.
PLATFORM = "android"
OLD_PLATFORM = "Android OS 14 API 34 (Google, Pixel 7)"
COUNTRY = "GB"
USERNAME = "sampleuser7"


def write_extended(plays: list[Play], folder: Path) -> list[Path]:
    """Write Streaming_History_Audio_<year>.json and _Video_<year>.json files (2025+ keys).

    Indented with 2 spaces, UTF-8 without escapes and no final newline, as Spotify
    writes them. Within a file the records run in time order except for one chunk
    moved earlier, because real yearly files are sorted only in chunks.
    """
    written = []
    for label, is_video in (("Audio", False), ("Video", True)):
        for year, group in _by_year([p for p in plays if p.video == is_video]).items():
            path = folder / EXTENDED_DIR / f"Streaming_History_{label}_{year}.json"
            records = [_extended_record(play) for play in _chunk_sorted(group)]
            _write_json(path, records, indent=2)
            written.append(path)
    return written


def write_endsong(plays: list[Play], folder: Path, seed: int) -> Path:
    """Write endsong_0.json in the 2021 layout: one minified line, in shuffled order.

    The 2021 files list plays in no particular order and give offline_timestamp in
    milliseconds. The shuffle order comes from the seed.
    """
    shuffled = list(plays)
    random.Random(seed).shuffle(shuffled)
    path = folder / EXTENDED_DIR / "endsong_0.json"
    _write_json(path, [_endsong_record(play) for play in shuffled])
    return path


def write_account(plays: list[Play], folder: Path) -> Path:
    """Write StreamingHistory_music_0.json: end to the minute, names and ms only.

    Spotify writes this file as '"key" : value' with a 2-space indent and no final
    newline. Episodes belong in a separate podcast file, so they are left out.
    """
    records = [
        {
            "endTime": play.ended_at.strftime("%Y-%m-%d %H:%M"),
            "artistName": play.artist,
            "trackName": play.name,
            "msPlayed": play.ms_played,
        }
        for play in plays
        if play.kind != "episode"
    ]
    path = folder / ACCOUNT_DIR / "StreamingHistory_music_0.json"
    _write_json(path, records, indent=2, separators=(",", " : "))
    return path


def _extended_record(play: Play) -> dict:
    track = play.kind == "track"
    episode = play.kind == "episode"
    return {
        "ts": _iso(play.ended_at),
        "platform": PLATFORM,
        "ms_played": play.ms_played,
        "conn_country": COUNTRY,
        "ip_addr": _ip_address(play),
        "master_metadata_track_name": play.name if track else None,
        "master_metadata_album_artist_name": play.artist if track else None,
        "master_metadata_album_album_name": play.album if track else None,
        "spotify_track_uri": play.uri if track else None,
        "episode_name": play.name if episode else None,
        "episode_show_name": play.artist if episode else None,
        "spotify_episode_uri": play.uri if episode else None,
        "audiobook_title": None,
        "audiobook_uri": None,
        "audiobook_chapter_uri": None,
        "audiobook_chapter_title": None,
        "reason_start": play.reason_start,
        "reason_end": play.reason_end,
        "shuffle": play.shuffle,
        "skipped": play.skipped,
        "offline": play.offline,
        "offline_timestamp": int(play.started_at.timestamp()),
        "incognito_mode": False,
    }


def _endsong_record(play: Play) -> dict:
    track = play.kind == "track"
    episode = play.kind == "episode"
    return {
        "ts": _iso(play.ended_at),
        "username": USERNAME,
        "platform": OLD_PLATFORM,
        "ms_played": play.ms_played,
        "conn_country": COUNTRY,
        "ip_addr_decrypted": _ip_address(play),
        "user_agent_decrypted": "unknown",
        "master_metadata_track_name": play.name if track else None,
        "master_metadata_album_artist_name": play.artist if track else None,
        "master_metadata_album_album_name": play.album if track else None,
        "spotify_track_uri": play.uri if track else None,
        "episode_name": play.name if episode else None,
        "episode_show_name": play.artist if episode else None,
        "spotify_episode_uri": play.uri if episode else None,
        "reason_start": play.reason_start,
        "reason_end": play.reason_end,
        "shuffle": play.shuffle,
        # The 2021 files leave skipped null on most records.
        "skipped": True if play.skipped else None,
        "offline": play.offline,
        "offline_timestamp": int(play.started_at.timestamp() * 1000),
        "incognito_mode": False,
    }


def _ip_address(play: Play) -> str:
    # Documentation addresses only (RFC 5737); the number changes from day to day.
    return f"192.0.2.{1 + play.ended_at.toordinal() % 23}"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _by_year(plays: list[Play]) -> dict[int, list[Play]]:
    years: dict[int, list[Play]] = {}
    for play in sorted(plays, key=lambda p: p.ended_at):
        years.setdefault(play.ended_at.year, []).append(play)
    return years


def _chunk_sorted(plays: list[Play]) -> list[Play]:
    # Move the chunk from two thirds to three quarters ahead of the middle third.
    if len(plays) < 12:
        return plays
    third, two_thirds, three_quarters = (len(plays) * k // 12 for k in (4, 8, 9))
    return (
        plays[:third]
        + plays[two_thirds:three_quarters]
        + plays[third:two_thirds]
        + plays[three_quarters:]
    )


def _write_json(path: Path, records: list[dict], **layout: object) -> None:
    if "indent" not in layout:
        layout["separators"] = (",", ":")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(records, ensure_ascii=False, **layout)
    path.write_text(text, encoding="utf-8", newline="")
