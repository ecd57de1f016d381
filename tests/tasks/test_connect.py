"""Connecting an account: the redirect catcher's failures, against the sandbox."""

import socket

import pytest

from sandbox.server import SandboxServer
from soundtrack.settings import get_settings
from tasks.connect import AuthorizationDenied, connect_service
from tests.flows.live import point_settings_at


@pytest.fixture
def sandbox(monkeypatch, settings_env):
    with SandboxServer() as server:
        point_settings_at(server, monkeypatch)
        yield server


def test_busy_redirect_port_named(sandbox):
    port = get_settings().redirect_port
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        with pytest.raises(AuthorizationDenied) as caught:
            connect_service("me", "spotify", lambda url: None, timeout_s=5)

    assert f"cannot listen on 127.0.0.1:{port}" in str(caught.value)
    assert "SOUNDTRACK_REDIRECT_PORT" in str(caught.value)


def test_no_approval_times_out(sandbox):
    with pytest.raises(AuthorizationDenied, match="no redirect reached"):
        connect_service("me", "spotify", lambda url: None, timeout_s=0.5)
