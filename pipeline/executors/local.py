"""Executors: how a list of independent tasks (one report each) is run. Swappable objects
with one method, `map(fn, items, on_result)`, that returns the results in the items' order
and calls `on_result` as each finishes (for the progress bar)."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Executor as _PoolExecutor
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class SerialExecutor:
    """One task after another, in this process."""

    def map(self, fn: Callable[[T], R], items: Sequence[T], on_result: Callable[[R], None] = lambda r: None) -> list[R]:
        results = []
        for item in items:
            results.append(fn(item))
            on_result(results[-1])
        return results


class _PoolMixin:
    workers: int

    def _pool(self) -> _PoolExecutor:
        raise NotImplementedError

    def map(self, fn: Callable[[T], R], items: Sequence[T], on_result: Callable[[R], None] = lambda r: None) -> list[R]:
        results: list = [None] * len(items)
        if not items:  # nothing to build: start no worker at all
            return results
        with self._pool() as pool:
            futures = {pool.submit(fn, item): i for i, item in enumerate(items)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                on_result(results[futures[future]])
        return results


class ThreadExecutor(_PoolMixin):
    """Several tasks at once in threads of this process (kernels are separate processes
    anyway; stitching shares this process's one core)."""

    def __init__(self, workers: int):
        self.workers = workers

    def _pool(self) -> _PoolExecutor:
        return ThreadPoolExecutor(max_workers=self.workers)


def die_with_parent() -> None:
    """In a worker: be killed when the orchestrator dies, even by SIGKILL (Linux), so that
    an interrupted run leaves no worker behind (its kernels then exit by themselves)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1


def quiet_interrupt() -> None:
    """After Ctrl-C: an interrupted notebook client's asyncio tasks still hold their kernel's
    death, which asyncio would print as a traceback when they are collected at exit; and a
    KeyboardInterrupt that lands in a weakref callback or a finaliser is "ignored" by Python
    with a traceback on stderr. The run says once that it was interrupted: neither is printed."""
    logging.getLogger("asyncio").disabled = True
    sys.unraisablehook = _quiet_unraisable


def _quiet_unraisable(unraisable) -> None:
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)


def _interrupted(signum, frame) -> None:
    quiet_interrupt()
    raise KeyboardInterrupt


def _worker_setup() -> None:
    """A worker dies with the orchestrator, and stops on Ctrl-C (the terminal sends it to the
    whole process group) as the orchestrator does: quietly."""
    die_with_parent()
    signal.signal(signal.SIGINT, _interrupted)


class ProcessExecutor(_PoolMixin):
    """Several tasks at once in worker processes: stitching and PDF rendering use every core."""

    def __init__(self, workers: int):
        self.workers = workers

    def _pool(self) -> _PoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_setup)


def default_jobs() -> int:
    """Kernel start-up is partly waiting, so a worker more than the cores still helps."""
    return (os.cpu_count() or 1) + 1


def local_executor(jobs: int, tasks: int | None = None):
    """At most `jobs` tasks at once, and no more workers than `tasks`. A single task runs in
    this process: a worker would cost its start and imports (~1.2 s of a 10 s one-report run)
    and win nothing."""
    workers = jobs if tasks is None else min(jobs, tasks)
    return SerialExecutor() if workers <= 1 else ProcessExecutor(workers)
