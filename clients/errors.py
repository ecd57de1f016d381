"""Exceptions the Spotify and Strava clients raise, each saying what the user can do."""

from datetime import datetime

from soundtrack.errors import SoundtrackError

_NAMES = {"spotify": "Spotify", "strava": "Strava"}


def service_name(service: str) -> str:
    """Return the display name of a service key such as 'spotify'."""
    return _NAMES.get(service, service)


def _utc_clock(moment: datetime) -> str:
    return moment.strftime("%H:%M UTC")


class ClientError(SoundtrackError):
    """Base class for failures talking to Spotify or Strava."""


class ReconnectNeeded(ClientError):
    """The service no longer accepts the user's tokens; only a new grant helps."""

    def __init__(self, service: str, user: str, reason: str | None = None):
        self.service = service
        self.user = user
        self.reason = reason
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"{service_name(service)} access of user {user!r} needs renewing{detail}; "
            f"run `soundtrack connect {service} --user {user}`"
        )


class NotConnected(ClientError):
    """No stored connection for the user and service."""

    def __init__(self, service: str, user: str):
        self.service = service
        self.user = user
        super().__init__(
            f"user {user!r} has not connected {service_name(service)}; "
            f"run `soundtrack connect {service} --user {user}`"
        )


class MissingScope(ClientError):
    """The user's grant lacks a scope that the request needs."""

    def __init__(self, service: str, scope: str, user: str | None = None):
        self.service = service
        self.scope = scope
        self.user = user
        user_option = f" --user {user}" if user else ""
        super().__init__(
            f"{service_name(service)} access lacks the {scope!r} permission; "
            f"run `soundtrack connect {service}{user_option}` and allow it"
        )


class ApplicationInactive(ClientError):
    """Strava returns 403 "Application Inactive" to every call of the app."""

    def __init__(self, service: str = "strava"):
        self.service = service
        super().__init__(
            f"{service_name(service)} reports this app as inactive: the app owner's "
            "Strava API subscription has lapsed. Renew it on the Strava developer "
            "page; no Strava request can succeed until then"
        )


class RateLimited(ClientError):
    """The service asked the app to pause until `until` (aware UTC)."""

    def __init__(self, service: str, until: datetime, reason: str | None = None):
        self.service = service
        self.until = until
        self.reason = reason
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"{service_name(service)} rate-limited until {_utc_clock(until)}{detail}; "
            "requests resume by themselves after that"
        )


class QuotaExhausted(RateLimited):
    """The app used up its daily request quota; requests pause until `until` (UTC)."""

    def __init__(self, service: str, until: datetime, reason: str | None = None):
        super().__init__(service, until, reason or "daily quota used up")


class NotFound(ClientError):
    """The resource does not exist, or the user may not see it."""

    def __init__(self, service: str, what: str):
        self.service = service
        self.what = what
        super().__init__(f"{service_name(service)} has no {what}, or hides it")


class AuthorizationFailed(ClientError):
    """The service rejected an authorization code or the app's credentials."""

    def __init__(self, service: str, error: str, description: str | None = None):
        self.service = service
        self.error = error
        self.description = description
        detail = f": {description}" if description else ""
        super().__init__(
            f"{service_name(service)} rejected the authorization ({error}{detail}); "
            f"check the app's client id and secret, then run "
            f"`soundtrack connect {service}` again"
        )


class ServiceError(ClientError):
    """A response the client cannot use: an unexpected status or a malformed body."""

    def __init__(self, service: str, request: str, problem: str):
        self.service = service
        self.request = request
        self.problem = problem
        super().__init__(f"{service_name(service)} {request}: {problem}")


class ServiceUnavailable(ServiceError):
    """The service kept failing (5xx or dropped connections) through every retry."""
