"""Background warm-ups: once per process and name, errors left to the real call."""

from __future__ import annotations

import uuid

from pipeline import paths
from pipeline.build import stitching, warmup


def test_a_warm_up_runs_once_per_name():
    calls = []
    name = f"test-{uuid.uuid4().hex}"
    first = warmup.start(name, lambda: calls.append(1))
    assert warmup.start(name, lambda: calls.append(2)) is first
    first.join(timeout=10)
    assert calls == [1]


def test_a_failing_warm_up_raises_nothing_here():
    def broken():
        raise OSError("no Pango here")

    thread = warmup.start(f"test-{uuid.uuid4().hex}", broken)
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_nbconvert_warms_up_on_a_section_notebook():
    thread = stitching.warm_up(paths.section_notebooks()[0])
    thread.join(timeout=60)
    assert not thread.is_alive() and stitching.warm_up(paths.section_notebooks()[0]) is thread
