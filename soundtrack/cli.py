"""The `soundtrack` command line."""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from soundtrack.errors import SoundtrackError
from soundtrack.prefect_env import apply_defaults

apply_defaults()

app = typer.Typer(
    no_args_is_help=True, help="Turn the music of each activity into a playlist."
)
# Piped output gets a wide line instead of rich's 80 columns, so reports stay one row
# per file.
console = Console(width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, soft_wrap=True)

UserOption = Annotated[
    str | None,
    typer.Option("--user", help="User to act for; default SOUNDTRACK_USER or 'me'."),
]


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    m3u = "m3u"


def _fail(error: Exception) -> None:
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

    try:
        counts = match_flow(user)
    except SoundtrackError as error:
        _fail(error)
    console.print(
        f"{counts.with_music} of {counts.activities} activities have music "
        f"({counts.tracks} tracks); {counts.changed} soundtracks changed."
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

    written = write_m3u_files(_load_tracks(user), folder)
    console.print(f"Wrote {len(written)} playlists to {folder}")


def _load_tracks(user: str | None):
    from soundtrack.settings import get_settings
    from storage.db import connect
    from storage.soundtracks import soundtracks_for_display

    try:
        with connect(read_only=True) as con:
            return soundtracks_for_display(con, user or get_settings().user)
    except SoundtrackError as error:
        _fail(error)


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

    try:
        run_demo(folder, seed, console)
    except SoundtrackError as error:
        _fail(error)


if __name__ == "__main__":
    app()
