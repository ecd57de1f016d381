"""Build the whole invented world from one seed."""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sample.activities import plan_activities
from sample.catalogue import build_episodes, build_tracks
from sample.listening import Listener, activity_music, daily_sessions
from sample.world import TIMEZONE, Activity, Play, World

LOCAL_FILE_DAYS = (5, 60)
VIDEO_EPISODES = 6


def generate_world(
    seed: int = 7, start: date = date(2026, 3, 1), days: int = 120
) -> World:
    """Invent one runner's plays and activities for the given number of days.

    All randomness comes from one random.Random(seed) and nothing reads the clock, so
    the same arguments always give the same world.
    """
    rng = random.Random(seed)
    tz = ZoneInfo(TIMEZONE)
    tracks = build_tracks(rng)
    listener = Listener(rng, tracks, build_episodes(rng))
    activities = plan_activities(rng, start, days, TIMEZONE)

    plays = _during_activities(listener, activities)
    busy = _busy(activities, plays)
    for offset in range(days):
        day = start + timedelta(days=offset)
        plays += daily_sessions(listener, day, tz, busy)
    plays += _occasional(listener, start, days, tz, _busy(activities, plays))

    plays.sort(key=lambda play: play.ended_at)
    return World(seed, start, days, TIMEZONE, tracks, plays, activities)


def _during_activities(listener: Listener, activities: list[Activity]) -> list[Play]:
    plays: list[Play] = []
    for activity in activities:
        if activity.has_music:
            plays += activity_music(listener, activity)
        elif activity.sport_type == "Walk" and listener.rng.random() < 0.5:
            # A podcast on a walk: the activity still has no music.
            plays.append(listener.episode(activity.start + timedelta(seconds=40)))
    return plays


def _occasional(
    listener: Listener,
    start: date,
    days: int,
    tz: ZoneInfo,
    busy: list[tuple[datetime, datetime]],
) -> list[Play]:
    """Return the two local-file plays and the video episodes, at free times."""
    plays = []
    for offset in LOCAL_FILE_DAYS:
        moment = _free_time(start + timedelta(days=offset % days), tz, busy)
        plays.append(listener.local_file(moment))
    for number in range(VIDEO_EPISODES):
        day = start + timedelta(days=(number * days) // VIDEO_EPISODES + 3)
        plays.append(listener.episode(_free_time(day, tz, busy), video=True))
    return plays


def _free_time(day: date, tz: ZoneInfo, busy: list[tuple[datetime, datetime]]):
    # The first of a few fixed local times with nothing else within 90 minutes.
    for hour in (21, 13, 16, 10):
        moment = datetime.combine(day, time(hour, 5), tz).astimezone(UTC)
        clear = all(
            moment + timedelta(minutes=90) < begin or moment > end + timedelta(hours=1)
            for begin, end in busy
        )
        if clear:
            return moment
    raise ValueError(
        f"no free hour on {day} for an occasional play: every candidate hour is"
        " within 90 minutes of other listening"
    )


def _busy(
    activities: list[Activity], plays: list[Play]
) -> list[tuple[datetime, datetime]]:
    spans = [(a.start, a.end) for a in activities]
    spans += [(p.started_at, p.ended_at) for p in plays]
    return spans
