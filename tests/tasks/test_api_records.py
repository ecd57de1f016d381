import json

import pandas as pd

from storage.activities import upsert_activities
from storage.db import connect
from storage.plays import upsert_plays
from storage.soundtracks import soundtrack_tracks
from tasks.api_records import (
    activities_from_strava,
    plays_from_recently_played,
    timezone_name,
)
from tasks.matching import match_soundtracks


def test_recently_played_real_pages(real_dir):
    for name, count in [
        ("recently_played_2017_zmb3.json", 20),
        ("recently_played_2023_limit2.json", 2),
    ]:
        page = json.loads((real_dir / "spotify_api" / name).read_text())
        plays = plays_from_recently_played(page["items"])
        assert len(plays) == count
        assert plays["ended_at"].notna().all()
        assert plays["track_uri"].str.startswith("spotify:track:").all()


def test_played_at_keeps_milliseconds(real_dir):
    page = json.loads(
        (real_dir / "spotify_api" / "recently_played_2017_zmb3.json").read_text()
    )
    plays = plays_from_recently_played(page["items"])
    assert pd.Timestamp("2017-05-27T20:07:54.721") in set(plays["ended_at"])


def test_real_activity_list_timezones(real_dir):
    summaries = json.loads(
        (
            real_dir / "strava_api" / "athlete_activities_page1_per_page30.json"
        ).read_text()
    )
    frame = activities_from_strava(summaries)
    assert len(frame) == len(summaries)
    assert frame["timezone"].notna().all()
    assert frame["description"].isna().all()
    assert set(frame["sport_type"]) >= {"Run"}


def test_timezone_label_names():
    assert timezone_name("(GMT-05:00) America/New_York") == "America/New_York"
    assert timezone_name("(GMT+00:00) Europe/London") == "Europe/London"
    assert timezone_name(None) is None
    assert timezone_name("America/New_York") is None


def test_local_time_with_z_is_not_utc(db_path):
    # Case C03: start_date_local carries a "Z" although it is Los Angeles time.
    activity = {
        "id": 8100000003,
        "name": "Saturday run",
        "sport_type": "Run",
        "start_date": "2024-03-09T14:56:25Z",
        "start_date_local": "2024-03-09T06:56:25Z",
        "timezone": "(GMT-08:00) America/Los_Angeles",
        "utc_offset": -28800.0,
        "elapsed_time": 2700,
    }
    played = {
        "played_at": "2024-03-09T15:41:00.000Z",
        "track": {
            "type": "track",
            "uri": "spotify:track:a",
            "name": "Late",
            "duration_ms": 180000,
            "artists": [{"name": "Band"}],
            "album": {"name": "LP"},
        },
    }
    with connect(db_path) as con:
        upsert_activities(con, "me", activities_from_strava([activity]))
        upsert_plays(con, "me", plays_from_recently_played([played]))
        match_soundtracks(con, "me")
        window = con.execute(
            "SELECT start_at, start_at + to_seconds(elapsed_s) FROM activities"
        ).fetchall()
        tracks = soundtrack_tracks(con, "me")
    assert window == [
        (pd.Timestamp("2024-03-09T14:56:25"), pd.Timestamp("2024-03-09T15:41:25"))
    ]
    assert str(tracks.loc[0, "local_start"]) == "2024-03-09 06:56:25"
    assert tracks.loc[0, "timezone"] == "America/Los_Angeles"
