"""`python -m pipeline diff`: the figures that moved between two outputs folders, between a
report and its previous build, and between two periods, as the report shows them, with Δ
and Δ %; the input files and narratives that changed; exit status 0, 1 or 2; the same as a
page (`--html`)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import PROJECT, run_cli
from helpers_builds import INPUTS, chromium_page, file_links, write_build

from pipeline import app
from pipeline.assembly import diffing, history
from pipeline.notebook import formatting

BEFORE = {"consultations.count": 1234, "budget.spent": 680000, "feedback.response_pct": 50,
          "survey.msu.trainer": None, "media.reach": 0, "grant.amount": 29364470}
AFTER = {"consultations.count": 1240, "budget.spent": 665500.5, "feedback.response_pct": 55,
         "survey.msu.trainer": 4.8, "media.reach": 12, "grant.amount": 29364470}
#: What the correction of `corrected_build` moves in zko's report (reach 235 → 245).
CORRECTED = ("media.reach", "media.partner.reach", "media.external.reach")


def _moved(name: str, old, new) -> str:
    return diffing.Moved(name, old, new, "").line()


def test_moved_figures_read_as_the_report_shows_them():
    assert _moved("consultations.count", 1234, 1240) == "consultations.count: 1\u00a0234 → 1\u00a0240  (Δ +6, +0,5\u00a0%)"
    assert _moved("budget.spent", 680000, 665500.5) == \
        "budget.spent: 680\u00a0000 → 665\u00a0500,50  (Δ -14\u00a0499,50, -2,1\u00a0%)"
    assert _moved("feedback.response_pct", 50, 55) == "feedback.response_pct: 50\u00a0% → 55\u00a0%  (Δ +5\u00a0п.\u00a0п.)"
    assert _moved("survey.msu.trainer", None, 4.8) == "survey.msu.trainer: — → 4,8"
    assert _moved("media.reach", 0, 12) == "media.reach: 0 → 12  (Δ +12)", "no Δ % from zero"
    assert _moved("media.reach", 12, diffing.MISSING) == "media.reach: 12 → (absent)"


def test_a_report_against_its_previous_build(tmp_path):
    report = write_build(tmp_path / "p1" / "north", BEFORE, when=1_800_000_000)
    staging = write_build(tmp_path / "p1" / ".north.new", AFTER,
                          inputs={**INPUTS, "media.csv": "m2", "narratives/p1/1.1.md": "n3",
                                  "narratives/p2/1.1.md": "other period", "expenses.csv": "e1"})
    history.carry(report, staging)
    report.rename(tmp_path / "p1" / ".north.old")
    staging.rename(report)
    write_build(tmp_path / "p1" / "south", BEFORE)

    changed, lines = app.diff([], tmp_path)
    assert changed
    assert lines == [
        "p1/north (against build 20270115T080000Z)",
        *(f"  {_moved(n, BEFORE[n], AFTER[n])}" for n in AFTER if BEFORE[n] != AFTER[n]),
        "  input added: expenses.csv",
        "  input changed: media.csv",
        "  narrative changed: narratives/p1/1.1.md",
        "no previous build: p1/south",
    ]


def test_two_folders_and_a_folder_against_itself(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    for out, figures in ((old, BEFORE), (new, AFTER)):
        write_build(out / "p1" / "north", figures)
        write_build(out / "p1" / "south", BEFORE)
    write_build(old / "p1" / "east", BEFORE)
    changed, lines = app.diff([old, new])
    assert changed and lines[0] == "p1/north" and lines[-2:] == [f"only in {old}: p1/east", "unchanged (1 report): p1/south"]
    assert [line.split(":")[0].strip() for line in lines[1:-2]] == [n for n in AFTER if BEFORE[n] != AFTER[n]]
    assert app.diff([new, new]) == (False, ["unchanged (2 reports): p1/north, p1/south"])


def test_periods_compare_region_by_region_on_the_figures_both_have(tmp_path):
    write_build(tmp_path / "p1" / "north", {**BEFORE, "survey.civic.trainer": 4})
    write_build(tmp_path / "p2" / "north", {**AFTER, "survey.msu.north.trainer": 5},
                inputs={**INPUTS, "narratives/p2/1.1.md": "n1"})
    write_build(tmp_path / "p1" / "east", BEFORE)
    write_build(tmp_path / "p2" / "all", BEFORE)
    changed, lines = app.diff([], tmp_path, ["p1", "p2"])
    assert changed
    assert lines[0] == "p2/north (against p1/north)"
    assert [line.split(":")[0].strip() for line in lines[1:]] == \
        [n for n in AFTER if BEFORE[n] != AFTER[n]] + ["only in p1", "only in p2"]
    assert "narrative" not in "\n".join(lines), "p2's 1.1.md has the text p1's had"
    assert lines[-2:] == ["only in p1: east", "only in p2: all"]


def test_usage_and_input_errors_are_one_line_and_exit_2(cli, tmp_path):
    write_build(tmp_path / "out" / "p1" / "north", BEFORE)
    (tmp_path / "empty").mkdir()
    broken = write_build(tmp_path / "broken" / "p1" / "north", BEFORE)
    (broken / "figures.json").write_text("{not json", encoding="utf-8")
    out = str(tmp_path / "out")
    cases = {
        ("diff", out): "diff: OLD NEW are two outputs folders (1 given)",
        ("diff", out, out, "--periods", "p1", "p2"):
            "diff: give two outputs folders (OLD NEW), or --outputs and --periods, not both",
        ("diff", "--outputs", out, "--periods", "p1", "p9"): f"p9: no report of this period is built in {out} (built: p1)",
        ("diff", "--outputs", out, "--periods", "p1"): "python -m pipeline diff: argument --periods: expected 2 arguments",
        ("diff", "--nonsense"): "python -m pipeline diff: unrecognized arguments: --nonsense",
        ("diff", str(tmp_path / "nowhere"), out): f"{tmp_path / 'nowhere'}: not a folder",
        ("diff", str(tmp_path / "empty"), out): f"{tmp_path / 'empty'}: no built report (run `python -m pipeline run` first)",
        ("diff", str(tmp_path / "broken"), out): f"{broken / 'figures.json'}: not readable as JSON (JSONDecodeError)",
    }
    for args, message in cases.items():
        result = cli(*args)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", message + "\n"), args


def test_diff_reads_json_only_and_imports_no_pandas(tmp_path):
    write_build(tmp_path / "p1" / "north", BEFORE)
    code = ("import sys; from pathlib import Path; from pipeline import app; "
            f"app.diff([Path({str(tmp_path)!r})] * 2, html=Path({str(tmp_path / 'd.html')!r})); "
            "print([m for m in ('pandas', 'papermill', 'nbconvert', 'pipeline.inputs.loading') if m in sys.modules])")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT)
    assert shown.stdout.strip() == "[]"


def test_the_page_names_every_moved_figure_with_its_meaning_and_links_to_the_reports(cli, tmp_path):
    old, new = tmp_path / "sent" / "out", tmp_path / "now"
    write_build(old / "p1" / "north", BEFORE)
    write_build(new / "p1" / "north", AFTER, formats=("html", "pdf"))
    page = tmp_path / "pages" / "diff.html"
    result = cli("diff", str(old), str(new), "--html", str(page))
    assert result.returncode == 1, result.stderr
    html = page.read_text(encoding="utf-8")
    for name in (n for n in AFTER if BEFORE[n] != AFTER[n]):
        meaning = json.loads((new / "p1" / "north" / "manifest.json").read_text(encoding="utf-8"))["figures"][name]
        assert f'data-figure="{name}"' in html and meaning["description"] in html
        assert f'href="../now/p1/north/evidence.html#fig-{name}"' in html
    assert 'href="../sent/out/p1/north/report.html"' in html and 'href="../now/p1/north/report.pdf"' in html
    assert "Показатель" in html and "Было" in html and "Стало" in html


@pytest.mark.slow
def test_diff_lists_exactly_the_figures_a_correction_moved(corrected_build):
    built = corrected_build
    entry = history.latest(built.outputs / built.period / built.changed)
    moved = [line for name in CORRECTED  # each with the row the correction changed, as its lineage has it
             for line in (f"  {name}: 235 → 245  (Δ +10, +4,3\u00a0%)", "    row changed media.csv:24: reach: 82 → 92")]
    since = run_cli("diff", "--outputs", str(built.outputs))
    assert (since.returncode, since.stderr) == (1, "")
    assert since.stdout.splitlines() == [f"{built.period}/{built.changed} (against build {entry.name})", *moved,
                                         "  input changed: media.csv", f"no previous build: {built.period}/{built.unchanged}"]

    between = run_cli("diff", str(built.sent), str(built.outputs))
    assert (between.returncode, between.stderr) == (1, "")
    assert between.stdout.splitlines() == [f"{built.period}/{built.changed}", *moved, "  input changed: media.csv",
                                           f"unchanged (1 report): {built.period}/{built.unchanged}"]
    for folder in (built.sent, built.outputs):
        same = run_cli("diff", str(folder), str(folder))
        assert (same.returncode, same.stdout.strip()) == (0, f"unchanged (2 reports): {built.period}/{built.unchanged}, "
                                                             f"{built.period}/{built.changed}")


@pytest.mark.slow
def test_the_page_of_a_correction_in_a_browser(corrected_build, tmp_path):
    built = corrected_build
    page = tmp_path / "what changed.html"
    result = run_cli("diff", str(built.sent), str(built.outputs), "--html", str(page))
    assert result.returncode == 1, result.stderr
    with chromium_page() as browser:
        browser.goto(page.as_uri())
        assert browser.title().startswith("Что изменилось")
        rows = browser.eval_on_selector_all(
            "tr[data-figure]", "rows => rows.map(r => [r.dataset.figure, ...Array.from(r.cells).map(c => c.innerText.trim())])")
        assert [(row[0], row[2:]) for row in rows] == [(name, ["235", "245", "+10", "+4,3\u00a0%"]) for name in CORRECTED]
        assert "Информационный охват за период" in rows[0][1]
        assert "media.csv (изменен)" in browser.inner_text("body")
        for target in file_links(browser):
            assert target.is_file(), target
        browser.click("text=media.reach")
        browser.wait_for_load_state()
        assert browser.url.endswith("evidence.html#fig-media.reach") and "Реестр показателей" in browser.inner_text("body")


@pytest.mark.slow
def test_periods_on_the_demo_list_the_moved_figures_of_each_region(demo_build):
    out = demo_build[0]
    result = run_cli("diff", "--outputs", str(out), "--periods", "2022-interim", "2022-final")
    assert (result.returncode, result.stderr) == (1, "")
    blocks: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        if not line.startswith(" "):
            current = blocks.setdefault(line, [])
        elif "→" in line:
            current.append(line.strip())
    regions = sorted({p.name for p in out.glob("2022-final/*")} & {p.name for p in out.glob("2022-interim/*")})
    for region in regions:
        old, new = (json.loads((out / period / region / "figures.json").read_text(encoding="utf-8"))
                    for period in ("2022-interim", "2022-final"))
        expected = [(name, formatting.figure(name, old[name]), formatting.figure(name, new[name]))
                    for name in new if name in old and old[name] != new[name]]
        listed = [(line.split(": ")[0], *line.split(": ", 1)[1].split("  (Δ")[0].split(" → "))
                  for line in blocks.get(f"2022-final/{region} (against 2022-interim/{region})", [])]
        assert listed == expected, region
        assert expected or region == "atyrau", f"{region}: the final period moves figures"
