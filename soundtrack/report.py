"""Print what an import read, per file, and what it stored."""

from pathlib import PurePath

from rich.console import Console
from rich.table import Table

from flows.import_exports import ImportSummary


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
            f"Ignored {len(unrelated)} files that are not Spotify or Strava exports: {shown}",
            highlight=False,
        )
    counts = summary.counts
    console.print(
        f"Stored {counts.plays.inserted} new plays ({counts.plays.already_stored} already stored, "
        f"{counts.plays.merged} seen in a more exact source, {counts.plays.superseded} replaced "
        f"by a more exact record) and {counts.activities.inserted} new activities "
        f"({counts.activities.updated} updated, {counts.activities.unchanged} unchanged); "
        f"{counts.recordings_linked} recordings linked to activities, "
        f"{counts.recordings_alone} new activities from recordings alone, "
        f"{counts.pauses} pauses."
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
