"""Pydantic models of the Spotify and Strava fields that Soundtrack reads.

Unknown fields are ignored, so new fields in either API change nothing. A missing
required field fails in parse(), with a message that names the field.
"""

import re
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    SecretStr,
    ValidationError,
)

from clients.errors import ServiceError


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def _as_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]


def _strip_zone(value: Any) -> Any:
    # Strava writes local wall-clock time with a trailing "Z", as if it were UTC.
    if isinstance(value, str) and value.endswith("Z"):
        return value[:-1]
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


LocalDatetime = Annotated[datetime, BeforeValidator(_strip_zone)]

# --- Spotify ----------------------------------------------------------------------


class SpotifyArtist(_Model):
    """An artist as embedded in a track."""

    name: str
    uri: str | None = None


class SpotifyAlbum(_Model):
    """An album as embedded in a track."""

    name: str | None = None


class SpotifyTrack(_Model):
    """A track or episode; local files have a spotify:local: URI and is_local true."""

    uri: str
    name: str
    duration_ms: int
    artists: list[SpotifyArtist] = []
    album: SpotifyAlbum | None = None
    type: str = "track"
    is_local: bool = False


class PlayHistoryItem(_Model):
    """One recently-played entry; played_at is when the play ENDED (UTC, ms precision)."""

    track: SpotifyTrack
    played_at: UtcDatetime


class Cursors(_Model):
    """Recently-played cursors: epoch milliseconds written as strings."""

    after: str | None = None
    before: str | None = None


class RecentlyPlayedPage(_Model):
    """A page of recently-played items; an empty last page has next and cursors null."""

    items: list[PlayHistoryItem]
    next: str | None = None
    cursors: Cursors | None = None


class SpotifyUser(_Model):
    """The current Spotify user's profile."""

    id: str
    display_name: str | None = None
    product: str | None = None


class ItemsRef(_Model):
    """A link to a playlist's items and their count."""

    total: int
    href: str | None = None


class Playlist(_Model):
    """A playlist as returned by create, get and list calls."""

    id: str
    name: str
    uri: str
    description: str | None = None
    public: bool | None = None
    snapshot_id: str | None = None
    external_urls: dict[str, str] = {}
    items: ItemsRef | None = None
    # Deprecated in the 2026 API in favour of `items`, and older responses carry only this.
    tracks: ItemsRef | None = None

    @property
    def url(self) -> str | None:
        """Return the open.spotify.com link, if Spotify sent one."""
        return self.external_urls.get("spotify")

    @property
    def total_items(self) -> int | None:
        """Return the number of items in the playlist, if Spotify sent it."""
        ref = self.items or self.tracks
        return None if ref is None else ref.total


class PlaylistPage(_Model):
    """A page of the current user's playlists."""

    items: list[Playlist]
    next: str | None = None
    total: int | None = None


class PlaylistItem(_Model):
    """An entry of a playlist; the content is None when the track is unavailable."""

    is_local: bool = False
    item: SpotifyTrack | None = None
    # Deprecated in the 2026 API in favour of `item`.
    track: SpotifyTrack | None = None

    @property
    def content(self) -> SpotifyTrack | None:
        """Return the track or episode, from `item` or the older `track` field."""
        return self.item or self.track


class PlaylistItemPage(_Model):
    """A page of a playlist's entries."""

    items: list[PlaylistItem]
    next: str | None = None
    total: int | None = None


class SnapshotId(_Model):
    """The playlist version that a change produced."""

    snapshot_id: str


# --- Strava -----------------------------------------------------------------------

# "(GMT-08:00) America/Los_Angeles": the offset is the zone's standard one, even in
# summer, so only the IANA name after it is worth reading.
_TIMEZONE_LABEL = re.compile(r"^\(GMT[+-]\d{2}:\d{2}\)\s+(?P<name>\S+)$")


class StravaAthlete(_Model):
    """The authenticated athlete, or the summary inside a token exchange response."""

    id: int
    username: str | None = None
    firstname: str | None = None
    lastname: str | None = None


class SummaryActivity(_Model):
    """An activity from the athlete's list.

    start_date is the UTC instant. start_date_local is the local wall-clock time as a
    naive datetime: Strava writes it with a "Z" although it is not UTC.
    """

    id: int
    name: str
    type: str | None = None
    sport_type: str | None = None
    start_date: UtcDatetime
    start_date_local: LocalDatetime | None = None
    timezone: str | None = None
    utc_offset: float | None = None
    elapsed_time: int
    moving_time: int | None = None
    distance: float | None = None
    private: bool | None = None
    visibility: str | None = None

    @property
    def timezone_name(self) -> str | None:
        """Return the IANA zone name inside the timezone label, or None."""
        match = _TIMEZONE_LABEL.match(self.timezone or "")
        return match.group("name") if match else None


class DetailedActivity(SummaryActivity):
    """An activity read by id; the description may contain "\\r\\n" line breaks."""

    description: str | None = None


class Stream(_Model):
    """One activity stream; data may hold None where the recording has a gap."""

    data: list[Any]
    series_type: str | None = None
    original_size: int | None = None
    resolution: str | None = None


class PushSubscription(_Model):
    """The app's webhook subscription."""

    id: int
    callback_url: str
    application_id: int | None = None


# --- OAuth ------------------------------------------------------------------------


class SpotifyTokenResponse(_Model):
    """A Spotify token response. A refresh may leave out refresh_token and scope."""

    access_token: SecretStr
    token_type: str
    expires_in: int
    refresh_token: SecretStr | None = None
    scope: str | None = None


class StravaTokenResponse(_Model):
    """A Strava token response. Only the code exchange carries the athlete."""

    access_token: SecretStr
    refresh_token: SecretStr
    expires_at: int
    expires_in: int | None = None
    token_type: str | None = None
    athlete: StravaAthlete | None = None


ModelT = TypeVar("ModelT", bound=BaseModel)


def parse(model: type[ModelT], data: Any, service: str, request: str) -> ModelT:
    """Validate an API response as `model`. Raises ServiceError naming the bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        # from None: the validation error quotes its input, which may hold a token.
        raise ServiceError(service, request, _describe(error)) from None


def _describe(error: ValidationError) -> str:
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in detail["loc"]) or "(body)"
        if detail["type"] == "missing":
            problems.append(f"required field {field!r} is missing")
        else:
            problems.append(f"field {field!r} is invalid: {detail['msg']}")
    return "unexpected response: " + "; ".join(problems[:3])
