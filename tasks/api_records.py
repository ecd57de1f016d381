"""Turn Spotify and Strava API payloads into the storage column contract."""

import re
from collections.abc import Iterable

import pandas as pd

from storage.records import ACTIVITY_COLUMNS, PLAY_COLUMNS, conform

# Strava writes the zone as "(GMT-08:00) America/Los_Angeles". The offset in the label
# is the standard one even in summer, so only the IANA name after it is used.
_TIMEZONE_LABEL = re.compile(r"^\(GMT[+-]\d{2}:\d{2}\)\s+(?P<name>\S+)$")


def plays_from_recently_played(items: Iterable[dict]) -> pd.DataFrame:
    """Return plays from recently-played items; played_at is the end of the play.

    The API gives the track length, not the time listened, so a skipped track counts
    as played in full. Items that are not catalogue tracks are left out.
    """
    rows = []
    for item in items:
        track = item.get("track") or {}
        uri = track.get("uri") or ""
        if track.get("type", "track") != "track" or not uri.startswith(
            "spotify:track:"
        ):
            continue
        artists = track.get("artists") or [{}]
        rows.append(
            {
                "source": "recently_played",
                "ended_at": _utc(item["played_at"]),
                "ms_played": int(track["duration_ms"]),
                "end_uncertainty_s": 0,
                "track_uri": uri,
                "track_name": track.get("name") or "",
                # The exports name only the first artist, so plays from both sources
                # get the same track identity.
                "artist_name": artists[0].get("name") or "",
                "album_name": (track.get("album") or {}).get("name"),
                "source_file": "recently-played API",
            }
        )
    return conform(pd.DataFrame(rows), PLAY_COLUMNS)


def activities_from_strava(activities: Iterable[dict]) -> pd.DataFrame:
    """Return activities from Strava summaries or details.

    The window is start_date (UTC) plus elapsed_time; start_date_local is local time
    although it ends in "Z", so it is never used as an instant.
    """
    rows = [_activity_row(activity) for activity in activities]
    return conform(pd.DataFrame(rows), ACTIVITY_COLUMNS)


def _activity_row(activity: dict) -> dict:
    return {
        "activity_id": str(activity["id"]),
        "strava_id": int(activity["id"]),
        "name": activity.get("name"),
        "sport_type": activity.get("sport_type") or activity.get("type"),
        "start_at": _utc(activity["start_date"]),
        "elapsed_s": int(activity["elapsed_time"]),
        "moving_s": activity.get("moving_time"),
        "distance_m": activity.get("distance"),
        "timezone": timezone_name(activity.get("timezone")),
        "utc_offset_s": _int_or_none(activity.get("utc_offset")),
        # Summaries carry no description; None keeps the stored one.
        "description": activity.get("description"),
        "source": "strava_api",
        "source_file": "Strava API",
    }


def timezone_name(label: str | None) -> str | None:
    """Return the IANA name in a Strava timezone label, or None."""
    match = _TIMEZONE_LABEL.match(label or "")
    return match.group("name") if match else None


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC").tz_localize(None)


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(float(value))
