"""Apply Strava push events: fetch created or updated activities, note deletions."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from storage.activities import upsert_activities
from storage.db import connect, transaction
from storage.events import mark_deleted, mark_processed, pending_events, store_events
from tasks.api_records import activities_from_strava
from webhooks.events import read_spool

log = logging.getLogger(__name__)


class ActivityReader(Protocol):
    def activity(self, activity_id: int) -> dict: ...


@dataclass
class EventResult:
    received: int = 0
    fetched: int = 0
    deleted: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    deauthorized: bool = False


def collect_spool(spool: Path) -> int:
    """Move spooled events into the database; a duplicate delivery is stored once."""
    spooled = read_spool(spool)
    if not spooled:
        return 0
    with connect() as con:
        new = store_events(con, [event for _, event in spooled])
    for path, _ in spooled:
        path.unlink(missing_ok=True)
    return new


def apply_events(
    user_id: str, owner_id: int, strava: ActivityReader, not_found: type[Exception]
) -> EventResult:
    """Apply the owner's pending events, one fetch per activity; idempotent.

    A delete marks the activity deleted and keeps its playlist. A 404 when fetching a
    created activity (deleted again, or made private) is noted, not raised.
    """
    with connect() as con:
        pending = pending_events(con, owner_id)
    result = EventResult(received=len(pending))
    by_object: dict[tuple[str, int], list[tuple]] = defaultdict(list)
    for event in pending:
        by_object[(event[0], event[1])].append(event)

    for (object_type, object_id), events in by_object.items():
        outcome = _apply(
            user_id, object_type, object_id, events, strava, not_found, result
        )
        with connect() as con, transaction(con):
            for event in events:
                mark_processed(con, event, outcome)
    return result


def _apply(user_id, object_type, object_id, events, strava, not_found, result) -> str:
    aspects = {event[2] for event in events}
    if object_type == "athlete":
        # Deauthorization arrives as an athlete update with authorized "false".
        result.deauthorized = True
        return "deauthorized"
    if "delete" in aspects:
        with connect() as con:
            mark_deleted(con, object_id)
        result.deleted.append(object_id)
        return "deleted"
    try:
        detail = strava.activity(object_id)
    except not_found:
        log.info(
            "user %s: activity %s from an event returns 404; kept as stored",
            user_id,
            object_id,
        )
        result.missing.append(object_id)
        return "not found"
    with connect() as con:
        upsert_activities(con, user_id, activities_from_strava([detail]))
    result.fetched += 1
    return "fetched"
