"""Rate limits on the sandbox clock, injected faults and the admin API."""

import httpx
import pytest

from sandbox.faults import FaultSettings
from sandbox.ratelimit import SpotifyLimits, StravaLimits
from tests.sandbox.conftest import bearer


def test_spotify_rolling_window(sandbox, client):
    sandbox.spotify_limiter.limits = SpotifyLimits(window_s=30, per_window=3)
    headers = bearer(sandbox.grant("spotify", "alice"))
    url = f"{sandbox.spotify_api_url}/me"
    assert [client.get(url, headers=headers).status_code for _ in range(3)] == [200] * 3
    sandbox.clock.advance(10)
    limited = client.get(url, headers=headers)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "20"
    assert limited.json() == {
        "error": {"status": 429, "message": "API rate limit exceeded"}
    }
    sandbox.clock.advance(20)
    assert client.get(url, headers=headers).status_code == 200


def test_spotify_daily_quota_until_midnight(sandbox, client):
    sandbox.spotify_limiter.limits = SpotifyLimits(daily_quota=2)
    headers = bearer(sandbox.grant("spotify", "alice"))
    url = f"{sandbox.spotify_api_url}/me"
    client.get(url, headers=headers)
    client.get(url, headers=headers)
    limited = client.get(url, headers=headers)
    assert limited.status_code == 429
    # The clock is at 06:00 UTC, 18 hours before the quota resets.
    assert limited.headers["Retry-After"] == str(18 * 3600)
    assert limited.json()["error"]["reason"] == "QUOTA_EXCEEDED"
    assert not sandbox.state.requests("strava")


def test_spotify_empty_429(sandbox, client):
    sandbox.spotify_limiter.limits = SpotifyLimits(per_window=0, empty_body=True)
    headers = bearer(sandbox.grant("spotify", "alice"))
    response = client.get(f"{sandbox.spotify_api_url}/me", headers=headers)
    assert response.status_code == 429
    assert response.content == b""
    assert "Retry-After" not in response.headers


def test_strava_headers_and_windows(sandbox, client):
    sandbox.strava_limiter.limits = StravaLimits(read_15min=2)
    headers = bearer(sandbox.grant("strava", "alice"))
    url = f"{sandbox.strava_api_url}/athlete"
    first = client.get(url, headers=headers)
    assert first.headers["X-RateLimit-Limit"] == "200,2000"
    assert first.headers["X-RateLimit-Usage"] == "1,1"
    assert first.headers["X-ReadRateLimit-Limit"] == "2,1000"
    client.get(url, headers=headers)
    limited = client.get(url, headers=headers)
    assert limited.status_code == 429
    assert limited.json()["message"] == "Rate Limit Exceeded"
    assert limited.headers["X-ReadRateLimit-Usage"] == "3,3"
    # 06:00 + 15 min starts a new window; the daily count carries on.
    sandbox.clock.advance(15 * 60)
    fresh = client.get(url, headers=headers)
    assert fresh.status_code == 200
    assert fresh.headers["X-ReadRateLimit-Usage"] == "1,4"


def test_strava_writes_count_overall_only(sandbox, client):
    headers = bearer(sandbox.grant("strava", "alice"))
    url = f"{sandbox.strava_api_url}/activities/8100000001"
    response = client.put(url, data={"description": "x"}, headers=headers)
    assert response.headers["X-RateLimit-Usage"] == "1,1"
    assert response.headers["X-ReadRateLimit-Usage"] == "0,0"


def test_strava_app_inactive(sandbox, client):
    sandbox.faults.configure(FaultSettings(strava_app_inactive=True))
    headers = bearer(sandbox.grant("strava", "alice"))
    response = client.get(f"{sandbox.strava_api_url}/athlete", headers=headers)
    assert response.status_code == 403
    assert "Application Inactive" in response.json()["message"]


def test_fail_next_then_recover(sandbox, client):
    headers = bearer(sandbox.grant("spotify", "alice"))
    path = "/spotify/v1/me/player/recently-played"
    sandbox.faults.fail_next(
        path, count=2, status=503, headers={"Retry-After": "1"}, body={"x": 1}
    )
    url = sandbox.url + path
    first = client.get(url, headers=headers)
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "1"
    assert first.json() == {"x": 1}
    assert client.get(url, headers=headers).status_code == 503
    assert client.get(url, headers=headers).status_code == 200


def test_dropped_connection(sandbox, client):
    sandbox.faults.fail_next("/spotify/v1/me", drop=True)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(f"{sandbox.spotify_api_url}/me")
    assert sandbox.state.requests("spotify")[-1].status is None


def test_random_faults_are_seeded(sandbox, client):
    def statuses() -> list[int]:
        sandbox.faults.configure(FaultSettings(seed=7, error_rate=0.5))
        return [
            client.get(f"{sandbox.spotify_api_url}/me").status_code for _ in range(12)
        ]

    first = statuses()
    assert set(first) - {401} <= {500, 502, 503}
    assert len(set(first)) > 1
    assert statuses() == first


def test_request_log_records_user_and_status(sandbox, client):
    headers = bearer(sandbox.grant("spotify", "bob"))
    client.get(f"{sandbox.spotify_api_url}/me", headers=headers)
    client.get(f"{sandbox.spotify_api_url}/me")
    records = sandbox.state.requests("spotify")
    assert [(r.user, r.status) for r in records] == [("bob", 200), (None, 401)]
    assert records[0].time == sandbox.clock.now()


def test_admin_api_drives_the_world(sandbox, client):
    admin = f"{sandbox.url}/_sandbox"
    moved = client.post(f"{admin}/clock", json={"advance_s": 5400}).json()
    assert moved["now"] == "2025-05-04T07:30:00Z"
    tokens = client.post(f"{admin}/grant", json={"service": "strava", "user": "alice"})
    headers = bearer(tokens.json())
    client.patch(
        f"{admin}/users/alice/activities/8100000003", json={"description": "Edited"}
    )
    detail = client.get(
        f"{sandbox.strava_api_url}/activities/8100000003", headers=headers
    )
    assert detail.json()["description"] == "Edited"
    added = client.post(
        f"{admin}/users/bob/plays",
        json=[
            {
                "uri": "spotify:track:" + "B" * 22,
                "name": "New",
                "artists": ["X"],
                "duration_ms": 1000,
                "played_at": "2025-05-04T07:00:00Z",
            }
        ],
    )
    assert added.json() == {"added": 1}
    client.post(f"{admin}/faults/fail-next", json={"path": "/strava/*", "status": 502})
    assert (
        client.get(f"{sandbox.strava_api_url}/athlete", headers=headers).status_code
        == 502
    )
    log = client.get(f"{admin}/requests", params={"service": "strava"}).json()
    assert [entry["status"] for entry in log] == [200, 502]
    missing = client.post(f"{admin}/users/nobody/plays", json=[])
    assert missing.status_code == 404
