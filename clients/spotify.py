"""The Spotify Web API calls Soundtrack makes, as of the 2026 API.

Playlists are created with POST /me/playlists and filled through
/playlists/{id}/items. The older /users/{id}/playlists and /playlists/{id}/tracks
endpoints are deprecated, so they are never called.
"""

import base64
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx

from clients.api import AuthorizedApi
from clients.errors import MissingScope, NotFound
from clients.http import Clock, HttpClient, SystemClock
from clients.models import (
    PlayHistoryItem,
    Playlist,
    PlaylistItem,
    PlaylistItemPage,
    PlaylistPage,
    RecentlyPlayedPage,
    SnapshotId,
    SpotifyUser,
)
from clients.oauth import OAuthApp, OAuthClient
from clients.ratelimits import SPOTIFY_MAX_WAIT_S, SpotifyRateLimits
from clients.tokens import TokenSource
from soundtrack.settings import Settings, get_settings

log = logging.getLogger(__name__)

# Spotify accepts at most 100 URIs per add request.
MAX_ITEMS_PER_ADD = 100
# The cover must be a JPEG of at most 256 KB once base64-encoded.
MAX_COVER_BASE64_BYTES = 256 * 1024
_MODIFY_SCOPES = ("playlist-modify-private", "playlist-modify-public")


def spotify_oauth(
    settings: Settings | None = None,
    clock: Clock | None = None,
    limits: SpotifyRateLimits | None = None,
) -> OAuthClient:
    """Build the OAuth client of the Spotify accounts service."""
    settings = settings or get_settings()
    clock = clock or SystemClock()
    limits = limits or SpotifyRateLimits(clock)
    # Token requests obey the app's cooldowns too: while Spotify requests the app to
    # pause, nothing at all is sent to it.
    accounts = HttpClient("spotify", settings.spotify_accounts_url, limits, clock)
    return OAuthClient(OAuthApp.from_settings("spotify", settings), accounts)


class SpotifyClient(AuthorizedApi):
    """The Spotify Web API on behalf of one stored user connection."""

    def __init__(
        self,
        user_id: str,
        *,
        settings: Settings | None = None,
        clock: Clock | None = None,
        max_wait_s: float = SPOTIFY_MAX_WAIT_S,
    ):
        settings = settings or get_settings()
        clock = clock or SystemClock()
        limits = SpotifyRateLimits(clock, max_wait_s)
        api = HttpClient("spotify", settings.spotify_api_url, limits, clock)
        oauth = spotify_oauth(settings, clock, limits)
        tokens = TokenSource(user_id, "spotify", oauth, clock)
        super().__init__(api, tokens, settings.spotify_api_url)

    def me(self) -> SpotifyUser:
        """Return the connected user's profile."""
        return self.get_model(SpotifyUser, "/me")

    def recently_played(
        self, after_ms: int | None = None, before_ms: int | None = None, limit: int = 50
    ) -> Iterator[PlayHistoryItem]:
        """Yield recently-played items, following the pages to an empty one.

        after_ms and before_ms are epoch milliseconds (UTC), at most one of them.
        Without after_ms the items come newest first. Spotify keeps only the last
        50 plays, so older ones are simply absent.
        """
        if after_ms is not None and before_ms is not None:
            raise ValueError("give after_ms or before_ms, not both")
        if after_ms is not None:
            yield from self._played_after(after_ms, limit)
            return
        params: dict[str, Any] | None = {"limit": limit}
        if before_ms is not None:
            params["before"] = before_ms
        url: str | None = "/me/player/recently-played"
        seen: set[str] = set()
        while url is not None:
            page = self._recently_played_page(url, params)
            yield from page.items
            # The last page can be empty with next and cursors both null.
            url = self._next_url(page.next, page.items, seen)
            params = None  # the next link carries the query; {} would erase it

    def _played_after(self, after_ms: int, limit: int) -> Iterator[PlayHistoryItem]:
        # Spotify does not document which plays an `after` page holds, nor where its
        # next link leads, so page forward with cursors.after until a page is empty.
        cursor = after_ms
        while True:
            params = {"limit": limit, "after": cursor}
            page = self._recently_played_page("/me/player/recently-played", params)
            yield from page.items
            newest = page.cursors.after if page.cursors else None
            if not page.items or newest is None or int(newest) <= cursor:
                return
            cursor = int(newest)

    def _recently_played_page(
        self, url: str, params: dict[str, Any] | None
    ) -> RecentlyPlayedPage:
        return self.get_model(
            RecentlyPlayedPage,
            url,
            params=params,
            scopes=("user-read-recently-played",),
        )

    def my_playlists(self, limit: int = 50) -> Iterator[Playlist]:
        """Yield the playlists the user owns or follows, page by page."""
        url: str | None = "/me/playlists"
        params: dict[str, Any] | None = {"limit": limit}
        seen: set[str] = set()
        while url is not None:
            page = self.get_model(
                PlaylistPage, url, params=params, scopes=("playlist-read-private",)
            )
            yield from page.items
            url = self._next_url(page.next, page.items, seen)
            params = None  # the next link carries the query; {} would erase it

    def create_playlist(self, name: str, description: str, public: bool) -> Playlist:
        """Create a playlist for the user; not idempotent, each call makes a new one."""
        scope = "playlist-modify-public" if public else "playlist-modify-private"
        body = {"name": name, "description": description, "public": public}
        response = self.send("POST", "/me/playlists", json=body, scopes=(scope,))
        playlist = self.parse(Playlist, response)
        log.info("created Spotify playlist %s for user %s", playlist.id, self.user_id)
        return playlist

    def add_items(self, playlist_id: str, uris: list[str]) -> list[str]:
        """Append URIs in order, 100 per request; return each request's snapshot id.

        Raises ValueError for a spotify:local: URI, which the API cannot add.
        """
        local = [uri for uri in uris if uri.startswith("spotify:local:")]
        if local:
            raise ValueError(f"local files cannot be added to a playlist: {local[:3]}")
        snapshots = []
        for start in range(0, len(uris), MAX_ITEMS_PER_ADD):
            chunk = uris[start : start + MAX_ITEMS_PER_ADD]
            response = self.send(
                "POST",
                f"/playlists/{_id(playlist_id)}/items",
                json={"uris": chunk},
                scopes=_MODIFY_SCOPES,
            )
            snapshots.append(self.parse(SnapshotId, response).snapshot_id)
        return snapshots

    def playlist_items(self, playlist_id: str) -> Iterator[PlaylistItem]:
        """Yield a playlist's entries in order; raises NotFound for an unknown id."""
        url: str | None = f"/playlists/{_id(playlist_id)}/items"
        params: dict[str, Any] | None = {"limit": 50}
        seen: set[str] = set()
        while url is not None:
            page = self.get_model(
                PlaylistItemPage, url, params=params, scopes=("playlist-read-private",)
            )
            yield from page.items
            url = self._next_url(page.next, page.items, seen)
            params = None  # the next link carries the query; {} would erase it

    def update_playlist(
        self,
        playlist_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        public: bool | None = None,
    ) -> None:
        """Change the given details of a playlist; the others stay as they are."""
        body = {
            key: value
            for key, value in (
                ("name", name),
                ("description", description),
                ("public", public),
            )
            if value is not None
        }
        if not body:
            return
        self.send(
            "PUT", f"/playlists/{_id(playlist_id)}", json=body, scopes=_MODIFY_SCOPES
        )

    def upload_cover(self, playlist_id: str, jpeg: bytes) -> None:
        """Replace a playlist's cover with a JPEG; raises ValueError if it is too big."""
        encoded = base64.b64encode(jpeg)
        if len(encoded) > MAX_COVER_BASE64_BYTES:
            raise ValueError(
                f"cover is {len(encoded)} bytes in base64; Spotify takes at most "
                f"{MAX_COVER_BASE64_BYTES}, so shrink the JPEG"
            )
        self.send(
            "PUT",
            f"/playlists/{_id(playlist_id)}/images",
            content=encoded,
            headers={"Content-Type": "image/jpeg"},
            scopes=("ugc-image-upload",),
        )

    def _next_url(
        self, next_url: str | None, items: list, seen: set[str]
    ) -> str | None:
        if not next_url or not items:
            return None
        if next_url in seen:
            log.warning("Spotify repeated the page link %s; stopping", next_url)
            return None
        seen.add(next_url)
        return self.follow(next_url)

    def scope_error(
        self, response: httpx.Response, scopes: tuple[str, ...]
    ) -> MissingScope | None:
        """Return MissingScope for Spotify's 403 "Insufficient client scope"."""
        if response.status_code == 403 and "scope" in _message(response).lower():
            needed = " or ".join(scopes) or "a scope this request needs"
            return MissingScope("spotify", needed, self.user_id)
        return None

    def error_for(
        self, response: httpx.Response, what: str, scopes: tuple[str, ...] = ()
    ) -> Exception:
        """Return NotFound for 404, else the base mapping."""
        if response.status_code == 404:
            return NotFound("spotify", what.split(" ", 1)[-1])
        return super().error_for(response, what, scopes)


def _id(spotify_id: str) -> str:
    return quote(spotify_id, safe="")


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or "")
    return ""
