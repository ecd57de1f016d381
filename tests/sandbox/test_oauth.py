"""OAuth flows of both fake services, driven over real HTTP."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

from tests.sandbox.conftest import bearer

REDIRECT = "http://127.0.0.1:8765/callback"


def _query(response) -> dict:
    return {
        k: v[0]
        for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()
    }


def _spotify_code(sandbox, client, **extra) -> str:
    params = {
        "client_id": sandbox.spotify_app.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "xyz",
        "scope": "user-read-recently-played playlist-modify-private",
        **extra,
    }
    response = client.get(f"{sandbox.spotify_accounts_url}/authorize", params=params)
    assert response.status_code == 302
    query = _query(response)
    assert query["state"] == "xyz"
    return query["code"]


def _basic(sandbox) -> dict:
    app = sandbox.spotify_app
    raw = f"{app.client_id}:{app.client_secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def test_spotify_code_flow_with_secret(sandbox, client):
    code = _spotify_code(sandbox, client)
    token_url = f"{sandbox.spotify_accounts_url}/api/token"
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    body = client.post(token_url, data=form, headers=_basic(sandbox)).json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "playlist-modify-private user-read-recently-played"
    assert body["refresh_token"]
    me = client.get(f"{sandbox.spotify_api_url}/me", headers=bearer(body))
    assert me.json()["id"] == "alicerunner"

    reused = client.post(token_url, data=form, headers=_basic(sandbox))
    assert reused.status_code == 400
    assert reused.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid authorization code",
    }


def test_spotify_sandbox_user_parameter(sandbox, client):
    code = _spotify_code(sandbox, client, sandbox_user="bob")
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    body = client.post(
        f"{sandbox.spotify_accounts_url}/api/token", data=form, headers=_basic(sandbox)
    ).json()
    me = client.get(f"{sandbox.spotify_api_url}/me", headers=bearer(body)).json()
    assert me["id"] == "bobjogger"


def test_spotify_rejects_localhost_redirect(sandbox, client):
    params = {
        "client_id": sandbox.spotify_app.client_id,
        "response_type": "code",
        "redirect_uri": "http://localhost:8765/callback",
    }
    response = client.get(f"{sandbox.spotify_accounts_url}/authorize", params=params)
    assert response.status_code == 400
    assert "INVALID_CLIENT: Insecure redirect URI" in response.text


def test_spotify_wrong_secret_is_invalid_client(sandbox, client):
    code = _spotify_code(sandbox, client)
    raw = f"{sandbox.spotify_app.client_id}:wrong".encode()
    headers = {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    response = client.post(
        f"{sandbox.spotify_accounts_url}/api/token", data=form, headers=headers
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


def test_spotify_pkce_flow_and_refresh(sandbox, client):
    verifier = "v" * 64
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    code = _spotify_code(
        sandbox, client, code_challenge=challenge, code_challenge_method="S256"
    )
    token_url = f"{sandbox.spotify_accounts_url}/api/token"
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": sandbox.spotify_app.client_id,
        "code_verifier": verifier,
    }
    first = client.post(token_url, data=form).json()
    refresh_form = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": sandbox.spotify_app.client_id,
    }
    refreshed = client.post(token_url, data=refresh_form).json()
    assert refreshed["refresh_token"] != first["refresh_token"]
    assert refreshed["access_token"] != first["access_token"]


def test_spotify_pkce_wrong_verifier(sandbox, client):
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"right").digest()).rstrip(b"=")
    code = _spotify_code(
        sandbox, client, code_challenge=challenge.decode(), code_challenge_method="S256"
    )
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": sandbox.spotify_app.client_id,
        "code_verifier": "wrong",
    }
    response = client.post(f"{sandbox.spotify_accounts_url}/api/token", data=form)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_spotify_refresh_omits_refresh_token(sandbox, client):
    tokens = sandbox.grant("spotify", "alice")
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    url = f"{sandbox.spotify_accounts_url}/api/token"
    body = client.post(url, data=form, headers=_basic(sandbox)).json()
    assert "refresh_token" not in body
    assert body["expires_in"] == 3600
    # The old refresh token keeps working.
    again = client.post(url, data=form, headers=_basic(sandbox))
    assert again.status_code == 200


def test_spotify_refresh_can_return_new_token(sandbox, client):
    sandbox.options.spotify_refresh_returns_new_token = True
    tokens = sandbox.grant("spotify", "alice")
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    url = f"{sandbox.spotify_accounts_url}/api/token"
    body = client.post(url, data=form, headers=_basic(sandbox)).json()
    assert body["refresh_token"] == tokens["refresh_token"]


def test_spotify_revoked_refresh_is_invalid_grant(sandbox, client):
    tokens = sandbox.grant("spotify", "alice")
    sandbox.state.refresh_tokens[tokens["refresh_token"]].revoked = True
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    url = f"{sandbox.spotify_accounts_url}/api/token"
    response = client.post(url, data=form, headers=_basic(sandbox))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    unknown = client.post(
        url, data={**form, "refresh_token": "nope"}, headers=_basic(sandbox)
    )
    assert unknown.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid refresh token",
    }


def test_spotify_token_expires_after_an_hour(sandbox, client):
    tokens = sandbox.grant("spotify", "alice")
    url = f"{sandbox.spotify_api_url}/me"
    assert client.get(url, headers=bearer(tokens)).status_code == 200
    sandbox.clock.advance(3600)
    expired = client.get(url, headers=bearer(tokens))
    assert expired.status_code == 401
    assert expired.json() == {
        "error": {"status": 401, "message": "Missing/invalid/expired access token"}
    }


def _strava_code(sandbox, client) -> tuple[str, str]:
    params = {
        "client_id": sandbox.strava_app.client_id,
        "redirect_uri": "http://localhost:8765/callback",
        "response_type": "code",
        "scope": "activity:read_all,activity:write",
        "state": "s1",
    }
    response = client.get(f"{sandbox.strava_oauth_url}/authorize", params=params)
    assert response.status_code == 302
    query = _query(response)
    assert query["state"] == "s1"
    return query["code"], query["scope"]


def _strava_form(sandbox, **extra) -> dict:
    app = sandbox.strava_app
    return {"client_id": app.client_id, "client_secret": app.client_secret, **extra}


def test_strava_code_exchange_includes_athlete(sandbox, client):
    code, scope = _strava_code(sandbox, client)
    assert scope == "activity:read_all,activity:write,read"
    form = _strava_form(sandbox, code=code, grant_type="authorization_code")
    body = client.post(f"{sandbox.strava_oauth_url}/token", data=form).json()
    assert body["expires_in"] == 21600
    assert body["expires_at"] == int(sandbox.clock.timestamp()) + 21600
    assert body["athlete"]["id"] == 90000011
    again = client.post(f"{sandbox.strava_oauth_url}/token", data=form)
    assert again.status_code == 400
    assert again.json()["errors"][0]["resource"] == "RequestToken"


def test_strava_refresh_rotates_and_kills_old(sandbox, client):
    tokens = sandbox.grant("strava", "alice")
    url = f"{sandbox.strava_oauth_url}/token"
    form = _strava_form(
        sandbox, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    sandbox.clock.advance(7000)
    first = client.post(url, data=form).json()
    assert "athlete" not in first
    assert first["refresh_token"] != tokens["refresh_token"]
    # The access token still had more than an hour left, so it comes back as is.
    assert first["access_token"] == tokens["access_token"]
    assert first["expires_in"] == 21600 - 7000

    second = client.post(url, data=form)
    assert second.status_code == 400
    assert second.json() == {
        "message": "Bad Request",
        "errors": [
            {"resource": "RefreshToken", "field": "refresh_token", "code": "invalid"}
        ],
    }


def test_strava_refresh_near_expiry_gives_new_access(sandbox, client):
    tokens = sandbox.grant("strava", "alice")
    sandbox.clock.advance(21000)
    form = _strava_form(
        sandbox, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    body = client.post(f"{sandbox.strava_oauth_url}/token", data=form).json()
    assert body["access_token"] != tokens["access_token"]
    assert body["expires_in"] == 21600


def test_strava_refresh_without_rotation(sandbox, client):
    sandbox.options.strava_rotate_refresh = False
    tokens = sandbox.grant("strava", "alice")
    form = _strava_form(
        sandbox, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    url = f"{sandbox.strava_oauth_url}/token"
    assert (
        client.post(url, data=form).json()["refresh_token"] == tokens["refresh_token"]
    )
    assert client.post(url, data=form).status_code == 200


def test_strava_wrong_secret(sandbox, client):
    form = _strava_form(sandbox, grant_type="authorization_code", code="x")
    form["client_secret"] = "wrong"
    response = client.post(f"{sandbox.strava_oauth_url}/token", data=form)
    assert response.status_code == 400
    assert response.json()["errors"][0]["resource"] == "Application"


def test_strava_deauthorize_revokes_tokens(sandbox, client):
    tokens = sandbox.grant("strava", "alice")
    response = client.post(
        f"{sandbox.strava_oauth_url}/deauthorize",
        data={"access_token": tokens["access_token"]},
    )
    assert response.json() == {"access_token": tokens["access_token"]}
    athlete = client.get(f"{sandbox.strava_api_url}/athlete", headers=bearer(tokens))
    assert athlete.status_code == 401
    assert athlete.json()["message"] == "Authorization Error"
    form = _strava_form(
        sandbox, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert (
        client.post(f"{sandbox.strava_oauth_url}/token", data=form).status_code == 400
    )
