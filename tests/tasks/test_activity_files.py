"""Tests of the FIT, GPX and TCX reader against real recorded files."""

import gzip
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from soundtrack.errors import ImportFileError
from storage.records import ACTIVITY_COLUMNS, PAUSE_COLUMNS
from tasks.activity_files import (
    MAX_POINT_GAP_S,
    detect_activity_file_kind,
    parse_activity_file,
)
from tasks.inputs import InputFile, ParsedFile

# name: (kind, start_at UTC, elapsed_s, pause count, sport_type)
EXPECTED = {
    "fitdecode_2015-10-13-08-43-15.fit": (
        "fit",
        "2015-10-13 15:43:15",
        1623,
        5,
        "Ride",
    ),
    "fitdecode_activity-small-fenix2-run.fit": (
        "fit",
        "2015-08-15 14:45:08",
        2833,
        0,
        "Run",
    ),
    "fitdecode_elemnt-bolt-no-application-id-inside-developer-data-id.fit": (
        "fit",
        "2017-08-21 08:18:00",
        131,
        0,
        "Ride",
    ),
    "fitdecode_event_timestamp.fit": ("fit", "2017-06-13 13:42:30", 4443, 1, "Swim"),
    "fitdecode_garmin-fenix-5-run.fit": ("fit", "2017-06-11 14:34:09", 57, 0, "Run"),
    "fitdecode_sample-activity-indoor-trainer.fit": (
        "fit",
        "2011-11-02 12:54:19",
        2263,
        0,
        "Ride",
    ),
    "fitdecode_sample-activity.fit": ("fit", "2011-06-26 21:18:40", 11741, 28, "Ride"),
    "gpxpy_around-visnjan-with-car.gpx": ("gpx", "2020-12-18 06:15:50", 514, 0, None),
    "gpxpy_cerknicko-jezero.gpx": ("gpx", "2010-08-05 14:23:59", 7190, 11, None),
    "gpxpy_cerknicko-without-times.gpx": ("gpx", "2010-08-05 16:22:52", 57, 0, None),
    "gpxpy_korita-zbevnica.gpx": ("gpx", "2010-10-03 09:36:30", 13381, 20, None),
    "gpxpy_track-with-less-sec-time.gpx": ("gpx", "2015-12-11 14:43:13", 1, 0, "Run"),
    "strava_export_50311096562.gpx": ("gpx", "2015-05-24 18:18:26", 1556, 0, "Ride"),
    "strava_export_51117377208.gpx": ("gpx", "2017-08-04 16:26:27", 14537, 2, "Ride"),
    "strava_export_51173752758.gpx": ("gpx", "2017-09-08 06:50:22", 4172, 0, "Ride"),
    "strava_export_51472847905.gpx": ("gpx", "2018-03-26 12:43:54", 331, 0, "Run"),
    "strava-ruby-client_fitbit_ionic_17611540601.tcx": (
        "tcx",
        "2022-12-05 00:14:28",
        978,
        0,
        "Run",
    ),
    "stravalib_edge705_sample_trimmed.tcx": (
        "tcx",
        "2009-02-21 12:57:26",
        8207,
        0,
        "Ride",
    ),
    "tcxreader_vivoactive_hr_sup_activity_1.tcx": (
        "tcx",
        "2022-07-16 16:08:25",
        1112,
        0,
        None,
    ),
}


def _real(real_dir: Path, name: str) -> InputFile:
    path = real_dir / "activity_files" / name
    return InputFile(str(path), path.name, path.read_bytes())


def _parse(real_dir: Path, name: str) -> ParsedFile:
    file = _real(real_dir, name)
    return parse_activity_file(file, detect_activity_file_kind(file))


def _only_activity(parsed: ParsedFile) -> pd.Series:
    assert len(parsed.activities) == 1
    return parsed.activities.iloc[0]


def _pauses(parsed: ParsedFile) -> list[tuple[datetime, datetime]]:
    frame = parsed.pauses
    return list(zip(frame["paused_at"], frame["resumed_at"], strict=True))


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def _gpx(body: str) -> InputFile:
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"{body}</gpx>"
    )
    return InputFile("synthetic.gpx", "synthetic.gpx", text.encode("utf-8"))


def _segment(*times: str) -> str:
    points = "".join(
        f'<trkpt lat="46.0" lon="14.0"><time>{time}</time></trkpt>' for time in times
    )
    return f"<trkseg>{points}</trkseg>"


def test_every_real_file_is_listed(real_dir: Path):
    names = {path.name for path in (real_dir / "activity_files").iterdir()}
    assert names - {"gpxpy_Mojstrovka.gpx"} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file_summary(real_dir: Path, name: str):
    kind, start_at, elapsed_s, pause_count, sport_type = EXPECTED[name]
    file = _real(real_dir, name)
    assert detect_activity_file_kind(file) == kind

    parsed = parse_activity_file(file, kind)
    activity = _only_activity(parsed)
    assert parsed.kind == kind
    assert parsed.read == 1
    assert parsed.skipped == {}
    assert activity["start_at"] == _ts(start_at)
    assert activity["elapsed_s"] == elapsed_s
    assert len(parsed.pauses) == pause_count
    if sport_type is None:
        assert pd.isna(activity["sport_type"])
    else:
        assert activity["sport_type"] == sport_type


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file_record_contract(real_dir: Path, name: str):
    parsed = _parse(real_dir, name)
    activity = _only_activity(parsed)
    assert list(parsed.activities.columns) == list(ACTIVITY_COLUMNS)
    assert list(parsed.pauses.columns) == list(PAUSE_COLUMNS)
    assert activity["activity_id"].startswith("file-")
    assert len(activity["activity_id"]) == len("file-") + 16
    assert activity["activity_file"] == name
    assert activity["source"] == "activity_file"
    assert activity["start_from_file"]
    assert pd.isna(activity["timezone"])
    assert pd.isna(activity["strava_id"])
    assert 0 <= activity["moving_s"] <= activity["elapsed_s"]
    assert (parsed.pauses["activity_id"] == activity["activity_id"]).all()
    assert (parsed.pauses["paused_at"] < parsed.pauses["resumed_at"]).all()
    assert (parsed.pauses["paused_at"] >= activity["start_at"]).all()


def test_moving_time_excludes_pauses(real_dir: Path):
    for name in sorted(EXPECTED):
        parsed = _parse(real_dir, name)
        activity = _only_activity(parsed)
        paused = parsed.pauses["resumed_at"] - parsed.pauses["paused_at"]
        paused_s = paused.dt.total_seconds().sum()
        assert activity["moving_s"] == round(activity["elapsed_s"] - paused_s), name


def test_mojstrovka_int32_minimum_times_skipped(real_dir: Path):
    parsed = _parse(real_dir, "gpxpy_Mojstrovka.gpx")
    assert parsed.kind == "gpx"
    assert parsed.read == 1
    assert parsed.skipped == {"no valid timestamps": 1}
    assert parsed.activities.empty
    assert list(parsed.activities.columns) == list(ACTIVITY_COLUMNS)
    assert parsed.pauses.empty


def test_strava_gpx_68_minute_jump_not_pause(real_dir: Path):
    # The rider covered about 13.7 km in the 68 minutes between two points, so the
    # recorder missed points while moving: no pause.
    parsed = _parse(real_dir, "strava_export_51117377208.gpx")
    pauses = _pauses(parsed)
    assert (_ts("2017-08-04 16:26:35"), _ts("2017-08-04 17:34:47")) not in pauses
    assert pauses[0] == (_ts("2017-08-04 17:34:55"), _ts("2017-08-04 17:38:19"))
    assert _only_activity(parsed)["name"] == "Evening Ride"


def test_strava_gpx_nine_point_ride(real_dir: Path):
    parsed = _parse(real_dir, "strava_export_51173752758.gpx")
    activity = _only_activity(parsed)
    assert activity["elapsed_s"] == 4172
    # Nine points 70 minutes apart still travel at riding speed: no pause.
    assert _pauses(parsed) == []
    assert activity["moving_s"] == 4172
    assert activity["name"] == "Morning Ride"


def test_gpx_partly_timed_points_use_timed(real_dir: Path):
    activity = _only_activity(_parse(real_dir, "gpxpy_cerknicko-without-times.gpx"))
    assert activity["start_at"] == _ts("2010-08-05 16:22:52")
    assert activity["elapsed_s"] == 57


def test_gpx_segment_breaks_are_pauses(real_dir: Path):
    korita = _pauses(_parse(real_dir, "gpxpy_korita-zbevnica.gpx"))
    assert (_ts("2010-10-03 10:52:22"), _ts("2010-10-03 11:13:49")) in korita

    # GPSBabel wrote cerknicko-jezero as eight tracks of one segment each. Each
    # break lies inside one pause, because touching pauses are merged.
    cerknicko = _pauses(_parse(real_dir, "gpxpy_cerknicko-jezero.gpx"))
    breaks = [
        ("15:05:08", "15:11:36"),
        ("15:14:11", "15:24:25"),
        ("15:24:46", "15:38:49"),
        ("15:43:37", "15:58:31"),
        ("16:01:52", "16:04:51"),
        ("16:05:04", "16:05:37"),
    ]
    for paused, resumed in breaks:
        start, end = _ts(f"2010-08-05 {paused}"), _ts(f"2010-08-05 {resumed}")
        assert any(p <= start and end <= r for p, r in cerknicko), (paused, resumed)


def test_gpx_offset_and_fractional_seconds(real_dir: Path):
    # NikePlus wrote 2015-12-11T15:43:13+01:00 and 15:43:13.994+01:00.
    activity = _only_activity(_parse(real_dir, "gpxpy_track-with-less-sec-time.gpx"))
    assert activity["start_at"] == _ts("2015-12-11 14:43:13")
    assert activity["elapsed_s"] == 1
    assert activity["sport_type"] == "Run"


def test_fit_edge200_timer_pauses(real_dir: Path):
    parsed = _parse(real_dir, "fitdecode_2015-10-13-08-43-15.fit")
    activity = _only_activity(parsed)
    # The file name is local time (08:43), but the records are UTC.
    assert activity["start_at"] == _ts("2015-10-13 15:43:15")
    assert _pauses(parsed)[0] == (
        _ts("2015-10-13 15:43:25"),
        _ts("2015-10-13 15:43:48"),
    )
    # The session message stores total_timer_time 1558.198 s.
    assert activity["moving_s"] == 1558
    assert pd.isna(activity["utc_offset_s"])


def test_fit_sample_activity_moving_time(real_dir: Path):
    activity = _only_activity(_parse(real_dir, "fitdecode_sample-activity.fit"))
    # The session message stores total_timer_time 10699.36 s. Records and events
    # are whole seconds, so the pauses add up to a few seconds less.
    assert activity["moving_s"] == 10703


def test_fit_local_timestamp_offsets(real_dir: Path):
    offsets = {
        "fitdecode_activity-small-fenix2-run.fit": 7200,
        "fitdecode_event_timestamp.fit": -14400,
        "fitdecode_garmin-fenix-5-run.fit": -25200,
        "fitdecode_elemnt-bolt-no-application-id-inside-developer-data-id.fit": 7200,
    }
    for name, offset_s in offsets.items():
        activity = _only_activity(_parse(real_dir, name))
        assert activity["utc_offset_s"] == offset_s, name


def test_fit_pool_swim_without_gps(real_dir: Path):
    parsed = _parse(real_dir, "fitdecode_event_timestamp.fit")
    activity = _only_activity(parsed)
    assert activity["sport_type"] == "Swim"
    assert _pauses(parsed) == [(_ts("2017-06-13 13:56:13"), _ts("2017-06-13 13:57:23"))]
    assert activity["moving_s"] == 4373


def test_fit_elemnt_developer_data_defect_read(real_dir: Path):
    parsed = _parse(
        real_dir, "fitdecode_elemnt-bolt-no-application-id-inside-developer-data-id.fit"
    )
    activity = _only_activity(parsed)
    # The timer stops twice (stop, then stop_all) and never restarts: no pause.
    assert parsed.pauses.empty
    assert activity["elapsed_s"] == 131


def test_tcx_fitbit_bom_and_offset(real_dir: Path):
    file = _real(real_dir, "strava-ruby-client_fitbit_ionic_17611540601.tcx")
    assert file.data.startswith(b"\xef\xbb\xbf")
    assert detect_activity_file_kind(file) == "tcx"
    # 20:14:28.000-04:00 is taken as written, though New York was at -05:00.
    activity = _only_activity(parse_activity_file(file, "tcx"))
    assert activity["start_at"] == _ts("2022-12-05 00:14:28")


def test_tcx_points_without_position_kept(real_dir: Path):
    # The first trackpoints of the Edge 705 file have no Position. Reading with
    # tcxreader's default only_gps=True would start at 12:57:43.
    activity = _only_activity(_parse(real_dir, "stravalib_edge705_sample_trimmed.tcx"))
    assert activity["start_at"] == _ts("2009-02-21 12:57:26")


def test_tcx_sport_other_unknown(real_dir: Path):
    activity = _only_activity(
        _parse(real_dir, "tcxreader_vivoactive_hr_sup_activity_1.tcx")
    )
    assert pd.isna(activity["sport_type"])
    assert pd.isna(activity["name"])


@pytest.mark.parametrize(
    "name",
    [
        "fitdecode_2015-10-13-08-43-15.fit",
        "strava_export_51117377208.gpx",
        "strava-ruby-client_fitbit_ionic_17611540601.tcx",
    ],
)
def test_gzipped_file_reads_identically(real_dir: Path, tmp_path: Path, name: str):
    plain = _real(real_dir, name)
    gz_path = tmp_path / f"{name}.gz"
    gz_path.write_bytes(gzip.compress(plain.data))
    zipped = InputFile(str(gz_path), gz_path.name, gz_path.read_bytes())

    assert detect_activity_file_kind(zipped) == detect_activity_file_kind(plain)
    kind = detect_activity_file_kind(plain)
    from_plain = parse_activity_file(plain, kind)
    from_zipped = parse_activity_file(zipped, kind)
    compared = [
        c for c in ACTIVITY_COLUMNS if c not in ("source_file", "activity_file")
    ]
    pd.testing.assert_frame_equal(
        from_zipped.activities[compared], from_plain.activities[compared]
    )
    pd.testing.assert_frame_equal(from_zipped.pauses, from_plain.pauses)
    assert from_zipped.activities.iloc[0]["activity_file"] == f"{name}.gz"


def test_detect_ignores_other_files(real_dir: Path):
    csv_path = real_dir / "strava_export" / "activities.csv"
    assert (
        detect_activity_file_kind(InputFile("a.csv", "a.csv", csv_path.read_bytes()))
        is None
    )
    kml = b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"/>'
    assert detect_activity_file_kind(InputFile("a.kml", "a.kml", kml)) is None
    assert (
        detect_activity_file_kind(InputFile("a.gpx", "a.gpx", b"<gpx unclosed")) is None
    )
    assert detect_activity_file_kind(InputFile("b.fit", "b.fit", b"\x00" * 64)) is None
    broken_gz = InputFile("c.fit.gz", "c.fit.gz", b"\x1f\x8b\x08\x00broken")
    assert detect_activity_file_kind(broken_gz) is None


def test_truncated_fit_rejected(real_dir: Path):
    real = _real(real_dir, "fitdecode_sample-activity.fit")
    truncated = InputFile("cut.fit", "cut.fit", real.data[: len(real.data) // 2])
    assert detect_activity_file_kind(truncated) == "fit"
    with pytest.raises(ImportFileError) as caught:
        parse_activity_file(truncated, "fit")
    assert str(caught.value.path) == "cut.fit"
    assert "cannot read the FIT file" in caught.value.problem
    assert caught.value.hint


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("fit", b""),
        ("fit", b"this is not a FIT file at all, only text" * 4),
        ("gpx", b"<gpx><trk><trkseg><trkpt"),
        ("gpx", b"\xff\xfe<\x00g\x00p\x00x\x00"),
        ("tcx", b"<TrainingCenterDatabase><Activities>"),
        ("fit", b"\x1f\x8b\x08\x00broken gzip"),
    ],
    ids=["empty-fit", "text-fit", "cut-gpx", "utf16-gpx", "cut-tcx", "broken-gzip"],
)
def test_unreadable_files_rejected(kind: str, data: bytes):
    file = InputFile(f"export.zip!activities/1.{kind}", f"1.{kind}", data)
    with pytest.raises(ImportFileError) as caught:
        parse_activity_file(file, kind)
    assert "export.zip!activities/1." in str(caught.value)


def test_unknown_kind_raises_value_error():
    with pytest.raises(ValueError, match="'kml' is not supported"):
        parse_activity_file(InputFile("a.kml", "a.kml", b"<kml/>"), "kml")


def test_gpx_gap_over_limit_is_pause():
    assert MAX_POINT_GAP_S == 60
    file = _gpx(
        "<trk><name>Intervals</name><type>running</type>"
        + _segment(
            "2024-03-09T14:56:25Z",
            "2024-03-09T14:57:25Z",  # exactly 60 s later: still moving
            "2024-03-09T14:58:26Z",  # 61 s later: a pause
        )
        + "</trk>"
    )
    parsed = parse_activity_file(file, "gpx")
    activity = _only_activity(parsed)
    assert activity["name"] == "Intervals"
    assert activity["sport_type"] == "Run"
    assert activity["elapsed_s"] == 121
    assert activity["moving_s"] == 60
    assert _pauses(parsed) == [(_ts("2024-03-09 14:57:25"), _ts("2024-03-09 14:58:26"))]


def test_gpx_short_segment_break_is_pause():
    file = _gpx(
        "<trk>"
        + _segment("2024-03-09T14:56:25Z", "2024-03-09T14:56:30Z")
        + _segment("2024-03-09T14:56:40Z", "2024-03-09T14:56:45Z")
        + "</trk>"
    )
    parsed = parse_activity_file(file, "gpx")
    assert _pauses(parsed) == [(_ts("2024-03-09 14:56:30"), _ts("2024-03-09 14:56:40"))]
    assert _only_activity(parsed)["moving_s"] == 10


def test_gpx_times_without_zone_are_utc():
    file = _gpx(
        "<trk>" + _segment("2024-07-13T22:40:00", "2024-07-13T23:50:00") + "</trk>"
    )
    activity = _only_activity(parse_activity_file(file, "gpx"))
    assert activity["start_at"] == _ts("2024-07-13 22:40:00")
    assert activity["elapsed_s"] == 4200


def test_same_content_same_activity_id(real_dir: Path):
    first = _real(real_dir, "strava_export_51472847905.gpx")
    renamed = InputFile("other/copy.gpx", "copy.gpx", first.data)
    first_id = _only_activity(parse_activity_file(first, "gpx"))["activity_id"]
    renamed_id = _only_activity(parse_activity_file(renamed, "gpx"))["activity_id"]
    assert first_id == renamed_id
