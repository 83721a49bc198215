"""`python -m pipeline`: run, validate, verify, explain, diff, init, figures. Parses the command
line and makes one call into `app`; every user-facing error becomes one line on stderr and exit
status 1, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from pipeline import app, paths
from pipeline.exceptions import PipelineError, printable
from pipeline.executors import local
from pipeline.language import DEFAULT as DEFAULT_LANGUAGE
from pipeline.language import LANGUAGES

INPUTS_HELP = "the inputs folder, read and never changed (default: ./inputs, in the current folder)"
OUTPUTS_HELP = "where each period x region report goes, in OUTPUTS/<period>/<region>/ (default: ./outputs, in the current folder)"
BUILT_HELP = "the built reports{} (default: ./outputs, in the current folder)"


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
    run.add_argument("--format", default=",".join(app.FORMATS),
                     help=f"comma-separated: {', '.join(app.FORMATS)} (default: all of them)")
    run.add_argument("--jobs", type=int, default=local.default_jobs(),
                     help="reports built at once on this machine (default: cores + 1)")
    run.add_argument("--scheduler", help="address of a dask.distributed scheduler to build the reports on")
    run.add_argument("--force", action="store_true", help="rebuild every report, even when nothing changed")
    run.add_argument("--language", choices=LANGUAGES,
                     help="the reports' language for this run: ru or kk (default: grant.yml's `language:`, else ru)")
    run.add_argument("--cell-timeout", type=int, default=600,
                     help="seconds a notebook cell may run before its report fails (default 600)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    validate = commands.add_parser("validate", help="check the inputs against the contract")
    validate.add_argument("--inputs", type=Path, default=paths.DEFAULT_INPUTS, help=INPUTS_HELP)

    verify = commands.add_parser(
        "verify", help="re-hash the inputs and re-execute; report what differs",
        description="Re-hash the input files each built report's manifest records and re-execute the report in a "
                    "temporary folder; print each input file that changed and each figure that moved. Exit status "
                    "0: all agree; 1: something differs; 2: a report cannot be verified (one line).")
    verify.add_argument("--inputs", type=Path,
                        help="the inputs folder the reports were built from (default: the one each manifest names, "
                             "when that is a relative path inside the current folder)")
    verify.add_argument("--outputs", type=Path, default=paths.DEFAULT_OUTPUTS,
                        help=BUILT_HELP.format(" to check"))
    verify.add_argument("--period", nargs="+", action="extend", help="period ids (default: every one built)")
    verify.add_argument("--region", nargs="+", action="extend", help="region ids or `all` (default: every one built)")
    verify.add_argument("--jobs", type=int, default=local.default_jobs(),
                        help="reports re-executed at once (default: cores + 1)")

    explain = commands.add_parser(
        "explain", help="one figure of a built report: meaning, rule, value, cell and input rows (file:row)",
        description="Print, from a built report's manifest (nothing is rebuilt), what a figure means, its "
                    "rule, its value as the report shows it, the notebook cell that computed it and the input "
                    "rows it was computed from, one file:row a line, grouped by file.")
    explain.add_argument("name", help="the figure's name, e.g. events.training.participants (see figures.json)")
    explain.add_argument("--outputs", type=Path, default=paths.DEFAULT_OUTPUTS,
                         help=BUILT_HELP.format(""))
    explain.add_argument("--period", help="a period id (default: the last period built, for that region)")
    explain.add_argument("--region", help="a region id or `all` (default: `all`, or the only region built)")

    diff = commands.add_parser(
        "diff", help="what changed, figure by figure: between two outputs folders, builds or periods",
        description="Compare built reports from their figures.json and manifest.json (nothing is rebuilt): "
                    "`diff OLD NEW` two outputs folders; `diff` each report against its previous build (its "
                    "history/); `diff --periods P1 P2` one period against another, region by region. Prints, per "
                    "report that differs, the figures that moved (old → new, Δ, Δ %), the input files and the "
                    "narratives that changed. Exit status 0: nothing moved; 1: something did; 2: a usage or input error.")
    diff.error = _usage_error  # type: ignore[method-assign]
    diff.add_argument("folders", nargs="*", type=Path, metavar="OLD NEW", help="two outputs folders to compare")
    diff.add_argument("--outputs", type=Path, help=BUILT_HELP.format(""))
    diff.add_argument("--periods", nargs=2, metavar=("P1", "P2"), help="compare period P2 with period P1, region by region")
    diff.add_argument("--html", type=Path, metavar="FILE", help="also write the differences as a page")
    _add_authoring(commands)
    args, extra = parser.parse_known_args(argv)
    if extra:
        (_usage_error if args.command == "diff" else parser.error)(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _add_authoring(commands: argparse._SubParsersAction) -> None:
    """`init` (a new grant's inputs folder) and `figures` (what a narrative may name)."""
    init = commands.add_parser(
        "init", help="write a new grant's inputs folder: grant.yml, every table, an example narrative",
        description="Write a skeleton inputs folder in DIR: grant.yml with every key explained (placeholders "
                    "marked ЗАМЕНИТЕ, or АУЫСТЫРЫҢЫЗ in Kazakh), each table as an .xlsx with its Russian (with "
                    "--language kk, Kazakh) header row, and an example narrative. DIR must be new or empty; "
                    "nothing is overwritten. Then `validate --inputs DIR` lists what is still missing.")
    init.add_argument("folder", type=Path, metavar="DIR", help="the new inputs folder")
    init.add_argument("--language", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
                      help="the language of its comments, header rows and example narrative, and of its reports "
                           "(grant.yml's `language:`; default: ru)")
    figures = commands.add_parser(
        "figures", help="every figure name a narrative may use, with its meaning and value once built",
        description="List the figures of a period x region report: names (the catalogue's patterns expanded "
                    "for this grant), meanings, and values as the report shows them when it is built in "
                    "--outputs. In a narrative, a figure is {{ fig(\"name\") }}.")
    figures.add_argument("--inputs", type=Path, default=paths.DEFAULT_INPUTS, help=INPUTS_HELP)
    figures.add_argument("--outputs", type=Path, default=paths.DEFAULT_OUTPUTS,
                         help=BUILT_HELP.format(", for the values"))
    figures.add_argument("--period", help="a period id (default: the last period built, else the last of grant.yml)")
    figures.add_argument("--region", help="a region id or `all` (default: `all`)")


def command_init(args: argparse.Namespace) -> int:
    written = app.init(args.folder, args.language)
    _err(f"{args.folder}: wrote {len(written)} files; fill them in, then "
         f"`python -m pipeline validate --inputs {args.folder}` lists what is still missing")
    return 0


def command_figures(args: argparse.Namespace) -> int:
    lines, notes = app.figures(args.inputs, args.outputs, args.period, args.region)
    for note in notes:
        _err(note)
    _print_lines(lines)
    return 0


def _err(text: str) -> None:
    """A line (or lines) for the user on stderr, printable: a control character in it (from
    the inputs: an id, a file name, a cell) is shown escaped, never obeyed by the terminal."""
    print(printable(text, keep_lines=True), file=sys.stderr)


def _usage_error(message: str) -> NoReturn:
    """`diff`'s usage errors: one line and exit status 2 (argparse's own prints the usage too)."""
    _err(f"python -m pipeline diff: {message}")
    sys.exit(2)


def _formats(text: str) -> tuple[str, ...]:
    return app.check_formats(tuple(f.strip() for f in text.split(",") if f.strip()), text)


def command_run(args: argparse.Namespace, err: Console) -> int:
    request = app.RunRequest(
        inputs=args.inputs, outputs=args.outputs, periods=_split(args.period), regions=_split(args.region),
        formats=_formats(args.format), jobs=args.jobs, scheduler=args.scheduler, force=args.force,
        cell_timeout=args.cell_timeout, language=args.language)
    bar = _ProgressBar(err, args.quiet)
    try:
        outcome = app.run(request, bar.update, _err)
    finally:
        bar.close()
    results, failures = outcome.results, outcome.failures
    skipped = sum(r.skipped for r in results)
    if not args.quiet:
        _err(f"{len(results) - len(failures)} of {len(results)} reports up to date in {args.outputs} "
             f"({len(results) - len(failures) - skipped} built, {skipped} unchanged)")
        _print_warnings(outcome.warnings)
    for failure in failures:
        _err(f"FAILED {failure.error} (executed notebooks kept in {failure.folder})")
    return 1 if failures else 0


class _ProgressBar:
    """Reports done of reports asked for, shown from the first report settled or built (an
    unchanged rerun, settled at once, shows none)."""

    def __init__(self, console: Console, quiet: bool):
        self._console, self._quiet = console, quiet
        self._progress: Progress | None = None

    def update(self, done: int, total: int) -> None:
        if self._progress is None:
            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), console=self._console, disable=self._quiet)
            self._progress.start()
            self._task = self._progress.add_task("reports", total=total)
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def command_validate(args: argparse.Namespace, out: Console) -> int:
    """Every problem (stderr, one line each), every warning (stderr), then the summary of what
    each table gave and the verdict (stdout): the whole to-do list in one round."""
    from pipeline.inputs.datawarning import plural  # validating imports the inputs' modules anyway

    checked = app.validate(args.inputs)
    for line in checked.lines():
        _err(line)
    _print_warnings(checked.warnings)
    summary = checked.summary_lines()
    if summary:
        _say(out, "read from the inputs folder:")
        for line in summary:
            _say(out, f"  {line}")
    if not checked.ok:
        _say(out, f"{args.inputs}: {plural(len(checked.problems), 'problem', 'problems')} (listed above)")
        return 1
    warned = f" ({plural(len(checked.warnings), 'warning', 'warnings')})" if checked.warnings else ""
    _say(out, f"{args.inputs}: inputs are valid{warned}")
    return 0


def _say(out: Console, text: str) -> None:
    """A line as it is, whatever it holds (no markup, emoji codes or highlighting) and never
    wrapped, so that a CI log keeps it whole."""
    out.print(printable(text), markup=False, highlight=False, emoji=False, soft_wrap=True)


def _print_warnings(warnings: list) -> None:
    for warning in warnings:
        _err(f"warning: {warning}")


def command_verify(args: argparse.Namespace) -> int:
    """Exit status 0: every input and figure agrees; 1: something differs; 2: a report cannot be
    verified (a manifest that names a path outside its folders, a damaged one: one line)."""
    try:
        checked, lines = app.verify(args.outputs, _split(args.period), _split(args.region), args.jobs, args.inputs)
    except (PipelineError, OSError) as error:
        _print_error(error)
        return 2
    for line in lines:
        print(printable(line))
    _err(f"verified {checked} reports: " + ("all inputs and figures agree" if not lines
                                            else f"{len(lines)} differences"))
    return 1 if lines else 0


def command_explain(args: argparse.Namespace) -> int:
    _print_lines(app.explain(args.outputs, args.name, args.period, args.region))
    return 0


def _print_lines(lines: list[str]) -> None:
    try:
        print(printable("\n".join(lines), keep_lines=True), flush=True)
    except BrokenPipeError:  # `explain … | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def command_diff(args: argparse.Namespace) -> int:
    try:
        changed, lines = app.diff(args.folders, args.outputs, args.periods, args.html)
    except (PipelineError, OSError) as error:  # a usage or input error: one line, exit status 2
        _print_error(error)
        return 2
    if lines:
        _print_lines(lines)
    return 1 if changed else 0


def _print_error(error: PipelineError | OSError) -> None:
    """A user-facing error, without a traceback: its lines; an OS error (a full disk, a folder
    that cannot be written) as what and where, one line."""
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        _err(f"{where}{error.strerror or error}")
        return
    for line in str(error).splitlines():
        _err(line)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    err = Console(stderr=True, highlight=False)
    try:
        if args.command == "run":
            return command_run(args, err)
        if args.command == "verify":
            return command_verify(args)
        if args.command == "explain":
            return command_explain(args)
        if args.command == "diff":
            return command_diff(args)
        if args.command == "init":
            return command_init(args)
        if args.command == "figures":
            return command_figures(args)
        return command_validate(args, Console(highlight=False))
    except (PipelineError, OSError) as error:
        _print_error(error)
        return 1
    except KeyboardInterrupt:
        local.quiet_interrupt()
        _err("interrupted: finished reports are kept, unfinished ones were not written")
        return 130
