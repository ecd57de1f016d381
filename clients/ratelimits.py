"""Spotify's and Strava's rate limits as app-wide cooldowns stored in the database.

A cooldown stored by one process stops every user's requests in every process until
it ends: before each request the client reads it, waits it out if the request's wait
budget allows (see clients.http), and otherwise raises without sending anything.
"""

import email.utils
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

import httpx

from clients.errors import QuotaExhausted, RateLimited
from clients.http import Clock, RetryLater
from storage.connections import (
    Cooldown,
    Service,
    active_cooldown,
    count_request,
    set_cooldown,
)
from storage.db import connect, transaction

log = logging.getLogger(__name__)

# Cooldown scopes. A daily scope is never waited out in place.
APP = "app"
DAILY_QUOTA = "daily_quota"
STRAVA_WINDOW = "strava_window"
READ_WINDOW = "read_window"
READ_DAILY_QUOTA = "read_daily_quota"
_DAILY_SCOPES = frozenset({DAILY_QUOTA, READ_DAILY_QUOTA})

SPOTIFY_MAX_WAIT_S = 30.0
# Spotify has sent 429s with an empty body and no (or a zero) Retry-After.
SPOTIFY_DEFAULT_BACKOFF_S = 5.0
# One whole Strava window: a run waits at most until the next quarter hour.
STRAVA_MAX_WAIT_S = 900.0


class _StoredCooldowns:
    """Reads, waits out and counts against the cooldowns of one service."""

    service: Service

    def __init__(self, clock: Clock, max_wait_s: float):
        self.clock = clock
        self.max_wait_s = max_wait_s

    def _scopes_for(self, method: str) -> Iterable[str] | None:
        return None

    def before_request(self, method: str) -> None:
        """Count the request; raise RetryLater in a short cooldown, else RateLimited."""
        cooldown = self._check_and_count(method)
        if cooldown is not None:
            self._retry_or_raise(cooldown)

    def _check_and_count(self, method: str) -> Cooldown | None:
        now = self.clock.now()
        with connect() as con, transaction(con):
            cooldown = active_cooldown(con, self.service, now, self._scopes_for(method))
            if cooldown is None:
                count_request(con, self.service, now)
        return cooldown

    def _store(self, scope: str, until: datetime, reason: str) -> Cooldown:
        now = self.clock.now()
        with connect() as con, transaction(con):
            cooldown = set_cooldown(con, self.service, scope, until, reason, now)
        log.warning(
            "%s rate limit: no requests until %s (%s, scope %s)",
            self.service,
            cooldown.until.isoformat(timespec="seconds"),
            reason,
            scope,
        )
        return cooldown

    def _retry_or_raise(self, cooldown: Cooldown) -> None:
        remaining = (cooldown.until - self.clock.now()).total_seconds()
        if cooldown.scope in _DAILY_SCOPES or remaining > self.max_wait_s:
            raise self._error(cooldown)
        raise RetryLater(cooldown.until, cooldown.reason)

    def _error(self, cooldown: Cooldown) -> RateLimited:
        if cooldown.scope in _DAILY_SCOPES:
            return QuotaExhausted(self.service, cooldown.until, cooldown.reason)
        return RateLimited(self.service, cooldown.until, cooldown.reason)


class SpotifyRateLimits(_StoredCooldowns):
    """Spotify: honour Retry-After, and stop for the day on QUOTA_EXCEEDED."""

    service: Service = "spotify"

    def __init__(
        self,
        clock: Clock,
        max_wait_s: float = SPOTIFY_MAX_WAIT_S,
        default_backoff_s: float = SPOTIFY_DEFAULT_BACKOFF_S,
    ):
        super().__init__(clock, max_wait_s)
        self.default_backoff_s = default_backoff_s

    def after_response(self, response: httpx.Response) -> None:
        """Store a cooldown on 429; raise RetryLater if it is short, else RateLimited."""
        if response.status_code != 429:
            return
        now = self.clock.now()
        retry_after = retry_after_s(response, now)
        if _spotify_reason(response) == "QUOTA_EXCEEDED":
            wait = retry_after or (next_midnight(now) - now).total_seconds()
            cooldown = self._store(
                DAILY_QUOTA, now + timedelta(seconds=wait), "daily quota used up"
            )
            raise self._error(cooldown)
        if retry_after:
            reason = f"429 with Retry-After {retry_after:.0f} s"
        else:
            retry_after = self.default_backoff_s
            reason = "429 without Retry-After"
        cooldown = self._store(APP, now + timedelta(seconds=retry_after), reason)
        self._retry_or_raise(cooldown)


class StravaRateLimits(_StoredCooldowns):
    """Strava: fixed 15-minute and daily windows, overall and for reads (GET)."""

    service: Service = "strava"

    def __init__(self, clock: Clock, max_wait_s: float = STRAVA_MAX_WAIT_S):
        super().__init__(clock, max_wait_s)

    def _scopes_for(self, method: str) -> Iterable[str] | None:
        # The read limits count GET requests only, so a spent read budget does not
        # block a description update.
        if method.upper() == "GET":
            return None
        return (STRAVA_WINDOW, DAILY_QUOTA)

    def after_response(self, response: httpx.Response) -> None:
        """Store a cooldown for each spent window; on 429 raise RetryLater or RateLimited."""
        now = self.clock.now()
        stored = [
            self._store(scope, until, reason)
            for scope, until, reason in spent_windows(response.headers, now)
        ]
        if response.status_code != 429:
            return
        if not stored:
            stored.append(
                self._store(STRAVA_WINDOW, next_quarter_hour(now), "429 without usage")
            )
        longest = max(stored, key=lambda cooldown: cooldown.until)
        self._retry_or_raise(longest)


def spent_windows(
    headers: httpx.Headers, now: datetime
) -> list[tuple[str, datetime, str]]:
    """Return (scope, until, reason) for each Strava window whose usage reached its limit.

    X-RateLimit-* count every request and X-ReadRateLimit-* count GETs. Each header
    is "15-minute,daily". The 15-minute windows reset at :00, :15, :30 and :45 UTC,
    and the daily ones at midnight UTC.
    """
    spent = []
    kinds = (("X-RateLimit", STRAVA_WINDOW, DAILY_QUOTA, "overall"),)
    kinds += (("X-ReadRateLimit", READ_WINDOW, READ_DAILY_QUOTA, "read"),)
    for prefix, window_scope, daily_scope, label in kinds:
        limit = _pair(headers.get(f"{prefix}-Limit"))
        usage = _pair(headers.get(f"{prefix}-Usage"))
        if limit is None or usage is None:
            continue
        if usage[1] >= limit[1]:
            reason = f"{label} daily limit {limit[1]} used"
            spent.append((daily_scope, next_midnight(now), reason))
        elif usage[0] >= limit[0]:
            reason = f"{label} 15-minute limit {limit[0]} used"
            spent.append((window_scope, next_quarter_hour(now), reason))
    return spent


def _pair(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    parts = value.split(",")
    if len(parts) != 2:
        return None
    try:
        return int(parts[0]), int(parts[1])
    except ValueError:
        return None


def retry_after_s(response: httpx.Response, now: datetime) -> float | None:
    """Return the Retry-After header in seconds (a number or an HTTP date), or None."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((moment - now).total_seconds(), 0.0)


def _spotify_reason(response: httpx.Response) -> str | None:
    # Spotify's 429 body is {"error": {"status": 429, "message": ..., "reason": ...}}
    # when present; it may also be empty.
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return error.get("reason")
    return None


def next_quarter_hour(now: datetime) -> datetime:
    """Return the next :00, :15, :30 or :45 after `now` (Strava's window resets)."""
    start = now.replace(minute=now.minute // 15 * 15, second=0, microsecond=0)
    return start + timedelta(minutes=15)


def next_midnight(now: datetime) -> datetime:
    """Return the midnight after `now`, in `now`'s zone (UTC for the daily windows)."""
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
