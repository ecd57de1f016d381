"""Flow: import Spotify and Strava export files into the database."""

from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from soundtrack.errors import SoundtrackError
from soundtrack.settings import get_settings
from storage.db import connect
from storage.imports import ImportedFile, StoreCounts, store_import
from tasks.importing import RECORDING_KINDS, FileOutcome, ParseReport, parse_inputs
from tasks.inputs import iter_inputs


class NothingToImport(SoundtrackError):
    """The given paths hold no file that any importer reads."""


@dataclass
class ImportSummary:
    outcomes: list[FileOutcome] = field(default_factory=list)
    counts: StoreCounts | None = None
    # Recording files that activities.csv names but the inputs did not include.
    missing_recordings: list[str] = field(default_factory=list)


@task(cache_policy=NO_CACHE, persist_result=False)
def read_inputs(paths: list[str], show_progress: bool = False) -> ParseReport:
    """Parse every export file under the given paths; nothing is stored yet."""
    resolved = [Path(p) for p in paths]
    explicit = {str(p) for p in resolved if p.is_file()}
    files = list(iter_inputs(resolved))
    if not show_progress:
        return parse_inputs(files, explicit)

    from rich.progress import Progress

    with Progress(transient=True) as progress:
        bar = progress.add_task("Reading", total=len(files))
        return parse_inputs(files, explicit, on_file=lambda _: progress.advance(bar))


@task(cache_policy=NO_CACHE, persist_result=False)
def store_inputs(report: ParseReport, user_id: str) -> StoreCounts:
    """Store what the files held in one transaction; a second run changes nothing."""
    plays, activities, recordings, files = [], [], [], []
    for outcome in report.outcomes:
        parsed = outcome.parsed
        if parsed is None:
            continue
        files.append(
            ImportedFile(outcome.sha256, outcome.display_path, parsed.kind, parsed.read)
        )
        if parsed.plays is not None:
            plays.append(parsed.plays)
        if parsed.kind in RECORDING_KINDS and parsed.activities is not None:
            recordings.append((parsed.activities, parsed.pauses))
        elif parsed.activities is not None:
            activities.append(parsed.activities)
    with connect() as con:
        return store_import(con, user_id, plays, activities, recordings, files)


@flow(name="import-exports", persist_result=False)
def import_exports(
    paths: list[str], user_id: str | None = None, show_progress: bool = False
) -> ImportSummary:
    """Import export files (zips, folders or single files) for one user; idempotent."""
    user_id = user_id or get_settings().user
    report = read_inputs(paths, show_progress)
    if not report.parsed:
        raise NothingToImport(
            f"found no Spotify or Strava export files in {', '.join(paths)}; pass the "
            "export's zip or folder, or its JSON, CSV, FIT, GPX or TCX files"
        )
    counts = store_inputs(report, user_id)
    get_run_logger().info(
        "imported %d files for %s: %d new plays, %d new activities, %d recordings linked",
        len(report.parsed),
        user_id,
        counts.plays.inserted,
        counts.activities.inserted,
        counts.recordings_linked,
    )
    return ImportSummary(report.outcomes, counts, report.missing_recordings())
