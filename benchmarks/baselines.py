"""The interval join written without DuckDB, as baselines for the matching benchmark.

Both apply the default MatchRules: a play counts when it lasts at least 30 s and
overlaps the activity by at least 60 s or half its length, whichever is smaller.
"""

import numpy as np
import pandas as pd

MIN_PLAY_S = 30.0
MIN_OVERLAP_S = 60.0
MIN_OVERLAP_FRACTION = 0.5


def join_searchsorted(plays: pd.DataFrame, activities: pd.DataFrame) -> int:
    """Count matched (activity, play) pairs with a sort and two binary searches.

    Assumes that the plays do not overlap each other, as one listener's plays do, so
    sorting by end also sorts by start.
    """
    plays = plays[plays["ms_played"] >= MIN_PLAY_S * 1000].sort_values("ended_at")
    end = plays["ended_at"].to_numpy("datetime64[us]").astype("int64") / 1e6
    length = plays["ms_played"].to_numpy() / 1000
    start = end - length
    window_start = activities["start_at"].to_numpy("datetime64[us]").astype("int64")
    window_start = window_start / 1e6
    window_end = window_start + activities["elapsed_s"].to_numpy()

    first = np.searchsorted(end, window_start, side="right")
    last = np.searchsorted(start, window_end, side="left")
    counts = np.maximum(last - first, 0)
    activity = np.repeat(np.arange(len(window_start)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    play = np.repeat(first, counts) + offsets

    overlap = np.minimum(end[play], window_end[activity]) - np.maximum(
        start[play], window_start[activity]
    )
    needed = np.minimum(MIN_OVERLAP_S, length[play] * MIN_OVERLAP_FRACTION)
    return int((overlap >= needed).sum())


def join_python_loop(plays: pd.DataFrame, activities: pd.DataFrame) -> int:
    """Count matched pairs by testing every play against every activity, in Python."""
    ends = (plays["ended_at"].astype("int64") / 1e6).tolist()
    lengths = (plays["ms_played"] / 1000).tolist()
    starts = (activities["start_at"].astype("int64") / 1e6).tolist()
    matched = 0
    for window_start, elapsed in zip(starts, activities["elapsed_s"].tolist()):
        window_end = window_start + elapsed
        for end, length in zip(ends, lengths):
            if length < MIN_PLAY_S:
                continue
            overlap = min(end, window_end) - max(end - length, window_start)
            if overlap >= min(MIN_OVERLAP_S, length * MIN_OVERLAP_FRACTION):
                matched += 1
    return matched
