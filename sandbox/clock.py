"""A settable UTC clock that drives token expiry, rate windows and data visibility."""

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """A thread-safe sandbox clock that tests and the admin API can set or advance.

    Started at a given instant, it stays fixed until it is moved, so tests are
    repeatable. Started without one, it follows real time. Setting or advancing it
    then shifts it from real time by a fixed offset.
    """

    def __init__(self, start: datetime | None = None):
        self._lock = threading.Lock()
        self._ticking = start is None
        # A ticking clock stores its offset from real time here, a fixed one its time.
        self._value = timedelta(0) if self._ticking else _as_utc(start)
        self._listeners: list = []

    def now(self) -> datetime:
        """Return the sandbox time as an aware UTC datetime."""
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> datetime:
        if self._ticking:
            return datetime.now(UTC) + self._value
        return self._value

    def timestamp(self) -> float:
        """Return the sandbox time in epoch seconds."""
        return self.now().timestamp()

    def set(self, when: datetime) -> datetime:
        """Move the clock to `when` (naive values are read as UTC), forwards or back."""
        when = _as_utc(when)
        with self._lock:
            self._value = when - datetime.now(UTC) if self._ticking else when
            now = self._now_locked()
        self._notify(now)
        return now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forwards by `seconds` and return the new time."""
        with self._lock:
            self._value = self._value + timedelta(seconds=seconds)
            now = self._now_locked()
        self._notify(now)
        return now

    def on_change(self, listener) -> None:
        """Call `listener(now)` after every set or advance."""
        self._listeners.append(listener)

    def _notify(self, now: datetime) -> None:
        for listener in list(self._listeners):
            listener(now)


def _as_utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def epoch_ms(when: datetime) -> int:
    """Return `when` as integer epoch milliseconds."""
    return round(when.timestamp() * 1000)


def iso_ms(when: datetime) -> str:
    """Format `when` as Spotify does: UTC with milliseconds and a trailing Z."""
    text = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text[:-3] + "Z"


def iso_s(when: datetime) -> str:
    """Format `when` as Strava does: UTC to the second with a trailing Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
