"""The base of both API clients: bearer tokens, one refresh on 401, error mapping."""

import logging
from typing import Any, Self, TypeVar

import httpx
from pydantic import BaseModel

from clients.errors import MissingScope, ServiceError
from clients.http import HttpClient
from clients.models import parse
from clients.tokens import TokenSource

log = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)


class AuthorizedApi:
    """Sends a user's requests to one service and maps its errors to exceptions."""

    def __init__(self, http: HttpClient, tokens: TokenSource, base_url: str):
        self.http = http
        self.tokens = tokens
        self.service = http.service
        self.base_url = base_url.rstrip("/")

    @property
    def user_id(self) -> str:
        """Return the user whose tokens this client sends."""
        return self.tokens.user_id

    def close(self) -> None:
        """Close the connection pools."""
        self.http.close()
        self.tokens.oauth.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(
        self, method: str, url: str, *, scopes: tuple[str, ...] = (), **kwargs: Any
    ) -> httpx.Response:
        """Send with the user's token; on 401 refresh once and resend.

        Returns a 2xx response. Raises MissingScope before sending if the stored
        grant lacks all of `scopes`, ReconnectNeeded on a second 401, and the
        service's own errors (see error_for) on any other status.
        """
        if scopes:
            self.tokens.require_scope(*scopes)
        token = self.tokens.access_token()
        response = self._send(method, url, token, kwargs)
        if response.status_code == 401 and self.scope_error(response, scopes) is None:
            log.info(
                "%s %s %s returned 401, so refreshing the token of user %s",
                self.service,
                method,
                response.request.url.path,
                self.user_id,
            )
            token = self.tokens.refresh(rejected=token)
            response = self._send(method, url, token, kwargs)
            if (
                response.status_code == 401
                and self.scope_error(response, scopes) is None
            ):
                what = f"{method} {response.request.url.path}"
                raise self.tokens.reject(f"{what} returned 401 for a fresh token")
        if response.is_success:
            return response
        raise self.error_for(response, f"{method} {response.request.url.path}", scopes)

    def _send(self, method: str, url: str, token: str, kwargs: dict) -> httpx.Response:
        headers = {**(kwargs.get("headers") or {}), "Authorization": f"Bearer {token}"}
        return self.http.request(method, url, **{**kwargs, "headers": headers})

    def get_model(self, model: type[ModelT], url: str, **kwargs: Any) -> ModelT:
        """GET `url` and validate the JSON response as `model`."""
        response = self.send("GET", url, **kwargs)
        return self.parse(model, response)

    def parse(self, model: type[ModelT], response: httpx.Response) -> ModelT:
        """Validate a JSON response as `model`; raises ServiceError naming the field."""
        what = f"{response.request.method} {response.request.url.path}"
        try:
            data = response.json()
        except ValueError as error:
            raise ServiceError(
                self.service, what, "the response is not JSON"
            ) from error
        return parse(model, data, self.service, what)

    def follow(self, next_url: str) -> str:
        """Return a paging link if it points under the API's base URL; else raise."""
        if not next_url.startswith(self.base_url + "/"):
            raise ServiceError(
                self.service,
                "paging",
                f"the next-page link {next_url!r} is outside {self.base_url}",
            )
        return next_url

    def scope_error(
        self, response: httpx.Response, scopes: tuple[str, ...]
    ) -> MissingScope | None:
        """Return MissingScope if a 401 or 403 names a missing permission.

        `scopes` are those the request needs, any one of them sufficing.
        """
        return None

    def error_for(
        self, response: httpx.Response, what: str, scopes: tuple[str, ...] = ()
    ) -> Exception:
        """Return the exception for a non-2xx response."""
        scope_error = self.scope_error(response, scopes)
        if scope_error is not None:
            return scope_error
        return ServiceError(
            self.service, what, f"returned {response.status_code}: {_brief(response)}"
        )


def _brief(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:200] if text else "(empty body)"
