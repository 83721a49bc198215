"""Building one report of the grid: every section notebook in one kernel, then its products.

Each report is built in a staging folder beside its final place and swapped in only when
complete, so a failed or interrupted build never leaves a half-written report behind.
How the grid is spread over workers is the executors' job (pipeline.executors.local).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import nbformat
import papermill as pm
from nbclient.exceptions import CellTimeoutError
from papermill.execute import raise_for_execution_errors
from papermill.translators import PythonTranslator, papermill_translators

from pipeline import disk, paths
from pipeline.assembly import history, kernels, pdf, provenance, stitching, word
from pipeline.exceptions import ExecutionError, NarrativeError, PipelineError, printable
from pipeline.figures import blocks, catalogue
from pipeline.figures.scope import Selection, make_scope, row_counts, select
from pipeline.incremental import fingerprints, ledger
from pipeline.incremental.grid import ReportJob, ReportResult, failed_dir, swapped_out
from pipeline.inputs import sharing
from pipeline.inputs.loading import Inputs
from pipeline.language import tr
from pipeline.notebook import narratives, placing, recording, views

#: What a build measures (seconds per notebook; on a cluster, the worker): the one file of a
#: report folder that differs between two builds of the same inputs, so kept out of the manifest
#: (and of report.pdf, which carries the manifest), of `verify` and of the history.
RUN = "run.json"


class ReadablePythonTranslator(PythonTranslator):
    """Injects string parameters as Python literals that keep Cyrillic readable
    (papermill's default writes "\\u0410…" escapes into the reviewers' notebooks)."""

    @classmethod
    def translate_str(cls, val: str) -> str:
        return repr(val)


@lru_cache(maxsize=1)
def set_up_papermill() -> None:
    """Once per process, before the first notebook: parameters injected readably, and
    papermill's own logging quiet (failures are summarised by the run itself)."""
    papermill_translators.register("python", ReadablePythonTranslator)
    for name in ("papermill", "traitlets", "nbclient"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def parameters(job: ReportJob) -> dict[str, str]:
    """What a section notebook is given: the report's period and region, and its inputs folder
    as `.`, the kernel's working directory (`kernels.ReportKernel`): no folder of the machine."""
    return {"period": job.period, "region": job.region, "inputs": "."}


def execute_section(source: Path, target: Path, job: ReportJob, kernel: kernels.ReportKernel,
                    cell_timeout: int | None = None) -> float:
    """Execute one section notebook with the job's parameters in the report's kernel (which
    runs in the inputs folder); seconds taken. The executed notebook is kept as `settle` makes it."""
    set_up_papermill()
    started = time.perf_counter()
    try:
        pm.execute_notebook(
            str(source), str(target), parameters=parameters(job),
            engine_name=kernels.ENGINE, report_kernel=kernel, kernel_name=kernels.KERNEL_NAME,
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            execution_timeout=cell_timeout, written_on_timeout=str(target),
        )
    except pm.PapermillExecutionError as error:
        raise ExecutionError(f"{job.label}: {source.name} cell {error.cell_index}: "
                             f"{error.ename}: {_first_line(error.evalue)}") from None
    except CellTimeoutError as error:
        index = mark_timeout(target, _first_line(str(error)))
        raise ExecutionError(f"{job.label}: {source.name} cell {index}: CellTimeoutError: "
                             f"{_first_line(str(error))}") from None
    finally:
        if target.is_file():
            settle(target, source.name)
    return time.perf_counter() - started


#: What papermill and nbclient record of the clock, in a notebook's and its cells' metadata.
CLOCK_KEYS = ("start_time", "end_time", "duration")
#: The id of the cell of injected parameters (papermill gives it a random one).
INJECTED = "injected-parameters"


def settle(path: Path, name: str) -> None:
    """An executed notebook as a build keeps it: the same bytes wherever and whenever it ran.
    papermill records the machine's paths of the section notebook and of the report's staging
    folder, the clock (when each cell started and ended; nbclient too) and a random id for the
    cell of injected parameters: the paths become `notebooks/NAME` (in the project; in the
    report folder), the clock goes (a build's timings are in its run.json), the id is
    `injected-parameters`. Written printable (`disk.safe_json`), as nbformat writes a notebook
    (papermill has just written it so: read and written again as plain JSON, not converted)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    record = notebook["metadata"].get("papermill", {})
    for key in CLOCK_KEYS:
        record.pop(key, None)
    if "input_path" in record:
        record["input_path"] = record["output_path"] = f"notebooks/{name}"
    for cell in notebook["cells"]:
        metadata = cell.setdefault("metadata", {})
        metadata.pop("execution", None)
        for key in CLOCK_KEYS:
            metadata.get("papermill", {}).pop(key, None)
        if INJECTED in metadata.get("tags", []):
            cell["id"] = INJECTED
    text = json.dumps(notebook, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)
    disk.write_text(path, disk.safe_json(text) + "\n")


def mark_timeout(path: Path, message: str) -> int | None:
    """Give a notebook whose cell timed out the error banner papermill gives a raising cell
    (nbclient's timeout leaves none): an error output on the cell, the red banner on top."""
    notebook = nbformat.read(path, as_version=4)
    started = [i for i, c in enumerate(notebook.cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return None
    index = started[-1]  # execution stops at the cell that timed out: the last one started
    cell = notebook.cells[index]
    cell.outputs.append(nbformat.v4.new_output("error", ename="CellTimeoutError", evalue=message, traceback=[]))
    cell.metadata.papermill.update(status="failed", exception=True)
    try:
        raise_for_execution_errors(notebook, str(path))
    except pm.PapermillExecutionError:
        pass
    return index


def _first_line(text: str) -> str:
    return str(text).strip().splitlines()[0] if str(text).strip() else ""


def collect_figures(notebooks: Mapping[Path, Mapping]) -> tuple[dict[str, object], dict[str, list[dict]]]:
    """Every figure of the executed notebooks (path → JSON), in section order, and the rows
    each was computed from; a name glued twice is an error."""
    figures: dict[str, object] = {}
    rows: dict[str, list[dict]] = {}
    for path, notebook in notebooks.items():
        found, traced = recording.read_scraps(notebook)
        for name, value in found.items():
            if name in figures:
                raise ExecutionError(f"{path.name}: figure «{name}» is glued by two notebooks")
            figures[name] = value
        rows.update(traced)
    return figures, rows


def swap_in(staging: Path, final: Path) -> None:
    """Replace `final` by `staging` with renames, keeping the old build until the new one is in;
    a failed build of the same report from an earlier run is then out of date. The old build's
    history, and the old build itself when the new one differs, go into `staging` first
    (`history.carry`, which only reads the old folder). A run killed between the two renames
    leaves the old build as `.<region>.old-<pid>`, which the next run puts back
    (`grid.restore_swapped`) when no build took its place."""
    old = swapped_out(final, os.getpid())
    if final.exists():
        history.carry(final, staging)
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(failed_dir(final), ignore_errors=True)


def keep_failed(staging: Path, final: Path, result: ReportResult) -> Path:
    """Keep a failed build's executed notebooks and its error beside the good build (which
    stays untouched). On a disk that cannot take them (full, read-only) the staging folder is
    removed instead, and the error says so."""
    failed = failed_dir(final)
    try:
        staging.mkdir(parents=True, exist_ok=True)
        disk.write_text(staging / "error.txt", f"{result.error}\n")
        shutil.rmtree(failed, ignore_errors=True)
        staging.rename(failed)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        result.error = f"{result.error} (nothing kept of the failed build: {error.strerror or error})"
    return failed


def build_report(job: ReportJob, inputs: Inputs, outputs: Path, formats: tuple[str, ...],
                 notebooks: list[Path] | None = None, force: bool = False,
                 cell_timeout: int | None = None, shared_inputs: Path | None = None,
                 kernel: kernels.ReportKernel | None = None, inputs_name: str | None = None) -> ReportResult:
    """Bring one report up to date: reuse what its last build made from the same content,
    execute the rest in one kernel, then write figures.json, the report and the manifest.
    `shared_inputs` (from `sharing.publish`) spares the kernel reading the inputs again;
    `kernel`, one started already in the inputs folder (its caller shuts it down), spares
    starting one; `inputs_name`, the inputs folder as the manifest names it
    (`provenance.inputs_name`; None: not named)."""
    final = paths.report_dir(outputs, job.period, job.region)
    if kernel is not None and kernel.folder != inputs.root.resolve():
        raise PipelineError(f"{job.label}: the kernel given runs in another folder than the inputs")
    notebooks = notebooks or paths.section_notebooks()
    selection = select(inputs, make_scope(inputs.grant, job.period, job.region))
    keys = fingerprints.build_keys(inputs, selection, notebooks, formats)
    result = ReportResult(job, final)
    last = {} if force else ledger.last_manifest(final)
    if not force and fingerprints.up_to_date(final, keys, last):
        result.skipped, result.key = True, keys["report"]
        return result
    stitching.warm_up(notebooks[0])  # while the notebooks run: see `warmup`
    if "pdf" in formats:
        pdf.warm_up()
    staging = final.with_name(f".{final.name}.building-{os.getpid()}-{threading.get_ident()}")
    seconds_before = (disk.read_json_object(final / RUN) or {}).get("seconds") if last else None
    previous: dict[str, float] = seconds_before if isinstance(seconds_before, dict) else {}
    given = kernel
    executed: list[Path] = []
    try:
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "notebooks").mkdir(parents=True)
        for source in notebooks:
            target = staging / "notebooks" / source.name
            executed.append(target)
            cached = fingerprints.reusable_notebook(final, source.name, keys, last)
            if cached is not None:
                shutil.copy2(cached, target)
                result.timings[source.name] = previous.get(source.name, 0.0)
            else:
                kernel = kernel or kernels.ReportKernel(sharing.environment(shared_inputs), folder=inputs.root)
                seconds = execute_section(source, target, job, kernel, cell_timeout)
                result.timings[source.name] = round(seconds, 3)
        write_products(staging, job, inputs, selection, executed, formats, keys, notebooks, inputs_name)
        disk.write_json(staging / RUN, {"seconds": result.timings})
        swap_in(staging, final)
        result.key = keys["report"]
    except Exception as error:  # one report's failure, whatever it is, must not stop the others
        result.error = str(error) if isinstance(error, PipelineError) else \
            f"{job.label}: {type(error).__name__}: {_first_line(str(error))}"
        result.folder = keep_failed(staging, final, result)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if kernel is not None and kernel is not given:
            kernel.shutdown()
    return result


def write_products(folder: Path, job: ReportJob, inputs: Inputs, selection: Selection, executed: list[Path],
                   formats: tuple[str, ...], keys: dict, notebooks: list[Path],
                   inputs_name: str | None = None) -> dict[str, object]:
    """figures.json, the manifest, the report and its evidence in each format (`write_pages`) and
    the reviewers' notebook pages. The two JSON files come first: report.pdf carries them inside,
    the very files beside it (the manifest records inputs, code and figures, nothing of the
    reports it is attached to, nor of the machine or the clock: two builds of the same inputs
    write the same bytes, wherever the folders are; what a build measures goes to run.json)."""
    # Each executed notebook is read once, for its figures, their cells, the report and its page.
    notebooks_json = {path: recording.executed(path) for path in executed}
    figures, rows = collect_figures(notebooks_json)
    disk.write_json(folder / "figures.json", figures)
    input_entries = provenance.file_entries(inputs.files, inputs.root, inputs.hashes, inputs.shown.path)
    traced = provenance.figure_provenance(figures, provenance.glue_locations(notebooks_json), inputs.root,
                                         row_counts(selection), input_entries, rows, inputs.shown.path,
                                         catalogue.grant_names(inputs.grant, selection.topics, inputs.grant.language),
                                         inputs.grant.language)
    disk.write_json(folder / "manifest.json", {
        "period": job.period, "region": job.region,
        "parameters": {"period": job.period, "region": job.region, "inputs": inputs_name},
        "inputs": input_entries,
        "notebooks": provenance.file_entries(notebooks, notebooks[0].parent),
        "template": provenance.file_entries(sorted(paths.NBCONVERT_TEMPLATES_DIR.rglob("*.*")), paths.TEMPLATES_DIR),
        "versions": ledger.versions(),
        "build": keys,
        "figures": traced,
    })
    fill = narratives_filler(inputs, selection, figures)
    try:
        if formats:
            write_pages(folder, job, inputs, selection, notebooks_json, views.registry(traced, inputs.grant.language),
                        fill, formats)
        for path, notebook in notebooks_json.items():
            page = stitching.notebook_html(notebook, views.page_title(inputs.grant, selection.scope), fill,
                                           inputs.grant.language)
            disk.write_text(path.with_suffix(".html"), page)
    except NarrativeError as error:  # a narrative filled with this report's figures: name the report
        raise NarrativeError(f"{job.label}: {error}") from None
    return figures


#: An executed notebook's part of a report folder (`metadata.grant_report.part`, written by
#: scripts/generate.py): the form (report.*, the default) or the evidence beside it (evidence.*).
EVIDENCE = "evidence"


def part(notebook: Mapping) -> str:
    return str(notebook.get("metadata", {}).get("grant_report", {}).get("part", "form"))


def write_pages(folder: Path, job: ReportJob, inputs: Inputs, selection: Selection, notebooks: Mapping[Path, Mapping],
                registry: str, fill: placing.Filler, formats: tuple[str, ...]) -> None:
    """The report in each format: the form (its sections' notebooks, linked to the evidence,
    ending with the signature), and the evidence page (the data notes and the registry of
    figures; as a PDF too when the report is one). One export through the report template
    serves every format: `pdf.ReportPDFExporter` and `word.ReportDocxExporter` are that same
    HTML export handed to WeasyPrint and python-docx (tests hold each exporter's page equal to
    this one). Every page is printable (`exceptions.printable`)."""
    title = views.page_title(inputs.grant, selection.scope)
    grantee = (inputs.grant.grantee.name,)
    language = inputs.grant.language
    form = stitching.merge([nb for nb in notebooks.values() if part(nb) != EVIDENCE],
                           preface=(views.evidence_link(language),), language=language)
    evidence = stitching.merge([nb for nb in notebooks.values() if part(nb) == EVIDENCE], appendices=(registry,),
                               preface=(views.evidence_heading(title, language),), language=language)
    page = printable(views.linked_to_evidence(fill(stitching.to_html(form, title, grantee, language))), keep_lines=True)
    evidence_title = tr(language, views.EVIDENCE_TITLE) % {"title": title}
    evidence_page = printable(fill(stitching.to_html(evidence, evidence_title, grantee, language)), keep_lines=True)
    if "html" in formats:
        disk.write_text(folder / paths.REPORT_FILES["html"], page)
    disk.write_text(folder / paths.EVIDENCE_FILES["html"], evidence_page)
    paper = views.without_row_lists(page)
    if "pdf" in formats:
        attached = [folder / name for name in pdf.ATTACHED]
        dated = inputs.grant.period(job.period).end  # the report's date: its period's end, never the clock
        (folder / paths.REPORT_FILES["pdf"]).write_bytes(pdf.html_to_pdf(paper, attachments=attached, date=dated))
        (folder / paths.EVIDENCE_FILES["pdf"]).write_bytes(
            pdf.html_to_pdf(views.without_row_lists(evidence_page), attachments=attached, date=dated))
    if "docx" in formats:
        (folder / paths.REPORT_FILES["docx"]).write_bytes(word.html_to_docx(paper))


def narratives_filler(inputs: Inputs, selection: Selection, figures: Mapping[str, object]) -> placing.Filler:
    """What fills the report's narratives: its period's and region's files, with the figures its
    notebooks recorded (the other regions' survey figures «—», `blocks.elsewhere`)."""
    scope = selection.scope
    return placing.Filler(inputs.root, scope.period, scope.region, figures, absent=blocks.elsewhere(selection),
                          values=narratives.template_values(inputs.grant, scope.period, scope.region),
                          language=inputs.grant.language)
