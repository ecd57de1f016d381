"""Deleting one user's data from a database that two users share."""

from datetime import UTC, date, datetime, timedelta

from pydantic import SecretStr

from flows.import_exports import import_exports
from sample.exports import write_exports
from sample.generate import generate_world
from soundtrack.preferences import Profile
from storage.connections import Connection, save_connection
from storage.db import connect
from storage.events import store_events
from storage.preferences import save_preference
from storage.users import delete_user
from tasks.matching import match_soundtracks
from webhooks.events import StravaEvent

NOW = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


def _rows_per_table(con, user_id: str) -> dict[str, int]:
    by_user = {
        table: con.execute(
            f"SELECT count(*) FROM {table} WHERE user_id = ?", [user_id]
        ).fetchall()[0][0]
        for (table,) in con.execute(
            "SELECT DISTINCT table_name FROM duckdb_columns()"
            " WHERE column_name = 'user_id' AND schema_name = 'main'"
        ).fetchall()
    }
    for table in ("activity_pauses", "soundtrack_tracks"):
        by_user[table] = con.execute(
            f"SELECT count(*) FROM {table} JOIN activities USING (activity_id)"
            " WHERE user_id = ?",
            [user_id],
        ).fetchall()[0][0]
    return by_user


def _store_user(tmp_path, user_id: str, athlete_id: int, seed: int) -> None:
    world = generate_world(seed=seed, start=date(2026, 3, 1), days=40)
    write_exports(world, tmp_path / user_id)
    import_exports([str(tmp_path / user_id)], user_id)
    connection = Connection(
        user_id=user_id,
        service="strava",
        account_id=str(athlete_id),
        scopes=frozenset({"read", "activity:read_all"}),
        access_token=SecretStr("access"),
        refresh_token=SecretStr("refresh"),
        expires_at=NOW + timedelta(hours=6),
    )
    event = StravaEvent(
        object_type="activity",
        object_id=athlete_id + 1,
        aspect_type="create",
        event_time=1_700_000_000,
        owner_id=athlete_id,
    )
    with connect() as con:
        match_soundtracks(con, user_id)
        save_preference(con, user_id, "profile", Profile(timezone="Europe/London"))
        save_connection(con, connection, NOW)
        store_events(con, [event])


def test_delete_user_leaves_other_users(db_path, tmp_path):
    _store_user(tmp_path, "me", 90000001, seed=3)
    _store_user(tmp_path, "you", 90000002, seed=4)
    with connect() as con:
        before_you = _rows_per_table(con, "you")
        before_me = _rows_per_table(con, "me")

        removed = delete_user(con, "me")

        after_me = _rows_per_table(con, "me")
        after_you = _rows_per_table(con, "you")
        events = con.execute("SELECT owner_id FROM strava_events").fetchall()

    assert before_me["plays"] > 0
    assert before_me["activity_pauses"] > 0
    assert before_me["soundtrack_tracks"] > 0
    assert set(after_me.values()) == {0}
    assert after_you == before_you
    assert removed["plays"] == before_me["plays"]
    assert removed["soundtrack_tracks"] == before_me["soundtrack_tracks"]
    assert events == [(90000002,)]
