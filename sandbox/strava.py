"""The Strava API v3 subset Soundtrack calls, under /strava/api/v3."""

from datetime import UTC

from fastapi import APIRouter, Request

from sandbox import strava_objects as objects
from sandbox.oauth import find_access_token, world_of
from sandbox.responses import ApiError, add_headers, read_body, reply, strava_fault
from sandbox.state import Subscription
from sandbox.webhooks import is_loopback_url, verify_callback

router = APIRouter()

READ_SCOPES = ("activity:read", "activity:read_all")


def _authorize(request: Request, write: bool = False):
    """Check the token and count it against the rate limits; return (world, token)."""
    world = world_of(request)
    token = find_access_token(world, "strava", request)
    if token is None:
        raise strava_fault(401, "Authorization Error", "Application", "", "invalid")
    request.state.user_key = token.user_key
    verdict = world.strava_limiter.check(token.client_id, request.method == "GET")
    add_headers(request, verdict.headers)
    if verdict.limited:
        raise strava_fault(
            429, "Rate Limit Exceeded", "Application", "rate limit", "exceeded"
        )
    return world, token


def _require_scope(token, any_of: tuple[str, ...], permission: str) -> None:
    if not token.scopes.intersection(any_of):
        raise strava_fault(
            401, "Authorization Error", "AccessToken", permission, "missing"
        )


def _not_found() -> ApiError:
    # Strava responds to an unknown activity id with 404 and an EMPTY body.
    return ApiError(404, None)


def _visible_to(token, activity) -> bool:
    """Whether the token may see the activity; only_me ones need activity:read_all."""
    return not activity.private or "activity:read_all" in token.scopes


@router.get("/athlete")
async def get_athlete(request: Request):
    """Return the authenticated athlete."""
    world, token = _authorize(request)
    return reply(request, objects.athlete_detail(world.state.user(token.user_key)))


def _epoch_param(request: Request, name: str) -> float | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except ValueError as error:
        raise strava_fault(400, "Bad Request", "Activity", name, "invalid") from error


def _page_params(request: Request) -> tuple[int, int]:
    try:
        page = int(request.query_params.get("page", 1))
        per_page = int(request.query_params.get("per_page", 30))
    except ValueError as error:
        raise strava_fault(400, "Bad Request", "Activity", "page", "invalid") from error
    # Strava serves at most 200 per page whatever per_page asks for.
    return max(page, 1), min(max(per_page, 1), 200)


@router.get("/athlete/activities")
async def list_activities(request: Request):
    """List the athlete's visible activities as summaries (no description)."""
    world, token = _authorize(request)
    _require_scope(token, READ_SCOPES, "activity:read_permission")
    before = _epoch_param(request, "before")
    after = _epoch_param(request, "after")
    page, per_page = _page_params(request)
    user = world.state.user(token.user_key)
    chosen = [
        a
        for a in world.state.visible_activities(token.user_key)
        if _visible_to(token, a)
        and (before is None or a.start_date.timestamp() < before)
        and (after is None or a.start_date.timestamp() > after)
    ]
    # With only `after`, Strava lists oldest first, otherwise newest first.
    # NOTE: taken from client reports, not from Strava's reference.
    oldest_first = after is not None and before is None
    chosen.sort(key=lambda a: a.start_date, reverse=not oldest_first)
    start = (page - 1) * per_page
    summaries = [
        objects.summary_activity(a, user.strava_athlete_id)
        for a in chosen[start : start + per_page]
    ]
    return reply(request, summaries)


def _owned_activity(world, token, activity_id: int):
    found = world.state.find_activity(activity_id)
    if found is None:
        raise _not_found()
    user, activity = found
    if user.key != token.user_key or not _visible_to(token, activity):
        raise _not_found()
    return user, activity


@router.get("/activities/{activity_id}")
async def get_activity(activity_id: int, request: Request):
    """Return one activity in detail, with its description."""
    world, token = _authorize(request)
    _require_scope(token, READ_SCOPES, "activity:read_permission")
    user, activity = _owned_activity(world, token, activity_id)
    return reply(request, objects.detailed_activity(activity, user.strava_athlete_id))


@router.put("/activities/{activity_id}")
async def update_activity(activity_id: int, request: Request):
    """Update an activity from a form or JSON body; `description` replaces the text."""
    world, token = _authorize(request, write=True)
    _require_scope(token, ("activity:write",), "activity:write_permission")
    _require_scope(token, READ_SCOPES, "activity:read_permission")
    user, activity = _owned_activity(world, token, activity_id)
    body = await read_body(request)
    updates = objects.apply_update(activity, body)
    world.webhooks.emit(
        user.strava_athlete_id, "activity", activity.id, "update", updates
    )
    return reply(request, objects.detailed_activity(activity, user.strava_athlete_id))


@router.get("/activities/{activity_id}/streams")
async def get_streams(activity_id: int, request: Request):
    """Return an activity's streams; without `keys` only distance is sent."""
    world, token = _authorize(request)
    _require_scope(token, READ_SCOPES, "activity:read_permission")
    _user, activity = _owned_activity(world, token, activity_id)
    keys_param = request.query_params.get("keys", "")
    keys = [key.strip() for key in keys_param.split(",") if key.strip()]
    key_by_type = request.query_params.get("key_by_type", "").lower() == "true"
    return reply(request, objects.streams_body(activity, keys, key_by_type))


# ---------------------------------------------------------------- push subscriptions


def _check_app(world, params: dict) -> None:
    app = world.strava_app
    if str(params.get("client_id", "")) != app.client_id:
        raise strava_fault(400, "Bad Request", "Application", "client_id", "invalid")
    if params.get("client_secret") != app.client_secret:
        raise strava_fault(
            400, "Bad Request", "Application", "client_secret", "invalid"
        )


async def _params(request: Request) -> dict:
    params = dict(request.query_params)
    params.update(await read_body(request))
    return params


@router.post("/push_subscriptions")
async def create_subscription(request: Request):
    """Verify the callback with a hub.challenge GET, then subscribe; responds 201."""
    world = world_of(request)
    params = await _params(request)
    _check_app(world, params)
    callback = params.get("callback_url", "")
    if not is_loopback_url(callback):
        raise strava_fault(
            400, "Bad Request", "PushSubscription", "callback url", "invalid"
        )
    if any(
        s.client_id == world.strava_app.client_id
        for s in world.state.subscriptions.values()
    ):
        raise strava_fault(400, "Bad Request", "PushSubscription", "", "already exists")
    verify_token = params.get("verify_token", "")
    timeout = world.webhooks.settings.handshake_timeout_s
    if not await verify_callback(callback, verify_token, timeout):
        raise strava_fault(
            400,
            "Bad Request",
            "PushSubscription",
            "callback url",
            "GET to callback URL does not return 200",
        )
    return reply(request, {"id": _subscribe(world, callback, verify_token).id}, 201)


def _subscribe(world, callback: str, verify_token: str) -> Subscription:
    state = world.state
    with state.lock:
        new_id = max(state.subscriptions, default=100_000) + 1
        subscription = Subscription(
            new_id,
            world.strava_app.client_id,
            callback,
            verify_token,
            world.clock.now(),
        )
        state.subscriptions[new_id] = subscription
    return subscription


@router.get("/push_subscriptions")
async def list_subscriptions(request: Request):
    """List this app's subscriptions (at most one)."""
    world = world_of(request)
    _check_app(world, dict(request.query_params))
    return reply(
        request,
        [_subscription_body(world, s) for s in world.state.subscriptions.values()],
    )


def _subscription_body(world, subscription: Subscription) -> dict:
    created = subscription.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "id": subscription.id,
        "resource_state": 2,
        "application_id": int(subscription.client_id),
        "callback_url": subscription.callback_url,
        "created_at": created,
        "updated_at": created,
    }


@router.delete("/push_subscriptions/{subscription_id}")
async def delete_subscription(subscription_id: int, request: Request):
    """Delete a subscription; responds 204 with no body."""
    world = world_of(request)
    _check_app(world, await _params(request))
    with world.state.lock:
        if world.state.subscriptions.pop(subscription_id, None) is None:
            raise _not_found()
    return reply(request, None, 204)
