"""How a list of reports is built: the `Executor` protocol every way of spreading them honours
(`local.SerialExecutor` in this process, `local.ProcessExecutor` in a pool of worker processes,
`cluster.DaskExecutor` on a dask.distributed cluster)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pipeline.incremental.grid import ReportJob, ReportResult


def ignore(result: ReportResult) -> None:
    """An `on_result` that wants nothing."""


class Executor(Protocol):
    """Builds reports: `run` returns one result per job, in the jobs' order, and calls
    `on_result` with each as it finishes (for the progress bar)."""

    def run(self, jobs: Sequence[ReportJob],
            on_result: Callable[[ReportResult], None] = ignore) -> list[ReportResult]: ...
