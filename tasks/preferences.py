"""Change one field of a per-user preference, with a clear error for a wrong value."""

import json

import duckdb
from pydantic import BaseModel, ValidationError

from soundtrack.errors import SettingsError
from soundtrack.preferences import PREFERENCE_MODELS
from storage.preferences import load_preference, save_preference


def update_preference(
    con: duckdb.DuckDBPyConnection, user_id: str, key: str, field: str, text: str
) -> BaseModel:
    """Set key.field from text (JSON, or plain text for strings) and store it.

    Raises SettingsError naming the key, field and problem; nothing is stored then.
    """
    model = PREFERENCE_MODELS.get(key)
    if model is None:
        raise SettingsError(
            f"unknown setting {key!r}; use one of {', '.join(PREFERENCE_MODELS)}"
        )
    if field not in model.model_fields:
        raise SettingsError(
            f"{key} has no field {field!r}; use one of {', '.join(model.model_fields)}"
        )
    current = load_preference(con, user_id, key, model)
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    try:
        updated = model.model_validate({**current.model_dump(), field: value})
    except ValidationError as error:
        raise SettingsError(
            f"{key}.{field} = {text!r} is invalid: {error.errors()[0]['msg']}"
        ) from None
    save_preference(con, user_id, key, updated)
    return updated
