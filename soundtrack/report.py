"""Print what an import read, per file, and what it stored."""

from pathlib import PurePath

from rich.console import Console
from rich.table import Table

from flows.import_exports import ImportSummary
from soundtrack.text import counted


def print_import_summary(summary: ImportSummary, console: Console) -> None:
    """Print one row per input file, then the stored totals."""
    table = Table(show_edge=False)
    table.add_column("file", overflow="fold", ratio=3)
    table.add_column("kind")
    table.add_column("records", justify="right")
    table.add_column("kept", justify="right")
    table.add_column("skipped", overflow="fold", ratio=2)
    unrelated = []
    for outcome in summary.outcomes:
        if outcome.kind is None:
            unrelated.append(_short(outcome.display_path))
            continue
        if outcome.parsed is None:
            table.add_row(
                _short(outcome.display_path),
                outcome.kind,
                "-",
                "0",
                f"unreadable: {outcome.error}",
            )
            continue
        parsed = outcome.parsed
        kept = _kept(parsed)
        skipped = ", ".join(
            f"{n} {reason}" for reason, n in sorted(parsed.skipped.items())
        )
        table.add_row(
            _short(outcome.display_path),
            parsed.kind,
            str(parsed.read),
            str(kept),
            skipped,
        )
    console.print(table)
    if unrelated:
        shown = ", ".join(unrelated[:10]) + (", ..." if len(unrelated) > 10 else "")
        console.print(
            f"Ignored {counted(len(unrelated), 'file')} that are not Spotify or Strava "
            f"exports: {shown}",
            highlight=False,
        )
    if summary.missing_recordings:
        console.print(
            f"{counted(len(summary.missing_recordings), 'activity', 'activities')} in "
            "activities.csv name a recording file that was not imported, so their "
            "start times and pauses come from activities.csv alone. Import the whole "
            "export (the zip, or the folder with its activities/ files) to add them.",
            highlight=False,
        )
    counts = summary.counts
    plays, activities = counts.plays, counts.activities
    console.print(
        f"Stored {counted(plays.inserted, 'new play')} ({plays.already_stored} already "
        f"stored, {plays.merged} seen in a more exact source, {plays.superseded} replaced "
        f"by a more exact record) and "
        f"{counted(activities.inserted, 'new activity', 'new activities')} "
        f"({activities.updated} updated, {activities.unchanged} unchanged); "
        f"{counted(counts.recordings_linked, 'recording')} linked to activities, "
        f"{counted(counts.recordings_alone, 'new activity', 'new activities')} "
        f"from recordings alone, {counted(counts.pauses, 'pause')}."
    )


def _short(display_path: str) -> str:
    # The folder and the name are enough to tell files apart in a report.
    archive, _, member = display_path.rpartition("!")
    parts = PurePath(member).parts[-2:]
    prefix = PurePath(archive).name + "!" if archive else ""
    return prefix + "/".join(parts)


def _kept(parsed) -> int:
    if parsed.plays is not None:
        return len(parsed.plays)
    if parsed.activities is not None:
        return len(parsed.activities)
    return 0
