"""Deterministic sample data: an invented runner's Spotify and Strava exports."""

from sample.exports import write_exports
from sample.generate import generate_world
from sample.world import Activity, Pause, Play, Track, World

__all__ = [
    "Activity",
    "Pause",
    "Play",
    "Track",
    "World",
    "generate_world",
    "write_exports",
]
