"""The timed stages of benchmarks/run.py, each run in a process of its own.

Each function builds its own input first and times only the work it measures. It
returns wall_s (seconds) and rows (what the stage produced or matched).
"""

import argparse
import time

from baselines import join_python_loop, join_searchsorted
from synthetic import activities_frame, plays_frame

from soundtrack.preferences import MatchRules
from storage.activities import upsert_activities
from storage.db import connect, fetch_one
from storage.plays import upsert_plays
from tasks.matching import match_soundtracks

USER = "bench"


def store_activities(args: argparse.Namespace) -> dict:
    """Time upsert_activities of all activities into a fresh database file."""
    frame = activities_frame(args.activities, args.plays, args.seed)
    with connect() as con:
        started = time.perf_counter()
        counts = upsert_activities(con, USER, frame)
        wall_s = time.perf_counter() - started
    return {"wall_s": wall_s, "rows": counts.inserted}


def store_plays(args: argparse.Namespace) -> dict:
    """Time upsert_plays of all plays into the database of store_activities."""
    frame = plays_frame(args.plays, args.seed)
    with connect() as con:
        started = time.perf_counter()
        counts = upsert_plays(con, USER, frame)
        wall_s = time.perf_counter() - started
    return {"wall_s": wall_s, "rows": counts.inserted}


def store_plays_again(args: argparse.Namespace) -> dict:
    """Time a second upsert_plays of the same plays, which are all stored already."""
    frame = plays_frame(args.plays, args.seed)
    with connect() as con:
        started = time.perf_counter()
        counts = upsert_plays(con, USER, frame)
        wall_s = time.perf_counter() - started
    return {"wall_s": wall_s, "rows": counts.already_stored}


def match(args: argparse.Namespace) -> dict:
    """Time match_soundtracks with the default rules on the stored data."""
    with connect() as con:
        started = time.perf_counter()
        match_soundtracks(con, USER, MatchRules())
        wall_s = time.perf_counter() - started
        rows = fetch_one(con, "SELECT count(*) FROM soundtrack_tracks")[0]
    return {"wall_s": wall_s, "rows": rows}


def searchsorted(args: argparse.Namespace) -> dict:
    """Time the pandas and numpy interval join over all activities."""
    plays = plays_frame(args.plays, args.seed)
    activities = activities_frame(args.activities, args.plays, args.seed)
    started = time.perf_counter()
    rows = join_searchsorted(plays, activities)
    return {"wall_s": time.perf_counter() - started, "rows": rows}


def python_loop(args: argparse.Namespace, sample: int = 20) -> dict:
    """Time the naive loop on a sample of activities and scale it to all of them."""
    plays = plays_frame(args.plays, args.seed)
    activities = activities_frame(args.activities, args.plays, args.seed)
    step = max(1, len(activities) // sample)
    subset = activities.iloc[::step].head(sample)
    started = time.perf_counter()
    matched = join_python_loop(plays, subset)
    wall_s = time.perf_counter() - started
    scale = len(activities) / len(subset)
    return {
        "wall_s": wall_s * scale,
        "rows": f"{matched} in {len(subset)} activities",
        "extrapolated_from": len(subset),
    }


STAGE_FUNCTIONS = {
    "store_activities": store_activities,
    "store_plays": store_plays,
    "store_plays_again": store_plays_again,
    "match": match,
    "searchsorted": searchsorted,
    "python_loop": python_loop,
}
