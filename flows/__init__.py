"""Prefect flows: each orchestrates tasks and storage for one job."""

from soundtrack.prefect_env import apply_defaults

apply_defaults()
