import pandas as pd

from storage.db import connect
from storage.plays import upsert_plays

T = pd.Timestamp


def _plays(
    source, ends, ms, uncertainty=0, uri="spotify:track:Q", artist="Artist", track="Q"
):
    return pd.DataFrame(
        {
            "source": source,
            "ended_at": [T(e) for e in ends],
            "ms_played": ms,
            "end_uncertainty_s": uncertainty,
            "track_uri": uri,
            "track_name": track,
            "artist_name": artist,
        }
    )


# One play seen in three sources, plus a real repeat four minutes later.
API = _plays("recently_played", ["2024-06-02T13:22:21.500"], [244_000])
EXTENDED = _plays(
    "extended_history",
    ["2024-06-02T13:22:19", "2024-06-02T13:26:40"],
    [182_000, 244_000],
)
ACCOUNT = _plays(
    "account_data", ["2024-06-02T13:22"], [182_000], 60, None, "artist", "q "
)


def _stored(db_path):
    with connect(db_path) as con:
        return con.execute(
            "SELECT source, ended_at, ms_played FROM plays ORDER BY ended_at"
        ).fetchall()


def test_same_play_from_three_sources_stored_once(db_path):
    for order in (
        [ACCOUNT, API, EXTENDED],
        [EXTENDED, API, ACCOUNT],
        [API, ACCOUNT, EXTENDED],
    ):
        db_path.unlink(missing_ok=True)
        with connect(db_path) as con:
            for frame in order:
                upsert_plays(con, "me", frame)
        rows = _stored(db_path)
        assert [r[0] for r in rows] == ["extended_history", "extended_history"]
        assert [r[2] for r in rows] == [182_000, 244_000]


def test_second_import_changes_nothing(db_path):
    with connect(db_path) as con:
        upsert_plays(con, "me", EXTENDED)
        first = con.execute("SELECT * FROM plays ORDER BY 1").fetchall()
        counts = upsert_plays(con, "me", EXTENDED)
        second = con.execute("SELECT * FROM plays ORDER BY 1").fetchall()
    assert counts.inserted == 0
    assert counts.already_stored == 2
    assert first == second


def test_plays_of_other_users_never_merge(db_path):
    with connect(db_path) as con:
        upsert_plays(con, "ana", EXTENDED)
        counts = upsert_plays(con, "ben", ACCOUNT)
    assert counts.inserted == 1
