"""Write activities as a Strava bulk export: activities.csv and gzipped GPX files."""

import csv
import gzip
import io
import math
import random
from datetime import datetime, timedelta
from pathlib import Path

import gpxpy.gpx

from sample.world import Activity

EXPORT_DIR = "strava_export"

# The header of activities.csv in Strava's English export as of 2026: 103 columns,
# some of them twice (Elapsed Time, Distance, Max Heart Rate, Relative Effort,
# Commute). The first Distance is in km, the second in metres.
HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,"
    "Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,"
    "Activity Private Note,Activity Gear,Filename,Athlete Weight,Bike Weight,"
    "Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,Elevation Gain,"
    "Elevation Loss,Elevation Low,Elevation High,Max Grade,Average Grade,"
    "Average Positive Grade,Average Negative Grade,Max Cadence,Average Cadence,"
    "Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,"
    "Max Temperature,Average Temperature,Relative Effort,Total Work,Number of Runs,"
    "Uphill Time,Downhill Time,Other Time,Perceived Exertion,Type,Start Time,"
    "Weighted Average Power,Power Count,Prefer Perceived Exertion,"
    "Perceived Relative Effort,Commute,Total Weight Lifted,From Upload,"
    "Grade Adjusted Distance,Weather Observation Time,Weather Condition,"
    "Weather Temperature,Apparent Temperature,Dewpoint,Humidity,Weather Pressure,"
    "Wind Speed,Wind Gust,Wind Bearing,Precipitation Intensity,Sunrise Time,"
    "Sunset Time,Moon Phase,Bike,Gear,Precipitation Probability,Precipitation Type,"
    "Cloud Cover,Weather Visibility,UV Index,Weather Ozone,Jump Count,Total Grit,"
    "Average Flow,Flagged,Average Elapsed Speed,Dirt Distance,"
    "Newly Explored Distance,Newly Explored Dirt Distance,Activity Count,"
    "Total Steps,Carbon Saved,Pool Length,Training Load,Intensity,"
    "Average Grade Adjusted Pace,Timer Time,Total Cycles,Recovery,With Pet,"
    "Competition,Long Run,For a Cause,With Kid,Downhill Distance,Total Sets,"
    "Total Reps,Media"
)
COLUMNS = HEADER.split(",")

# Strava's English labels for the sport types the sample uses.
TYPE_LABELS = {
    "Run": "Run",
    "TrailRun": "Trail Run",
    "Ride": "Ride",
    "VirtualRide": "Virtual Ride",
    "Walk": "Walk",
}
GEAR = {
    "Run": "Grey road shoes",
    "TrailRun": "Lugged trail shoes",
    "Ride": "Blue audax",
}

# Strava's GPX writes the activity type as a number: 1 for a ride, 9 for a run.
GPX_TYPES = {"Ride": "1", "Run": "9", "TrailRun": "9"}
POINT_SPACING_S = {"Ride": 15, "Run": 10, "TrailRun": 10}
HOME = (51.4613, -0.3017)  # an invented start point

MONTHS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]


def write_activities_csv(activities: list[Activity], folder: Path) -> Path:
    """Write activities.csv, newest first, as Strava's current export lays it out.

    Cells are quoted only where needed, so the date ("May 13, 2026, 9:54:42 AM",
    UTC) and multi-line descriptions are quoted. An empty Media cell is written as
    "" because Strava writes it that way.
    """
    out = io.StringIO()
    out.write(HEADER + "\n")
    for activity in sorted(activities, key=lambda a: a.start, reverse=True):
        cells = _row(activity)
        line = io.StringIO()
        csv.writer(line, lineterminator="\n").writerow(cells[:-1])
        out.write(line.getvalue()[:-1] + ',""\n')
    path = folder / EXPORT_DIR / "activities.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def write_recordings(activities: list[Activity], folder: Path) -> list[Path]:
    """Write activities/<upload id>.gpx.gz for every activity that has a recording."""
    written = []
    for activity in activities:
        if not activity.has_recording:
            continue
        path = folder / EXPORT_DIR / recording_name(activity)
        path.parent.mkdir(parents=True, exist_ok=True)
        xml = gpx_document(activity).to_xml(version="1.1")
        # mtime=0 keeps the gzip header, and so the file, the same on every run.
        path.write_bytes(gzip.compress(xml.encode("utf-8"), mtime=0))
        written.append(path)
    return written


def recording_name(activity: Activity) -> str:
    return f"activities/{activity.upload_id}.gpx.gz"


def activity_date(moment: datetime) -> str:
    """Format a UTC instant as the export does: "May 13, 2026, 9:54:42 AM"."""
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    month = MONTHS[moment.month - 1]
    return f"{month} {moment.day}, {moment.year}, {hour}:{moment:%M:%S} {half}"


def gpx_document(activity: Activity) -> gpxpy.gpx.GPX:
    """Build the recording: first point at the start, no points during pauses."""
    rng = random.Random(activity.upload_id)
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "StravaGPX Android"
    gpx.time = activity.start
    track = gpxpy.gpx.GPXTrack(name=activity.name)
    track.type = GPX_TYPES[activity.sport_type]
    segment = gpxpy.gpx.GPXTrackSegment()
    track.segments.append(segment)
    gpx.tracks.append(track)

    speed = activity.distance_m / max(activity.moving_s, 1)
    latitude, longitude, elevation = *HOME, 20.0
    heading = rng.uniform(0, 2 * math.pi)
    previous = activity.start
    for moment in _point_times(activity):
        if not _in_pause(activity, previous, moment):
            metres = speed * (moment - previous).total_seconds()
            heading += rng.uniform(-0.25, 0.25)
            latitude += metres * math.cos(heading) / 111_320
            longitude += metres * math.sin(heading) / 69_400
            elevation = max(0.0, elevation + rng.uniform(-1.5, 1.5))
        point = gpxpy.gpx.GPXTrackPoint(
            round(latitude, 7), round(longitude, 7), round(elevation, 1), moment
        )
        segment.points.append(point)
        previous = moment
    return gpx


def _point_times(activity: Activity) -> list[datetime]:
    # Every few seconds while moving, plus one point on each side of each pause.
    step = timedelta(seconds=POINT_SPACING_S[activity.sport_type])
    times = {activity.start, activity.end}
    for pause in activity.pauses:
        times |= {pause.paused_at, pause.resumed_at}
    moment = activity.start
    while moment < activity.end:
        if not any(p.paused_at < moment < p.resumed_at for p in activity.pauses):
            times.add(moment)
        moment += step
    return sorted(times)


def _in_pause(activity: Activity, before: datetime, after: datetime) -> bool:
    return any(before >= p.paused_at and after <= p.resumed_at for p in activity.pauses)


def _row(activity: Activity) -> list[str]:
    # Figures Soundtrack never reads (heart rate, elevation, load) are invented per
    # activity from its id, so each row stays the same whatever else changes.
    rng = random.Random(activity.id)
    km = activity.distance_m / 1000
    avg_hr = rng.randint(128, 158)
    max_hr = avg_hr + rng.randint(12, 30)
    effort = round(activity.moving_s / 60 * rng.uniform(0.6, 1.6))
    gain = round(km * rng.uniform(2, 12), 1)
    low = round(rng.uniform(5, 30), 1)
    ride = activity.sport_type in ("Ride", "VirtualRide")
    values = {
        ("Activity ID", 0): str(activity.id),
        ("Activity Date", 0): activity_date(activity.start),
        ("Activity Name", 0): activity.name,
        ("Activity Type", 0): TYPE_LABELS[activity.sport_type],
        ("Activity Description", 0): activity.description,
        ("Elapsed Time", 0): str(activity.elapsed_s),
        ("Distance", 0): f"{km:.2f}",
        ("Max Heart Rate", 0): f"{max_hr}.0",
        ("Relative Effort", 0): str(effort),
        ("Commute", 0): "false",
        ("Activity Gear", 0): GEAR.get(activity.sport_type, ""),
        ("Filename", 0): recording_name(activity) if activity.has_recording else "",
        ("Bike Weight", 0): "9.0" if ride else "",
        ("Elapsed Time", 1): f"{activity.elapsed_s}.0",
        ("Moving Time", 0): f"{activity.moving_s}.0",
        ("Distance", 1): str(round(activity.distance_m, 1)),
        ("Max Speed", 0): str(round(activity.distance_m / activity.moving_s * 1.6, 2)),
        ("Average Speed", 0): str(round(activity.distance_m / activity.moving_s, 3)),
        ("Elevation Gain", 0): str(gain),
        ("Elevation Loss", 0): str(round(gain * rng.uniform(0.9, 1.1), 1)),
        ("Elevation Low", 0): str(low),
        ("Elevation High", 0): str(round(low + gain / 4, 1)),
        ("Average Grade", 0): "0.0",
        ("Max Heart Rate", 1): f"{max_hr}.0",
        ("Average Heart Rate", 0): f"{avg_hr}.0",
        ("Calories", 0): f"{round(activity.moving_s / 60 * rng.uniform(8, 12))}.0",
        ("Relative Effort", 1): f"{effort}.0",
        ("Commute", 1): "0.0",
        ("From Upload", 0): "1.0",
        ("Flagged", 0): "0.0",
        ("Average Elapsed Speed", 0): str(
            round(activity.distance_m / activity.elapsed_s, 3)
        ),
        ("Dirt Distance", 0): "0.0",
        ("Training Load", 0): f"{round(effort * 1.2)}.0",
        ("Intensity", 0): f"{rng.randint(60, 110)}.0",
    }
    seen: dict[str, int] = {}
    cells = []
    for name in COLUMNS:
        occurrence = seen.get(name, 0)
        seen[name] = occurrence + 1
        cells.append(values.get((name, occurrence), ""))
    return cells
