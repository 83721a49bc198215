"""Shared fixtures: real builds of the demo grant and of the other-grant fixture, made once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
DEMO_INPUTS = PROJECT / "inputs"
OTHER_GRANT = PROJECT / "tests" / "fixtures" / "other_grant"


def kernel_pids() -> set[int]:
    """The Jupyter kernels running on this machine (to see that a run leaves none behind)."""
    found = subprocess.run(["pgrep", "-f", "ipykernel_launcher"], capture_output=True, text=True).stdout
    return {int(p) for p in found.split()}


def run_cli(*args: str, cwd: Path = PROJECT, timeout: int = 1800) -> subprocess.CompletedProcess:
    """`python -m pipeline ARGS` in a subprocess, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


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
