import pandas as pd

from storage.activities import upsert_activities
from storage.db import connect
from storage.sync import activity_coverage, add_coverage, load_cursor, save_cursor

T = pd.Timestamp


def test_cursor_round_trip(db_path):
    with connect(db_path) as con:
        assert load_cursor(con, "me", "spotify") == (None, {})
        save_cursor(con, "me", "spotify", "1700000000000", {"gap": True})
        save_cursor(con, "me", "spotify", "1700000000500", {"gap": False})
        assert load_cursor(con, "me", "spotify") == ("1700000000500", {"gap": False})


def test_coverage_joins_touching_spans(db_path):
    runs = pd.DataFrame(
        {
            "activity_id": ["1", "2", "3"],
            "start_at": [
                T("2025-01-01 08:00"),
                T("2025-01-01 11:30"),
                T("2025-01-02 08:00"),
            ],
            "elapsed_s": [3600, 3600, 3600],
            "source": "strava_api",
        }
    )
    with connect(db_path) as con:
        upsert_activities(con, "me", runs)
        add_coverage(
            con, "me", "recently_played", T("2025-01-01 07:00"), T("2025-01-01 12:00")
        )
        add_coverage(
            con, "me", "recently_played", T("2025-01-01 11:50"), T("2025-01-01 13:00")
        )
        add_coverage(
            con, "you", "recently_played", T("2025-01-02 00:00"), T("2025-01-03 00:00")
        )
        coverage = activity_coverage(con, "me")
    assert list(coverage["coverage"]) == ["no music", "no music", "not covered"]
