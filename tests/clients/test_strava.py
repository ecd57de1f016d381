"""StravaClient and the OAuth flows against the sandbox."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from clients.errors import (
    ApplicationInactive,
    AuthorizationFailed,
    MissingScope,
    NotFound,
)
from clients.oauth import authorization_request, pkce_challenge
from clients.spotify import spotify_oauth
from clients.strava import StravaClient, StravaPushSubscriptions, strava_oauth
from sandbox.faults import FaultSettings
from storage.connections import load_connection, save_connection
from storage.db import connect as open_db
from tests.clients.conftest import START, connect


@pytest.fixture
def strava(sandbox, clock):
    connect("strava", "alice", clock)
    with StravaClient("alice", clock=clock) as client:
        yield client


def test_activities_paged_to_empty_page(strava, sandbox):
    activities = list(strava.activities(per_page=2))

    pages = [
        r for r in sandbox.state.requests("strava") if r.path.endswith("/activities")
    ]
    assert len(activities) == 5
    assert len(pages) == 4  # 2 + 2 + 1, then an empty page
    assert len({activity.id for activity in activities}) == 5


def test_activities_after_filter(strava):
    after = int(START.timestamp()) - 2 * 86400 - 60

    recent = list(strava.activities(after=after))

    assert len(recent) == 2


def test_activity_detail_times_and_zone(strava):
    summary = next(strava.activities())

    detail = strava.activity(summary.id)

    assert detail.start_date.utcoffset().total_seconds() == 0
    # start_date_local is the wall-clock time, 8 hours behind UTC here.
    assert detail.start_date_local.tzinfo is None
    assert detail.start_date == datetime(2026, 3, 8, 14, 5, tzinfo=UTC)
    assert detail.start_date_local == datetime(2026, 3, 8, 6, 5)
    assert detail.timezone_name == "America/Los_Angeles"
    assert detail.utc_offset == -28800.0
    assert detail.description == "Hill repeats, legs gone\r\nfelt good"


def test_unknown_activity_not_found(strava):
    with pytest.raises(NotFound, match="Strava has no /strava/api/v3/activities/1"):
        strava.activity(1)


def test_update_description_round_trip(strava):
    activity_id = next(strava.activities()).id

    strava.update_description(activity_id, "Tempo\r\n\r\nSoundtrack: link")

    assert strava.activity(activity_id).description == "Tempo\r\n\r\nSoundtrack: link"


def test_streams_keyed_by_type(strava):
    activity_id = next(strava.activities()).id

    streams = strava.streams(activity_id, ["time", "distance"])

    assert set(streams) >= {"time", "distance"}
    assert len(streams["time"].data) == len(streams["distance"].data)


def test_application_inactive(strava, sandbox):
    sandbox.faults.configure(FaultSettings(strava_app_inactive=True))

    with pytest.raises(ApplicationInactive, match="subscription has lapsed"):
        strava.athlete()


def test_missing_write_scope_before_sending(sandbox, clock):
    connect("strava", "bob", clock, scopes=("read", "activity:read_all"))
    client = StravaClient("bob", clock=clock)
    activity_id = next(client.activities()).id

    with pytest.raises(MissingScope, match="activity:write"):
        client.update_description(activity_id, "text")

    assert not [r for r in sandbox.state.requests("strava") if r.method == "PUT"]


def test_missing_scope_from_401_not_refreshed(sandbox, clock):
    connect("strava", "bob", clock, scopes=("read", "activity:read_all"))
    with open_db() as con:
        # The stored scopes claim activity:write, which the grant lacks.
        stored = load_connection(con, "bob", "strava")
        claimed = stored.scopes | {"activity:write"}
        save_connection(con, stored.model_copy(update={"scopes": claimed}), clock.now())
    client = StravaClient("bob", clock=clock)
    activity_id = next(client.activities()).id

    with pytest.raises(MissingScope):
        client.update_description(activity_id, "text")

    token_requests = [
        r for r in sandbox.state.requests() if r.path == "/strava/oauth/token"
    ]
    assert len(token_requests) == 1  # the connect only


def test_subscriptions_list_and_delete(sandbox):
    subscriptions = StravaPushSubscriptions()

    assert subscriptions.list() == []
    with pytest.raises(NotFound):
        subscriptions.delete(999)


def test_strava_grant_names_athlete_and_scopes(sandbox, clock):
    connection = connect("strava", "bob", clock)

    assert connection.account_id == str(sandbox.state.user("bob").strava_athlete_id)
    assert connection.scopes == {"read", "activity:read_all", "activity:write"}


def test_spotify_authorize_url_uses_pkce(sandbox, clock):
    request = authorization_request(spotify_oauth(clock=clock).app)

    query = parse_qs(urlsplit(request.url).query)
    assert query["redirect_uri"] == ["http://127.0.0.1:8765/callback"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"] == [pkce_challenge(request.code_verifier)]
    assert query["state"] == [request.state]
    assert "playlist-modify-private" in query["scope"][0].split(" ")


def test_strava_authorize_url_separates_scopes_with_commas(sandbox, clock):
    request = authorization_request(strava_oauth(clock=clock).app)

    query = parse_qs(urlsplit(request.url).query)
    assert query["scope"] == ["read,activity:read_all,activity:write"]
    assert request.code_verifier is None


def test_invalid_code_rejected(sandbox, clock):
    oauth = spotify_oauth(clock=clock)

    with pytest.raises(AuthorizationFailed, match="invalid_grant"):
        oauth.exchange_code("not-a-code")
