"""Render soundtracks as a terminal table, JSON, CSV or M3U playlists."""

import json
import re
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table


def format_offset(seconds: float) -> str:
    """Return an offset such as 1:05:09 or 27:00."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def open_url(track_uri: str | None) -> str | None:
    """Return the open.spotify.com address of a spotify:track: URI."""
    if isinstance(track_uri, str) and track_uri.startswith("spotify:track:"):
        return "https://open.spotify.com/track/" + track_uri.rsplit(":", 1)[1]
    return None


def print_table(tracks: pd.DataFrame, console: Console) -> None:
    """Print one table per activity, oldest first, with local start times."""
    if tracks.empty:
        console.print(
            "No soundtracks yet: import listening and activities, then run match."
        )
        return
    for _, group in tracks.groupby(["start_at", "activity_id"], sort=True):
        first = group.iloc[0]
        minutes = round(first["elapsed_s"] / 60)
        title = (
            f"{first['local_start']:%a %Y-%m-%d %H:%M} {first['timezone']}  "
            f"{first['activity_name']} ({first['sport_type']}, {minutes} min)  "
            f"{len(group)} tracks"
        )
        console.print(title, style="bold", highlight=False)
        table = Table(show_edge=False)
        table.add_column("at", justify="right")
        table.add_column("artist")
        table.add_column("track")
        for _, row in group.iterrows():
            table.add_row(
                format_offset(row["offset_s"]), row["artist_name"], row["track_name"]
            )
        console.print(table)
        console.print()


def to_json(tracks: pd.DataFrame) -> str:
    """Return a JSON list of activities, each with its ordered tracks; times are ISO UTC."""
    return json.dumps(_activity_records(tracks), indent=2, ensure_ascii=False)


def to_csv(tracks: pd.DataFrame) -> str:
    """Return one CSV row per matched track, with the JSON output's fields.

    The activity's fields repeat on each of its rows, and its name is the
    activity_name column because a flat row also carries the track's name.
    """
    rows = [
        {**_activity_fields(activity), **track}
        for activity in _activity_records(tracks)
        for track in activity["tracks"]
    ]
    return pd.DataFrame(rows, columns=CSV_COLUMNS).to_csv(index=False)


CSV_COLUMNS = [
    "activity_id",
    "activity_name",
    "sport_type",
    "start_utc",
    "start_local",
    "timezone",
    "elapsed_s",
    "position",
    "track_uri",
    "artist",
    "track",
    "offset_s",
    "overlap_s",
    "started_utc",
    "end_uncertainty_s",
]


def _activity_records(tracks: pd.DataFrame) -> list[dict]:
    activities = []
    for _, group in tracks.groupby(["start_at", "activity_id"], sort=True):
        first = group.iloc[0]
        activities.append(
            {
                "activity_id": first["activity_id"],
                "name": first["activity_name"],
                "sport_type": first["sport_type"],
                "start_utc": first["start_at"].isoformat() + "Z",
                "start_local": first["local_start"].isoformat(),
                "timezone": first["timezone"],
                "elapsed_s": int(first["elapsed_s"]),
                "tracks": [_track_json(row) for _, row in group.iterrows()],
            }
        )
    return activities


def _activity_fields(activity: dict) -> dict:
    fields = {"activity_id": activity["activity_id"], "activity_name": activity["name"]}
    for key, value in activity.items():
        if key not in ("activity_id", "name", "tracks"):
            fields[key] = value
    return fields


def _track_json(row: pd.Series) -> dict:
    return {
        "position": int(row["position"]),
        "track_uri": row["track_uri"] if isinstance(row["track_uri"], str) else None,
        "artist": row["artist_name"],
        "track": row["track_name"],
        "offset_s": round(float(row["offset_s"]), 3),
        "overlap_s": round(float(row["overlap_s"]), 3),
        "started_utc": row["started_at"].isoformat() + "Z",
        "end_uncertainty_s": int(row["end_uncertainty_s"]),
    }


def to_m3u(group: pd.DataFrame) -> str:
    """Return an extended M3U playlist of one activity's tracks."""
    first = group.iloc[0]
    lines = [
        "#EXTM3U",
        f"#PLAYLIST:{first['activity_name']} {first['local_start']:%Y-%m-%d}",
    ]
    for _, row in group.iterrows():
        seconds = int((row["ended_at"] - row["started_at"]).total_seconds())
        lines.append(f"#EXTINF:{seconds},{row['artist_name']} - {row['track_name']}")
        # Account-data plays carry no URI, so such a track has no address to play.
        lines.append(
            open_url(row["track_uri"]) or "# not found in the Spotify catalogue"
        )
    return "\n".join(lines) + "\n"


def write_m3u_files(tracks: pd.DataFrame, folder: Path) -> list[Path]:
    """Write one .m3u file per activity, named by local date and activity name."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for _, group in tracks.groupby(["start_at", "activity_id"], sort=True):
        first = group.iloc[0]
        slug = (
            re.sub(r"[^\w-]+", "-", str(first["activity_name"])).strip("-")[:60]
            or "activity"
        )
        path = (
            folder
            / f"{first['local_start']:%Y-%m-%d_%H%M}_{slug}_{first['activity_id']}.m3u"
        )
        path.write_text(to_m3u(group), encoding="utf-8")
        written.append(path)
    return written
