"""Executors: results in the items' order, one `on_result` per item, and a worker process
only when two tasks can run at once."""

from __future__ import annotations

import pytest

from pipeline.executors import local


@pytest.mark.parametrize("jobs, tasks, expected", [
    (3, 1, local.SerialExecutor),    # one report: built in this process, no worker to start
    (1, 5, local.SerialExecutor),    # --jobs 1
    (3, 2, local.ProcessExecutor),
    (3, None, local.ProcessExecutor),
])
def test_a_pool_only_when_two_tasks_can_run_at_once(jobs, tasks, expected):
    assert type(local.local_executor(jobs, tasks)) is expected


def test_no_more_workers_than_tasks():
    assert local.local_executor(8, 3).workers == 3
    assert local.local_executor(2, 30).workers == 2


@pytest.mark.parametrize("executor", [local.SerialExecutor(), local.ThreadExecutor(2),
                                      local.ProcessExecutor(2)], ids=["serial", "threads", "processes"])
def test_results_come_in_the_items_order_and_each_is_reported(executor):
    seen = []
    items = [-3, 1, -4, 1, -5, 9]
    assert executor.map(abs, items, seen.append) == [3, 1, 4, 1, 5, 9]
    assert sorted(seen) == sorted([3, 1, 4, 1, 5, 9])


def test_nothing_to_run_starts_nothing():
    assert local.ProcessExecutor(2).map(abs, []) == []
