"""The join step: one ordered soundtrack per activity from the stored plays."""

import duckdb

from soundtrack.preferences import MatchRules
from storage.preferences import load_preference
from storage.soundtracks import SoundtrackCounts, rebuild_soundtracks

__all__ = ["MatchRules", "SoundtrackCounts", "load_rules", "match_soundtracks"]


def load_rules(con: duckdb.DuckDBPyConnection, user_id: str) -> MatchRules:
    """Return the user's stored matching rules, or the defaults."""
    return load_preference(con, user_id, "match_rules", MatchRules)


def match_soundtracks(
    con: duckdb.DuckDBPyConnection, user_id: str, rules: MatchRules | None = None
) -> SoundtrackCounts:
    """Rebuild the user's soundtracks with the given or stored rules; idempotent."""
    rules = rules or load_rules(con, user_id)
    return rebuild_soundtracks(con, user_id, rules)
