"""The /_sandbox admin API, so another process (the demo, the CLI) can drive the world."""

from dataclasses import asdict
from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import AwareDatetime, BaseModel

from sandbox.faults import FaultSettings
from sandbox.oauth import grant
from sandbox.ratelimit import SpotifyLimits, StravaLimits
from sandbox.responses import ApiError
from sandbox.scenario import Activity, Play, Scenario
from sandbox.webhooks import WebhookSettings
from sandbox.world import OAuthOptions

router = APIRouter()


def _world(request: Request):
    return request.app.state.world


def _not_found(error: KeyError) -> ApiError:
    return ApiError(404, {"error": f"not found: {error.args[0]}"})


class ClockChange(BaseModel):
    """Either an absolute time or a number of seconds to move forwards."""

    now: AwareDatetime | None = None
    advance_s: float | None = None


class FailNext(BaseModel):
    """A one-shot fault: the next `count` requests to `path` (glob) fail."""

    path: str
    count: int = 1
    status: int = 500
    method: str | None = None
    headers: dict[str, str] = {}
    body: dict | list | str | None = None
    drop: bool = False


class GrantRequest(BaseModel):
    service: str
    user: str
    scopes: list[str] | None = None


class Limits(BaseModel):
    spotify: SpotifyLimits
    strava: StravaLimits


def _clock_body(now: datetime) -> dict:
    return {"now": now.isoformat().replace("+00:00", "Z")}


@router.get("/clock")
async def get_clock(request: Request):
    """Return the sandbox time."""
    return _clock_body(_world(request).clock.now())


@router.post("/clock")
async def change_clock(change: ClockChange, request: Request):
    """Set the clock to `now` or advance it by `advance_s` seconds."""
    clock = _world(request).clock
    if change.now is not None:
        clock.set(change.now)
    if change.advance_s is not None:
        clock.advance(change.advance_s)
    return _clock_body(clock.now())


@router.post("/scenario")
async def load_scenario(scenario: Scenario, request: Request):
    """Replace the users with the posted scenario."""
    _world(request).load(scenario)
    return {"users": [user.key for user in scenario.users]}


@router.post("/users/{user_key}/plays")
async def add_plays(user_key: str, plays: list[Play], request: Request):
    """Append plays to a user's listening history."""
    try:
        return {"added": _world(request).add_plays(user_key, plays)}
    except KeyError as error:
        raise _not_found(error) from error


@router.post("/users/{user_key}/activities")
async def add_activities(user_key: str, activities: list[Activity], request: Request):
    """Add activities to a user; uploaded ones trigger create events."""
    try:
        return {"added": _world(request).add_activities(user_key, activities)}
    except KeyError as error:
        raise _not_found(error) from error


@router.patch("/users/{user_key}/activities/{activity_id}")
async def edit_activity(user_key: str, activity_id: int, request: Request):
    """Edit an activity as its owner would (name, description, type, private)."""
    changes = await request.json()
    try:
        activity = _world(request).edit_activity(user_key, activity_id, changes)
    except KeyError as error:
        raise _not_found(error) from error
    return activity.model_dump(mode="json")


@router.delete("/users/{user_key}/activities/{activity_id}")
async def delete_activity(user_key: str, activity_id: int, request: Request):
    """Delete an activity as its owner would."""
    try:
        _world(request).delete_activity(user_key, activity_id)
    except KeyError as error:
        raise _not_found(error) from error
    return {"deleted": activity_id}


@router.post("/grant")
async def grant_tokens(body: GrantRequest, request: Request):
    """Issue tokens as if the user completed OAuth; returns the token response."""
    try:
        return grant(_world(request), body.service, body.user, body.scopes)
    except KeyError as error:
        raise _not_found(error) from error
    except ValueError as error:
        raise ApiError(400, {"error": str(error)}) from error


@router.get("/faults")
async def get_faults(request: Request):
    """Return the random-fault settings and pending one-shots."""
    faults = _world(request).faults
    return {
        "settings": faults.settings.model_dump(),
        "one_shots": [asdict(shot) for shot in faults.one_shots],
    }


@router.put("/faults")
async def set_faults(settings: FaultSettings, request: Request):
    """Replace the random-fault settings."""
    _world(request).faults.configure(settings)
    return settings.model_dump()


@router.post("/faults/fail-next")
async def fail_next(shot: FailNext, request: Request):
    """Queue a one-shot fault."""
    _world(request).faults.fail_next(
        shot.path,
        shot.count,
        shot.status,
        method=shot.method,
        headers=shot.headers,
        body=shot.body,
        drop=shot.drop,
    )
    return shot.model_dump()


@router.delete("/faults")
async def clear_faults(request: Request):
    """Turn every fault off."""
    _world(request).faults.clear()
    return {"cleared": True}


@router.get("/limits")
async def get_limits(request: Request):
    """Return both services' rate limits."""
    world = _world(request)
    return Limits(
        spotify=world.spotify_limiter.limits, strava=world.strava_limiter.limits
    ).model_dump()


@router.put("/limits")
async def set_limits(limits: Limits, request: Request):
    """Replace both services' rate limits and forget the counts so far."""
    world = _world(request)
    world.spotify_limiter.limits = limits.spotify
    world.strava_limiter.limits = limits.strava
    world.spotify_limiter.reset()
    world.strava_limiter.reset()
    return limits.model_dump()


@router.get("/options")
async def get_options(request: Request):
    """Return the OAuth behaviour options."""
    return _world(request).options.model_dump()


@router.put("/options")
async def set_options(options: OAuthOptions, request: Request):
    """Replace the OAuth behaviour options."""
    _world(request).options = options
    return options.model_dump()


@router.put("/webhooks/settings")
async def set_webhook_settings(settings: WebhookSettings, request: Request):
    """Replace the webhook delivery settings."""
    _world(request).webhooks.configure(settings)
    return settings.model_dump()


@router.get("/webhooks/deliveries")
async def list_deliveries(request: Request):
    """Return every webhook delivery attempt so far."""
    return [asdict(d) for d in _world(request).webhooks.deliveries()]


@router.get("/requests")
async def list_requests(request: Request, service: str | None = None):
    """Return the request log, optionally for one service (spotify, strava, admin)."""
    records = _world(request).state.requests(service)
    return [
        {**asdict(record), "time": record.time.isoformat().replace("+00:00", "Z")}
        for record in records
    ]


@router.get("/playlists")
async def list_playlists(request: Request, user: str | None = None):
    """Return the stored playlists, optionally only one user's."""
    playlists = _world(request).state.playlists.values()
    return [
        {
            "id": p.id,
            "owner": p.owner_key,
            "name": p.name,
            "description": p.description,
            "public": p.public,
            "uris": [item.uri for item in p.items],
        }
        for p in playlists
        if user in (None, p.owner_key)
    ]
