"""Sandbox bodies checked against the Spotify OpenAPI spec and real Strava payloads."""

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.sandbox.conftest import bearer, track_uri

# Real Spotify returns null here although the 2026.5.31 spec does not mark these
# fields nullable: a play's context, and next and cursors on the page after the last.
NULL_IN_PRACTICE = {
    "CursorPagingObject": ("next", "cursors"),
    "PlayHistoryObject": ("context",),
}


def _nullable_to_jsonschema(node):
    """Rewrite OpenAPI 3.0 `nullable: true` into JSON Schema's null type, in place."""
    if isinstance(node, list):
        for child in node:
            _nullable_to_jsonschema(child)
        return
    if not isinstance(node, dict):
        return
    for child in node.values():
        _nullable_to_jsonschema(child)
    if node.pop("nullable", False):
        original = dict(node)
        node.clear()
        node["anyOf"] = [{"type": "null"}, original]


@pytest.fixture(scope="module")
def spotify_spec(real_dir: Path) -> dict:
    path = real_dir / "specs" / "spotify_fixed-spotify-open-api.yml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    for name, fields in NULL_IN_PRACTICE.items():
        for field in fields:
            schemas[name]["properties"][field]["nullable"] = True
    _nullable_to_jsonschema(spec)
    return spec


def _response_schema(spec: dict, path: str, method: str, status: str) -> dict:
    response = spec["paths"][path][method]["responses"][status]
    ref = response.get("$ref")
    if ref:
        response = spec["components"]["responses"][ref.rsplit("/", 1)[-1]]
    return response["content"]["application/json"]["schema"]


def validate_spotify(spec: dict, body, path: str, method: str, status: str) -> None:
    """Validate `body` against the response schema the spec gives this operation."""
    schema = copy.deepcopy(_response_schema(spec, path, method, status))
    root = {"allOf": [schema], "components": spec["components"]}
    jsonschema.Draft7Validator(root).validate(body)


@pytest.fixture
def spotify_bodies(sandbox, client) -> dict:
    """Call every Spotify endpoint the clients use and keep each response."""
    sandbox.clock.advance(3 * 3600)
    headers = bearer(sandbox.grant("spotify", "alice"))
    api = sandbox.spotify_api_url
    recent_url = f"{api}/me/player/recently-played"
    full = client.get(recent_url, params={"limit": 50}, headers=headers)
    created = client.post(
        f"{api}/me/playlists", json={"name": "Run", "public": False}, headers=headers
    )
    playlist_id = created.json()["id"]
    added = client.post(
        f"{api}/playlists/{playlist_id}/items",
        json={"uris": [track_uri(1), track_uri(5)]},
        headers=headers,
    )
    client.put(
        f"{api}/playlists/{playlist_id}/images",
        content=b"/9j/4AAQ",
        headers={**headers, "Content-Type": "image/jpeg"},
    )
    return {
        ("/me", "get", "200"): client.get(f"{api}/me", headers=headers),
        ("/me/player/recently-played", "get", "200"): full,
        ("/me/player/recently-played", "get", "200 empty"): client.get(
            full.json()["next"], headers=headers
        ),
        ("/me/playlists", "post", "201"): created,
        ("/me/playlists", "get", "200"): client.get(
            f"{api}/me/playlists", headers=headers
        ),
        ("/playlists/{playlist_id}", "get", "200"): client.get(
            f"{api}/playlists/{playlist_id}", headers=headers
        ),
        ("/playlists/{playlist_id}/items", "get", "200"): client.get(
            f"{api}/playlists/{playlist_id}/items", headers=headers
        ),
        ("/playlists/{playlist_id}/items", "post", "201"): added,
        ("/me", "get", "401"): client.get(f"{api}/me"),
        ("/playlists/{playlist_id}/tracks", "post", "403"): client.post(
            f"{api}/playlists/{playlist_id}/tracks", headers=headers
        ),
    }


def test_spotify_bodies_match_spec(spotify_spec, spotify_bodies):
    for (path, method, status), response in spotify_bodies.items():
        code = status.split()[0]
        assert response.status_code == int(code), (path, method, status)
        validate_spotify(spotify_spec, response.json(), path, method, code)


def test_spotify_bodies_omit_deprecated_fields(spotify_bodies):
    playlist = spotify_bodies[("/playlists/{playlist_id}", "get", "200")].json()
    assert "tracks" not in playlist
    item = playlist["items"]["items"][0]
    assert "track" not in item
    assert "popularity" not in item["item"]
    me = spotify_bodies[("/me", "get", "200")].json()
    assert "email" not in me


def test_spotify_429_matches_spec(spotify_spec, sandbox, client):
    from sandbox.ratelimit import SpotifyLimits

    sandbox.spotify_limiter.limits = SpotifyLimits(per_window=0)
    headers = bearer(sandbox.grant("spotify", "alice"))
    response = client.get(f"{sandbox.spotify_api_url}/me", headers=headers)
    validate_spotify(spotify_spec, response.json(), "/me", "get", "429")


def test_spotify_schema_check_can_fail(spotify_spec, spotify_bodies):
    body = spotify_bodies[("/me/player/recently-played", "get", "200")].json()
    body["items"][0]["played_at"] = 1234
    with pytest.raises(jsonschema.ValidationError):
        validate_spotify(spotify_spec, body, "/me/player/recently-played", "get", "200")


def _load(real_dir: Path, folder: str, name: str):
    return json.loads((real_dir / folder / name).read_text(encoding="utf-8"))


def test_spotify_token_bodies_match_real(real_dir, sandbox, client):
    import base64

    tokens = sandbox.grant("spotify", "alice")
    real = _load(real_dir, "spotify_api", "token_authorization_code_response.json")
    assert set(tokens) == set(real)
    app = sandbox.spotify_app
    basic = base64.b64encode(f"{app.client_id}:{app.client_secret}".encode()).decode()
    refreshed = client.post(
        f"{sandbox.spotify_accounts_url}/api/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers={"Authorization": f"Basic {basic}"},
    ).json()
    real_refresh = _load(real_dir, "spotify_api", "token_refresh_response.json")
    assert set(refreshed) == set(real_refresh)
    assert _types(refreshed) == _types(real_refresh)


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def _types(body: dict) -> dict[str, str]:
    return {key: _json_type(value) for key, value in body.items()}


def assert_like_real(
    ours: dict, samples: list[dict], exact: bool = True, optional=frozenset()
) -> None:
    """Check keys against real samples and value types where both are non-null."""
    always = set.intersection(*(set(sample) for sample in samples)) - optional
    ever = set.union(*(set(sample) for sample in samples))
    missing = always - set(ours)
    assert not missing, f"keys every real sample has are missing: {sorted(missing)}"
    if exact:
        extra = set(ours) - ever
        assert not extra, f"keys no real sample has: {sorted(extra)}"
    for key, value in ours.items():
        real_types = {_json_type(s[key]) for s in samples if key in s} - {"null"}
        if value is None or not real_types:
            continue
        assert _json_type(value) in real_types, (key, value, real_types)


@pytest.fixture
def strava_bodies(sandbox, client, receiver) -> dict:
    """Call every Strava endpoint the clients use and keep each response body."""
    tokens = sandbox.grant("strava", "alice")
    headers = bearer(tokens)
    api = sandbox.strava_api_url
    app = sandbox.strava_app
    credentials = {"client_id": app.client_id, "client_secret": app.client_secret}
    client.post(
        f"{api}/push_subscriptions",
        data={**credentials, "callback_url": receiver.url, "verify_token": "t"},
    )
    sandbox.clock.advance(5400)
    sandbox.webhooks.wait_idle()
    refreshed = client.post(
        f"{sandbox.strava_oauth_url}/token",
        data={
            **credentials,
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
        },
    )
    return {
        "exchange": tokens,
        "refresh": refreshed.json(),
        "athlete": client.get(f"{api}/athlete", headers=headers).json(),
        "activities": client.get(f"{api}/athlete/activities", headers=headers).json(),
        "detail": client.get(f"{api}/activities/8100000003", headers=headers).json(),
        "streams": client.get(
            f"{api}/activities/8100000003/streams",
            params={"key_by_type": "true"},
            headers=headers,
        ).json(),
        "subscriptions": client.get(
            f"{api}/push_subscriptions", params=credentials
        ).json(),
        "event": receiver.events[0],
        "unauthorized": client.get(f"{api}/athlete").json(),
    }


def test_strava_bodies_match_real_payloads(real_dir, strava_bodies):
    summaries = [
        *_load(real_dir, "strava_api", "athlete_activities_page1_per_page30.json"),
        *_load(real_dir, "strava_api", "athlete_activities_after_before_2018.json"),
    ]
    for summary in strava_bodies["activities"]:
        assert_like_real(summary, summaries)
        assert_like_real(summary["map"], [s["map"] for s in summaries])
    detail = _load(real_dir, "strava_api", "activity_detail_run_2018.json")
    # Strava sends `gear` only with a gear_id and `similar_activities` only when
    # the athlete has run the same route before.
    conditional = frozenset({"gear", "similar_activities"})
    assert_like_real(strava_bodies["detail"], [detail], False, conditional)
    assert "description" in strava_bodies["detail"]
    exchange = _load(real_dir, "strava_api", "oauth_token_exchange_response.json")
    assert_like_real(strava_bodies["exchange"], [exchange])
    assert_like_real(strava_bodies["exchange"]["athlete"], [exchange["athlete"]])
    refresh = _load(real_dir, "strava_api", "oauth_token_refresh_response.json")
    assert_like_real(strava_bodies["refresh"], [refresh])
    athlete = _load(real_dir, "strava_api", "athlete_detail.json")
    assert_like_real(strava_bodies["athlete"], [athlete], exact=False)
    subscriptions = _load(real_dir, "strava_api", "push_subscriptions_list.json")
    assert_like_real(strava_bodies["subscriptions"][0], subscriptions)
    fault = _load(real_dir, "strava_api", "error_401_authorization_error.json")
    assert strava_bodies["unauthorized"] == fault


def test_strava_streams_match_real(real_dir, strava_bodies):
    real = _load(
        real_dir, "strava_api", "activity_streams_key_by_type_default_keys.json"
    )
    ours = strava_bodies["streams"]
    assert set(ours) == set(real)
    assert_like_real(ours["distance"], [real["distance"]])


def test_strava_event_matches_real(real_dir, strava_bodies):
    names = [
        "webhook_event_activity_create.json",
        "webhook_event_activity_delete.json",
        "webhook_event_activity_update_title.json",
    ]
    samples = [_load(real_dir, "strava_api", name) for name in names]
    assert_like_real(strava_bodies["event"], samples)
    assert list(strava_bodies["event"]) == list(samples[0])


def test_strava_paths_exist_in_swagger(real_dir):
    # The swagger's models are external references, so only paths and query
    # parameters can be checked against it.
    swagger = _load(real_dir, "specs", "strava_swagger.json")
    expected = {
        ("/athlete", "get"): set(),
        ("/athlete/activities", "get"): {"before", "after"},
        ("/activities/{id}", "get"): set(),
        ("/activities/{id}", "put"): set(),
        ("/activities/{id}/streams", "get"): {"keys", "key_by_type"},
    }
    for (path, method), params in expected.items():
        operation = swagger["paths"][path][method]
        names = {p.get("name") for p in operation.get("parameters", [])}
        assert params <= names, (path, method)
