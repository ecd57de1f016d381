"""A user's access token for one service, refreshed at most once at a time.

Both services may rotate the refresh token on each refresh and revoke the old one, so
two processes that refresh with the same stored token would leave one of them with a
dead token. A refresh therefore holds a file lock per user and service, re-reads the
stored tokens inside it, refreshes only if they still need it, and commits the new
pair before anyone uses the new access token.
"""

import logging
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import filelock

from clients.errors import ClientError, MissingScope, NotConnected, ReconnectNeeded
from clients.http import Clock
from clients.oauth import InvalidGrant, OAuthClient, TokenGrant
from soundtrack.settings import get_settings
from storage.connections import (
    Connection,
    Service,
    load_connection,
    save_connection,
    set_connection_status,
)
from storage.db import connect, transaction

log = logging.getLogger(__name__)

# Refresh this long before the stated expiry, so a token does not expire in flight.
REFRESH_MARGIN_S = 120.0
LOCK_TIMEOUT_S = 60.0


class RefreshLockTimeout(ClientError):
    """Another process held the token refresh lock for too long."""

    def __init__(self, service: str, user: str, path: Path, timeout_s: float):
        self.service = service
        self.user = user
        super().__init__(
            f"waited {timeout_s:.0f} s for another process to finish refreshing the "
            f"{service} token of user {user!r} (lock {path}); if no other Soundtrack "
            "process is running, delete that file"
        )


def lock_path(user_id: str, service: Service) -> Path:
    """Return the refresh lock file of a user and service under DATA_DIR/locks."""
    name = f"{quote(user_id, safe='')}.{service}.lock"
    return get_settings().data_dir / "locks" / name


def save_grant(
    user_id: str, service: Service, grant: TokenGrant, now: datetime
) -> Connection:
    """Store the tokens of a new grant as the user's connection, status connected.

    Scopes come from the grant, else from the scopes the app requested. Raises
    ValueError if the grant carries no refresh token.
    """
    if grant.refresh_token is None:
        raise ValueError(f"{service} granted no refresh token; connect again")
    connection = Connection(
        user_id=user_id,
        service=service,
        account_id=grant.account_id,
        scopes=grant.scopes or frozenset(),
        access_token=grant.access_token,
        refresh_token=grant.refresh_token,
        expires_at=grant.expires_at,
    )
    with connect() as con, transaction(con):
        save_connection(con, connection, now)
    log.info("stored %s connection of user %s", service, user_id)
    return connection


class TokenSource:
    """Hands out a user's current access token for one service, refreshing as needed."""

    def __init__(
        self,
        user_id: str,
        service: Service,
        oauth: OAuthClient,
        clock: Clock,
        *,
        lock_timeout_s: float = LOCK_TIMEOUT_S,
    ):
        self.user_id = user_id
        self.service = service
        self.oauth = oauth
        self.clock = clock
        self.lock_timeout_s = lock_timeout_s

    def connection(self) -> Connection:
        """Return the stored connection; raises NotConnected or ReconnectNeeded."""
        with connect() as con:
            current = load_connection(con, self.user_id, self.service)
        if current is None:
            raise NotConnected(self.service, self.user_id)
        if current.status != "connected":
            raise ReconnectNeeded(self.service, self.user_id, current.status_reason)
        return current

    def require_scope(self, *accepted: str) -> None:
        """Raise MissingScope unless the stored grant contains one of `accepted`.

        A grant stored without scopes passes, and the service decides.
        """
        scopes = self.connection().scopes
        if scopes and not scopes.intersection(accepted):
            raise MissingScope(self.service, " or ".join(accepted), self.user_id)

    def access_token(self) -> str:
        """Return an access token valid for REFRESH_MARGIN_S more, refreshing if not."""
        current = self.connection()
        if not current.expires_within(REFRESH_MARGIN_S, self.clock.now()):
            return current.access_token.get_secret_value()
        return self.refresh(rejected=None)

    def refresh(self, rejected: str | None) -> str:
        """Refresh under the lock unless another process already did; return the token.

        `rejected` is an access token that the service rejected with 401, and a stored token
        that differs from it was refreshed meanwhile and is used as it is. Raises
        ReconnectNeeded if the service rejects the refresh token.
        """
        path = lock_path(self.user_id, self.service)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with filelock.FileLock(path, timeout=self.lock_timeout_s):
                return self._refresh_locked(rejected)
        except filelock.Timeout as error:
            raise RefreshLockTimeout(
                self.service, self.user_id, path, self.lock_timeout_s
            ) from error

    def reject(self, reason: str) -> ReconnectNeeded:
        """Mark the connection reconnect_needed and return the error to raise."""
        with connect() as con, transaction(con):
            set_connection_status(
                con,
                self.user_id,
                self.service,
                "reconnect_needed",
                reason,
                self.clock.now(),
            )
        log.warning(
            "%s connection of user %s needs reconnecting: %s",
            self.service,
            self.user_id,
            reason,
        )
        return ReconnectNeeded(self.service, self.user_id, reason)

    def _refresh_locked(self, rejected: str | None) -> str:
        # Re-read inside the lock: another process may have refreshed meanwhile, and
        # then its stored refresh token is the only one that still works.
        current = self.connection()
        stored_token = current.access_token.get_secret_value()
        expiring = current.expires_within(REFRESH_MARGIN_S, self.clock.now())
        if not expiring and stored_token != rejected:
            log.info(
                "%s token of user %s was already refreshed; using it",
                self.service,
                self.user_id,
            )
            return stored_token
        try:
            grant = self.oauth.refresh(current.refresh_token)
        except InvalidGrant as error:
            reason = f"the refresh token was rejected: {error.description}"
            raise self.reject(reason) from error
        updated = self._merge(current, grant)
        with connect() as con, transaction(con):
            save_connection(con, updated, self.clock.now())
        log.info("refreshed %s token of user %s", self.service, self.user_id)
        return updated.access_token.get_secret_value()

    def _merge(self, current: Connection, grant: TokenGrant) -> Connection:
        # A refresh response may leave out the refresh token (Spotify without PKCE)
        # and the scopes; both then stay as stored.
        changes = {
            "access_token": grant.access_token,
            "expires_at": grant.expires_at,
        }
        if grant.refresh_token is not None:
            changes["refresh_token"] = grant.refresh_token
        if grant.scopes is not None:
            changes["scopes"] = grant.scopes
        return current.model_copy(update=changes)
