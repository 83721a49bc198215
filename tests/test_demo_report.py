"""The acceptance case: the demo inputs reproduce the seed report (PRODUCT.md)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import docx
import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import DEMO_INPUTS
from docx.oxml.ns import qn

from pipeline.figures.scope import ALL
from pipeline.inputs.loading import load_inputs
from pipeline.inputs.schema import PERSONAL_COLUMNS
from pipeline.notebook import charts, formatting, recording

pytestmark = pytest.mark.slow  # every test reads the demo build

NBSP = "\u00a0"

# The seed's figures (PRODUCT.md, "Reproducing the seed"), for 2022-interim / all.
SEED = {
    "centres.count": 4,
    "centres.memoranda": 4,
    "events.conference.count": 1,
    "events.conference.participants": 8,
    "consultations.count": 22,
    "activity.1.1.participants": 30,
    "activity.1.1.cost": 680000,
    "activity.1.1.achieved": 4,
    "events.training.count": 4,
    "events.training.participants": 82,
    "activity.2.1.participants": 82,
    "activity.2.1.cost": 1877057,
    "activity.2.1.achieved": 4,
    "activity.2.1.target": 14,
    "survey.msu.turkestan.knowledge_before": 3.07,
    "survey.msu.turkestan.knowledge_after": 4.8,
    "survey.msu.turkestan.trainer": 4.9,
    "survey.msu.turkestan.organisation": 4.95,
    "survey.public_control.turkestan.knowledge_before": 3.1,
    "survey.public_control.turkestan.knowledge_after": 4.08,
    "survey.public_control.turkestan.trainer": 4.2,
    "survey.public_control.turkestan.organisation": 4.4,
    "survey.msu.kyzylorda.knowledge_before": 3.11,
    "survey.msu.kyzylorda.knowledge_after": 4.8,
    "survey.msu.kyzylorda.trainer": 4.9,
    "survey.msu.kyzylorda.organisation": 4.95,
    "survey.public_control.kyzylorda.knowledge_before": 3.8,
    "survey.public_control.kyzylorda.knowledge_after": 4.06,
    "survey.public_control.kyzylorda.trainer": 4.3,
    "survey.public_control.kyzylorda.organisation": 4.3,
    "feedback.count": 11,
    "feedback.response_pct": 50,
    "feedback.answered_pct": 100,
    "feedback.satisfaction_pct": 90,
    "feedback.positive_pct": 100,
    "activity.3.1.participants": 11,
    "events.presentation.count": 1,
    "events.presentation.participants": 143,
    "media.publications": 24,
    "media.own.publications": 15,
    "media.external.publications": 9,
    "media.reach": 1217,
    "media.own.reach": 854,
    "media.external.reach": 363,
    "metric.telegram_subscribers": 31,
    "metric.media_plans": 1,
    "metric.press_releases": 1,
    "metric.announcements": 1,
    "grant.amount": 29364470,
}


def _figures(out, period="2022-interim", region=ALL) -> dict:
    return json.loads((out / period / region / "figures.json").read_text(encoding="utf-8"))


def _grid():
    grant = load_inputs(DEMO_INPUTS).grant
    return [(p, r) for p in grant.period_ids() for r in grant.region_ids() + [ALL]]


def test_the_whole_demo_grid_builds(demo_build):
    out, result = demo_build
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for period, region in _grid():
        folder = out / period / region
        assert (folder / "figures.json").is_file(), folder
        assert (folder / "report.html").is_file(), folder
        assert (folder / "report.pdf").read_bytes().startswith(b"%PDF"), folder
        assert (folder / "manifest.json").is_file(), folder
        assert len(list((folder / "notebooks").glob("*.ipynb"))) == 7, folder
    assert not [p for p in out.rglob("*") if ".building-" in p.name or p.name.endswith(".failed")]


@pytest.mark.parametrize("name,value", sorted(SEED.items()))
def test_seed_figure(demo_build, name, value):
    assert _figures(demo_build[0])[name] == value


#: The seed's indicator column, by activity: what each indicator states (row 1: centres created,
#: online conferences, memoranda, consultations; row 3: satisfaction, positive feedback; the
#: media plan's row: media plan, press releases, announcement, reach).
SEED_INDICATORS = {
    "1.1": ["4", "1", "4", "22"],
    "3.1": ["90 %", "100 %"],
    "4.2": ["1", "1", "1", "1 217"],
}


def test_the_indicator_column_states_what_the_seed_states(demo_build):
    """grant.yml's `indicators:` of the demo give the seed's indicators; their values come from
    the demo's records through the figures, each linked to its evidence."""
    page = (demo_build[0] / "2022-interim" / ALL / "report.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    for aid, values in SEED_INDICATORS.items():
        items = soup.select(f'tr[id="activity-{aid}"] td.gr-indicators p')
        shown = [item.select_one("a.gr-figure").get_text().replace(NBSP, " ") for item in items]
        assert shown == values, aid
    first = " ".join(soup.select_one('tr[id="activity-1.1"] td.gr-indicators p').get_text().replace(NBSP, " ").split())
    assert first == "Созданы community-центры: 4 из 4 (100 %)"
    assert "gr-later" not in page and "…</span>" not in page, "every slot filled"
    kept = soup.select_one('tr[id="activity-2.1"]').get_text().replace(NBSP, " ")
    assert "Проведены обучающие тренинги: 4 из 14 (29 %)" in " ".join(kept.split()), "no indicators: the plan's"


def test_figures_json_equals_the_scraps_of_the_executed_notebooks(demo_build):
    folder = demo_build[0] / "2022-interim" / ALL
    scraps = {}
    for path in sorted((folder / "notebooks").glob("*.ipynb")):
        scraps.update(recording.read_figures(path))
    assert scraps == _figures(demo_build[0])
    assert None in scraps.values(), "null figures are recorded too"


def test_a_regional_report_has_the_consolidated_names_but_other_regions_surveys(demo_build):
    """`all` breaks surveys down by every region; a region's report only by its own, with the
    same values (so a report's size does not grow with the number of regions)."""
    grant = load_inputs(DEMO_INPUTS).grant
    for period in grant.period_ids():
        consolidated = _figures(demo_build[0], period, ALL)
        for region in grant.region_ids():
            others = {r for r in grant.region_ids() if r != region}
            expected = [n for n in consolidated
                        if not (n.startswith("survey.") and n.count(".") == 3 and n.split(".")[2] in others)]
            regional = _figures(demo_build[0], period, region)
            assert list(regional) == expected, (period, region)
            own = {n: v for n, v in regional.items() if n.startswith("survey.") and n.split(".")[2:3] == [region]}
            assert own and own == {n: consolidated[n] for n in own}, (period, region)


def test_a_narrative_naming_another_regions_survey_shows_a_dash_there(demo_build, demo_copy):
    """The period's prose names Turkestan's and Kyzylorda's surveys. A regional report does not
    borrow it (issue 22); marked true of every region, it would show those figures as "—" there,
    not a number and not an error."""
    from conftest import report_figures

    from pipeline.figures.blocks import elsewhere
    from pipeline.notebook import context, narratives

    sentence = "В Туркестанской области средняя оценка уровня знаний участников по теме МСУ до тренинга – "
    zko = re.sub(r"<[^>]+>", "", (demo_build[0] / "2022-interim" / "zko" / "report.html").read_text(encoding="utf-8"))
    assert sentence not in zko
    path = demo_copy / "narratives" / "2022-interim" / "2.1.md"
    path.write_text("---\nregions: all\n---\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    ctx = context.load(demo_copy, "2022-interim", "zko")
    marked = re.sub(r"<[^>]+>", "", narratives.render(
        demo_copy, "2022-interim", "2.1", report_figures(demo_copy, "2022-interim", "zko"),
        absent=elsewhere(ctx.selection), region="zko") or "")
    assert sentence + "— балла" in marked
    consolidated = re.sub(r"<[^>]+>", "", (demo_build[0] / "2022-interim" / ALL / "report.html").read_text(encoding="utf-8"))
    before = _figures(demo_build[0], "2022-interim", ALL)["survey.msu.turkestan.knowledge_before"]
    assert isinstance(before, float)
    assert f"по теме МСУ до тренинга – {formatting.figure('x', before)} балла" in consolidated


def test_parameters_are_injected_into_the_executed_notebooks(demo_build):
    nb = nbformat.read(demo_build[0] / "2022-final" / "zko" / "notebooks" / "20_trainings.ipynb", as_version=4)
    assert nb.metadata.papermill.parameters == {"period": "2022-final", "region": "zko", "inputs": "."}
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "region = 'zko'" in injected[0].source


def test_report_html_reads_like_the_seed(demo_build):
    html = (demo_build[0] / "2022-interim" / ALL / "report.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.replace("&nbsp;", NBSP).replace(NBSP, " ")))
    in_order = [
        "Приложение № 4", "к договору о предоставлении гранта", "от «31» марта 2022 года № 43",
        "ПРОМЕЖУТОЧНЫЙ ПРОГРАММНЫЙ ОТЧЕТ", "Грантополучатель:", "Гражданский Альянс Мангистауской области",
        "Тема гранта:", "Сумма гранта:", "29 364 470 тенге",
        "1. Информация о выполненных работах", "680 000 тенге", "1 877 057 тенге",
        "Эффективность обучающих тренингов", "3,07", "4,95",
        "Community-центры, консультации и отзывы бенефициаров", "90 %",
        "2. Освещение деятельности (включая рекламу) в СМИ, социальных сетях",
        "Жобаның басталғаны туралы пост-анонс", "Публикации партнеров и СМИ", "1 217",
        "3. Напишите историю успеха", "Истории успеха ожидаются к окончанию проекта",
    ]
    position = 0
    for needle in in_order:
        found = text.find(needle, position)
        assert found >= 0, f"{needle!r} missing or out of order"
        position = found
    assert "<script" not in html, "the report runs no scripts"
    assert "<img" in html and "data:image/png;base64," in html, "the chart is embedded"
    assert f'alt="{charts.SURVEY_ALT}"' in html, "the chart says what it shows"
    assert "No description has been provided" not in html
    assert "In&nbsp;[" not in html and "jp-InputArea-editor" not in html, "no code or prompts"


GRANTEE = "Объединение юридических лиц в форме ассоциации «Гражданский Альянс Мангистауской области»"


TITLED = pytest.mark.parametrize("region, where", [("kyzylorda", "Кызылординская область"), (ALL, "все регионы")])


def _title(where: str) -> str:
    return f"Промежуточный программный отчет, 1 апреля 2022 г. – 15 июня 2022 г. — ОЮЛ «ГАМО», {where}"


@TITLED
def test_the_report_is_titled_in_words_and_authored_by_the_grantee(demo_build, region, where):
    """The browser tab and the PDF's properties say which report this is (grant.yml's words,
    not ids) and whose: a grant operator files hundreds of them."""
    html = (demo_build[0] / "2022-interim" / region / "report.html").read_text(encoding="utf-8")
    assert f"<title>{_title(where)}</title>" in html
    authors = BeautifulSoup(html, "html.parser").head.find_all("meta", attrs={"name": "author"})
    assert [meta["content"] for meta in authors] == [GRANTEE]


@TITLED
def test_the_pdf_is_titled_in_words_and_authored_by_the_grantee(demo_build, region, where):
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo is not installed (Debian package poppler-utils)")
    info = subprocess.run(["pdfinfo", str(demo_build[0] / "2022-interim" / region / "report.pdf")],
                          capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Title"].strip() == _title(where) and fields["Author"].strip() == GRANTEE


def test_narrative_numbers_come_from_figures(demo_build):
    html = (demo_build[0] / "2022-interim" / ALL / "report.html").read_text(encoding="utf-8")
    assert "{{" not in html and "fig(" not in html
    text = re.sub(r"<[^>]+>", "", html).replace(NBSP, " ")
    assert "Подписчиков канала на данный момент: 31" in text


def test_a_region_without_records_builds_with_zeros(demo_build):
    grant = load_inputs(DEMO_INPUTS).grant
    assert "atyrau" in grant.region_ids()
    figures = _figures(demo_build[0], "2022-final", "atyrau")
    assert figures["consultations.count"] == 0
    assert figures["events.training.count"] == 0
    assert figures["media.reach"] == 0
    assert figures["feedback.response_pct"] is None
    assert figures["survey.msu.respondents"] == 0 and figures["survey.msu.knowledge_before"] is None
    html = (demo_build[0] / "2022-final" / "atyrau" / "report.html").read_text(encoding="utf-8")
    assert "Атырауская" in html


def test_regional_reports_add_up_to_the_consolidated_one(demo_build):
    grant = load_inputs(DEMO_INPUTS).grant
    for name in ("consultations.count", "events.training.participants", "centres.count", "feedback.count"):
        total = _figures(demo_build[0], "2022-final", ALL)[name]
        parts = sum(_figures(demo_build[0], "2022-final", r)[name] for r in grant.region_ids())
        assert parts == total, name


def test_no_personal_data_in_any_output(demo_build):
    inputs = load_inputs(DEMO_INPUTS)
    secrets = set()
    for frame in inputs.tables.values():
        for column in PERSONAL_COLUMNS & set(frame.columns):
            secrets |= {v.strip() for v in frame[column] if len(v.strip()) >= 6}
    assert len(secrets) > 100
    scanned = 0
    for path in demo_build[0].rglob("*"):
        if path.is_file():
            if path.suffix == ".pdf":
                text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                      check=True).stdout
            elif path.suffix == ".docx":
                text = "\n".join(t.text or "" for t in docx.Document(path).element.body.iter(qn("w:t")))
            else:
                text = path.read_text(encoding="utf-8", errors="replace")
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{path}: {leaked[:3]}"
            scanned += 1
    assert scanned > 16 * 15
