"""The report on screen (issue 15): a figure never breaks inside its number (checked in a real
headless browser, Debian's chromium through playwright), nothing spent reads «0 тенге (0 %)»,
a publication without a count shows the one it was counted as, and blocks a grant does not
have are left out rather than shown as zeros."""

from __future__ import annotations

import math
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest

from pipeline.assembly import stitching
from pipeline.figures import indicators as ind
from pipeline.notebook import formatting, views

NBSP = "\u00a0"
CHROMIUM = Path("/usr/bin/chromium")


def _row(number: int) -> dict:
    return {"task_no": number, "task": "Реализация не менее 4-х успешных примеров местного сообщества", "first": True,
            "span": 1, "activity": "Организация и проведение обучающих тренингов", "deadline": "Май 2022",
            "indicator": "Проведено тренингов и участников", "achieved": 30, "target": 40, "achieved_pct": 29,
            "participants": 1217, "cost": 1877057, "description": "<p>Описание выполненной работы.</p>",
            "documents": [], "links": ["https://www.facebook.com/394868790880352/posts/pfbid0jraSdRUjfwKHEHREPRG"
                                       "upTN6KedWITF2AGFgdWYUFoNAubwEo4RCVQokpMv69egl"], "id": f"{number}.1", "none": None}


def _page(tmp_path: Path) -> Path:
    """The activities table of the real template on a report page with the real report.css."""
    table = views.render("activities.html.j2", rows=[_row(1), _row(2)], currency="тенге")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": table.data})])]
    path = tmp_path / "report.html"
    path.write_text(stitching.to_html(notebook, "Отчет"), encoding="utf-8")
    return path


@pytest.mark.slow  # a real browser
def test_figure_links_never_break_inside_a_number_in_a_real_browser(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/system-packages.sh --test installs it)")
    page_file = _page(tmp_path)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        try:
            checked = {}
            for width in (480, 760, 1100):  # narrow windows squeeze the table's columns
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(page_file.as_uri())
                checked[width] = page.eval_on_selector_all("a", """links => links.map(a => ({
                    text: a.textContent, figure: a.classList.contains('gr-figure'),
                    lines: new Set(Array.from(a.getClientRects()).map(r => Math.round(r.top))).size,
                    wordBreak: getComputedStyle(a).wordBreak, whiteSpace: getComputedStyle(a).whiteSpace}))""")
                page.close()
        finally:
            browser.close()
    for width, links in checked.items():
        figures = [link for link in links if link["figure"]]
        assert {link["text"] for link in figures} >= {"30", "40", f"29{NBSP}%", f"1{NBSP}217", f"1{NBSP}877{NBSP}057"}
        broken = [link["text"] for link in figures if link["lines"] != 1]
        assert not broken, (width, broken)
        assert all(link["wordBreak"] != "break-all" and link["whiteSpace"] == "nowrap" for link in figures)
        addresses = [link for link in links if not link["figure"]]
        assert addresses and all(link["wordBreak"] == "break-all" for link in addresses), "a long address still wraps"
    assert max(link["lines"] for link in checked[480] if not link["figure"]) > 1, "the narrow window did squeeze"


def _header(spent, spent_pct) -> str:
    grant = SimpleNamespace(grantee=SimpleNamespace(name="ОЮЛ"), topic="Тема")
    return views.render("header.html.j2", annex="4", agreement_number="43", agreement_date="«31» марта 2022 года",
                        title="Отчет", grant=grant, region=None, start="1 апреля 2022 г.", end="15 июня 2022 г.",
                        currency="тенге", f={"grant.amount": 29364470, "budget.spent": spent,
                                             "budget.spent_pct": spent_pct}).data


def _visible(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_nothing_spent_reads_zero_tenge_and_zero_percent():
    text = _visible(_header(0, 0))
    assert f"Освоено за период:0{NBSP}тенге (0{NBSP}% суммы гранта)" in text.replace("\n", "")
    assert "—" not in text
    assert f"2{NBSP}557{NBSP}057{NBSP}тенге (9{NBSP}%" in _visible(_header(2557057, 9))
    assert formatting.figure("budget.spent", 0) == "0"  # the registry shows it as the report does
    assert formatting.figure("activity.1.1.cost", 0) == "0"  # an activity that cost nothing: 0 тенге


def _media_context(publications: list) -> tuple[SimpleNamespace, dict]:
    media = pd.DataFrame({
        "date": pd.to_datetime(["2022-05-01", "2022-05-02"]), "platform": ["Facebook", "Сайт"], "account": ["@a", ""],
        "owner": ["own", "press"], "title": ["Пост", "Статья"], "reach": [100.0, 20.0],
        "publications": publications, "url": ["", ""]})
    metrics = pd.DataFrame({"date": pd.to_datetime([]), "name": [], "source": []})
    figures = {name: 0 for name in ("media.own.reach", "media.own.publications", "media.external.reach",
                                     "media.external.publications", "media.reach", "media.publications",
                                     "media.partner.reach", "media.press.reach")}
    context = SimpleNamespace(selection=SimpleNamespace(media=media, metrics=metrics), grant=SimpleNamespace(metrics={}),
                              language="ru")
    return context, figures


def test_a_publication_without_a_count_shows_the_one_it_was_counted_as():
    html = views.media(*_media_context([3.0, math.nan])).data
    cells = [_visible(row) for row in html.split("<tr>") if "Статья" in row or "Пост" in row]
    assert "3" in cells[0].split() and "1" in cells[1].split(), cells
    assert "—" not in "".join(cells)


def _grant_context(units: list[str], **tables: int) -> tuple[SimpleNamespace, dict]:
    """A grant whose plan has activities of these units and tables of that many records."""
    inputs = {"plan": pd.DataFrame({"unit": units}),
              "events": pd.DataFrame({"type": ["training"] * tables.get("trainings", 0)}, dtype=object)}
    for name in ("centres", "consultations", "feedback"):
        inputs[name] = pd.DataFrame({"id": range(tables.get(name, 0))})
    figures = {"centres.count": 0, "consultations.count": 5, "feedback.count": 0, "feedback.response_pct": None,
               "feedback.answered_pct": None, "feedback.satisfaction_pct": None, "feedback.positive_pct": None}
    scope = SimpleNamespace(is_all=True)
    selection = SimpleNamespace(blocks=ind.optional_blocks(inputs), scope=scope)
    return SimpleNamespace(inputs=inputs, scope=scope, selection=selection, language="ru"), figures


def test_blocks_a_grant_does_not_have_are_left_out():
    consultations_only = _grant_context(["Проведено консультаций"], consultations=5)
    html = views.feedback(*consultations_only).data
    assert "<h3>Консультации</h3>" in html and "Консультаций предоставлено" in html
    assert "Community-центров создано" not in html and "Отзывов бенефициаров" not in html
    assert views.shown_blocks(consultations_only[0]) == {"consultations"}
    assert views.trainings(*consultations_only) is None, "no training in the plan or the records"
    assert views.feedback(*_grant_context(["мероприятие"])) is None


def test_a_block_the_grant_has_keeps_its_heading_and_shows_only_what_happened():
    """A plan activity of community centres and a record of feedback anywhere keep the block's
    heading in every report of the grant; its rows are those the report counts any of (issue
    22: no zeros for what did not happen), and with none, one line says so."""
    context, figures = _grant_context(["community-центры", "консультации"], feedback=3)
    html = views.feedback(context, figures).data
    assert "<h3>Community-центры, консультации и отзывы бенефициаров</h3>" in html
    assert "Консультаций предоставлено" in html
    assert "Community-центров создано" not in html and "Отзывов бенефициаров получено" not in html
    none = views.feedback(context, {**figures, "consultations.count": 0}).data
    assert "В отчетном периоде нет записей: community-центры, консультации и отзывы бенефициаров." in none
    assert "<table" not in none
