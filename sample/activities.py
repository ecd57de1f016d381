"""Invent the runner's Strava activities, including the hard cases for matching."""

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sample.world import Activity, Pause

# Duration range (min), speed range (m/s) and name label of each regular sport.
SPORTS = {
    "Run": ((25, 60), (2.7, 3.4), "Run"),
    "LongRun": ((70, 120), (2.6, 3.1), "Run"),
    "TrailRun": ((60, 150), (2.0, 2.6), "Trail Run"),
    "Ride": ((60, 180), (6.0, 7.8), "Ride"),
    "VirtualRide": ((40, 90), (8.0, 9.5), "Virtual Ride"),
    "Walk": ((20, 60), (1.2, 1.6), "Walk"),
}

# Regular week: weekday (Monday 0) -> (chance of an activity, sports, local hours).
WEEK = {
    0: (0.15, ["Walk"], (12, 13)),
    1: (0.4, ["Run"], (18, 19)),
    2: (0.25, ["VirtualRide"], (18, 19)),
    3: (0.4, ["Run"], (6, 7)),
    4: (0.15, ["Walk"], (12, 13)),
    5: (0.6, ["LongRun", "LongRun", "TrailRun"], (8, 9)),
    6: (0.45, ["Ride"], (9, 10)),
}

# Day offsets from the start of the world of the planned hard cases.
MIDNIGHT_RUN_DAY = 12
SILENT_RUN_DAY = 33
CAFE_RIDE_DAY = 49
MIDNIGHT_RIDE_DAY = 80

# Strava activity ids grow by about this many per second of upload time: an
# estimate from two ids 18 hours apart in a real 2026 export.
IDS_PER_SECOND = 150
FIRST_ID = 17_650_000_000


def plan_activities(
    rng: random.Random, start: date, days: int, zone: str
) -> list[Activity]:
    """Invent activities for the given number of days from start, sorted by start (UTC)."""
    tz = ZoneInfo(zone)
    special = _special_activities(rng, start, days, tz)
    special_days = {a.start.astimezone(tz).date() for a in special}
    regular = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day not in special_days and day - timedelta(days=1) not in special_days:
            regular.extend(_regular_activity(rng, day, tz))
    return _assign_ids(rng, sorted(special + regular, key=lambda a: a.start))


def dst_changes(start: date, days: int, tz: ZoneInfo) -> list[datetime]:
    """Return the UTC instants in [start, start + days) when tz changes its offset."""
    instant = datetime.combine(start, time(), UTC)
    end = instant + timedelta(days=days)
    changes = []
    while instant < end:
        following = instant + timedelta(hours=1)
        if instant.astimezone(tz).utcoffset() != following.astimezone(tz).utcoffset():
            changes.append(following)
        instant = following
    return changes


def _special_activities(
    rng: random.Random, start: date, days: int, tz: ZoneInfo
) -> list[Activity]:
    found = []
    for change in dst_changes(start, days, tz):
        found.append(
            _activity(
                rng,
                "Run",
                change - timedelta(minutes=35),
                75 * 60,
                tz,
                name="Clock-change night run",
                description="The clocks changed halfway round.",
                tags=("dst",),
            )
        )
    planned = [
        (MIDNIGHT_RUN_DAY, _midnight_run),
        (SILENT_RUN_DAY, _silent_run),
        (CAFE_RIDE_DAY, _cafe_ride),
        (MIDNIGHT_RIDE_DAY, _midnight_ride),
    ]
    for offset, build in planned:
        if offset < days:
            found.append(build(rng, start + timedelta(days=offset), tz))
    return found


def _midnight_run(rng: random.Random, day: date, tz: ZoneInfo) -> Activity:
    return _activity(
        rng,
        "Run",
        _local(day, 23, 25, tz),
        65 * 60,
        tz,
        name="Midnight run 🌙",
        tags=("midnight",),
    )


def _midnight_ride(rng: random.Random, day: date, tz: ZoneInfo) -> Activity:
    return _activity(
        rng,
        "Ride",
        _local(day, 23, 20, tz),
        100 * 60,
        tz,
        name="Late ride home",
        description="Lights on, empty roads.",
        tags=("midnight",),
    )


def _silent_run(rng: random.Random, day: date, tz: ZoneInfo) -> Activity:
    return _activity(
        rng,
        "Run",
        _local(day, 7, 10, tz),
        40 * 60,
        tz,
        name="Recovery run, no headphones",
        has_music=False,
        pauses=(),
        tags=("silent",),
    )


def _cafe_ride(rng: random.Random, day: date, tz: ZoneInfo) -> Activity:
    start = _local(day, 9, 0, tz)
    cafe = Pause(start + timedelta(minutes=130), start + timedelta(minutes=175))
    return _activity(
        rng,
        "Ride",
        start,
        5 * 3600,
        tz,
        name="Café ride to the coast ☕",
        description="Out along the river, cake at the harbour café.\n"
        "Headwind all the way home, legs empty.",
        pauses=(cafe,),
        tags=("cafe",),
    )


def _regular_activity(rng: random.Random, day: date, tz: ZoneInfo) -> list[Activity]:
    chance, sports, (first_hour, last_hour) = WEEK[day.weekday()]
    if rng.random() >= chance:
        return []
    kind = rng.choice(sports)
    (shortest, longest), _, _ = SPORTS[kind]
    start = _local(day, rng.randint(first_hour, last_hour), rng.randint(0, 59), tz)
    start += timedelta(seconds=rng.randint(0, 59))
    elapsed_s = rng.randint(shortest * 60, longest * 60)
    walk = kind == "Walk"
    has_music = not walk and rng.random() < 0.88
    return [_activity(rng, kind, start, elapsed_s, tz, has_music=has_music)]


def _activity(
    rng: random.Random,
    kind: str,
    start: datetime,
    elapsed_s: int,
    tz: ZoneInfo,
    *,
    name: str | None = None,
    description: str | None = None,
    pauses: tuple[Pause, ...] | None = None,
    has_music: bool = True,
    tags: tuple[str, ...] = (),
) -> Activity:
    _, (slowest, fastest), label = SPORTS[kind]
    sport_type = "Run" if kind == "LongRun" else kind
    if pauses is None:
        pauses = _short_stops(rng, sport_type, start, elapsed_s)
    moving_s = elapsed_s - sum(p.seconds for p in pauses) - rng.randint(0, 40)
    if sport_type == "VirtualRide":
        moving_s = elapsed_s
    distance_m = round(moving_s * rng.uniform(slowest, fastest), 1)
    if name is None:
        name = f"{_part_of_day(start.astimezone(tz).hour)} {label}"
    if description is None:
        description = rng.choice(["", "", "", "Easy effort.", "Felt strong today 💪"])
    return Activity(
        id=0,
        upload_id=0,
        name=name,
        sport_type=sport_type,
        start=start,
        timezone=str(tz),
        elapsed_s=elapsed_s,
        moving_s=moving_s,
        distance_m=distance_m,
        description=description,
        pauses=pauses,
        has_music=has_music,
        has_recording=_has_recording(rng, sport_type, tags),
        tags=tags,
    )


def _has_recording(rng: random.Random, sport_type: str, tags: tuple[str, ...]) -> bool:
    # Virtual rides and walks get no GPX, because Strava's GPX type numbers are known
    # here only for rides (1) and runs (9). A few outdoor ones were entered by hand.
    if sport_type not in ("Run", "TrailRun", "Ride"):
        return False
    return bool(tags) or rng.random() < 0.8


def _short_stops(
    rng: random.Random, sport_type: str, start: datetime, elapsed_s: int
) -> tuple[Pause, ...]:
    # Traffic lights and gates: 70 to 240 s, long enough for a recorder to auto-pause.
    max_stops = {"Ride": 2, "Run": 1, "TrailRun": 1, "Walk": 1}.get(sport_type, 0)
    count = rng.randint(0, max_stops)
    slots = sorted(rng.sample(range(1, 9), count))
    stops = []
    for slot in slots:
        paused_at = start + timedelta(seconds=elapsed_s * slot // 10)
        stops.append(
            Pause(paused_at, paused_at + timedelta(seconds=rng.randint(70, 240)))
        )
    return tuple(stops)


def _assign_ids(rng: random.Random, activities: list[Activity]) -> list[Activity]:
    # Strava numbers activities in upload order. The café ride is uploaded two days
    # late, so its id is out of date order, as in real exports.
    def uploaded_at(activity: Activity) -> datetime:
        delay = timedelta(days=2) if "cafe" in activity.tags else timedelta(minutes=9)
        return activity.end + delay

    if not activities:
        return []
    epoch = activities[0].start
    by_upload = sorted(activities, key=uploaded_at)
    numbered = {}
    for activity in by_upload:
        seconds = (uploaded_at(activity) - epoch).total_seconds()
        activity_id = FIRST_ID + int(seconds * IDS_PER_SECOND) + rng.randint(0, 9999)
        upload_id = activity_id + 1_104_000_000 + rng.randint(0, 900_000)
        numbered[id(activity)] = replace(activity, id=activity_id, upload_id=upload_id)
    return [numbered[id(activity)] for activity in activities]


def _local(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tz).astimezone(UTC)


def _part_of_day(hour: int) -> str:
    # The words Strava puts before the sport in a default activity name.
    if 5 <= hour < 11:
        return "Morning"
    if 11 <= hour < 14:
        return "Lunch"
    if 14 <= hour < 18:
        return "Afternoon"
    if 18 <= hour < 22:
        return "Evening"
    return "Night"
