"""What a change of the code costs a cold build: two versions of the project side by side in
one run, on the demo inputs and on a synthetic grant.

    .venv/bin/python bench/cost_of_change.py --before 9dd94b7            # that commit vs the working tree
    .venv/bin/python bench/cost_of_change.py --before 9dd94b7 --after HEAD --repeats 5

Each version is a snapshot of `pipeline/`, `notebooks/` and `inputs/` (`git archive` of a
revision, or a copy of the working tree), run with this interpreter and its packages, with
`PYTHONPATH` pointing at the snapshot so that the command and its kernels import that
version. Every repeat builds each scenario cold (a new outputs folder) with each version,
alternating which goes first, so that a drift of the machine's speed falls on both alike.
Prints the median wall time of each and their ratio (after / before), as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import synth  # noqa: E402 - the bench folder is not a package

PARTS = ("pipeline", "notebooks", "inputs")


def snapshot(revision: str, target: Path) -> Path:
    """The project's code, notebooks and demo inputs at `revision` ("live": the working tree)."""
    target.mkdir(parents=True)
    if revision == "live":
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
        for name in PARTS:
            shutil.copytree(PROJECT / name, target / name, ignore=ignore)
        return target
    archive = subprocess.run(["git", "-C", str(PROJECT), "archive", revision, *PARTS],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def build(tree: Path, inputs: Path, outputs: Path, formats: str) -> float:
    """One cold `python -m pipeline run` of `tree`'s code; its wall time in seconds."""
    shutil.rmtree(outputs, ignore_errors=True)
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "pipeline", "run", "--inputs", str(inputs), "--outputs", str(outputs),
               "--format", formats, "--quiet"]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=tree, env=environment, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"the build of {tree.name} failed:\n{result.stderr[-3000:]}")
    return wall


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the revision to compare against (e.g. a commit)")
    parser.add_argument("--after", default="live", help="the revision measured (default: the working tree)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--regions", type=int, default=5, help="regions of the synthetic grant (default 5)")
    parser.add_argument("--periods", type=int, default=2)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--format", default="html,pdf", help="formats built (default: the command's, html,pdf)")
    parser.add_argument("--demo", choices=("before", "after"), default="after",
                        help="whose demo inputs both versions build (default: after's; before's when after's "
                             "use what the older code cannot read)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cost-of-change-") as scratch:
        work = Path(scratch)
        trees = {"before": snapshot(args.before, work / "before"), "after": snapshot(args.after, work / "after")}
        scenarios = {"demo": trees[args.demo] / "inputs",
                     f"synthetic {args.regions}×{args.periods}": synth.make_grant(
                         work / "synthetic", regions=args.regions, periods=args.periods, rows=args.rows)}
        times: dict[tuple[str, str], list[float]] = {}
        for repeat in range(args.repeats):
            order = ["before", "after"] if repeat % 2 == 0 else ["after", "before"]
            for scenario, inputs in scenarios.items():
                for version in order:
                    wall = build(trees[version], inputs, work / "outputs", args.format)
                    times.setdefault((scenario, version), []).append(wall)
                    print(f"repeat {repeat + 1}: {scenario}, {version}: {wall:.2f} s", file=sys.stderr, flush=True)
    print(f"cold build, --format {args.format}, {args.repeats} runs each, alternating; "
          f"before = {args.before}, after = {args.after}; the demo inputs of {args.demo}; {os.cpu_count()} CPUs")
    print("| scenario | before median s | after median s | after / before | runs before (s) | runs after (s) |")
    print("|---|---:|---:|---:|---|---|")
    for scenario in scenarios:
        before, after = times[(scenario, "before")], times[(scenario, "after")]
        ratio = statistics.median(after) / statistics.median(before)
        print(f"| {scenario} | {statistics.median(before):.2f} | {statistics.median(after):.2f} | {ratio:.3f} "
              f"| {', '.join(f'{t:.1f}' for t in before)} | {', '.join(f'{t:.1f}' for t in after)} |")


if __name__ == "__main__":
    main()
