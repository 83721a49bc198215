"""The reviewers' notebook pages (notebooks/NN_section.html) as a reviewer reads them: in
Russian (`lang="ru"`, Russian column headers, да/нет), titled by section, period and region,
every link to an anchor leading somewhere on the page or to the report's registry, and tables
that keep within the page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from helpers_builds import chromium_page
from scrapbook.schemas import GLUE_PAYLOAD_PREFIX

from pipeline.assembly import stitching
from pipeline.ids import ALL
from pipeline.notebook import review

FIGURE_LINKS = ('<p><a class="gr-figure" href="#fig-consultations.count" data-figure="consultations.count">3</a> '
                '<a class="gr-figure" href="#fig-media.reach" data-figure="media.reach">9</a></p>')


def _notebook() -> nbformat.NotebookNode:
    """A section notebook as papermill leaves it: a heading, the parameters it ran with, a cell
    that records a figure (scrapbook) and one that shows the report's block linking two figures."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["papermill"] = {"parameters": {"inputs": ".", "period": "2022-final", "region": "zko"}}
    heading = nbformat.v4.new_markdown_cell("### Консультации и **обратная связь**")
    glue = nbformat.v4.new_code_cell("review.record(ctx, block)", outputs=[nbformat.v4.new_output(
        "display_data", data={f"{GLUE_PAYLOAD_PREFIX}.json+json": {
            "name": "consultations.count", "data": 3, "encoder": "json", "version": 1}})])
    glue.id = "30_consultations-compute-consultations"
    shown = nbformat.v4.new_code_cell("views.feedback(ctx)", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": FIGURE_LINKS})])
    notebook.cells = [heading, glue, shown]
    return notebook


def dead_links(page: str) -> list[str]:
    """The page's links to an anchor of its own (`#…`) that no element of it carries."""
    soup = BeautifulSoup(page, "html.parser")
    ids = {element["id"] for element in soup.find_all(id=True)}
    return [a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith("#")
            and a["href"][1:] not in ids and unquote(a["href"][1:]) not in ids]


def test_a_notebook_page_is_russian_and_titled_by_section_and_report():
    page = stitching.notebook_html(_notebook(), "Итоговый программный отчет — ОЮЛ «ГАМО», Западно-Казахстанская область")
    soup = BeautifulSoup(page, "html.parser")
    assert soup.html["lang"] == "ru"
    assert soup.title.get_text() == ("Консультации и обратная связь — Итоговый программный отчет — ОЮЛ «ГАМО», "
                                     "Западно-Казахстанская область")


def test_without_the_reports_words_the_title_names_the_period_and_region_it_ran_with():
    assert stitching.notebook_title(_notebook()) == "Консультации и обратная связь — 2022-final, zko"


def test_a_figure_link_goes_to_its_cell_on_the_page_or_to_the_evidence_registry():
    page = stitching.notebook_html(_notebook())
    hrefs = [a["href"] for a in BeautifulSoup(page, "html.parser").select("a.gr-figure")]
    assert hrefs == ["#cell-id=30_consultations-compute-consultations", "../evidence.html#fig-media.reach"]
    assert dead_links(page) == []


def test_review_tables_have_russian_headers_with_the_contracts_name_and_yes_no():
    frame = pd.DataFrame({"consultation_id": ["C1", "C2"], "answered": pd.array([True, False], dtype="boolean"),
                          "knowledge_before_answered": [3, 4], "knowledge_before": [4.5, 3.0]})
    soup = BeautifulSoup(review.table(frame, "Расчет по шагам"), "html.parser")
    headers = [th.contents[0].strip() for th in soup.select("th")]
    assert headers == ["консультация", "получен ответ", "ответили: знания до тренинга", "знания до тренинга, балл"]
    assert [small.get_text() for small in soup.select("th small")] == ["consultation_id", "answered", "knowledge_before"]
    assert [td.get_text() for td in soup.select("tbody tr td:nth-child(2)")] == ["да", "нет"]
    assert "True" not in soup.get_text() and "False" not in soup.get_text()


def test_every_column_a_review_table_shows_has_a_russian_header():
    """Each contract column a block's rows in scope show, and each step a survey shows."""
    from pipeline.figures import declarations, indicators

    shown = {column for block in declarations.DECLARED for columns in block.inputs.values() for column in columns}
    shown -= {"full_name"}  # shown as «участник», never as itself
    steps = {f"{q}_{part}" for q in indicators.SCORE_QUESTIONS for part in ("answered", "sum", "mean")}
    missing = sorted(c for c in shown | steps | {"file:row"} if c not in review.HEADERS)
    assert missing == []
    assert all(re.search("[а-я]", review.HEADERS[c].split("\n")[0]) for c in shown | steps)


# Real builds, in a browser.

_WIDE_JS = """() => ({page: document.documentElement.scrollWidth, view: window.innerWidth,
    wide: Array.from(document.querySelectorAll('table')).filter(t =>
        t.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length})"""


@pytest.mark.slow
def test_every_notebook_page_of_a_build_reads_in_russian_without_a_dead_link(demo_build):
    out = demo_build[0]
    pages = sorted(out.glob("*/*/notebooks/*.html"))
    assert len(pages) == 16 * 7
    for path in pages:
        page = path.read_text(encoding="utf-8")
        soup = BeautifulSoup(page, "html.parser")
        assert soup.html["lang"] == "ru", path
        region = path.parent.parent.name
        title = soup.title.get_text()
        assert ("все регионы" if region == ALL else "область") in title and "Notebook" not in title, (path, title)
        assert dead_links(page) == [], path
        registry = (path.parent.parent / "evidence.html").read_text(encoding="utf-8")
        for a in soup.select('a[href^="../evidence.html#fig-"]'):
            assert f'id="{a["href"].split("#", 1)[1]}"' in registry, (path, a["href"])
        for table in soup.select("table.gr-review"):
            assert not re.search(r"<th>[a-z_]+(<|$)", str(table.thead)), (path, str(table.thead)[:200])
            assert not {td.get_text() for td in table.select("td")} & {"True", "False"}, path


@pytest.mark.slow
def test_notebook_pages_keep_their_tables_within_a_laptops_page(demo_build):
    folder = demo_build[0] / "2022-final" / ALL / "notebooks"
    with chromium_page(width=1024, height=768) as page:
        for path in sorted(folder.glob("*.html")):
            page.goto(path.as_uri())
            found = page.evaluate(_WIDE_JS)
            assert found["page"] <= found["view"] and found["wide"] == 0, (path.name, found)
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto((folder / "30_consultations.html").as_uri())
        shots = Path(__file__).parents[1] / "test-artifacts"
        shots.mkdir(exist_ok=True)
        page.screenshot(path=str(shots / "notebook-30-1366.png"), full_page=False)
