"""Benchmark storing and matching N plays and M activities, each stage in its own process.

    python benchmarks/run.py --plays 1000000 --activities 10000 [--write-docs]
    python benchmarks/run.py --small        # 100,000 plays x 1,000 activities

Each stage runs in a fresh subprocess that reports its wall time and its peak
resident memory (ru_maxrss), so one stage's memory does not count against another.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "benchmarks.md"
USER = "bench"

# Notes on each row of the table, for the docs page.
NOTES = """## What the rows measure

- Each stage runs in its own Python process. Wall time covers only the timed call,
  not building the input frames or starting Python. Peak RSS is the process's
  high-water mark (`ru_maxrss`), so it includes the input frames and the imported
  libraries. "RSS before the stage" is the mark once the libraries are imported.
- `python benchmarks/run.py --small` runs 100,000 plays × 1,000 activities in
  about 10 s, for a quick check.
- Each stage runs once, so expect some noise from run to run.
- The data is synthetic (`benchmarks/synthetic.py`). One listener plays tracks back
  to back in sessions, with 15 % skips, and a million plays span about 11 years.
  Activities of 20 min to 5 h start at random times over the same span.
- **store** stages call the storage functions on a fresh DuckDB file in a temporary
  folder: activities first, then plays, then the same plays once more, as a repeated
  import does (every row is then already stored). `upsert_plays` includes its
  cross-source dedupe and the per-row track key.
- **match** runs `match_soundtracks` with the default `MatchRules` on that file, and
  rows is the number of soundtrack tracks it stored (it writes them too).
- **match** joins each play to the activity windows through the hour its play starts
  in (a hash join), then tests the exact times. The same query as a plain range join
  took 11 to 18 s at 1,000,000 × 10,000 on this machine, because DuckDB 2.0.1 planned
  it as a piecewise merge join.
- **baselines** compute the same matched pairs with the same default rules, in
  memory, without writing anything: `searchsorted` relies on one listener's plays
  not overlapping, and the naive loop tests every play against every activity. The
  loop runs on 20 activities spread over the list and its time is multiplied up to
  all activities, so that row is an estimate.
"""

STAGES = [
    ("store_activities", "store activities: `upsert_activities`"),
    ("store_plays", "store plays: `upsert_plays`"),
    ("store_plays_again", "store the same plays again: `upsert_plays`"),
    ("match", "match: `match_soundtracks` (DuckDB)"),
    ("searchsorted", "baseline: pandas sort + `searchsorted`"),
    ("python_loop", "baseline: naive Python loop"),
]


def main() -> None:
    args = _parse_args()
    if args.stage:
        print(json.dumps(_run_stage(args)))
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="soundtrack-bench-") as workdir:
        for stage, label in STAGES:
            print(f"running {stage} ...", file=sys.stderr, flush=True)
            results.append((label, _spawn(stage, args, Path(workdir))))
    table = _table(results, args)
    print(table)
    if args.write_docs:
        DOCS.write_text(_document(table, args), encoding="utf-8")
        print(f"wrote {DOCS}", file=sys.stderr)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plays", type=int, default=1_000_000, help="Plays to store.")
    parser.add_argument(
        "--activities", type=int, default=10_000, help="Activities to store."
    )
    parser.add_argument(
        "--small", action="store_true", help="Use 100,000 plays and 1,000 activities."
    )
    parser.add_argument("--seed", type=int, default=7, help="Seed of the data.")
    parser.add_argument(
        "--write-docs", action="store_true", help="Rewrite docs/benchmarks.md."
    )
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.small:
        args.plays, args.activities = 100_000, 1_000
    return args


def _spawn(stage: str, args: argparse.Namespace, workdir: Path) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        f"--stage={stage}",
        f"--plays={args.plays}",
        f"--activities={args.activities}",
        f"--seed={args.seed}",
        f"--workdir={workdir}",
    ]
    # Settings point at the temporary folder, so no real database is touched.
    env = {**os.environ, "SOUNDTRACK_DATA_DIR": str(workdir)}
    env.pop("SOUNDTRACK_DB_PATH", None)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"stage {stage} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_stage(args: argparse.Namespace) -> dict:
    """Run one stage in this process and return its measurements."""
    from stages import STAGE_FUNCTIONS  # imported here: the parent needs no DuckDB

    rss_before_mb = _peak_rss_mb()
    result = STAGE_FUNCTIONS[args.stage](args)
    result["rss_before_mb"] = rss_before_mb
    result["peak_rss_mb"] = _peak_rss_mb()
    return result


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _table(results: list[tuple[str, dict]], args: argparse.Namespace) -> str:
    lines = [
        f"{args.plays:,} plays × {args.activities:,} activities",
        "",
        "| stage | wall time (s) | peak RSS (MiB) | RSS before the stage (MiB) | rows |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, result in results:
        wall = f"{result['wall_s']:.2f}"
        if result.get("extrapolated_from"):
            wall = f"≈ {result['wall_s']:,.0f} (estimate)"
        lines.append(
            f"| {label} | {wall} | {result['peak_rss_mb']:,.0f} "
            f"| {result['rss_before_mb']:,.0f} | {_count(result['rows'])} |"
        )
    return "\n".join(lines)


def _count(rows: int | str) -> str:
    return f"{rows:,}" if isinstance(rows, int) else rows


def _machine() -> list[str]:
    import duckdb
    import numpy
    import pandas
    import psutil

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical CPUs (nproc)",
        f"- RAM: {psutil.virtual_memory().total / 2**30:.1f} GiB",
        f"- OS: {platform.system()} {platform.release()}",
        (
            f"- Python {platform.python_version()}, duckdb {duckdb.__version__}, "
            f"pandas {pandas.__version__}, numpy {numpy.__version__}"
        ),
    ]


def _document(table: str, args: argparse.Namespace) -> str:
    command = (
        "python benchmarks/run.py"
        f" --plays {args.plays} --activities {args.activities} --write-docs"
    )
    return "\n".join(
        [
            "# Benchmarks",
            "",
            f"Measured on {time.strftime('%Y-%m-%d')} with:",
            "",
            "```",
            command,
            "```",
            "",
            "## Machine",
            "",
            *_machine(),
            "",
            "## Results",
            "",
            table,
            "",
            NOTES,
            "",
        ]
    )


if __name__ == "__main__":
    main()
