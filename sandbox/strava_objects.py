"""Strava response bodies built from scenario data, shaped like the real payloads."""

from datetime import timedelta

from sandbox.clock import iso_s
from sandbox.scenario import Activity, User

# Every stream type Strava can return for an activity.
STREAM_TYPES = (
    "time", "distance", "latlng", "altitude", "velocity_smooth", "heartrate",
    "cadence", "watts", "temp", "moving", "grade_smooth",
)  # fmt: skip


def _names(user: User) -> tuple[str, str]:
    first, _, last = user.spotify_display_name.partition(" ")
    return first, last


def athlete_summary(user: User) -> dict:
    """Build the athlete summary that a code exchange returns (resource_state 2)."""
    first, last = _names(user)
    profile = f"https://example.invalid/athletes/{user.strava_athlete_id}"
    return {
        "id": user.strava_athlete_id,
        "username": user.key,
        "resource_state": 2,
        "firstname": first,
        "lastname": last,
        "city": None,
        "state": None,
        "country": None,
        "sex": None,
        "premium": False,
        "summit": False,
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
        "badge_type_id": 0,
        "profile_medium": f"{profile}/medium.jpg",
        "profile": f"{profile}/large.jpg",
        "friend": None,
        "follower": None,
    }


def athlete_detail(user: User) -> dict:
    """Build GET /athlete's detailed athlete (resource_state 3)."""
    body = athlete_summary(user)
    body["resource_state"] = 3
    body.update(
        {
            "bio": None,
            "weight": None,
            "blocked": False,
            "can_follow": True,
            "follower_count": 0,
            "friend_count": 0,
            "mutual_friend_count": 0,
            "athlete_type": 1,
            "date_preference": "%m/%d/%Y",
            "measurement_preference": "meters",
            "clubs": [],
            "postable_clubs_count": 0,
            "ftp": None,
            "bikes": [],
            "shoes": [],
        }
    )
    return body


def _local_start(activity: Activity) -> str:
    # Strava writes local wall time with a "Z" suffix, though it is not UTC.
    local = activity.start_date + timedelta(seconds=activity.utc_offset)
    return iso_s(local)


def summary_activity(activity: Activity, athlete_id: int) -> dict:
    """Build a SummaryActivity (resource_state 2); summaries carry no description."""
    moving = activity.moving_time or activity.elapsed_time
    speed = round(activity.distance / moving, 3) if moving else 0.0
    return {
        "resource_state": 2,
        "athlete": {"id": athlete_id, "resource_state": 1},
        "name": activity.name,
        "distance": float(activity.distance),
        "moving_time": moving,
        "elapsed_time": activity.elapsed_time,
        "total_elevation_gain": 0.0,
        "type": activity.type or activity.sport_type,
        "sport_type": activity.sport_type,
        "workout_type": None,
        "id": activity.id,
        "start_date": iso_s(activity.start_date),
        "start_date_local": _local_start(activity),
        "timezone": activity.timezone,
        "utc_offset": float(activity.utc_offset),
        "location_city": None,
        "location_state": None,
        "location_country": None,
        "achievement_count": 0,
        "kudos_count": 0,
        "comment_count": 0,
        "athlete_count": 1,
        "photo_count": 0,
        "map": {"id": f"a{activity.id}", "summary_polyline": "", "resource_state": 2},
        "trainer": False,
        "commute": False,
        "manual": False,
        "private": activity.private,
        "visibility": "only_me" if activity.private else "everyone",
        "flagged": False,
        "gear_id": None,
        "start_latlng": [],
        "end_latlng": [],
        "average_speed": speed,
        "max_speed": speed,
        # Strava leaves the heart-rate keys out without a heart-rate stream; the
        # sandbox's runs all have one, as the real samples do.
        "has_heartrate": True,
        "average_heartrate": 150.0,
        "max_heartrate": 170.0,
        "heartrate_opt_out": False,
        "display_hide_heartrate_option": False,
        "elev_high": 0.0,
        "elev_low": 0.0,
        "upload_id": activity.id + 1_000_000_000,
        "upload_id_str": str(activity.id + 1_000_000_000),
        "external_id": f"sandbox_{activity.id}.fit",
        "from_accepted_tag": False,
        "pr_count": 0,
        "total_photo_count": 0,
        "has_kudoed": False,
        "suffer_score": 50.0,
    }


def detailed_activity(activity: Activity, athlete_id: int) -> dict:
    """Build a DetailedActivity (resource_state 3), which adds the description."""
    body = summary_activity(activity, athlete_id)
    body["resource_state"] = 3
    body["map"] = {
        "id": f"a{activity.id}",
        "polyline": "",
        "resource_state": 3,
        "summary_polyline": "",
    }
    body.update(
        {
            "description": activity.description,
            "calories": 0.0,
            "perceived_exertion": None,
            "prefer_perceived_exertion": None,
            "segment_efforts": [],
            "splits_metric": [],
            "splits_standard": [],
            "laps": [],
            "best_efforts": [],
            "photos": {"primary": None, "count": 0},
            "stats_visibility": [],
            "hide_from_home": False,
            "device_name": "Sandbox",
            "embed_token": f"sandbox{activity.id}",
            "available_zones": [],
        }
    )
    return body


def stream_points(activity: Activity) -> dict[str, list]:
    """Build one-per-second streams over the elapsed time at an even pace."""
    seconds = list(range(activity.elapsed_time + 1))
    pace = activity.distance / activity.elapsed_time
    return {
        "time": seconds,
        "distance": [round(second * pace, 1) for second in seconds],
        "latlng": [[0.0, round(second * pace / 111_320, 6)] for second in seconds],
        "altitude": [10.0 for _ in seconds],
        "velocity_smooth": [round(pace, 2) for _ in seconds],
        "moving": [True for _ in seconds],
        "grade_smooth": [0.0 for _ in seconds],
    }


def streams_body(activity: Activity, keys: list[str], key_by_type: bool):
    """Build the streams response body: keyed by type, or the list form when not keyed."""
    points = stream_points(activity)
    chosen = [key for key in keys if key in points]
    # With key_by_type, Strava always adds "distance" (as series_type).
    if "distance" not in chosen:
        chosen.append("distance")
    streams = {}
    for key in chosen:
        data = points[key]
        streams[key] = {
            "data": data,
            "series_type": "distance",
            "original_size": len(data),
            "resolution": "high",
        }
    if key_by_type:
        return streams
    return [{"type": key, **value} for key, value in streams.items()]


UPDATABLE = {
    "name": "name",
    "description": "description",
    "sport_type": "sport_type",
    "type": "type",
}


def apply_update(activity, body: dict) -> dict:
    """Apply editable fields from `body`; return the webhook `updates` they cause."""
    updates = {}
    for field, attribute in UPDATABLE.items():
        if field in body:
            setattr(activity, attribute, body[field])
    if "private" in body:
        activity.private = str(body["private"]).lower() in ("true", "1")
        updates["private"] = "true" if activity.private else "false"
    # Strava reports only title, type and privacy changes in `updates`.
    if "name" in body:
        updates["title"] = body["name"]
    if "type" in body or "sport_type" in body:
        updates["type"] = body.get("sport_type", body.get("type"))
    return updates
