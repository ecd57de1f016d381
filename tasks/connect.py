"""Connect a user's Spotify or Strava account: authorize, catch the redirect, store tokens."""

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

from clients.oauth import OAuthApp, authorization_request
from clients.spotify import SpotifyClient, spotify_oauth
from clients.strava import strava_oauth
from clients.tokens import save_grant
from soundtrack.errors import SoundtrackError
from soundtrack.settings import get_settings
from storage.connections import Connection, load_connection, save_connection
from storage.db import connect

log = logging.getLogger(__name__)


class AuthorizationDenied(SoundtrackError):
    """Authorization did not finish: no redirect, a refused one, or no port for it."""


def connect_service(
    user_id: str,
    service: str,
    show_url: Callable[[str], None],
    timeout_s: float = 300.0,
) -> Connection:
    """Run the OAuth authorization-code flow for one service and store the grant.

    show_url receives the authorize address for the user's browser. The redirect is
    caught on http://127.0.0.1:PORT/callback (Spotify rejects "localhost").
    """
    settings = get_settings()
    app = OAuthApp.from_settings(service, settings)
    if not app.client_id:
        raise SoundtrackError(
            f"no {service} app is configured; set SOUNDTRACK_{service.upper()}_CLIENT_ID "
            f"and SOUNDTRACK_{service.upper()}_CLIENT_SECRET"
        )
    request = authorization_request(app)
    params = _catch_redirect(
        settings.redirect_port, lambda: show_url(request.url), timeout_s
    )
    if params.get("state") != request.state:
        raise AuthorizationDenied(
            f"{service} answered with another state; run connect again"
        )
    if "code" not in params:
        reason = params.get("error", "no code in the redirect")
        raise AuthorizationDenied(f"{service} authorization failed: {reason}")

    oauth = spotify_oauth(settings) if service == "spotify" else strava_oauth(settings)
    grant = oauth.exchange_code(
        params["code"],
        code_verifier=request.code_verifier,
        granted_scope=params.get("scope"),
    )
    connection = save_grant(user_id, service, grant, datetime.now(UTC))
    if service == "spotify" and connection.account_id is None:
        connection = _store_spotify_account(user_id)
    return connection


def _store_spotify_account(user_id: str) -> Connection:
    # Spotify's token response names no account, so read it from the profile.
    with SpotifyClient(user_id) as client:
        account_id = client.me().id
    with connect() as con:
        connection = load_connection(con, user_id, "spotify")
        connection = connection.model_copy(update={"account_id": account_id})
        save_connection(con, connection, datetime.now(UTC))
    return connection


def _catch_redirect(
    port: int, start: Callable[[], None], timeout_s: float
) -> dict[str, str]:
    """Serve one request on 127.0.0.1:port/callback and return its query parameters."""
    received: dict[str, str] = {}
    done = threading.Event()

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path != "/callback":
                self.send_error(404)
                return
            received.update({k: v[0] for k, v in parse_qs(url.query).items()})
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"Soundtrack is connected. You can close this tab.\n")
            done.set()

        def log_message(self, format: str, *args: object) -> None:
            # The query holds the authorization code, which is never logged.
            return

    try:
        server = HTTPServer(("127.0.0.1", port), Callback)
    except OSError as error:
        raise AuthorizationDenied(
            f"cannot listen on 127.0.0.1:{port} for the redirect ({error.strerror}); "
            "stop what uses that port, or set SOUNDTRACK_REDIRECT_PORT to a free one "
            "and register http://127.0.0.1:PORT/callback with the app"
        ) from None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        start()
        if not done.wait(timeout_s):
            raise AuthorizationDenied(
                f"no redirect reached http://127.0.0.1:{port}/callback within "
                f"{timeout_s:.0f} s; run connect again and approve in the browser. If "
                "the browser showed an error page instead of redirecting, that page "
                "says what the service rejected"
            )
    finally:
        server.shutdown()
        server.server_close()
    return received
