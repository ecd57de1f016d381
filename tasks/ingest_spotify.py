"""Ingest a user's recently-played tracks since the stored cursor."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import pandas as pd

from storage.db import connect, transaction
from storage.plays import upsert_plays
from storage.sync import add_coverage, load_cursor, save_cursor
from tasks.api_records import plays_from_recently_played

log = logging.getLogger(__name__)

STREAM = "spotify_recently_played"

# Spotify keeps only the last 50 plays. A poll re-reads this much before the cursor,
# so that a play reported late is not missed; the dedupe makes the overlap harmless.
LOOKBACK = timedelta(hours=1)
WINDOW_SIZE = 50


class RecentlyPlayed(Protocol):
    def recently_played(self, after_ms: int | None = None) -> Iterable[dict]: ...


@dataclass(frozen=True)
class SpotifyIngestResult:
    items: int
    new_plays: int
    possible_gap: bool  # plays may have rolled out of the 50-play window unseen


def ingest_recently_played(
    user_id: str, spotify: RecentlyPlayed
) -> SpotifyIngestResult:
    """Store the user's recently-played tracks and move the cursor; idempotent."""
    with connect() as con:
        cursor, _ = load_cursor(con, user_id, STREAM)
    after_ms = int(cursor) - int(LOOKBACK.total_seconds() * 1000) if cursor else None
    items = list(spotify.recently_played(after_ms=after_ms))
    plays = plays_from_recently_played(items)
    if plays.empty:
        return SpotifyIngestResult(len(items), 0, False)

    after = pd.Timestamp(after_ms, unit="ms") if after_ms is not None else None
    oldest_start = (
        plays["ended_at"] - pd.to_timedelta(plays["ms_played"], unit="ms")
    ).min()
    # A full window whose oldest play starts after the re-read point means plays
    # between the two may have been pushed out before this poll.
    possible_gap = (
        after is not None and len(items) >= WINDOW_SIZE and oldest_start > after
    )
    covered_from = after if after is not None and not possible_gap else oldest_start
    newest = plays["ended_at"].max()

    with connect() as con, transaction(con):
        counts = upsert_plays(con, user_id, plays)
        add_coverage(con, user_id, "recently_played", covered_from, newest)
        detail = {"possible_gap_before": str(oldest_start) if possible_gap else None}
        save_cursor(con, user_id, STREAM, str(int(newest.timestamp() * 1000)), detail)
    if possible_gap:
        log.warning(
            "user %s: recently-played window was full of new plays; plays before %s "
            "may be missing (poll more often, or import the extended history)",
            user_id,
            oldest_start,
        )
    return SpotifyIngestResult(len(items), counts.inserted, possible_gap)
