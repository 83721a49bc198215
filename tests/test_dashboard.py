"""The reviewers' dashboard (OUT/index.html) as a program officer reads it: names, never the
grid's ids; a mark on every report whose inputs changed since it was built, whatever period
the last run asked for; and a page that fits a laptop's 1 366 px without scrolling sideways."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import run_cli
from helpers_builds import chromium_page, write_build

from pipeline import paths
from pipeline.assembly import index_page
from pipeline.incremental import grid, ledger

FIGURES = {"consultations.count": 3, "events.training.participants": 20, "activity.1.1.achieved_pct": 50,
           "activity.2.1.achieved_pct": 25}
NAMES = {"periods": {"p1": "Промежуточный программный отчет"},
         "regions": {"north": "Северная область", "south": "Южная область"},
         "activities": {"1.1": "Созданы community-центры", "2.1": "Проведены тренинги"},
         "activity_texts": {"1.1": "Создание 4 community-центров", "2.1": "Обучающие тренинги"}}
HASHES = {"grant.yml": "1" * 64, "consultations.csv": "2" * 64}


def _built(folder: Path, key: str) -> Path:
    """A hand-written build whose manifest records the build key `key` (in HTML only)."""
    write_build(folder, FIGURES)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["build"] = {"report": key, "notebooks": {}, "formats": ["html"]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def _rows(outputs: Path, hashes: dict | None = HASHES, results: list | None = None) -> dict:
    page = index_page.write_index(outputs, results or [], hashes).read_text(encoding="utf-8")
    return {row["data-region"]: row for row in BeautifulSoup(page, "html.parser").select("#reports tbody tr")}


def _remember(outputs: Path, reports: dict[str, str], hashes: dict = HASHES) -> None:
    snapshot = ledger.snapshot_key(hashes, paths.section_notebooks(), ("html",))
    ledger.remember(outputs, hashes, ["p1"], ["north", "south", "all"], [],
                    {label: {"snapshot": snapshot, "report": key} for label, key in reports.items()}, names=NAMES)


def test_the_dashboard_names_regions_periods_and_plan_activities(tmp_path):
    for region in ("all", "north", "south"):
        _built(tmp_path / "p1" / region, "k")
    _remember(tmp_path, {})
    rows = _rows(tmp_path)
    assert [row.select("td")[1].get_text(strip=True) for row in rows.values()] == [
        "Все регионы (сводный)", "Северная область", "Южная область"]
    text = rows["north"].get_text(" ", strip=True)
    assert "Промежуточный программный отчет" in text and "north" not in text and "p1" not in text
    plan = rows["north"].select("ul.plan li")
    assert [li.get_text(" ", strip=True) for li in plan] == ["Созданы community-центры 50\u00a0%",
                                                               "Проведены тренинги 25\u00a0%"]
    assert plan[0]["title"] == "мероприятие плана 1.1: Создание 4 community-центров"
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Достигнуто 1.1" not in page and '<option value="north">Северная область</option>' in page


def test_without_kept_names_an_id_stands_for_itself(tmp_path):
    _built(tmp_path / "p1" / "north", "k")
    row = _rows(tmp_path, hashes=None)["north"]
    assert row.select("td")[1].get_text(strip=True) == "north" and row["data-status"] == "built"


def test_a_report_whose_inputs_changed_since_it_was_built_is_marked_out_of_date(tmp_path):
    """North's build is the one kept for these inputs, south's is not (the inputs changed since
    it was built, and the run that validated them did not find it current): south is marked."""
    for region in ("north", "south"):
        _built(tmp_path / "p1" / region, f"key-{region}")
    _remember(tmp_path, {"p1/north": "key-north", "p1/south": "key-of-an-older-build"})
    rows = _rows(tmp_path)
    assert {region: row["data-status"] for region, row in rows.items()} == {"north": "fresh", "south": "stale"}
    assert "устарел — запустите run" in rows["south"].get_text(" ", strip=True)
    assert "устарел" not in rows["north"].get_text(" ", strip=True)


def test_a_report_is_out_of_date_once_the_inputs_hash_otherwise(tmp_path):
    _built(tmp_path / "p1" / "north", "key-north")
    _remember(tmp_path, {"p1/north": "key-north"})
    assert _rows(tmp_path)["north"]["data-status"] == "fresh"
    edited = {**HASHES, "consultations.csv": "3" * 64}
    assert _rows(tmp_path, edited)["north"]["data-status"] == "stale"


def test_the_runs_own_status_comes_first(tmp_path):
    """A report the run built or found up to date is so, whatever was kept before it."""
    _built(tmp_path / "p1" / "north", "key-north")
    _remember(tmp_path, {})
    built = [grid.ReportResult(grid.ReportJob("p1", "north"), tmp_path / "p1" / "north")]
    assert _rows(tmp_path, results=built)["north"]["data-status"] == "built"


def test_an_unchanged_rerun_marks_without_pandas(tmp_path):
    """The marks are told from file keys alone: the dashboard's module imports no pandas."""
    import subprocess
    import sys

    code = ("import sys; from pipeline.assembly import index_page; "
            "assert 'pandas' not in sys.modules, 'pandas imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr


# Real builds, in a browser.

_OVERFLOW_JS = """() => ({page: document.documentElement.scrollWidth, view: window.innerWidth,
    table: document.getElementById('reports').getBoundingClientRect().right})"""


@pytest.mark.slow
def test_the_dashboard_fits_a_laptop_in_chromium(demo_build):
    out = demo_build[0]
    with chromium_page(width=1366, height=768) as page:
        page.goto((out / "index.html").as_uri())
        found = page.evaluate(_OVERFLOW_JS)
        assert found["page"] <= found["view"] == 1366, found
        assert found["table"] <= 1366, found
        # Every cell's text is within its cell: nothing clipped or running into the next.
        spilled = page.eval_on_selector_all("#reports td, #reports th",
                                            "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1).length")
        assert spilled == 0
        shots = Path(__file__).parents[1] / "test-artifacts"
        shots.mkdir(exist_ok=True)
        page.screenshot(path=str(shots / "index-1366.png"), full_page=True)


@pytest.mark.slow
def test_a_run_of_one_period_marks_the_other_periods_reports_it_left_out_of_date(demo_copy, tmp_path):
    """Both periods of two regions built; a consultation of the final period only corrected;
    a run of the interim period leaves the final reports that count it marked, and only them."""
    out = tmp_path / "outputs"
    base = ("run", "--inputs", str(demo_copy), "--outputs", str(out), "--format", "html", "--quiet")
    first = run_cli(*base, "--region", "all", "zko", "atyrau")
    assert first.returncode == 0, first.stderr
    consultations = demo_copy / "consultations.csv"
    text = consultations.read_bytes()
    assert text.count(b"C050;1.1;11.10.2022;zko;") == 1
    consultations.write_bytes(text.replace(b"C050;1.1;11.10.2022;zko;", b"C050;1.1;12.10.2022;zko;"))
    second = run_cli(*base, "--period", "2022-interim", "--region", "all", "zko", "atyrau")
    assert second.returncode == 0, second.stderr
    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    status = {f'{r["data-period"]}/{r["data-region"]}': r["data-status"] for r in soup.select("#reports tbody tr")}
    assert status == {"2022-interim/all": "fresh", "2022-interim/zko": "fresh", "2022-interim/atyrau": "fresh",
                      "2022-final/all": "stale", "2022-final/zko": "stale", "2022-final/atyrau": "fresh"}
    # The marks stand on an unchanged rerun (nothing read), and go once the reports are rebuilt.
    third = run_cli(*base, "--period", "2022-interim", "--region", "all", "zko", "atyrau")
    assert third.returncode == 0, third.stderr
    again = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert {f'{r["data-period"]}/{r["data-region"]}': r["data-status"]
            for r in again.select("#reports tbody tr")} == status
    shutil.rmtree(out / "2022-final" / "atyrau")
    fourth = run_cli(*base, "--period", "2022-final", "--region", "all", "zko")
    assert fourth.returncode == 0, fourth.stderr
    last = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert {r["data-status"] for r in last.select("#reports tbody tr")} <= {"built", "fresh"}
