"""Rate limits as each service applies them, counted on the sandbox clock."""

import math
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from sandbox.clock import Clock


class SpotifyLimits(BaseModel):
    """Spotify's limits per app: a rolling window plus a daily quota (2026)."""

    # NOTE: Spotify publishes neither number; these are estimates of a
    # development-mode app's budget, so tests should set their own.
    window_s: float = Field(30.0, gt=0, description="Rolling window length, seconds.")
    per_window: int = Field(180, ge=0, description="Requests allowed per window.")
    daily_quota: int | None = Field(
        25_000, ge=0, description="Requests per UTC day; None for no quota."
    )
    empty_body: bool = Field(
        False, description="Respond 429 with no body and no Retry-After header."
    )


class StravaLimits(BaseModel):
    """Strava's per-app limits: 15-minute and daily windows, overall and read."""

    overall_15min: int = 200
    overall_daily: int = 2000
    read_15min: int = 100
    read_daily: int = 1000


@dataclass
class Verdict:
    """The outcome of counting one request: headers to add, and 429 details if over."""

    headers: dict[str, str]
    limited: bool = False
    retry_after_s: int | None = None
    reason: str | None = None


class SpotifyLimiter:
    """Counts Spotify API requests per client id; thread-safe."""

    def __init__(self, clock: Clock, limits: SpotifyLimits | None = None):
        self.clock = clock
        self.limits = limits or SpotifyLimits()
        self._lock = threading.Lock()
        self._recent: dict[str, deque[datetime]] = {}
        self._daily: dict[tuple[str, str], int] = {}

    def check(self, client_id: str) -> Verdict:
        """Count one request by `client_id` and report whether it is over a limit."""
        now = self.clock.now()
        with self._lock:
            day_key = (client_id, now.date().isoformat())
            used_today = self._daily.get(day_key, 0)
            quota = self.limits.daily_quota
            if quota is not None and used_today >= quota:
                return Verdict({}, True, _seconds_to_midnight(now), "QUOTA_EXCEEDED")

            window = self._window(client_id, now)
            if len(window) >= self.limits.per_window:
                return Verdict({}, True, self._retry_after(window, now))

            window.append(now)
            self._daily[day_key] = used_today + 1
            return Verdict({})

    def _retry_after(self, window: deque[datetime], now: datetime) -> int:
        """Return whole seconds until the oldest counted request leaves the window."""
        if not window:
            return max(1, math.ceil(self.limits.window_s))
        wait = window[0] + timedelta(seconds=self.limits.window_s) - now
        return max(1, math.ceil(wait.total_seconds()))

    def _window(self, client_id: str, now: datetime) -> deque[datetime]:
        window = self._recent.setdefault(client_id, deque())
        start = now - timedelta(seconds=self.limits.window_s)
        while window and (window[0] <= start or window[0] > now):
            window.popleft()
        return window

    def reset(self) -> None:
        """Forget every counted request."""
        with self._lock:
            self._recent.clear()
            self._daily.clear()


class StravaLimiter:
    """Counts Strava API requests per client id in fixed 15-minute and daily windows."""

    def __init__(self, clock: Clock, limits: StravaLimits | None = None):
        self.clock = clock
        self.limits = limits or StravaLimits()
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, str], int] = {}

    def check(self, client_id: str, is_read: bool) -> Verdict:
        """Count one request and return the X-RateLimit headers and whether it is over.

        Windows reset at :00, :15, :30 and :45 and at midnight UTC. A request over
        the limit still counts. NOTE: that is assumed; Strava's documentation is silent.
        """
        now = self.clock.now()
        quarter = now.strftime("%Y-%m-%dT%H:") + str(now.minute // 15)
        day = now.date().isoformat()
        with self._lock:
            overall = self._bump(client_id, "all", quarter, day)
            read = self._bump(client_id, "read", quarter, day) if is_read else None
            if read is None:
                read = self._usage(client_id, "read", quarter, day)
        headers = self._headers(overall, read)
        limits = self.limits
        over = overall[0] > limits.overall_15min or overall[1] > limits.overall_daily
        if is_read:
            over = over or read[0] > limits.read_15min or read[1] > limits.read_daily
        return Verdict(headers, over, None, "Rate Limit Exceeded" if over else None)

    def _bump(self, client_id: str, kind: str, quarter: str, day: str):
        for window in (quarter, day):
            key = (client_id, kind, window)
            self._counts[key] = self._counts.get(key, 0) + 1
        return self._usage(client_id, kind, quarter, day)

    def _usage(self, client_id: str, kind: str, quarter: str, day: str):
        return (
            self._counts.get((client_id, kind, quarter), 0),
            self._counts.get((client_id, kind, day), 0),
        )

    def _headers(self, overall, read) -> dict[str, str]:
        limits = self.limits
        return {
            "X-RateLimit-Limit": f"{limits.overall_15min},{limits.overall_daily}",
            "X-RateLimit-Usage": f"{overall[0]},{overall[1]}",
            "X-ReadRateLimit-Limit": f"{limits.read_15min},{limits.read_daily}",
            "X-ReadRateLimit-Usage": f"{read[0]},{read[1]}",
        }

    def reset(self) -> None:
        """Forget every counted request."""
        with self._lock:
            self._counts.clear()


def _seconds_to_midnight(now: datetime) -> int:
    midnight = (now + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return max(1, math.ceil((midnight - now).total_seconds()))
