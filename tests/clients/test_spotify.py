"""SpotifyClient against the sandbox: paging, playlists, scopes and removed endpoints."""

import pytest

from clients.errors import MissingScope, NotFound
from clients.spotify import SpotifyClient
from storage.connections import load_connection, save_connection
from storage.db import connect as open_db
from tests.clients.conftest import connect

# The smallest JPEG: start-of-image and end-of-image markers around one empty frame.
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


@pytest.fixture
def spotify(sandbox, clock):
    connect("spotify", "alice", clock)
    with SpotifyClient("alice", clock=clock) as client:
        yield client


def _paths(sandbox, method=None):
    return [
        record.path
        for record in sandbox.state.requests("spotify")
        if method in (None, record.method)
    ]


def test_me_returns_profile(spotify):
    profile = spotify.me()

    assert profile.id == "alice-spotify"
    assert profile.display_name == "Alice"


def test_recently_played_stops_on_empty_page(spotify, sandbox):
    items = list(spotify.recently_played())

    pages = _paths(sandbox, "GET").count("/spotify/v1/me/player/recently-played")
    assert len(items) == 50
    # A full page of 50 has a next link; the page after it is empty, with next
    # and cursors null, and ends the loop.
    assert pages == 2
    assert items[0].played_at > items[-1].played_at
    assert items[0].played_at.utcoffset().total_seconds() == 0
    assert items[0].track.duration_ms == 200_000


def test_recently_played_after_cursor(spotify):
    everything = list(spotify.recently_played())
    cursor_ms = int(everything[10].played_at.timestamp() * 1000)

    newer = list(spotify.recently_played(after_ms=cursor_ms, limit=5))

    assert len(newer) == 10
    assert {item.track.uri for item in newer} == {
        item.track.uri for item in everything[:10]
    }


def test_recently_played_rejects_both_cursors(spotify):
    with pytest.raises(ValueError, match="not both"):
        list(spotify.recently_played(after_ms=1, before_ms=2))


def test_playlist_filled_in_chunks_of_100(spotify, sandbox):
    uris = [item.track.uri for item in spotify.recently_played()]
    wanted = (uris * 3)[:110]

    playlist = spotify.create_playlist("Morning run", "[soundtrack:1]", public=False)
    snapshots = spotify.add_items(playlist.id, wanted)
    stored = [entry.content.uri for entry in spotify.playlist_items(playlist.id)]

    assert playlist.url.startswith("https://open.spotify.com/playlist/")
    assert len(snapshots) == 2
    assert (
        _paths(sandbox, "POST").count(f"/spotify/v1/playlists/{playlist.id}/items") == 2
    )
    assert stored == wanted


def test_local_file_rejected_before_sending(spotify, sandbox):
    playlist = spotify.create_playlist("Run", "", public=False)
    before = len(sandbox.state.requests())

    with pytest.raises(ValueError, match="spotify:local:Some"):
        spotify.add_items(playlist.id, ["spotify:local:Some+Band:Some+Album:Song:181"])

    assert len(sandbox.state.requests()) == before


def test_my_playlists_lists_created_ones(spotify):
    created = {
        spotify.create_playlist(f"Run {n}", "", public=True).id for n in range(3)
    }

    listed = {playlist.id for playlist in spotify.my_playlists(limit=2)}

    assert created <= listed


def test_update_playlist_changes_given_fields(spotify, sandbox):
    playlist = spotify.create_playlist("Old name", "old text", public=False)

    spotify.update_playlist(playlist.id, description="new text")
    spotify.upload_cover(playlist.id, JPEG)

    stored = sandbox.state.playlists[playlist.id]
    assert stored.name == "Old name"
    assert stored.description == "new text"
    assert stored.image_jpeg == JPEG


def test_unknown_playlist_not_found(spotify):
    with pytest.raises(NotFound):
        list(spotify.playlist_items("0000000000000000000000"))


def test_removed_endpoints_never_called(spotify, sandbox):
    playlist = spotify.create_playlist("Run", "", public=False)
    spotify.add_items(
        playlist.id, [item.track.uri for item in spotify.recently_played()]
    )
    list(spotify.playlist_items(playlist.id))
    spotify.update_playlist(playlist.id, name="Run 2")

    paths = _paths(sandbox)
    assert not [path for path in paths if path.endswith("/tracks")]
    assert not [path for path in paths if "/users/" in path]


def test_missing_scope_raised_before_sending(sandbox, clock):
    connect("spotify", "bob", clock, scopes=("user-read-recently-played",))
    before = len(sandbox.state.requests())

    client = SpotifyClient("bob", clock=clock)
    with pytest.raises(MissingScope, match="playlist-modify-private") as error:
        client.create_playlist("Run", "", public=False)

    assert "soundtrack connect spotify" in str(error.value)
    assert len(sandbox.state.requests()) == before


def test_missing_scope_from_403(sandbox, clock):
    connect("spotify", "bob", clock, scopes=("user-read-recently-played",))
    with open_db() as con:
        # The stored scopes claim more than the grant holds, so Spotify decides.
        stored = load_connection(con, "bob", "spotify")
        save_connection(
            con, stored.model_copy(update={"scopes": frozenset()}), clock.now()
        )

    client = SpotifyClient("bob", clock=clock)
    with pytest.raises(MissingScope):
        client.create_playlist("Run", "", public=False)

    statuses = [r.status for r in sandbox.state.requests("spotify")]
    assert statuses[-1] == 403
