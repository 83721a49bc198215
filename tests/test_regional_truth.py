"""Issue 22: a regional report states only what is true of its region, and the form is the
deliverable with its evidence beside it.

Without its region's narrative (or a period narrative marked true of every region), a regional
report describes each activity by its own records; an activity without any says so in one line;
a region without any record in the period gets a short report saying so. report.* end with the
signature; the registry and the data notes are in evidence.*."""

from __future__ import annotations

import subprocess

import pytest
from conftest import DEMO_INPUTS, report_figures

from pipeline.figures.scope import make_scope, select
from pipeline.inputs.loading import load_inputs
from pipeline.notebook import accounts

PERIOD = "2022-interim"


@pytest.fixture(scope="module")
def demo():
    return load_inputs(DEMO_INPUTS)


def _selection(inputs, region):
    return select(inputs, make_scope(inputs.grant, PERIOD, region))


def test_an_activity_is_described_by_its_own_records_in_its_region(demo):
    almaty = _selection(demo, "almaty")
    figures = report_figures(DEMO_INPUTS, PERIOD, "almaty")
    text = str(accounts.activity_account(almaty, "1.1", figures, "Алматинская область"))
    consultations = int((almaty.consultations["activity_id"] == "1.1").sum())
    assert consultations and f"Консультаций — {consultations}" in text
    assert f'data-figure="activity.1.1.participants">{figures["activity.1.1.participants"]}</a>' in text
    assert accounts.CONSOLIDATED in text
    assert not accounts.has_records(almaty, "2.1"), "no training in Almaty in the interim period"
    assert str(accounts.activity_account(almaty, "2.1", figures, "Алматинская область")) == \
        f"<p>{accounts.NOTHING_IN_REGION}</p>"


def test_a_training_is_listed_with_its_date_place_and_title(demo):
    turkestan = _selection(demo, "turkestan")
    text = str(accounts.activity_account(turkestan, "2.1", report_figures(DEMO_INPUTS, PERIOD, "turkestan"),
                                         "Туркестанская область"))
    trainings = turkestan.events[turkestan.events["activity_id"] == "2.1"]
    assert len(trainings) and text.count("<li>") == len(trainings)
    for title in trainings["title"]:
        assert f"тренинг «{title}»" in text


def test_a_region_without_records_in_the_period_is_one_to_know(demo):
    assert not accounts.any_records(_selection(demo, "atyrau"))
    assert accounts.any_records(_selection(demo, "almaty")) and accounts.any_records(_selection(demo, "all"))


def _pdf_pages(path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.mark.slow
def test_regional_reports_say_only_what_is_true_of_their_region(demo_copy, tmp_path):
    from conftest import run_cli

    period_file = demo_copy / "narratives" / PERIOD / "1.1.md"
    sentence = "Со всеми координаторами заключены меморандумы о сотрудничестве"
    assert sentence in period_file.read_text(encoding="utf-8"), "the seed's prose names every region"
    override = demo_copy / "narratives" / PERIOD / "zko" / "1.1.md"
    override.parent.mkdir()
    override.write_text("Свой текст ЗКО: {{ fig(\"activity.1.1.participants\") }} участников.", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(out), "--period", PERIOD,
                     "--region", "all", "almaty", "zko", "atyrau", "--quiet")
    assert result.returncode == 0, result.stderr
    page = {region: (out / PERIOD / region / "report.html").read_text(encoding="utf-8")
            for region in ("all", "almaty", "zko", "atyrau")}
    assert sentence in page["all"], "the consolidated report reads the period's text"
    for region in ("almaty", "zko", "atyrau"):
        assert sentence not in page[region], region
    assert "Свой текст ЗКО" in page["zko"] and "Свой текст ЗКО" not in page["almaty"] + page["all"]
    assert accounts.CONSOLIDATED in page["almaty"] and accounts.NOTHING_IN_REGION in page["almaty"]
    assert "записей нет" in page["atyrau"] and '<table class="gr-table gr-activities">' not in page["atyrau"]
    signatory = load_inputs(demo_copy).grant.signatory.name
    for region in ("all", "almaty", "atyrau"):
        folder = out / PERIOD / region
        pages = _pdf_pages(folder / "report.pdf")
        assert signatory in pages[-1] and "Реестр показателей" not in "".join(pages), region
        assert "Замечания к данным" not in "".join(pages), region
        evidence = (folder / "evidence.html").read_text(encoding="utf-8")
        assert "Реестр показателей" in evidence and 'id="fig-budget.spent"' in evidence
        assert "Реестр показателей" in "".join(_pdf_pages(folder / "evidence.pdf"))
        report = (folder / "report.html").read_text(encoding="utf-8")
        assert 'href="evidence.html#fig-budget.spent"' in report and 'href="#fig-' not in report
    assert len(_pdf_pages(out / PERIOD / "atyrau" / "report.pdf")) <= 2
