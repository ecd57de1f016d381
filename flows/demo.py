"""The demo: a generated runner, imported from exports and synced live via the sandbox."""

import os
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from prefect import flow
from rich.console import Console

from flows.import_exports import import_exports
from flows.match import match
from flows.sync import sync
from sample import generate_world, write_exports
from sample.scenario import world_to_scenario
from sandbox.server import SandboxServer
from soundtrack.output import print_table
from soundtrack.report import print_import_summary
from soundtrack.settings import get_settings
from soundtrack.text import counted
from storage.db import connect
from storage.soundtracks import soundtracks_for_display
from storage.users import delete_user
from tasks.connect import connect_service
from tasks.preferences import update_preference

DEMO_USER = "demo"
# Thirteen weeks ending today, long enough for every planned hard case of the sample
# (a run across midnight, a silent run, a cafe ride, a ride across midnight).
DEMO_DAYS = 91


@flow(name="demo-sample", persist_result=False)
def write_sample(folder: str, seed: int, start: date) -> None:
    """Write a fresh sample export of the demo runner into folder/exports."""
    out = Path(folder)
    shutil.rmtree(out / "exports", ignore_errors=True)
    write_exports(
        generate_world(seed=seed, start=start, days=DEMO_DAYS), out / "exports"
    )


def run_demo(folder: Path, seed: int, console: Console) -> None:
    """Import the sample export, then connect and sync the same runner via the sandbox."""
    start = datetime.now(UTC).date() - timedelta(days=DEMO_DAYS)
    write_sample(str(folder), seed, start)
    with connect() as con:
        # Each run generates a new sample ending today, so an earlier run's plays and
        # activities would overlap it.
        delete_user(con, DEMO_USER)
        # The runner lives in London; activities.csv carries no time zone.
        update_preference(con, DEMO_USER, "profile", "timezone", "Europe/London")
        # Link the last month's activities from Strava, not only the default 14 days.
        update_preference(con, DEMO_USER, "publish", "describe_within_days", "30")
    summary = import_exports([str(folder / "exports")], DEMO_USER)
    print_import_summary(summary, console)
    match(DEMO_USER)
    with connect(read_only=True) as con:
        tracks = soundtracks_for_display(con, DEMO_USER)
    console.print()
    print_table(tracks, console)
    with_music = tracks["activity_id"].nunique()
    console.print(f"{counted(with_music, 'activity', 'activities')} with music.\n")

    scenario = world_to_scenario(generate_world(seed=seed, start=start, days=DEMO_DAYS))
    scenario.clock_start = None  # without a start the sandbox clock follows real time
    with SandboxServer(scenario=scenario) as sandbox:
        _aim_settings_at(sandbox)
        console.print(f"Sandbox of Spotify and Strava serving on {sandbox.url}")
        for service in ("spotify", "strava"):
            connect_service(DEMO_USER, service, _approve, timeout_s=30)
            console.print(f"Connected {service} for {DEMO_USER}.")
        reports = sync(DEMO_USER)
        _print_published(reports, console)


def _aim_settings_at(sandbox: SandboxServer) -> None:
    os.environ.update(sandbox.soundtrack_env())
    get_settings.cache_clear()


def _approve(url: str) -> None:
    # Stands in for the browser: the sandbox approves at once and redirects back.
    response = httpx.get(f"{url}&sandbox_user={DEMO_USER}", follow_redirects=True)
    response.raise_for_status()


def _print_published(reports, console: Console) -> None:
    from clients.strava import StravaClient

    for report in reports:
        for problem in report.problems:
            console.print(f"[red]{problem}[/red]", highlight=False)
        console.print(
            f"\nPublished {counted(len(report.published), 'playlist')} "
            f"for {report.user_id}:"
        )
        with StravaClient(report.user_id) as strava:
            for outcome in report.published:
                console.print(
                    f"  activity {outcome.activity_id}: {outcome.playlist_url} "
                    f"({counted(outcome.tracks, 'track')}, "
                    f"description {outcome.description})",
                    highlight=False,
                )
                if outcome.description == "verified":
                    text = strava.activity(int(outcome.activity_id)).description or ""
                    for line in text.splitlines():
                        console.print(f"      | {line}", highlight=False)
