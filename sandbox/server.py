"""The sandbox HTTP server: one FastAPI app for both services, run by uvicorn."""

import logging
import socket
import threading
import time
from pathlib import Path
from typing import Self

import uvicorn
from fastapi import FastAPI

from sandbox.middleware import SandboxMiddleware
from sandbox.responses import ApiError, handle_api_error
from sandbox.scenario import Scenario
from sandbox.world import World

logger = logging.getLogger(__name__)

SPOTIFY_API = "/spotify/v1"
SPOTIFY_ACCOUNTS = "/spotify/accounts"
STRAVA_API = "/strava/api/v3"
STRAVA_OAUTH = "/strava/oauth"


def create_app(world: World) -> SandboxMiddleware:
    """Build the ASGI app serving both fake services and the /_sandbox admin API."""
    from sandbox import admin, oauth, spotify, strava

    app = FastAPI(
        title="Soundtrack sandbox",
        docs_url="/_sandbox/docs",
        openapi_url="/_sandbox/openapi.json",
    )
    app.state.world = world
    app.add_exception_handler(ApiError, handle_api_error)
    app.include_router(oauth.spotify_router, prefix=SPOTIFY_ACCOUNTS)
    app.include_router(oauth.strava_router, prefix=STRAVA_OAUTH)
    app.include_router(spotify.router, prefix=SPOTIFY_API)
    app.include_router(strava.router, prefix=STRAVA_API)
    app.include_router(admin.router, prefix="/_sandbox")
    return SandboxMiddleware(app, world)


class SandboxServer:
    """Runs the sandbox on 127.0.0.1 in a background thread; use as a context manager."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        port: int = 0,
        *,
        seed: int = 0,
        host: str = "127.0.0.1",
    ):
        self.world = World(scenario, seed)
        self.host = host
        self.port = port or _free_port(host)
        config = uvicorn.Config(
            create_app(self.world),
            host=host,
            port=self.port,
            log_level="warning",
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def spotify_api_url(self) -> str:
        return self.url + SPOTIFY_API

    @property
    def spotify_accounts_url(self) -> str:
        return self.url + SPOTIFY_ACCOUNTS

    @property
    def strava_api_url(self) -> str:
        return self.url + STRAVA_API

    @property
    def strava_oauth_url(self) -> str:
        return self.url + STRAVA_OAUTH

    @property
    def state(self):
        return self.world.state

    @property
    def clock(self):
        return self.world.clock

    @property
    def faults(self):
        return self.world.faults

    @property
    def webhooks(self):
        return self.world.webhooks

    @property
    def options(self):
        return self.world.options

    @property
    def spotify_app(self):
        return self.world.spotify_app

    @property
    def strava_app(self):
        return self.world.strava_app

    @property
    def spotify_limiter(self):
        return self.world.spotify_limiter

    @property
    def strava_limiter(self):
        return self.world.strava_limiter

    def soundtrack_env(self) -> dict[str, str]:
        """Return the SOUNDTRACK_* variables that aim Soundtrack at this sandbox."""
        return soundtrack_env(self.url, self.world)

    def grant(self, service: str, user_key: str, scopes=None) -> dict:
        """Issue tokens as if `user_key` completed OAuth; return the token response."""
        from sandbox.oauth import grant

        return grant(self.world, service, user_key, scopes)

    def start(self) -> "SandboxServer":
        """Start serving and return once the port accepts connections (10 s at most)."""
        self.world.webhooks.start()
        self._thread = threading.Thread(
            target=self._server.run, name="sandbox-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"sandbox server failed to start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and the webhook thread."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.world.webhooks.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def serve(
    host: str = "127.0.0.1",
    port: int = 8750,
    scenario_path: Path | str | None = None,
    seed: int = 0,
) -> None:
    """Run the sandbox in the foreground until interrupted (blocking).

    Without a scenario file it serves the demo's sample runner, user key "demo", with
    thirteen weeks of listening and activities ending today.
    """
    if host != "127.0.0.1":
        raise ValueError(f"the sandbox binds 127.0.0.1 only, not {host!r}")
    scenario = Scenario.from_file(scenario_path) if scenario_path else _sample()
    world = World(scenario, seed)
    print(_usage(world, f"http://{host}:{port}"), flush=True)
    world.webhooks.start()
    try:
        uvicorn.run(create_app(world), host=host, port=port, log_level="info")
    finally:
        world.webhooks.stop()


def _sample() -> Scenario:
    from datetime import UTC, datetime, timedelta

    from sample.generate import generate_world
    from sample.scenario import world_to_scenario

    days = 91
    start = datetime.now(UTC).date() - timedelta(days=days)
    scenario = world_to_scenario(generate_world(start=start, days=days))
    scenario.clock_start = None  # follow real time
    return scenario


def _usage(world: World, url: str) -> str:
    users = ", ".join(world.state.users) or "none"
    exports = "\n".join(
        f"export {name}={value}" for name, value in soundtrack_env(url, world).items()
    )
    return (
        f"Sandbox of Spotify and Strava on {url}; admin API at {url}/_sandbox/docs\n"
        f"Users: {users}. Approving an authorize address signs in the first user; "
        "add &sandbox_user=KEY to it for another.\n"
        "Aim Soundtrack at the sandbox from another shell:\n"
        f"{exports}\n"
        "Soundtrack stores the connection under SOUNDTRACK_USER (default me) or "
        "--user; set it to the sandbox user's key to keep the names alike."
    )


def soundtrack_env(url: str, world: World) -> dict[str, str]:
    """Return the SOUNDTRACK_* variables that aim Soundtrack at a sandbox at url."""
    return {
        "SOUNDTRACK_SPOTIFY_API_URL": url + SPOTIFY_API,
        "SOUNDTRACK_SPOTIFY_ACCOUNTS_URL": url + SPOTIFY_ACCOUNTS,
        "SOUNDTRACK_STRAVA_API_URL": url + STRAVA_API,
        "SOUNDTRACK_STRAVA_OAUTH_URL": url + STRAVA_OAUTH,
        "SOUNDTRACK_SPOTIFY_CLIENT_ID": world.spotify_app.client_id,
        "SOUNDTRACK_SPOTIFY_CLIENT_SECRET": world.spotify_app.client_secret,
        "SOUNDTRACK_STRAVA_CLIENT_ID": world.strava_app.client_id,
        "SOUNDTRACK_STRAVA_CLIENT_SECRET": world.strava_app.client_secret,
    }
