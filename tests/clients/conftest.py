"""A real sandbox server on 127.0.0.1, settings pointed at it, and connected users."""

import dataclasses
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from clients.oauth import OAuthClient, authorization_request
from clients.spotify import spotify_oauth
from clients.strava import strava_oauth
from clients.tokens import save_grant
from sandbox.scenario import Activity, Play, Scenario, User
from sandbox.server import SandboxServer
from soundtrack.settings import get_settings

START = datetime(2026, 3, 9, 14, 5, 0, tzinfo=UTC)
TRACK_IDS = [f"{index:022d}".replace("0", "A", 1) for index in range(60)]


class SandboxClock:
    """The clients' clock: the sandbox's time, where sleeping advances the sandbox."""

    def __init__(self, sandbox: SandboxServer):
        self.sandbox = sandbox
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.sandbox.clock.now()

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.sandbox.clock.advance(seconds)


def _plays(count: int) -> list[Play]:
    """Return `count` plays of 200 s, the last ending 10 minutes before START."""
    plays = []
    for index in range(count):
        ended = START - timedelta(minutes=10) - timedelta(seconds=200 * index)
        plays.append(
            Play(
                uri=f"spotify:track:{TRACK_IDS[index]}",
                name=f"Track {index}",
                artists=["Harbour Lights"],
                duration_ms=200_000,
                played_at=ended,
            )
        )
    return plays


def _activities(athlete: int) -> list[Activity]:
    return [
        Activity(
            id=athlete * 10 + index,
            name=f"Run {index}",
            start_date=START - timedelta(days=index + 1),
            timezone="(GMT-08:00) America/Los_Angeles",
            utc_offset=-28800,
            elapsed_time=2700,
            moving_time=2600,
            distance=8000.0,
            description="Hill repeats, legs gone\r\nfelt good" if index == 0 else None,
        )
        for index in range(5)
    ]


def scenario(clock_start: datetime | None = START) -> Scenario:
    """Return two users, alice and bob, each with 50 plays and 5 activities."""
    users = [
        User(
            key=key,
            spotify_display_name=key.title(),
            spotify_user_id=f"{key}-spotify",
            strava_athlete_id=athlete,
            listening=_plays(50),
            activities=_activities(athlete),
        )
        for key, athlete in (("alice", 81000001), ("bob", 81000002))
    ]
    return Scenario(users=users, clock_start=clock_start)


def point_settings_at(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the environment so that settings aim every URL and app at the sandbox."""
    values = sandbox.soundtrack_env()
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@pytest.fixture
def sandbox(monkeypatch, settings_env):
    """A sandbox whose clock starts at START, with settings aimed at it."""
    with SandboxServer(scenario=scenario()) as server:
        point_settings_at(server, monkeypatch)
        yield server


@pytest.fixture
def clock(sandbox) -> SandboxClock:
    return SandboxClock(sandbox)


def run_authorization(
    oauth: OAuthClient, user_key: str, scopes: tuple[str, ...] | None = None
):
    """Run the authorization-code flow against the sandbox; return the TokenGrant."""
    if scopes is not None:
        oauth = OAuthClient(dataclasses.replace(oauth.app, scopes=scopes), oauth.http)
    request = authorization_request(oauth.app)
    response = httpx.get(f"{request.url}&sandbox_user={user_key}")
    assert response.status_code == 302, response.text
    callback = parse_qs(urlsplit(response.headers["location"]).query)
    assert callback["state"] == [request.state]
    granted = callback.get("scope", [None])[0]
    return oauth.exchange_code(
        callback["code"][0], code_verifier=request.code_verifier, granted_scope=granted
    )


def connect(
    service: str,
    user_key: str,
    clock: SandboxClock,
    scopes: tuple[str, ...] | None = None,
):
    """Connect the sandbox user `user_key` as Soundtrack user `user_key`."""
    build = spotify_oauth if service == "spotify" else strava_oauth
    oauth = build(clock=clock)
    try:
        grant = run_authorization(oauth, user_key, scopes)
    finally:
        oauth.http.close()
    return save_grant(user_key, service, grant, clock.now())
