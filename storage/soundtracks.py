"""The interval join of plays with activity windows, and reads of its result."""

from dataclasses import dataclass

import duckdb
import pandas as pd

from soundtrack.preferences import MatchRules
from storage.db import fetch_one, transaction

# A play's interval is [end - played length, end]. A minute-precision end (account
# data) lies somewhere in [end, end + 60 s), so the join uses the middle of that range.
_MATCHES_SQL = """
WITH windows AS (
    SELECT activity_id, start_at AS w_start,
           start_at + to_seconds(elapsed_s) AS w_end
    FROM activities
    WHERE user_id = $user AND deleted_at IS NULL
      AND ($sports IS NULL OR list_contains($sports, sport_type))
),
candidate_plays AS (
    SELECT play_id, track_key, track_uri, track_name, artist_name, end_uncertainty_s,
           started_at + to_milliseconds(end_uncertainty_s * 500) AS p_start,
           ended_at + to_milliseconds(end_uncertainty_s * 500) AS p_end,
           ms_played / 1000.0 AS length_s,
           epoch(started_at + to_milliseconds(end_uncertainty_s * 500))::BIGINT // 3600
               AS hour
    FROM plays
    WHERE user_id = $user AND ms_played >= $min_play_s * 1000
),
longest AS (
    SELECT coalesce(max(length_s), 0) + 60 AS s FROM candidate_plays
),
window_hours AS (
    -- A play that overlaps a window starts at most one play length before it, so
    -- each window lists the hours such a play can start in, and a hash join on the
    -- hour replaces a range join over every play.
    SELECT w.*, unnest(range(
               (epoch(w.w_start)::BIGINT - (SELECT s FROM longest)::BIGINT) // 3600,
               epoch(w.w_end)::BIGINT // 3600 + 1)) AS hour
    FROM windows w
),
overlapping AS (
    SELECT w.activity_id, w.w_start, p.* EXCLUDE (hour),
           epoch(least(p.p_end, w.w_end)) - epoch(greatest(p.p_start, w.w_start))
               AS window_overlap_s
    FROM window_hours w JOIN candidate_plays p USING (hour)
    WHERE p.p_start < w.w_end AND p.p_end > w.w_start
),
paused AS (
    -- Seconds of each play heard during a long recorded pause of its activity.
    SELECT o.activity_id, o.play_id,
           sum(epoch(least(o.p_end, ap.resumed_at)) - epoch(greatest(o.p_start, ap.paused_at)))
               AS paused_s
    FROM overlapping o JOIN activity_pauses ap
      ON ap.activity_id = o.activity_id
     AND ap.paused_at < o.p_end AND ap.resumed_at > o.p_start
     AND epoch(ap.resumed_at) - epoch(ap.paused_at) >= $pause_s
    GROUP BY ALL
),
kept AS (
    SELECT o.*, o.window_overlap_s - coalesce(pd.paused_s, 0) AS overlap_s
    FROM overlapping o LEFT JOIN paused pd USING (activity_id, play_id)
    WHERE o.window_overlap_s - coalesce(pd.paused_s, 0)
          >= least($min_overlap_s, o.length_s * $min_overlap_fraction)
    QUALIFY $keep_repeats
         OR row_number() OVER (PARTITION BY activity_id, track_key ORDER BY p_start) = 1
)
SELECT activity_id,
       row_number() OVER (PARTITION BY activity_id ORDER BY p_start, play_id)::INTEGER
           AS position,
       play_id, track_uri, track_name, artist_name,
       p_start AS started_at, p_end AS ended_at,
       greatest(epoch(p_start) - epoch(w_start), 0) AS offset_s,
       overlap_s, end_uncertainty_s
FROM kept
"""


@dataclass(frozen=True)
class SoundtrackCounts:
    activities: int  # activities that passed the sport filter
    with_music: int
    changed: int  # soundtracks written or removed by this run
    tracks: int


def rebuild_soundtracks(
    con: duckdb.DuckDBPyConnection, user_id: str, rules: MatchRules
) -> SoundtrackCounts:
    """Match every play of a user to the user's activity windows and store the result.

    Only soundtracks whose tracks changed are rewritten, so a second run with the same
    data and rules changes nothing. Activities without music, and activities deleted
    on Strava, get no soundtrack.
    """
    params = {
        "user": user_id,
        "sports": rules.sport_types,
        "min_play_s": rules.min_play_s,
        "min_overlap_s": rules.min_overlap_s,
        "min_overlap_fraction": rules.min_overlap_fraction,
        "keep_repeats": rules.keep_repeats,
        # With no pause rule, no pause is long enough to count.
        "pause_s": rules.exclude_pauses_longer_than_s or float("inf"),
    }
    with transaction(con):
        con.execute(f"CREATE OR REPLACE TEMP TABLE matched AS {_MATCHES_SQL}", params)
        changed = _changed_activities(con, user_id)
        _replace(con, user_id, changed, rules)
        counts = fetch_one(
            con,
            """
            SELECT (SELECT count(*) FROM activities
                    WHERE user_id = $user AND deleted_at IS NULL
                      AND ($sports IS NULL OR list_contains($sports, sport_type))),
                   count(DISTINCT activity_id), count(*)
            FROM matched
            """,
            {"user": user_id, "sports": rules.sport_types},
        )
        con.execute("DROP TABLE matched")
    return SoundtrackCounts(counts[0], counts[1], len(changed), counts[2])


def _changed_activities(con: duckdb.DuckDBPyConnection, user_id: str) -> list[str]:
    # An activity changed when its ordered list of (play, overlap) differs from the
    # stored one, including appearing or disappearing.
    rows = con.execute(
        """
        WITH new AS (
            SELECT activity_id,
                   string_agg(play_id || ':' || round(overlap_s, 3), ',' ORDER BY position)
                       AS signature
            FROM matched GROUP BY activity_id
        ),
        old AS (
            SELECT t.activity_id,
                   string_agg(t.play_id || ':' || round(t.overlap_s, 3), ','
                              ORDER BY t.position) AS signature
            FROM soundtrack_tracks t JOIN soundtracks s USING (activity_id)
            WHERE s.user_id = $user GROUP BY t.activity_id
        )
        SELECT coalesce(new.activity_id, old.activity_id)
        FROM new FULL OUTER JOIN old USING (activity_id)
        WHERE new.signature IS DISTINCT FROM old.signature
        """,
        {"user": user_id},
    ).fetchall()
    return [row[0] for row in rows]


def _replace(
    con: duckdb.DuckDBPyConnection,
    user_id: str,
    activity_ids: list[str],
    rules: MatchRules,
) -> None:
    if not activity_ids:
        return
    ids = {"ids": activity_ids}
    con.execute(
        "DELETE FROM soundtrack_tracks WHERE activity_id IN (SELECT unnest($ids))", ids
    )
    con.execute(
        "DELETE FROM soundtracks WHERE activity_id IN (SELECT unnest($ids))", ids
    )
    con.execute(
        "INSERT INTO soundtrack_tracks BY NAME"
        " SELECT * FROM matched WHERE activity_id IN (SELECT unnest($ids))",
        ids,
    )
    con.execute(
        """
        INSERT INTO soundtracks
        SELECT activity_id, $user, count(*)::INTEGER, sum(overlap_s), $rules,
               current_localtimestamp()
        FROM matched WHERE activity_id IN (SELECT unnest($ids))
        GROUP BY activity_id
        """,
        {**ids, "user": user_id, "rules": rules.model_dump_json()},
    )


def soundtrack_tracks(
    con: duckdb.DuckDBPyConnection, user_id: str, home_timezone: str = "UTC"
) -> pd.DataFrame:
    """Return every matched track with its activity, in activity and play order.

    Times are UTC; local_* columns use the activity's time zone, or home_timezone
    when its source gives none.
    """
    return con.execute(
        """
        SELECT a.activity_id, a.strava_id, a.name AS activity_name, a.sport_type,
               a.start_at, a.elapsed_s, coalesce(a.timezone, $home) AS timezone,
               timezone(coalesce(a.timezone, $home), a.start_at::TIMESTAMPTZ)::TIMESTAMP
                   AS local_start,
               t.position, t.track_uri, t.track_name, t.artist_name,
               t.started_at, t.ended_at, t.offset_s, t.overlap_s, t.end_uncertainty_s,
               timezone(coalesce(a.timezone, $home), t.started_at::TIMESTAMPTZ)::TIMESTAMP
                   AS local_track_start
        FROM soundtrack_tracks t
        JOIN soundtracks s USING (activity_id)
        JOIN activities a USING (activity_id)
        WHERE s.user_id = $user
        ORDER BY a.start_at, a.activity_id, t.position
        """,
        {"user": user_id, "home": home_timezone},
    ).df()


def soundtracks_for_display(
    con: duckdb.DuckDBPyConnection, user_id: str
) -> pd.DataFrame:
    """Return soundtrack_tracks() in the user's profile time zone."""
    from soundtrack.preferences import Profile
    from storage.preferences import load_preference

    profile = load_preference(con, user_id, "profile", Profile)
    return soundtrack_tracks(con, user_id, profile.timezone)
