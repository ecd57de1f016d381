"""Token refresh: once across processes, kept refresh tokens, invalid_grant, 401s, logs."""

import logging
import multiprocessing
import os
from datetime import timedelta

import pytest

from clients.errors import ReconnectNeeded
from clients.spotify import SpotifyClient
from clients.strava import StravaClient
from sandbox.server import SandboxServer
from soundtrack.errors import SoundtrackError
from soundtrack.settings import get_settings
from storage.connections import load_connection, save_connection
from storage.db import connect as open_db
from tests.clients.conftest import SandboxClock, connect, point_settings_at, scenario


def _stored(user_id: str, service: str):
    with open_db() as con:
        return load_connection(con, user_id, service)


def _token_requests(sandbox, service: str) -> list:
    path = (
        "/spotify/accounts/api/token" if service == "spotify" else "/strava/oauth/token"
    )
    return [record for record in sandbox.state.requests() if record.path == path]


def test_expired_token_refreshed_first(sandbox, clock):
    connect("spotify", "alice", clock)
    old = _stored("alice", "spotify")
    clock.sleep(3600)

    SpotifyClient("alice", clock=clock).me()

    new = _stored("alice", "spotify")
    assert new.access_token != old.access_token
    assert new.expires_at == clock.now() + timedelta(seconds=3600)
    assert [r.status for r in sandbox.state.requests("spotify")][-2:] == [200, 200]


def test_refresh_without_new_token_keeps_old_then_invalid_grant(sandbox, clock):
    connect("spotify", "alice", clock)
    refresh_token = _stored("alice", "spotify").refresh_token.get_secret_value()
    client = SpotifyClient("alice", clock=clock)

    # Refresh 1: Spotify responds without a refresh_token.
    clock.sleep(3600)
    client.me()
    kept = _stored("alice", "spotify").refresh_token.get_secret_value()
    assert kept == refresh_token

    # Refresh 2: the refresh token is revoked, so Spotify returns invalid_grant.
    sandbox.state.refresh_tokens[refresh_token].revoked = True
    clock.sleep(3600)
    with pytest.raises(ReconnectNeeded, match="soundtrack connect spotify"):
        client.me()
    stored = _stored("alice", "spotify")
    assert stored.status == "reconnect_needed"
    assert "Refresh token revoked" in stored.status_reason

    # Nothing more goes to Spotify for alice until she connects again.
    requests_before = len(sandbox.state.requests())
    with pytest.raises(ReconnectNeeded):
        client.me()
    with pytest.raises(ReconnectNeeded):
        SpotifyClient("alice", clock=clock).recently_played().__next__()
    assert len(sandbox.state.requests()) == requests_before
    assert len(_token_requests(sandbox, "spotify")) == 3  # connect + 2 refreshes


def test_reconnect_clears_reconnect_needed(sandbox, clock):
    connect("spotify", "alice", clock)
    SpotifyClient("alice", clock=clock).tokens.reject("test")

    connect("spotify", "alice", clock)

    assert SpotifyClient("alice", clock=clock).me().id == "alice-spotify"


def test_401_refreshes_once_and_retries(sandbox, clock):
    connect("spotify", "alice", clock)
    old = _stored("alice", "spotify").access_token.get_secret_value()
    sandbox.state.access_tokens[old].revoked = True

    profile = SpotifyClient("alice", clock=clock).me()

    statuses = [(r.path, r.status) for r in sandbox.state.requests("spotify")][-3:]
    assert profile.id == "alice-spotify"
    assert statuses == [
        ("/spotify/v1/me", 401),
        ("/spotify/accounts/api/token", 200),
        ("/spotify/v1/me", 200),
    ]


def test_second_401_needs_reconnect(sandbox, clock):
    connect("spotify", "alice", clock)
    body = {"error": {"status": 401, "message": "Missing/invalid/expired access token"}}
    sandbox.faults.fail_next("/spotify/v1/me", 2, 401, body=body)

    with pytest.raises(ReconnectNeeded):
        SpotifyClient("alice", clock=clock).me()

    assert _stored("alice", "spotify").status == "reconnect_needed"
    assert len(_token_requests(sandbox, "spotify")) == 2  # connect + 1 refresh


def test_no_token_in_logs_or_database(sandbox, clock, caplog, db_path):
    caplog.set_level(logging.DEBUG)
    connect("spotify", "alice", clock)
    connect("strava", "alice", clock)
    clock.sleep(6 * 3600)

    SpotifyClient("alice", clock=clock).me()
    StravaClient("alice", clock=clock).athlete()

    tokens = [*sandbox.state.access_tokens, *sandbox.state.refresh_tokens]
    database = db_path.read_bytes()
    assert len(tokens) >= 6
    assert len(_token_requests(sandbox, "strava")) == 2
    for token in tokens:
        assert token not in caplog.text
        assert token.encode() not in database
    assert "refreshed spotify token of user alice" in caplog.text


def _refresh_in_process(env: dict, barrier, results) -> None:
    os.environ.update(env)
    get_settings.cache_clear()
    client = StravaClient("alice")
    barrier.wait(timeout=30)
    try:
        results.put(("ok", client.athlete().id))
    except SoundtrackError as error:  # reported to the parent, which asserts on it
        results.put(("error", repr(error)))


def test_two_processes_refresh_once(monkeypatch, settings_env):
    # This sandbox runs on the real clock, because the child processes do.
    with SandboxServer(scenario=scenario(clock_start=None)) as sandbox:
        point_settings_at(sandbox, monkeypatch)
        connect("strava", "alice", SandboxClock(sandbox))
        with open_db() as con:
            # Both processes find the access token expired and must refresh.
            stored = load_connection(con, "alice", "strava")
            expired = stored.expires_at - timedelta(days=1)
            save_connection(
                con, stored.model_copy(update={"expires_at": expired}), expired
            )
        env = {
            key: value
            for key, value in os.environ.items()
            if key.startswith("SOUNDTRACK_")
        }

        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(2)
        results = context.Queue()
        processes = [
            context.Process(target=_refresh_in_process, args=(env, barrier, results))
            for _ in range(2)
        ]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=120) for _ in processes]
        for process in processes:
            process.join(timeout=60)

        token_statuses = [r.status for r in _token_requests(sandbox, "strava")]
        athlete_id = sandbox.state.user("alice").strava_athlete_id
        assert outcomes == [("ok", athlete_id), ("ok", athlete_id)]
        # One response for the connect and one for the single refresh, so no invalid_grant.
        assert token_statuses == [200, 200]
        assert _stored("alice", "strava").status == "connected"
