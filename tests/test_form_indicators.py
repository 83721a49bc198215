"""Issue 22: the form's indicators. A plan activity may carry several indicators (grant.yml
`indicators:`), each a figure of the report with its label and an optional target; the
indicator column states each, «label: X из Y (Z %)» against the report's own target and
«label: X» without one, linked to its evidence; grant.yml's mistakes are one line each."""

from __future__ import annotations

import io
import re
import shutil

import docx
import pytest
from bs4 import BeautifulSoup
from conftest import DEMO_INPUTS, report_figures

from pipeline import app
from pipeline.figures import blocks
from pipeline.inputs.grant import InputProblems, parse_grant
from pipeline.notebook import context, placing, views

NBSP = "\u00a0"
GRANT = (DEMO_INPUTS / "grant.yml").read_text(encoding="utf-8")


def _with(root, text: str) -> None:
    """The demo's grant.yml with its `indicators:` replaced by `text`."""
    before = GRANT.split("\nindicators:\n", 1)[0]
    (root / "grant.yml").write_text(f"{before}\nindicators:\n{text}", encoding="utf-8")


def _line_of(root, needle: str) -> int:
    lines = (root / "grant.yml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _indicator_cells(inputs, period: str, region: str) -> dict[str, list[str]]:
    """The indicator column of the activities table as a report shows it once stitched: by
    activity_id, the text of each indicator (or the plan's one indicator)."""
    ctx = context.load(inputs, period, region)
    figures = report_figures(inputs, period, region)
    own = {name: value for name, value in figures.items() if name.startswith("activity.")}  # the notebook's block
    page = views.activities(ctx, own).data
    assert "gr-later" in page and "…" in page, "the later notebooks' figures are slots until stitched"
    filled = placing.Filler(ctx.inputs_dir, period, region, figures, absent=blocks.elsewhere(ctx.selection))(page)
    soup = BeautifulSoup(filled, "html.parser")
    cells = {}
    for row in soup.select("tr[id^=activity-]"):
        cell = row.find_all("td")[-5] if not row.select_one("td.gr-none") else row.select_one("td.gr-none")
        items = cell.find_all("p") if "gr-indicators" in cell.get("class", []) else []
        texts = [item.get_text() for item in items] if items else [cell.get_text()]
        cells[row["id"].removeprefix("activity-")] = [" ".join(t.replace(NBSP, " ").split()) for t in texts]
    return cells


def test_the_consolidated_report_states_each_indicator_against_the_projects_target():
    cells = _indicator_cells(DEMO_INPUTS, "2022-interim", "all")
    assert cells["1.1"] == [
        "Созданы community-центры: 4 из 4 (100 %)",
        "Проведена онлайн-конференция с координаторами и партнерами community-центров: 1",
        "Заключены меморандумы с региональными координаторами community-центров: 4",
        "Региональными координаторами предоставлены консультации по МСУ: 22"]
    assert cells["3.1"] == ["Удовлетворенность бенефициаров предоставленными услугами community-центров: 90 %",
                            "Положительных отзывов: 100 %"]
    assert cells["4.2"] == ["Медиаплан: 1", "Пресс-релизы: 1", "Анонс community-центров: 1",
                            "Информационный охват: 1 217"]
    assert cells["2.1"] == ["Проведены обучающие тренинги: 4 из 14 (29 %)"], "no indicators: the plan's one"


def test_a_regional_report_compares_only_with_its_regions_target():
    almaty = _indicator_cells(DEMO_INPUTS, "2022-final", "almaty")
    assert almaty["1.1"][0] == "Созданы community-центры: 1 из 1 (100 %)", "grant.yml's target for almaty"
    mangystau = _indicator_cells(DEMO_INPUTS, "2022-final", "mangystau")
    assert not any("из 4" in line for line in mangystau["1.1"]), "no target of its own: never the project's"
    assert not any(line.startswith("Созданы community-центры") for line in mangystau["1.1"]), \
        "no centre in the region and no target of its own: the indicator is left out, not stated as 0"


def test_a_regional_report_leaves_out_an_indicator_of_what_did_not_take_place_in_the_region():
    almaty = _indicator_cells(DEMO_INPUTS, "2022-interim", "almaty")
    assert almaty["1.1"][0] == "Созданы community-центры: 1 из 1 (100 %)", "a target of its own: stated, 0 or not"
    assert not any("онлайн-конференция" in line for line in almaty["1.1"]), "no conference in the region"
    assert almaty["4.2"] == ["Информационный охват: 56"], "the project's media plan and releases are no region's"
    assert "Удовлетворенность бенефициаров предоставленными услугами community-центров: 90 %" in almaty["3.1"]


def test_a_project_target_is_the_consolidated_reports_only_and_each_value_is_linked(tmp_path):
    root = shutil.copytree(DEMO_INPUTS, tmp_path / "inputs")
    _with(root, "  '3.1':\n"
                "    - {figure: consultations.count, label: 'Консультации', target: 40}\n"
                "    - {figure: feedback.satisfaction_pct, label: 'Удовлетворенность', target: 80}\n"
                "    - {figure: survey.msu.turkestan.trainer, label: 'Тренер в Туркестане'}\n")
    whole = _indicator_cells(root, "2022-interim", "all")["3.1"]
    assert whole == ["Консультации: 22 из 40 (55 %)", "Удовлетворенность: 90 % из 80 % (113 %)",
                     "Тренер в Туркестане: 4,9"]
    regional = _indicator_cells(root, "2022-interim", "kyzylorda")["3.1"]
    consulted = report_figures(root, "2022-interim", "kyzylorda")["consultations.count"]
    assert consulted and regional[0] == f"Консультации: {consulted}" and "из" not in " ".join(regional)
    assert not any("Туркестане" in line for line in regional), "another region's figure is not this report's: left out"
    ctx = context.load(root, "2022-interim", "all")
    figures = report_figures(root, "2022-interim", "all")
    page = placing.Filler(root, "2022-interim", "all", figures)(views.activities(ctx, figures).data)
    assert ('<a class="gr-figure" href="#fig-consultations.count" data-figure="consultations.count">22</a>'
            in page), "the value is linked to its evidence, as every number of the report"
    assert 'data-figure="feedback.satisfaction_pct">90' in page


def test_word_and_paper_state_the_same_indicators_without_links():
    ctx = context.load(DEMO_INPUTS, "2022-interim", "all")
    figures = report_figures(DEMO_INPUTS, "2022-interim", "all")
    filled = placing.Filler(DEMO_INPUTS, "2022-interim", "all", figures)(views.activities(ctx, figures).data)
    paper = views.without_row_lists(f"<html lang='ru'><body><main>{filled}</main></body></html>")
    assert 'href="#fig-centres.count"' not in paper and 'data-figure="centres.count">4</a>' in paper
    from pipeline.assembly import word

    document = docx.Document(io.BytesIO(word.html_to_docx(paper)))
    text = "\n".join(p.text for table in document.tables for row in table.rows for cell in row.cells
                     for p in cell.paragraphs).replace(NBSP, " ")
    for line in ("Созданы community-центры: 4 из 4 (100 %)", "Положительных отзывов: 100 %",
                 "Информационный охват: 1 217"):
        assert line in text


# ---------------------------------------------------------------- grant.yml's mistakes


def test_an_indicator_is_a_figure_a_label_and_a_positive_target():
    text = GRANT.split("\nindicators:\n", 1)[0] + (
        "\nindicators:\n  '1.1':\n    - {figure: centres, label: 'Центры', target: {all: -4}}\n"
        "    - {figur: centres.count, label: 'Центры'}\n")
    with pytest.raises(InputProblems) as raised:
        parse_grant(text)
    lines = [str(p) for p in raised.value.problems]
    first = text.splitlines().index("    - {figure: centres, label: 'Центры', target: {all: -4}}") + 1
    assert lines == [
        f"grant.yml:{first}: indicators.1.1[0].figure = centres: expected a figure's name, parts joined by dots "
        "(e.g. centres.count, feedback.satisfaction_pct; `python -m pipeline figures` lists them)",
        f"grant.yml:{first}: indicators.1.1[0].target.all = -4: expected a positive number",
        f"grant.yml:{first + 1}: unknown key «figur» under «indicators.1.1[1]»: did you mean «figure»?"]


def test_an_activity_the_plan_lacks_a_report_grant_yml_lacks_and_an_unknown_figure_are_lines(tmp_path):
    root = shutil.copytree(DEMO_INPUTS, tmp_path / "inputs")
    _with(root, "  '9.9':\n    - {figure: centres.count, label: 'Центры'}\n"
                "  '1.1':\n    - {figure: centres.count, label: 'Центры', target: {all: 4, almati: 1}}\n")
    lines = app.validate(root).lines()
    assert lines == [
        f"grant.yml:{_line_of(root, '9.9')}: indicators = 9.9: expected an activity_id of the plan "
        "(1.1, 2.1, 3.1, 4.1, 4.2)",
        f"grant.yml:{_line_of(root, 'almati')}: indicators 1.1[0].target = almati: expected a region id of "
        "grant.yml or all (almaty, kyzylorda, turkestan, zko, mangystau, aktobe, atyrau, all)"]
    _with(root, "  '1.1':\n    - {figure: centres.memorandum, label: 'Меморандумы'}\n"
                "    - {figure: events.seminar.count, label: 'Семинары'}\n")
    lines = app.validate(root).lines()
    assert lines == [
        f"grant.yml:{_line_of(root, 'centres.memorandum')}: indicators 1.1[0].figure = centres.memorandum: expected "
        "a figure of the period's reports (periods without it: 2022-interim, 2022-final) "
        "(did you mean «centres.memoranda» or «centres.count»?)",
        f"grant.yml:{_line_of(root, 'events.seminar')}: indicators 1.1[1].figure = events.seminar.count: expected "
        "a figure of the period's reports (periods without it: 2022-interim, 2022-final) "
        "(did you mean «events.meeting.count» or «events.other.count» or «events.presentation.count»?)"]


def test_while_the_tables_have_problems_an_indicator_is_held_to_the_catalogue(tmp_path):
    root = shutil.copytree(DEMO_INPUTS, tmp_path / "inputs")
    _with(root, "  '1.1':\n    - {figure: centres.memorandum, label: 'Меморандумы'}\n")
    (root / "feedback.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    lines = app.validate(root).lines()
    assert f"grant.yml:{_line_of(root, 'centres.memorandum')}: indicators 1.1[0].figure = centres.memorandum: " \
           "expected a figure of the catalogue (did you mean «centres.memoranda» or «centres.count»?)" in lines
    assert any(line.startswith("feedback.csv") for line in lines)


def test_the_demo_names_figures_every_period_has():
    assert app.validate(DEMO_INPUTS).ok
    indicators = parse_grant(GRANT).indicators
    assert sorted(indicators) == ["1.1", "3.1", "4.2"]
    assert not any(re.fullmatch(r"[\d.]+", str(i.figure)) for listed in indicators.values() for i in listed)


def test_an_indicators_label_or_target_is_part_of_every_reports_key(tmp_path):
    """What the indicator column shows comes from grant.yml, which each report's key hashes:
    a changed label rebuilds the report (an incremental run equals a forced one)."""
    from pipeline.figures.scope import make_scope, select
    from pipeline.incremental.fingerprints import slice_key
    from pipeline.inputs.loading import load_inputs

    root = shutil.copytree(DEMO_INPUTS, tmp_path / "inputs")

    def key() -> str:
        inputs = load_inputs(root)
        return slice_key(inputs, select(inputs, make_scope(inputs.grant, "2022-interim", "almaty")))

    before = key()
    grant = root / "grant.yml"
    grant.write_text(grant.read_text(encoding="utf-8").replace("label: {ru: 'Медиаплан'", "label: {ru: 'Медиа-план'"),
                     encoding="utf-8")
    assert key() != before
