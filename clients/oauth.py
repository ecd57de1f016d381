"""OAuth 2 authorization-code grants for Spotify (with PKCE) and Strava.

Plain httpx through HttpClient, so token requests share the retry, cooldown and
logging rules of API requests. Authlib's httpx client was not used because it sends
its own requests, outside those rules, and Strava's athlete summary and granted-scope
callback parameter would need as much code around it.
"""

import base64
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from clients.errors import AuthorizationFailed, ServiceError
from clients.http import HttpClient
from clients.models import SpotifyTokenResponse, StravaTokenResponse, parse
from soundtrack.settings import Settings

log = logging.getLogger(__name__)

Service = Literal["spotify", "strava"]

# Scopes Soundtrack needs to read plays and playlists and write playlists and covers.
SPOTIFY_SCOPES = (
    "user-read-recently-played",
    "playlist-read-private",
    "playlist-modify-private",
    "playlist-modify-public",
    "ugc-image-upload",
)
# Read all activities (private ones too) and write their descriptions.
STRAVA_SCOPES = ("read", "activity:read_all", "activity:write")


def redirect_uri(port: int) -> str:
    """Return the local callback address; Spotify rejects "localhost", so it is an IP."""
    return f"http://127.0.0.1:{port}/callback"


@dataclass(frozen=True)
class OAuthApp:
    """A registered app: its credentials, endpoints and the scopes it requests."""

    service: Service
    client_id: str
    client_secret: SecretStr
    accounts_url: str
    scopes: tuple[str, ...]
    redirect_uri: str

    @classmethod
    def from_settings(cls, service: Service, settings: Settings) -> "OAuthApp":
        """Build the app of `service` from the settings."""
        if service == "spotify":
            return cls(
                "spotify",
                settings.spotify_client_id,
                settings.spotify_client_secret,
                settings.spotify_accounts_url,
                SPOTIFY_SCOPES,
                redirect_uri(settings.redirect_port),
            )
        return cls(
            "strava",
            settings.strava_client_id,
            settings.strava_client_secret,
            settings.strava_oauth_url,
            STRAVA_SCOPES,
            redirect_uri(settings.redirect_port),
        )

    @property
    def has_secret(self) -> bool:
        """Return True if a client secret is configured."""
        return bool(self.client_secret.get_secret_value())


@dataclass(frozen=True)
class AuthorizationRequest:
    """The authorize URL, plus the state and PKCE verifier that the callback needs."""

    url: str
    state: str
    code_verifier: str | None


class TokenGrant(BaseModel):
    """Tokens from an exchange or refresh; refresh_token is None when not rotated."""

    model_config = ConfigDict(frozen=True)

    access_token: SecretStr
    refresh_token: SecretStr | None
    expires_at: datetime
    scopes: frozenset[str] | None
    account_id: str | None = None


def authorization_request(app: OAuthApp) -> AuthorizationRequest:
    """Build the authorize URL with a random state, and PKCE for Spotify."""
    state = secrets.token_urlsafe(24)
    params = {
        "client_id": app.client_id,
        "response_type": "code",
        "redirect_uri": app.redirect_uri,
        "state": state,
    }
    verifier = None
    if app.service == "spotify":
        verifier = secrets.token_urlsafe(64)
        params["scope"] = " ".join(app.scopes)
        params["code_challenge_method"] = "S256"
        params["code_challenge"] = pkce_challenge(verifier)
    else:
        # Strava separates scopes with commas; "auto" skips the approval page when
        # the athlete already granted these scopes.
        params["scope"] = ",".join(app.scopes)
        params["approval_prompt"] = "auto"
    url = f"{app.accounts_url}/authorize?{urlencode(params)}"
    return AuthorizationRequest(url, state, verifier)


def pkce_challenge(verifier: str) -> str:
    """Return the S256 code challenge of a PKCE verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class InvalidGrant(Exception):
    """An invalid_grant error from the token endpoint: the refresh token is dead."""

    def __init__(self, description: str | None):
        super().__init__(description or "invalid_grant")
        self.description = description


class OAuthClient:
    """Exchanges codes and refreshes tokens at one service's token endpoint."""

    def __init__(self, app: OAuthApp, http: HttpClient):
        self.app = app
        self.http = http

    def exchange_code(
        self,
        code: str,
        *,
        code_verifier: str | None = None,
        granted_scope: str | None = None,
    ) -> TokenGrant:
        """Trade an authorization code for tokens; raises AuthorizationFailed.

        Strava sends the granted scopes as the callback's `scope` parameter, not in
        the token response, so pass that as `granted_scope`.
        """
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.app.redirect_uri,
        }
        if code_verifier:
            form["code_verifier"] = code_verifier
        response = self._post_token(form)
        if response.status_code != 200:
            raise self._authorization_failed(response)
        grant = self._grant(response)
        if granted_scope is not None:
            grant = grant.model_copy(update={"scopes": _split_scopes(granted_scope)})
        log.info("%s authorization code exchanged", self.app.service)
        return grant

    def refresh(self, refresh_token: SecretStr) -> TokenGrant:
        """Trade a refresh token for new tokens; raises InvalidGrant if it is dead."""
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token.get_secret_value(),
        }
        response = self._post_token(form)
        if response.status_code != 200:
            error, description = _oauth_error(response)
            if _is_invalid_grant(self.app.service, response, error):
                raise InvalidGrant(description)
            raise self._authorization_failed(response)
        return self._grant(response)

    def deauthorize(self, access_token: SecretStr) -> None:
        """Revoke the app's access for the athlete behind `access_token` (Strava)."""
        response = self.http.request(
            "POST",
            f"{self.app.accounts_url}/deauthorize",
            data={"access_token": access_token.get_secret_value()},
        )
        if response.status_code not in (200, 401):
            raise self._authorization_failed(response)

    def _post_token(self, form: dict[str, str]) -> httpx.Response:
        form = dict(form)
        auth = None
        if self.app.service == "spotify" and self.app.has_secret:
            auth = httpx.BasicAuth(
                self.app.client_id, self.app.client_secret.get_secret_value()
            )
        else:
            form["client_id"] = self.app.client_id
            if self.app.has_secret:
                form["client_secret"] = self.app.client_secret.get_secret_value()
        url = f"{self.app.accounts_url}{_token_path(self.app.service)}"
        return self.http.request("POST", url, data=form, auth=auth)

    def _grant(self, response: httpx.Response) -> TokenGrant:
        what = f"POST {response.request.url.path}"
        if self.app.service == "spotify":
            token = parse(
                SpotifyTokenResponse, _json(response, "spotify", what), "spotify", what
            )
            now = self.http.clock.now()
            return TokenGrant(
                access_token=token.access_token,
                refresh_token=token.refresh_token,
                expires_at=now + timedelta(seconds=token.expires_in),
                scopes=_split_scopes(token.scope) if token.scope else None,
            )
        token = parse(
            StravaTokenResponse, _json(response, "strava", what), "strava", what
        )
        return TokenGrant(
            access_token=token.access_token,
            refresh_token=token.refresh_token,
            expires_at=datetime.fromtimestamp(token.expires_at, UTC),
            scopes=None,
            account_id=str(token.athlete.id) if token.athlete else None,
        )

    def _authorization_failed(self, response: httpx.Response) -> AuthorizationFailed:
        error, description = _oauth_error(response)
        log.warning(
            "%s token endpoint returned %d (%s)",
            self.app.service,
            response.status_code,
            error,
        )
        return AuthorizationFailed(self.app.service, error, description)


def _token_path(service: Service) -> str:
    return "/api/token" if service == "spotify" else "/token"


def _split_scopes(text: str) -> frozenset[str]:
    # Spotify separates granted scopes with spaces, Strava with commas.
    return frozenset(part for part in text.replace(",", " ").split() if part)


def _json(response: httpx.Response, service: Service, what: str) -> object:
    try:
        return response.json()
    except ValueError as error:
        raise ServiceError(service, what, "the response is not JSON") from error


def _oauth_error(response: httpx.Response) -> tuple[str, str | None]:
    """Return (error code, description) from a Spotify or Strava token error."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}", None
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}", None
    if isinstance(body.get("error"), str):
        return body["error"], body.get("error_description")
    # Strava's Fault: {"message": "Bad Request", "errors": [{resource, field, code}]}.
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    fields = [
        f"{item.get('resource')}.{item.get('field')} {item.get('code')}"
        for item in errors
        if isinstance(item, dict)
    ]
    return str(body.get("message") or f"HTTP {response.status_code}"), (
        "; ".join(fields) or None
    )


def _is_invalid_grant(service: Service, response: httpx.Response, error: str) -> bool:
    if error == "invalid_grant":
        return True
    # Strava rejects a dead refresh token with 400 and a Fault naming it, not with
    # the standard error code.
    if service == "strava" and response.status_code in (400, 401):
        text = response.text.lower()
        return "refresh_token" in text and "invalid" in text
    return False
