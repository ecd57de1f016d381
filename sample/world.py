"""The invented world of one runner: a music catalogue, plays and Strava activities.

Every datetime in this module is timezone-aware UTC.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

TIMEZONE = "Europe/London"


@dataclass(frozen=True)
class Track:
    """One invented catalogue entry: a Spotify track or a podcast episode."""

    uri: str  # spotify:track:<22 base-62 chars> or spotify:episode:<...>
    name: str
    artist: str  # the show, for an episode
    album: str | None  # None for an episode
    duration_ms: int


@dataclass(frozen=True)
class Play:
    """One play as Spotify logs it: the end instant and how long it was heard."""

    uri: str | None  # None for a local file
    name: str
    artist: str  # the show name for an episode
    album: str | None
    duration_ms: int
    ms_played: int
    ended_at: datetime  # UTC, whole seconds
    kind: str  # "track", "episode" or "local"
    reason_start: str
    reason_end: str
    shuffle: bool = False
    offline: bool = False
    video: bool = False  # an episode watched as video, logged in the video history

    @property
    def started_at(self) -> datetime:
        return self.ended_at - timedelta(milliseconds=self.ms_played)

    @property
    def skipped(self) -> bool:
        return self.reason_end == "fwdbtn"


@dataclass(frozen=True)
class Pause:
    """A stretch of an activity with the recorder stopped, in UTC."""

    paused_at: datetime
    resumed_at: datetime

    @property
    def seconds(self) -> int:
        return round((self.resumed_at - self.paused_at).total_seconds())


@dataclass(frozen=True)
class Activity:
    """One Strava activity with the fields of activities.csv that Soundtrack reads."""

    id: int  # the Strava activity id
    upload_id: int  # the number in the export's file name, not the activity id
    name: str
    sport_type: str  # Strava sport_type: Run, TrailRun, Ride, VirtualRide, Walk
    start: datetime  # UTC
    timezone: str  # IANA name
    elapsed_s: int
    moving_s: int
    distance_m: float
    description: str
    pauses: tuple[Pause, ...] = ()
    has_music: bool = True
    has_recording: bool = True  # a GPX file is written for it
    tags: tuple[str, ...] = ()  # "dst", "midnight", "cafe", "silent": the hard cases

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed_s)


@dataclass
class World:
    """Everything generate_world() invented for one seed."""

    seed: int
    start: date
    days: int
    timezone: str
    catalogue: list[Track] = field(default_factory=list)
    plays: list[Play] = field(default_factory=list)  # sorted by ended_at
    activities: list[Activity] = field(default_factory=list)  # sorted by start
