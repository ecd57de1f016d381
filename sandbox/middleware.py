"""Outermost ASGI layer: fault injection, the Strava inactive-app switch, request log."""

import asyncio
import logging

from sandbox.responses import render
from sandbox.state import RequestRecord

logger = logging.getLogger(__name__)

# Strava returns this for every API call when the app owner's Strava API
# subscription has lapsed (a 2026 rule). NOTE: no captured body exists, so the
# wording is an estimate in Strava's Fault shape.
APP_INACTIVE_BODY = {
    "message": "Application Inactive: this application is inactive",
    "errors": [{"resource": "Application", "field": "client_id", "code": "inactive"}],
}


def service_of(path: str) -> str:
    """Name the service a path belongs to: spotify, strava, admin or other."""
    for prefix, service in (
        ("/spotify/", "spotify"),
        ("/strava/", "strava"),
        ("/_sandbox", "admin"),
    ):
        if path.startswith(prefix):
            return service
    return "other"


class SandboxMiddleware:
    """Wraps the app so every request can be logged, delayed, failed or dropped."""

    def __init__(self, app, world):
        self.app = app
        self.world = world

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope["state"] = {}
        logged = False

        def log(status: int | None) -> None:
            nonlocal logged
            logged = True
            user = scope["state"].get("user_key")
            now = self.world.clock.now()
            record = RequestRecord(
                scope["method"], scope["path"], service, user, status, now
            )
            self.world.state.log_request(record)

        service = service_of(scope["path"])

        async def send_logged(message):
            # Log before the client can see the response, so a test that has its
            # response always finds the request in the log.
            if message["type"] == "http.response.start" and not logged:
                log(message["status"])
            await send(message)

        try:
            await self._dispatch(scope, receive, send, send_logged, log)
        finally:
            if not logged:
                log(None)

    async def _dispatch(self, scope, receive, send, send_logged, log):
        path, method = scope["path"], scope["method"]
        service = service_of(path)
        action = None
        if service in ("spotify", "strava"):
            action = self.world.faults.decide(method, path)
        if action is not None and action.kind == "drop":
            log(None)
            await _drop_connection(send)
            return
        if action is not None and action.kind == "respond":
            response = render(action.body, action.status, action.headers)
            await response(scope, receive, send_logged)
            return
        if action is not None and action.kind == "slow":
            await asyncio.sleep(action.delay_s)
        if self._strava_inactive(path):
            response = render(APP_INACTIVE_BODY, 403)
            await response(scope, receive, send_logged)
            return
        await self.app(scope, receive, send_logged)

    def _strava_inactive(self, path: str) -> bool:
        inactive = self.world.faults.settings.strava_app_inactive
        return inactive and path.startswith("/strava/api/")


async def _drop_connection(send) -> None:
    """Close the TCP connection without writing any response bytes.

    ASGI has no way to do this, so it reaches uvicorn's per-request cycle, which is
    the object behind `send`, and closes its transport.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        # NOTE: only uvicorn's httptools and h11 protocols expose `transport` this way.
        raise RuntimeError("cannot drop the connection: no transport behind send")
    transport.close()
    for _ in range(50):
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0.001)
    cycle.disconnected = True
