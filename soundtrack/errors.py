"""Exceptions named for what went wrong, each carrying the file, record or field involved."""

from pathlib import Path


class SoundtrackError(Exception):
    """Base class for errors that the command line reports without a traceback."""


class ImportFileError(SoundtrackError):
    """An input file that cannot be read as any supported export.

    record counts from 1: the JSON list's first object, or the CSV's first data row.
    """

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        record: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ):
        self.path = Path(path)
        self.problem = problem
        self.record = record
        self.field = field
        self.hint = hint
        where = str(self.path)
        if record is not None:
            where += f", record {record}"
        if field is not None:
            where += f", field {field!r}"
        message = f"{where}: {problem}"
        if hint:
            message += f". {hint}"
        super().__init__(message)


class SettingsError(SoundtrackError):
    """A stored or given setting that is invalid."""


class DatabaseBusyError(SoundtrackError):
    """The database file stayed locked by another process for longer than the timeout."""
