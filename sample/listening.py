"""Invent the runner's listening: music around activities and everyday sessions."""

import math
import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sample.world import Activity, Play, Track

# Share of plays skipped after a few seconds, and how often the favourite comes on.
SKIP_CHANCE = 0.12
FAVOURITE_CHANCE = 0.07
REPEAT_CHANCE = 0.35  # the favourite played again straight after itself

# Pauses at least this long split the music: the runner stops it a while after
# stopping and starts it again just before moving on.
LONG_PAUSE_S = 15 * 60

LOCAL_FILE = ("Unknown Track", "Unknown Artist")  # Spotify's names for untagged files


class Listener:
    """One runner's taste: a rotation of favourite tracks, the catalogue, podcasts."""

    def __init__(self, rng: random.Random, tracks: list[Track], episodes: list[Track]):
        self.rng = rng
        self.tracks = tracks
        self.rotation = tracks[:80]
        self.favourite = tracks[0]
        self.episodes = episodes

    def music(
        self, start: datetime, until: datetime, *, offline: bool = False
    ) -> list[Play]:
        """Play tracks back to back from start, cutting the one still playing at until."""
        plays: list[Play] = []
        moment = start
        while moment < until:
            track = self._next_track(plays[-1] if plays else None)
            play = self._play(track, moment, until, plays[-1] if plays else None)
            plays.append(replace(play, offline=offline))
            moment = play.ended_at + timedelta(seconds=self.rng.randint(0, 2))
        return plays

    def episode(self, start: datetime, *, video: bool = False) -> Play:
        """Play part of a podcast episode from start."""
        episode = self.rng.choice(self.episodes)
        ms_played = self.rng.randint(5 * 60_000, episode.duration_ms)
        return Play(
            uri=episode.uri,
            name=episode.name,
            artist=episode.artist,
            album=None,
            duration_ms=episode.duration_ms,
            ms_played=ms_played,
            ended_at=_end(start, ms_played),
            kind="episode",
            reason_start="clickrow",
            reason_end="trackdone" if ms_played == episode.duration_ms else "endplay",
            video=video,
        )

    def local_file(self, start: datetime) -> Play:
        """Play a whole untagged local file from start."""
        duration_ms = self.rng.randint(150_000, 300_000)
        return Play(
            uri=None,
            name=LOCAL_FILE[0],
            artist=LOCAL_FILE[1],
            album=None,
            duration_ms=duration_ms,
            ms_played=duration_ms,
            ended_at=_end(start, duration_ms),
            kind="local",
            reason_start="clickrow",
            reason_end="trackdone",
        )

    def _next_track(self, previous: Play | None) -> Track:
        chance = self.rng.random()
        if previous is not None and previous.uri == self.favourite.uri:
            if chance < REPEAT_CHANCE:
                return self.favourite
        elif chance < FAVOURITE_CHANCE:
            return self.favourite
        if self.rng.random() < 0.7:
            return self.rng.choice(self.rotation)
        return self.rng.choice(self.tracks)

    def _play(
        self, track: Track, start: datetime, until: datetime, previous: Play | None
    ) -> Play:
        if previous is None:
            reason_start = "clickrow"
        else:
            reason_start = "fwdbtn" if previous.skipped else "trackdone"
        if previous is not None and self.rng.random() < SKIP_CHANCE:
            # Real histories hold skips of 0 ms too.
            ms_played = self.rng.choice([0, self.rng.randint(400, 20_000)])
            reason_end = "fwdbtn"
        else:
            ms_played = track.duration_ms - self.rng.randint(0, 1500)
            reason_end = "trackdone"
        left_ms = int((until - start).total_seconds() * 1000)
        if ms_played > left_ms:
            ms_played, reason_end = left_ms, "endplay"
        return Play(
            uri=track.uri,
            name=track.name,
            artist=track.artist,
            album=track.album,
            duration_ms=track.duration_ms,
            ms_played=ms_played,
            ended_at=_end(start, ms_played),
            kind="track",
            reason_start=reason_start,
            reason_end=reason_end,
            shuffle=True,
        )


def activity_music(listener: Listener, activity: Activity) -> list[Play]:
    """Play music from shortly before an activity to shortly after it.

    The music stops during long pauses (a café stop) a few minutes in, and starts
    again a minute before the activity moves on.
    """
    rng = listener.rng
    start = activity.start - timedelta(seconds=rng.randint(30, 240))
    stops = [p for p in activity.pauses if p.seconds >= LONG_PAUSE_S]
    offline = activity.sport_type == "TrailRun"
    plays = []
    for pause in stops:
        until = pause.paused_at + timedelta(minutes=8)
        plays += listener.music(start, until, offline=offline)
        start = pause.resumed_at - timedelta(seconds=60)
    until = activity.end + timedelta(seconds=rng.randint(0, 300))
    return plays + listener.music(start, until, offline=offline)


def daily_sessions(
    listener: Listener, day: date, tz: ZoneInfo, busy: list[tuple[datetime, datetime]]
) -> list[Play]:
    """Return one day's listening away from activities: a commute, an evening session."""
    rng = listener.rng
    plays: list[Play] = []
    for chance, hour, minutes in ((0.15, 8, (15, 30)), (0.3, 19, (10, 30))):
        if rng.random() >= chance:
            continue
        start = datetime.combine(day, time(hour, rng.randint(0, 59)), tz)
        start = start.astimezone(UTC) + timedelta(seconds=rng.randint(0, 59))
        until = start + timedelta(minutes=rng.randint(*minutes))
        if rng.random() < 0.15:
            session = [listener.episode(start)]
        else:
            session = listener.music(start, until)
        if not _overlaps(start, session[-1].ended_at, busy):
            plays += session
    return plays


def _overlaps(
    start: datetime, until: datetime, busy: list[tuple[datetime, datetime]]
) -> bool:
    margin = timedelta(minutes=20)
    return any(start < end + margin and until > begin - margin for begin, end in busy)


def _end(start: datetime, ms_played: int) -> datetime:
    # Spotify logs the end to the whole second. Rounding up keeps consecutive plays
    # from overlapping.
    end = start + timedelta(milliseconds=ms_played)
    whole = math.ceil(end.timestamp())
    return datetime.fromtimestamp(whole, UTC)
