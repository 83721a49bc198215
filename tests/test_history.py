"""A report's build history: the build a new one replaces is kept in history/<UTC time>/ (its
figures.json and manifest.json), the last 20 of them, moved along with the report by the swap;
an identical rebuild, an unchanged rerun and a failed build add nothing; a swap killed midway
loses neither the last good build nor its history."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest
from conftest import run_cli
from helpers_builds import INPUTS, write_build

from pipeline.assembly import builder, diffing, history
from pipeline.incremental import grid, ledger

#: 2026-11-28 05:30:12 UTC.
WHEN = dt.datetime(2026, 11, 28, 5, 30, 12, tzinfo=dt.UTC).timestamp()


def _swap(outputs, figures: dict, when: float, **kwargs) -> None:
    """A new build of p1/north, made in a staging folder and swapped in as the builder does."""
    final = outputs / "p1" / "north"
    staging = write_build(outputs / "p1" / ".north.building-1-1", figures, when=when, **kwargs)
    builder.swap_in(staging, final)


def _tree(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_new_build_keeps_the_one_it_replaces_under_its_build_time(tmp_path):
    final = write_build(tmp_path / "p1" / "north", {"consultations.count": 4}, when=WHEN)
    before = _tree(final)
    _swap(tmp_path, {"consultations.count": 5}, WHEN + 60)
    assert [p.name for p in history.entries(final)] == ["20261128T053012Z"]
    entry = final / "history" / "20261128T053012Z"
    assert sorted(p.name for p in entry.iterdir()) == ["figures.json", "manifest.json"]
    assert _tree(entry) == {name: before[name] for name in ("figures.json", "manifest.json")}
    assert json.loads((final / "figures.json").read_text(encoding="utf-8")) == {"consultations.count": 5}
    assert not list(tmp_path.glob("p1/.*")), "nothing left beside the report"


def test_history_moves_with_the_report_and_keeps_the_last_20(tmp_path):
    write_build(tmp_path / "p1" / "north", {"consultations.count": 0}, when=WHEN)
    for n in range(1, 26):
        _swap(tmp_path, {"consultations.count": n}, WHEN + 3600 * n)
    kept = history.entries(tmp_path / "p1" / "north")
    assert len(kept) == history.KEEP == 20
    values = [json.loads((entry / "figures.json").read_text(encoding="utf-8"))["consultations.count"] for entry in kept]
    assert values == list(range(5, 25)), "the newest 20 builds before the current one, oldest first"
    assert [p.name for p in kept] == sorted(p.name for p in kept), "names sort as the builds were made"


def test_only_a_build_that_says_something_else_is_kept(tmp_path):
    """A rebuild with the same figures and prose adds nothing, whether forced, after a change
    of code, or after a change of an input file the report does not count (another region's
    row: the manifest lists every file); a change of its period's narrative does."""
    final = write_build(tmp_path / "p1" / "north", {"consultations.count": 4}, when=WHEN)
    _swap(tmp_path, {"consultations.count": 5}, WHEN + 60)
    _swap(tmp_path, {"consultations.count": 5}, WHEN + 120, timings=2.5)
    _swap(tmp_path, {"consultations.count": 5}, WHEN + 180, inputs={**INPUTS, "media.csv": "m2", "narratives/p2/1.1.md": "x"})
    assert [p.name for p in history.entries(final)] == ["20261128T053012Z"], "carried, nothing added"
    _swap(tmp_path, {"consultations.count": 5}, WHEN + 240, inputs={**INPUTS, "media.csv": "m2", "narratives/p1/1.1.md": "y"})
    assert [p.name for p in history.entries(final)] == ["20261128T053012Z", "20261128T053312Z"]


def test_builds_written_within_one_second_keep_an_entry_each(tmp_path):
    final = write_build(tmp_path / "p1" / "north", {"consultations.count": 1}, when=WHEN)
    _swap(tmp_path, {"consultations.count": 2}, WHEN)
    _swap(tmp_path, {"consultations.count": 3}, WHEN)
    assert [p.name for p in history.entries(final)] == ["20261128T053012Z", "20261128T053012Z-2"]
    assert history.previous(final, "p1", "north").figures[0].old == 2


def test_the_old_build_is_only_read_and_a_swap_killed_midway_loses_no_history(tmp_path):
    """Carrying history happens in the staging folder; killed between the swap's two renames,
    the old build (with its history) is put back whole by the next run."""
    final = write_build(tmp_path / "p1" / "north", {"consultations.count": 1}, when=WHEN)
    _swap(tmp_path, {"consultations.count": 2}, WHEN + 60)
    before = _tree(final)
    staging = write_build(tmp_path / "p1" / ".north.building-1-1", {"consultations.count": 3}, when=WHEN + 120)
    history.carry(final, staging)
    assert _tree(final) == before, "the old build untouched"
    assert len(history.entries(staging)) == 2
    final.rename(grid.swapped_out(final, _dead_pid()))  # …and the run is killed here
    grid.clean_stale(tmp_path)
    assert _tree(final) == before, "put back whole, history included"


def test_a_failed_build_adds_nothing(tmp_path):
    final = write_build(tmp_path / "p1" / "north", {"consultations.count": 1}, when=WHEN)
    _swap(tmp_path, {"consultations.count": 2}, WHEN + 60)
    before = _tree(final)
    staging = tmp_path / "p1" / ".north.building-1-1"
    (staging / "notebooks").mkdir(parents=True)
    builder.keep_failed(staging, final, grid.ReportResult(grid.ReportJob("p1", "north"), final, error="boom"))
    assert _tree(final) == before
    assert (tmp_path / "p1" / "north.failed" / "error.txt").is_file()


def test_history_is_no_part_of_a_build(tmp_path):
    """The up-to-date check does not require it; no command takes an entry for a report."""
    final = write_build(tmp_path / "p1" / "north", {"consultations.count": 1}, when=WHEN)
    _swap(tmp_path, {"consultations.count": 2}, WHEN + 60)
    assert ledger.complete(final, {"notebooks": {}, "formats": ["html"]})
    assert diffing.built(tmp_path) == [("p1", "north")]


def _dead_pid() -> int:
    """The id of a process that has ended."""
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout)


@pytest.mark.slow
def test_a_correction_keeps_the_previous_build_and_an_unchanged_rerun_adds_nothing(corrected_build):
    built = corrected_build
    report = built.outputs / built.period / built.changed
    [entry] = history.entries(report)
    assert re.fullmatch(r"\d{8}T\d{6}Z", entry.name)
    sent = built.sent / built.period / built.changed
    for name in ("figures.json", "manifest.json"):
        assert (entry / name).read_bytes() == (sent / name).read_bytes(), name
    assert history.entries(built.outputs / built.period / built.unchanged) == [], "not rebuilt: nothing kept"
    listing = sorted(p.relative_to(built.outputs).as_posix() for p in built.outputs.rglob("history/**/*"))

    rerun = run_cli(*built.run)
    assert rerun.returncode == 0, rerun.stderr
    assert sorted(p.relative_to(built.outputs).as_posix() for p in built.outputs.rglob("history/**/*")) == listing

    checked = run_cli("verify", "--inputs", str(built.inputs), "--outputs", str(built.outputs), "--region", built.changed)
    assert checked.returncode == 0, checked.stdout + checked.stderr
