"""Flow: the offline demo on a generated sample export."""

import shutil
from pathlib import Path

from prefect import flow
from rich.console import Console

from flows.import_exports import import_exports
from flows.match import match
from soundtrack.output import print_table
from soundtrack.report import print_import_summary
from storage.db import connect
from storage.soundtracks import soundtracks_for_display
from tasks.preferences import update_preference

DEMO_USER = "demo"


@flow(name="demo", persist_result=False)
def demo_flow(folder: str, seed: int) -> None:
    """Write a fresh sample export into folder, import it and match it."""
    from sample import generate_world, write_exports

    out = Path(folder)
    shutil.rmtree(out / "exports", ignore_errors=True)
    write_exports(generate_world(seed=seed), out / "exports")


def run_demo(folder: Path, seed: int, console: Console) -> None:
    """Run the demo and print what was imported and the resulting soundtracks."""
    demo_flow(str(folder), seed)
    # The sample runner lives in London; activities.csv carries no time zone.
    with connect() as con:
        update_preference(con, DEMO_USER, "profile", "timezone", "Europe/London")
    summary = import_exports([str(folder / "exports")], DEMO_USER)
    print_import_summary(summary, console)
    match(DEMO_USER)
    with connect(read_only=True) as con:
        tracks = soundtracks_for_display(con, DEMO_USER)
    console.print()
    print_table(tracks, console)
    activities = tracks["activity_id"].nunique()
    console.print(f"{activities} activities with music, {len(tracks)} tracks in all.")
