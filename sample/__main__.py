"""Command line: python -m sample OUT_DIR [--seed N]."""

from pathlib import Path
from typing import Annotated

import typer

from sample import generate_world, write_exports


def main(
    out_dir: Annotated[
        Path, typer.Argument(help="Folder to write the export files to.")
    ],
    seed: Annotated[int, typer.Option(help="Seed of the generator.")] = 7,
) -> None:
    """Write an invented runner's Spotify and Strava exports and list the files."""
    world = generate_world(seed=seed)
    paths = write_exports(world, out_dir)
    for path in paths:
        print(f"{path.stat().st_size:>9,} B  {path}")
    total = sum(path.stat().st_size for path in paths)
    print(
        f"{len(paths)} files, {total:,} B: {len(world.plays)} plays, "
        f"{len(world.activities)} activities."
    )


if __name__ == "__main__":
    typer.run(main)
