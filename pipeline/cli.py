"""`python -m pipeline`: run, validate, verify.

Every user-facing error becomes one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline import index_page, paths, running, verification
from pipeline.exceptions import PipelineError
from pipeline.loading import load_inputs
from pipeline.scope import ALL, make_scope, period_ids, region_ids

FORMATS = ("html",)


def _split(values: list[str] | None) -> list[str]:
    """`--region a b`, `--region a,b` and repeated flags all mean the same."""
    return [v for item in values or [] for v in item.split(",") if v]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="Grant programme reports.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="build the reports of every requested period x region")
    run.add_argument("--inputs", type=Path, default=paths.DEFAULT_INPUTS)
    run.add_argument("--outputs", type=Path, default=paths.DEFAULT_OUTPUTS)
    run.add_argument("--period", nargs="+", action="extend", help="period ids (default: all of grant.yml)")
    run.add_argument("--region", nargs="+", action="extend",
                     help="region ids or `all` (default: every region and `all`)")
    run.add_argument("--format", default="html", help=f"comma-separated: {', '.join(FORMATS)}")
    run.add_argument("--jobs", type=int, default=running.default_jobs(), help="reports built at once")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    validate = commands.add_parser("validate", help="check the inputs against the contract")
    validate.add_argument("--inputs", type=Path, default=paths.DEFAULT_INPUTS)

    verify = commands.add_parser("verify", help="re-hash the inputs and re-execute; report what differs")
    verify.add_argument("--outputs", type=Path, default=paths.DEFAULT_OUTPUTS)
    verify.add_argument("--period", nargs="+", action="extend")
    verify.add_argument("--region", nargs="+", action="extend")
    verify.add_argument("--jobs", type=int, default=running.default_jobs())
    return parser.parse_args(argv)


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(f.strip() for f in text.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise PipelineError(f"--format: unknown format «{', '.join(unknown) or text}» (known: {', '.join(FORMATS)})")
    return chosen


def command_run(args: argparse.Namespace, err: Console) -> int:
    formats = _formats(args.format)
    inputs = load_inputs(args.inputs)
    periods = _split(args.period) or period_ids(inputs.grant)
    regions = _split(args.region) or region_ids(inputs.grant) + [ALL]
    for period in periods:
        for region in regions:
            make_scope(inputs.grant, period, region)
    jobs = running.plan_jobs(periods, regions)
    sections = len(paths.section_notebooks())
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=args.quiet, transient=False) as progress:
        task = progress.add_task("notebooks", total=len(jobs) * sections)

        def build(job: running.ReportJob) -> running.ReportResult:
            return running.build_report(job, inputs, args.outputs, formats,
                                        on_notebook=lambda: progress.advance(task))

        results = running.executor_for(args.jobs).map(build, jobs)
    index_page.write_index(args.outputs)
    failures = [r for r in results if not r.ok]
    built = len(results) - len(failures)
    if not args.quiet:
        print(f"built {built} of {len(results)} reports in {args.outputs}", file=sys.stderr)
    for failure in failures:
        print(f"FAILED {failure.error} (executed notebooks kept in {failure.folder})", file=sys.stderr)
    return 1 if failures else 0


def command_validate(args: argparse.Namespace, out: Console) -> int:
    load_inputs(args.inputs)
    out.print(f"{args.inputs}: inputs are valid", markup=False, highlight=False)
    return 0


def command_verify(args: argparse.Namespace) -> int:
    folders = verification.built_reports(args.outputs, _split(args.period), _split(args.region))
    if not folders:
        raise PipelineError(f"{args.outputs}: no built report to verify (run `python -m pipeline run` first)")
    findings = running.executor_for(args.jobs).map(verification.verify_report, folders)
    lines = [line for found in findings for line in found]
    for line in lines:
        print(line)
    print(f"verified {len(folders)} reports: " + ("all inputs and figures agree" if not lines
                                                  else f"{len(lines)} differences"), file=sys.stderr)
    return 1 if lines else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    err = Console(stderr=True, highlight=False)
    try:
        if args.command == "run":
            return command_run(args, err)
        if args.command == "verify":
            return command_verify(args)
        return command_validate(args, Console(highlight=False))
    except PipelineError as error:
        for line in str(error).splitlines():
            print(line, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: finished reports are kept, unfinished ones were not written", file=sys.stderr)
        return 130
