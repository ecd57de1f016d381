"""Vectorised synthetic plays and activities for the benchmarks, in the storage contracts.

The frames follow storage.records.PLAY_COLUMNS and ACTIVITY_COLUMNS. One listener
plays tracks back to back in sessions, so plays never overlap each other.
"""

import string

import numpy as np
import pandas as pd

FIRST_INSTANT = np.datetime64("2016-01-01T00:00:00", "us")
BASE62 = np.array(list(string.digits + string.ascii_letters))
CATALOGUE_SIZE = 50_000
SESSION_PLAYS = 20  # plays per listening session, on average
SPORTS = np.array(["Run", "TrailRun", "Ride", "VirtualRide", "Walk"])


def plays_frame(count: int, seed: int = 7) -> pd.DataFrame:
    """Return count extended-history plays of one listener, oldest first."""
    rng = np.random.default_rng(seed)
    skipped = rng.random(count) < 0.15
    ms_played = np.where(
        skipped,
        rng.integers(0, 20_000, count),
        rng.integers(120_000, 420_000, count),
    )
    # A second between tracks, and about 45 minutes between sessions.
    gap_ms = np.where(
        rng.random(count) < 1 / SESSION_PLAYS,
        rng.integers(10 * 60_000, 80 * 60_000, count),
        1_000,
    )
    ended_ms = np.cumsum(ms_played + gap_ms)
    ended_at = FIRST_INSTANT + ended_ms.astype("timedelta64[ms]")

    uris, names, artists, albums = _catalogue(rng)
    track = rng.integers(0, CATALOGUE_SIZE, count)
    return pd.DataFrame(
        {
            "source": "extended_history",
            "ended_at": ended_at,
            "ms_played": ms_played,
            "end_uncertainty_s": 0,
            "track_uri": uris[track],
            "track_name": names[track],
            "artist_name": artists[track],
            "album_name": albums[track],
            "platform": "android",
            "conn_country": "GB",
            "reason_start": "trackdone",
            "reason_end": np.where(skipped, "fwdbtn", "trackdone"),
            "shuffle": True,
            "skipped": skipped,
            "offline": False,
            "incognito": False,
            "source_file": "synthetic",
        }
    )


def activities_frame(count: int, plays: int, seed: int = 7) -> pd.DataFrame:
    """Return count activities of 20 min to 5 h over the time plays_frame(plays) spans."""
    rng = np.random.default_rng(seed + 1)
    # About 367 s per play: a mean play of 231 s plus a mean gap of 136 s.
    span_s = int(plays * 360)
    start_s = np.sort(rng.integers(0, span_s, count))
    elapsed_s = rng.integers(20 * 60, 5 * 3600, count)
    moving_s = (elapsed_s * rng.uniform(0.8, 1.0, count)).astype("int64")
    ids = 10_000_000_000 + np.arange(count, dtype="int64") * 7_919
    return pd.DataFrame(
        {
            "activity_id": ids.astype(str),
            "strava_id": ids,
            "name": "Synthetic activity",
            "sport_type": SPORTS[rng.integers(0, len(SPORTS), count)],
            "start_at": FIRST_INSTANT + start_s.astype("timedelta64[s]"),
            "elapsed_s": elapsed_s,
            "moving_s": moving_s,
            "distance_m": moving_s * 3.0,
            "timezone": "Europe/London",
            "source": "strava_api",
            "source_file": "synthetic",
            "start_from_file": False,
        }
    )


def _catalogue(rng: np.random.Generator):
    ids = BASE62[rng.integers(0, len(BASE62), (CATALOGUE_SIZE, 22))]
    uris = np.char.add("spotify:track:", ids.view("<U22").ravel())
    numbers = np.arange(CATALOGUE_SIZE).astype(str)
    names = np.char.add("Track ", numbers)
    artists = np.char.add("Artist ", (np.arange(CATALOGUE_SIZE) % 5_000).astype(str))
    albums = np.char.add("Album ", (np.arange(CATALOGUE_SIZE) % 12_000).astype(str))
    return uris.astype(object), names.astype(object), artists, albums.astype(object)
