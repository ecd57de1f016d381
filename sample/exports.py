"""Write a World as the files of a Spotify and a Strava data export."""

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sample.spotify_files import (
    write_account,
    write_endsong,
    write_extended,
)
from sample.strava_files import write_activities_csv, write_recordings
from sample.world import World

# The first weeks of plays go to an older-generation endsong_0.json, the rest to
# the yearly files of the current generation.
ENDSONG_WEEKS = 4

# Account data covers the last weeks, which the extended history also covers, so an
# import meets the same plays from two sources.
ACCOUNT_WEEKS = 6


def write_exports(world: World, out_dir: Path) -> list[Path]:
    """Write the Spotify and Strava export files under out_dir and return their paths.

    Existing files of the same names are overwritten. The same world always gives
    byte-identical files.
    """
    first_day = datetime.combine(world.start, time(), UTC)
    endsong_until = first_day + timedelta(weeks=ENDSONG_WEEKS)
    account_from = first_day + timedelta(days=world.days, weeks=-ACCOUNT_WEEKS)
    old = [p for p in world.plays if p.ended_at < endsong_until and not p.video]
    new = [p for p in world.plays if p.ended_at >= endsong_until or p.video]
    recent = [p for p in world.plays if p.ended_at >= account_from and not p.video]

    written = [write_endsong(old, out_dir, world.seed)]
    written += write_extended(new, out_dir)
    written.append(write_account(recent, out_dir))
    written.append(write_activities_csv(world.activities, out_dir))
    written += write_recordings(world.activities, out_dir)
    return sorted(written)
