"""Decode an export file as JSON records and convert record values into typed columns."""

import codecs
import json

import numpy as np
import pandas as pd
import pyarrow as pa

from soundtrack.errors import ImportFileError
from tasks.inputs import InputFile, ParsedFile

REDOWNLOAD_HINT = (
    "Re-download the export from Spotify's account privacy page and import the "
    "unchanged file"
)

_MISSING = object()


def load_records(file: InputFile) -> list[dict]:
    """Decode the file as a JSON list of objects; raises ImportFileError if it is not."""
    path = file.display_path
    value = _decode_json(path, file.unzipped())

    if not isinstance(value, list):
        raise ImportFileError(
            path,
            f"top-level JSON value is {_json_type(value)}, expected a list of records",
            hint="Import the streaming-history JSON files of a Spotify data export",
        )
    for index, record in enumerate(value):
        if not isinstance(record, dict):
            problem = f"record is {_json_type(record)}, expected a JSON object"
            raise ImportFileError(path, problem, record=index + 1, hint=REDOWNLOAD_HINT)
    return value


def _decode_json(path: str, data: bytes) -> object:
    # Files saved again by some editors on Windows start with a UTF-8 byte order mark.
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = str(memoryview(data)[start:], "utf-8")
    except UnicodeDecodeError as error:
        offset = start + error.start
        problem = (
            f"is not UTF-8 text: invalid byte 0x{data[offset]:02x} at offset {offset}"
        )
        raise ImportFileError(path, problem, hint=REDOWNLOAD_HINT) from error

    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        problem = (
            f"is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}"
        )
        raise ImportFileError(path, problem, hint=REDOWNLOAD_HINT) from error


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def required(path: str, records: list[dict], key: str) -> list:
    """Return the key's value of every record; raises ImportFileError if one lacks it."""
    values = [record.get(key, _MISSING) for record in records]
    if _MISSING in values:
        index = values.index(_MISSING)
        raise ImportFileError(
            path, "missing field", record=index + 1, field=key, hint=REDOWNLOAD_HINT
        )
    return values


def optional(records: list[dict], key: str) -> list:
    """Return the key's value of every record, None where a record lacks it."""
    return [record.get(key) for record in records]


# No single play lasts a day; a larger value is a damaged record, and it would put
# the play into the soundtrack of every activity it spans.
MAX_PLAY_MS = 24 * 3600 * 1000


def milliseconds(path: str, values: list, key: str) -> np.ndarray:
    """Return the values as int64 ms; raises ImportFileError unless 0 <= value <= a day."""
    array = np.array(values)
    if array.dtype.kind == "i" and (array >= 0).all() and (array <= MAX_PLAY_MS).all():
        return array.astype(np.int64)
    index = next(i for i, value in enumerate(values) if not _is_count(value))
    raise ImportFileError(
        path,
        f"invalid value {values[index]!r}, expected a whole number of milliseconds "
        "from 0 to one day",
        record=index + 1,
        field=key,
        hint=REDOWNLOAD_HINT,
    )


def _is_count(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_PLAY_MS


def timestamps(path: str, values: list, key: str, fmt: str) -> pd.Series:
    """Parse text timestamps as naive UTC; raises ImportFileError on an invalid one."""
    # utc=True reads a "Z" or offset suffix and takes text without one as UTC, so the
    # process time zone never enters.
    parsed = pd.to_datetime(pd.Series(values), format=fmt, utc=True, errors="coerce")
    invalid = parsed.isna().to_numpy()
    if invalid.any():
        index = int(invalid.argmax())
        raise ImportFileError(
            path,
            f"invalid timestamp {values[index]!r}",
            record=index + 1,
            field=key,
            hint=REDOWNLOAD_HINT,
        )
    return parsed.dt.tz_localize(None)


def text(values: list) -> pd.api.extensions.ExtensionArray:
    """Return the values as a nullable string array; other JSON values become text."""
    try:
        # Arrow builds the column several times faster than pandas' own inference.
        return pd.array(pa.array(values, type=pa.string()), dtype="string")
    except (TypeError, pa.ArrowInvalid):
        return pd.array(pd.Series(values, dtype=object).astype("string"))


def flags(path: str, values: list, key: str) -> pd.api.extensions.ExtensionArray:
    """Return true/false/null values as a nullable boolean array."""
    try:
        return pd.array(values, dtype="boolean")
    except (TypeError, ValueError) as error:
        index = next(i for i, value in enumerate(values) if not _is_flag(value))
        raise ImportFileError(
            path,
            f"invalid value {values[index]!r}, expected true, false or null",
            record=index + 1,
            field=key,
            hint=REDOWNLOAD_HINT,
        ) from error


def _is_flag(value: object) -> bool:
    # pandas also reads 0 and 1 as booleans, and so does this check.
    return value is None or value in (0, 1)


def count_skips(parsed: ParsedFile, reasons: np.ndarray) -> None:
    """Add each non-empty reason's count to parsed.skipped."""
    for reason, count in pd.Series(reasons[reasons != ""]).value_counts().items():
        parsed.skip(str(reason), int(count))
