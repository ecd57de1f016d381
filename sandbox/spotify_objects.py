"""Spotify response bodies built from scenario data, with the 2026 spec's fields.

Fields the 2026.5.31 spec marks deprecated (a playlist's `tracks`, a playlist
item's `track`, a track's `popularity`, the user's `email`, ...) are left out,
because development-mode apps no longer receive them; required ones are kept.
"""

from sandbox.clock import iso_ms, iso_s
from sandbox.scenario import Play, User
from sandbox.state import Playlist, stable_spotify_id

OPEN = "https://open.spotify.com"
API = "https://api.spotify.com/v1"


def _artist(name: str) -> dict:
    artist_id = stable_spotify_id("artist", name)
    return {
        "external_urls": {"spotify": f"{OPEN}/artist/{artist_id}"},
        "href": f"{API}/artists/{artist_id}",
        "id": artist_id,
        "name": name,
        "type": "artist",
        "uri": f"spotify:artist:{artist_id}",
    }


def _album(play: Play) -> dict:
    album_id = stable_spotify_id("album", play.album, play.artists[0])
    return {
        "album_type": "album",
        "total_tracks": 10,
        # Deprecated in the spec but still required by it.
        "available_markets": [],
        "external_urls": {"spotify": f"{OPEN}/album/{album_id}"},
        "href": f"{API}/albums/{album_id}",
        "id": album_id,
        "images": [],
        "name": play.album,
        "release_date": "2020-01-01",
        "release_date_precision": "day",
        "type": "album",
        "uri": f"spotify:album:{album_id}",
        "artists": [_artist(play.artists[0])],
    }


def track_object(play: Play) -> dict:
    """Build a TrackObject for a catalogue track."""
    track_id = play.track_id
    return {
        "album": _album(play),
        "artists": [_artist(name) for name in play.artists],
        "disc_number": 1,
        "duration_ms": play.duration_ms,
        "explicit": False,
        "external_ids": {"isrc": f"SBX{stable_spotify_id('isrc', track_id)[:9]}"},
        "external_urls": {"spotify": f"{OPEN}/track/{track_id}"},
        "href": f"{API}/tracks/{track_id}",
        "id": track_id,
        "is_playable": True,
        "name": play.name,
        "track_number": 1,
        "type": "track",
        "uri": play.uri,
        "is_local": False,
    }


def local_track_object(uri: str, added: Play | None) -> dict:
    """Build the TrackObject Spotify shows for a local file in a playlist."""
    parts = uri.split(":")
    artist, album, name = (parts + ["", "", "", "", ""])[2:5]
    duration = int(parts[5]) * 1000 if len(parts) > 5 and parts[5].isdigit() else 0
    return {
        "album": {"name": album.replace("+", " ")},
        "artists": [{"name": artist.replace("+", " "), "type": "artist"}],
        "duration_ms": added.duration_ms if added else duration,
        "name": name.replace("+", " "),
        "type": "track",
        "uri": uri,
        "is_local": True,
    }


def context_object(uri: str | None) -> dict | None:
    """Build a play's context from a playlist or album URI; None when there is none."""
    if uri is None:
        return None
    kind, object_id = uri.split(":")[-2:]
    return {
        "type": kind,
        "href": f"{API}/{kind}s/{object_id}",
        "external_urls": {"spotify": f"{OPEN}/{kind}/{object_id}"},
        "uri": uri,
    }


def play_history(play: Play) -> dict:
    """Build a PlayHistoryObject; played_at is the play's END, with milliseconds."""
    return {
        "track": track_object(play),
        "played_at": iso_ms(play.played_at),
        "context": context_object(play.context_uri),
    }


def user_ref(user: User, base: str) -> dict:
    """Build a PlaylistOwnerObject for the user; `base` is the sandbox API URL."""
    return {
        "external_urls": {"spotify": f"{OPEN}/user/{user.spotify_user_id}"},
        "href": f"{base}/users/{user.spotify_user_id}",
        "id": user.spotify_user_id,
        "type": "user",
        "uri": f"spotify:user:{user.spotify_user_id}",
        "display_name": user.spotify_display_name,
    }


def private_user(user: User, base: str) -> dict:
    """Build GET /me's PrivateUserObject with the spec's non-deprecated fields."""
    body = user_ref(user, base)
    body.pop("display_name")
    return {
        "account_id": stable_spotify_id("account", user.spotify_user_id)[:10],
        "display_name": user.spotify_display_name,
        **body,
        "images": [],
    }


def playlist_base(playlist: Playlist, owner: User, base: str) -> dict:
    """Build the fields a full and a simplified playlist share."""
    return {
        "collaborative": playlist.collaborative,
        "description": playlist.description,
        "external_urls": {"spotify": f"{OPEN}/playlist/{playlist.id}"},
        "href": f"{base}/playlists/{playlist.id}",
        "id": playlist.id,
        "images": _images(playlist),
        "name": playlist.name,
        "owner": user_ref(owner, base),
        "public": playlist.public,
        "snapshot_id": playlist.snapshot_id,
        "type": "playlist",
        # 2026 form: playlist URIs no longer carry the owner ("spotify:user:...").
        "uri": f"spotify:playlist:{playlist.id}",
    }


def _images(playlist: Playlist) -> list[dict]:
    if playlist.image_jpeg is None:
        return []
    url = f"https://mosaic.scdn.co/sandbox/{playlist.id}/{playlist.snapshot_id[:8]}"
    return [{"url": url, "height": None, "width": None}]


def simplified_playlist(playlist: Playlist, owner: User, base: str) -> dict:
    """Build a SimplifiedPlaylistObject: items reduced to {href, total}."""
    body = playlist_base(playlist, owner, base)
    if body["description"] is None:
        body["description"] = ""
    body["items"] = {
        "href": f"{base}/playlists/{playlist.id}/items",
        "total": len(playlist.items),
    }
    return body


def playlist_item(uri: str, added_at, owner: User, base: str, catalogue) -> dict:
    """Build a PlaylistTrackObject (2026 form: the track sits under `item`)."""
    play = catalogue.get(uri)
    is_local = uri.startswith("spotify:local:")
    if is_local or play is None:
        item = local_track_object(uri, play)
    else:
        item = track_object(play)
    added_by = user_ref(owner, base)
    added_by.pop("display_name")
    return {
        "added_at": iso_s(added_at),
        "added_by": added_by,
        "is_local": is_local,
        "item": item,
    }
