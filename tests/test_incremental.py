"""Incremental builds by content: only what a change touches is rebuilt, and a cached result
is never served for different inputs.

Each test starts from a copy of the demo inputs and of the session's demo build (the same
content elsewhere is the same build: a report's key holds no path), then changes what it
changes and reruns."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO_INPUTS, PROJECT, run_cli

from pipeline.incremental import grid

REGIONS = ("all", "turkestan", "zko")


def _build(inputs: Path, out: Path, *extra: str):
    result = run_cli("run", "--inputs", str(inputs), "--outputs", str(out), "--period", "2022-interim",
                     "--region", *REGIONS, *extra)
    assert result.returncode == 0, result.stderr
    built, unchanged = map(int, re.search(r"\((\d+) built, (\d+) unchanged\)", result.stderr).groups())
    return built, unchanged


def _rerun_reading_nothing(inputs: Path, out: Path) -> tuple[int, int]:
    """An unchanged rerun, in a process that then says which input-reading modules it imported."""
    argv = ["run", "--inputs", str(inputs), "--outputs", str(out), "--period", "2022-interim", "--region", *REGIONS]
    code = (f"import sys; from pipeline.cli import main; rc = main({argv!r}); "
            "print([m for m in ('pandas', 'pandera', 'openpyxl', 'pipeline.inputs.loading') if m in sys.modules]); "
            "sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", "an unchanged rerun read the inputs"
    built, unchanged = map(int, re.search(r"\((\d+) built, (\d+) unchanged\)", result.stderr).groups())
    assert "warning: media.csv: 3 publications without reach" in result.stderr, "the kept warnings are printed"
    return built, unchanged


def _stamps(out: Path) -> dict[str, int]:
    return {r: (out / "2022-interim" / r / "report.html").stat().st_mtime_ns for r in REGIONS}


def _figure(out: Path, region: str, name: str):
    return json.loads((out / "2022-interim" / region / "figures.json").read_text(encoding="utf-8"))[name]


def _edit_keeping_size_and_time(path: Path, old: bytes, new: bytes) -> None:
    assert len(old) == len(new)
    stat = path.stat()
    data = path.read_bytes()
    assert data.count(old) >= 1
    path.write_bytes(data.replace(old, new, 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.fixture
def built(demo_build, tmp_path) -> tuple[Path, Path]:
    """A copy of the demo inputs and of their build (every report), to change and rebuild."""
    out, result = demo_build
    assert result.returncode == 0, result.stderr
    return shutil.copytree(DEMO_INPUTS, tmp_path / "inputs"), shutil.copytree(out, tmp_path / "out")


@pytest.mark.slow
def test_only_what_a_change_touches_is_rebuilt(built):
    demo_copy, out = built
    first = _stamps(out)
    assert _build(demo_copy, out) == (0, 3), "an unchanged rerun builds nothing"
    assert _rerun_reading_nothing(demo_copy, out) == (0, 3)
    assert _stamps(out) == first

    # One Turkestan consultation moves out of the period (cp1251 file, Russian dates).
    consultations = demo_copy / "consultations.csv"
    text = consultations.read_bytes().decode("cp1251")
    line = next(row for row in text.splitlines() if ";turkestan;" in row and ".05.2022;" in row)
    moved = re.sub(r"\d\d\.05\.2022", "01.07.2022", line)
    consultations.write_bytes(text.replace(line, moved).encode("cp1251"))

    assert _build(demo_copy, out) == (2, 1)
    second = _stamps(out)
    assert second["zko"] == first["zko"], "another region's report is untouched"
    assert second["turkestan"] != first["turkestan"] and second["all"] != first["all"]
    assert _figure(out, "all", "consultations.count") == 21
    # zko's report, found unchanged by its rows, is known unchanged by its files next time.
    assert _rerun_reading_nothing(demo_copy, out) == (0, 3)
    assert _stamps(out) == second

    # A report's file gone, or a build made from other inputs in its place: rebuilt.
    (out / "2022-interim" / "zko" / "report.html").unlink()
    manifest = out / "2022-interim" / "turkestan" / "manifest.json"
    record = json.loads(manifest.read_text(encoding="utf-8"))
    record["build"]["report"] = "0" * 64
    manifest.write_text(json.dumps(record), encoding="utf-8")
    assert _build(demo_copy, out) == (2, 1)


@pytest.mark.slow
def test_a_cached_result_is_never_served_for_different_inputs(built):
    demo_copy, out = built
    assert _figure(out, "all", "media.reach") == 1217
    # Same size, same modification time, different content: only the content tells.
    _edit_keeping_size_and_time(demo_copy / "media.csv", b",327,", b",337,")
    rebuilt, _ = _build(demo_copy, out)
    assert rebuilt >= 1
    assert _figure(out, "all", "media.reach") == 1227


@pytest.mark.slow
def test_a_file_outside_the_tables_changed_rebuilds_nothing(built):
    demo_copy, out = built
    (demo_copy / "README.txt").write_text("notes of the analyst", encoding="utf-8")
    assert _build(demo_copy, out) == (0, 3), "the long way finds the rows unchanged"
    assert _rerun_reading_nothing(demo_copy, out) == (0, 3)


@pytest.mark.slow
def test_an_unknown_period_is_still_refused_after_a_build(demo_build):
    out, first = demo_build
    assert first.returncode == 0, first.stderr
    result = run_cli("run", "--inputs", str(DEMO_INPUTS), "--outputs", str(out), "--period", "2031")
    assert result.returncode == 1 and "2031" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_force_rebuilds_everything(built):
    demo_copy, out = built
    assert _build(demo_copy, out, "--force") == (3, 0)


def test_all_reports_start_first_and_the_rest_keep_the_grid_order():
    jobs = grid.plan_jobs(["p1", "p2"], ["north", "south", "all"])
    assert [j.label for j in grid.build_order(jobs)] == [
        "p1/all", "p2/all", "p1/north", "p1/south", "p2/north", "p2/south"]
