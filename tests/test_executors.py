"""Executors: every way of building reports honours the `Executor` protocol (results in the
jobs' order, one `on_result` per job), and a worker process starts only when two reports can
be built at once."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from pipeline.executors import Executor, cluster, local
from pipeline.incremental.grid import ReportJob, ReportResult

JOBS = [ReportJob("p1", r) for r in ("b", "a", "c", "all", "d", "e")]


def fake_build(job: ReportJob) -> ReportResult:
    """A report "built" without a kernel: picklable, so worker processes can run it."""
    return ReportResult(job, Path("/nowhere") / job.label)


@pytest.mark.parametrize("jobs, tasks, expected", [
    (3, 1, local.SerialExecutor),    # one report: built in this process, no worker to start
    (1, 5, local.SerialExecutor),    # --jobs 1
    (3, 2, local.ProcessExecutor),
    (3, None, local.ProcessExecutor),
])
def test_a_pool_only_when_two_tasks_can_run_at_once(jobs, tasks, expected):
    assert type(local.local_executor(fake_build, jobs, tasks)) is expected


def test_no_more_workers_than_tasks():
    executor = local.local_executor(fake_build, 8, 3)
    assert isinstance(executor, local.ProcessExecutor) and executor.workers == 3
    executor = local.local_executor(fake_build, 2, 30)
    assert isinstance(executor, local.ProcessExecutor) and executor.workers == 2


@pytest.mark.parametrize("executor", [
    pytest.param(local.SerialExecutor(fake_build), id="in-process"),
    pytest.param(local.ProcessExecutor(fake_build, 2), id="processes", marks=pytest.mark.slow),  # a pool of processes
])
def test_results_come_in_the_jobs_order_and_each_is_reported(executor: Executor):
    seen: list[ReportResult] = []
    results = executor.run(JOBS, seen.append)
    assert [r.job for r in results] == JOBS
    assert sorted(r.job.label for r in seen) == sorted(j.label for j in JOBS)


def test_nothing_to_run_starts_nothing():
    assert local.ProcessExecutor(fake_build, 2).run([]) == []


def test_other_tasks_are_spread_the_same_way():
    assert local.run_tasks(abs, [-3, 1, -4], 1) == [3, 1, 4]
    assert local.run_tasks(abs, [-3, 1, -4], 2) == [3, 1, 4]


@pytest.mark.parametrize("kind", [local.SerialExecutor, local.ProcessExecutor, cluster.DaskExecutor])
def test_every_executor_has_the_protocols_run(kind: type):
    """`Executor.run(jobs, on_result)`, the same parameters and default, in every executor
    (the dask one once had `map(fn, …)` and ignored `fn`)."""
    expected = inspect.signature(Executor.run)
    found = inspect.signature(kind.run)
    assert list(found.parameters) == list(expected.parameters)
    assert found.parameters["on_result"].default is expected.parameters["on_result"].default
    assert not hasattr(kind, "map")
