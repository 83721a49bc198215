"""Background warm-ups: once per process and name, errors left to the real call, and the first
real call finds ready what its warm-up prepared."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid

import pytest
from conftest import PROJECT

from pipeline.assembly import warmup


def test_a_warm_up_runs_once_per_name():
    calls = []
    name = f"test-{uuid.uuid4().hex}"
    first = warmup.start(name, lambda: calls.append(1))
    assert warmup.start(name, lambda: calls.append(2)) is first
    first.join(timeout=10)
    assert calls == [1]


def test_a_failing_warm_up_raises_nothing_here(monkeypatch):
    """Not in the thread either: an exception escaping a thread would be printed on stderr
    (threading.excepthook), in the middle of the run's output."""
    escaped = []
    monkeypatch.setattr(threading, "excepthook", escaped.append)

    def broken():
        raise OSError("no Pango here")

    thread = warmup.start(f"test-{uuid.uuid4().hex}", broken)
    thread.join(timeout=10)
    assert not thread.is_alive() and escaped == []


# In a fresh process (this one has long imported everything): the modules the warm-up is
# there to import are not imported yet; after it, they are, and the first real call imports
# nothing more. What the warm-up saves in time is measured in bench/, not asserted here: a
# timed assertion fails on a busy machine.
PROBE = """
import json, sys
import nbformat
from pipeline import paths
from pipeline.assembly import pdf, stitching

prepared = {prepared!r}
cold = [m for m in prepared if m in sys.modules]
{warm_up}.join()
before = set(sys.modules)
{first_call}
print(json.dumps({{"cold": cold, "warm": [m for m in prepared if m in before],
                  "imported_by_the_call": sorted(set(sys.modules) - before)}}))
"""

REPORT_PAGE = ("notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('# Отчет')]); "
               "stitching.to_html(notebook, 'x'); stitching.notebook_html(paths.section_notebooks()[0])")


@pytest.mark.slow  # a fresh process importing nbconvert or WeasyPrint (seconds)
@pytest.mark.parametrize("warm_up, first_call, prepared", [
    # nbconvert: the markdown renderer's plugins, and the reviewers' code highlighting
    ("stitching.warm_up(paths.section_notebooks()[0])", REPORT_PAGE,
     ["mistune.plugins.task_lists", "pygments.lexers.python"]),
    # WeasyPrint: its import, Pango's font map, DejaVu Sans set up
    ("pdf.warm_up()", "pdf.html_to_pdf(pdf._WARM_UP_PAGE)", ["weasyprint"]),
], ids=["nbconvert", "weasyprint"])
def test_after_a_warm_up_the_first_real_call_finds_it_all_ready(warm_up, first_call, prepared):
    code = PROBE.format(prepared=prepared, warm_up=warm_up, first_call=first_call)
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout)
    assert probe["cold"] == [], "imported before the warm-up: this test would show nothing"
    assert probe["warm"] == prepared
    assert probe["imported_by_the_call"] == []
