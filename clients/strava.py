"""The Strava API v3 calls Soundtrack makes, and the app's push subscription."""

import logging
from collections.abc import Iterator
from typing import Any

import httpx

from clients.api import AuthorizedApi
from clients.errors import ApplicationInactive, MissingScope, NotFound, ServiceError
from clients.http import Clock, HttpClient, SystemClock
from clients.models import (
    DetailedActivity,
    PushSubscription,
    StravaAthlete,
    Stream,
    SummaryActivity,
    parse,
)
from clients.oauth import OAuthApp, OAuthClient
from clients.ratelimits import StravaRateLimits
from clients.tokens import TokenSource
from soundtrack.settings import Settings, get_settings

log = logging.getLogger(__name__)

MAX_PER_PAGE = 200
_READ_ACTIVITIES = ("activity:read_all", "activity:read")


def strava_oauth(
    settings: Settings | None = None,
    clock: Clock | None = None,
    limits: StravaRateLimits | None = None,
) -> OAuthClient:
    """Build the OAuth client of Strava's token endpoint."""
    settings = settings or get_settings()
    clock = clock or SystemClock()
    limits = limits or StravaRateLimits(clock)
    http = HttpClient("strava", settings.strava_oauth_url, limits, clock)
    return OAuthClient(OAuthApp.from_settings("strava", settings), http)


class StravaClient(AuthorizedApi):
    """The Strava API on behalf of one stored user connection."""

    def __init__(
        self,
        user_id: str,
        *,
        settings: Settings | None = None,
        clock: Clock | None = None,
        max_wait_s: float | None = None,
    ):
        settings = settings or get_settings()
        clock = clock or SystemClock()
        if max_wait_s is None:
            max_wait_s = settings.strava_max_wait_s
        limits = StravaRateLimits(clock, max_wait_s)
        api = HttpClient("strava", settings.strava_api_url, limits, clock)
        oauth = strava_oauth(settings, clock, limits)
        tokens = TokenSource(user_id, "strava", oauth, clock)
        super().__init__(api, tokens, settings.strava_api_url)

    def athlete(self) -> StravaAthlete:
        """Return the connected athlete."""
        return self.get_model(StravaAthlete, "/athlete")

    def activities(
        self,
        after: int | None = None,
        before: int | None = None,
        per_page: int = MAX_PER_PAGE,
    ) -> Iterator[SummaryActivity]:
        """Yield the athlete's activities started between after and before (epoch s).

        Pages are read until one comes back empty.
        """
        params: dict[str, Any] = {"per_page": min(per_page, MAX_PER_PAGE)}
        if after is not None:
            params["after"] = after
        if before is not None:
            params["before"] = before
        page_number = 1
        while True:
            response = self.send(
                "GET",
                "/athlete/activities",
                params={**params, "page": page_number},
                scopes=_READ_ACTIVITIES,
            )
            page = self._list(response)
            if not page:
                return
            for item in page:
                yield parse(SummaryActivity, item, "strava", "GET /athlete/activities")
            page_number += 1

    def activity(self, activity_id: int) -> DetailedActivity:
        """Return an activity with its description; raises NotFound if gone or hidden."""
        return self.get_model(
            DetailedActivity, f"/activities/{int(activity_id)}", scopes=_READ_ACTIVITIES
        )

    def update_description(self, activity_id: int, text: str) -> DetailedActivity:
        """Replace an activity's whole description and return the updated activity."""
        response = self.send(
            "PUT",
            f"/activities/{int(activity_id)}",
            json={"description": text},
            scopes=("activity:write",),
        )
        return self.parse(DetailedActivity, response)

    def streams(self, activity_id: int, keys: list[str]) -> dict[str, Stream]:
        """Return the activity's streams of the given types, keyed by type.

        Without keys Strava returns only the distance stream, so name every one.
        """
        response = self.send(
            "GET",
            f"/activities/{int(activity_id)}/streams",
            params={"keys": ",".join(keys), "key_by_type": "true"},
            scopes=_READ_ACTIVITIES,
        )
        body = response.json()
        what = f"GET /activities/{int(activity_id)}/streams"
        if not isinstance(body, dict):
            raise ServiceError("strava", what, "expected streams keyed by type")
        return {
            key: parse(Stream, value, "strava", what) for key, value in body.items()
        }

    def _list(self, response: httpx.Response) -> list:
        body = response.json()
        if not isinstance(body, list):
            what = f"{response.request.method} {response.request.url.path}"
            raise ServiceError("strava", what, "expected a JSON list")
        return body

    def scope_error(
        self, response: httpx.Response, scopes: tuple[str, ...]
    ) -> MissingScope | None:
        """Return MissingScope for a 401 naming a missing "…_permission" field."""
        return strava_scope_error(response, scopes, self.user_id)

    def error_for(
        self, response: httpx.Response, what: str, scopes: tuple[str, ...] = ()
    ) -> Exception:
        """Map 404 (whose body is empty) and "Application Inactive" 403s."""
        if response.status_code == 404:
            return NotFound("strava", what.split(" ", 1)[-1])
        if is_application_inactive(response):
            return ApplicationInactive()
        return super().error_for(response, what, scopes)


def strava_scope_error(
    response: httpx.Response, scopes: tuple[str, ...], user_id: str | None
) -> MissingScope | None:
    """Return MissingScope if a Strava 401 Fault names a missing permission."""
    if response.status_code != 401:
        return None
    # A missing scope comes as 401 {"errors": [{"resource": "AccessToken", "field":
    # "activity:read_permission", "code": "missing"}]}, unlike a dead token.
    for error in _fault_errors(response):
        field = str(error.get("field") or "")
        if error.get("code") == "missing" and field.endswith("permission"):
            needed = " or ".join(scopes) or field.removesuffix("_permission")
            return MissingScope("strava", needed, user_id)
    return None


def is_application_inactive(response: httpx.Response) -> bool:
    """Return True for Strava's 403 "Application Inactive"."""
    if response.status_code != 403:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    message = str(body.get("message") or "") if isinstance(body, dict) else ""
    return "application inactive" in message.lower()


def _fault_errors(response: httpx.Response) -> list[dict]:
    try:
        body = response.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [item for item in errors if isinstance(item, dict)] if errors else []


class StravaPushSubscriptions:
    """The app's webhook subscription; sent with the app's credentials, not a user's."""

    def __init__(self, settings: Settings | None = None, clock: Clock | None = None):
        settings = settings or get_settings()
        clock = clock or SystemClock()
        self.app = OAuthApp.from_settings("strava", settings)
        self.http = HttpClient(
            "strava", settings.strava_api_url, StravaRateLimits(clock), clock
        )

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def create(self, callback_url: str, verify_token: str) -> int:
        """Subscribe and return the subscription id.

        Strava first sends a GET with hub.challenge to callback_url, and returns 400
        unless that echoes the challenge.
        """
        response = self._send(
            "POST",
            "/push_subscriptions",
            data={
                **self._credentials(),
                "callback_url": callback_url,
                "verify_token": verify_token,
            },
        )
        body = response.json()
        if not isinstance(body, dict) or "id" not in body:
            what = "POST /push_subscriptions"
            raise ServiceError("strava", what, "required field 'id' is missing")
        return int(body["id"])

    def list(self) -> list[PushSubscription]:
        """Return the app's subscriptions (Strava allows at most one)."""
        response = self._send("GET", "/push_subscriptions", params=self._credentials())
        what = "GET /push_subscriptions"
        return [
            parse(PushSubscription, item, "strava", what) for item in response.json()
        ]

    def delete(self, subscription_id: int) -> None:
        """Delete a subscription; raises NotFound if it does not exist."""
        self._send(
            "DELETE",
            f"/push_subscriptions/{int(subscription_id)}",
            params=self._credentials(),
        )

    def _credentials(self) -> dict[str, str]:
        return {
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret.get_secret_value(),
        }

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, url, **kwargs)
        if response.is_success:
            return response
        what = f"{method} {response.request.url.path}"
        if response.status_code == 404:
            raise NotFound("strava", what.split(" ", 1)[-1])
        if is_application_inactive(response):
            raise ApplicationInactive()
        text = response.text.strip()[:200] or "(empty body)"
        raise ServiceError("strava", what, f"returned {response.status_code}: {text}")
