"""Prefect defaults for running with no separate server, set before Prefect is imported."""

import os
import subprocess
import types
from pathlib import Path

# An ephemeral Prefect API starts inside the process; its first start takes about 14 s
# on a 2-core machine (later starts about 7 s), beyond Prefect's default timeout.
DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_HOME": str(Path.cwd() / ".prefect"),
}


def apply_defaults() -> None:
    """Set each Prefect variable the environment leaves unset."""
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)


class _SessionPopen(subprocess.Popen):
    """A Popen whose child starts a session of its own."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("start_new_session", True)
        super().__init__(*args, **kwargs)


def detach_temporary_server() -> None:
    """Start Prefect's temporary API server outside the command's process group.

    `timeout`, Ctrl-C and service managers signal a whole process group. When the
    temporary server dies with the command, Prefect spends about a minute retrying
    it while recording the interrupted run, and prints tracebacks. Outside the group,
    the server lives until the command stops it on its way out.
    """
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        return  # a real Prefect server is configured, so none is started here
    import prefect.server.api.server as server_module

    # NOTE: this reaches into Prefect (3.x), whose SubprocessASGIServer starts the
    # server with subprocess.Popen; if that changes, the patch has no effect.
    if isinstance(server_module.subprocess, types.ModuleType):
        shim = types.SimpleNamespace(**vars(subprocess))
        shim.Popen = _SessionPopen
        server_module.subprocess = shim
