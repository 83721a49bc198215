"""Executors on this machine (`Executor`): reports built one after another in this process
(`SerialExecutor`), or several at once in worker processes (`ProcessExecutor`); `building`
sets one up for a run, the inputs shared once with every kernel. `run_tasks` spreads any other
list of independent tasks (verify's re-executions) the same way."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

from pipeline.executors import Executor, ignore
from pipeline.executors.early import EarlyKernel
from pipeline.incremental.grid import ReportJob, ReportResult

if TYPE_CHECKING:
    from pipeline.inputs.validation import ValidInputs

T = TypeVar("T")
R = TypeVar("R")

#: What builds one report (`builder.build_report` with the run's settings).
Build = Callable[[ReportJob], ReportResult]


def in_this_process(fn: Callable[[T], R], items: Sequence[T], on_result: Callable[[R], None]) -> list[R]:
    """`fn` of each item, one after another: the results in the items' order."""
    results = []
    for item in items:
        results.append(fn(item))
        on_result(results[-1])
    return results


def in_worker_processes(fn: Callable[[T], R], items: Sequence[T], workers: int,
                        on_result: Callable[[R], None]) -> list[R]:
    """`fn` of each item, up to `workers` at once in worker processes: the results in the
    items' order, `on_result` called as each finishes. No item, no worker started."""
    results: list[Any] = [None] * len(items)
    if not items:
        return results
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_worker_setup) as pool:
        futures = {pool.submit(fn, item): i for i, item in enumerate(items)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            on_result(results[futures[future]])
    return results


class SerialExecutor:
    """Reports built one after another, in this process."""

    def __init__(self, build: Build) -> None:
        self.build = build

    def run(self, jobs: Sequence[ReportJob], on_result: Callable[[ReportResult], None] = ignore) -> list[ReportResult]:
        return in_this_process(self.build, jobs, on_result)


class ProcessExecutor:
    """Several reports at once in worker processes: stitching and PDF rendering use every core."""

    def __init__(self, build: Build, workers: int) -> None:
        self.build, self.workers = build, workers

    def run(self, jobs: Sequence[ReportJob], on_result: Callable[[ReportResult], None] = ignore) -> list[ReportResult]:
        return in_worker_processes(self.build, jobs, self.workers, on_result)


def workers_for(jobs: int, tasks: int | None = None) -> int:
    """At most `jobs` tasks at once, and no more workers than `tasks`."""
    return jobs if tasks is None else min(jobs, tasks)


def local_executor(build: Build, jobs: int, tasks: int | None = None) -> Executor:
    """At most `jobs` reports at once, and no more workers than `tasks`. A single one is built
    in this process: a worker would cost its start and imports (~1.2 s of a 10 s one-report
    run) and win nothing."""
    workers = workers_for(jobs, tasks)
    return SerialExecutor(build) if workers <= 1 else ProcessExecutor(build, workers)


def run_tasks(fn: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """`fn` of each item as `local_executor` spreads reports: in this process when only one
    can run at a time, else in at most `jobs` worker processes."""
    workers = workers_for(jobs, len(items))
    if workers <= 1:
        return in_this_process(fn, items, ignore_any)
    return in_worker_processes(fn, items, workers, ignore_any)


def ignore_any(result: object) -> None:
    """An `on_result` that wants nothing, of any task."""


@contextmanager
def building(inputs: ValidInputs, outputs: Path, formats: tuple[str, ...], *, jobs: int, count: int,
             force: bool = False, cell_timeout: int | None = None,
             early: EarlyKernel | None = None) -> Iterator[Executor]:
    """The executor of a run's `count` stale reports on this machine: the inputs, read once,
    handed to every kernel (`sharing`), removed when it is done; a single report built in the
    kernel started `early`, if there is one (its caller shuts it down)."""
    from pipeline.assembly import builder, provenance
    from pipeline.inputs import sharing

    kernel = early.take() if early is not None and count == 1 else None
    shared = sharing.publish(inputs, early.shared if early is not None and kernel is not None else None)
    build = partial(builder.build_report, inputs=inputs, outputs=outputs, formats=formats, force=force,
                    cell_timeout=cell_timeout, shared_inputs=shared, kernel=kernel,
                    inputs_name=provenance.inputs_name(inputs.root))
    try:
        yield local_executor(build, jobs, count)
    finally:
        shared.unlink(missing_ok=True)


def die_with_parent() -> None:
    """In a worker: be killed when the orchestrator dies, even by SIGKILL (Linux), so that
    an interrupted run leaves no worker behind (its kernels then exit by themselves)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1


def quiet_interrupt() -> None:
    """After Ctrl-C: an interrupted notebook client's asyncio tasks still hold their kernel's
    death, which asyncio would print as a traceback when they are collected at exit, and
    coroutines it had made but not yet awaited, which Python warns of ("coroutine … was never
    awaited"); and a KeyboardInterrupt that lands in a weakref callback or a finaliser is
    "ignored" by Python with a traceback on stderr. The run says once that it was interrupted:
    none of these is printed."""
    logging.getLogger("asyncio").disabled = True
    warnings.filterwarnings("ignore", message=r"coroutine .* was never awaited", category=RuntimeWarning)
    sys.unraisablehook = _quiet_unraisable


def _quiet_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)


def _interrupted(_signum: int, _frame: FrameType | None) -> None:
    quiet_interrupt()
    raise KeyboardInterrupt


def _worker_setup() -> None:
    """A worker dies with the orchestrator, and stops on Ctrl-C (the terminal sends it to the
    whole process group) as the orchestrator does: quietly."""
    die_with_parent()
    signal.signal(signal.SIGINT, _interrupted)


def default_jobs() -> int:
    """Kernel start-up is partly waiting, so a worker more than the cores still helps."""
    return (os.cpu_count() or 1) + 1
