"""Failure isolation, interrupted runs and user text: nothing half-written, nothing lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import PROJECT, kernel_pids, new_tag, run_cli, run_processes, tagged, temp_files_of

from pipeline.assembly import builder
from pipeline.incremental import grid
from pipeline.inputs.loading import load_inputs

SLOW = {
    "cells": [
        {"cell_type": "code", "execution_count": None, "id": "p", "metadata": {"tags": ["parameters"]},
         "outputs": [], "source": "period = 'x'\nregion = 'all'\ninputs = 'inputs'"},
        {"cell_type": "code", "execution_count": None, "id": "s", "metadata": {}, "outputs": [],
         "source": "import time\ntime.sleep(60)"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def _until(condition, seconds: float, pause: float = 0.2) -> None:
    """Wait until `condition()` holds, at most `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline and not condition():
        time.sleep(pause)


@pytest.mark.slow
def test_a_cell_timeout_fails_its_report_with_a_banner(demo_copy, tmp_path):
    slow = tmp_path / "slow.ipynb"
    slow.write_text(json.dumps(SLOW), encoding="utf-8")
    result = builder.build_report(builder.ReportJob("2022-interim", "atyrau"), load_inputs(demo_copy),
                                  tmp_path / "out", ("html",), notebooks=[slow], cell_timeout=2)
    assert result.error.startswith("2022-interim/atyrau: slow.ipynb cell 2: CellTimeoutError")
    assert result.folder.name == "atyrau.failed"
    nb = nbformat.read(result.folder / "notebooks" / "slow.ipynb", as_version=4)
    assert "An Exception was encountered" in nb.cells[0].source
    assert any(o.get("ename") == "CellTimeoutError" for c in nb.cells for o in c.get("outputs", []))
    assert not (tmp_path / "out" / "2022-interim" / "atyrau").exists(), "no half-written report"


@pytest.mark.slow
@pytest.mark.parametrize("preload", ["", "import json, textwrap"], ids=["plain", "preloaded"])
def test_an_executed_notebook_is_written_when_it_ends_not_after_every_cell(tmp_path, monkeypatch, preload):
    """papermill would write the notebook after each cell's start and end (twice per cell); the
    report's engine writes it when execution ends, complete: every cell run, in order (after
    the parameters and the cell papermill injects), with its output. The same in a kernel that
    was sent imports when it started (its client is checked ready before the first cell)."""
    import papermill.engines
    import papermill.execute

    from pipeline.assembly import kernels

    notebook = nbformat.v4.new_notebook(metadata=SLOW["metadata"])
    notebook.cells = [nbformat.from_dict(SLOW["cells"][0])] + [nbformat.v4.new_code_cell(f"print({i} * 7)")
                                                               for i in range(5)]
    source, target = tmp_path / "five.ipynb", tmp_path / "out" / "five.ipynb"
    target.parent.mkdir()
    nbformat.write(notebook, source)
    writes = []
    for module in (papermill.engines, papermill.execute):
        real = module.write_ipynb
        monkeypatch.setattr(module, "write_ipynb", lambda nb, path, real=real: (writes.append(path), real(nb, path)))
    with kernels.ReportKernel(preload=preload) as kernel:
        builder.execute_section(source, target, builder.ReportJob("2022-interim", "all"), kernel)
    assert 1 <= len(writes) <= 3, writes
    executed = nbformat.read(target, as_version=4)
    printed = [o["text"].strip() for c in executed.cells for o in c.get("outputs", []) if o.get("name") == "stdout"]
    assert printed == [str(i * 7) for i in range(5)]
    assert [c.execution_count for c in executed.cells[-5:]] == [3, 4, 5, 6, 7]


@pytest.mark.slow
def test_killing_a_run_keeps_the_previous_build_and_leaves_nothing_behind(demo_copy, tmp_path):
    out = tmp_path / "out"
    first = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(out), "--period", "2022-interim",
                    "--region", "all", "--quiet")
    assert first.returncode == 0, first.stderr
    before = {p.relative_to(out): p.read_bytes() for p in (out / "2022-interim" / "all").rglob("*") if p.is_file()}

    (demo_copy / "media.csv").write_text(
        (demo_copy / "media.csv").read_text(encoding="utf-8").replace(",327,", ",328,", 1), encoding="utf-8")
    tag = new_tag()
    run = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--inputs", str(demo_copy), "--outputs",
                            str(out), "--period", "2022-interim", "--region", "all", "turkestan", "zko", "--quiet"],
                           cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=tagged(tag))
    _until(lambda: kernel_pids(tag), 120)
    assert kernel_pids(tag), "the run started kernels"
    _until(lambda: list(out.glob("2022-interim/.*.building-*/notebooks/*.ipynb")), 120, pause=0.05)  # mid-build
    killed = {run.pid, *run_processes(tag)}  # the run, its workers, their kernels: what names their temp files
    os.kill(run.pid, signal.SIGKILL)
    run.wait()

    _until(lambda: not kernel_pids(tag), 30, pause=0.5)
    assert not kernel_pids(tag), "no kernel outlives the killed run"
    after = {p.relative_to(out): p.read_bytes() for p in (out / "2022-interim" / "all").rglob("*") if p.is_file()}
    assert after == before, "the previous good build is untouched"
    assert not list((out / "2022-interim").glob("turkestan")) or \
        (out / "2022-interim" / "turkestan" / "report.html").is_file(), "a report is there whole or not at all"

    # The next run removes what the killed one left aside, and finishes the job.
    again = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(out), "--period", "2022-interim",
                    "--region", "all", "turkestan", "zko", "--quiet")
    assert again.returncode == 0, again.stderr
    assert not [p for p in (out / "2022-interim").iterdir() if p.name.startswith(".")]
    assert not temp_files_of(killed | {again.pid}), "nothing of either run is left in the temp folder"
    figures = json.loads((out / "2022-interim" / "all" / "figures.json").read_text(encoding="utf-8"))
    assert figures["media.reach"] == 1218


@pytest.mark.slow
def test_after_ctrl_c_the_coroutines_an_interrupted_client_left_are_not_warned_of():
    """What the Ctrl-C test above met in one CI run, made certain: a notebook client
    interrupted between making a coroutine and awaiting it leaves it to be collected, and Python
    would print two lines of RuntimeWarning at exit under the run's one line. In an interpreter
    of its own: what `quiet_interrupt` sets is the whole process's."""
    code = ("import gc\nfrom pipeline.executors.local import quiet_interrupt\n"
            "async def poll():\n    pass\n"
            "quiet_interrupt()\nleft = poll()\ndel left\ngc.collect()\n")
    quiet = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert (quiet.returncode, quiet.stderr) == (0, "")
    loud = subprocess.run([sys.executable, "-c", code.replace("quiet_interrupt()\n", "")], cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)
    assert "was never awaited" in loud.stderr  # what it keeps from the user


def _as_in_a_terminal() -> None:
    """Ctrl-C's default action, as a command run in a terminal has it. A shell starts the
    commands of a background job (`.ci/run &`) with SIGINT ignored, every process below keeps
    it so (as a command should: Ctrl-C is not for background jobs), and the run would go on."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
@pytest.mark.parametrize("regions", [["zko"], ["zko", "aktobe"]], ids=["in-process", "workers"])
def test_ctrl_c_is_one_line_and_leaves_no_kernel(demo_copy, tmp_path, regions):
    """Ctrl-C in a terminal interrupts the whole process group: the command, its workers (a
    run of several reports) and the kernels. The run stops with one line and exit status 130,
    no traceback from any of them, no kernel left, no staging folder."""
    out = tmp_path / "out"
    tag = new_tag()
    run = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--inputs", str(demo_copy), "--outputs",
                            str(out), "--period", "2022-interim", "--region", *regions, "--quiet"],
                           cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           start_new_session=True, env=tagged(tag), preexec_fn=_as_in_a_terminal)
    # Into the notebooks: the first section notebook is written when it ends, the next is running
    # (waiting a fixed time instead lost the race once builds got faster).
    _until(lambda: list(out.glob("2022-interim/.*.building-*/notebooks/*.ipynb")), 120, pause=0.05)
    os.killpg(run.pid, signal.SIGINT)
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["interrupted: finished reports are kept, unfinished ones were not written"]
    _until(lambda: not kernel_pids(tag), 30, pause=0.5)
    assert not kernel_pids(tag)
    assert not list(out.glob("2022-interim/.*.building-*")), "the unfinished reports' staging is removed"


@pytest.mark.slow  # starts a Jupyter kernel, waits for it to exit
def test_a_kernel_whose_parent_died_says_nothing_on_the_shared_stderr(tmp_path):
    """A kernel writes its log to the stderr it shares with the command: when the command ends
    before shutting it down (Ctrl-C), the kernel's warning that its parent exited would land
    under the run's one line. The kernel still exits; it says nothing."""
    tag = new_tag()
    script = ("import os\nfrom pipeline.assembly.kernels import ReportKernel\n"
              "ReportKernel(preload='import os')\nos._exit(0)\n")
    run = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, env=tagged(tag), timeout=120)
    assert run.returncode == 0
    _until(lambda: not kernel_pids(tag), 30, pause=0.5)
    assert not kernel_pids(tag), "the orphaned kernel exits by itself"
    assert run.stderr == ""


@pytest.mark.slow
def test_markup_in_user_text_is_shown_as_text(demo_copy, tmp_path):
    media = demo_copy / "media.csv"
    text = media.read_text(encoding="utf-8")
    media.write_text(text.replace("Пост-анонс о начале проекта", "<script>alert('x')</script>", 1), encoding="utf-8")
    narrative = demo_copy / "narratives" / "2022-interim" / "4.1.md"
    narrative.write_text(narrative.read_text(encoding="utf-8") + "\n<img src=x onerror=alert(1)>\n", encoding="utf-8")
    grant = demo_copy / "grant.yml"
    grantee = 'Фонд "Рост" <b onmouseover=alert(2)>'  # also the page's author, in an attribute
    text = grant.read_text(encoding="utf-8")
    name = text.split("grantee:", 1)[1].split("name: ", 1)[1].split("\n", 1)[0]
    grant.write_text(text.replace(f"name: {name}", "name: '" + grantee + "'", 1), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(out), "--period", "2022-interim",
                     "--region", "all", "--quiet")
    assert result.returncode == 0, result.stderr
    html = (out / "2022-interim" / "all" / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<b onmouseover" not in html
    page = BeautifulSoup(html, "html.parser")
    shown = page.body.get_text()
    assert "<script>alert('x')</script>" in shown and "<img src=x onerror=alert(1)>" in shown
    assert not page.find_all("script") and not page.find_all("img", src="x")
    assert not page.find_all(onmouseover=True) and not page.find_all(onerror=True)
    head = page.head
    assert [meta["content"] for meta in head.find_all("meta", attrs={"name": "author"})] == [grantee]
    assert "ГАМО" in head.title.string  # the short name, still the demo's


def test_what_a_killed_run_left_is_removed_even_when_its_process_is_an_unreaped_zombie(tmp_path):
    """In a container whose first process reaps no orphans, a killed worker stays a zombie:
    it no longer runs, so what it staged is removed."""
    dead = subprocess.Popen(["true"])
    _until(lambda: Path(f"/proc/{dead.pid}/stat").read_text().split(")")[1].startswith(" Z"), 10, pause=0.05)
    try:
        staged = tmp_path / "2022-interim" / f".zko.building-{dead.pid}-1"
        alive = tmp_path / "2022-interim" / f".all.building-{os.getpid()}-1"
        for folder in (staged, alive):
            (folder / "notebooks").mkdir(parents=True)
        removed = grid.clean_stale(tmp_path)
        assert staged in removed and not staged.exists()
        assert alive.exists(), "a running process's staging folder is left alone"
    finally:
        dead.wait()
