"""Tests of the Strava activities.csv importer on real exports and small headers."""

import os
import time
from pathlib import Path

import pandas as pd
import pytest

from soundtrack.errors import ImportFileError
from storage.records import ACTIVITY_COLUMNS
from tasks.inputs import InputFile
from tasks.strava_export import (
    detect_strava_kind,
    parse_activities_csv,
    parse_activity_date,
)

CURRENT_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,"
    "Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,"
    "Activity Private Note,Activity Gear,Filename,Athlete Weight,Bike Weight,"
    "Elapsed Time,Moving Time,Distance,Max Speed"
)
CURRENT_ROW = (
    '8100000001,"Mar 9, 2024, 2:56:25 PM",Hill repeats,Trail Run,"Legs gone",'
    "2700,8.25,171.0,60,false,,,activities/9200000001.fit.gz,,,"
    "2700.0,2460.0,8251.5,4.1"
)
HEADER_2018 = (
    "id,date,name,type,description,elapsed_time,distance,commute,gear,filename"
)
ROW_2018 = "8100000001,2024-03-09 14:56:25,Hill repeats,Run,,2700,8251.5,false,,"


def _export_file(real_dir: Path, name: str) -> InputFile:
    path = real_dir / "strava_export" / name
    return InputFile(str(path), path.name, path.read_bytes())


def _csv(text: str, name: str = "activities.csv") -> InputFile:
    return InputFile(f"export.zip!{name}", name, text.encode("utf-8"))


@pytest.fixture
def current(real_dir: Path) -> pd.DataFrame:
    return parse_activities_csv(_export_file(real_dir, "activities.csv")).activities


def test_detect_both_real_layouts(real_dir: Path):
    for name in ("activities.csv", "activities_2018_format.csv"):
        assert (
            detect_strava_kind(_export_file(real_dir, name)) == "strava_activities_csv"
        )


def test_detect_ignores_other_files(real_dir: Path):
    endsong = next((real_dir / "spotify_extended").glob("*.json"))
    spotify = InputFile(str(endsong), endsong.name, endsong.read_bytes())
    assert detect_strava_kind(spotify) is None
    assert (
        detect_strava_kind(_csv("date,steps\n2024-01-01,9000\n", "steps.csv")) is None
    )
    assert detect_strava_kind(_csv("", "notes.csv")) is None
    assert (
        detect_strava_kind(InputFile("a.bin", "a.bin", b"\xff\xfe\x00garbage")) is None
    )


def test_current_export_rows_and_columns(real_dir: Path, current: pd.DataFrame):
    parsed = parse_activities_csv(_export_file(real_dir, "activities.csv"))
    assert parsed.kind == "strava_activities_csv"
    assert parsed.read == 67
    assert len(current) == 67
    assert list(current.columns) == list(ACTIVITY_COLUMNS)
    assert current["activity_id"].is_unique
    assert (current["source"] == "strava_export").all()
    assert current["source_file"].str.endswith("activities.csv").all()
    assert not current["start_from_file"].any()
    assert current["timezone"].isna().all()
    assert current["utc_offset_s"].isna().all()


def test_current_export_first_row(current: pd.DataFrame):
    first = current.iloc[0]
    assert first["activity_id"] == "68488946585"
    assert first["strava_id"] == 68488946585
    assert first["start_at"] == pd.Timestamp("2026-05-13 09:54:42")
    assert first["elapsed_s"] == 3631
    assert first["moving_s"] == 3577
    assert first["distance_m"] == pytest.approx(32851.9)
    assert first["sport_type"] == "VirtualRide"
    assert first["name"] == "TOO Hard Starts, I saw Jesus"
    assert first["description"] == "🗺️ Tempus Fugit in Watopia"
    # The file name carries the upload id, which differs from the activity id.
    assert first["activity_file"] == "activities/69594322202.fit.gz"


def test_current_export_last_row(current: pd.DataFrame):
    last = current.iloc[-1]
    assert last["activity_id"] == "63336575188"
    assert last["start_at"] == pd.Timestamp("2024-12-14 14:59:30")
    assert last["elapsed_s"] == 7458
    assert last["moving_s"] == 5466
    assert last["distance_m"] == pytest.approx(7234.3)
    assert last["sport_type"] == "Walk"
    assert pd.isna(last["description"])


def test_current_export_sport_types(current: pd.DataFrame):
    counts = current["sport_type"].value_counts().to_dict()
    assert counts == {
        "VirtualRide": 19,
        "Run": 19,
        "Ride": 12,
        "Walk": 11,
        "Yoga": 3,
        "Workout": 3,
    }


def test_indoor_activities_zero_distance(current: pd.DataFrame):
    indoor = current[current["sport_type"].isin(["Yoga", "Workout"])]
    assert len(indoor) == 6
    assert (indoor["distance_m"].fillna(0) == 0).all()


def test_current_export_multiline_description(current: pd.DataFrame):
    row = current.set_index("activity_id").loc["68437694081"]
    assert row["description"] == "525 Training Load\n-- from COROS"
    assert row["name"] == "Forgot to disconnect from Sam’s power meter 😁"
    multiline = current["description"].str.contains("\n", regex=False).fillna(False)
    assert multiline.sum() == 10


def test_current_export_keeps_zwj_emoji(current: pd.DataFrame):
    names = set(current["name"])
    assert "Standert Women Ride 🌸💪🏻🚴🏻\u200d♀️" in names


def test_2018_export(real_dir: Path):
    parsed = parse_activities_csv(_export_file(real_dir, "activities_2018_format.csv"))
    frame = parsed.activities.set_index("activity_id")
    assert parsed.read == 9
    assert len(frame) == 9
    first = frame.loc["50193569569"]
    assert first["start_at"] == pd.Timestamp("2014-09-12 16:54:28")
    assert first["elapsed_s"] == 9462
    assert first["distance_m"] == pytest.approx(43057.4)
    assert first["sport_type"] == "Ride"
    assert first["name"] == "Evening Ride"
    assert first["activity_file"] == "activities/50193569569.gpx"
    assert pd.isna(first["moving_s"])
    assert pd.isna(first["description"])
    assert frame.loc["51472847905", "sport_type"] == "Run"


@pytest.mark.parametrize(
    "text",
    [
        f"{HEADER_2018}\n{ROW_2018}\n",
        f"{CURRENT_HEADER}\n{CURRENT_ROW}\n",
        f"{CURRENT_HEADER},Kudos Given,Segment Crown\n{CURRENT_ROW},4,\n",
    ],
    ids=["2018", "current", "current-with-unknown-columns"],
)
def test_header_variants_parse_alike(text: str):
    file = _csv(text)
    assert detect_strava_kind(file) == "strava_activities_csv"
    row = parse_activities_csv(file).activities.iloc[0]
    assert row["activity_id"] == "8100000001"
    assert row["strava_id"] == 8100000001
    assert row["start_at"] == pd.Timestamp("2024-03-09 14:56:25")
    assert row["elapsed_s"] == 2700
    assert row["distance_m"] == pytest.approx(8251.5)
    assert row["name"] == "Hill repeats"
    assert row["sport_type"] in {"Run", "TrailRun"}


def test_current_without_metre_distance_uses_km():
    header = (
        "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance"
    )
    row = '8100000002,"Jul 13, 2024, 10:40:00 PM",Late run,Run,4200,10.5'
    parsed = parse_activities_csv(_csv(f"{header}\n{row}\n"))
    first = parsed.activities.iloc[0]
    assert first["distance_m"] == pytest.approx(10500.0)
    assert first["start_at"] == pd.Timestamp("2024-07-13 22:40:00")
    assert pd.isna(first["moving_s"])


def test_utf8_bom_and_crlf():
    text = f"\ufeff{HEADER_2018}\r\n{ROW_2018}\r\n"
    file = _csv(text)
    assert detect_strava_kind(file) == "strava_activities_csv"
    assert parse_activities_csv(file).activities.iloc[0]["elapsed_s"] == 2700


def test_unknown_language_header_rejected():
    header = (
        "Aktivitäts-ID,Aktivitätsdatum,Aktivitätsname,Aktivitätsart,Verstrichene Zeit"
    )
    file = _csv(f"{header}\n1,x,y,z,10\n")
    with pytest.raises(ImportFileError) as caught:
        detect_strava_kind(file)
    message = str(caught.value)
    assert "export.zip!activities.csv" in message
    assert "'Aktivitäts-ID', 'Aktivitätsdatum', 'Aktivitätsname'" in message
    assert "Verstrichene" not in message
    assert "2018 layout" in message
    with pytest.raises(ImportFileError, match="Aktivitätsdatum"):
        parse_activities_csv(file)


def test_localised_export_rejected_any_name():
    cells = ["ID de l'activité", "Date de l'activité", "Distance", "Durée"] * 2
    file = _csv(",".join(cells) + "\n", "export_fr.csv")
    with pytest.raises(ImportFileError, match="ID de l'activité"):
        detect_strava_kind(file)


def test_one_line_json_with_id_ignored():
    record = '{"id":1,"private":false,"type":"Run"}'
    text = "[" + ",".join([record] * 4) + "]"
    assert detect_strava_kind(_csv(text, "activities.json")) is None


def test_activities_csv_with_wrong_columns_rejected():
    file = _csv("date,steps\n2024-01-01,9000\n")
    with pytest.raises(ImportFileError, match="'date', 'steps'"):
        detect_strava_kind(file)
    with pytest.raises(ImportFileError, match="not a known Strava activities layout"):
        parse_activities_csv(file)


def test_invalid_date_names_row_field():
    bad = CURRENT_ROW.replace('"Mar 9, 2024, 2:56:25 PM"', '"9 mars 2024 14:56"')
    file = _csv(f"{CURRENT_HEADER}\n{CURRENT_ROW}\n{bad}\n")
    with pytest.raises(ImportFileError) as caught:
        parse_activities_csv(file)
    assert caught.value.record == 2
    assert caught.value.field == "Activity Date"
    assert "'9 mars 2024 14:56'" in str(caught.value)


def test_missing_id_names_row_field():
    file = _csv(
        f"{HEADER_2018}\n{ROW_2018}\n{ROW_2018}\n,2024-03-10 08:00:00,x,Run,,60,1,,,\n"
    )
    with pytest.raises(ImportFileError) as caught:
        parse_activities_csv(file)
    assert caught.value.record == 3
    assert caught.value.field == "id"
    assert "missing" in caught.value.problem


def test_text_in_number_rejected():
    bad = ROW_2018.replace("8251.5", "n/a")
    with pytest.raises(ImportFileError) as caught:
        parse_activities_csv(_csv(f"{HEADER_2018}\n{bad}\n"))
    assert caught.value.record == 1
    assert caught.value.field == "distance"
    assert "'n/a' is not a number" in caught.value.problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("May 13, 2026, 9:54:42 AM", "2026-05-13 09:54:42"),
        ("Dec 14, 2024, 12:08:13 PM", "2024-12-14 12:08:13"),
        ("Jan 1, 2025, 12:00:05 AM", "2025-01-01 00:00:05"),
        ("September 3, 2019, 11:59:59 PM", "2019-09-03 23:59:59"),
        ("Sep 3, 2019, 7:01:02\u202fPM", "2019-09-03 19:01:02"),
    ],
)
def test_activity_date_formats(text: str, expected: str):
    assert parse_activity_date(text) == pd.Timestamp(expected).to_pydatetime()


@pytest.mark.parametrize(
    "text",
    ["13 May 2026 09:54", "Mai 13, 2026, 9:54:42 AM", "May 13, 2026, 13:54:42 PM"],
)
def test_activity_date_rejects_other_forms(text: str):
    with pytest.raises(ValueError):
        parse_activity_date(text)


def test_activity_date_ignores_process_timezone(real_dir: Path):
    original = os.environ.get("TZ")
    starts = []
    try:
        for zone in ("UTC", "America/New_York", "Asia/Kolkata"):
            os.environ["TZ"] = zone
            time.tzset()
            file = _export_file(real_dir, "activities.csv")
            starts.append(parse_activities_csv(file).activities["start_at"].tolist())
    finally:
        if original is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = original
        time.tzset()
    assert starts[0] == starts[1]
    assert starts[0] == starts[2]
    assert starts[0][0] == pd.Timestamp("2026-05-13 09:54:42")


def test_negative_elapsed_time_rejected():
    header = "id,date,name,type,description,elapsed_time,distance,commute,gear,filename"
    row = "9000000001,2025-05-04 07:00:00,Run,Run,,-100,5000,false,,"
    file = InputFile("activities.csv", "activities.csv", f"{header}\n{row}\n".encode())
    with pytest.raises(ImportFileError, match="negative elapsed time") as raised:
        parse_activities_csv(file)
    assert raised.value.field == "elapsed_time"
    assert raised.value.record == 1
