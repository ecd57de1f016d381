"""The command line on a small stored history, run in process with typer's runner."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from soundtrack.cli import app
from storage.activities import upsert_activities
from storage.db import connect
from storage.plays import upsert_plays
from tasks.matching import match_soundtracks

T = pd.Timestamp
runner = CliRunner()


@pytest.fixture
def stored(db_path):
    plays = pd.DataFrame(
        {
            "source": "extended_history",
            "ended_at": [T("2026-05-03T08:04:00"), T("2026-05-03T08:08:00")],
            "ms_played": [240_000, 240_000],
            "end_uncertainty_s": 0,
            "track_uri": ["spotify:track:4uLU6hMCjMI75M1A2tKUQC", None],
            "track_name": ["Song One", "Song Two"],
            "artist_name": ["Band", "Band"],
        }
    )
    run = pd.DataFrame(
        {
            "activity_id": ["77"],
            "strava_id": [77],
            "name": ["Sunday Long Run"],
            "sport_type": ["Run"],
            "start_at": [T("2026-05-03T08:00:00")],
            "elapsed_s": [3600],
            "source": ["strava_api"],
        }
    )
    with connect(db_path) as con:
        upsert_plays(con, "me", plays)
        upsert_activities(con, "me", run)
        match_soundtracks(con, "me")
    return db_path


def test_soundtracks_json(stored):
    result = runner.invoke(app, ["soundtracks", "--format", "json"])
    assert result.exit_code == 0, result.output
    activities = json.loads(result.output)
    assert [a["activity_id"] for a in activities] == ["77"]
    assert [t["track"] for t in activities[0]["tracks"]] == ["Song One", "Song Two"]
    assert activities[0]["tracks"][1]["offset_s"] == 240.0


def test_soundtracks_csv_and_m3u(stored):
    csv = runner.invoke(app, ["soundtracks", "--format", "csv"])
    assert csv.exit_code == 0
    header, first, second = csv.output.splitlines()
    as_json = json.loads(runner.invoke(app, ["soundtracks", "--format", "json"]).output)
    track_keys = list(as_json[0]["tracks"][0])
    assert header.split(",")[:2] == ["activity_id", "activity_name"]
    assert header.split(",")[-len(track_keys) :] == track_keys
    assert first.startswith("77,Sunday Long Run,Run,2026-05-03T08:00:00Z,")
    assert ",240.0," in second
    m3u = runner.invoke(app, ["soundtracks", "--format", "m3u"])
    assert "#EXTINF:240,Band - Song One" in m3u.output
    assert "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC" in m3u.output


def test_export_playlists_one_file_per_activity(stored, tmp_path):
    result = runner.invoke(app, ["export-playlists", str(tmp_path / "out")])
    assert result.exit_code == 0
    files = sorted((tmp_path / "out").glob("*.m3u"))
    assert [f.name for f in files] == ["2026-05-03_0800_Sunday-Long-Run_77.m3u"]
    assert files[0].read_text().startswith("#EXTM3U\n")
    assert "Wrote 1 playlist to" in result.output


def test_match_counts_in_singular(stored):
    result = runner.invoke(app, ["match"])
    assert result.exit_code == 0, result.output
    assert (
        "1 of 1 activity with music (2 tracks); 0 soundtracks changed." in result.output
    )


def test_profile_zone_changes_local_times(stored):
    assert (
        runner.invoke(
            app, ["settings", "set", "profile", "timezone", "Europe/London"]
        ).exit_code
        == 0
    )
    result = runner.invoke(app, ["soundtracks", "--format", "json"])
    assert json.loads(result.output)[0]["start_local"] == "2026-05-03T09:00:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["match_rules", "min_play_s", "-5"], "min_play_s"),
        (["match_rules", "min_play", "5"], "has no field 'min_play'"),
        (["profile", "timezone", "Mars/Olympus"], "unknown time zone"),
        (["publish", "playlist_name", "{nam}"], "template"),
        (["colours", "x", "1"], "unknown setting 'colours'"),
    ],
)
def test_wrong_setting_is_rejected(stored, args, message):
    result = runner.invoke(app, ["settings", "set", "--", *args])
    assert result.exit_code == 1
    assert message in result.output
    shown = runner.invoke(app, ["settings", "show"])
    assert "min_play_s = 30.0" in shown.output
