"""Read activities.csv from a Strava bulk export into activity records."""

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime

import pandas as pd

from soundtrack.errors import ImportFileError
from storage.records import ACTIVITY_COLUMNS, conform
from tasks.inputs import InputFile, ParsedFile

KIND = "strava_activities_csv"
SOURCE = "strava_export"

# The current English export (103 columns in 2026). Some labels repeat: the first
# block contains display values (Distance in km), a later block raw ones (in metres).
CURRENT_REQUIRED = ("Activity ID", "Activity Date", "Activity Type", "Elapsed Time")

# The export written around 2018 has ten lowercase columns:
# id,date,name,type,description,elapsed_time,distance,commute,gear,filename.
LAYOUT_2018_REQUIRED = ("id", "date", "type", "elapsed_time")

SUPPORTED_LAYOUTS = (
    "Supported layouts are the English Strava export (first columns 'Activity ID', "
    "'Activity Date', 'Activity Name') and the 2018 layout "
    "(id,date,name,type,...). For an export in another language, set the Strava "
    "account language to English and request a new export"
)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

# "May 13, 2026, 9:54:42 AM". \s also matches the narrow no-break space that
# CLDR 42 and later put before AM/PM in English times.
ACTIVITY_DATE = re.compile(
    r"(?P<month>[A-Za-z]+)\.?\s+(?P<day>\d{1,2}),\s*(?P<year>\d{4}),?\s+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})\s*(?P<ampm>[AaPp][Mm])"
)

# Strava's English labels that are not its sport_type with the spaces removed.
# NOTE: these labels come from Strava's app, not from an export seen here.
SPORT_LABELS = {
    "Canoe": "Canoeing",
    "HIIT": "HighIntensityIntervalTraining",
    "Football (Soccer)": "Soccer",
}


def detect_strava_kind(file: InputFile) -> str | None:
    """Return "strava_activities_csv" for a Strava activities export, else None.

    Raises ImportFileError for a file named activities.csv, or a .csv file that looks
    like a localised Strava export, whose header is not a layout this importer reads.
    """
    header = _read_header(file)
    if header is not None and _layout(header) is not None:
        return KIND
    name = file.name.lower()
    looks_like_export = name.endswith(".csv") and _looks_like_strava(header or [])
    if name == "activities.csv" or looks_like_export:
        raise _unknown_layout(file, header or [])
    return None


def parse_activities_csv(file: InputFile) -> ParsedFile:
    """Parse activities.csv into an activities frame, with start_at in naive UTC.

    Raises ImportFileError for an unknown header, and for a row without an id or
    with an invalid date, elapsed time or number (record is the 1-based data row).
    """
    rows = list(csv.reader(io.StringIO(_decode(file))))
    if not rows:
        raise ImportFileError(
            file.display_path, "the file is empty", hint=SUPPORTED_LAYOUTS
        )
    header, body = (
        rows[0],
        [row for row in rows[1:] if any(cell.strip() for cell in row)],
    )
    layout = _layout(header)
    if layout is None:
        raise _unknown_layout(file, header)

    read_row = _read_current_row if layout == "current" else _read_2018_row
    columns = _column_positions(header)
    records = [
        read_row(_Row(file, number, row, columns))
        for number, row in enumerate(body, start=1)
    ]
    frame = pd.DataFrame.from_records(records, columns=list(ACTIVITY_COLUMNS))
    frame["source"] = SOURCE
    frame["source_file"] = file.display_path
    frame["start_from_file"] = False
    parsed = ParsedFile(file.display_path, KIND, read=len(body))
    parsed.activities = conform(frame, ACTIVITY_COLUMNS)
    return parsed


def _decode(file: InputFile) -> str:
    try:
        return file.unzipped().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            file.display_path,
            f"the file is not valid UTF-8 text (byte {error.start})",
            hint="Use activities.csv as Strava exported it",
        ) from error


def _read_header(file: InputFile) -> list[str] | None:
    # Detection reads only the first line, because Strava headers have no line breaks.
    head = file.unzipped()[:65536]
    first_line = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "," not in text:
        return None
    return next(csv.reader([text]))


def _layout(header: list[str]) -> str | None:
    names = {name.strip() for name in header}
    if all(name in names for name in CURRENT_REQUIRED):
        return "current"
    if all(name in names for name in LAYOUT_2018_REQUIRED):
        return "2018"
    return None


def _looks_like_strava(header: list[str]) -> bool:
    # A localised Strava export ("Aktivitäts-ID", "ID de l'activité") keeps the
    # repeated column labels and opens with the activity id.
    if not header:
        return False
    repeated = len(header) - len(set(header))
    return repeated >= 3 and "id" in header[0].lower()


def _unknown_layout(file: InputFile, header: list[str]) -> ImportFileError:
    quoted = ", ".join(repr(cell) for cell in header[:3]) or "nothing readable"
    return ImportFileError(
        file.display_path,
        f"the header is not a known Strava activities layout (it starts {quoted})",
        hint=SUPPORTED_LAYOUTS,
    )


def _column_positions(header: list[str]) -> dict[str, list[int]]:
    # A label can appear twice, so each maps to all its positions, in file order.
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        positions.setdefault(name.strip(), []).append(index)
    return positions


class _Row:
    """One data row with lookups by column label and errors that name the row."""

    def __init__(
        self,
        file: InputFile,
        number: int,
        cells: list[str],
        columns: dict[str, list[int]],
    ):
        self.file = file
        self.number = number
        self.cells = cells
        self.columns = columns

    def text(self, name: str, occurrence: int = 0) -> str | None:
        """Return the stripped cell of the nth column with this label, or None."""
        positions = self.columns.get(name, [])
        if occurrence >= len(positions) or positions[occurrence] >= len(self.cells):
            return None
        value = self.cells[positions[occurrence]].strip()
        return value or None

    def number_of(self, name: str, occurrence: int = 0) -> float | None:
        """Return the cell as a float or None. Raises ImportFileError if invalid."""
        value = self.text(name, occurrence)
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            raise self.error(name, f"{value!r} is not a number") from None

    def required(self, name: str, convert: Callable[[str], object]) -> object:
        """Return convert(cell). Raises ImportFileError if empty or invalid."""
        value = self.text(name)
        if value is None:
            raise self.error(name, "the value is missing")
        try:
            return convert(value)
        except ValueError:
            raise self.error(name, f"{value!r} is not valid") from None

    def error(self, name: str, problem: str) -> ImportFileError:
        return ImportFileError(
            self.file.display_path,
            problem,
            record=self.number,
            field=name,
            hint="Request a new export from Strava if the file was edited",
        )


def _read_current_row(row: _Row) -> dict:
    strava_id = row.required("Activity ID", _parse_id)
    return {
        "activity_id": str(strava_id),
        "strava_id": strava_id,
        "name": row.text("Activity Name"),
        "sport_type": _sport_type(row.text("Activity Type")),
        "start_at": row.required("Activity Date", parse_activity_date),
        "elapsed_s": _elapsed_s(row, "Elapsed Time"),
        "moving_s": _round(row.number_of("Moving Time")),
        "distance_m": _distance_m(row),
        "description": row.text("Activity Description"),
        "activity_file": row.text("Filename"),
    }


def _read_2018_row(row: _Row) -> dict:
    strava_id = row.required("id", _parse_id)
    return {
        "activity_id": str(strava_id),
        "strava_id": strava_id,
        "name": row.text("name"),
        "sport_type": _sport_type(row.text("type")),
        "start_at": row.required("date", _parse_iso_date),
        "elapsed_s": _elapsed_s(row, "elapsed_time"),
        "distance_m": row.number_of("distance"),  # metres in this layout
        "description": row.text("description"),
        "activity_file": row.text("filename"),
    }


def _parse_id(value: str) -> int:
    if not value.isdigit():
        raise ValueError(value)
    return int(value)


def parse_activity_date(value: str) -> datetime:
    """Parse "May 13, 2026, 9:54:42 AM" (UTC in the export) into a naive datetime.

    English month names are matched here rather than by strptime, because %b and %p
    follow the process locale. Raises ValueError for any other form.
    """
    match = ACTIVITY_DATE.fullmatch(value.strip())
    if match is None or match["month"].lower() not in MONTHS:
        raise ValueError(value)
    hour = int(match["hour"])
    if not 1 <= hour <= 12:
        raise ValueError(value)
    hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    return datetime(
        int(match["year"]),
        MONTHS[match["month"].lower()],
        int(match["day"]),
        hour,
        int(match["minute"]),
        int(match["second"]),
    )


def _parse_iso_date(value: str) -> datetime:
    # The 2018 layout writes "2014-09-12 16:54:28" in UTC. The format has digits only,
    # so strptime does not depend on the locale here.
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")


def _elapsed_s(row: _Row, name: str) -> int:
    # The current layout repeats "Elapsed Time": whole seconds first, then a float.
    for occurrence in (0, 1):
        seconds = row.number_of(name, occurrence)
        if seconds is not None and seconds < 0:
            raise row.error(name, f"negative elapsed time {seconds}")
        if seconds is not None:
            return round(seconds)
    raise row.error(name, "the value is missing")


def _distance_m(row: _Row) -> float | None:
    # The first "Distance" is in kilometres and the second, when present, in metres.
    metres = row.number_of("Distance", 1)
    if metres is not None:
        return metres
    kilometres = row.number_of("Distance", 0)
    # NOTE: assumes the single Distance of a shorter export is in kilometres.
    return None if kilometres is None else kilometres * 1000


def _round(value: float | None) -> int | None:
    return None if value is None else round(value)


def _sport_type(label: str | None) -> str | None:
    """Map an English type label ("Virtual Ride") to a sport_type ("VirtualRide")."""
    if label is None:
        return None
    if label in SPORT_LABELS:
        return SPORT_LABELS[label]
    return re.sub(r"[\s-]", "", label)
