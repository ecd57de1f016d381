"""Adapters that give the tasks the small interfaces they need from the API clients.

The tasks work on plain API-shaped dicts and ids, so they can be tested without a
client; these classes are the only place that knows the client's models.
"""

from collections.abc import Iterator

from clients.spotify import SpotifyClient
from clients.strava import StravaClient


def playlist_url(playlist) -> str:
    """Return the playlist's web address, or its URI when the API gives none."""
    return playlist.external_urls.get("spotify") or playlist.uri


class SpotifyService:
    """Recently-played reads and playlist writes for one user."""

    def __init__(self, client: SpotifyClient):
        self.client = client

    def recently_played(self, after_ms: int | None = None) -> Iterator[dict]:
        for item in self.client.recently_played(after_ms=after_ms):
            yield item.model_dump(mode="json")

    def find_playlist(self, marker: str) -> tuple[str, str] | None:
        for playlist in self.client.my_playlists():
            if marker in (playlist.description or ""):
                return playlist.id, playlist_url(playlist)
        return None

    def create_playlist(
        self, name: str, description: str, public: bool
    ) -> tuple[str, str]:
        playlist = self.client.create_playlist(name, description, public)
        return playlist.id, playlist_url(playlist)

    def count_items(self, playlist_id: str) -> int:
        return sum(1 for _ in self.client.playlist_items(playlist_id))

    def add_items(self, playlist_id: str, uris: list[str]) -> None:
        self.client.add_items(playlist_id, uris)


class StravaService:
    """Activity reads and description writes for one user."""

    def __init__(self, client: StravaClient):
        self.client = client

    def activities(self, after: int | None = None) -> Iterator[dict]:
        for summary in self.client.activities(after=after):
            yield summary.model_dump(mode="json")

    def activity(self, activity_id: int) -> dict:
        return self.client.activity(activity_id).model_dump(mode="json")

    def get_description(self, activity_id: int) -> str | None:
        return self.client.activity(activity_id).description

    def set_description(self, activity_id: int, text: str) -> None:
        self.client.update_description(activity_id, text)
