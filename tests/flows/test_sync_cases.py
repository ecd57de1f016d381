"""Sync-level cases: the 50-play window (C08) and a long Spotify rate limit (C13)."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from flows.sync import sync
from sandbox.scenario import Activity, Play, Scenario, User
from sandbox.server import SandboxServer
from storage.connections import set_connection_status
from storage.db import connect
from storage.sync import activity_coverage
from tests.flows.live import connect_user, point_settings_at

BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
RUN_ID = 8300000001


def _plays(start: datetime, count: int, first: int) -> list[Play]:
    return [
        Play(
            uri=f"spotify:track:{first + i:022d}".replace(":0", ":W", 1),
            name=f"Song {first + i}",
            artists=["Band"],
            duration_ms=180_000,
            played_at=start + timedelta(seconds=180 * (i + 1)),
        )
        for i in range(count)
    ]


def _user(key: str, athlete: int) -> User:
    # Ten plays during the run, then 120 more before the run reaches Strava.
    listening = _plays(BASE, 10, 0) + _plays(BASE + timedelta(minutes=35), 120, 100)
    run = Activity(
        id=RUN_ID + athlete % 10,
        name="Lunch run",
        start_date=BASE,
        elapsed_time=1800,
        uploaded_at=BASE + timedelta(hours=7),
    )
    return User(
        key=key,
        spotify_display_name=key,
        spotify_user_id=f"{key}-sp",
        strava_athlete_id=athlete,
        listening=listening,
        activities=[run],
    )


@pytest.fixture
def sandbox(monkeypatch, settings_env):
    scenario = Scenario(
        users=[_user("ana", 81000021), _user("ben", 81000022)],
        clock_start=BASE + timedelta(minutes=31),
    )
    with SandboxServer(scenario=scenario) as server:
        point_settings_at(server, monkeypatch)
        connect_user("ana")
        connect_user("ben")
        yield server


def _playlist_count() -> int:
    with connect() as con:
        return con.execute(
            "SELECT count(*) FROM playlists WHERE state = 'complete'"
        ).fetchall()[0][0]


def test_poller_running_keeps_the_run_music(sandbox):
    # Case C08 (a): a sync while the plays happened stored them before they rolled out.
    sync("ana")
    sandbox.clock.set(BASE + timedelta(hours=7, minutes=5))
    report = sync("ana")[0]
    assert report.problems == []
    assert [o.tracks for o in report.published] == [10]


def test_poller_stopped_makes_no_empty_playlist(sandbox):
    # Case C08 (b): only the last 50 plays are left when the activity arrives.
    sandbox.clock.set(BASE + timedelta(hours=7, minutes=5))
    report = sync("ana")[0]
    assert report.published == []
    assert report.spotify.items == 50
    assert _playlist_count() == 0
    with connect() as con:
        coverage = activity_coverage(con, "ana")
    assert list(coverage["coverage"]) == ["not covered"]


@pytest.mark.parametrize(
    ("retry_after", "body"),
    [
        ("3600", {"error": {"status": 429, "message": "API rate limit exceeded"}}),
        (
            "50000",
            {
                "error": {
                    "status": 429,
                    "message": "API rate limit exceeded",
                    "reason": "QUOTA_EXCEEDED",
                }
            },
        ),
    ],
)
def test_long_retry_after_stops_spotify_for_everyone(sandbox, retry_after, body):
    # Case C13: the run ends with a message, the cooldown is stored, and no request
    # reaches Spotify for any user while it lasts.
    sandbox.faults.fail_next(
        "/spotify/v1/me/player/recently-played",
        1,
        429,
        headers={"Retry-After": retry_after},
        body=body,
    )
    before = len(sandbox.state.requests("spotify"))
    reports = sync()

    assert [r.user_id for r in reports] == ["ana", "ben"]
    for report in reports:
        assert any("Spotify rate-limited until" in p for p in report.problems), (
            report.problems
        )
    spotify_calls = sandbox.state.requests("spotify")[before:]
    assert len(spotify_calls) == 1
    assert spotify_calls[0].status == 429
    with connect() as con:
        cooldowns = con.execute(
            "SELECT service FROM app_cooldowns WHERE until > now()"
        ).fetchall()
    assert cooldowns == [("spotify",)]
    # Strava was still read for both users.
    assert all(r.strava is not None for r in reports)


def test_revoked_grant_reported_on_every_sync(sandbox):
    # A rejected grant stops token requests, so later runs must still report why.
    with connect() as con:
        set_connection_status(
            con, "ana", "spotify", "reconnect_needed", "invalid_grant", BASE
        )
    before = len(sandbox.state.requests("spotify"))

    first, second = sync("ana")[0], sync("ana")[0]

    for report in (first, second):
        assert report.spotify is None
        assert report.strava is not None
        assert len(report.problems) == 1
        assert "soundtrack connect spotify --user ana" in report.problems[0]
    assert len(sandbox.state.requests("spotify")) == before


def test_cli_sync_rate_limited_without_traceback(sandbox):
    # The command line prints the problem in its summary and exits 1, without
    # Prefect's record of the task's exception and its traceback.
    sandbox.faults.fail_next(
        "/spotify/v1/me/player/recently-played",
        1,
        429,
        headers={"Retry-After": "3600"},
        body={"error": {"status": 429, "message": "API rate limit exceeded"}},
    )
    result = subprocess.run(
        [sys.executable, "-m", "soundtrack.cli", "sync", "--user", "ana"],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Spotify rate-limited until" in result.stderr
    assert "Traceback" not in output
    assert "Task run failed with exception" not in output
