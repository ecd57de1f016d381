"""Flow: rebuild each activity's soundtrack from the stored plays."""

from prefect import flow, get_run_logger

from soundtrack.settings import get_settings
from storage.db import connect
from storage.soundtracks import SoundtrackCounts
from tasks.matching import match_soundtracks


@flow(name="match-soundtracks", persist_result=False)
def match(user_id: str | None = None) -> SoundtrackCounts:
    """Match the user's plays to their activities with the stored rules; idempotent."""
    user_id = user_id or get_settings().user
    with connect() as con:
        counts = match_soundtracks(con, user_id)
    get_run_logger().info(
        "matched %s: %d of %d activities have music, %d soundtracks changed",
        user_id,
        counts.with_music,
        counts.activities,
        counts.changed,
    )
    return counts
