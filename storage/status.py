"""Queries behind `soundtrack status`: connections, cooldowns, cursors, publishing."""

import duckdb
import pandas as pd


def status_tables(
    con: duckdb.DuckDBPyConnection, now_utc: pd.Timestamp
) -> dict[str, pd.DataFrame]:
    """Return one frame per status section; no token ever leaves the connections table."""
    return {
        "connections": con.execute(
            "SELECT user_id, service, account_id, status, status_reason,"
            " expires_at AS token_expires_utc, updated_at AS updated_utc"
            " FROM connections ORDER BY user_id, service"
        ).df(),
        "cooldowns": con.execute(
            "SELECT service, scope, until AS until_utc, reason FROM app_cooldowns"
            " WHERE until > ? ORDER BY service, scope",
            [now_utc.to_pydatetime()],
        ).df(),
        "streams": con.execute(
            "SELECT user_id, stream, cursor, updated_at AS last_run_utc, detail"
            " FROM sync_state ORDER BY user_id, stream"
        ).df(),
        "publishing": con.execute(
            """
            SELECT s.user_id,
                   count(*) AS soundtracks,
                   count(p.activity_id) FILTER (p.state = 'complete') AS playlists,
                   count(*) FILTER (p.activity_id IS NULL OR p.state <> 'complete')
                       AS playlists_pending,
                   count(p.activity_id) FILTER (p.description_state = 'verified')
                       AS descriptions_linked
            FROM soundtracks s LEFT JOIN playlists p USING (activity_id)
            GROUP BY s.user_id ORDER BY s.user_id
            """
        ).df(),
    }
