"""Stored connections: tokens encrypted at rest, the key file, cooldowns, request counts."""

import stat
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from soundtrack.errors import SettingsError
from soundtrack.settings import get_settings
from storage.connections import (
    Connection,
    TokenDecryptError,
    active_cooldown,
    count_request,
    load_connection,
    requests_on,
    save_connection,
    secret_key,
    set_connection_status,
    set_cooldown,
)
from storage.db import connect, transaction

NOW = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
ACCESS = "access-7f3c9e1d5b2a48c6a0e4"
REFRESH = "refresh-d91b6a2e40c74f18b3aa"


def _connection(**changes) -> Connection:
    connection = Connection(
        user_id="alice",
        service="strava",
        account_id="90000001",
        scopes=frozenset({"read", "activity:read_all"}),
        access_token=SecretStr(ACCESS),
        refresh_token=SecretStr(REFRESH),
        expires_at=NOW + timedelta(hours=6),
    )
    return connection.model_copy(update=changes)


def _save(connection: Connection) -> None:
    with connect() as con, transaction(con):
        save_connection(con, connection, NOW)


def _load(user_id: str = "alice", service: str = "strava") -> Connection | None:
    with connect() as con:
        return load_connection(con, user_id, service)


def test_connection_round_trips(db_path):
    _save(_connection())

    loaded = _load()

    assert loaded.access_token.get_secret_value() == ACCESS
    assert loaded.refresh_token.get_secret_value() == REFRESH
    assert loaded.expires_at == NOW + timedelta(hours=6)
    assert loaded.scopes == {"read", "activity:read_all"}
    assert loaded.status == "connected"
    assert loaded.updated_at == NOW


def test_unknown_connection_is_none(db_path):
    assert _load("nobody") is None


def test_tokens_not_in_database_file(db_path):
    _save(_connection())

    raw = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + ".wal")
    if wal.exists():
        raw += wal.read_bytes()

    assert ACCESS.encode() not in raw
    assert REFRESH.encode() not in raw
    with connect() as con:
        stored = con.execute("SELECT access_token FROM connections").fetchone()[0]
    assert stored != ACCESS
    assert Fernet(secret_key()).decrypt(stored.encode()).decode() == ACCESS


def test_repr_hides_tokens():
    text = repr(_connection()) + str(_connection())

    assert ACCESS not in text
    assert REFRESH not in text


def test_key_file_created_private(db_path, settings_env):
    _save(_connection())

    path = settings_env.secret_key_file
    mode = stat.S_IMODE(path.stat().st_mode)

    assert path.exists()
    assert mode == 0o600
    Fernet(path.read_bytes())  # a valid key


def test_key_file_reused(db_path, settings_env):
    first = secret_key()

    assert secret_key() == first
    assert settings_env.secret_key_file.read_bytes().strip() == first


def test_configured_key_used(db_path, monkeypatch, settings_env):
    key = Fernet.generate_key()
    monkeypatch.setenv("SOUNDTRACK_SECRET_KEY", key.decode())
    get_settings.cache_clear()

    _save(_connection())

    assert secret_key() == key
    assert not settings_env.secret_key_file.exists()
    assert _load().access_token.get_secret_value() == ACCESS


def test_invalid_configured_key_rejected(monkeypatch):
    monkeypatch.setenv("SOUNDTRACK_SECRET_KEY", "not-a-fernet-key")
    get_settings.cache_clear()

    with pytest.raises(SettingsError, match="SOUNDTRACK_SECRET_KEY is not a Fernet"):
        secret_key()


def test_other_key_cannot_decrypt(db_path, monkeypatch):
    _save(_connection())
    monkeypatch.setenv("SOUNDTRACK_SECRET_KEY", Fernet.generate_key().decode())
    get_settings.cache_clear()

    with pytest.raises(TokenDecryptError, match="soundtrack connect strava"):
        _load()


def test_status_change_keeps_tokens(db_path):
    _save(_connection())
    with connect() as con:
        set_connection_status(
            con, "alice", "strava", "reconnect_needed", "refresh token revoked", NOW
        )

    loaded = _load()

    assert loaded.status == "reconnect_needed"
    assert loaded.status_reason == "refresh token revoked"
    assert loaded.refresh_token.get_secret_value() == REFRESH


def test_cooldown_keeps_later_end(db_path):
    later = NOW + timedelta(hours=1)
    with connect() as con:
        set_cooldown(con, "spotify", "app", later, "Retry-After 3600", NOW)
        kept = set_cooldown(con, "spotify", "app", NOW + timedelta(seconds=5), "", NOW)

    assert kept.until == later
    assert kept.reason == "Retry-After 3600"


def test_cooldown_active_until_it_ends(db_path):
    until = NOW + timedelta(minutes=10)
    with connect() as con:
        set_cooldown(con, "strava", "strava_window", until, "15-minute limit", NOW)
        during = active_cooldown(con, "strava", NOW)
        after = active_cooldown(con, "strava", until)
        other_service = active_cooldown(con, "spotify", NOW)

    assert during.until == until
    assert during.scope == "strava_window"
    assert after is None
    assert other_service is None


def test_cooldown_filtered_by_scope(db_path):
    with connect() as con:
        set_cooldown(
            con, "strava", "read_window", NOW + timedelta(minutes=5), "reads", NOW
        )
        for_reads = active_cooldown(con, "strava", NOW)
        for_writes = active_cooldown(
            con, "strava", NOW, ("strava_window", "daily_quota")
        )

    assert for_reads.scope == "read_window"
    assert for_writes is None


def test_requests_counted_per_utc_day(db_path):
    late = datetime(2026, 3, 9, 23, 59, tzinfo=UTC)
    with connect() as con:
        counts = [count_request(con, "spotify", late) for _ in range(3)]
        count_request(con, "spotify", late + timedelta(minutes=2))
        count_request(con, "strava", late)

        assert counts == [1, 2, 3]
        assert requests_on(con, "spotify", late.date()) == 3
        assert requests_on(con, "spotify", (late + timedelta(days=1)).date()) == 1
        assert requests_on(con, "strava", late.date()) == 1
