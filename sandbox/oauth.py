"""OAuth for both services: authorize redirects, token grants, refresh and revocation."""

import base64
import hashlib
from datetime import timedelta
from ipaddress import ip_address
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from sandbox.responses import ApiError, oauth_error, read_body, strava_fault
from sandbox.state import AccessToken, AuthCode, RefreshToken
from sandbox.strava_objects import athlete_summary

spotify_router = APIRouter()
strava_router = APIRouter()

SPOTIFY_DEFAULT_SCOPES = frozenset(
    {
        "user-read-private",
        "user-read-email",
        "user-read-recently-played",
        "playlist-read-private",
        "playlist-modify-private",
        "playlist-modify-public",
        "ugc-image-upload",
    }
)
STRAVA_DEFAULT_SCOPES = frozenset(
    {"read", "profile:read_all", "activity:read_all", "activity:write"}
)


def world_of(request: Request):
    """Return the World that serves this request."""
    return request.app.state.world


def grant(world, service: str, user_key: str, scopes=None) -> dict:
    """Issue a token pair for `user_key` as a completed OAuth flow would; return its body."""
    world.state.user(user_key)  # raises KeyError for an unknown user
    if service == "spotify":
        granted = frozenset(scopes) if scopes is not None else SPOTIFY_DEFAULT_SCOPES
        client_id = world.spotify_app.client_id
        refresh = _new_refresh(world, "spotify", user_key, client_id, granted)
        return _spotify_token_body(world, refresh, include_refresh=True)
    if service == "strava":
        granted = frozenset(scopes) if scopes is not None else STRAVA_DEFAULT_SCOPES
        client_id = world.strava_app.client_id
        refresh = _new_refresh(world, "strava", user_key, client_id, granted)
        body = _strava_token_body(world, refresh, _new_access(world, refresh))
        body["athlete"] = athlete_summary(world.state.user(user_key))
        return body
    raise ValueError(f"unknown service {service!r}; expected 'spotify' or 'strava'")


def find_access_token(world, service: str, request: Request) -> AccessToken | None:
    """Return the live access token in the request's Bearer header, or None."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    found = world.state.access_tokens.get(token.strip())
    if found is None or found.service != service or found.revoked:
        return None
    if found.expires_at <= world.clock.now():
        return None
    return found


def _new_refresh(world, service, user_key, client_id, scopes, pkce=False):
    state = world.state
    with state.lock:
        token = RefreshToken(
            state.new_token(f"sandbox-{service}-refresh-"),
            service,
            user_key,
            client_id,
            frozenset(scopes),
            pkce,
        )
        state.refresh_tokens[token.token] = token
    return token


def _new_access(world, refresh: RefreshToken) -> AccessToken:
    state = world.state
    ttl = (
        world.options.spotify_access_ttl_s
        if refresh.service == "spotify"
        else world.options.strava_access_ttl_s
    )
    with state.lock:
        token = AccessToken(
            state.new_token(f"sandbox-{refresh.service}-access-"),
            refresh.service,
            refresh.user_key,
            refresh.client_id,
            refresh.scopes,
            world.clock.now() + timedelta(seconds=ttl),
        )
        state.access_tokens[token.token] = token
        refresh.access_token = token.token
    return token


def _spotify_token_body(world, refresh: RefreshToken, include_refresh: bool) -> dict:
    access = _new_access(world, refresh)
    body = {
        "access_token": access.token,
        "token_type": "Bearer",
        "scope": " ".join(sorted(refresh.scopes)),
        "expires_in": world.options.spotify_access_ttl_s,
    }
    if include_refresh:
        body["refresh_token"] = refresh.token
    return body


def _strava_token_body(world, refresh: RefreshToken, access: AccessToken) -> dict:
    remaining = int((access.expires_at - world.clock.now()).total_seconds())
    return {
        "token_type": "Bearer",
        "expires_at": int(access.expires_at.timestamp()),
        "expires_in": remaining,
        "refresh_token": refresh.token,
        "access_token": access.token,
    }


def _issue_code(world, service, user_key, client_id, redirect_uri, scopes, challenge):
    state = world.state
    with state.lock:
        code = AuthCode(
            state.new_token(f"sandbox-{service}-code-", 24),
            service,
            user_key,
            client_id,
            redirect_uri,
            frozenset(scopes),
            world.clock.now() + timedelta(seconds=world.options.code_ttl_s),
            challenge,
        )
        state.codes[code.code] = code
    return code


def _take_code(world, service: str, code: str, client_id: str) -> AuthCode | None:
    """Consume an unused, unexpired code of this app; None if it cannot be used."""
    with world.state.lock:
        found = world.state.codes.get(code)
        if found is None or found.used or found.service != service:
            return None
        if found.client_id != client_id or found.expires_at <= world.clock.now():
            return None
        found.used = True
        return found


def _with_query(url: str, params: dict) -> str:
    separator = "&" if urlsplit(url).query else "?"
    return url + separator + urlencode(params)


def _pick_user(world, request: Request) -> str | None:
    key = request.query_params.get("sandbox_user") or world.state.first_user_key()
    return key if key in world.state.users else None


# ---------------------------------------------------------------- Spotify accounts


def _spotify_redirect_problem(world, redirect_uri: str) -> str | None:
    """Name what is wrong with a redirect URI, as Spotify's authorize page does."""
    parts = urlsplit(redirect_uri)
    if not parts.scheme or not parts.hostname:
        return "Invalid redirect URI"
    # Since 2025 Spotify rejects "localhost"; only loopback IP literals may use http.
    if parts.hostname == "localhost":
        return "Insecure redirect URI"
    if parts.scheme == "http" and not _is_loopback_ip(parts.hostname):
        return "Insecure redirect URI"
    allowed = world.spotify_app.redirect_uris
    if allowed is not None and redirect_uri not in allowed:
        return "Invalid redirect URI"
    return None


def _is_loopback_ip(host: str) -> bool:
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


@spotify_router.get("/authorize")
async def spotify_authorize(request: Request):
    """Auto-approve the request for the chosen user and redirect back with a code."""
    world = world_of(request)
    params = request.query_params
    if params.get("client_id") != world.spotify_app.client_id:
        return HTMLResponse("INVALID_CLIENT: Invalid client", 400)
    redirect_uri = params.get("redirect_uri", "")
    problem = _spotify_redirect_problem(world, redirect_uri)
    if problem:
        return HTMLResponse(f"INVALID_CLIENT: {problem}", 400)
    back = {"state": params["state"]} if "state" in params else {}
    if params.get("response_type") != "code":
        error = {"error": "unsupported_response_type", **back}
        return RedirectResponse(_with_query(redirect_uri, error), 302)
    user_key = _pick_user(world, request)
    if user_key is None:
        return HTMLResponse("sandbox: no such user to sign in", 400)
    scopes = params.get("scope", "").split()
    challenge = params.get("code_challenge")
    if challenge and params.get("code_challenge_method") != "S256":
        return HTMLResponse("INVALID_REQUEST: code_challenge_method must be S256", 400)
    code = _issue_code(
        world,
        "spotify",
        user_key,
        world.spotify_app.client_id,
        redirect_uri,
        scopes,
        challenge,
    )
    return RedirectResponse(_with_query(redirect_uri, {"code": code.code, **back}), 302)


def _spotify_client(world, request: Request, form: dict) -> tuple[str, bool]:
    """Authenticate the app; return (client_id, uses PKCE) or raise invalid_client."""
    app = world.spotify_app
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except ValueError as error:
            raise oauth_error(400, "invalid_client", "Invalid client") from error
        client_id, _, secret = decoded.partition(":")
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret")
    if client_id != app.client_id:
        raise oauth_error(400, "invalid_client", "Invalid client")
    if secret is None:
        return client_id, True
    if secret != app.client_secret:
        raise oauth_error(400, "invalid_client", "Invalid client secret")
    return client_id, False


@spotify_router.post("/api/token")
async def spotify_token(request: Request):
    """Exchange a code (secret or PKCE) or refresh a token, as accounts.spotify.com."""
    world = world_of(request)
    form = await read_body(request)
    client_id, pkce = _spotify_client(world, request, form)
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        return _spotify_code_grant(world, form, client_id, pkce)
    if grant_type == "refresh_token":
        return _spotify_refresh_grant(world, form, client_id)
    raise oauth_error(
        400, "unsupported_grant_type", "grant_type parameter is missing or invalid"
    )


def _spotify_code_grant(world, form: dict, client_id: str, pkce: bool) -> dict:
    code = _take_code(world, "spotify", form.get("code", ""), client_id)
    if code is None:
        raise oauth_error(400, "invalid_grant", "Invalid authorization code")
    if form.get("redirect_uri") != code.redirect_uri:
        raise oauth_error(400, "invalid_grant", "Invalid redirect URI")
    if pkce:
        _check_verifier(code, form.get("code_verifier"))
    refresh = _new_refresh(
        world, "spotify", code.user_key, client_id, code.scopes, pkce
    )
    return _spotify_token_body(world, refresh, include_refresh=True)


def _check_verifier(code: AuthCode, verifier: str | None) -> None:
    """Check a PKCE code_verifier against the S256 challenge given at authorize."""
    if not code.code_challenge or not verifier:
        raise oauth_error(400, "invalid_request", "code_verifier required")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    if expected != code.code_challenge:
        raise oauth_error(400, "invalid_grant", "code_verifier was incorrect")


def _spotify_refresh_grant(world, form: dict, client_id: str) -> dict:
    with world.state.lock:
        refresh = world.state.refresh_tokens.get(form.get("refresh_token", ""))
        if refresh is None or refresh.service != "spotify":
            raise oauth_error(400, "invalid_grant", "Invalid refresh token")
        if refresh.client_id != client_id:
            raise oauth_error(400, "invalid_grant", "Invalid refresh token")
        if refresh.revoked:
            raise oauth_error(400, "invalid_grant", "Refresh token revoked")
        if refresh.pkce:
            # PKCE refreshes always return a new refresh token.
            # NOTE: the old one stays valid here; Spotify does not document when
            # it stops working.
            fresh = _new_refresh(
                world, "spotify", refresh.user_key, client_id, refresh.scopes, True
            )
            return _spotify_token_body(world, fresh, include_refresh=True)
        include = world.options.spotify_refresh_returns_new_token
        return _spotify_token_body(world, refresh, include_refresh=include)


# ---------------------------------------------------------------- Strava OAuth


def _strava_invalid_client():
    return strava_fault(400, "Bad Request", "Application", "client_id", "invalid")


@strava_router.get("/authorize")
async def strava_authorize(request: Request):
    """Auto-approve the request for the chosen user and redirect back with a code."""
    world = world_of(request)
    params = request.query_params
    if params.get("client_id") != world.strava_app.client_id:
        raise _strava_invalid_client()
    redirect_uri = params.get("redirect_uri", "")
    if not urlsplit(redirect_uri).hostname:
        raise strava_fault(400, "Bad Request", "Application", "redirect_uri", "invalid")
    user_key = _pick_user(world, request)
    if user_key is None:
        raise strava_fault(400, "Bad Request", "Athlete", "sandbox_user", "invalid")
    requested = {s for s in params.get("scope", "read").split(",") if s}
    scopes = sorted(requested | {"read"})
    code = _issue_code(
        world,
        "strava",
        user_key,
        world.strava_app.client_id,
        redirect_uri,
        scopes,
        None,
    )
    back = {"state": params.get("state", ""), "code": code.code}
    back["scope"] = ",".join(scopes)
    return RedirectResponse(_with_query(redirect_uri, back), 302)


async def _strava_params(request: Request) -> dict:
    """Merge query and body parameters; Strava's OAuth accepts both."""
    params = dict(request.query_params)
    params.update(await read_body(request))
    return params


@strava_router.post("/token")
async def strava_token(request: Request):
    """Exchange a code or refresh a token, as www.strava.com/oauth/token."""
    world = world_of(request)
    params = await _strava_params(request)
    app = world.strava_app
    if str(params.get("client_id", "")) != app.client_id:
        raise _strava_invalid_client()
    if params.get("client_secret") != app.client_secret:
        raise strava_fault(
            400, "Bad Request", "Application", "client_secret", "invalid"
        )
    grant_type = params.get("grant_type")
    if grant_type == "authorization_code":
        return _strava_code_grant(world, params)
    if grant_type == "refresh_token":
        return _strava_refresh_grant(world, params)
    raise strava_fault(400, "Bad Request", "RequestToken", "grant_type", "invalid")


def _strava_code_grant(world, params: dict) -> dict:
    client_id = world.strava_app.client_id
    code = _take_code(world, "strava", params.get("code", ""), client_id)
    if code is None:
        raise strava_fault(400, "Bad Request", "RequestToken", "code", "invalid")
    refresh = _new_refresh(world, "strava", code.user_key, client_id, code.scopes)
    body = _strava_token_body(world, refresh, _new_access(world, refresh))
    body["athlete"] = athlete_summary(world.state.user(code.user_key))
    return body


def _strava_refresh_grant(world, params: dict) -> dict:
    state = world.state
    with state.lock:
        refresh = state.refresh_tokens.get(params.get("refresh_token", ""))
        if refresh is None or refresh.revoked or refresh.service != "strava":
            raise strava_fault(
                400, "Bad Request", "RefreshToken", "refresh_token", "invalid"
            )
        access = _reusable_access(world, refresh)
        if world.options.strava_rotate_refresh:
            # Rotation revokes the old refresh token at once.
            refresh.revoked = True
            rotated = _new_refresh(
                world, "strava", refresh.user_key, refresh.client_id, refresh.scopes
            )
            rotated.access_token = refresh.access_token
            refresh = rotated
        if access is None:
            access = _new_access(world, refresh)
        return _strava_token_body(world, refresh, access)


def _reusable_access(world, refresh: RefreshToken) -> AccessToken | None:
    """Return the current access token if it has more than the reuse window left."""
    access = world.state.access_tokens.get(refresh.access_token or "")
    if access is None or access.revoked:
        return None
    left = (access.expires_at - world.clock.now()).total_seconds()
    return access if left > world.options.strava_reuse_window_s else None


@strava_router.post("/deauthorize")
async def strava_deauthorize(request: Request):
    """Revoke every token the athlete gave this app and send the deauthorize event."""
    world = world_of(request)
    params = await _strava_params(request)
    token = params.get("access_token")
    access = world.state.access_tokens.get(token) if token else None
    if access is None:
        access = find_access_token(world, "strava", request)
    if access is None or access.revoked or access.service != "strava":
        raise _authorization_error()
    _revoke_all(world, access)
    athlete_id = world.state.user(access.user_key).strava_athlete_id
    world.webhooks.emit(
        athlete_id,
        "athlete",
        athlete_id,
        "update",
        {"authorized": "false"},
        client_id=access.client_id,
    )
    return {"access_token": access.token}


def _revoke_all(world, access: AccessToken) -> None:
    with world.state.lock:
        tokens = [
            *world.state.access_tokens.values(),
            *world.state.refresh_tokens.values(),
        ]
        for token in tokens:
            same_user = token.user_key == access.user_key
            if (
                same_user
                and token.service == "strava"
                and token.client_id == access.client_id
            ):
                token.revoked = True


def _authorization_error() -> ApiError:
    return strava_fault(401, "Authorization Error", "Application", "", "invalid")
