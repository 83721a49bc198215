"""What the commands do, called by `cli` with plain values: build the grid, validate, verify.

Only what settling an unchanged rerun needs is imported at the top (no pandas, no inputs
read): the rest is imported where the inputs are read (`validation`, `scope`, `fingerprints`)
or a report is built (papermill, nbconvert and the Jupyter client: `builder`, `cluster`,
`verification`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import disk, paths
from pipeline.assembly import index_page
from pipeline.exceptions import PipelineError
from pipeline.executors import Executor, local
from pipeline.executors.early import EarlyKernel
from pipeline.incremental import grid, ledger
from pipeline.inputs import folder
from pipeline.language import DEFAULT as DEFAULT_LANGUAGE

if TYPE_CHECKING:
    from pipeline.inputs.datawarning import DataWarning
    from pipeline.inputs.validation import Validation, ValidInputs

#: The report's formats a run can write (`paths.REPORT_FILES`), all of them by default: the Word
#: document costs about a tenth of the PDF's time (bench/README.md).
FORMATS = ("html", "pdf", "docx")


@dataclass(frozen=True)
class RunRequest:
    """One `run`: which reports, from where to where, how."""

    inputs: Path
    outputs: Path
    periods: list[str] = field(default_factory=list)   # empty: every period of grant.yml
    regions: list[str] = field(default_factory=list)   # empty: every region and `all`
    formats: tuple[str, ...] = FORMATS
    jobs: int = 1
    scheduler: str | None = None
    force: bool = False
    cell_timeout: int | None = 600
    #: The reports' language for this run (`run --language`); None: grant.yml's `language:`.
    language: str | None = None


@dataclass
class RunOutcome:
    results: list[grid.ReportResult]
    warnings: list[str]
    #: The inputs folder's file keys the run went by (`inputs.folder.hashes`).
    hashes: dict[str, str] | None = None

    @property
    def failures(self) -> list[grid.ReportResult]:
        return [r for r in self.results if not r.ok]


def check_formats(chosen: tuple[str, ...], text: str) -> tuple[str, ...]:
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise PipelineError(f"--format: unknown format «{', '.join(unknown) or text}» (known: {', '.join(FORMATS)})")
    return chosen


def check_folders(inputs: Path, folder: Path) -> None:
    """The outputs folder can be made and written, and is neither inside the inputs folder nor
    holds it, before any work (and without creating it: invalid inputs leave no trace)."""
    outside, inside = Path(inputs).resolve(), Path(folder).resolve()
    if inside.is_relative_to(outside) or outside.is_relative_to(inside):
        raise PipelineError(f"{folder}: the outputs folder may not be inside the inputs folder {inputs}, "
                            "nor hold it (the reports would become inputs): choose another --outputs")
    existing = folder.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise PipelineError(f"{folder}: the outputs folder cannot be made here ({existing} is not a folder)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PipelineError(f"{folder}: the outputs folder cannot be written ({existing}: permission denied)")


def run(request: RunRequest, progress: Callable[[int, int], None] = lambda done, total: None,
        notice: Callable[[str], None] = lambda line: None) -> RunOutcome:
    """Bring every requested report up to date; write the reviewers' index. `progress(done,
    total)` is told as reports are settled or built; `notice(line)` what the user should know
    while it waits (another run holding the outputs folder)."""
    check_folders(request.inputs, request.outputs)
    with outputs_lock(request.outputs, notice):
        grid.restore_swapped(request.outputs)
        settled = None if request.force else _unchanged(request)
        outcome = settled if settled is not None else _validate_and_build(request, progress)
        for result in outcome.results:  # a failure kept from an earlier run no longer stands for these
            if result.skipped:
                shutil.rmtree(grid.failed_dir(result.folder), ignore_errors=True)
        # Last, so that a killed run's processes have long finished dying.
        grid.clean_stale(request.outputs)
        index_page.write_index(request.outputs, outcome.results, outcome.hashes)
    return outcome


@contextmanager
def outputs_lock(outputs: Path, notice: Callable[[str], None]) -> Iterator[None]:
    """One run at a time on an outputs folder: a second run waits, saying so once, until the
    first has finished (an OS lock in the temp folder, released when its process ends, however
    it ends; kept out of the outputs folder, which invalid inputs must leave unmade)."""
    from filelock import FileLock, Timeout

    name = disk.digest_of_text(str(Path(outputs).resolve()))[:16]
    lock = FileLock(Path(tempfile.gettempdir()) / f"grant-report-outputs-{name}.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        notice(f"{outputs}: another run is writing this outputs folder; waiting for it to finish")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _unchanged(request: RunRequest) -> RunOutcome | None:
    """When every file of the inputs folder hashes as when it was last validated, under the
    same code, and every requested report's folder holds the build made from them: the
    results and the warnings kept, with nothing read, validated or started. Else None."""
    hashes = folder.hashes(request.inputs)
    checked = ledger.recall(request.outputs, hashes)
    if not checked:
        return None
    periods, regions = request.periods or checked["periods"], request.regions or checked["regions"]
    if not (set(periods) <= set(checked["periods"]) and set(regions) <= set(checked["regions"])):
        return None  # the long way names the unknown id
    snapshot = ledger.snapshot_key(hashes, paths.section_notebooks(), request.formats, request.language)
    jobs = grid.plan_jobs(periods, regions)
    if not all(grid.unchanged(job, checked, snapshot, request.outputs) for job in jobs):
        return None
    return RunOutcome([_kept(job, request.outputs) for job in jobs], checked["warnings"], hashes)


def _kept(job: grid.ReportJob, outputs: Path, key: str | None = None) -> grid.ReportResult:
    return grid.ReportResult(job, paths.report_dir(outputs, job.period, job.region), skipped=True, key=key)


def _validate_and_build(request: RunRequest, progress: Callable[[int, int], None]) -> RunOutcome:
    """Read and validate the inputs, build the reports whose data changed, and keep what
    validating told for the next run (`ledger.remember`)."""
    wanted = EarlyKernel.wanted(request.periods, request.regions, request.scheduler)
    early = EarlyKernel(request.inputs) if wanted else None
    try:
        return _validate_and_build_with(request, progress, early)
    finally:
        if early is not None:
            early.close()


def _validate_and_build_with(request: RunRequest, progress: Callable[[int, int], None],
                             early: EarlyKernel | None) -> RunOutcome:
    from pipeline.figures.scope import make_scope
    from pipeline.incremental import fingerprints
    from pipeline.inputs import untranslated
    from pipeline.inputs.loading import in_language

    inputs, notes = validated(request.inputs)
    if request.language is not None and request.language != inputs.grant.language:  # its notes in that language
        inputs = in_language(inputs, request.language)
        notes = [note for note in notes if note.code != untranslated.CODE] + untranslated.lacking_kazakh(inputs)
    all_periods, all_regions = inputs.grant.period_ids(), inputs.grant.region_ids() + [grid.ALL]
    periods, regions = request.periods or all_periods, request.regions or all_regions
    for period in periods:
        for region in regions:
            make_scope(inputs.grant, period, region)
    jobs = grid.plan_jobs(periods, regions)
    # Up-to-date reports are settled here, so that a worker or kernel starts only for the others.
    fresh = {} if request.force else {j: fingerprints.current_key(j, inputs, request.outputs, request.formats)
                                      for j in jobs}
    fresh = {job: key for job, key in fresh.items() if key}
    done = len(fresh)
    progress(done, len(jobs))

    def advance(_result: grid.ReportResult) -> None:
        nonlocal done
        done += 1
        progress(done, len(jobs))

    stale = grid.build_order(j for j in jobs if j not in fresh)
    built = dict(zip(stale, _build(stale, inputs, request, advance, early), strict=True))
    results = [built.get(j) or _kept(j, request.outputs, fresh[j]) for j in jobs]
    warnings = [str(w) for w in notes]
    snapshot = ledger.snapshot_key(inputs.hashes, paths.section_notebooks(), request.formats, request.language)
    others = _still_current(inputs, request.outputs, [j for j in grid.plan_jobs(all_periods, all_regions) if j not in jobs],
                            request.language)
    ledger.remember(request.outputs, inputs.hashes, all_periods, all_regions, warnings,
                    {**others, **{r.job.label: {"snapshot": snapshot, "report": r.key} for r in results if r.ok and r.key}},
                    names=index_page.names_of(inputs))
    return RunOutcome(results, warnings, inputs.hashes)


def _still_current(inputs: ValidInputs, outputs: Path, others: list[grid.ReportJob],
                   language: str | None = None) -> dict[str, dict]:
    """The built reports of the grid a run did not ask for that it would build as they are
    (`fingerprints.current_key`, in the formats each was built in), as the ledger keeps a
    report's build: so that the dashboard marks the others, and only those, out of date
    (`index_page`), and a later run asking for them settles them without reading the inputs."""
    from pipeline.incremental import fingerprints

    notebooks, found = paths.section_notebooks(), {}
    for job in others:
        formats = tuple(sorted(ledger.last_manifest(paths.report_dir(outputs, job.period, job.region))
                               .get("build", {}).get("formats", [])))
        key = fingerprints.current_key(job, inputs, outputs, formats) if formats else None
        if key:
            found[job.label] = {"snapshot": ledger.snapshot_key(inputs.hashes, notebooks, formats, language),
                                "report": key}
    return found


def _build(stale: list[grid.ReportJob], inputs: ValidInputs, request: RunRequest,
           on_result: Callable[[grid.ReportResult], None], early: EarlyKernel | None = None) -> list[grid.ReportResult]:
    """Build the stale reports with the chosen executor (nothing is imported or started for
    none); a single one in the kernel started `early`, if there is one."""
    if not stale:
        return []
    with _executor(request, inputs, len(stale), early) as executor:
        return executor.run(stale, on_result)


@contextmanager
def _executor(request: RunRequest, inputs: ValidInputs, count: int, early: EarlyKernel | None) -> Iterator[Executor]:
    """The cluster's at `--scheduler`, else this machine's (`local.building`)."""
    if request.scheduler:
        from pipeline.executors import cluster

        yield cluster.DaskExecutor(request.scheduler, inputs, request.outputs, request.formats)
        return
    with local.building(inputs, request.outputs, request.formats, jobs=request.jobs, count=count,
                        force=request.force, cell_timeout=request.cell_timeout, early=early) as executor:
        yield executor


def validate(inputs: Path) -> Validation:
    """Read and check an inputs folder: every problem and every data warning; the narratives
    too (`narratives.check`: their encoding, their templates, the figures they name, which need
    valid tables; before, `check_early` against the catalogue's patterns), and so the figures
    grant.yml's `indicators:` name (`formindicators.check`, `check_early`), and a warning for a
    file no report reads."""
    from pipeline.figures.declarations import PeriodFigures
    from pipeline.inputs import untranslated, validation
    from pipeline.notebook import formindicators, narratives

    checked = validation.validate(inputs)
    if checked.ok and checked.inputs is not None:
        figures = PeriodFigures(checked.inputs)  # computed once for the narratives and the indicators
        problems, unused = narratives.check(checked.inputs, figures)
        problems = [*formindicators.check(checked.inputs, figures), *problems]
        read_past = [w for w in checked.warnings if w.code == "inputs.unknown_file"]
        checked.problems, checked.warnings = problems, read_past if problems else [
            *checked.warnings, *unused, *untranslated.lacking_kazakh(checked.inputs)]
    else:  # the tables' problems first, then what the narratives already show
        checked.problems = [*checked.problems, *formindicators.check_early(inputs), *narratives.check_early(inputs)]
    _add_todo(checked, inputs)
    return checked


def _add_todo(checked: Validation, inputs: Path) -> None:
    """What a folder `init` wrote still lacks (`skeleton.todo`: grant.yml's placeholders, an
    empty plan, the example narrative) comes first among the problems; once there is none, a
    table file without a row is a warning."""
    from pipeline.authoring import skeleton

    todo = skeleton.todo(inputs, checked.inputs)
    if todo:
        checked.problems, checked.warnings = [*todo, *checked.problems], []
    elif checked.ok and checked.inputs is not None:
        checked.warnings = [*checked.warnings, *skeleton.empty_tables(checked.inputs)]


def validated(inputs: Path) -> tuple[ValidInputs, list[DataWarning]]:
    """The inputs read and their data warnings; every problem raised at once (`InputProblems`)."""
    from pipeline.inputs.grant import InputProblems

    checked = validate(inputs)
    if not checked.ok or checked.inputs is None:
        raise InputProblems(checked.problems)
    return checked.inputs, checked.warnings


def verify(outputs: Path, periods: list[str], regions: list[str], jobs: int,
           inputs: Path | None = None) -> tuple[int, list[str]]:
    """Re-execute every built report asked for aside, against `inputs` (else the inputs folder
    each manifest names, when relative and inside the current folder): how many were checked,
    and one line per input file that changed and per figure that moved. Every manifest is
    checked before any input is read (`verification.prepare`: a PipelineError of one line)."""
    from pipeline.assembly import verification

    folders = verification.built_reports(outputs, periods, regions)
    if not folders:
        raise PipelineError(f"{outputs}: no built report to verify (run `python -m pipeline run` first)")
    checks = [verification.prepare(folder, inputs) for folder in folders]
    findings = local.run_tasks(verification.verify_report, checks, jobs)
    return len(checks), [line for found in findings for line in found]


def explain(outputs: Path, name: str, period: str | None = None, region: str | None = None) -> list[str]:
    """One figure of a built report, from its manifest (nothing rebuilt, no input read): its
    meaning, rule, value as shown, cell and rows as `file:row` (`assembly.explaining`)."""
    from pipeline.assembly import explaining

    return explaining.explain(outputs, name, period or last_built_period(outputs, region), region)


def last_built_period(outputs: Path, region: str | None = None) -> str | None:
    """The last period built for `region` (else `all`, else any region): the last in grant.yml's
    order as the last run kept it (`ledger`), else the one whose report was written last; None
    when none is built. `explain` and `figures` default their period to it."""
    from pipeline.assembly.explaining import MANIFEST, built_reports

    built = built_reports(outputs)
    of_region = [(p, r) for p, r in built if r == (region or grid.ALL)] or [(p, r) for p, r in built if region is None]
    if not of_region:
        return None
    try:
        order = json.loads((Path(outputs) / ledger.CHECKED).read_text(encoding="utf-8"))["periods"]
    except (OSError, ValueError, KeyError, TypeError):
        order = []
    ranks = {period: i for i, period in enumerate(order)} if isinstance(order, list) else {}
    written = {(p, r): (Path(outputs) / p / r / MANIFEST).stat().st_mtime_ns for p, r in of_region}
    return max(of_region, key=lambda report: (ranks.get(report[0], -1), written[report]))[0]


def diff(folders: list[Path], outputs: Path | None = None, periods: list[str] | None = None,
         html: Path | None = None) -> tuple[bool, list[str]]:
    """What changed, figure by figure (`assembly.diffing`): two outputs folders (`folders`, OLD
    and NEW), else each report of `outputs` against its previous build, or, with `periods`,
    the second period against the first, region by region. Whether anything differs, and the
    lines to print; `html`, a page of the same. Reads JSON only (no inputs, no pandas)."""
    from pipeline.assembly import diffing, history

    if folders and (outputs is not None or periods):
        raise PipelineError("diff: give two outputs folders (OLD NEW), or --outputs and --periods, not both")
    if folders and len(folders) != 2:
        raise PipelineError(f"diff: OLD NEW are two outputs folders ({len(folders)} given)")
    if periods is not None and len(periods) != 2:
        raise PipelineError(f"diff: --periods takes two period ids, P1 P2 ({len(periods)} given)")
    out = paths.DEFAULT_OUTPUTS if outputs is None else outputs
    comparison = (diffing.between_folders(*folders) if folders else
                  diffing.between_periods(out, *periods) if periods else history.against_history(out))
    if html is not None:
        diffing.write_page(comparison, html)
    return comparison.changed, comparison.lines()


def init(folder: Path, language: str = DEFAULT_LANGUAGE) -> list[Path]:
    """A new grant's inputs folder (`authoring.skeleton`) in `language`: the files written. A
    folder that exists and is not empty is refused; nothing is overwritten."""
    from pipeline.authoring import skeleton

    return skeleton.write_skeleton(folder, language)


def figures(inputs: Path, outputs: Path, period: str | None = None, region: str | None = None) -> tuple[list[str], list[str]]:
    """Every figure a narrative of the period x region report may name, with its meaning and
    its value when built (`authoring.listing`): the lines to print, and the notes for stderr."""
    from pipeline.authoring import listing

    found = listing.list_figures(inputs, outputs, period or last_built_period(outputs, region), region)
    return found.lines(), found.notes
