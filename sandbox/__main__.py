"""Run the sandbox: python -m sandbox [--port N] [--scenario FILE] [--seed N]."""

import argparse

from sandbox.server import serve


def main() -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(description="Local Spotify and Strava stand-in.")
    parser.add_argument("--port", type=int, default=8750, help="TCP port on 127.0.0.1.")
    parser.add_argument("--scenario", help="JSON scenario file to load at start.")
    parser.add_argument("--seed", type=int, default=0, help="Seed for ids and tokens.")
    args = parser.parse_args()
    serve(port=args.port, scenario_path=args.scenario, seed=args.seed)


if __name__ == "__main__":
    main()
