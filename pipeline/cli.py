"""`python -m pipeline`: run, validate, verify.

Every user-facing error becomes one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

# Only what settling an unchanged rerun needs (no pandas, no inputs read): the rest is imported
# where the inputs are read (`validation`, `scope`, `caching`) or a report is built
# (papermill, nbconvert and the Jupyter client: `running`, `remote`, `verification`).
from pipeline import executors, freshness, index_page, paths, planning
from pipeline.exceptions import PipelineError

FORMATS = ("html", "pdf")
INPUTS_HELP = "the inputs folder, read and never changed (default: %(default)s)"
OUTPUTS_HELP = "where each period x region report goes, in OUTPUTS/<period>/<region>/ (default: %(default)s)"


def _split(values: list[str] | None) -> list[str]:
    """`--region a b`, `--region a,b` and repeated flags all mean the same."""
    return [v for item in values or [] for v in item.split(",") if v]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="Grant programme reports.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="build the reports of every requested period x region")
    run.add_argument("--inputs", type=Path, default=paths.DEFAULT_INPUTS, help=INPUTS_HELP)
    run.add_argument("--outputs", type=Path, default=paths.DEFAULT_OUTPUTS, help=OUTPUTS_HELP)
    run.add_argument("--period", nargs="+", action="extend", help="period ids (default: all of grant.yml)")
    run.add_argument("--region", nargs="+", action="extend",
                     help="region ids or `all` (default: every region and `all`)")
    run.add_argument("--format", default="html,pdf", help=f"comma-separated: {', '.join(FORMATS)} (default: both)")
    run.add_argument("--jobs", type=int, default=executors.default_jobs(),
                     help="reports built at once on this machine (default: cores + 1)")
    run.add_argument("--scheduler", help="address of a dask.distributed scheduler to build the reports on")
    run.add_argument("--force", action="store_true", help="rebuild every report, even when nothing changed")
    run.add_argument("--cell-timeout", type=int, default=600,
                     help="seconds a notebook cell may run before its report fails (default 600)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    validate = commands.add_parser("validate", help="check the inputs against the contract")
    validate.add_argument("--inputs", type=Path, default=paths.DEFAULT_INPUTS, help=INPUTS_HELP)

    verify = commands.add_parser("verify", help="re-hash the inputs and re-execute; report what differs")
    verify.add_argument("--outputs", type=Path, default=paths.DEFAULT_OUTPUTS,
                        help="the built reports to check (default: %(default)s)")
    verify.add_argument("--period", nargs="+", action="extend", help="period ids (default: every one built)")
    verify.add_argument("--region", nargs="+", action="extend", help="region ids or `all` (default: every one built)")
    verify.add_argument("--jobs", type=int, default=executors.default_jobs(),
                        help="reports re-executed at once (default: cores + 1)")
    return parser.parse_args(argv)


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(f.strip() for f in text.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise PipelineError(f"--format: unknown format «{', '.join(unknown) or text}» (known: {', '.join(FORMATS)})")
    return chosen


def _check_outputs(folder: Path) -> None:
    """The outputs folder can be made and written, before any work (and without creating it:
    invalid inputs leave no trace)."""
    existing = folder.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise PipelineError(f"{folder}: the outputs folder cannot be made here ({existing} is not a folder)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PipelineError(f"{folder}: the outputs folder cannot be written ({existing}: permission denied)")


def command_run(args: argparse.Namespace, err: Console) -> int:
    formats = _formats(args.format)
    _check_outputs(args.outputs)
    settled = None if args.force else _unchanged(args, formats)
    if settled is not None:
        results, warnings = settled
    else:
        results, warnings = _validate_and_build(args, formats, err)
    for result in results:  # a failure kept from an earlier run no longer stands for these
        if result.skipped:
            shutil.rmtree(planning.failed_dir(result.folder), ignore_errors=True)
    # Last, so that a killed run's processes have long finished dying.
    planning.clean_stale(args.outputs)
    index_page.write_index(args.outputs)
    failures = [r for r in results if not r.ok]
    skipped = sum(r.skipped for r in results)
    if not args.quiet:
        print(f"{len(results) - len(failures)} of {len(results)} reports up to date in {args.outputs} "
              f"({len(results) - len(failures) - skipped} built, {skipped} unchanged)", file=sys.stderr)
        _print_warnings(warnings)
    for failure in failures:
        print(f"FAILED {failure.error} (executed notebooks kept in {failure.folder})", file=sys.stderr)
    return 1 if failures else 0


def _unchanged(args: argparse.Namespace, formats: tuple[str, ...]) -> tuple[list, list[str]] | None:
    """When every file of the inputs folder hashes as when it was last validated, under the
    same code, and every requested report's folder holds the build made from them: the
    results and the warnings kept, with nothing read, validated or started. Else None."""
    hashes = freshness.folder_hashes(args.inputs)
    checked = freshness.recall(args.outputs, hashes)
    if not checked:
        return None
    periods, regions = _split(args.period) or checked["periods"], _split(args.region) or checked["regions"]
    if not (set(periods) <= set(checked["periods"]) and set(regions) <= set(checked["regions"])):
        return None  # the long way names the unknown id
    snapshot = freshness.snapshot_key(hashes, paths.section_notebooks(), formats)
    jobs = planning.plan_jobs(periods, regions)
    if not all(planning.unchanged(job, checked, snapshot, args.outputs) for job in jobs):
        return None
    return [_kept(job, args.outputs) for job in jobs], checked["warnings"]


class _EarlyKernel:
    """A run of one report starts its kernel, in a background thread, before the inputs are
    validated: the kernel's start and the notebooks' imports (~1.5 s, in the kernel's own
    process) overlap validating, instead of following it. Its environment names the file the
    inputs will be shared through (`sharing`), chosen now and written once they are read."""

    def __init__(self) -> None:
        from pipeline import sharing

        self.shared = sharing.new_path()
        self._env = sharing.environment(self.shared)
        pool = ThreadPoolExecutor(1, thread_name_prefix="early-kernel")
        self._future = pool.submit(self._start)
        pool.shutdown(wait=False)  # the thread ends with its one task

    def _start(self):
        from pipeline import kernels

        return kernels.ReportKernel(self._env, preload=kernels.import_cells(paths.section_notebooks()))

    def take(self):
        """The kernel, once started; None when it could not start (the build starts its own,
        which reports why)."""
        try:
            return self._future.result()
        except Exception:  # noqa: BLE001 - see above
            return None

    def close(self) -> None:
        kernel = self.take()
        if kernel is not None:
            kernel.shutdown()

    @staticmethod
    def wanted(args: argparse.Namespace) -> bool:
        """One period and one region asked for, built on this machine."""
        return len(_split(args.period)) == 1 and len(_split(args.region)) == 1 and not args.scheduler


def _kept(job: planning.ReportJob, outputs: Path, key: str | None = None) -> planning.ReportResult:
    return planning.ReportResult(job, paths.report_dir(outputs, job.period, job.region), skipped=True, key=key)


def _validate_and_build(args: argparse.Namespace, formats: tuple[str, ...], err: Console) -> tuple[list, list[str]]:
    """Read and validate the inputs, build the reports whose data changed, and keep what
    validating told for the next run (`freshness.remember`)."""
    early = _EarlyKernel() if _EarlyKernel.wanted(args) else None
    try:
        return _validate_and_build_with(args, formats, err, early)
    finally:
        if early is not None:
            early.close()


def _validate_and_build_with(args: argparse.Namespace, formats: tuple[str, ...], err: Console,
                             early: _EarlyKernel | None) -> tuple[list, list[str]]:
    from pipeline import caching, validation
    from pipeline.loading import InputProblems
    from pipeline.scope import make_scope, period_ids, region_ids

    checked = validation.validate(args.inputs)
    if not checked.ok:
        raise InputProblems(checked.problems)  # builds nothing
    inputs = checked.inputs
    all_periods, all_regions = period_ids(inputs.grant), region_ids(inputs.grant) + [planning.ALL]
    periods, regions = _split(args.period) or all_periods, _split(args.region) or all_regions
    for period in periods:
        for region in regions:
            make_scope(inputs.grant, period, region)
    jobs = planning.plan_jobs(periods, regions)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=args.quiet, transient=False) as progress:
        task = progress.add_task("reports", total=len(jobs))
        # Up-to-date reports are settled here, so that a worker or kernel starts only for the others.
        fresh = {} if args.force else {j: caching.current_key(j, inputs, args.outputs, formats) for j in jobs}
        fresh = {job: key for job, key in fresh.items() if key}
        progress.advance(task, len(fresh))
        stale = planning.build_order(j for j in jobs if j not in fresh)
        built = dict(zip(stale, _build(stale, inputs, formats, args, lambda result: progress.advance(task), early)))
        results = [built.get(j) or _kept(j, args.outputs, fresh[j]) for j in jobs]
    warnings = [str(w) for w in checked.warnings]
    snapshot = freshness.snapshot_key(inputs.hashes, paths.section_notebooks(), formats)
    freshness.remember(args.outputs, inputs.hashes, all_periods, all_regions, warnings,
                       {r.job.label: {"snapshot": snapshot, "report": r.key} for r in results if r.ok and r.key})
    return results, warnings


def _build(stale: list, inputs, formats: tuple[str, ...], args: argparse.Namespace, on_result,
           early: _EarlyKernel | None = None) -> list:
    """Build the stale reports with the chosen executor (nothing is imported or started for
    none); a single one in the kernel started `early`, if there is one."""
    if not stale:
        return []
    from pipeline import remote, running, sharing

    if args.scheduler:
        return remote.DaskExecutor(args.scheduler, inputs, args.outputs, formats).map(None, stale, on_result)
    kernel = early.take() if early is not None and len(stale) == 1 else None
    # Read once here, the inputs are handed to every local kernel (dask workers read their own).
    shared = sharing.publish(inputs, early.shared if kernel is not None else None)
    build = partial(running.build_report, inputs=inputs, outputs=args.outputs, formats=formats,
                    force=args.force, cell_timeout=args.cell_timeout, shared_inputs=shared, kernel=kernel)
    try:
        return executors.local_executor(args.jobs, len(stale)).map(build, stale, on_result)
    finally:
        shared.unlink(missing_ok=True)


def command_validate(args: argparse.Namespace, out: Console) -> int:
    from pipeline import validation
    from pipeline.loading import InputProblems

    checked = validation.validate(args.inputs)
    if not checked.ok:
        raise InputProblems(checked.problems)
    _print_warnings(checked.warnings)
    out.print(f"{args.inputs}: inputs are valid", markup=False, highlight=False)
    return 0


def _print_warnings(warnings: list) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def command_verify(args: argparse.Namespace) -> int:
    from pipeline import verification

    folders = verification.built_reports(args.outputs, _split(args.period), _split(args.region))
    if not folders:
        raise PipelineError(f"{args.outputs}: no built report to verify (run `python -m pipeline run` first)")
    findings = executors.local_executor(args.jobs, len(folders)).map(verification.verify_report, folders)
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
        executors.quiet_interrupt()
        print("interrupted: finished reports are kept, unfinished ones were not written", file=sys.stderr)
        return 130
