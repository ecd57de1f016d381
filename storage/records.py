"""Column contracts for the DataFrames that importers and clients hand to storage.

Every timestamp column holds timezone-naive pandas datetimes that mean UTC.
"""

import unicodedata

import pandas as pd

# One row per play of a music track. Sources rank by how exactly they know a play:
# the extended history has the end to the second and the real listening time, the
# recently-played API has the end to the millisecond but only the track length, and
# the account-data export has the end to the minute.
PLAY_SOURCES = {"extended_history": 1, "recently_played": 2, "account_data": 3}

PLAY_COLUMNS = {
    "source": "string",
    "ended_at": "datetime64[us]",
    "ms_played": "int64",
    "end_uncertainty_s": "int32",  # 60 for minute-precision ends, else 0
    "track_uri": "string",
    "track_name": "string",
    "artist_name": "string",
    "album_name": "string",
    "platform": "string",
    "conn_country": "string",
    "reason_start": "string",
    "reason_end": "string",
    "shuffle": "boolean",
    "skipped": "boolean",
    "offline": "boolean",
    "offline_at": "datetime64[us]",
    "incognito": "boolean",
    "source_file": "string",
}

ACTIVITY_COLUMNS = {
    "activity_id": "string",  # the Strava id as text, or "file-<sha1>" for a lone file
    "strava_id": "Int64",
    "name": "string",
    "sport_type": "string",  # Strava's sport_type spelling: Run, TrailRun, VirtualRide
    "start_at": "datetime64[us]",
    "elapsed_s": "int64",
    "moving_s": "Int64",
    "distance_m": "Float64",
    "timezone": "string",  # IANA name, when the source gives one
    "utc_offset_s": "Int64",
    "description": "string",
    "source": "string",  # strava_export, strava_api or activity_file
    "source_file": "string",
    "activity_file": "string",  # bulk-export file name such as activities/123.fit.gz
    "start_from_file": "boolean",  # start_at was read from the recorded file itself
}

PAUSE_COLUMNS = {
    "activity_id": "string",
    "paused_at": "datetime64[us]",
    "resumed_at": "datetime64[us]",
}


# Columns of these dtypes cannot hold nulls, so a frame must bring them.
REQUIRED_DTYPES = {"int64", "int32"}


def conform(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Return df with exactly the given columns and dtypes, adding missing ones as nulls."""
    out = pd.DataFrame(index=df.index)
    for name, dtype in columns.items():
        if name in df.columns:
            out[name] = df[name].astype(dtype)
        elif len(df) and dtype in REQUIRED_DTYPES:
            raise ValueError(f"required column {name!r} is missing")
        else:
            out[name] = pd.Series(pd.NA, index=df.index, dtype="object").astype(dtype)
    return out.reset_index(drop=True)


def empty(columns: dict[str, str]) -> pd.DataFrame:
    return conform(pd.DataFrame(), columns)


def track_key(artist: str, track: str) -> str:
    """Return the name-based identity of a track, the only one account data allows."""
    text = f"{artist.strip()}\x1f{track.strip()}"
    return unicodedata.normalize("NFKC", text).casefold()
