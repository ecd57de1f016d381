"""Flow: ingest plays and activities, match them, and publish new soundtracks."""

from dataclasses import dataclass, field
from urllib.parse import quote

from filelock import FileLock, Timeout
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from clients.errors import ClientError, NotFound, ReconnectNeeded
from clients.spotify import SpotifyClient
from clients.strava import StravaClient
from soundtrack.preferences import PublishSettings
from soundtrack.settings import get_settings
from storage.db import connect
from storage.preferences import load_preference
from storage.publishing import activities_to_publish
from tasks.ingest_spotify import SpotifyIngestResult, ingest_recently_played
from tasks.ingest_strava import StravaIngestResult, ingest_activities
from tasks.matching import match_soundtracks
from tasks.publish import PublishOutcome, publish_activity
from tasks.remote import SpotifyService, StravaService
from tasks.strava_events import apply_events, collect_spool


@dataclass(frozen=True)
class Linked:
    """One stored connection of a user to a service."""

    account_id: str | None
    status: str  # connected or reconnect_needed
    reason: str | None


@dataclass
class UserSync:
    """One user's sync result; problems are messages a person can act on."""

    user_id: str
    spotify: SpotifyIngestResult | None = None
    strava: StravaIngestResult | None = None
    published: list[PublishOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@task(cache_policy=NO_CACHE, persist_result=False)
def ingest_spotify(user_id: str) -> SpotifyIngestResult:
    """Store the user's new recently-played tracks."""
    with SpotifyClient(user_id) as client:
        return ingest_recently_played(user_id, SpotifyService(client))


@task(cache_policy=NO_CACHE, persist_result=False)
def ingest_strava(user_id: str, athlete_id: int | None) -> StravaIngestResult:
    """Store the user's new activities, then apply their pending push events."""
    with StravaClient(user_id) as client:
        service = StravaService(client)
        result = ingest_activities(user_id, service, not_found=NotFound)
        collect_spool(get_settings().data_dir / "strava_events")
        if athlete_id is not None:
            events = apply_events(user_id, athlete_id, service, NotFound)
            result.missing.extend(events.missing)
        return result


@task(cache_policy=NO_CACHE, persist_result=False)
def publish(user_id: str, with_strava: bool) -> list[PublishOutcome]:
    """Publish every matched activity whose playlist or description is unfinished."""
    lock = FileLock(
        get_settings().data_dir / "locks" / f"{quote(user_id, safe='')}.publish.lock"
    )
    try:
        # Two syncs publishing at once could both create a playlist for one activity.
        lock.acquire(timeout=0)
    except Timeout:
        raise PublishBusy(
            f"another sync is publishing for {user_id}; skipped this time"
        ) from None
    try:
        return _publish_pending(user_id, with_strava)
    finally:
        lock.release()


class PublishBusy(ClientError):
    """Another process holds the user's publish lock."""


def _publish_pending(user_id: str, with_strava: bool) -> list[PublishOutcome]:
    with connect() as con:
        settings = load_preference(con, user_id, "publish", PublishSettings)
        pending = activities_to_publish(con, user_id)
    outcomes = []
    with SpotifyClient(user_id) as spotify, StravaClient(user_id) as strava:
        descriptions = StravaService(strava) if with_strava else None
        for activity_id in pending:
            outcomes.append(
                publish_activity(
                    user_id,
                    activity_id,
                    settings,
                    SpotifyService(spotify),
                    descriptions,
                )
            )
    return outcomes


@flow(name="sync", persist_result=False)
def sync(user_id: str | None = None) -> list[UserSync]:
    """Sync every connected user (or one): ingest, match, publish; safe to re-run."""
    with connect() as con:
        users = _connected_users(con, user_id)
    return [_sync_user(user, services) for user, services in users.items()]


def _sync_user(user_id: str, services: dict[str, Linked]) -> UserSync:
    logger = get_run_logger()
    report = UserSync(user_id)
    usable = {}
    for service, linked in services.items():
        if linked.status == "connected":
            usable[service] = linked.account_id
        else:
            # Token requests stopped when the grant was rejected, so report it every run.
            error = ReconnectNeeded(service, user_id, linked.reason)
            report.problems.append(str(error))
    spotify_ok = "spotify" in usable and _step(
        report, ingest_spotify, user_id, key="spotify"
    )
    strava_ok = "strava" in usable and _step(
        report, ingest_strava, user_id, _int(usable.get("strava")), key="strava"
    )
    with connect() as con:
        match_soundtracks(con, user_id)
    if spotify_ok:
        outcomes = _step(report, publish, user_id, strava_ok, key=None)
        report.published = outcomes or []
    for problem in report.problems:
        logger.warning("user %s: %s", user_id, problem)
    return report


def _step(report: UserSync, step, *args, key: str | None):
    # A rate limit, a lapsed grant or a missing scope ends this user's step with a
    # message; the other steps and users go on.
    try:
        result = step(*args)
    except ClientError as error:
        report.problems.append(str(error))
        return None
    if key is not None:
        setattr(report, key, result)
    return result if key is None else True


def _connected_users(con, only: str | None) -> dict[str, dict[str, Linked]]:
    rows = con.execute(
        "SELECT user_id, service, account_id, status, status_reason FROM connections"
        " WHERE status <> 'disconnected' AND ($only IS NULL OR user_id = $only)"
        " ORDER BY user_id, service",
        {"only": only},
    ).fetchall()
    users: dict[str, dict[str, Linked]] = {}
    for user, service, account, status, reason in rows:
        users.setdefault(user, {})[service] = Linked(account, status, reason)
    return users


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
