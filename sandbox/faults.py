"""Injected failures: random 5xx, slow responses and dropped connections, plus one-shots."""

import fnmatch
import random
import threading
from dataclasses import dataclass, field

from pydantic import BaseModel, Field


class FaultSettings(BaseModel):
    """Rates of random faults (0..1 per request), drawn from a seeded generator."""

    seed: int = 0
    error_rate: float = Field(0.0, ge=0, le=1)
    error_statuses: list[int] = Field(default_factory=lambda: [500, 502, 503])
    slow_rate: float = Field(0.0, ge=0, le=1)
    slow_seconds: float = Field(
        2.0, ge=0, description="Real seconds a slow response waits."
    )
    drop_rate: float = Field(0.0, ge=0, le=1)
    strava_app_inactive: bool = Field(
        False,
        description="Respond 403 to every Strava API call, as when the app owner's "
        "Strava API subscription has lapsed.",
    )


@dataclass
class OneShot:
    """Fail the next `remaining` requests whose path matches `path` (a glob)."""

    path: str
    remaining: int
    status: int
    method: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str | bytes | dict | list | None = None
    drop: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.path)


@dataclass
class FaultAction:
    """What to do to one request instead of, or before, responding to it."""

    kind: str  # "respond", "drop" or "slow"
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: str | bytes | dict | list | None = None
    delay_s: float = 0.0


class Faults:
    """Decides, per request, whether to inject a fault; thread-safe."""

    def __init__(self, settings: FaultSettings | None = None):
        self._lock = threading.Lock()
        self.one_shots: list[OneShot] = []
        self.configure(settings or FaultSettings())

    def configure(self, settings: FaultSettings) -> None:
        """Replace the random-fault settings and reseed the generator."""
        with self._lock:
            self.settings = settings
            self._rng = random.Random(settings.seed)

    def fail_next(
        self,
        path: str,
        count: int = 1,
        status: int = 500,
        *,
        method: str | None = None,
        headers: dict[str, str] | None = None,
        body: str | bytes | dict | list | None = None,
        drop: bool = False,
    ) -> None:
        """Fail the next `count` requests to `path` (full sandbox path, glob allowed)."""
        shot = OneShot(path, count, status, method, dict(headers or {}), body, drop)
        with self._lock:
            self.one_shots.append(shot)

    def clear(self) -> None:
        """Remove pending one-shots and turn random faults off."""
        with self._lock:
            self.one_shots.clear()
        self.configure(FaultSettings())

    def decide(self, method: str, path: str) -> FaultAction | None:
        """Return the fault for this request, or None to respond normally."""
        with self._lock:
            shot = self._take_one_shot(method, path)
            if shot is not None:
                kind = "drop" if shot.drop else "respond"
                return FaultAction(kind, shot.status, shot.headers, shot.body)
            return self._draw_random()

    def _take_one_shot(self, method: str, path: str) -> OneShot | None:
        for shot in self.one_shots:
            if shot.remaining > 0 and shot.matches(method, path):
                shot.remaining -= 1
                if shot.remaining == 0:
                    self.one_shots.remove(shot)
                return shot
        return None

    def _draw_random(self) -> FaultAction | None:
        settings = self.settings
        # Draw all three numbers every time, so one rate does not shift the others.
        drop, error, slow = (self._rng.random() for _ in range(3))
        status = self._rng.choice(settings.error_statuses or [500])
        if drop < settings.drop_rate:
            return FaultAction("drop")
        if error < settings.error_rate:
            return FaultAction("respond", status)
        if slow < settings.slow_rate:
            return FaultAction("slow", delay_s=settings.slow_seconds)
        return None
