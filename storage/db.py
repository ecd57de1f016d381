"""Short-lived DuckDB connections with lock retries, and the schema migrations.

DuckDB locks its file against every other process, readers included, so no
connection is kept between operations: open, do one unit of work, close.
"""

import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from soundtrack.errors import DatabaseBusyError
from soundtrack.settings import get_settings

log = logging.getLogger(__name__)

_LOCK_MESSAGES = ("could not set lock", "conflicting lock")


def _is_lock_conflict(error: duckdb.Error) -> bool:
    text = str(error).lower()
    return any(message in text for message in _LOCK_MESSAGES)


def _open(path: Path, read_only: bool, timeout_s: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + timeout_s
    delay = 0.02
    attempts = 0
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if not _is_lock_conflict(error):
                raise
            attempts += 1
            if time.monotonic() >= deadline:
                raise DatabaseBusyError(
                    f"{path} stayed locked by another process for {timeout_s:.0f} s; "
                    "wait for the running import or sync to finish, or raise "
                    "SOUNDTRACK_LOCK_TIMEOUT_S"
                ) from error
            # Full jitter keeps two waiting processes from retrying in step.
            time.sleep(random.uniform(0, delay))
            delay = min(delay * 2, 0.5)
            if attempts % 20 == 0:
                log.info(
                    "database %s is locked, still retrying (%d attempts)",
                    path,
                    attempts,
                )


@contextmanager
def connect(
    path: Path | None = None, *, read_only: bool = False, timeout_s: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database for one unit of work, retrying while another process holds it.

    A writable open also applies pending migrations. A read-only open of a file that
    does not exist yet creates it first, so readers never fail on a fresh install.
    """
    settings = get_settings()
    path = Path(path or settings.database)
    timeout_s = settings.lock_timeout_s if timeout_s is None else timeout_s
    path.parent.mkdir(parents=True, exist_ok=True)
    if read_only and not path.exists():
        with connect(path, timeout_s=timeout_s):
            pass

    con = _open(path, read_only, timeout_s)
    try:
        con.execute("SET TimeZone = 'UTC'")
        if not read_only:
            migrate(con)
        yield con
    finally:
        con.close()


# Connections with an open transaction() block, so that an inner block joins the
# outer transaction instead of failing: DuckDB has no nested transactions.
_in_transaction: set[int] = set()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a block in one transaction: all of its writes land, or none do.

    A block inside another block on the same connection joins the outer transaction.
    """
    if id(con) in _in_transaction:
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    _in_transaction.add(id(con))
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
    finally:
        _in_transaction.discard(id(con))


def fetch_one(
    con: duckdb.DuckDBPyConnection, sql: str, params: object = None
) -> tuple | None:
    """Run a query and return its first row, reading the result to the end.

    DuckDB 2 keeps a partly read result open, and the next register() on the same
    connection then fails with "connection has an unfinished result".
    """
    rows = con.execute(sql, params).fetchall()
    return rows[0] if rows else None


def migration_files() -> list[tuple[int, str, str]]:
    """Return (version, name, sql) for each numbered file in storage/migrations."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply each migration not yet recorded, one transaction per file; return the new versions."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = {
        row[0]
        for row in con.execute("SELECT version FROM schema_migrations").fetchall()
    }
    applied = []
    for version, name, sql in migration_files():
        if version in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, current_localtimestamp())",
                [version, name],
            )
        log.info("applied migration %s", name)
        applied.append(version)
    return applied
