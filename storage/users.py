"""Removal of everything stored for one user."""

import duckdb

from storage.db import transaction

# Tables with a user_id column. app_cooldowns and api_requests are shared by every
# user of the app, so they stay.
_USER_TABLES = [
    "playlists",
    "soundtracks",
    "activities",
    "plays",
    "listening_coverage",
    "import_files",
    "sync_state",
    "settings",
    "connections",
    "users",
]


def delete_user(con: duckdb.DuckDBPyConnection, user_id: str) -> dict[str, int]:
    """Delete every row stored for the user in one transaction; return rows per table.

    Pauses, soundtrack tracks and Strava push events carry no user_id, so they are
    found through the user's activities and Strava athlete id.
    """
    removed = {}
    with transaction(con):
        removed["strava_events"] = _count(
            con,
            """
            DELETE FROM strava_events WHERE owner_id IN (
                SELECT TRY_CAST(account_id AS BIGINT) FROM connections
                WHERE user_id = $user AND service = 'strava')
            """,
            user_id,
        )
        for table in ("activity_pauses", "soundtrack_tracks"):
            removed[table] = _count(
                con,
                f"DELETE FROM {table} WHERE activity_id IN ("
                " SELECT activity_id FROM activities WHERE user_id = $user)",
                user_id,
            )
        for table in _USER_TABLES:
            removed[table] = _count(
                con, f"DELETE FROM {table} WHERE user_id = $user", user_id
            )
    return removed


def _count(con: duckdb.DuckDBPyConnection, sql: str, user_id: str) -> int:
    # DuckDB returns the number of deleted rows as the statement's only row.
    return con.execute(sql, {"user": user_id}).fetchall()[0][0]
