"""Writes and reads of the plays table."""

from dataclasses import dataclass

import duckdb
import pandas as pd

from storage.db import fetch_one, transaction
from storage.records import PLAY_COLUMNS, PLAY_SOURCES, conform, track_key

# Two records from different sources are one play when their possible end instants
# come within this many seconds. The recently-played API and the extended history
# disagree by a few seconds on the same play; a real repeat of a track ends at least
# one play length later.
SAME_PLAY_TOLERANCE_S = 10


@dataclass(frozen=True)
class PlayWriteCounts:
    received: int
    inserted: int
    already_stored: int  # the same record from the same source, stored before
    merged: int  # the same play seen in a more exact source, kept once
    superseded: int  # stored plays replaced by a more exact record of the same play


def _stage(con: duckdb.DuckDBPyConnection, user_id: str, plays: pd.DataFrame) -> None:
    frame = conform(plays, PLAY_COLUMNS)
    frame["track_key"] = [
        track_key(artist, track)
        for artist, track in zip(frame["artist_name"], frame["track_name"], strict=True)
    ]
    con.register("incoming_frame", frame)
    ranks = ", ".join(f"('{name}', {rank})" for name, rank in PLAY_SOURCES.items())
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE incoming AS
        WITH ranked AS (
            SELECT f.*, r.rank AS source_rank,
                   f.ended_at - to_microseconds(f.ms_played * 1000) AS started_at,
                   md5(concat_ws('|', $user, f.source, f.track_key,
                                 strftime(f.ended_at, '%Y-%m-%dT%H:%M:%S.%f'),
                                 f.ms_played::VARCHAR)) AS play_id
            FROM incoming_frame f
            JOIN (VALUES {ranks}) r(source, rank) USING (source)
        )
        SELECT * FROM ranked
        QUALIFY row_number() OVER (PARTITION BY play_id ORDER BY source_file) = 1
        """,
        {"user": user_id},
    )
    con.unregister("incoming_frame")


_SAME_PLAY = f"""
    a.track_key = b.track_key
    AND a.source <> b.source
    AND a.ended_at - INTERVAL {SAME_PLAY_TOLERANCE_S} SECOND
        <= b.ended_at + to_seconds(b.end_uncertainty_s)
    AND b.ended_at - INTERVAL {SAME_PLAY_TOLERANCE_S} SECOND
        <= a.ended_at + to_seconds(a.end_uncertainty_s)
"""


def upsert_plays(
    con: duckdb.DuckDBPyConnection, user_id: str, plays: pd.DataFrame
) -> PlayWriteCounts:
    """Store plays for one user in one transaction; idempotent.

    A play seen in several sources is stored once, as its most exact record
    (extended history, then recently-played, then account data).
    """
    with transaction(con):
        _stage(con, user_id, plays)
        received = fetch_one(con, "SELECT count(*) FROM incoming")[0]

        con.execute("DELETE FROM incoming WHERE play_id IN (SELECT play_id FROM plays)")
        new = fetch_one(con, "SELECT count(*) FROM incoming")[0]
        already_stored = received - new

        # Drop incoming records of a play that a better or equal source already has,
        # in the table or in this batch.
        con.execute(
            f"""
            DELETE FROM incoming a WHERE EXISTS (
                SELECT 1 FROM plays b
                WHERE b.user_id = $user AND b.source_rank <= a.source_rank AND {_SAME_PLAY}
            ) OR EXISTS (
                SELECT 1 FROM incoming b
                WHERE b.source_rank < a.source_rank AND {_SAME_PLAY}
            )
            """,
            {"user": user_id},
        )
        kept = fetch_one(con, "SELECT count(*) FROM incoming")[0]

        superseded = fetch_one(
            con,
            f"""
            DELETE FROM plays b WHERE b.user_id = $user AND EXISTS (
                SELECT 1 FROM incoming a WHERE a.source_rank < b.source_rank AND {_SAME_PLAY}
            )
            """,
            {"user": user_id},
        )[0]

        con.execute(
            """
            INSERT INTO plays BY NAME
            SELECT * EXCLUDE (source_rank), source_rank, $user AS user_id,
                   current_localtimestamp() AS imported_at
            FROM incoming
            ON CONFLICT DO NOTHING
            """,
            {"user": user_id},
        )
        con.execute("DROP TABLE incoming")

    return PlayWriteCounts(
        received=received,
        inserted=kept,
        already_stored=already_stored,
        merged=new - kept,
        superseded=superseded,
    )
