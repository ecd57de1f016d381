"""The shared HTTP layer: bounded retries with jittered backoff, and rate-limit hooks.

Every request first asks its service's RateLimits whether the app may send now
(clients/ratelimits.py keeps the cooldowns in the database, so the result applies
across users and processes), then retries 5xx responses and dropped connections.
No log line here carries a header, a body or a query string, so tokens and client
secrets stay out of the logs.
"""

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol, Self

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from clients.errors import RateLimited, ServiceError, ServiceUnavailable

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
MAX_ATTEMPTS = 4

# Errors raised before any byte of the request left, so a retry cannot repeat it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


class Clock(Protocol):
    """The time source and sleep of a client; tests drive the sandbox clock instead."""

    def now(self) -> datetime: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real UTC clock and time.sleep."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Block for `seconds`."""
        time.sleep(seconds)


class RetryLater(Exception):
    """Signal from RateLimits: send the request again once the cooldown ends."""

    def __init__(self, until: datetime, reason: str | None = None):
        super().__init__(f"rate-limited until {until.isoformat()}")
        self.until = until
        self.reason = reason


class RateLimits(Protocol):
    """A service's rate-limit policy, consulted around every request."""

    service: str
    max_wait_s: float  # maximum total wait, in seconds, for rate limits in one request

    def before_request(self, method: str) -> None:
        """Count the request; raise RetryLater in a short cooldown, else RateLimited."""

    def after_response(self, response: httpx.Response) -> None:
        """Record the limits a response reports; raise RetryLater or RateLimited on 429."""


class _ServerFailed(Exception):
    def __init__(self, response: httpx.Response):
        super().__init__(f"returned {response.status_code}")
        self.status_code = response.status_code


class _Transient(Exception):
    """A failure worth another attempt; `cause` is what happened."""

    def __init__(self, cause: Exception):
        super().__init__(str(cause))
        self.cause = cause


class HttpClient:
    """An httpx.Client for one service that retries, backs off and obeys rate limits."""

    def __init__(
        self,
        service: str,
        base_url: str,
        limits: RateLimits,
        clock: Clock,
        *,
        max_attempts: int = MAX_ATTEMPTS,
        backoff_s: float = 0.5,
        max_backoff_s: float = 8.0,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ):
        self.service = service
        self.limits = limits
        self.clock = clock
        self.max_attempts = max_attempts
        self._backoff = wait_random_exponential(multiplier=backoff_s, max=max_backoff_s)
        self._client = httpx.Client(base_url=base_url, timeout=timeout)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send a request, retrying 5xx, dropped connections and short 429 waits.

        Returns the first response that is neither 5xx nor 429, whatever its status.
        Raises RateLimited (or QuotaExhausted) for a long wait, and ServiceUnavailable
        once MAX_ATTEMPTS are spent. A POST is retried only when it never left, or
        when the server responded 5xx.
        """
        what = f"{method} {httpx.URL(url).path}"
        budget = _WaitBudget(self.limits.max_wait_s, self.clock)
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts) | budget.exhausted,
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self.clock.sleep,
            before_sleep=_log_retry(self.service, what, self.max_attempts),
            reraise=True,
        )
        try:
            return retrying(self._send_once, method, url, kwargs)
        except _Transient as error:
            raise self._final_error(what, error.cause) from error.cause

    def _send_once(self, method: str, url: str, kwargs: dict) -> httpx.Response:
        try:
            self.limits.before_request(method)
        except RetryLater as signal:
            raise _Transient(signal) from None
        started = time.monotonic()
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.TransportError as error:
            if method.upper() in _IDEMPOTENT or isinstance(error, _NOT_SENT):
                raise _Transient(error) from error
            raise ServiceUnavailable(
                self.service,
                f"{method} {httpx.URL(url).path}",
                f"the connection failed after the request was sent ({error!r}), so "
                "it may or may not have taken effect; check before sending it again",
            ) from error
        log.debug(
            "%s %s %s -> %d in %.0f ms",
            self.service,
            method,
            response.request.url.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        if response.status_code >= 500:
            raise _Transient(_ServerFailed(response))
        try:
            self.limits.after_response(response)
        except RetryLater as signal:
            raise _Transient(signal) from None
        return response

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Transient) and isinstance(error.cause, RetryLater):
            remaining = error.cause.until - self.clock.now()
            return max(remaining.total_seconds(), 0.0)
        return self._backoff(state)

    def _final_error(self, what: str, cause: Exception) -> ServiceError:
        if isinstance(cause, RetryLater):
            return RateLimited(self.service, cause.until, cause.reason)
        return ServiceUnavailable(
            self.service,
            what,
            f"failed on all {self.max_attempts} attempts, the last one "
            f"{_describe(cause)}. The service may be down, so try again later",
        )


class _WaitBudget:
    """The rate-limit waits of one request, which together may not exceed max_wait_s."""

    def __init__(self, max_wait_s: float, clock: Clock):
        self.max_wait_s = max_wait_s
        self.clock = clock
        self.used_s = 0.0

    def exhausted(self, state: RetryCallState) -> bool:
        """Return True when the next rate-limit wait would go over the budget.

        Otherwise the wait is counted as spent, since tenacity sleeps right after.
        """
        error = state.outcome.exception() if state.outcome else None
        if not (isinstance(error, _Transient) and isinstance(error.cause, RetryLater)):
            return False
        needed = max((error.cause.until - self.clock.now()).total_seconds(), 0.0)
        if self.used_s + needed > self.max_wait_s:
            return True
        self.used_s += needed
        return False


def _describe(cause: Exception) -> str:
    if isinstance(cause, _ServerFailed):
        return f"with status {cause.status_code}"
    return f"with {type(cause).__name__} {cause}".rstrip()


def _log_retry(
    service: str, what: str, max_attempts: int
) -> Callable[[RetryCallState], None]:
    def log_it(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        cause = error.cause if isinstance(error, _Transient) else error
        wait = state.next_action.sleep if state.next_action else 0.0
        if isinstance(cause, RetryLater):
            log.warning(
                "%s %s is rate-limited (%s), so attempt %d of %d waits until %s UTC",
                service,
                what,
                cause.reason,
                state.attempt_number + 1,
                max_attempts,
                cause.until.strftime("%H:%M:%S"),
            )
            return
        log.warning(
            "%s %s failed %s, so attempt %d of %d follows in %.1f s",
            service,
            what,
            _describe(cause) if isinstance(cause, Exception) else cause,
            state.attempt_number + 1,
            max_attempts,
            wait,
        )

    return log_it


class _HideQueryStrings(logging.Filter):
    """Drop the query string from httpx's own request log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        # httpx logs each request's full URL at INFO, and Strava's subscription list
        # takes the app's client_secret as a query parameter.
        if isinstance(record.args, tuple):
            record.args = tuple(
                arg.copy_with(query=None) if isinstance(arg, httpx.URL) else arg
                for arg in record.args
            )
        return True


_httpx_log = logging.getLogger("httpx")
if not any(isinstance(item, _HideQueryStrings) for item in _httpx_log.filters):
    _httpx_log.addFilter(_HideQueryStrings())
