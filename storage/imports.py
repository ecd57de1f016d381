"""Store one import (plays, activities, recordings and pauses) in a single transaction."""

from dataclasses import dataclass

import duckdb
import pandas as pd

from storage.activities import (
    ActivityWriteCounts,
    adopt_recordings,
    find_activity_near,
    replace_pauses,
    upsert_activities,
)
from storage.db import fetch_one, transaction
from storage.plays import PlayWriteCounts, upsert_plays
from storage.records import (
    ACTIVITY_COLUMNS,
    PAUSE_COLUMNS,
    PLAY_COLUMNS,
    conform,
    empty,
)
from storage.sync import add_coverage

# Fields a recording keeps when it refines an activity the export already describes:
# the exact start and length come from the file, everything else from Strava.
_RECORDING_FIELDS = [
    "activity_id",
    "start_at",
    "elapsed_s",
    "utc_offset_s",
    "start_from_file",
    "source",
]


@dataclass(frozen=True)
class ImportedFile:
    sha256: str
    display_path: str
    kind: str
    records: int


@dataclass(frozen=True)
class StoreCounts:
    plays: PlayWriteCounts
    activities: ActivityWriteCounts
    recordings_linked: int  # recordings matched to an activity of the export
    recordings_alone: int  # new activities made from recordings no export names
    pauses: int


def ensure_user(con: duckdb.DuckDBPyConnection, user_id: str) -> None:
    con.execute("INSERT OR IGNORE INTO users (user_id) VALUES (?)", [user_id])


def store_import(
    con: duckdb.DuckDBPyConnection,
    user_id: str,
    plays: list[pd.DataFrame],
    activities: list[pd.DataFrame],
    recordings: list[tuple[pd.DataFrame, pd.DataFrame]],
    files: list[ImportedFile],
) -> StoreCounts:
    """Store everything one import read, all or nothing; idempotent.

    recordings holds one (activity row, pauses) pair per recorded file. Each is linked
    to the stored activity whose export names the file or that starts within the
    tolerance of it, and stands as an activity of its own otherwise.
    """
    with transaction(con):
        ensure_user(con, user_id)
        play_counts = upsert_plays(con, user_id, _concat(plays, PLAY_COLUMNS))
        _record_coverage(con, user_id, plays)
        activity_counts = upsert_activities(
            con, user_id, _concat(activities, ACTIVITY_COLUMNS)
        )
        linked, alone, pauses = _store_recordings(con, user_id, recordings)
        adopt_recordings(con, user_id)
        if files:
            con.register("files_frame", pd.DataFrame([f.__dict__ for f in files]))
            con.execute(
                "INSERT OR IGNORE INTO import_files"
                " SELECT $user, sha256, display_path, kind, records, current_localtimestamp()"
                " FROM files_frame",
                {"user": user_id},
            )
            con.unregister("files_frame")
    return StoreCounts(play_counts, activity_counts, linked, alone, pauses)


def _record_coverage(
    con: duckdb.DuckDBPyConnection, user_id: str, plays: list[pd.DataFrame]
) -> None:
    # A Spotify export lists every play of its span, so that span is covered.
    for frame in plays:
        if frame is None or frame.empty:
            continue
        started = frame["ended_at"] - pd.to_timedelta(frame["ms_played"], unit="ms")
        ended = frame["ended_at"] + pd.to_timedelta(
            frame["end_uncertainty_s"], unit="s"
        )
        source = frame["source"].iloc[0]
        add_coverage(
            con,
            user_id,
            source,
            started.min().to_pydatetime(),
            ended.max().to_pydatetime(),
        )


def _store_recordings(
    con: duckdb.DuckDBPyConnection,
    user_id: str,
    recordings: list[tuple[pd.DataFrame, pd.DataFrame]],
) -> tuple[int, int, int]:
    """Store recordings; return (linked, stored as their own activity, pauses)."""
    linked = 0
    rows, pause_frames, ids = [], [], []
    for activity, pauses in recordings:
        if activity.empty:
            continue
        row = conform(activity, ACTIVITY_COLUMNS).iloc[[0]].copy()
        target = _linked_activity(con, user_id, row.iloc[0])
        if target is not None:
            linked += 1
            row = row[_RECORDING_FIELDS].assign(activity_id=target)
        pauses = conform(pauses, PAUSE_COLUMNS).assign(
            activity_id=row.iloc[0]["activity_id"]
        )
        rows.append(row)
        pause_frames.append(pauses)
        ids.append(row.iloc[0]["activity_id"])
    if not rows:
        return linked, 0, 0
    counts = upsert_activities(con, user_id, pd.concat(rows, ignore_index=True))
    pauses = _concat(pause_frames, PAUSE_COLUMNS).drop_duplicates(
        ["activity_id", "paused_at"]
    )
    replace_pauses(con, ids, pauses)
    return linked, counts.inserted, len(pauses)


def _linked_activity(
    con: duckdb.DuckDBPyConnection, user_id: str, row: pd.Series
) -> str | None:
    # Strava's bulk export names each recording in activities.csv as
    # "activities/<upload id>.fit.gz"; that upload id is not the activity id.
    name = row["activity_file"]
    if isinstance(name, str):
        found = fetch_one(
            con,
            "SELECT activity_id FROM activities WHERE user_id = ? AND activity_id <> ?"
            " AND (activity_file = ? OR activity_file LIKE '%/' || ?)",
            [user_id, row["activity_id"], name, name],
        )
        if found:
            return found[0]
    near = find_activity_near(con, user_id, row["start_at"])
    if near is not None and near != row["activity_id"] and not near.startswith("file-"):
        return near
    return None


def _concat(frames: list[pd.DataFrame], columns: dict[str, str]) -> pd.DataFrame:
    frames = [conform(f, columns) for f in frames if f is not None and not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else empty(columns)
