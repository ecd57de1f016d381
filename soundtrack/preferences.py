"""Per-user preferences, stored as JSON documents in the settings table."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


class MatchRules(BaseModel):
    """Rules that decide which plays belong to an activity's soundtrack.

    A play belongs to an activity when it is at least min_play_s long and overlaps
    the activity window by at least min_overlap_s or min_overlap_fraction of the
    play, whichever is smaller.
    """

    model_config = ConfigDict(extra="forbid")

    min_overlap_s: float = Field(
        60.0, ge=0, description="Overlap that always suffices, s."
    )
    min_overlap_fraction: float = Field(
        0.5, ge=0, le=1, description="Share of the play that also suffices."
    )
    min_play_s: float = Field(
        30.0, ge=0, description="Shorter plays (skips) never count, s."
    )
    keep_repeats: bool = Field(
        True, description="Keep a track each time it was played."
    )
    sport_types: list[str] | None = Field(
        None,
        min_length=1,
        description="Strava sport types to match, such as Run or Ride; null for all.",
    )
    exclude_pauses_longer_than_s: float | None = Field(
        None,
        gt=0,
        description="Leave out music heard during recorded pauses this long, s.",
    )


class Profile(BaseModel):
    """Facts about the user that no export carries."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(
        "UTC",
        description="IANA zone for showing activities whose source gives none, "
        "such as those from Strava's activities.csv.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {name!r}; use an IANA name such as Europe/London"
            ) from None
        return name


# Fields that playlist and description templates may use, with example values.
TEMPLATE_FIELDS = {
    "name": "Sunday Long Run",
    "sport": "Run",
    "date": "2026-05-03",
    "start": "08:15",
    "minutes": 95,
    "tracks": 24,
    "playlist_url": "https://open.spotify.com/playlist/37i9dQZF1DX0000000000000",
}


class PublishSettings(BaseModel):
    """Playlist names and descriptions, and whether the Strava description links them."""

    model_config = ConfigDict(extra="forbid")

    playlist_name: str = Field("{name} · {date}", description="Playlist name template.")
    playlist_description: str = Field(
        "The soundtrack of {name}, {date} {start}: {tracks} tracks over {minutes} min.",
        description="Playlist description template; one line, at most 300 characters.",
    )
    public: bool = Field(False, description="Create public playlists.")
    update_strava_description: bool = Field(
        True, description="Add a link to the playlist to the activity's description."
    )
    description_line: str = Field(
        "{playlist_url}",
        description="Text after the soundtrack marker in the description.",
    )
    describe_within_days: int = Field(
        14,
        ge=0,
        description="Only link from activities that started this many days ago or "
        "less; each link costs three Strava requests of the 100 reads allowed per "
        "15 minutes.",
    )

    @field_validator("playlist_name", "playlist_description", "description_line")
    @classmethod
    def _known_fields_only(cls, template: str) -> str:
        try:
            template.format(**TEMPLATE_FIELDS)
        except (KeyError, IndexError, ValueError) as error:
            known = ", ".join("{" + name + "}" for name in TEMPLATE_FIELDS)
            raise ValueError(
                f"template {template!r} is invalid ({error}); use {known}"
            ) from None
        return template


PREFERENCE_MODELS: dict[str, type[BaseModel]] = {
    "match_rules": MatchRules,
    "profile": Profile,
    "publish": PublishSettings,
}
