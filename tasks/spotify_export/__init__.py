"""Read Spotify's data-export files (extended streaming history, account data) as plays."""

from storage.records import PLAY_COLUMNS, empty
from tasks.inputs import InputFile, ParsedFile
from tasks.spotify_export.account import parse_account
from tasks.spotify_export.detect import detect_spotify_kind
from tasks.spotify_export.extended import parse_extended
from tasks.spotify_export.kinds import ACCOUNT, EXTENDED, NON_MUSIC_KINDS
from tasks.spotify_export.reading import load_records

__all__ = ["detect_spotify_kind", "parse_spotify_file"]


def parse_spotify_file(file: InputFile, kind: str) -> ParsedFile:
    """Parse one Spotify export file into plays (UTC, naive) with skip counts.

    Raises ImportFileError when the file is not valid JSON, is not a list of objects,
    or has a record without a required field, so no part of it is kept. The error
    names the file and, where one is at fault, the record number (the first is 1) and field.
    """
    if kind not in (EXTENDED, ACCOUNT, *NON_MUSIC_KINDS):
        raise ValueError(f"unknown Spotify export kind {kind!r}")
    records = load_records(file)

    if kind == EXTENDED:
        return parse_extended(file.display_path, records)
    if kind == ACCOUNT:
        return parse_account(file.display_path, records)
    parsed = ParsedFile(file.display_path, kind, read=len(records))
    parsed.plays = empty(PLAY_COLUMNS)
    parsed.skip(NON_MUSIC_KINDS[kind], len(records))
    return parsed
