"""Running the grid of reports: every requested period x region, every section notebook.

Each report is built in a staging folder beside its final place and swapped in only when
complete, so a failed or interrupted build never leaves a half-written report behind.
Executors are swappable objects (serial, or a pool of threads driving kernels).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import papermill as pm
from papermill.translators import PythonTranslator, papermill_translators
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError
from traitlets import CaselessStrEnum, default

from pipeline import audit, paths, recording, stitching, views
from pipeline.exceptions import ExecutionError, PipelineError
from pipeline.loading import Inputs
from pipeline.scope import make_scope, row_counts, select

for _name in ("papermill", "traitlets", "nbclient"):
    logging.getLogger(_name).setLevel(logging.ERROR)


class ReadablePythonTranslator(PythonTranslator):
    """Injects string parameters as Python literals that keep Cyrillic readable
    (papermill's default writes "\\u0410…" escapes into the reviewers' notebooks)."""

    @classmethod
    def translate_str(cls, val: str) -> str:
        return repr(val)


papermill_translators.register("python", ReadablePythonTranslator)


class IPCKernelManager(AsyncKernelManager):
    """Kernels reached over local sockets (ipc), not TCP: nothing listens on the network,
    and the kernel does not warn about unencrypted TCP in every executed notebook."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    @default("ip")
    def _ip_default(self) -> str:
        # Socket files go to the temp folder (removed at shutdown), never into the user's folder.
        return os.path.join(tempfile.gettempdir(), f"grant-report-kernel-{uuid.uuid4().hex}-ipc")


@dataclass(frozen=True)
class ReportJob:
    """One report of the grid."""

    period: str
    region: str

    @property
    def label(self) -> str:
        return f"{self.period}/{self.region}"


@dataclass
class ReportResult:
    job: ReportJob
    folder: Path
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def plan_jobs(periods: Iterable[str], regions: Iterable[str]) -> list[ReportJob]:
    """The grid, declared: every period x every region."""
    return [ReportJob(p, r) for p in periods for r in regions]


def execute_section(source: Path, target: Path, job: ReportJob, inputs_dir: Path) -> float:
    """Execute one section notebook with the job's parameters; seconds taken."""
    started = time.perf_counter()
    try:
        pm.execute_notebook(
            str(source), str(target),
            parameters={"period": job.period, "region": job.region, "inputs": str(inputs_dir)},
            kernel_name="python3", progress_bar=False, log_output=False,
            shutdown_kernel="immediate",
            kernel_manager_class=IPCKernelManager,
        )
    except pm.PapermillExecutionError as error:
        raise ExecutionError(f"{job.label}: {source.name} cell {error.cell_index}: "
                             f"{error.ename}: {_first_line(error.evalue)}") from None
    except CellTimeoutError as error:
        raise ExecutionError(f"{job.label}: {source.name}: cell timed out ({_first_line(str(error))})") from None
    return time.perf_counter() - started


def _first_line(text: str) -> str:
    return str(text).strip().splitlines()[0] if str(text).strip() else ""


def collect_figures(notebooks: list[Path]) -> dict[str, object]:
    """Every scrap of the executed notebooks, in section order; a name glued twice is an error."""
    figures: dict[str, object] = {}
    for path in notebooks:
        for name, value in recording.read_figures(path).items():
            if name in figures:
                raise ExecutionError(f"{path.name}: figure «{name}» is glued by two notebooks")
            figures[name] = value
    return figures


def _swap_in(staging: Path, final: Path) -> None:
    """Replace `final` by `staging` with renames, keeping the old build until the new one is in."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def build_report(job: ReportJob, inputs: Inputs, outputs: Path, formats: tuple[str, ...],
                 on_notebook: Callable[[], None] = lambda: None) -> ReportResult:
    """Execute every section of one report, then write figures.json, the report and the manifest."""
    final = paths.report_dir(outputs, job.period, job.region)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{final.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "notebooks").mkdir(parents=True)
    result = ReportResult(job, final)
    executed: list[Path] = []
    try:
        for source in paths.section_notebooks():
            target = staging / "notebooks" / source.name
            executed.append(target)
            result.timings[source.name] = round(execute_section(source, target, job, inputs.root.resolve()), 3)
            on_notebook()
        write_products(staging, job, inputs, executed, formats, result.timings)
        _swap_in(staging, final)
    except PipelineError as error:
        result.error = str(error)
        (staging / "error.txt").write_text(result.error + "\n", encoding="utf-8")
        failed = final.with_name(f"{final.name}.failed")
        shutil.rmtree(failed, ignore_errors=True)
        staging.rename(failed)
        result.folder = failed
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    else:
        shutil.rmtree(final.with_name(f"{final.name}.failed"), ignore_errors=True)
    return result


def write_products(folder: Path, job: ReportJob, inputs: Inputs, executed: list[Path],
                   formats: tuple[str, ...], timings: dict[str, float]) -> dict[str, object]:
    """figures.json, the report in each format, the reviewers' notebook pages and the manifest."""
    figures = collect_figures(executed)
    audit.write_json(folder / "figures.json", figures)
    input_entries = audit.file_entries(inputs.files, inputs.root)
    selection = select(inputs, make_scope(inputs.grant, job.period, job.region))
    provenance = audit.figure_provenance(figures, audit.glue_locations(executed), inputs.root,
                                         row_counts(selection), input_entries)
    merged = stitching.merge(executed, appendices=(views.registry(provenance),))
    title = f"{job.period} — {job.region}"
    if "html" in formats:
        (folder / "report.html").write_text(stitching.to_html(merged, title), encoding="utf-8")
    for path in executed:
        path.with_suffix(".html").write_text(stitching.notebook_html(path), encoding="utf-8")
    audit.write_json(folder / "manifest.json", {
        "period": job.period, "region": job.region,
        "parameters": {"period": job.period, "region": job.region, "inputs": str(inputs.root.resolve())},
        "inputs": input_entries,
        "notebooks": audit.file_entries(paths.section_notebooks(), paths.NOTEBOOKS_DIR),
        "template": audit.file_entries(sorted(paths.NBCONVERT_TEMPLATES_DIR.rglob("*.*")), paths.TEMPLATES_DIR),
        "versions": audit.versions(),
        "timings_seconds": timings,
        "figures": provenance,
    })
    return figures


class SerialExecutor:
    """Builds reports one after another."""

    def map(self, fn: Callable[[ReportJob], ReportResult], jobs: list[ReportJob]) -> list[ReportResult]:
        return [fn(job) for job in jobs]


class ThreadExecutor:
    """Builds several reports at once; each thread drives its own kernels (separate processes)."""

    def __init__(self, workers: int):
        self.workers = workers

    def map(self, fn: Callable[[ReportJob], ReportResult], jobs: list[ReportJob]) -> list[ReportResult]:
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return list(pool.map(fn, jobs))


def default_jobs() -> int:
    """Kernel start-up is mostly waiting, so a worker more than the cores still helps."""
    return (os.cpu_count() or 1) + 1


def executor_for(jobs: int):
    return SerialExecutor() if jobs <= 1 else ThreadExecutor(jobs)
