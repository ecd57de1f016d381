"""Rate limits and retries against the sandbox: Retry-After, quotas, windows, 5xx."""

from datetime import timedelta

import pytest

from clients.errors import QuotaExhausted, RateLimited, ServiceUnavailable
from clients.spotify import SpotifyClient
from clients.strava import StravaClient
from sandbox.ratelimit import StravaLimits
from soundtrack.settings import get_settings
from storage.connections import active_cooldown
from storage.db import connect as open_db
from tests.clients.conftest import START, connect

RECENTLY_PLAYED = "/spotify/v1/me/player/recently-played"
LIMITED = {"error": {"status": 429, "message": "API rate limit exceeded"}}


@pytest.fixture
def users(sandbox, clock):
    for user in ("alice", "bob"):
        connect("spotify", user, clock)
        connect("strava", user, clock)


def _cooldown(service: str, clock):
    with open_db() as con:
        return active_cooldown(con, service, clock.now())


def test_long_retry_after_stops_every_user(sandbox, clock, users):
    sandbox.faults.fail_next(
        RECENTLY_PLAYED, 1, 429, headers={"Retry-After": "3600"}, body=LIMITED
    )

    with pytest.raises(RateLimited, match="Spotify rate-limited until 15:05 UTC"):
        list(SpotifyClient("alice", clock=clock).recently_played())

    cooldown = _cooldown("spotify", clock)
    assert cooldown.scope == "app"
    assert cooldown.until == START + timedelta(hours=1)
    assert clock.sleeps == []
    sent = len(sandbox.state.requests("spotify"))
    for user in ("alice", "bob"):
        with pytest.raises(RateLimited):
            SpotifyClient(user, clock=clock).me()
    assert len(sandbox.state.requests("spotify")) == sent

    clock.sleep(3600)
    assert SpotifyClient("bob", clock=clock).me().id == "bob-spotify"


def test_quota_exceeded_stops_for_the_day(sandbox, clock, users):
    body = {"error": {**LIMITED["error"], "reason": "QUOTA_EXCEEDED"}}
    sandbox.faults.fail_next(
        RECENTLY_PLAYED, 1, 429, headers={"Retry-After": "50000"}, body=body
    )

    # 14:05 plus 50 000 s is 03:58:20 the next day.
    with pytest.raises(QuotaExhausted, match="Spotify rate-limited until 03:58 UTC"):
        list(SpotifyClient("alice", clock=clock).recently_played())

    cooldown = _cooldown("spotify", clock)
    assert cooldown.scope == "daily_quota"
    assert cooldown.until == START + timedelta(seconds=50_000)
    sent = len(sandbox.state.requests("spotify"))
    with pytest.raises(QuotaExhausted):
        SpotifyClient("bob", clock=clock).me()
    assert len(sandbox.state.requests("spotify")) == sent


def test_short_retry_after_honoured_across_users(sandbox, clock, users):
    sandbox.faults.fail_next(
        "/spotify/v1/me", 1, 429, headers={"Retry-After": "20"}, body=LIMITED
    )
    with pytest.raises(RateLimited):
        SpotifyClient("alice", clock=clock, max_wait_s=0).me()

    profile = SpotifyClient("bob", clock=clock).me()

    last = sandbox.state.requests("spotify")[-1]
    assert profile.id == "bob-spotify"
    assert clock.sleeps == [20.0]
    assert last.time >= START + timedelta(seconds=20)


def test_short_retry_after_waited_then_retried(sandbox, clock, users):
    sandbox.faults.fail_next(
        "/spotify/v1/me", 1, 429, headers={"Retry-After": "3"}, body=LIMITED
    )

    profile = SpotifyClient("alice", clock=clock).me()

    statuses = [r.status for r in sandbox.state.requests("spotify")][-2:]
    assert profile.id == "alice-spotify"
    assert statuses == [429, 200]
    assert clock.sleeps == [3.0]


def test_empty_429_uses_default_backoff(sandbox, clock, users):
    sandbox.faults.fail_next("/spotify/v1/me", 1, 429)

    SpotifyClient("alice", clock=clock).me()

    assert clock.sleeps == [5.0]


def test_server_errors_retried(sandbox, clock, users):
    sandbox.faults.fail_next("/spotify/v1/me", 2, 503)

    profile = SpotifyClient("alice", clock=clock).me()

    statuses = [r.status for r in sandbox.state.requests("spotify")][-3:]
    assert profile.id == "alice-spotify"
    assert statuses == [503, 503, 200]
    assert len(clock.sleeps) == 2
    assert all(0 <= wait <= 8 for wait in clock.sleeps)


def test_server_errors_give_up(sandbox, clock, users):
    sandbox.faults.fail_next("/spotify/v1/me", 4, 500)

    with pytest.raises(ServiceUnavailable, match="failed on all 4 attempts"):
        SpotifyClient("alice", clock=clock).me()


def test_dropped_get_retried(sandbox, clock, users):
    sandbox.faults.fail_next("/strava/api/v3/athlete", 1, drop=True)

    athlete = StravaClient("alice", clock=clock).athlete()

    assert athlete.id == sandbox.state.user("alice").strava_athlete_id
    assert len(clock.sleeps) == 1


def test_dropped_post_not_repeated(sandbox, clock, users):
    sandbox.faults.fail_next("/spotify/v1/me/playlists", 1, method="POST", drop=True)

    with pytest.raises(ServiceUnavailable, match="may or may not have taken effect"):
        SpotifyClient("alice", clock=clock).create_playlist("Run", "", public=False)

    posts = [
        r
        for r in sandbox.state.requests("spotify")
        if r.method == "POST" and r.path.endswith("/me/playlists")
    ]
    assert len(posts) == 1


def test_strava_waits_for_next_window(sandbox, clock, users):
    sandbox.strava_limiter.limits = StravaLimits(read_15min=2)
    client = StravaClient("alice", clock=clock)
    client.athlete()
    client.athlete()  # usage reaches the read limit: 2 of 2

    StravaClient("bob", clock=clock).athlete()

    # 14:05 to the window reset at 14:15.
    assert clock.sleeps == [600.0]
    assert sandbox.state.requests("strava")[-1].status == 200
    assert sandbox.state.requests("strava")[-1].time == START + timedelta(minutes=10)


def test_strava_long_wait_raises(sandbox, clock, users):
    sandbox.strava_limiter.limits = StravaLimits(read_15min=1)
    StravaClient("alice", clock=clock).athlete()
    sent = len(sandbox.state.requests("strava"))

    with pytest.raises(RateLimited, match="Strava rate-limited until 14:15 UTC"):
        StravaClient("bob", clock=clock, max_wait_s=60).athlete()

    assert len(sandbox.state.requests("strava")) == sent
    assert _cooldown("strava", clock).scope == "read_window"


def test_strava_read_limit_spares_writes(sandbox, clock, users):
    sandbox.strava_limiter.limits = StravaLimits(read_15min=1)
    client = StravaClient("alice", clock=clock, max_wait_s=60)
    activity_id = next(client.activities()).id

    updated = client.update_description(activity_id, "Easy run")

    assert updated.description == "Easy run"
    assert clock.sleeps == []


def test_strava_429_waits_for_window(sandbox, clock, users):
    headers = {"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "201,900"}
    sandbox.faults.fail_next("/strava/api/v3/athlete", 1, 429, headers=headers)

    StravaClient("alice", clock=clock).athlete()

    assert clock.sleeps == [600.0]


def test_strava_daily_limit_raises(sandbox, clock, users):
    headers = {"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "20,2001"}
    sandbox.faults.fail_next("/strava/api/v3/athlete", 1, 429, headers=headers)

    with pytest.raises(QuotaExhausted, match="Strava rate-limited until 00:00 UTC"):
        StravaClient("alice", clock=clock).athlete()

    assert _cooldown("strava", clock).scope == "daily_quota"


def test_strava_waits_one_window_at_most(sandbox, clock, users):
    # Another app spends the next window too: the request ends instead of waiting
    # for a second window.
    headers = {"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "201,900"}
    sandbox.faults.fail_next("/strava/api/v3/athlete", 2, 429, headers=headers)

    with pytest.raises(RateLimited, match="Strava rate-limited until 14:30 UTC"):
        StravaClient("alice", clock=clock).athlete()

    assert clock.sleeps == [600.0]
    assert [r.status for r in sandbox.state.requests("strava")][-2:] == [429, 429]


def test_strava_max_wait_setting_zero(sandbox, clock, users, monkeypatch):
    monkeypatch.setenv("SOUNDTRACK_STRAVA_MAX_WAIT_S", "0")
    get_settings.cache_clear()
    headers = {"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "201,900"}
    sandbox.faults.fail_next("/strava/api/v3/athlete", 1, 429, headers=headers)

    with pytest.raises(RateLimited, match="Strava rate-limited until 14:15 UTC"):
        StravaClient("alice", clock=clock).athlete()

    assert clock.sleeps == []
