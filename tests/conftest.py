"""Shared fixtures: real builds of the demo grant and of the other-grant fixture, made once;
and the processes and temp files of a run a test starts, told apart from those of any other
run on the machine (another test session may be running at the same time)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline import paths

PROJECT = Path(__file__).resolve().parents[1]
DEMO_INPUTS = PROJECT / "inputs"
OTHER_GRANT = PROJECT / "tests" / "fixtures" / "other_grant"

#: The fixtures that build reports: a test that takes one (directly or through another
#: fixture) is slow, and is marked so below even when its module forgot to.
BUILDS = {"demo_build", "other_build", "corrected_build"}

#: Set in the environment of a run a test starts: the run's workers and kernels inherit it,
#: so the test finds its run's processes, and no other run's, among the machine's.
RUN_TAG = "GRANT_REPORT_TEST_RUN"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BUILDS & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)


def new_tag() -> str:
    """A tag for one run (`run_cli(tag=…)`, `tagged`), to find its processes by (`run_processes`)."""
    return uuid.uuid4().hex


def tagged(tag: str) -> dict[str, str]:
    """This process's environment, with `tag` for a run started in it."""
    return {**os.environ, RUN_TAG: tag}


def run_processes(tag: str) -> dict[int, str]:
    """The running processes of the run tagged `tag` (the command, its workers, their kernels,
    orphans included; not zombies), by pid, with their command lines."""
    mark = f"{RUN_TAG}={tag}".encode()
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            environ = Path(entry.path, "environ").read_bytes()
            command = Path(entry.path, "cmdline").read_bytes()
        except OSError:  # gone meanwhile, or another user's
            continue
        if mark in environ.split(b"\0"):
            found[int(entry.name)] = command.replace(b"\0", b" ").decode(errors="replace")
    return found


def kernel_pids(tag: str) -> set[int]:
    """The Jupyter kernels of the run tagged `tag` still running (to see that it leaves none behind)."""
    return {pid for pid, command in run_processes(tag).items() if "ipykernel_launcher" in command}


def temp_files_of(pids: set[int]) -> list[str]:
    """What processes `pids` have in the temp folder: kernel sockets, connection files, shared
    inputs, all named `paths.TEMP_PREFIX` + the pid of the process that made them + "-…"."""
    prefixes = tuple(f"{paths.TEMP_PREFIX}{pid}-" for pid in pids)
    return sorted(name for name in os.listdir(tempfile.gettempdir()) if name.startswith(prefixes))


def run_cli(*args: str, cwd: Path = PROJECT, timeout: int = 1800, tag: str | None = None) -> subprocess.CompletedProcess:
    """`python -m pipeline ARGS` in a subprocess, as a user runs it. The result's `pid` is the
    command's process id; `tag` (`new_tag()`) marks its processes for `run_processes`."""
    with subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env=None if tag is None else tagged(tag)) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    result.pid = process.pid
    return result


@pytest.fixture
def cli(capsys, monkeypatch) -> Callable[..., subprocess.CompletedProcess]:
    """`python -m pipeline ARGS` run in this process (`pipeline.cli.main`), its result as
    `run_cli` gives it (exit status, stdout, stderr): for the tests of what a command does and
    says, without paying a Python start and the imports each time (seconds on this machine).
    What only a process shows (its own imports, its processes, its exit) is `run_cli`'s, slow."""
    from pipeline.cli import main

    def run(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
        monkeypatch.chdir(cwd)
        capsys.readouterr()  # what the test printed before is not the command's
        try:
            code = main(list(args))
        except SystemExit as done:  # argparse's usage errors, diff's
            code = done.code if isinstance(done.code, int) else 1
        printed = capsys.readouterr()
        return subprocess.CompletedProcess(["pipeline", *args], code, printed.out, printed.err)

    return run


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """Every period x region of the demo inputs, built into a fresh folder."""
    out = tmp_path_factory.mktemp("demo") / "outputs"
    result = run_cli("run", "--inputs", str(DEMO_INPUTS), "--outputs", str(out), "--quiet")
    return out, result


@pytest.fixture(scope="session")
def other_build(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The other grant (every allowed shape of the contract), built from a copy of its inputs."""
    base = tmp_path_factory.mktemp("other")
    inputs = base / "inputs"
    shutil.copytree(OTHER_GRANT / "inputs", inputs)
    out = base / "outputs"
    result = run_cli("run", "--inputs", str(inputs), "--outputs", str(out), "--quiet")
    return out, result


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    """A private copy of the demo inputs, for tests that break them."""
    target = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, target)
    return target


@dataclass(frozen=True)
class Corrected:
    """Two reports of one period built (`run`: the command's arguments), then built again
    after one record was corrected: zko's publication on row 24 of media.csv, reach 82 → 92.
    `sent` is a copy of the outputs made before the correction."""

    inputs: Path
    outputs: Path
    sent: Path
    run: tuple[str, ...]
    period: str = "2022-interim"
    changed: str = "zko"
    unchanged: str = "atyrau"


@pytest.fixture(scope="session")
def corrected_build(tmp_path_factory) -> Corrected:
    base = tmp_path_factory.mktemp("corrected")
    inputs, outputs, sent = base / "inputs", base / "outputs", base / "sent"
    shutil.copytree(DEMO_INPUTS, inputs)
    run = ("run", "--inputs", str(inputs), "--outputs", str(outputs), "--period", "2022-interim",
           "--region", "zko", "atyrau", "--format", "html", "--quiet")
    first = run_cli(*run)
    assert first.returncode == 0, first.stderr
    shutil.copytree(outputs, sent)
    media = inputs / "media.csv"
    lines = media.read_bytes().split(b"\n")
    assert b",partner," in lines[23] and lines[23].count(b",82,") == 1 and b",zko," in lines[23], lines[23]
    lines[23] = lines[23].replace(b",82,", b",92,")
    media.write_bytes(b"\n".join(lines))
    second = run_cli(*run)
    assert second.returncode == 0, second.stderr
    return Corrected(inputs, outputs, sent, run)


def report_figures(inputs, period: str, region: str) -> dict[str, object]:
    """Every figure of one report as its notebooks' cells compute them (the declared block
    functions whose bodies the cells run), from the rows and notes `context.load` selects."""
    from pipeline.figures import declarations
    from pipeline.notebook import context

    ctx = context.load(inputs, period, region)
    return declarations.report_figures(ctx.selection, ctx.warnings)
