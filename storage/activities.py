"""Writes and reads of the activities and activity_pauses tables."""

from dataclasses import dataclass

import duckdb
import pandas as pd

from storage.db import fetch_one, transaction
from storage.records import ACTIVITY_COLUMNS, PAUSE_COLUMNS, conform

# How close a recorded file's first timestamp must be to a stored activity's start
# for the file to be taken as that activity's recording.
FILE_START_TOLERANCE_S = 120


@dataclass(frozen=True)
class ActivityWriteCounts:
    received: int
    inserted: int
    updated: int
    unchanged: int


# Fields compared to decide whether a stored activity changed.
_COMPARED = [c for c in ACTIVITY_COLUMNS if c not in ("activity_id", "source_file")]


def upsert_activities(
    con: duckdb.DuckDBPyConnection, user_id: str, activities: pd.DataFrame
) -> ActivityWriteCounts:
    """Insert or update activities for one user in one transaction; idempotent.

    A start time read from the recorded file is kept over the summary's start, and
    a field the incoming record leaves empty keeps its stored value.
    """
    frame = conform(activities, ACTIVITY_COLUMNS).drop_duplicates(
        "activity_id", keep="last"
    )
    with transaction(con):
        con.register("incoming_frame", frame)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE incoming AS SELECT * FROM incoming_frame"
        )
        con.unregister("incoming_frame")

        merged = ", ".join(
            f"coalesce(i.{c}, a.{c}) AS {c}"
            for c in _COMPARED
            if c not in ("start_at", "start_from_file", "elapsed_s", "source")
        )
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE merged AS
            SELECT i.activity_id, {merged},
                   CASE WHEN a.start_from_file AND NOT coalesce(i.start_from_file, false)
                        THEN a.start_at ELSE i.start_at END AS start_at,
                   CASE WHEN a.start_from_file AND NOT coalesce(i.start_from_file, false)
                        THEN a.elapsed_s ELSE i.elapsed_s END AS elapsed_s,
                   coalesce(a.start_from_file, false) OR coalesce(i.start_from_file, false)
                        AS start_from_file,
                   coalesce(a.source, i.source) AS source,
                   coalesce(i.source_file, a.source_file) AS source_file,
                   a.activity_id IS NOT NULL AS existed,
                   a.activity_id IS NOT NULL AND ({_differs_sql()}) AS changed
            FROM incoming i LEFT JOIN activities a
              ON a.activity_id = i.activity_id AND a.user_id = $user
            """,
            {"user": user_id},
        )
        counts = fetch_one(
            con,
            "SELECT count(*), count(*) FILTER (NOT existed),"
            " count(*) FILTER (changed), count(*) FILTER (existed AND NOT changed)"
            " FROM merged",
        )
        con.execute(
            f"""
            INSERT INTO activities BY NAME
            SELECT * EXCLUDE (existed, changed), $user AS user_id,
                   current_localtimestamp() AS imported_at
            FROM merged WHERE NOT existed OR changed
            ON CONFLICT (activity_id) DO UPDATE SET
                {", ".join(f"{c} = excluded.{c}" for c in [*_COMPARED, "source_file"])},
                imported_at = excluded.imported_at
            """,
            {"user": user_id},
        )
        con.execute("DROP TABLE incoming")
        con.execute("DROP TABLE merged")
    return ActivityWriteCounts(*counts)


def _differs_sql() -> str:
    # The merged value differs from the stored one; nulls compare as values.
    parts = []
    for c in _COMPARED:
        if c in ("start_at", "elapsed_s", "start_from_file"):
            parts.append(
                f"(CASE WHEN a.start_from_file AND NOT coalesce(i.start_from_file, false)"
                f" THEN a.{c} ELSE i.{c} END) IS DISTINCT FROM a.{c}"
                if c != "start_from_file"
                else "(coalesce(a.start_from_file, false) OR coalesce(i.start_from_file, false))"
                " IS DISTINCT FROM a.start_from_file"
            )
        elif c == "source":
            continue  # the first source that stored an activity stays its source
        else:
            parts.append(f"coalesce(i.{c}, a.{c}) IS DISTINCT FROM a.{c}")
    return " OR ".join(parts)


def replace_pauses(
    con: duckdb.DuckDBPyConnection, activity_ids: list[str], pauses: pd.DataFrame
) -> int:
    """Replace the pauses of the given activities with the given rows; return the count."""
    frame = conform(pauses, PAUSE_COLUMNS)
    with transaction(con):
        con.register("pause_frame", frame)
        con.execute(
            "DELETE FROM activity_pauses WHERE activity_id IN (SELECT unnest($ids))",
            {"ids": activity_ids},
        )
        con.execute(
            "INSERT INTO activity_pauses SELECT DISTINCT activity_id, paused_at, resumed_at"
            " FROM pause_frame"
        )
        con.unregister("pause_frame")
    return len(frame)


def find_activity_near(
    con: duckdb.DuckDBPyConnection, user_id: str, start_at: pd.Timestamp
) -> str | None:
    """Return the id of the user's activity starting within the file tolerance, if any."""
    row = fetch_one(
        con,
        f"""
        SELECT activity_id FROM activities
        WHERE user_id = $user
          AND abs(epoch(start_at) - epoch($start::TIMESTAMP)) <= {FILE_START_TOLERANCE_S}
        ORDER BY abs(epoch(start_at) - epoch($start::TIMESTAMP)), activity_id
        LIMIT 1
        """,
        {"user": user_id, "start": start_at.to_pydatetime()},
    )
    return row[0] if row else None


def adopt_recordings(con: duckdb.DuckDBPyConnection, user_id: str) -> int:
    """Fold activities made from lone recordings into the Strava activity they record.

    A recording imported before its activities.csv becomes an activity of its own; once
    the export arrives, its start and pauses move to the Strava activity that starts
    within the tolerance, and the stand-in is deleted. Returns how many were folded.
    """
    pairs = con.execute(
        f"""
        SELECT f.activity_id AS lone, s.activity_id AS strava
        FROM activities f JOIN activities s
          ON s.user_id = f.user_id AND s.activity_id NOT LIKE 'file-%'
         AND abs(epoch(s.start_at) - epoch(f.start_at)) <= {FILE_START_TOLERANCE_S}
        WHERE f.user_id = $user AND f.activity_id LIKE 'file-%'
        QUALIFY row_number() OVER (PARTITION BY f.activity_id
                                   ORDER BY abs(epoch(s.start_at) - epoch(f.start_at))) = 1
        """,
        {"user": user_id},
    ).fetchall()
    with transaction(con):
        for lone, strava in pairs:
            con.execute(
                """
                UPDATE activities SET start_at = f.start_at, elapsed_s = f.elapsed_s,
                       start_from_file = true
                FROM (SELECT start_at, elapsed_s FROM activities WHERE activity_id = $lone) f
                WHERE activity_id = $strava
                """,
                {"lone": lone, "strava": strava},
            )
            con.execute(
                "UPDATE activity_pauses SET activity_id = $strava WHERE activity_id = $lone",
                {"lone": lone, "strava": strava},
            )
            con.execute("DELETE FROM activities WHERE activity_id = ?", [lone])
    return len(pairs)
