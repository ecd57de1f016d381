"""Read recorded activity files (FIT, GPX, TCX) for the exact start, end and pauses."""

import hashlib
import io
import itertools
import struct
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import fitdecode
import gpxpy
import gpxpy.geo
import gpxpy.gpx
import pandas as pd
from tcxreader.tcxreader import TCXReader

from soundtrack.errors import ImportFileError
from storage.records import ACTIVITY_COLUMNS, PAUSE_COLUMNS, conform, empty
from tasks.inputs import InputFile, ParsedFile

SOURCE = "activity_file"

# A gap between two consecutive GPX or TCX points longer than this is a pause.
# Recorders write a point every 1 to about 10 s while moving (Garmin smart recording),
# so a full minute without one is taken as a pause.
MAX_POINT_GAP_S = 60

# Unless the two points around the gap are this fast apart (m/s): then the recorder
# missed points while the athlete moved on. One Strava GPX jumps 68 min and about
# 13.7 km (3.4 m/s) between two points, and a 9-point file spans a 70-minute ride.
MOVING_ACROSS_GAP_MS = 1.0

# Times before 1970 are placeholders, not recordings. gpxpy's own test files write
# 1901-12-13T20:45:52, the minimum of a signed 32-bit Unix time.
EARLIEST_VALID = datetime(1970, 1, 1)

NO_VALID_TIMES = "no valid timestamps"

XML_ROOTS = {"gpx": "gpx", "TrainingCenterDatabase": "tcx"}

# Strava's own GPX writes <type> as a number. Other recorders write a word.
GPX_TYPES = {
    "1": "Ride",
    "9": "Run",
    "run": "Run",
    "running": "Run",
    "ride": "Ride",
    "cycling": "Ride",
    "biking": "Ride",
    "hiking": "Hike",
    "walking": "Walk",
    "swimming": "Swim",
}

# The TCX schema allows only Running, Biking and Other, so Other stays unknown.
TCX_SPORTS = {"Running": "Run", "Biking": "Ride"}

FIT_SPORTS = {
    "running": "Run",
    "cycling": "Ride",
    "swimming": "Swim",
    "walking": "Walk",
    "hiking": "Hike",
    "training": "Workout",
    "fitness_equipment": "Workout",
    "hiit": "HighIntensityIntervalTraining",
    "e_biking": "EBikeRide",
    "rowing": "Rowing",
    "cross_country_skiing": "NordicSki",
    "alpine_skiing": "AlpineSki",
    "snowboarding": "Snowboard",
    "snowshoeing": "Snowshoe",
    "stand_up_paddleboarding": "StandUpPaddling",
    "kayaking": "Kayaking",
    "inline_skating": "InlineSkate",
    "ice_skating": "IceSkate",
    "rock_climbing": "RockClimbing",
    "surfing": "Surfing",
    "kitesurfing": "Kitesurf",
    "windsurfing": "Windsurf",
    "sailing": "Sail",
    "golf": "Golf",
    "soccer": "Soccer",
}

FIT_SUB_SPORTS = {
    ("running", "trail"): "TrailRun",
    ("running", "virtual_activity"): "VirtualRun",
    ("cycling", "virtual_activity"): "VirtualRide",
    ("cycling", "mountain"): "MountainBikeRide",
    ("cycling", "gravel_cycling"): "GravelRide",
    ("e_biking", "e_bike_mountain"): "EMountainBikeRide",
    ("training", "yoga"): "Yoga",
    ("training", "pilates"): "Pilates",
    ("training", "strength_training"): "WeightTraining",
    ("training", "hiit"): "HighIntensityIntervalTraining",
    ("fitness_equipment", "elliptical"): "Elliptical",
    ("fitness_equipment", "stair_climbing"): "StairStepper",
    ("fitness_equipment", "indoor_rowing"): "Rowing",
}

# Timer event types that stop the recording timer. A "start" event restarts it.
FIT_TIMER_STOPS = {"stop", "stop_all", "stop_disable", "stop_disable_all"}

# fitdecode raises FitError for what it detects, but corrupt bytes inside a valid
# header can also surface as these built-in errors (seen by flipping random bytes
# in real files with fitdecode 0.11).
FIT_READ_ERRORS = (
    fitdecode.FitError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AssertionError,
    struct.error,
)


@dataclass
class Recording:
    """The times and labels one file recorded, before they become records."""

    times: list[datetime]  # valid point times, naive UTC, sorted
    pauses: list[tuple[datetime, datetime]] = field(default_factory=list)
    sport_type: str | None = None
    name: str | None = None
    utc_offset_s: int | None = None
    notes: list[str] = field(default_factory=list)


def detect_activity_file_kind(file: InputFile) -> str | None:
    """Return "fit", "gpx" or "tcx" from the content (gzip removed), else None."""
    try:
        data = file.unzipped()
    except ImportFileError:  # a damaged gzip stream
        return None
    # Every FIT file header carries the ASCII signature ".FIT" at bytes 8 to 11.
    if data[8:12] == b".FIT":
        return "fit"
    return XML_ROOTS.get(_xml_root(data))


def parse_activity_file(file: InputFile, kind: str) -> ParsedFile:
    """Read one activity and its pauses from a FIT, GPX or TCX file (gzip allowed).

    Times are naive UTC. A file without any valid time gives no activity and a
    "no valid timestamps" skip. Raises ImportFileError when the file cannot be read.
    """
    readers: dict[str, Callable[[InputFile, bytes], Recording]] = {
        "fit": _read_fit,
        "gpx": _read_gpx,
        "tcx": _read_tcx,
    }
    if kind not in readers:
        raise ValueError(
            f"activity file kind {kind!r} is not supported, use fit, gpx or tcx"
        )
    data = file.unzipped()
    recording = readers[kind](file, data)
    return _to_parsed(file, kind, data, recording)


def _xml_root(data: bytes) -> str | None:
    head = data[:1024].removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head.startswith(b"<"):
        return None
    try:
        for _event, element in ET.iterparse(io.BytesIO(data), events=("start",)):
            return element.tag.rsplit("}", 1)[-1]
    except ET.ParseError:
        return None
    return None


def _to_parsed(
    file: InputFile, kind: str, data: bytes, recording: Recording
) -> ParsedFile:
    parsed = ParsedFile(file.display_path, kind, read=1, notes=list(recording.notes))
    parsed.activities = empty(ACTIVITY_COLUMNS)
    parsed.pauses = empty(PAUSE_COLUMNS)
    if not recording.times:
        parsed.skip(NO_VALID_TIMES)
        return parsed

    activity_id = "file-" + hashlib.sha1(data).hexdigest()[:16]
    start, end = recording.times[0], recording.times[-1]
    pauses = _clip(recording.pauses, start, end)
    elapsed_s = round((end - start).total_seconds())
    paused_s = sum((resumed - paused).total_seconds() for paused, resumed in pauses)

    activity = {
        "activity_id": activity_id,
        "name": recording.name,
        "sport_type": recording.sport_type,
        "start_at": start,
        "elapsed_s": elapsed_s,
        "moving_s": max(0, round(elapsed_s - paused_s)),
        "utc_offset_s": recording.utc_offset_s,
        "source": SOURCE,
        "source_file": file.display_path,
        "activity_file": file.name,
        "start_from_file": True,
    }
    parsed.activities = conform(pd.DataFrame([activity]), ACTIVITY_COLUMNS)
    rows = [
        {"activity_id": activity_id, "paused_at": paused, "resumed_at": resumed}
        for paused, resumed in pauses
    ]
    parsed.pauses = conform(pd.DataFrame(rows), PAUSE_COLUMNS)
    return parsed


def _clip(
    pauses: list[tuple[datetime, datetime]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    # Keep each pause's part inside [start, end], drop empty ones, merge overlaps.
    clipped = sorted((max(p, start), min(r, end)) for p, r in pauses)
    merged: list[tuple[datetime, datetime]] = []
    for paused, resumed in clipped:
        if resumed <= paused:
            continue
        if merged and paused <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], resumed))
        else:
            merged.append((paused, resumed))
    return merged


def _valid_utc(value: object) -> datetime | None:
    """Return value as naive UTC, or None if it is not a datetime from 1970 on.

    A naive value is taken as UTC, because GPX and TCX define their times in UTC.
    """
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value if value >= EARLIEST_VALID else None


Point = tuple[datetime, int, float | None, float | None]  # time, segment, lat, lon


def _gap_pauses(points: list[Point]) -> list[tuple[datetime, datetime]]:
    """Return pauses between time-sorted (time, segment, lat, lon) points.

    A pause is any gap between two segments, or a gap longer than MAX_POINT_GAP_S
    across which the athlete did not travel at MOVING_ACROSS_GAP_MS or faster.
    """
    pauses = []
    for before, after in itertools.pairwise(points):
        gap_s = (after[0] - before[0]).total_seconds()
        if gap_s <= 0:
            continue
        if before[1] != after[1] or (
            gap_s > MAX_POINT_GAP_S and not _moved(before, after, gap_s)
        ):
            pauses.append((before[0], after[0]))
    return pauses


def _moved(before: Point, after: Point, gap_s: float) -> bool:
    if None in (before[2], before[3], after[2], after[3]):
        return False
    metres = gpxpy.geo.haversine_distance(before[2], before[3], after[2], after[3])
    return metres / gap_s >= MOVING_ACROSS_GAP_MS


# GPX


def _read_gpx(file: InputFile, data: bytes) -> Recording:
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        problem = f"the text is not UTF-8 (byte {error.start})"
        raise _unreadable(file, "GPX", problem) from error
    except gpxpy.gpx.GPXException as error:
        raise _unreadable(file, "GPX", str(error)) from error

    points = []
    segments = (s for track in gpx.tracks for s in track.segments)
    for number, segment in enumerate(segments):
        for point in segment.points:
            time = _valid_utc(point.time)
            if time is not None:
                points.append((time, number, point.latitude, point.longitude))
    points.sort(key=lambda point: point[0])
    return Recording(
        times=[point[0] for point in points],
        pauses=_gap_pauses(points),
        sport_type=_gpx_sport(gpx),
        name=gpx.name or next((t.name for t in gpx.tracks if t.name), None),
    )


def _gpx_sport(gpx: gpxpy.gpx.GPX) -> str | None:
    for track in gpx.tracks:
        if track.type:
            return GPX_TYPES.get(track.type.strip().lower())
    return None


# TCX


def _read_tcx(file: InputFile, data: bytes) -> Recording:
    # tcxreader's default only_gps=True drops every point without a Position, which
    # would cut indoor files and GPS dropouts, so all points are kept.
    try:
        exercise = TCXReader().read(io.BytesIO(data), only_gps=False)
    except ET.ParseError as error:
        raise _unreadable(file, "TCX", f"invalid XML: {error}") from error
    except (ValueError, KeyError, TypeError, ZeroDivisionError) as error:
        raise _unreadable(file, "TCX", f"{type(error).__name__}: {error}") from error

    # A time such as 2022-12-04T20:14:28.000-04:00 is converted with the offset as
    # written, even where the recorder wrote the wrong offset for that date.
    points = []
    for point in exercise.trackpoints:
        time = _valid_utc(point.time)
        if time is not None:
            points.append((time, 0, point.latitude, point.longitude))
    points.sort(key=lambda point: point[0])
    return Recording(
        times=[point[0] for point in points],
        pauses=_gap_pauses(points),
        sport_type=TCX_SPORTS.get(exercise.activity_type or ""),
    )


# FIT


@dataclass
class _FitMessages:
    """The parts of a FIT file's data messages that a Recording needs."""

    has_header: bool = False
    record_times: list[datetime] = field(default_factory=list)
    timer_events: list[tuple[datetime, str]] = field(default_factory=list)
    sport: str | None = None
    sub_sport: str | None = None
    utc_offset_s: int | None = None

    def add(self, frame: object) -> None:
        """Take what is needed from one frame that fitdecode yielded."""
        if isinstance(frame, fitdecode.FitHeader):
            self.has_header = True
        if not isinstance(frame, fitdecode.FitDataMessage):
            return
        if frame.name == "record":
            time = _valid_utc(frame.get_value("timestamp", fallback=None))
            if time is not None:
                self.record_times.append(time)
        elif frame.name == "event":
            self._add_event(frame)
        elif frame.name in ("session", "sport") and self.sport is None:
            self.sport = frame.get_value("sport", fallback=None)
            self.sub_sport = frame.get_value("sub_sport", fallback=None)
        elif frame.name == "activity":
            self.utc_offset_s = _fit_local_offset_s(frame)

    def _add_event(self, frame: fitdecode.FitDataMessage) -> None:
        if frame.get_value("event", fallback=None) != "timer":
            return
        time = _valid_utc(frame.get_value("timestamp", fallback=None))
        event_type = frame.get_value("event_type", fallback=None)
        if time is not None and isinstance(event_type, str):
            self.timer_events.append((time, event_type))


def _read_fit(file: InputFile, data: bytes) -> Recording:
    messages = _FitMessages()
    # In WARN mode fitdecode reads past defects it can work around and issues a
    # warning, which becomes a note on the parsed file. The Wahoo ELEMNT BOLT test
    # file, whose developer_data_id lacks an application_id, reads without one.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with fitdecode.FitReader(
                io.BytesIO(data),
                check_crc=fitdecode.CrcCheck.WARN,
                error_handling=fitdecode.ErrorHandling.WARN,
            ) as reader:
                for frame in reader:
                    messages.add(frame)
        except FIT_READ_ERRORS as error:
            raise _unreadable(
                file, "FIT", f"{type(error).__name__}: {error}"
            ) from error
    if not messages.has_header:
        raise _unreadable(file, "FIT", "the file is empty")
    return _fit_recording(file, messages, caught)


def _fit_recording(
    file: InputFile, messages: _FitMessages, caught: list[warnings.WarningMessage]
) -> Recording:
    # Records carry the recorded span. Timer events mark the pauses, and give the
    # span only when a file has no records.
    times = messages.record_times or [time for time, _type in messages.timer_events]
    notes = sorted({f"{file.display_path}: {warning.message}" for warning in caught})
    return Recording(
        times=sorted(times),
        pauses=_timer_pauses(messages.timer_events),
        sport_type=_fit_sport(messages.sport, messages.sub_sport),
        utc_offset_s=messages.utc_offset_s,
        notes=notes,
    )


def _timer_pauses(
    events: list[tuple[datetime, str]],
) -> list[tuple[datetime, datetime]]:
    """Return a pause from each timer stop to the next start.

    A stop with no later start ends the recording and makes no pause.
    """
    pauses = []
    stopped_at = None
    for time, event_type in sorted(events, key=lambda event: event[0]):
        if event_type in FIT_TIMER_STOPS and stopped_at is None:
            stopped_at = time
        elif event_type == "start" and stopped_at is not None:
            pauses.append((stopped_at, time))
            stopped_at = None
    return pauses


def _fit_local_offset_s(frame: fitdecode.FitDataMessage) -> int | None:
    # activity.local_timestamp is the same instant in the device's local time.
    # fitdecode builds both values as UTC datetimes, so their difference is the offset.
    utc = frame.get_value("timestamp", fallback=None)
    local = frame.get_value("local_timestamp", fallback=None)
    if not isinstance(utc, datetime) or not isinstance(local, datetime):
        return None
    offset = local - utc
    if abs(offset) > timedelta(hours=14):
        return None  # no zone is more than 14 h from UTC
    return round(offset.total_seconds())


def _fit_sport(sport: object, sub_sport: object) -> str | None:
    if not isinstance(sport, str):
        return None
    return FIT_SUB_SPORTS.get((sport, sub_sport)) or FIT_SPORTS.get(sport)


def _unreadable(file: InputFile, kind: str, problem: str) -> ImportFileError:
    return ImportFileError(
        file.display_path,
        f"cannot read the {kind} file: {problem}",
        hint="The file may be damaged or truncated; export it again from the device "
        "or Strava",
    )
