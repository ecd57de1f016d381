"""Cursors of the incremental streams, and the spans of listening they cover."""

import json
from datetime import datetime

import duckdb
import pandas as pd

from storage.db import fetch_one


def load_cursor(
    con: duckdb.DuckDBPyConnection, user_id: str, stream: str
) -> tuple[str | None, dict]:
    """Return (cursor, detail) of a stream, or (None, {}) before its first sync."""
    row = fetch_one(
        con,
        "SELECT cursor, detail FROM sync_state WHERE user_id = ? AND stream = ?",
        [user_id, stream],
    )
    if row is None:
        return None, {}
    return row[0], json.loads(row[1]) if row[1] else {}


def save_cursor(
    con: duckdb.DuckDBPyConnection, user_id: str, stream: str, cursor: str, detail: dict
) -> None:
    con.execute(
        "INSERT OR REPLACE INTO sync_state VALUES (?, ?, ?, ?, current_localtimestamp())",
        [user_id, stream, cursor, json.dumps(detail, default=str)],
    )


def add_coverage(
    con: duckdb.DuckDBPyConnection,
    user_id: str,
    source: str,
    covered_from: datetime,
    covered_to: datetime,
) -> None:
    """Record that every play of a source between the two UTC instants is stored."""
    con.execute(
        "INSERT OR IGNORE INTO listening_coverage VALUES (?, ?, ?, ?, current_localtimestamp())",
        [user_id, source, covered_from, covered_to],
    )


def activity_coverage(con: duckdb.DuckDBPyConnection, user_id: str) -> pd.DataFrame:
    """Return each activity's coverage: music, no music, or not covered.

    "no music" means stored listening spans the whole window and none of it matched;
    "not covered" means no stored plays cover the window, so music may be missing.
    """
    return con.execute(
        """
        WITH spans AS (
            SELECT covered_from, covered_to,
                   -- A new island starts where a span begins after every earlier end.
                   CASE WHEN covered_from > max(covered_to) OVER (
                            ORDER BY covered_from
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                        THEN 1 ELSE 0 END AS starts_island
            FROM listening_coverage WHERE user_id = $user
        ),
        numbered AS (
            SELECT *, sum(starts_island) OVER (ORDER BY covered_from) AS island FROM spans
        ),
        islands AS (
            SELECT min(covered_from) AS covered_from, max(covered_to) AS covered_to
            FROM numbered GROUP BY island
        )
        SELECT a.activity_id, a.name, a.start_at,
               CASE WHEN s.activity_id IS NOT NULL THEN 'music'
                    WHEN EXISTS (
                        SELECT 1 FROM islands i
                        WHERE i.covered_from <= a.start_at
                          AND i.covered_to >= a.start_at + to_seconds(a.elapsed_s))
                    THEN 'no music'
                    ELSE 'not covered' END AS coverage
        FROM activities a LEFT JOIN soundtracks s USING (activity_id)
        WHERE a.user_id = $user
        ORDER BY a.start_at
        """,
        {"user": user_id},
    ).df()
