"""The hand-run sandbox: its sample scenario, start-up text and clock."""

import time
from datetime import UTC, datetime, timedelta

import httpx

from sandbox.clock import Clock
from sandbox.server import SandboxServer, _sample, _usage
from sandbox.world import World


def test_usage_names_users_and_settings():
    world = World(_sample())

    text = _usage(world, "http://127.0.0.1:8750")

    assert "Users: demo." in text
    assert "&sandbox_user=KEY" in text
    assert "export SOUNDTRACK_STRAVA_CLIENT_ID=424242" in text
    assert "export SOUNDTRACK_SPOTIFY_API_URL=http://127.0.0.1:8750/spotify/v1" in text


def test_sample_scenario_ends_today():
    scenario = _sample()

    runner = scenario.users[0]
    last_play = max(play.played_at for play in runner.listening)
    assert scenario.clock_start is None
    assert len(runner.activities) > 20
    assert datetime.now(UTC) - last_play < timedelta(days=7)


def test_clock_without_start_ticks():
    clock = Clock()
    first = clock.now()
    time.sleep(0.05)
    assert clock.now() > first

    clock.advance(3600)
    assert clock.now() - datetime.now(UTC) > timedelta(minutes=59)


def test_clock_with_start_stands_still():
    start = datetime(2026, 5, 3, 8, 0, tzinfo=UTC)
    clock = Clock(start)
    time.sleep(0.05)
    assert clock.now() == start

    clock.set(start + timedelta(minutes=5))
    assert clock.now() == start + timedelta(minutes=5)


def test_admin_schema_served():
    with SandboxServer() as server:
        response = httpx.get(server.url + "/_sandbox/openapi.json")
    assert response.status_code == 200
    assert "/_sandbox/clock" in response.json()["paths"]
