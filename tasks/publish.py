"""Publish one activity's soundtrack: a Spotify playlist and a line in its Strava description.

Exactly one playlist per activity, even if the process dies between any two remote
calls: an intent is committed before each call, a playlist is looked up by the marker
in its description before one is created, and items resume from the count the
playlist already holds.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from clients.errors import NotFound
from soundtrack.preferences import PublishSettings
from storage.db import connect, transaction
from storage.events import mark_deleted
from storage.publishing import (
    PlaylistRecord,
    load_playlist,
    publish_facts,
    save_playlist,
)
from tasks.description import count_blocks, with_block

log = logging.getLogger(__name__)

# Spotify accepts at most 100 items per add request and rejects descriptions over
# 300 characters or with a line break.
ITEMS_PER_REQUEST = 100
MAX_DESCRIPTION = 300


class Playlists(Protocol):
    def find_playlist(self, marker: str) -> tuple[str, str] | None: ...
    def create_playlist(
        self, name: str, description: str, public: bool
    ) -> tuple[str, str]: ...
    def count_items(self, playlist_id: str) -> int: ...
    def add_items(self, playlist_id: str, uris: list[str]) -> None: ...


class Descriptions(Protocol):
    def get_description(self, activity_id: int) -> str | None: ...
    def set_description(self, activity_id: int, text: str) -> None: ...


@dataclass
class PublishOutcome:
    activity_id: str
    playlist_url: str | None
    tracks: int
    left_out: list[str] = field(default_factory=list)
    # verified, pending, off, none, too old, not found or failed
    description: str = "none"
    note: str | None = None


def marker_for(activity_id: str) -> str:
    return f"[soundtrack:{activity_id}]"


def plan_playlist(
    user_id: str, activity_id: str, settings: PublishSettings
) -> PlaylistRecord:
    """Return the intent for a new playlist: its name, description and track URIs."""
    with connect(read_only=True) as con:
        facts = publish_facts(con, activity_id)
    uris, left_out = [], []
    for uri, title in zip(facts["uris"], facts["titles"], strict=True):
        # Local files and account-data plays have no catalogue URI that Spotify accepts.
        if isinstance(uri, str) and uri.startswith("spotify:track:"):
            uris.append(uri)
        else:
            left_out.append(f"{title} ({uri or 'no Spotify URI'})")
    values = _template_values(facts, len(uris))
    marker = marker_for(activity_id)
    text = settings.playlist_description.format(**values).replace("\n", " ")
    description = text[: MAX_DESCRIPTION - len(marker) - 1].rstrip() + " " + marker
    return PlaylistRecord(
        activity_id=activity_id,
        user_id=user_id,
        marker=marker,
        state="creating",
        name=settings.playlist_name.format(**values)[:100],
        description=description,
        public=settings.public,
        uris=uris,
        left_out=left_out,
        playlist_id=None,
        playlist_url=None,
        items_added=0,
        description_state=_first_description_state(facts, settings),
        described_url=None,
    )


def _template_values(facts: dict, tracks: int, playlist_url: str = "") -> dict:
    # The fields that settings templates may use; see TEMPLATE_FIELDS.
    return {
        "name": facts["name"] or "Activity",
        "sport": facts["sport"] or "Activity",
        "date": f"{facts['local_start']:%Y-%m-%d}",
        "start": f"{facts['local_start']:%H:%M}",
        "minutes": round(facts["elapsed_s"] / 60),
        "tracks": tracks,
        "playlist_url": playlist_url,
    }


def _first_description_state(facts: dict, settings: PublishSettings) -> str:
    if not facts["strava_id"]:
        return "none"
    age = datetime.now(UTC).replace(tzinfo=None) - facts["start_at"]
    if age > timedelta(days=settings.describe_within_days):
        return "too old"
    return "pending"


def publish_activity(
    user_id: str,
    activity_id: str,
    settings: PublishSettings,
    playlists: Playlists,
    descriptions: Descriptions | None,
) -> PublishOutcome:
    """Create or finish the activity's playlist, then link it from the description."""
    stored = _load(activity_id)
    record = stored or plan_playlist(user_id, activity_id, settings)
    if not record.uris:
        return PublishOutcome(
            activity_id, None, 0, record.left_out, note="no Spotify tracks"
        )
    if record.state == "creating":
        _save(record)
        # Only an intent left by an earlier run can have a playlist behind it.
        _create_or_adopt(record, playlists, look_first=stored is not None)
    if record.state == "created":
        _fill(record, playlists)
    description = _describe(record, settings, descriptions)
    return PublishOutcome(
        activity_id, record.playlist_url, len(record.uris), record.left_out, description
    )


def _create_or_adopt(
    record: PlaylistRecord, playlists: Playlists, look_first: bool
) -> None:
    found = playlists.find_playlist(record.marker) if look_first else None
    if found:
        log.info(
            "adopting playlist %s found for activity %s", found[0], record.activity_id
        )
    else:
        found = playlists.create_playlist(
            record.name, record.description, record.public
        )
    record.playlist_id, record.playlist_url = found
    record.state = "created"
    _save(record)


def _fill(record: PlaylistRecord, playlists: Playlists) -> None:
    # Items are added in order, so the playlist's item count shows how far an
    # interrupted run got.
    record.items_added = playlists.count_items(record.playlist_id)
    while record.items_added < len(record.uris):
        chunk = record.uris[record.items_added : record.items_added + ITEMS_PER_REQUEST]
        playlists.add_items(record.playlist_id, chunk)
        record.items_added += len(chunk)
        _save(record)
    record.state = "complete"
    _save(record)


def _describe(
    record: PlaylistRecord, settings: PublishSettings, descriptions: Descriptions | None
) -> str:
    if record.description_state in ("none", "too old"):
        return record.description_state
    if not settings.update_strava_description:
        record.description_state = "off"
        _save(record)
        return "off"
    if (
        record.description_state == "verified"
        and record.described_url == record.playlist_url
    ):
        return "verified"
    if descriptions is None:
        return "pending"
    strava_id = int(record.activity_id)
    with connect(read_only=True) as con:
        facts = publish_facts(con, record.activity_id)
    values = _template_values(facts, len(record.uris), record.playlist_url)
    line = settings.description_line.format(**values)
    try:
        current = descriptions.get_description(strava_id)
        wanted = with_block(current, line)
        if wanted != current:
            descriptions.set_description(strava_id, wanted)
        # Read back: Strava replaces the whole text, and another app may write at once.
        written = descriptions.get_description(strava_id) or ""
    except NotFound as error:
        # Deleted on Strava since it was stored, or never there (an export's activity
        # that was deleted later). The playlist stays, and no later sync tries again.
        log.warning("activity %s: %s", record.activity_id, error)
        with connect() as con, transaction(con):
            mark_deleted(con, strava_id)
            record.description_state = "not found"
            save_playlist(con, record)
        return "not found"
    if count_blocks(written) != 1 or record.playlist_url not in written:
        log.warning(
            "description of activity %s did not keep the block", record.activity_id
        )
        return "failed"
    record.description_state = "verified"
    record.described_url = record.playlist_url
    _save(record)
    return "verified"


def _load(activity_id: str) -> PlaylistRecord | None:
    with connect(read_only=True) as con:
        return load_playlist(con, activity_id)


def _save(record: PlaylistRecord) -> None:
    with connect() as con:
        save_playlist(con, record)
