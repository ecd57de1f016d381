"""The publish intents in the playlists table, and the activities still to publish."""

from dataclasses import dataclass

import duckdb

from storage.db import fetch_one, transaction


@dataclass
class PlaylistRecord:
    activity_id: str
    user_id: str
    marker: str
    state: str
    name: str
    description: str
    public: bool
    uris: list[str]
    left_out: list[str]
    playlist_id: str | None
    playlist_url: str | None
    items_added: int
    description_state: str
    described_url: str | None


_FIELDS = list(PlaylistRecord.__dataclass_fields__)


def load_playlist(
    con: duckdb.DuckDBPyConnection, activity_id: str
) -> PlaylistRecord | None:
    row = fetch_one(
        con,
        f"SELECT {', '.join(_FIELDS)} FROM playlists WHERE activity_id = ?",
        [activity_id],
    )
    return PlaylistRecord(*row) if row else None


def save_playlist(con: duckdb.DuckDBPyConnection, record: PlaylistRecord) -> None:
    """Write the record in its own transaction, so it is durable before the next call."""
    values = [getattr(record, name) for name in _FIELDS]
    updates = ", ".join(f"{name} = excluded.{name}" for name in _FIELDS[1:])
    with transaction(con):
        con.execute(
            f"""
            INSERT INTO playlists ({", ".join(_FIELDS)}, created_at, updated_at)
            VALUES ({", ".join("?" for _ in _FIELDS)}, current_localtimestamp(),
                    current_localtimestamp())
            ON CONFLICT (activity_id) DO UPDATE SET {updates},
                updated_at = excluded.updated_at
            """,
            values,
        )


def activities_to_publish(con: duckdb.DuckDBPyConnection, user_id: str) -> list[str]:
    """Return ids of activities with a soundtrack whose publishing is not finished."""
    rows = con.execute(
        """
        SELECT s.activity_id
        FROM soundtracks s JOIN activities a USING (activity_id)
        LEFT JOIN playlists p USING (activity_id)
        WHERE s.user_id = $user
          AND (p.activity_id IS NULL OR p.state <> 'complete'
               OR p.description_state = 'pending')
        ORDER BY a.start_at, s.activity_id
        """,
        {"user": user_id},
    ).fetchall()
    return [row[0] for row in rows]


def publish_facts(con: duckdb.DuckDBPyConnection, activity_id: str) -> dict:
    """Return what the templates and the publish step need to know about one activity."""
    row = fetch_one(
        con,
        """
        SELECT a.activity_id, a.strava_id, a.name, a.sport_type, a.elapsed_s, a.start_at,
               timezone(coalesce(a.timezone, 'UTC'), a.start_at::TIMESTAMPTZ)::TIMESTAMP,
               list(t.track_uri ORDER BY t.position),
               list(t.artist_name || ' - ' || t.track_name ORDER BY t.position)
        FROM activities a JOIN soundtrack_tracks t USING (activity_id)
        WHERE a.activity_id = ?
        GROUP BY ALL
        """,
        [activity_id],
    )
    keys = [
        "activity_id",
        "strava_id",
        "name",
        "sport",
        "elapsed_s",
        "start_at",
        "local_start",
        "uris",
        "titles",
    ]
    return dict(zip(keys, row, strict=True))
