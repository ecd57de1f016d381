"""The HTTP endpoint that Strava's push subscription calls."""

import logging
import secrets
from pathlib import Path

from fastapi import FastAPI, HTTPException, Query, Request
from pydantic import ValidationError

from webhooks.events import StravaEvent, spool_event

log = logging.getLogger(__name__)


def create_app(spool: Path, verify_token: str) -> FastAPI:
    """Build the receiver: the subscription handshake on GET, events on POST."""
    app = FastAPI(title="Soundtrack Strava webhook receiver")

    @app.get("/strava/webhook")
    def handshake(
        mode: str = Query(alias="hub.mode"),
        challenge: str = Query(alias="hub.challenge"),
        token: str = Query(alias="hub.verify_token"),
    ) -> dict:
        if mode != "subscribe" or not secrets.compare_digest(token, verify_token):
            log.warning("rejected a subscription handshake with a wrong verify token")
            raise HTTPException(403, "verify token does not match")
        return {"hub.challenge": challenge}

    @app.post("/strava/webhook")
    async def receive(request: Request) -> dict:
        try:
            event = StravaEvent.model_validate_json(await request.body())
        except ValidationError as error:
            log.warning("ignored an invalid Strava event: %s", error.errors()[0]["msg"])
            return {"status": "ignored"}
        spool_event(spool, event)
        log.info("spooled Strava event %s", event.key)
        return {"status": "ok"}

    return app
