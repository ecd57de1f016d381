"""Fixtures: a running sandbox with a small synthetic world, and a webhook receiver."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sandbox.scenario import Activity, Play, Scenario, User
from sandbox.server import SandboxServer

START = datetime(2025, 5, 4, 6, 0, tzinfo=UTC)
RUN_START = datetime(2025, 5, 4, 7, 0, tzinfo=UTC)


def track_uri(n: int) -> str:
    """Return a valid 22-character track URI numbered `n`."""
    return f"spotify:track:{n:022d}"


def plays(count: int, first_end: datetime, gap_s: int = 200) -> list[Play]:
    """Make `count` plays of 200 s tracks ending every `gap_s` seconds."""
    return [
        Play(
            uri=track_uri(i),
            name=f"Song {i}",
            artists=["Harbour Lights", "Guest"] if i % 5 == 0 else ["Harbour Lights"],
            album="Tide Tables",
            duration_ms=200_000,
            played_at=first_end + timedelta(seconds=gap_s * i),
            context_uri="spotify:playlist:37i9dQZF1DXcBWIGoYBM5M" if i % 2 else None,
        )
        for i in range(count)
    ]


def run(activity_id: int, start: datetime, **extra) -> Activity:
    """Make a 30-minute 5 km run starting at `start`, in Los Angeles."""
    values = {
        "id": activity_id,
        "name": f"Run {activity_id}",
        "sport_type": "Run",
        "start_date": start,
        "timezone": "(GMT-08:00) America/Los_Angeles",
        "utc_offset": -25200.0,
        "elapsed_time": 1800,
        "moving_time": 1700,
        "distance": 5000.0,
        "description": "Hill repeats, legs gone",
    }
    values.update(extra)
    return Activity(**values)


@pytest.fixture
def scenario() -> Scenario:
    """Two users: alice with 60 plays and three runs, bob with a few plays."""
    local = Play(
        uri="spotify:local:Some+Band:Some+Album:Some+Song:181",
        name="Some Song",
        artists=["Some Band"],
        album="Some Album",
        duration_ms=181_000,
        played_at=RUN_START + timedelta(minutes=5),
    )
    alice = User(
        key="alice",
        spotify_display_name="Alice Runner",
        spotify_user_id="alicerunner",
        strava_athlete_id=90000011,
        listening=[*plays(60, RUN_START - timedelta(hours=2)), local],
        activities=[
            run(8100000001, RUN_START - timedelta(days=2)),
            run(8100000002, RUN_START - timedelta(days=1), private=True),
            run(8100000003, RUN_START),
        ],
    )
    bob = User(
        key="bob",
        spotify_display_name="Bob Jogger",
        spotify_user_id="bobjogger",
        strava_athlete_id=90000012,
        listening=plays(3, START - timedelta(hours=1)),
    )
    return Scenario(users=[alice, bob], clock_start=START)


@pytest.fixture
def sandbox(scenario):
    with SandboxServer(scenario=scenario) as server:
        yield server


@pytest.fixture
def client():
    with httpx.Client(timeout=10) as http:
        yield http


def bearer(token_body: dict) -> dict:
    """Return an Authorization header for a token response body."""
    return {"Authorization": f"Bearer {token_body['access_token']}"}


class Receiver:
    """A webhook callback on 127.0.0.1 that echoes challenges and stores events."""

    def __init__(self, echo: bool = True):
        self.events: list[dict] = []
        self.challenges: list[dict] = []
        self.echo = echo
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}/strava/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = {
                    k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()
                }
                with receiver.lock:
                    receiver.challenges.append(query)
                body = {"hub.challenge": query.get("hub.challenge")}
                if not receiver.echo:
                    body = {"hub.challenge": "wrong"}
                self._send(200, json.dumps(body).encode())

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                event = json.loads(self.rfile.read(length))
                with receiver.lock:
                    receiver.events.append(event)
                self._send(200, b"")

            def _send(self, status: int, body: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as callback:
        yield callback
