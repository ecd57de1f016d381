"""Read the extended streaming history (endsong_N.json, Streaming_History_Audio_*.json)."""

import numpy as np
import pandas as pd

from storage.records import PLAY_COLUMNS, conform, empty
from tasks.inputs import ParsedFile
from tasks.spotify_export.kinds import (
    AUDIOBOOK_KEYS,
    EPISODE_KEYS,
    EXTENDED,
    SKIP_AUDIOBOOK,
    SKIP_EPISODE,
    SKIP_NO_TRACK,
    SKIP_ZERO,
)
from tasks.spotify_export.reading import (
    count_skips,
    flags,
    milliseconds,
    optional,
    required,
    text,
    timestamps,
)

# Keys copied into plays, by play column. Every other key is never read: username,
# ip_addr, ip_addr_decrypted, user_agent_decrypted and any key that Spotify adds
# later stay out of the frame.
TEXT_KEYS = {
    "spotify_track_uri": "track_uri",
    "master_metadata_track_name": "track_name",
    "master_metadata_album_artist_name": "artist_name",
    "master_metadata_album_album_name": "album_name",
    "platform": "platform",
    "conn_country": "conn_country",
    "reason_start": "reason_start",
    "reason_end": "reason_end",
}
FLAG_KEYS = {
    "shuffle": "shuffle",
    "skipped": "skipped",
    "offline": "offline",
    "incognito_mode": "incognito",
}

# offline_timestamp is Unix milliseconds in the 2021 endsong files and Unix seconds
# in later ones. 1e11 s is the year 5138 and 1e11 ms is 1973, so larger values are ms.
MILLISECONDS_ABOVE = 1e11


def parse_extended(path: str, records: list[dict]) -> ParsedFile:
    """Turn extended-history records into plays that end at ts (UTC, to the second)."""
    parsed = ParsedFile(path, EXTENDED, read=len(records))
    if not records:
        parsed.plays = empty(PLAY_COLUMNS)
        return parsed

    ended_at = timestamps(path, required(path, records, "ts"), "ts", "ISO8601")
    ms_played = milliseconds(path, required(path, records, "ms_played"), "ms_played")
    frame = pd.DataFrame({"ended_at": ended_at, "ms_played": ms_played})
    for key, column in TEXT_KEYS.items():
        frame[column] = text(optional(records, key))
    for key, column in FLAG_KEYS.items():
        frame[column] = flags(path, optional(records, key), key)
    frame["offline_at"] = offline_at(optional(records, "offline_timestamp"))
    frame["source"] = "extended_history"
    frame["end_uncertainty_s"] = 0
    frame["source_file"] = path

    reasons = _skip_reasons(records, frame)
    count_skips(parsed, reasons)
    parsed.plays = conform(frame[reasons == ""], PLAY_COLUMNS)
    return parsed


def offline_at(values: list) -> pd.Series:
    """Convert offline_timestamp values (Unix s or ms; 0 or null unknown) to naive UTC."""
    number = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    number = number.astype("float64").to_numpy()
    microseconds = np.where(number > MILLISECONDS_ABOVE, number * 1e3, number * 1e6)
    microseconds = np.where(number > 0, microseconds, np.nan)
    return pd.to_datetime(pd.Series(microseconds), unit="us")


def _skip_reasons(records: list[dict], frame: pd.DataFrame) -> np.ndarray:
    """Return each record's skip reason, or "" for a music play to keep."""
    # Podcast episodes and audiobook chapters have null track fields. Some audiobook
    # chapters come as tracks, with a spotify:track: URI and names such as
    # "Kapitel 01 - Haunting Adeline". Nothing marks them, so they stay as plays.
    is_track = (
        frame["track_uri"].notna()
        & frame["track_name"].notna()
        & frame["artist_name"].notna()
    ).to_numpy()
    reasons = np.where(frame["ms_played"].to_numpy() == 0, SKIP_ZERO, "")
    reasons = reasons.astype(object)

    # Only the few records without a track are read again, which keeps large files
    # fast.
    for index in np.flatnonzero(~is_track):
        reasons[index] = _no_track_reason(records[index])
    return reasons


def _no_track_reason(record: dict) -> str:
    if any(record.get(key) is not None for key in EPISODE_KEYS):
        return SKIP_EPISODE
    if any(record.get(key) is not None for key in AUDIOBOOK_KEYS):
        return SKIP_AUDIOBOOK
    return SKIP_NO_TRACK
