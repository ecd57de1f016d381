"""Writes and reads of the strava_events table."""

import duckdb

from storage.db import transaction
from webhooks.events import StravaEvent


def store_events(con: duckdb.DuckDBPyConnection, events: list[StravaEvent]) -> int:
    """Store events once each; return how many were new."""
    before = con.execute("SELECT count(*) FROM strava_events").fetchall()[0][0]
    with transaction(con):
        for event in events:
            con.execute(
                "INSERT OR IGNORE INTO strava_events VALUES"
                " (?, ?, ?, ?, ?, ?, ?, current_localtimestamp(), NULL, NULL)",
                [
                    event.object_type,
                    event.object_id,
                    event.aspect_type,
                    event.event_time,
                    event.owner_id,
                    event.subscription_id,
                    event.model_dump_json(include={"updates"}),
                ],
            )
    return con.execute("SELECT count(*) FROM strava_events").fetchall()[0][0] - before


def pending_events(con: duckdb.DuckDBPyConnection, owner_id: int) -> list[tuple]:
    """Return (object_type, object_id, aspect_type, event_time) of unprocessed events."""
    return con.execute(
        "SELECT object_type, object_id, aspect_type, event_time FROM strava_events"
        " WHERE owner_id = ? AND processed_at IS NULL ORDER BY event_time, object_id",
        [owner_id],
    ).fetchall()


def mark_processed(con: duckdb.DuckDBPyConnection, key: tuple, outcome: str) -> None:
    con.execute(
        "UPDATE strava_events SET processed_at = current_localtimestamp(), outcome = ?"
        " WHERE object_type = ? AND object_id = ? AND aspect_type = ? AND event_time = ?",
        [outcome, *key],
    )


def mark_deleted(con: duckdb.DuckDBPyConnection, strava_id: int) -> None:
    con.execute(
        "UPDATE activities SET deleted_at = current_localtimestamp() WHERE strava_id = ?",
        [strava_id],
    )
