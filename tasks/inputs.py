"""Input discovery: expand zips, folders and files into named byte blobs, and the parse result."""

import gzip
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from soundtrack.errors import ImportFileError


@dataclass(frozen=True)
class InputFile:
    """One file to import, possibly a member of a zip archive."""

    display_path: str  # "export.zip!Spotify Extended Streaming History/endsong_0.json"
    name: str  # the base name, such as endsong_0.json or 123.fit.gz
    data: bytes

    def unzipped(self) -> bytes:
        """Return the content with one layer of gzip removed, when it is gzipped.

        Raises ImportFileError naming the file when the gzip stream is damaged.
        """
        if self.data[:2] != b"\x1f\x8b":
            return self.data
        try:
            return gzip.decompress(self.data)
        except (OSError, EOFError, zlib.error) as error:
            raise ImportFileError(
                self.display_path,
                f"is not a valid gzip file ({error})",
                hint="Download the export again",
            ) from error


@dataclass
class ParsedFile:
    """What one importer read from one file."""

    display_path: str
    kind: str  # spotify_extended, spotify_account, strava_activities_csv, gpx, fit, tcx, ...
    read: int = 0  # records read from the file
    plays: pd.DataFrame | None = None  # storage.records.PLAY_COLUMNS
    activities: pd.DataFrame | None = None  # storage.records.ACTIVITY_COLUMNS
    pauses: pd.DataFrame | None = None  # storage.records.PAUSE_COLUMNS
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> records skipped
    notes: list[str] = field(default_factory=list)

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count


def iter_inputs(paths: list[Path]) -> Iterator[InputFile]:
    """Yield every file under the given paths, opening zip archives, in a stable order.

    A path given twice is read once. Raises FileNotFoundError for a missing path and
    ImportFileError for a damaged zip archive.
    """
    seen: set[Path] = set()
    for path in paths:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not child.name.startswith("."):
                    yield from _expand(child, str(child))
        elif path.is_file():
            yield from _expand(path, str(path))
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")


def _expand(path: Path, display: str) -> Iterator[InputFile]:
    data = path.read_bytes()
    if data[:4] != b"PK\x03\x04":
        yield InputFile(display, path.name, data)
        return
    try:
        with zipfile.ZipFile(path) as archive:
            infos = sorted(archive.infolist(), key=lambda i: i.filename)
            members = [
                (info, archive.read(info)) for info in infos if _is_member_file(info)
            ]
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ImportFileError(
            display,
            f"is not a valid zip archive ({error})",
            hint="The download may be incomplete; download the export again",
        ) from error
    for info, content in members:
        base = info.filename.rsplit("/", 1)[-1]
        yield InputFile(f"{display}!{info.filename}", base, content)


def _is_member_file(info: zipfile.ZipInfo) -> bool:
    base = info.filename.rsplit("/", 1)[-1]
    hidden = not base or base.startswith(".") or "__MACOSX" in info.filename
    return not (info.is_dir() or hidden)
