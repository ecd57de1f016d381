"""Turn a sample world into a scenario for the API sandbox."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sample.world import Activity, World
from sandbox.scenario import Activity as SandboxActivity
from sandbox.scenario import Play as SandboxPlay
from sandbox.scenario import Scenario, User


def world_to_scenario(world: World, user_key: str = "demo") -> Scenario:
    """Return a one-user scenario with the world's catalogue plays and activities.

    Episodes are left out because recently-played lists only tracks; local files stay,
    with spotify:local: URIs, so that publishing has one to leave out.
    """
    listening = [
        SandboxPlay(
            uri=play.uri
            or f"spotify:local:{play.artist}:{play.album or ''}:{play.name}:"
            f"{play.duration_ms // 1000}",
            name=play.name,
            artists=[play.artist],
            album=play.album or "Unknown Album",
            duration_ms=play.duration_ms,
            played_at=play.ended_at.replace(tzinfo=UTC),
        )
        for play in world.plays
        if play.kind in ("track", "local")
    ]
    user = User(
        key=user_key,
        spotify_display_name="Sample Runner",
        spotify_user_id="samplerunner",
        strava_athlete_id=90000007,
        listening=listening,
        activities=[_activity(activity) for activity in world.activities],
    )
    start = datetime.combine(world.start, datetime.min.time(), tzinfo=UTC)
    return Scenario(users=[user], clock_start=start)


def _activity(activity: Activity) -> SandboxActivity:
    start = activity.start.replace(tzinfo=UTC)
    offset = ZoneInfo(activity.timezone).utcoffset(start.replace(tzinfo=None))
    standard = ZoneInfo(activity.timezone).utcoffset(datetime(start.year, 1, 15))
    total_minutes = int(standard.total_seconds()) // 60
    sign = "+" if total_minutes >= 0 else "-"
    hours, minutes = divmod(abs(total_minutes), 60)
    return SandboxActivity(
        id=activity.id,
        name=activity.name,
        sport_type=activity.sport_type,
        start_date=start,
        # Strava's label shows the standard offset even in summer.
        timezone=f"(GMT{sign}{hours:02d}:{minutes:02d}) {activity.timezone}",
        utc_offset=offset.total_seconds(),
        elapsed_time=activity.elapsed_s,
        moving_time=activity.moving_s,
        distance=activity.distance_m,
        description=activity.description or None,
    )
