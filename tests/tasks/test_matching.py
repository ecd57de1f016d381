"""The interval join, on a real DuckDB file, over the cases users hit."""

import pandas as pd
import pytest

from storage.activities import replace_pauses, upsert_activities
from storage.db import connect
from storage.plays import upsert_plays
from tasks.matching import MatchRules, match_soundtracks

T = pd.Timestamp


def play(end, ms, name, source="recently_played", uncertainty=0, artist="Artist"):
    return {
        "source": source,
        "ended_at": T(end),
        "ms_played": ms,
        "end_uncertainty_s": uncertainty,
        "track_uri": None if source == "account_data" else f"spotify:track:{name}",
        "track_name": name,
        "artist_name": artist,
    }


def activity(activity_id, start, elapsed_s, sport="Run", timezone=None):
    return {
        "activity_id": activity_id,
        "strava_id": int(activity_id) if activity_id.isdigit() else None,
        "name": f"Activity {activity_id}",
        "sport_type": sport,
        "start_at": T(start),
        "elapsed_s": elapsed_s,
        "timezone": timezone,
        "source": "strava_api",
    }


def soundtrack_of(db_path, plays, activities, rules=None, pauses=None):
    """Store the inputs, match them, and return {activity_id: [(track, offset_s)]}."""
    with connect(db_path) as con:
        upsert_plays(con, "me", pd.DataFrame(plays))
        upsert_activities(con, "me", pd.DataFrame(activities))
        if pauses is not None:
            replace_pauses(
                con, [a["activity_id"] for a in activities], pd.DataFrame(pauses)
            )
        match_soundtracks(con, "me", rules or MatchRules())
        rows = con.execute(
            "SELECT activity_id, track_name, offset_s FROM soundtrack_tracks"
            " ORDER BY activity_id, position"
        ).fetchall()
    result: dict[str, list] = {}
    for activity_id, track, offset in rows:
        result.setdefault(activity_id, []).append((track, offset))
    return result


def test_play_times_are_end_times(db_path):
    # Case C01: played_at is the end of the play.
    plays = [
        play("2025-05-04T07:03:20", 200_000, "P1"),
        play("2025-05-04T07:31:00", 240_000, "P2"),
        play("2025-05-04T07:00:30", 180_000, "P3"),
    ]
    result = soundtrack_of(db_path, plays, [activity("1", "2025-05-04T07:00:00", 1800)])
    assert result == {"1": [("P1", 0.0), ("P2", 27 * 60.0)]}


def test_track_straddling_start_and_end(db_path):
    plays = [
        play("2025-05-04T07:02:00", 240_000, "Before"),  # 2 of 4 minutes inside
        play("2025-05-04T07:32:00", 240_000, "After"),  # 2 of 4 minutes inside
        play("2025-05-04T07:00:20", 240_000, "Edge"),  # 20 s inside
    ]
    result = soundtrack_of(db_path, plays, [activity("1", "2025-05-04T07:00:00", 1800)])
    assert result["1"] == [("Before", 0.0), ("After", 28 * 60.0)]


def test_dst_change_inside_activity(db_path):
    # Europe/London springs forward at 01:00 UTC on 2026-03-29: the window is in UTC,
    # so the hour that local clocks skip neither shortens nor lengthens the run.
    plays = [
        play(f"2026-03-29T{h}:{m}:00", 180_000, f"T{h}{m}")
        for h, m in [("00", "40"), ("01", "05"), ("01", "30")]
    ]
    run = activity("1", "2026-03-29T00:30:00", 3600, timezone="Europe/London")
    result = soundtrack_of(db_path, plays, [run])
    assert [t for t, _ in result["1"]] == ["T0040", "T0105", "T0130"]
    with connect(db_path) as con:
        from storage.soundtracks import soundtrack_tracks

        tracks = soundtrack_tracks(con, "me")
    assert str(tracks.loc[0, "local_start"]) == "2026-03-29 00:30:00"
    assert str(tracks.loc[2, "local_track_start"]) == "2026-03-29 02:27:00"


def test_activity_across_midnight(db_path):
    # Case C05: 23:40 local in London summer is 22:40Z; the second play is 00:22 local.
    plays = [
        play("2024-07-13T22:48:00", 180_000, "A"),
        play("2024-07-13T23:22:00", 200_000, "B"),
    ]
    run = activity("1", "2024-07-13T22:40:00", 4200, timezone="Europe/London")
    result = soundtrack_of(db_path, plays, [run])
    assert [t for t, _ in result["1"]] == ["A", "B"]
    with connect(db_path) as con:
        from storage.soundtracks import soundtrack_tracks

        tracks = soundtrack_tracks(con, "me")
    assert tracks.loc[0, "local_start"].date().isoformat() == "2024-07-13"
    assert str(tracks.loc[1, "local_track_start"]) == "2024-07-14 00:18:40"


def test_repeats_kept_or_dropped(db_path):
    plays = [
        play("2025-05-04T07:04:00", 240_000, "Anthem"),
        play("2025-05-04T07:08:00", 240_000, "Other"),
        play("2025-05-04T07:12:00", 240_000, "Anthem"),
    ]
    runs = [activity("1", "2025-05-04T07:00:00", 1800)]
    kept = soundtrack_of(db_path, plays, runs)
    assert [t for t, _ in kept["1"]] == ["Anthem", "Other", "Anthem"]
    dropped = soundtrack_of(db_path, plays, runs, MatchRules(keep_repeats=False))
    assert [t for t, _ in dropped["1"]] == ["Anthem", "Other"]


def test_long_activity_with_long_pause(db_path):
    # A 5-hour ride with a 40-minute cafe stop from 10:00 to 10:40.
    plays = [
        play("2025-06-01T08:05:00", 300_000, "Climb"),
        play("2025-06-01T10:20:00", 300_000, "Cafe"),
        play("2025-06-01T12:50:00", 300_000, "Home"),
    ]
    ride = activity("1", "2025-06-01T08:00:00", 5 * 3600, sport="Ride")
    pause = [
        {
            "activity_id": "1",
            "paused_at": T("2025-06-01T10:00"),
            "resumed_at": T("2025-06-01T10:40"),
        }
    ]
    whole = soundtrack_of(db_path, plays, [ride], pauses=pause)
    assert [t for t, _ in whole["1"]] == ["Climb", "Cafe", "Home"]
    assert whole["1"][2][1] == pytest.approx(4 * 3600 + 45 * 60)
    moving = soundtrack_of(
        db_path, plays, [ride], MatchRules(exclude_pauses_longer_than_s=600), pause
    )
    assert [t for t, _ in moving["1"]] == ["Climb", "Home"]


def test_minute_precision_plays(db_path):
    # Account data ends somewhere in [endTime, endTime + 60 s): the join uses the middle.
    plays = [
        play("2025-05-04T07:04:00", 200_000, "Early", "account_data", 60),
        play("2025-05-04T07:00:00", 120_000, "Before", "account_data", 60),
    ]
    result = soundtrack_of(db_path, plays, [activity("1", "2025-05-04T07:00:00", 1800)])
    assert result["1"] == [("Early", pytest.approx(70.0))]


def test_short_plays_and_sport_filter(db_path):
    plays = [
        play("2025-05-04T07:05:00", 20_000, "Skip"),
        play("2025-05-04T07:09:00", 200_000, "Song"),
    ]
    runs = [
        activity("1", "2025-05-04T07:00:00", 1800),
        activity("2", "2025-05-04T07:00:00", 1800, "Yoga"),
    ]
    result = soundtrack_of(db_path, plays, runs, MatchRules(sport_types=["Run"]))
    # The 20 s skip is below min_play_s; Song runs 07:05:40-07:09:00.
    assert result == {"1": [("Song", 340.0)]}


def test_activity_without_music_gets_none(db_path):
    result = soundtrack_of(
        db_path,
        [play("2025-05-04T12:00:00", 200_000, "Lunch")],
        [activity("1", "2025-05-04T07:00:00", 1800)],
    )
    assert result == {}
    with connect(db_path) as con:
        assert con.execute("SELECT count(*) FROM soundtracks").fetchone()[0] == 0


def test_second_match_changes_nothing(db_path):
    plays = [play("2025-05-04T07:03:20", 200_000, "P1")]
    runs = [activity("1", "2025-05-04T07:00:00", 1800)]
    soundtrack_of(db_path, plays, runs)
    with connect(db_path) as con:
        before = con.execute("SELECT * FROM soundtracks").fetchall()
        counts = match_soundtracks(con, "me")
        after = con.execute("SELECT * FROM soundtracks").fetchall()
    assert counts.changed == 0
    assert before == after


@pytest.mark.parametrize("zone", ["America/New_York", "UTC", "Asia/Kolkata"])
def test_account_data_matches_in_any_process_zone(db_path, monkeypatch, zone):
    # Case C04: account data ends at minute precision in UTC, whatever TZ says.
    import json
    import time

    from tasks.inputs import InputFile
    from tasks.spotify_export import parse_spotify_file

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    record = {
        "endTime": "2021-10-14 00:04",
        "artistName": "Harbour Lights",
        "trackName": "Tide Tables",
        "msPlayed": 182200,
    }
    file = InputFile(
        "StreamingHistory0.json",
        "StreamingHistory0.json",
        json.dumps([record]).encode(),
    )
    plays = parse_spotify_file(file, "spotify_account").plays
    try:
        with connect(db_path) as con:
            upsert_plays(con, "me", plays)
            upsert_activities(
                con, "me", pd.DataFrame([activity("1", "2021-10-13T23:30:00", 3600)])
            )
            match_soundtracks(con, "me")
            stored = con.execute(
                "SELECT ended_at, end_uncertainty_s FROM plays"
            ).fetchall()
            matched = con.execute(
                "SELECT track_name, started_at, ended_at FROM soundtrack_tracks"
            ).fetchall()
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert stored == [(T("2021-10-14T00:04").to_pydatetime(), 60)]
    # The join uses the middle of the end minute: 00:04:30 minus 182.2 s.
    assert matched == [
        (
            "Tide Tables",
            T("2021-10-14T00:01:27.800").to_pydatetime(),
            T("2021-10-14T00:04:30").to_pydatetime(),
        )
    ]
