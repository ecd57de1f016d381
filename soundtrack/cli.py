"""The `soundtrack` command line."""

import logging
import signal
import sys
import threading
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from soundtrack.errors import SoundtrackError
from soundtrack.prefect_env import apply_defaults, detach_temporary_server
from soundtrack.text import counted

apply_defaults()

app = typer.Typer(
    no_args_is_help=True, help="Turn the music of each activity into a playlist."
)
# Piped output gets a wide line instead of rich's 80 columns, so reports stay one row
# per file.
console = Console(width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, soft_wrap=True)


@app.callback()
def _main() -> None:
    # `kill` and service managers stop a run with SIGTERM. Handled like Ctrl-C, it
    # lets Prefect stop its temporary server and the command end without a traceback.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


UserOption = Annotated[
    str | None,
    typer.Option("--user", help="User to act for; default SOUNDTRACK_USER or 'me'."),
]


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    m3u = "m3u"


class _QuietExpectedErrors(logging.Filter):
    """Drop Prefect's log record of an error that the CLI prints itself.

    Prefect still logs the task's final state, so the error shows in the log once.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, SoundtrackError | FileNotFoundError)


def _prepare_prefect() -> None:
    """Quiet Prefect's logs of expected errors and detach its temporary server."""
    _quiet_prefect_tracebacks()
    detach_temporary_server()


def _quiet_prefect_tracebacks() -> None:
    # Prefect's console handler sits on the root logger, and its API handlers on
    # the prefect.* loggers.
    loggers = [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name.startswith("prefect")
    ]
    for logger in [logging.getLogger(), *loggers]:
        for handler in logger.handlers:
            handler.addFilter(_QuietExpectedErrors())


def _fail(error: Exception | str) -> None:
    errors.print(f"[red]error:[/red] {error}", highlight=False)
    raise typer.Exit(1)


@app.command("import")
def import_command(
    paths: Annotated[list[Path], typer.Argument(help="Export zips, folders or files.")],
    user: UserOption = None,
) -> None:
    """Import Spotify and Strava exports; a second import of the same files changes nothing."""
    from flows.import_exports import import_exports
    from soundtrack.report import print_import_summary

    _prepare_prefect()
    try:
        summary = import_exports(
            [str(p) for p in paths], user, show_progress=console.is_terminal
        )
    except (SoundtrackError, FileNotFoundError) as error:
        _fail(error)
    print_import_summary(summary, console)


@app.command()
def match(user: UserOption = None) -> None:
    """Match stored plays to activity windows and store each activity's soundtrack."""
    from flows.match import match as match_flow

    _prepare_prefect()
    try:
        counts = match_flow(user)
    except SoundtrackError as error:
        _fail(error)
    console.print(
        f"{counts.with_music} of {counted(counts.activities, 'activity', 'activities')} "
        f"with music ({counted(counts.tracks, 'track')}); "
        f"{counted(counts.changed, 'soundtrack')} changed."
    )


@app.command()
def soundtracks(
    output_format: Annotated[
        Format, typer.Option("--format", help="Output format.")
    ] = Format.table,
    user: UserOption = None,
) -> None:
    """Print every activity's soundtrack, oldest first."""
    from soundtrack import output

    tracks = _load_tracks(user)
    if tracks.empty and output_format is Format.table:
        from soundtrack.settings import get_settings

        settings = get_settings()
        console.print(
            f"No soundtracks for user {user or settings.user!r} in {settings.database}. "
            "Import listening and activities, then run `soundtrack match`; only "
            "activities that overlap stored plays get one.",
            highlight=False,
        )
        return
    if output_format is Format.table:
        output.print_table(tracks, console)
    elif output_format is Format.json:
        print(output.to_json(tracks))
    elif output_format is Format.csv:
        print(output.to_csv(tracks), end="")
    else:
        for _, group in tracks.groupby(["start_at", "activity_id"], sort=True):
            print(output.to_m3u(group))


@app.command("export-playlists")
def export_playlists(
    folder: Annotated[Path, typer.Argument(help="Folder for the .m3u files.")],
    user: UserOption = None,
) -> None:
    """Write one .m3u playlist per activity with music into FOLDER."""
    from soundtrack.output import write_m3u_files

    try:
        written = write_m3u_files(_load_tracks(user), folder)
    except OSError as error:
        _fail(f"cannot write playlists to {folder}: {error.strerror or error}")
    console.print(f"Wrote {counted(len(written), 'playlist')} to {folder}")


def _load_tracks(user: str | None):
    from soundtrack.settings import get_settings
    from storage.db import connect
    from storage.soundtracks import soundtracks_for_display

    try:
        with connect(read_only=True) as con:
            return soundtracks_for_display(con, user or get_settings().user)
    except SoundtrackError as error:
        _fail(error)


class Service(str, Enum):
    spotify = "spotify"
    strava = "strava"


@app.command("connect")
def connect_command(
    service: Annotated[Service, typer.Argument(help="Service to connect.")],
    user: UserOption = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for approval.")] = 300,
) -> None:
    """Connect your Spotify or Strava account: open the printed address and approve."""
    from soundtrack.settings import get_settings
    from tasks.connect import connect_service

    settings = get_settings()

    def show(url: str) -> None:
        console.print("Open this address in your browser and approve Soundtrack:")
        # Printed whole, because a line break inside it breaks the copied address.
        print(url, flush=True)
        console.print(
            f"Waiting for the redirect on http://127.0.0.1:{settings.redirect_port}/callback"
        )

    try:
        connection = connect_service(
            user or settings.user, service.value, show, timeout
        )
    except SoundtrackError as error:
        _fail(error)
    console.print(f"Connected {service.value} account {connection.account_id}.")


@app.command("sync")
def sync_command(user: UserOption = None) -> None:
    """Ingest new plays and activities, match them, and publish new soundtracks."""
    from flows.sync import sync

    _prepare_prefect()
    try:
        reports = sync(user)
    except SoundtrackError as error:
        _fail(error)
    if not reports:
        console.print(
            "No connected users: run `soundtrack connect spotify` and `... strava`."
        )
    for report in reports:
        _print_sync(report)
    if any(report.problems for report in reports):
        raise typer.Exit(1)


def _print_sync(report) -> None:
    spotify, strava = report.spotify, report.strava
    console.print(f"[bold]{report.user_id}[/bold]")
    if spotify is not None:
        gap = "; plays may be missing before the oldest" if spotify.possible_gap else ""
        console.print(
            f"  Spotify: {counted(spotify.items, 'recent play')} read, "
            f"{spotify.new_plays} new{gap}"
        )
    if strava is not None:
        console.print(
            f"  Strava: {counted(strava.summaries, 'activity', 'activities')} read, "
            f"{strava.new_activities} new"
        )
    for outcome in report.published:
        line = f"  {outcome.activity_id}: {outcome.playlist_url or outcome.note}"
        line += (
            f" ({counted(outcome.tracks, 'track')}, description {outcome.description})"
        )
        console.print(line, highlight=False)
        for title in outcome.left_out:
            console.print(f"    left out: {title}", highlight=False)
    for problem in report.problems:
        errors.print(f"  [red]{problem}[/red]", highlight=False)


@app.command("status")
def status_command() -> None:
    """Show connections, rate-limit cooldowns, sync cursors and publishing progress."""
    import pandas as pd
    from rich.table import Table

    from storage.db import connect
    from storage.status import status_tables

    try:
        with connect() as con:
            tables = status_tables(con, pd.Timestamp.now(tz="UTC").tz_localize(None))
    except SoundtrackError as error:
        _fail(error)
    for title, frame in tables.items():
        table = Table(title=title, title_justify="left", show_edge=False)
        for column in frame.columns:
            table.add_column(column)
        for row in frame.itertuples(index=False):
            table.add_row(*["" if pd.isna(v) else str(v) for v in row])
        if frame.empty:
            console.print(f"[bold]{title}[/bold]: none")
        else:
            console.print(table)


@app.command("sandbox")
def sandbox_command(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1.")] = 8750,
    scenario: Annotated[Path | None, typer.Option(help="Scenario JSON file.")] = None,
) -> None:
    """Serve the local stand-in for the Spotify and Strava APIs on 127.0.0.1."""
    from sandbox.server import serve

    serve(port=port, scenario_path=scenario)


@app.command("webhooks")
def webhooks_command(
    verify_token: Annotated[str, typer.Option(help="Token given when subscribing.")],
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8766,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Receive Strava push events; `soundtrack sync` applies them."""
    import uvicorn

    from soundtrack.settings import get_settings
    from webhooks.receiver import create_app

    spool = get_settings().data_dir / "strava_events"
    uvicorn.run(create_app(spool, verify_token), host=host, port=port, log_level="info")


settings_app = typer.Typer(
    no_args_is_help=True, help="Show or change per-user settings."
)
app.add_typer(settings_app, name="settings")


@settings_app.command("show")
def settings_show(user: UserOption = None) -> None:
    """Print every per-user setting with its current value."""
    from soundtrack.preferences import PREFERENCE_MODELS
    from soundtrack.settings import get_settings
    from storage.db import connect
    from storage.preferences import load_preference

    user = user or get_settings().user
    try:
        with connect() as con:
            for key, model in PREFERENCE_MODELS.items():
                value = load_preference(con, user, key, model)
                console.print(f"[bold]{key}[/bold]")
                for name, current in value.model_dump().items():
                    help_text = model.model_fields[name].description or ""
                    console.print(f"  {name} = {current!r}  [dim]{help_text}[/dim]")
    except SoundtrackError as error:
        _fail(error)


@settings_app.command("set")
def settings_set(
    key: Annotated[str, typer.Argument(help="Setting group, such as match_rules.")],
    field: Annotated[
        str, typer.Argument(help="Field in the group, such as min_play_s.")
    ],
    value: Annotated[
        str, typer.Argument(help="New value; JSON (30, true, null, [...]) or text.")
    ],
    user: UserOption = None,
) -> None:
    """Change one per-user setting, after checking the new value."""
    from soundtrack.settings import get_settings
    from storage.db import connect
    from tasks.preferences import update_preference

    try:
        with connect() as con:
            updated = update_preference(
                con, user or get_settings().user, key, field, value
            )
    except SoundtrackError as error:
        _fail(error)
    console.print(f"{key}.{field} = {getattr(updated, field)!r}")


@app.command()
def demo(
    folder: Annotated[
        Path, typer.Option(help="Where to write the generated sample.")
    ] = Path("demo"),
    seed: Annotated[int, typer.Option(help="Seed of the sample generator.")] = 7,
) -> None:
    """Generate a sample export, import it, match it and print the soundtracks."""
    from flows.demo import run_demo

    _prepare_prefect()
    try:
        run_demo(folder, seed, console)
    except SoundtrackError as error:
        _fail(error)


if __name__ == "__main__":
    app()
