"""Recognise a Spotify export file by the keys of its first records."""

import fnmatch
import json
import re
from collections import Counter

from soundtrack.errors import ImportFileError
from tasks.inputs import InputFile
from tasks.spotify_export.kinds import (
    ACCOUNT,
    ACCOUNT_AUDIOBOOK,
    ACCOUNT_PODCAST,
    EPISODE_KEYS,
    EXTENDED,
    VIDEO,
)

# Names that decide the kind of a file whose content cannot, such as an empty list.
# Patterns are matched against the lower-cased base name, most specific first.
NAME_KINDS = [
    ("streaming_history_video*.json", VIDEO),
    ("streaming_history_audio*.json", EXTENDED),
    ("endsong*.json", EXTENDED),
    ("streaminghistory_podcast*.json", ACCOUNT_PODCAST),
    ("streaminghistory_audiobook*.json", ACCOUNT_AUDIOBOOK),
    ("streaminghistory*.json", ACCOUNT),
]

# Detection decodes only the records that start within this many bytes, so that a
# file of hundreds of MB is not parsed twice.
SAMPLE_BYTES = 256 * 1024

_WHITESPACE = re.compile(r"[ \t\n\r]*")


def detect_spotify_kind(file: InputFile) -> str | None:
    """Return the Spotify export kind of file from its content, or None for any other file.

    Kinds: spotify_extended, spotify_video, spotify_account, spotify_account_podcast
    and spotify_account_audiobook. Only the records in the first 256 KiB are read.
    """
    try:
        sample = _first_records(file.unzipped())
    except ImportFileError:  # a damaged gzip stream
        return None
    if sample is None:
        return None
    records, complete = sample

    if not records:
        return _kind_from_name(file.name) if complete else None
    kind = _majority_kind(records)
    if kind == EXTENDED and _is_video(file.name, records, complete):
        return VIDEO
    return kind


def _first_records(data: bytes) -> tuple[list, bool] | None:
    """Decode the records that start in the first SAMPLE_BYTES of a JSON list.

    Returns the records and whether they are the whole list, or None when the data
    does not start as a JSON list.
    """
    text = data[:SAMPLE_BYTES].decode("utf-8", errors="replace").removeprefix("\ufeff")
    position = _WHITESPACE.match(text).end()
    if not text.startswith("[", position):
        return None
    position = _WHITESPACE.match(text, position + 1).end()
    if text.startswith("]", position):
        return [], True

    decoder = json.JSONDecoder()
    records = []
    while True:
        try:
            record, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:  # cut off by the sample's end, or damaged
            return records, False
        records.append(record)
        position = _WHITESPACE.match(text, position).end()
        if text.startswith("]", position):
            return records, True
        if not text.startswith(",", position):
            return records, False
        position = _WHITESPACE.match(text, position + 1).end()


def _record_kind(record: object) -> str | None:
    if not isinstance(record, dict):
        return None
    keys = record.keys()
    if "endTime" in keys or "msPlayed" in keys:
        if "podcastName" in keys or "episodeName" in keys:
            return ACCOUNT_PODCAST
        if "audiobookName" in keys or "chapterName" in keys:
            return ACCOUNT_AUDIOBOOK
        if "artistName" in keys or "trackName" in keys:
            return ACCOUNT
        return None
    has_time = "ts" in keys or "ms_played" in keys
    has_track = "spotify_track_uri" in keys or "master_metadata_track_name" in keys
    return EXTENDED if has_time and has_track else None


def _majority_kind(records: list) -> str | None:
    # A vote over the sampled records, so that one damaged first record still lets
    # the file be recognised and then rejected with that record's number.
    kinds = Counter(kind for kind in map(_record_kind, records) if kind)
    if not kinds:
        return None
    return kinds.most_common(1)[0][0]


def _is_video(name: str, records: list, complete: bool) -> bool:
    # The video history has exactly the audio history's keys, so the name decides.
    # Without it, a file is video only if every record is an episode, which is
    # known only when the sample contains the whole file. A larger all-episode file
    # stays spotify_extended and yields no plays either, because each episode
    # record is skipped.
    if fnmatch.fnmatch(name.lower(), "streaming_history_video*"):
        return True
    return complete and all(_is_episode(record) for record in records)


def _is_episode(record: object) -> bool:
    if not isinstance(record, dict) or record.get("spotify_track_uri") is not None:
        return False
    return any(record.get(key) is not None for key in EPISODE_KEYS)


def _kind_from_name(name: str) -> str | None:
    lowered = name.lower()
    for pattern, kind in NAME_KINDS:
        if fnmatch.fnmatch(lowered, pattern):
            return kind
    return None
