"""Shared fixtures: a real DuckDB file per test, settings pointed at it, the real inputs."""

import os
import tempfile
from pathlib import Path

import pytest

# Each test session gets its own Prefect home before Prefect is imported, so flow
# runs and cached task results never leak between sessions.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="soundtrack-prefect-")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Prefect logs "Stopping temporary server" at exit, after pytest closed its streams.
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from soundtrack.settings import get_settings

REPO = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    configured = os.environ.get("SOUNDTRACK_SHARED_DIR")
    return Path(configured) if configured else REPO.parent / "shared"


@pytest.fixture(scope="session")
def real_dir() -> Path:
    """The folder of real exports and API payloads, which the project must not copy."""
    path = _shared_dir() / "data" / "real"
    if not path.is_dir():
        pytest.fail(
            f"real input folder {path} is missing; clone the project beside shared/ "
            "or set SOUNDTRACK_SHARED_DIR"
        )
    return path


@pytest.fixture(autouse=True)
def settings_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point every setting at this test's own folder, so tests never share a database."""
    monkeypatch.setenv("SOUNDTRACK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SOUNDTRACK_DB_PATH", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def db_path(settings_env) -> Path:
    return settings_env.database
