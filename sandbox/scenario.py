"""The world a sandbox starts from: users, what they listened to and where they ran."""

from datetime import datetime, timedelta
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, Field, field_validator


class Play(BaseModel):
    """One finished track play; `played_at` is when the play ENDED, in UTC."""

    uri: str = Field(description="spotify:track:<id>, or spotify:local:... for a file.")
    name: str
    artists: list[str] = Field(min_length=1)
    album: str = "Unknown Album"
    duration_ms: int = Field(gt=0)
    played_at: AwareDatetime
    context_uri: str | None = Field(
        None, description="Playlist or album URI the play came from; None for none."
    )

    @property
    def is_local(self) -> bool:
        """Whether the track is a local file, which the Web API never lists."""
        return self.uri.startswith("spotify:local:")

    @property
    def track_id(self) -> str:
        """Return the base-62 id of a catalogue track (the last URI part)."""
        return self.uri.rsplit(":", 1)[-1]


class Activity(BaseModel):
    """One Strava activity; times in UTC, distances in metres, durations in seconds."""

    id: int
    name: str
    sport_type: str = "Run"
    type: str | None = Field(None, description="Legacy type; defaults to sport_type.")
    start_date: AwareDatetime
    timezone: str = "(GMT+00:00) Etc/UTC"
    utc_offset: float = Field(0.0, description="Seconds east of UTC at the start.")
    elapsed_time: int = Field(gt=0)
    moving_time: int | None = None
    distance: float = 0.0
    description: str | None = None
    private: bool = False
    uploaded_at: AwareDatetime | None = Field(
        None,
        description="When Strava first shows the activity; default start + elapsed.",
    )

    @property
    def visible_from(self) -> datetime:
        """Return the UTC time the activity appears in the API."""
        if self.uploaded_at is not None:
            return self.uploaded_at
        return self.start_date + timedelta(seconds=self.elapsed_time)


class User(BaseModel):
    """A person with both a Spotify and a Strava account."""

    key: str = Field(description="Sandbox-wide handle, e.g. 'alice'.")
    spotify_display_name: str
    spotify_user_id: str
    strava_athlete_id: int
    listening: list[Play] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)

    @field_validator("key")
    @classmethod
    def _key_is_simple(cls, value: str) -> str:
        if not value or "/" in value:
            raise ValueError(f"user key {value!r} must be non-empty without '/'")
        return value


class Scenario(BaseModel):
    """Users and the time the sandbox clock starts at."""

    users: list[User] = Field(default_factory=list)
    clock_start: AwareDatetime | None = Field(
        None,
        description="Sandbox time at start, after which the clock stays fixed until "
        "moved; without it the clock follows real time.",
    )

    @classmethod
    def from_file(cls, path: Path | str) -> "Scenario":
        """Read a scenario from a JSON file; raises pydantic.ValidationError if invalid."""
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))

    def user(self, key: str) -> User:
        """Return the user with `key`; raises KeyError if there is none."""
        for user in self.users:
            if user.key == key:
                return user
        raise KeyError(key)
