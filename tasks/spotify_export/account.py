"""Read account-data music history (StreamingHistory0.json, StreamingHistory_music_N.json)."""

import numpy as np
import pandas as pd

from storage.records import PLAY_COLUMNS, conform, empty
from tasks.inputs import ParsedFile
from tasks.spotify_export.kinds import ACCOUNT, SKIP_LOCAL, SKIP_NO_TRACK, SKIP_ZERO
from tasks.spotify_export.reading import (
    count_skips,
    milliseconds,
    required,
    text,
    timestamps,
)

# endTime is "YYYY-MM-DD HH:MM" in UTC: the minute in which the play ended.
END_TIME_FORMAT = "%Y-%m-%d %H:%M"
END_UNCERTAINTY_S = 60

# Account data lists a local file that has no tags under these placeholder names.
LOCAL_ARTIST = "Unknown Artist"
LOCAL_TRACK = "Unknown Track"

# Older account-data files (StreamingHistory0.json, 2020) list podcast episodes
# among songs, with the show as artistName and the episode as trackName. Nothing in
# the record distinguishes them, so they are kept as plays and the file's notes count
# the plays long enough to be episodes.
LONG_PLAY_MS = 30 * 60 * 1000


def parse_account(path: str, records: list[dict]) -> ParsedFile:
    """Turn account-data records into plays that end in the minute endTime (UTC)."""
    parsed = ParsedFile(path, ACCOUNT, read=len(records))
    if not records:
        parsed.plays = empty(PLAY_COLUMNS)
        return parsed

    end_times = required(path, records, "endTime")
    ended_at = timestamps(path, end_times, "endTime", END_TIME_FORMAT)
    ms_played = milliseconds(path, required(path, records, "msPlayed"), "msPlayed")
    frame = pd.DataFrame({"ended_at": ended_at, "ms_played": ms_played})
    frame["artist_name"] = text(required(path, records, "artistName"))
    frame["track_name"] = text(required(path, records, "trackName"))
    frame["source"] = "account_data"
    frame["end_uncertainty_s"] = END_UNCERTAINTY_S
    frame["source_file"] = path

    reasons = _skip_reasons(frame)
    count_skips(parsed, reasons)
    parsed.plays = conform(frame[reasons == ""], PLAY_COLUMNS)
    _note_long_plays(parsed)
    return parsed


def _skip_reasons(frame: pd.DataFrame) -> np.ndarray:
    """Return each record's skip reason, or "" for a music play to keep."""
    artist = frame["artist_name"]
    track = frame["track_name"]
    no_names = (artist.isna() | track.isna()).to_numpy()
    is_local = ((artist == LOCAL_ARTIST) & (track == LOCAL_TRACK)).fillna(False)
    is_zero = (frame["ms_played"] == 0).to_numpy()
    choices = [no_names, is_local.to_numpy(dtype=bool), is_zero]
    return np.select(choices, [SKIP_NO_TRACK, SKIP_LOCAL, SKIP_ZERO], default="")


def _note_long_plays(parsed: ParsedFile) -> None:
    long_plays = int((parsed.plays["ms_played"] >= LONG_PLAY_MS).sum())
    if long_plays:
        count = "1 play lasts" if long_plays == 1 else f"{long_plays} plays last"
        parsed.notes.append(
            f"{count} 30 minutes or more. Older account-data exports list podcast "
            "episodes among songs, so these may be episodes"
        )
