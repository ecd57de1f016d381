"""Strava push events: their model and a spool folder between receiver and sync.

The receiver must answer Strava within 2 s, and the database may be locked by a sync
for longer, so events go to files first and the sync moves them into the database.
"""

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, field_validator


class StravaEvent(BaseModel):
    """One push event, as Strava delivers it."""

    object_type: Literal["activity", "athlete"]
    object_id: int
    aspect_type: Literal["create", "update", "delete"]
    event_time: int  # Unix seconds
    owner_id: int
    subscription_id: int | None = None
    updates: dict[str, Any] = {}

    @field_validator("updates", mode="before")
    @classmethod
    def _empty_list_is_empty(cls, value: object) -> object:
        # PHP re-serialises an empty object as [], and one logged delivery shows it.
        return {} if value == [] or value is None else value

    @property
    def key(self) -> str:
        return (
            f"{self.object_type}-{self.object_id}-{self.aspect_type}-{self.event_time}"
        )


def spool_event(folder: Path, event: StravaEvent) -> Path:
    """Write the event to the spool folder atomically; a duplicate overwrites itself."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{event.key}.json"
    with tempfile.NamedTemporaryFile(
        "w", dir=folder, suffix=".tmp", delete=False
    ) as out:
        out.write(event.model_dump_json())
    os.replace(out.name, target)
    return target


def read_spool(folder: Path) -> list[tuple[Path, StravaEvent]]:
    """Return the spooled events in arrival-independent order (by event time)."""
    events = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        events.append((path, StravaEvent.model_validate(json.loads(path.read_text()))))
    return sorted(events, key=lambda pair: (pair[1].event_time, pair[1].key))
