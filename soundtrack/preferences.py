"""Per-user preferences, stored as JSON documents in the settings table."""

from pydantic import BaseModel, ConfigDict, Field


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
        description="Strava sport types to match, such as Run or Ride; None for all.",
    )
    exclude_pauses_longer_than_s: float | None = Field(
        None,
        gt=0,
        description="Leave out music heard during recorded pauses this long, s.",
    )


PREFERENCE_MODELS: dict[str, type[BaseModel]] = {"match_rules": MatchRules}
