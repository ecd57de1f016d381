"""Stored OAuth connections with tokens encrypted at rest, app cooldowns and request counts.

Tokens are encrypted with Fernet before they reach DuckDB and decrypted only into
SecretStr fields, so neither the database file nor a repr or log line shows them.
Every datetime given to or returned from this module is timezone-aware UTC; the
tables hold the same instants as naive UTC.
"""

import logging
import os
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

import duckdb
from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, ConfigDict, SecretStr

from soundtrack.errors import SettingsError, SoundtrackError
from soundtrack.settings import get_settings
from storage.db import fetch_one

log = logging.getLogger(__name__)

Service = Literal["spotify", "strava"]
Status = Literal["connected", "reconnect_needed", "disconnected"]


class TokenDecryptError(SoundtrackError):
    """Stored tokens that the current secret key cannot decrypt."""

    def __init__(self, user_id: str, service: str):
        self.user_id = user_id
        self.service = service
        super().__init__(
            f"the stored {service} tokens of user {user_id!r} cannot be decrypted with "
            "the current secret key; restore the key that encrypted them "
            f"(SOUNDTRACK_SECRET_KEY or the key file), or run `soundtrack connect "
            f"{service}` again"
        )


class Connection(BaseModel):
    """A user's grant for one service. The tokens are SecretStr, so a repr hides them."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    service: Service
    account_id: str | None
    scopes: frozenset[str]
    access_token: SecretStr
    refresh_token: SecretStr
    expires_at: datetime
    status: Status = "connected"
    status_reason: str | None = None
    updated_at: datetime | None = None

    def expires_within(self, seconds: float, now: datetime) -> bool:
        """Return True if the access token expires less than `seconds` after `now`."""
        return self.expires_at - timedelta(seconds=seconds) <= now


class Cooldown(BaseModel):
    """An app-wide pause on one service until `until` (UTC)."""

    service: Service
    scope: str
    until: datetime
    reason: str
    set_at: datetime


def _to_db(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware UTC datetime")
    return moment.astimezone(UTC).replace(tzinfo=None)


def _from_db(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


# --- the secret key -------------------------------------------------------------


def secret_key() -> bytes:
    """Return the Fernet key: the secret_key setting, else the key file, created 0600.

    Raises SettingsError if the configured key or the key file is not a Fernet key.
    """
    settings = get_settings()
    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value().encode()
        source = "SOUNDTRACK_SECRET_KEY"
    else:
        path = settings.secret_key_file
        key = _read_or_create_key_file(path)
        source = str(path)
    try:
        Fernet(key)
    except ValueError as error:
        raise SettingsError(
            f"{source} is not a Fernet key (32 url-safe base64-encoded bytes). "
            "Generate one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`"
        ) from error
    return key


def _read_or_create_key_file(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write the key under a private name first, then link it into place: a link fails
    # if the name exists, so two processes starting at once end up with one key, and
    # neither can read a half-written file.
    staging = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(Fernet.generate_key())
    try:
        os.link(staging, path)
        log.info("created secret key file %s", path)
    except FileExistsError:
        pass
    finally:
        staging.unlink()
    return path.read_bytes().strip()


def _fernet() -> Fernet:
    return Fernet(secret_key())


def _encrypt(fernet: Fernet, token: SecretStr) -> str:
    return fernet.encrypt(token.get_secret_value().encode()).decode()


def _decrypt(fernet: Fernet, ciphertext: str) -> SecretStr:
    return SecretStr(fernet.decrypt(ciphertext.encode()).decode())


# --- connections ----------------------------------------------------------------

_COLUMNS = (
    "user_id, service, account_id, scopes, access_token, refresh_token, expires_at, "
    "status, status_reason, updated_at"
)


def save_connection(
    con: duckdb.DuckDBPyConnection, connection: Connection, now: datetime
) -> None:
    """Insert or replace a user's connection, encrypting both tokens."""
    fernet = _fernet()
    con.execute(
        f"INSERT OR REPLACE INTO connections ({_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            connection.user_id,
            connection.service,
            connection.account_id,
            sorted(connection.scopes),
            _encrypt(fernet, connection.access_token),
            _encrypt(fernet, connection.refresh_token),
            _to_db(connection.expires_at),
            connection.status,
            connection.status_reason,
            _to_db(now),
        ],
    )


def load_connection(
    con: duckdb.DuckDBPyConnection, user_id: str, service: Service
) -> Connection | None:
    """Return the user's connection to a service, or None. Raises TokenDecryptError."""
    row = fetch_one(
        con,
        f"SELECT {_COLUMNS} FROM connections WHERE user_id = ? AND service = ?",
        [user_id, service],
    )
    if row is None:
        return None
    fernet = _fernet()
    try:
        access_token = _decrypt(fernet, row[4])
        refresh_token = _decrypt(fernet, row[5])
    except InvalidToken as error:
        raise TokenDecryptError(user_id, service) from error
    return Connection(
        user_id=row[0],
        service=row[1],
        account_id=row[2],
        scopes=frozenset(row[3]),
        access_token=access_token,
        refresh_token=refresh_token,
        expires_at=_from_db(row[6]),
        status=row[7],
        status_reason=row[8],
        updated_at=_from_db(row[9]),
    )


def set_connection_status(
    con: duckdb.DuckDBPyConnection,
    user_id: str,
    service: Service,
    status: Status,
    reason: str | None,
    now: datetime,
) -> None:
    """Set a connection's status and the reason shown to the user, keeping the tokens."""
    con.execute(
        "UPDATE connections SET status = ?, status_reason = ?, updated_at = ? "
        "WHERE user_id = ? AND service = ?",
        [status, reason, _to_db(now), user_id, service],
    )


# --- cooldowns and request counts -----------------------------------------------


def set_cooldown(
    con: duckdb.DuckDBPyConnection,
    service: Service,
    scope: str,
    until: datetime,
    reason: str,
    now: datetime,
) -> Cooldown:
    """Store a cooldown, keeping a later one already stored; return the one in force."""
    con.execute(
        "INSERT INTO app_cooldowns VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (service, scope) DO UPDATE SET "
        " reason = CASE WHEN excluded.until > app_cooldowns.until"
        "   THEN excluded.reason ELSE app_cooldowns.reason END,"
        " set_at = CASE WHEN excluded.until > app_cooldowns.until"
        "   THEN excluded.set_at ELSE app_cooldowns.set_at END,"
        " until = greatest(excluded.until, app_cooldowns.until)",
        [service, scope, _to_db(until), reason, _to_db(now)],
    )
    row = fetch_one(
        con,
        "SELECT service, scope, until, reason, set_at FROM app_cooldowns "
        "WHERE service = ? AND scope = ?",
        [service, scope],
    )
    return _cooldown(row)


def active_cooldown(
    con: duckdb.DuckDBPyConnection,
    service: Service,
    now: datetime,
    scopes: Iterable[str] | None = None,
) -> Cooldown | None:
    """Return the cooldown in force at `now` that ends last, among `scopes` if given."""
    sql = (
        "SELECT service, scope, until, reason, set_at FROM app_cooldowns "
        "WHERE service = ? AND until > ?"
    )
    params: list = [service, _to_db(now)]
    if scopes is not None:
        sql += " AND list_contains(?, scope)"
        params.append(list(scopes))
    row = fetch_one(con, sql + " ORDER BY until DESC LIMIT 1", params)
    return None if row is None else _cooldown(row)


def _cooldown(row: tuple) -> Cooldown:
    return Cooldown(
        service=row[0],
        scope=row[1],
        until=_from_db(row[2]),
        reason=row[3],
        set_at=_from_db(row[4]),
    )


def count_request(
    con: duckdb.DuckDBPyConnection, service: Service, now: datetime
) -> int:
    """Add one request to the service's count for the UTC day of `now`; return the count."""
    day = now.astimezone(UTC).date()
    row = fetch_one(
        con,
        "INSERT INTO api_requests VALUES (?, ?, 1) "
        "ON CONFLICT (service, day) DO UPDATE SET count = api_requests.count + 1 "
        "RETURNING count",
        [service, day],
    )
    return int(row[0])


def requests_on(con: duckdb.DuckDBPyConnection, service: Service, day: date) -> int:
    """Return how many requests were sent to the service on a UTC day."""
    row = fetch_one(
        con,
        "SELECT count FROM api_requests WHERE service = ? AND day = ?",
        [service, day],
    )
    return 0 if row is None else int(row[0])
