"""Classify input files, run the matching parser, and collect a per-file report."""

import fnmatch
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from soundtrack.errors import ImportFileError
from tasks.inputs import InputFile, ParsedFile

log = logging.getLogger(__name__)

# File names that promise an export even when the content is damaged, so that a
# truncated endsong_0.json fails loudly instead of being skipped as unrelated.
_NAME_KINDS = [
    ("endsong_*.json", "spotify_extended"),
    ("streaming_history_audio_*.json", "spotify_extended"),
    ("streaming_history_video_*.json", "spotify_video"),
    ("streaminghistory*.json", "spotify_account"),
    ("activities.csv", "strava_activities_csv"),
    ("*.fit", "fit"),
    ("*.fit.gz", "fit"),
    ("*.gpx", "gpx"),
    ("*.gpx.gz", "gpx"),
    ("*.tcx", "tcx"),
    ("*.tcx.gz", "tcx"),
]

# Recorded activity files: a damaged one is reported and skipped, because one bad
# recording among thousands in a bulk export should not stop the import.
RECORDING_KINDS = {"fit", "gpx", "tcx"}


@dataclass
class FileOutcome:
    """The outcome of one input file: parsed, skipped as unrelated, or unreadable."""

    display_path: str
    kind: str | None
    sha256: str
    parsed: ParsedFile | None = None
    error: str | None = None  # set when the file was skipped as unreadable


@dataclass
class ParseReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    @property
    def parsed(self) -> list[ParsedFile]:
        return [o.parsed for o in self.outcomes if o.parsed is not None]

    def missing_recordings(self) -> list[str]:
        """List recording files that activities.csv names but the inputs lack."""
        present = {_file_name(o.display_path) for o in self.outcomes}
        missing = []
        for parsed in self.parsed:
            if parsed.kind in RECORDING_KINDS or parsed.activities is None:
                continue
            names = parsed.activities.get("activity_file")
            if names is None:
                continue
            for name in names.dropna():
                if name and _file_name(name) not in present:
                    missing.append(name)
        return missing


def _file_name(path: str) -> str:
    # A member of a zip shows as "export.zip!activities/1.fit.gz", and a recording
    # counts as present whether or not it was gzipped.
    return PurePath(path.rpartition("!")[2]).name.removesuffix(".gz")


def _detectors() -> list[Callable[[InputFile], str | None]]:
    from tasks.activity_files import detect_activity_file_kind
    from tasks.spotify_export import detect_spotify_kind
    from tasks.strava_export import detect_strava_kind

    return [detect_spotify_kind, detect_strava_kind, detect_activity_file_kind]


def classify(file: InputFile) -> str | None:
    """Return the file's kind from its content, else from its name, else None."""
    for detect in _detectors():
        try:
            kind = detect(file)
        except ImportFileError:
            # Damaged content, such as a broken gzip stream: the name decides, and
            # the parser then reports the damage.
            break
        if kind:
            return kind
    lowered = file.name.lower()
    for pattern, kind in _NAME_KINDS:
        if fnmatch.fnmatch(lowered, pattern):
            return kind
    return None


def parse_file(file: InputFile, kind: str) -> ParsedFile:
    """Parse one classified file; raises ImportFileError when it cannot be read."""
    from tasks.activity_files import parse_activity_file
    from tasks.spotify_export import parse_spotify_file
    from tasks.strava_export import parse_activities_csv

    if kind.startswith("spotify"):
        return parse_spotify_file(file, kind)
    if kind == "strava_activities_csv":
        return parse_activities_csv(file)
    return parse_activity_file(file, kind)


def parse_inputs(
    files: Iterable[InputFile],
    explicit: set[str],
    on_file: Callable[[str], None] | None = None,
) -> ParseReport:
    """Parse every file, skipping unrelated ones found inside folders and archives.

    Raises ImportFileError for an export that cannot be read, and for a file named on
    the command line that is not an export at all, so that nothing is stored.
    """
    report = ParseReport()
    for file in files:
        if on_file:
            on_file(file.display_path)
        kind = classify(file)
        if kind is None:
            if file.display_path in explicit:
                raise ImportFileError(
                    file.display_path,
                    "is not a Spotify or Strava export file",
                    hint="Pass the export's zip or folder, or one of its JSON/CSV/FIT/GPX/TCX files",
                )
            report.outcomes.append(FileOutcome(file.display_path, None, _sha256(file)))
            continue
        report.outcomes.append(_parse_one(file, kind))
    return report


def _parse_one(file: InputFile, kind: str) -> FileOutcome:
    digest = _sha256(file)
    try:
        return FileOutcome(file.display_path, kind, digest, parse_file(file, kind))
    except ImportFileError as error:
        if kind not in RECORDING_KINDS:
            raise
        log.warning(
            "skipped unreadable activity file %s: %s", file.display_path, error.problem
        )
        return FileOutcome(file.display_path, kind, digest, error=error.problem)


def _sha256(file: InputFile) -> str:
    return hashlib.sha256(file.data).hexdigest()
