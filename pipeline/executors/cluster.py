"""Running the grid on a dask.distributed cluster.

Workers do not see the client's disk: the client ships a snapshot of the inputs folder and
the section notebooks (scattered once to every worker), each task builds one report in a
temporary folder on its worker and sends the report's files back, and the client swaps
them into OUT/<period>/<region>/ as a local build does. Workers need this package installed
(`pip install grant-report-pipeline`, or the repository with `pip install -e .`), a
`python3` Jupyter kernel and, for PDF, the same Debian fonts and Pango libraries.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline import disk, paths
from pipeline.build import builder, provenance
from pipeline.incremental import grid
from pipeline.inputs.loading import Inputs, load_inputs


@dataclass(frozen=True)
class Snapshot:
    """Everything a worker needs to build reports: inputs and notebooks, as bytes."""

    inputs: dict[str, bytes]
    notebooks: dict[str, bytes]

    @classmethod
    def take(cls, inputs: Inputs, notebooks: list[Path]) -> Snapshot:
        return cls(
            inputs={Path(f).relative_to(inputs.root).as_posix(): Path(f).read_bytes() for f in inputs.files},
            notebooks={nb.name: nb.read_bytes() for nb in notebooks},
        )

    def unpack(self, folder: Path) -> tuple[Path, list[Path]]:
        for name, data in self.inputs.items():
            (folder / "inputs" / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / "inputs" / name).write_bytes(data)
        (folder / "notebooks").mkdir()
        for name, data in self.notebooks.items():
            (folder / "notebooks" / name).write_bytes(data)
        return folder / "inputs", sorted((folder / "notebooks").glob("*.ipynb"))


@dataclass
class Shipped:
    """What a worker sends back: the result and every file of the report folder."""

    result: grid.ReportResult
    files: dict[str, bytes]
    worker: str


def build_on_worker(job: grid.ReportJob, snapshot: Snapshot, formats: tuple[str, ...],
                    inputs_name: str | None = None) -> Shipped:
    """Runs on a dask worker: unpack the snapshot, build one report, return its files. Its
    manifest names the inputs folder as the client does (`inputs_name`), never the worker's
    temporary folder: the files are those a local build writes."""
    with tempfile.TemporaryDirectory(prefix="grant-worker-") as scratch:
        inputs_dir, notebooks = snapshot.unpack(Path(scratch))
        result = builder.build_report(job, load_inputs(inputs_dir), Path(scratch) / "outputs", formats, notebooks,
                                      inputs_name=inputs_name)
        files = {p.relative_to(result.folder).as_posix(): p.read_bytes()
                 for p in sorted(result.folder.rglob("*")) if p.is_file()}
    return Shipped(result, files, f"{socket.gethostname()}:{os.getpid()}")


def receive(shipped: Shipped, inputs: Inputs, outputs: Path) -> grid.ReportResult:
    """Write a shipped report into the outputs folder, swapped in whole (or kept as .failed)."""
    job = shipped.result.job
    final = paths.report_dir(outputs, job.period, job.region)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{final.name}.receiving-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    for name, data in shipped.files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes(data)
    measured = staging / builder.RUN
    if measured.is_file():  # where it ran is measured, as its timings are (not in the manifest)
        disk.write_json(measured, {**(disk.read_json_object(measured) or {}), "executed_on": shipped.worker})
    result = shipped.result
    if result.ok:
        builder.swap_in(staging, final)
        result.folder = final
    else:
        result.folder = builder.keep_failed(staging, final, result)
    return result


class DaskExecutor:
    """Builds reports on a dask.distributed cluster (its scheduler's address, or a Client)."""

    def __init__(self, address, inputs: Inputs, outputs: Path, formats: tuple[str, ...]):
        self.address, self.inputs, self.outputs, self.formats = address, inputs, Path(outputs), formats

    def map(self, fn, jobs: Sequence[grid.ReportJob],
            on_result: Callable[[grid.ReportResult], None] = lambda r: None) -> list[grid.ReportResult]:
        """`fn` is ignored: the remote task is always `build_on_worker` (it must not need our disk)."""
        from distributed import Client, as_completed

        client = self.address if isinstance(self.address, Client) else Client(self.address)
        try:
            results: list = [None] * len(jobs)
            snapshot = client.scatter(Snapshot.take(self.inputs, paths.section_notebooks()), broadcast=True)
            named = provenance.inputs_name(self.inputs.root)
            futures = {client.submit(build_on_worker, job, snapshot, self.formats, named, pure=False): i
                       for i, job in enumerate(jobs)}
            for future in as_completed(futures):
                results[futures[future]] = receive(future.result(), self.inputs, self.outputs)
                on_result(results[futures[future]])
            return results
        finally:
            if not isinstance(self.address, Client):
                client.close()
