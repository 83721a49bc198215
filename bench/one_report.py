"""How long the analyst's loop takes: one period x region rebuilt from the command line.

    .venv/bin/python bench/one_report.py [--period 2022-final] [--region almaty] [--runs 5]

Each run is a fresh process doing what `python -m pipeline run --period P --region R --force`
does (validation, the build, HTML and PDF), into a temporary folder. Runs alternate between
the command as it is and the command with its early kernel turned off (`executors.early.EarlyKernel`:
the kernel started, and the notebooks' modules imported in it, while the inputs are
validated), so the two medians are measured under the same machine load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def _once(period: str, region: str, early: bool, outputs: Path) -> None:
    """One run of the command in this (new) process."""
    sys.path.insert(0, str(PROJECT))
    from pipeline import cli
    from pipeline.executors.early import EarlyKernel

    if not early:
        EarlyKernel.wanted = staticmethod(lambda *args: False)
    code = cli.main(["run", "--period", period, "--region", region, "--outputs", str(outputs), "--force", "--quiet"])
    if code:
        sys.exit(f"the run failed with exit status {code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2022-final")
    parser.add_argument("--region", default="almaty")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--once", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        period, region, early = args.once
        with tempfile.TemporaryDirectory(prefix="bench-one-") as tmp:
            return _once(period, region, early == "True", Path(tmp))

    print(f"{args.period}/{args.region}: {args.runs} runs each, load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.runs):
        for early in (True, False):
            started = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--once", args.period, args.region, str(early)], check=True)
            times[early].append(time.perf_counter() - started)
    for early, label in ((True, "the command (early kernel)"), (False, "early kernel off")):
        print(f"{label:<28} median {statistics.median(times[early]):.2f} s  (best {min(times[early]):.2f} s)")


if __name__ == "__main__":
    main()
