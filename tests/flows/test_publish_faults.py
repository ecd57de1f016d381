"""Publishing survives a crash between any two remote calls, and leaves local files out."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from clients.spotify import SpotifyClient
from clients.strava import StravaClient
from sandbox.scenario import Activity, Play, Scenario, User
from sandbox.server import SandboxServer
from soundtrack.preferences import PublishSettings
from storage.activities import upsert_activities
from storage.db import connect
from storage.plays import upsert_plays
from storage.publishing import activities_to_publish
from tasks.api_records import activities_from_strava
from tasks.description import count_blocks
from tasks.matching import match_soundtracks
from tasks.publish import publish_activity
from tasks.remote import SpotifyService, StravaService
from tests.flows.live import connect_user, point_settings_at

NOW = datetime.now(UTC).replace(microsecond=0)
RIDE_ID = 8200000001
RIDE_START = NOW - timedelta(days=2)
TRACKS = 210  # three add requests: 100, 100 and 10
LOCAL = "spotify:local:Some+Band:Some+Album:Some+Song:181"


def _uri(index: int) -> str:
    return f"spotify:track:{index:022d}".replace(":0", ":F", 1)


def _listening(count: int, local_after: int | None = None) -> list[Play]:
    plays = []
    for i in range(count):
        plays.append(
            Play(
                uri=_uri(i),
                name=f"Song {i}",
                artists=["Band"],
                duration_ms=80_000,
                played_at=RIDE_START + timedelta(seconds=80 * (i + 1)),
            )
        )
    if local_after is not None:
        plays.append(
            Play(
                uri=LOCAL,
                name="Some Song",
                artists=["Some Band"],
                duration_ms=60_000,
                played_at=RIDE_START + timedelta(seconds=80 * local_after + 60),
            )
        )
    return plays


def _ride() -> Activity:
    return Activity(
        id=RIDE_ID,
        name="Five-hour ride",
        sport_type="Ride",
        start_date=RIDE_START,
        elapsed_time=5 * 3600,
        description="Windy out there",
    )


@pytest.fixture
def sandbox(monkeypatch, settings_env):
    user = User(
        key="rider",
        spotify_display_name="Rider",
        spotify_user_id="rider-sp",
        strava_athlete_id=81000010,
        listening=_listening(TRACKS),
        activities=[_ride()],
    )
    with SandboxServer(scenario=Scenario(users=[user])) as server:
        point_settings_at(server, monkeypatch)
        connect_user("rider")
        yield server


def _store_history(plays: list[Play]) -> None:
    """Store the plays as an extended-history import would, and match them."""
    frame = pd.DataFrame(
        {
            "source": "extended_history",
            "ended_at": [p.played_at.replace(tzinfo=None) for p in plays],
            "ms_played": [p.duration_ms for p in plays],
            "end_uncertainty_s": 0,
            "track_uri": [p.uri for p in plays],
            "track_name": [p.name for p in plays],
            "artist_name": [p.artists[0] for p in plays],
        }
    )
    ride = _ride().model_dump(mode="json")
    with connect() as con:
        upsert_plays(con, "rider", frame)
        upsert_activities(con, "rider", activities_from_strava([ride]))
        match_soundtracks(con, "rider")


class Crash(BaseException):
    """Stands for the process dying: nothing catches it, no local commit follows."""


class Crashing:
    """Forwards calls to a service and crashes right after call number `after`."""

    def __init__(self, service, counter: list[int], after: int):
        self.service, self.counter, self.after = service, counter, after

    def __getattr__(self, name):
        method = getattr(self.service, name)

        def call(*args, **kwargs):
            if self.counter[0] >= self.after:
                raise Crash(f"before call {self.counter[0] + 1}: {name}")
            result = method(*args, **kwargs)
            self.counter[0] += 1
            return result

        return call


def _publish(after: int | None = None) -> object:
    counter = [0]
    with SpotifyClient("rider") as spotify, StravaClient("rider") as strava:
        playlists, descriptions = SpotifyService(spotify), StravaService(strava)
        if after is not None:
            playlists = Crashing(playlists, counter, after)
            descriptions = Crashing(descriptions, counter, after)
        return publish_activity(
            "rider", str(RIDE_ID), PublishSettings(), playlists, descriptions
        )


def _state() -> tuple[list, str]:
    with SpotifyClient("rider") as client:
        playlists = [
            [(item.item or item.track).uri for item in client.playlist_items(p.id)]
            for p in client.my_playlists()
        ]
    with StravaClient("rider") as client:
        description = client.activity(RIDE_ID).description or ""
    return playlists, description


# Remote calls of a first publish: create the playlist, count its items, three add
# requests, read the description, write it, read it back. A re-run after a crash
# also looks the playlist up by its marker first.
CALLS = 8


@pytest.mark.parametrize("crash_after", range(CALLS))
def test_crash_at_any_boundary_then_rerun(sandbox, crash_after):
    _store_history(_listening(TRACKS))
    with pytest.raises(Crash):
        _publish(after=crash_after)
    outcome = _publish()

    playlists, description = _state()
    assert playlists == [[_uri(i) for i in range(TRACKS)]]
    assert outcome.tracks == TRACKS
    assert description.startswith("Windy out there")
    assert count_blocks(description) == 1
    assert outcome.playlist_url in description


def test_uncrashed_publish_makes_eight_calls(sandbox):
    _store_history(_listening(TRACKS))
    counter = [0]
    with SpotifyClient("rider") as spotify, StravaClient("rider") as strava:
        publish_activity(
            "rider",
            str(RIDE_ID),
            PublishSettings(),
            Crashing(SpotifyService(spotify), counter, 10**6),
            Crashing(StravaService(strava), counter, 10**6),
        )
    assert counter[0] == CALLS


def test_local_file_among_110_tracks(sandbox):
    # Case C16: two add requests (100 and 10); the local file is left out and named.
    _store_history(_listening(110, local_after=50))
    before = len(sandbox.state.requests("spotify"))
    outcome = _publish()
    adds = [
        r
        for r in sandbox.state.requests("spotify")[before:]
        if r.method == "POST" and r.path.endswith("/items")
    ]

    assert len(adds) == 2
    assert all(r.status == 201 for r in adds)
    playlists, _ = _state()
    assert playlists == [[_uri(i) for i in range(110)]]
    assert outcome.left_out == [f"Some Band - Some Song ({LOCAL})"]


def test_old_activity_gets_playlist_but_no_description_link(sandbox):
    _store_history(_listening(20))
    outcome = _publish_with(PublishSettings(describe_within_days=1))
    playlists, description = _state()
    assert playlists == [[_uri(i) for i in range(20)]]
    assert outcome.description == "too old"
    assert description == "Windy out there"


def _publish_with(settings: PublishSettings):
    with SpotifyClient("rider") as spotify, StravaClient("rider") as strava:
        return publish_activity(
            "rider",
            str(RIDE_ID),
            settings,
            SpotifyService(spotify),
            StravaService(strava),
        )


def test_activity_gone_from_strava_keeps_playlist(sandbox):
    # The export contains a ride that was deleted on Strava before the first sync.
    gone = _ride().model_copy(update={"id": RIDE_ID + 7})
    _store_history(_listening(20))
    with connect() as con:
        upsert_activities(
            con, "rider", activities_from_strava([gone.model_dump(mode="json")])
        )
        match_soundtracks(con, "rider")

    with SpotifyClient("rider") as spotify, StravaClient("rider") as strava:
        outcome = publish_activity(
            "rider",
            str(gone.id),
            PublishSettings(),
            SpotifyService(spotify),
            StravaService(strava),
        )
    with connect() as con:
        deleted = con.execute(
            "SELECT deleted_at FROM activities WHERE strava_id = ?", [gone.id]
        ).fetchall()[0][0]
        pending = activities_to_publish(con, "rider")
        match_soundtracks(con, "rider")
        kept = con.execute("SELECT activity_id FROM soundtracks").fetchall()

    assert outcome.description == "not found"
    assert outcome.tracks == 20
    assert deleted is not None
    assert str(gone.id) not in pending
    assert kept == [(str(RIDE_ID),)]


def test_description_line_uses_template_fields(sandbox):
    _store_history(_listening(20))
    line = "{tracks:d} tracks, {minutes} min: {playlist_url}"
    outcome = _publish_with(PublishSettings(description_line=line))

    _, description = _state()
    assert outcome.description == "verified"
    assert f"20 tracks, 300 min: {outcome.playlist_url}" in description
