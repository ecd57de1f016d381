"""Spotify Web API subset: recently-played paging, playlists and their rules."""

import base64
from datetime import timedelta

import pytest

from tests.sandbox.conftest import RUN_START, bearer, track_uri


@pytest.fixture
def alice(sandbox) -> dict:
    return bearer(sandbox.grant("spotify", "alice"))


def test_recently_played_shows_only_finished_plays(sandbox, client, alice):
    url = f"{sandbox.spotify_api_url}/me/player/recently-played"
    body = client.get(url, params={"limit": 50}, headers=alice).json()
    # Plays end every 200 s from 05:00; at 06:00 the first 19 have ended.
    assert len(body["items"]) == 19
    assert body["items"][0]["played_at"] == "2025-05-04T06:00:00.000Z"
    assert body["items"][0]["track"]["uri"] == track_uri(18)
    assert body["next"] is None
    assert body["cursors"]["after"] == str(
        int((RUN_START - timedelta(hours=1)).timestamp() * 1000)
    )


def test_recently_played_pages_then_empty_page(sandbox, client):
    sandbox.clock.advance(6 * 3600)
    alice = bearer(sandbox.grant("spotify", "alice"))
    url = f"{sandbox.spotify_api_url}/me/player/recently-played"
    first = client.get(url, params={"limit": 50}, headers=alice).json()
    assert len(first["items"]) == 50
    assert first["next"].endswith(f"before={first['cursors']['before']}&limit=50")
    # Only the last 50 plays are kept, so the page after a full one is empty.
    second = client.get(first["next"], headers=alice).json()
    assert second["items"] == []
    assert second["next"] is None
    assert second["cursors"] is None


def test_recently_played_excludes_local_files(sandbox, client):
    sandbox.clock.advance(6 * 3600)
    alice = bearer(sandbox.grant("spotify", "alice"))
    url = f"{sandbox.spotify_api_url}/me/player/recently-played"
    items = client.get(url, params={"limit": 50}, headers=alice).json()["items"]
    uris = [item["track"]["uri"] for item in items]
    assert not any(uri.startswith("spotify:local:") for uri in uris)
    assert uris[0] == track_uri(59)
    assert uris[-1] == track_uri(10)


def test_recently_played_before_and_after(sandbox, client, alice):
    url = f"{sandbox.spotify_api_url}/me/player/recently-played"
    page = client.get(url, params={"limit": 5}, headers=alice).json()
    before = client.get(page["next"], headers=alice).json()
    assert [i["track"]["uri"] for i in before["items"]] == [
        track_uri(n) for n in (13, 12, 11, 10, 9)
    ]
    sandbox.clock.advance(600)
    after = client.get(
        url, params={"after": page["cursors"]["after"], "limit": 2}, headers=alice
    ).json()
    assert [i["track"]["uri"] for i in after["items"]] == [track_uri(20), track_uri(19)]
    both = client.get(url, params={"after": 1, "before": 2}, headers=alice)
    assert both.status_code == 400


def test_recently_played_limit_bounds(sandbox, client, alice):
    url = f"{sandbox.spotify_api_url}/me/player/recently-played"
    assert client.get(url, params={"limit": 51}, headers=alice).status_code == 400
    assert client.get(url, params={"limit": 0}, headers=alice).status_code == 400
    default = client.get(url, headers=alice).json()
    assert default["limit"] == 20
    assert len(default["items"]) == 19


def test_recently_played_needs_scope(sandbox, client):
    token = sandbox.grant("spotify", "alice", scopes=["playlist-modify-private"])
    url = f"{sandbox.spotify_api_url}/me/player/recently-played"
    response = client.get(url, headers=bearer(token))
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Insufficient client scope"


def _create(sandbox, client, headers, **body):
    payload = {"name": "Run 8100000003", "public": False, **body}
    return client.post(
        f"{sandbox.spotify_api_url}/me/playlists", json=payload, headers=headers
    )


def test_create_playlist_and_add_items(sandbox, client, alice):
    created = _create(sandbox, client, alice, description="Soundtrack of a run")
    assert created.status_code == 201
    playlist = created.json()
    assert playlist["uri"] == f"spotify:playlist:{playlist['id']}"
    assert playlist["owner"]["id"] == "alicerunner"
    assert playlist["items"]["total"] == 0

    url = f"{sandbox.spotify_api_url}/playlists/{playlist['id']}/items"
    added = client.post(url, json={"uris": [track_uri(1), track_uri(2)]}, headers=alice)
    assert added.status_code == 201
    assert added.json()["snapshot_id"] != playlist["snapshot_id"]
    client.post(url, json={"uris": [track_uri(3)], "position": 0}, headers=alice)

    page = client.get(url, params={"limit": 2}, headers=alice).json()
    assert [i["item"]["uri"] for i in page["items"]] == [track_uri(3), track_uri(1)]
    assert page["total"] == 3
    assert page["next"].endswith("offset=2&limit=2")


def test_add_items_limits(sandbox, client, alice):
    playlist = _create(sandbox, client, alice).json()
    url = f"{sandbox.spotify_api_url}/playlists/{playlist['id']}/items"
    too_many = [track_uri(i % 60) for i in range(101)]
    assert client.post(url, json={"uris": too_many}, headers=alice).status_code == 400
    assert (
        client.post(url, json={"uris": too_many[:100]}, headers=alice).status_code
        == 201
    )
    local = "spotify:local:Some+Band:Some+Album:Some+Song:181"
    rejected = client.post(url, json={"uris": [track_uri(1), local]}, headers=alice)
    assert rejected.status_code == 400
    assert rejected.json()["error"]["status"] == 400
    unknown = client.post(url, json={"uris": [track_uri(999)]}, headers=alice)
    assert unknown.status_code == 400
    total = client.get(url, headers=alice).json()["total"]
    assert total == 100


def test_removed_paths_return_403(sandbox, client, alice):
    playlist = _create(sandbox, client, alice).json()
    old_create = client.post(
        f"{sandbox.spotify_api_url}/users/alicerunner/playlists",
        json={"name": "x"},
        headers=alice,
    )
    assert old_create.status_code == 403
    assert old_create.json()["error"]["status"] == 403
    tracks = f"{sandbox.spotify_api_url}/playlists/{playlist['id']}/tracks"
    for method in ("GET", "POST", "PUT", "DELETE"):
        response = client.request(method, tracks, headers=alice)
        assert response.status_code == 403, method


def test_change_details_description_rules(sandbox, client, alice):
    playlist = _create(sandbox, client, alice).json()
    url = f"{sandbox.spotify_api_url}/playlists/{playlist['id']}"
    ok = client.put(url, json={"description": "x" * 300, "name": "New"}, headers=alice)
    assert ok.status_code == 200
    assert client.get(url, headers=alice).json()["name"] == "New"
    long = client.put(url, json={"description": "x" * 301}, headers=alice)
    assert long.status_code == 400
    newline = client.put(url, json={"description": "a\nb"}, headers=alice)
    assert newline.status_code == 400
    assert client.get(url, headers=alice).json()["description"] == "x" * 300


def test_list_my_playlists(sandbox, client, alice):
    for n in range(3):
        _create(sandbox, client, alice, name=f"P{n}")
    url = f"{sandbox.spotify_api_url}/me/playlists"
    page = client.get(url, params={"limit": 2, "offset": 1}, headers=alice).json()
    assert [p["name"] for p in page["items"]] == ["P1", "P2"]
    assert page["total"] == 3
    assert page["next"] is None
    bob = bearer(sandbox.grant("spotify", "bob"))
    assert client.get(url, headers=bob).json()["total"] == 0


def test_other_users_private_playlist_is_hidden(sandbox, client, alice):
    playlist = _create(sandbox, client, alice).json()
    bob = bearer(sandbox.grant("spotify", "bob"))
    url = f"{sandbox.spotify_api_url}/playlists/{playlist['id']}"
    assert client.get(url, headers=bob).status_code == 404
    add = client.post(f"{url}/items", json={"uris": [track_uri(1)]}, headers=bob)
    assert add.status_code == 404


def test_upload_cover_image(sandbox, client, alice):
    playlist = _create(sandbox, client, alice).json()
    url = f"{sandbox.spotify_api_url}/playlists/{playlist['id']}/images"
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\0" * 1000)
    headers = {**alice, "Content-Type": "image/jpeg"}
    assert client.put(url, content=jpeg, headers=headers).status_code == 202
    images = client.get(url.removesuffix("/images"), headers=alice).json()["images"]
    assert len(images) == 1
    big = base64.b64encode(b"\xff\xd8" + b"\0" * 200_000)
    assert client.put(url, content=big, headers=headers).status_code == 413
    png = base64.b64encode(b"\x89PNG")
    assert client.put(url, content=png, headers=headers).status_code == 400
