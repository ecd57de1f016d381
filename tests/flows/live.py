"""Helpers that aim Soundtrack at a running sandbox and connect a user through OAuth."""

import socket

import httpx
import pytest

from sandbox.server import SandboxServer
from soundtrack.settings import get_settings
from tasks.connect import connect_service


def point_settings_at(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the environment so that every URL and app credential is the sandbox's."""
    values = {
        **sandbox.soundtrack_env(),
        "SOUNDTRACK_REDIRECT_PORT": str(free_port()),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def connect_user(user_key: str) -> None:
    """Connect both services of the sandbox user as the Soundtrack user of that name."""

    def approve_in_browser(url: str) -> None:
        # The sandbox's authorize page approves at once and redirects to the callback.
        response = httpx.get(f"{url}&sandbox_user={user_key}", follow_redirects=True)
        assert response.status_code == 200, response.text

    connect_service(user_key, "spotify", approve_in_browser, timeout_s=20)
    connect_service(user_key, "strava", approve_in_browser, timeout_s=20)
