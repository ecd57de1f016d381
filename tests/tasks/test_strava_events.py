import json

from storage.db import connect
from tasks.strava_events import apply_events, collect_spool
from webhooks.events import StravaEvent, spool_event


class Gone(Exception):
    pass


class FakeReader:
    """Answers activity details from a dict and raises Gone for the rest."""

    def __init__(self, details: dict[int, dict]):
        self.details = details
        self.calls: list[int] = []

    def activity(self, activity_id: int) -> dict:
        self.calls.append(activity_id)
        if activity_id not in self.details:
            raise Gone(activity_id)
        return self.details[activity_id]


def _event(aspect, time, object_id=8100000001, updates=None):
    body = {
        "aspect_type": aspect,
        "event_time": time,
        "object_id": object_id,
        "object_type": "activity",
        "owner_id": 42,
        "subscription_id": 1,
        "updates": updates if updates is not None else {},
    }
    return StravaEvent.model_validate(body)


DETAIL = {
    "id": 8100000001,
    "name": "Morning Run",
    "sport_type": "Run",
    "start_date": "2025-05-04T06:00:00Z",
    "elapsed_time": 1800,
    "timezone": "(GMT+00:00) Europe/London",
    "utc_offset": 3600.0,
    "description": "Easy",
}


def test_real_event_bodies_parse(real_dir):
    for path in sorted((real_dir / "strava_api").glob("webhook_event_*.json")):
        event = StravaEvent.model_validate(json.loads(path.read_text()))
        assert event.updates == {} or "title" in event.updates


def test_duplicate_creates_then_404(db_path, tmp_path):
    # Case C10: three creates for one activity; the third fetch answers 404.
    spool = tmp_path / "spool"
    reader = FakeReader({8100000001: DETAIL})
    outcomes = []
    for minute in (10, 11, 12):
        if minute == 12:
            reader.details.clear()
        spool_event(spool, _event("create", 1_746_338_400 + minute * 60))
        spool_event(
            spool, _event("create", 1_746_338_400 + minute * 60)
        )  # delivered twice
        assert collect_spool(spool) == 1
        outcomes.append(apply_events("me", 42, reader, Gone))
    assert [o.fetched for o in outcomes] == [1, 1, 0]
    assert outcomes[2].missing == [8100000001]
    with connect(db_path) as con:
        stored = con.execute("SELECT name, deleted_at FROM activities").fetchall()
        done = con.execute(
            "SELECT count(*) FROM strava_events WHERE processed_at IS NULL"
        ).fetchall()
    assert stored == [("Morning Run", None)]
    assert done == [(0,)]


def test_delete_marks_activity_and_keeps_it(db_path, tmp_path):
    spool = tmp_path / "spool"
    reader = FakeReader({8100000001: DETAIL})
    spool_event(spool, _event("create", 100))
    collect_spool(spool)
    apply_events("me", 42, reader, Gone)
    spool_event(spool, _event("delete", 200))
    collect_spool(spool)
    result = apply_events("me", 42, reader, Gone)
    assert result.deleted == [8100000001]
    with connect(db_path) as con:
        deleted = con.execute("SELECT deleted_at FROM activities").fetchall()[0][0]
    assert deleted is not None
