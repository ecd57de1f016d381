"""Reads and writes of per-user preferences in the settings table."""

from typing import TypeVar

import duckdb
from pydantic import BaseModel, ValidationError

from soundtrack.errors import SettingsError
from storage.db import fetch_one

Model = TypeVar("Model", bound=BaseModel)


def load_preference(
    con: duckdb.DuckDBPyConnection, user_id: str, key: str, model: type[Model]
) -> Model:
    """Return the stored preference, or the model's defaults when none is stored.

    Raises SettingsError naming the key and field when the stored value is invalid.
    """
    row = fetch_one(
        con, "SELECT value FROM settings WHERE user_id = ? AND key = ?", [user_id, key]
    )
    if row is None:
        return model()
    try:
        return model.model_validate_json(row[0])
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise SettingsError(
            f"stored setting {key!r} of user {user_id!r} is invalid at {field!r}: "
            f"{first['msg']}; fix it with `soundtrack settings set` or reset it"
        ) from error


def save_preference(
    con: duckdb.DuckDBPyConnection, user_id: str, key: str, value: BaseModel
) -> None:
    """Store a preference, replacing the previous value."""
    con.execute(
        "INSERT OR REPLACE INTO settings VALUES (?, ?, ?, current_localtimestamp())",
        [user_id, key, value.model_dump_json()],
    )
