"""The live loop end to end: sandbox over real HTTP, a real DuckDB file, real flow runs."""

from datetime import UTC, datetime, timedelta

import pytest

from clients.spotify import SpotifyClient
from clients.strava import StravaClient
from flows.sync import sync
from sandbox.scenario import Activity, Play, Scenario, User
from sandbox.server import SandboxServer
from storage.db import connect
from tasks.description import MARKER, count_blocks
from tests.flows.live import connect_user, point_settings_at

NOW = datetime.now(UTC).replace(microsecond=0)
RUN_START = NOW - timedelta(hours=3)
RIDE_START = NOW - timedelta(hours=26)
USER_TEXT = "Hill repeats, legs gone"


def _track(index: int) -> str:
    return f"spotify:track:{index:022d}".replace(":0", ":S", 1)


def _session(start: datetime, count: int, first: int) -> list[Play]:
    """Return back-to-back plays of 200 s from start; played_at is each play's end."""
    return [
        Play(
            uri=_track(first + i),
            name=f"Song {first + i}",
            artists=["Harbour Lights"],
            duration_ms=200_000,
            played_at=start + timedelta(seconds=200 * (i + 1)),
        )
        for i in range(count)
    ]


def runner_scenario() -> Scenario:
    listening = _session(RIDE_START, 16, 100) + _session(RUN_START, 12, 200)
    listening.append(
        Play(
            uri="spotify:local:Some+Band:Some+Album:Some+Song:181",
            name="Some Song",
            artists=["Some Band"],
            duration_ms=181_000,
            played_at=RUN_START + timedelta(seconds=200 * 12 + 181),
        )
    )
    activities = [
        Activity(
            id=8100000001,
            name="Tempo run",
            start_date=RUN_START,
            elapsed_time=2700,
            timezone="(GMT+00:00) Europe/London",
            utc_offset=0.0,
            description=USER_TEXT,
        ),
        Activity(
            id=8100000002,
            name="Long ride",
            sport_type="Ride",
            start_date=RIDE_START,
            elapsed_time=3600,
            timezone="(GMT+00:00) Europe/London",
            utc_offset=0.0,
        ),
        Activity(
            id=8100000003,
            name="Yoga",
            sport_type="Yoga",
            start_date=NOW - timedelta(hours=50),
            elapsed_time=1800,
        ),
    ]
    user = User(
        key="runner",
        spotify_display_name="Runner",
        spotify_user_id="runner-sp",
        strava_athlete_id=81000009,
        listening=listening,
        activities=activities,
    )
    return Scenario(users=[user])


@pytest.fixture
def live(monkeypatch, settings_env):
    with SandboxServer(scenario=runner_scenario()) as sandbox:
        point_settings_at(sandbox, monkeypatch)
        connect_user("runner")
        yield sandbox


def _playlists(user: str) -> dict[str, list[str]]:
    """Return {playlist description: item URIs} as Spotify holds them."""
    with SpotifyClient(user) as client:
        return {
            playlist.description: [
                (item.item or item.track).uri
                for item in client.playlist_items(playlist.id)
            ]
            for playlist in client.my_playlists()
        }


def _description(activity_id: int) -> str:
    with StravaClient("runner") as client:
        return client.activity(activity_id).description or ""


def test_sync_publishes_one_playlist_per_activity(live):
    reports = sync()
    assert reports[0].problems == []

    playlists = _playlists("runner")
    assert len(playlists) == 2
    by_marker = {
        m: uris
        for d, uris in playlists.items()
        for m in ("8100000001", "8100000002")
        if m in d
    }
    assert by_marker["8100000001"] == [_track(200 + i) for i in range(12)]
    assert by_marker["8100000002"] == [_track(100 + i) for i in range(16)]
    run = next(o for o in reports[0].published if o.activity_id == "8100000001")
    # Recently-played never lists local files, so the one played during the run
    # never reaches the database.
    assert run.left_out == []

    description = _description(8100000001)
    assert description.startswith(USER_TEXT)
    assert count_blocks(description) == 1
    assert run.playlist_url in description


def test_three_syncs_and_a_user_edit_keep_one_block(live):
    sync()
    sync()
    edited = _description(8100000001).replace(USER_TEXT, USER_TEXT + ". New shoes!")
    with StravaClient("runner") as client:
        client.update_description(8100000001, edited)
    sync()

    assert len(_playlists("runner")) == 2
    description = _description(8100000001)
    assert description.startswith(USER_TEXT + ". New shoes!")
    assert count_blocks(description) == 1
    assert description.count(MARKER) == 1
    with connect() as con:
        states = con.execute(
            "SELECT state, description_state FROM playlists ORDER BY 1"
        ).fetchall()
    assert states == [("complete", "verified"), ("complete", "verified")]
