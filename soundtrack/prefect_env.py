"""Prefect defaults for running with no separate server, set before Prefect is imported."""

import os
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
