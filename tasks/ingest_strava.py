"""Ingest a user's Strava activities since the stored cursor."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

import pandas as pd

from soundtrack.errors import SoundtrackError
from storage.activities import upsert_activities
from storage.db import connect, transaction
from storage.sync import load_cursor, save_cursor
from tasks.api_records import activities_from_strava

log = logging.getLogger(__name__)

STREAM = "strava_activities"

# An activity uploaded late keeps its old start time, so each poll re-reads this far
# before the newest start it has seen.
OVERLAP = timedelta(days=7)
# Details (the description) cost one request each; the rest wait for the next run.
MAX_DETAILS_PER_RUN = 50


class Activities(Protocol):
    def activities(self, after: int | None = None) -> Iterable[dict]: ...
    def activity(self, activity_id: int) -> dict: ...


@dataclass
class StravaIngestResult:
    summaries: int = 0
    new_activities: int = 0
    details: int = 0
    missing: list[int] = field(
        default_factory=list
    )  # gone when their details were read


def ingest_activities(
    user_id: str, strava: Activities, not_found: type[Exception] = SoundtrackError
) -> StravaIngestResult:
    """Store activities started since the cursor minus the overlap; idempotent.

    Details are read for new activities only. An activity that returns 404 by then
    (deleted, or made private) is logged and left as stored, never deleted.
    """
    with connect() as con:
        cursor, _ = load_cursor(con, user_id, STREAM)
        known = {
            row[0]
            for row in con.execute(
                "SELECT strava_id FROM activities WHERE user_id = ? AND strava_id IS NOT NULL",
                [user_id],
            ).fetchall()
        }
    after = int(cursor) - int(OVERLAP.total_seconds()) if cursor else None
    summaries = list(strava.activities(after=after))
    result = StravaIngestResult(summaries=len(summaries))
    new = [s for s in summaries if int(s["id"]) not in known]
    result.new_activities = len(new)

    details = []
    for summary in new[:MAX_DETAILS_PER_RUN]:
        try:
            details.append(strava.activity(int(summary["id"])))
        except not_found:
            log.info(
                "user %s: activity %s is gone (404); kept as listed",
                user_id,
                summary["id"],
            )
            result.missing.append(int(summary["id"]))
    result.details = len(details)

    frame = activities_from_strava(summaries + details)
    with connect() as con, transaction(con):
        upsert_activities(con, user_id, frame)
        if not frame.empty:
            newest = int(pd.Timestamp(frame["start_at"].max()).timestamp())
            save_cursor(con, user_id, STREAM, str(max(newest, int(cursor or 0))), {})
    return result
