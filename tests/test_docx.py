"""The Word report (issue 15): report.docx, made by python-docx from the report page
(`pipeline.assembly.word`), read back with python-docx and, where LibreOffice is installed
(Debian: libreoffice-writer-nogui), converted to PDF and read as a reader would (poppler-utils).

The fast tests write a small page of the real templates; the slow ones read the session's
demo build, whose default formats include docx.
"""

from __future__ import annotations

import base64
import copy
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import docx
import nbformat
import pandas as pd
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.shape import WD_INLINE_SHAPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from pipeline.assembly import stitching, word, wordstyles
from pipeline.notebook import charts, views

PERIOD = "2022-interim"
KAZAKH_TITLE = "Жобаның басталғаны туралы пост-анонс"
SECTIONS = ("ПРОМЕЖУТОЧНЫЙ ПРОГРАММНЫЙ ОТЧЕТ", "1. Информация о выполненных работах",
            "Эффективность обучающих тренингов", "2. Освещение деятельности (включая рекламу) в СМИ, социальных сетях",
            "3. Напишите историю успеха по определенному действию, если имеются")
#: The Debian package whose `soffice` converts a .docx for the tests (scripts/system-packages.sh --test).
LIBREOFFICE = "libreoffice-writer-nogui"
NBSP = "\u00a0"


# ---------------------------------------------------------------- helpers

def _open(data: bytes):
    return docx.Document(io.BytesIO(data))


def _paragraph_texts(document) -> list[str]:
    """Every paragraph's text in reading order (tabs and line breaks as \t and \n), those in
    tables and links too."""
    return [Paragraph(p, None).text for p in document.element.body.iter(qn("w:p"))]


def _text(document) -> str:
    return "\n".join(_paragraph_texts(document))


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(NBSP, " ").replace("\u202f", " "))


def _styles_of(document) -> dict[str, str]:
    """Each paragraph's text, by its style's name (the last paragraph of a style wins)."""
    return {p.text: p.style.name for p in document.paragraphs}


def _activity(number: int, description: str) -> dict:
    return {"task_no": number, "task": f"Задача {number}", "first": True, "span": 1, "activity": "Мероприятие",
            "deadline": "Май 2022", "indicator": "Проведено", "achieved": 30, "target": 40, "achieved_pct": 75,
            "participants": 1217, "cost": 1877057, "description": description, "documents": ["Списки участников"],
            "links": ["https://example.org/post/1"], "id": f"{number}.1", "none": None}


def _sample_notebook() -> nbformat.NotebookNode:
    """The report's header and activities table from the real templates, a chart, a section."""
    grant = SimpleNamespace(grantee=SimpleNamespace(name="ОЮЛ «ГАМО»"), topic="Тема гранта")
    header = views.render("header.html.j2", annex="4", agreement_number="43", agreement_date="«31» марта 2022 года",
                          title="Промежуточный программный отчет", grant=grant, region=None,
                          f={"grant.amount": 29364470, "budget.spent": 2557057, "budget.spent_pct": 9},
                          start="1 апреля 2022 г.", end="15 июня 2022 г.", currency="тенге")
    long = "".join(f"<p>Абзац {i}: {'описание выполненной работы ' * 30}</p>" for i in range(12))
    table = views.render("activities.html.j2", rows=[_activity(1, "<p>Коротко.</p>"), _activity(2, long)],
                         currency="тенге")
    rows = pd.DataFrame([{"region": "Кызылординская область", "topic": "Тема", "respondents": 20,
                          "knowledge_before": 3.11, "knowledge_after": 4.8, "trainer": 4.9, "organisation": 4.95}])
    chart = base64.b64encode(charts.survey_chart_png(rows)).decode()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data={"text/html": header.data})]),
        nbformat.v4.new_markdown_cell("## 1. Информация о выполненных работах"),
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data={"text/html": table.data})]),
        nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
            "display_data", data={"image/png": chart}, metadata={"image/png": {"alt": charts.SURVEY_ALT}})]),
        nbformat.v4.new_markdown_cell("Текст со **списком**:\n\n1. первый\n2. второй\n\n<b>&lt;b&gt;</b> — не разметка"),
    ]
    return notebook


@pytest.fixture(scope="module")
def sample() -> tuple[object, str]:
    """A small report as a Word document, and the page it was made from."""
    notebook = _sample_notebook()
    page = stitching.to_html(notebook, "Отчет — пример", ("ОЮЛ «ГАМО»",))
    return _open(word.to_docx(_sample_notebook(), "Отчет — пример", ("ОЮЛ «ГАМО»",))), page


# ---------------------------------------------------------------- a small page

def test_print_layout_is_read_from_report_css():
    layout = wordstyles.print_layout()
    assert layout.margins_mm == (12, 12, 15, 25)
    assert layout.footer == ("стр. ", "PAGE", " из ", "NUMPAGES")
    assert sum(layout.widths["gr-activities"].values()) == pytest.approx(100)
    assert layout.text_width_mm == pytest.approx(260)


def test_exporter_is_nbconvert_with_the_html_report_settings():
    from nbconvert.exporters import get_exporter

    assert get_exporter("grant_docx") is word.ReportDocxExporter
    exporter, reference = word.ReportDocxExporter(), stitching.html_exporter()
    for name in ("template_name", "exclude_input", "exclude_output_prompt", "embed_images"):
        assert getattr(exporter, name) == getattr(reference, name), name
    assert exporter.file_extension == ".docx" and exporter.output_mimetype == word.MEDIA_TYPE
    # the page the exporter lays out is the report page a build writes as report.html
    notebook = _sample_notebook()
    page = stitching.to_html(copy.deepcopy(notebook), "Отчет")
    stitching.entitle(notebook, "Отчет")
    exporters_page, _ = stitching.PageExporter.from_notebook_node(exporter, notebook)
    assert exporters_page == page


def test_a4_landscape_with_the_pdfs_margins_and_counted_pages(sample):
    document, _ = sample
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    margins = (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
    assert [round(m.mm) for m in margins] == [12, 12, 15, 25]
    footer = section.footer.paragraphs[0]._p
    assert [f.get(qn("w:instr")).strip() for f in footer.iter(qn("w:fldSimple"))] == ["PAGE", "NUMPAGES"]
    assert "".join(t.text for t in footer.iter(qn("w:t"))) == "стр. 1 из 1"  # until Word lays it out


def test_word_styles_and_the_title_and_annex(sample):
    document, _ = sample
    styles = _styles_of(document)
    assert styles["ПРОМЕЖУТОЧНЫЙ ПРОГРАММНЫЙ ОТЧЕТ"] == "Heading 1"
    assert styles["1. Информация о выполненных работах"] == "Heading 2"
    annex = next(p for p in document.paragraphs if p.text.startswith("Приложение"))
    assert annex.style.name == "Annex" and annex.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert document.tables[0].style.name == "Table Grid"
    assert document.core_properties.title == "Отчет — пример"
    assert document.core_properties.author == "ОЮЛ «ГАМО»" and document.core_properties.language == "ru-RU"


def test_the_grant_block_is_lines_of_label_and_value(sample):
    document, _ = sample
    line = next(p for p in document.paragraphs if p.text.startswith("Сумма гранта:"))
    assert line.text == f"Сумма гранта:\t29{NBSP}364{NBSP}470{NBSP}тенге"
    assert line.runs[0].bold


def test_header_row_repeats_and_only_a_long_row_may_break(sample):
    document, _ = sample
    table = document.tables[0]  # the activities table: the first table of the document
    rows = [r._tr.trPr for r in table.rows]
    assert rows[0].find(qn("w:tblHeader")) is not None and rows[0].find(qn("w:cantSplit")) is not None
    assert rows[1].find(qn("w:cantSplit")) is not None, "a short row is kept whole"
    assert rows[2] is None or rows[2].find(qn("w:cantSplit")) is None, "a row longer than a page may break"
    assert rows[1].find(qn("w:tblHeader")) is None
    widths = [round(c.width.mm) for c in table.rows[1].cells]
    assert widths[6] == max(widths), "the description column is the widest"


def test_text_is_the_pages_text_without_markup(sample):
    document, page = sample
    text = _text(document)
    figures = [re.sub(r"<[^>]+>", "", m) for m in re.findall(r'<a class="gr-figure"[^>]*>(.*?)</a>', page)]
    assert figures and all(f in text for f in figures), [f for f in figures if f not in text]
    assert f"1{NBSP}217" in text and f"1{NBSP}877{NBSP}057" in text and "30 из 40 (75" in _plain(text)
    assert "<b>" in text, "an escaped tag of the page is text, shown as such"
    assert not re.search(r"<(?!b>)[a-z/]|&[a-z]+;|&#\d+;", text), "no markup or entity left over"
    assert "¶" not in text and "In [" not in text


def test_lists_and_links(sample):
    document, _ = sample
    items = [p for p in document.paragraphs if p.text in ("первый", "второй")]
    assert [p.style.name for p in items] == ["List Number", "List Number"]
    links = [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert "https://example.org/post/1" in links


def test_the_chart_is_an_inline_picture_at_print_resolution(sample):
    document, _ = sample
    assert len(document.inline_shapes) == 1
    picture = document.inline_shapes[0]
    assert picture.type == WD_INLINE_SHAPE.PICTURE
    assert picture.width.inches == pytest.approx(charts.PAGE_WIDTH_IN, rel=0.01)  # 1500 px at 150 dpi
    assert picture._inline.docPr.get("descr") == charts.SURVEY_ALT


# ---------------------------------------------------------------- the demo's reports

def _report(demo_build, region: str, period: str = PERIOD) -> Path:
    out, result = demo_build
    assert result.returncode == 0, result.stderr
    return out / period / region


@pytest.mark.slow
def test_the_demo_report_opens_and_holds_the_report(demo_build):
    document = docx.Document(_report(demo_build, "all") / "report.docx")
    text = _plain(_text(document))
    for title in SECTIONS:
        assert title in text, title
    assert "29 364 470" in text and "1 217" in text and KAZAKH_TITLE in text
    assert not re.search(r"</?[a-z][a-z0-9]*[\s/>]|&[a-z]+;|&#\d+;", text), "no markup left over"
    first = document.tables[0]
    assert "Задача мероприятия" in _plain(first.rows[0].cells[1].text)
    assert first.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None, "the header row repeats on every page"
    assert len(document.inline_shapes) == 1 and document.inline_shapes[0].type == WD_INLINE_SHAPE.PICTURE
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings[0] == "1. Информация о выполненных работах" and headings[-1] == SECTIONS[-1]
    assert "Реестр показателей" not in text and "Замечания к данным" not in text, "the evidence is beside the form"
    assert "Ирина" in _text(document).rsplit(SECTIONS[-1], 1)[1], "the signature closes the form"


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2022-interim", "2022-final"])
def test_every_figure_reads_as_in_the_html(demo_build, period):
    folder = _report(demo_build, "all", period)
    page = views.without_row_lists((folder / "report.html").read_text(encoding="utf-8"))
    text = _text(docx.Document(folder / "report.docx"))
    shown = [re.sub(r"<[^>]+>", "", m) for m in re.findall(r'<a class="gr-figure"[^>]*>(.*?)</a>', page)]
    assert len(shown) > 50
    assert not [s for s in shown if s not in text]


@pytest.mark.slow
def test_a_region_with_no_records_is_a_valid_short_document(demo_build):
    bare = docx.Document(_report(demo_build, "atyrau") / "report.docx")
    full = docx.Document(_report(demo_build, "all") / "report.docx")
    text = _plain(_text(bare))
    assert "Регион:\tАтырауская область" in _text(bare)
    assert "1. Информация о выполненных работах" in text and "записей нет" in text and "Реестр показателей" not in text
    assert len(_paragraph_texts(bare)) < len(_paragraph_texts(full))
    assert not bare.inline_shapes, "no questionnaires, no chart"


# ---------------------------------------------------------------- as LibreOffice lays it out

def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip(f"soffice is not installed (Debian package {LIBREOFFICE}), so a .docx is not laid out here")
    return found


def _to_pdf(source: Path, folder: Path) -> Path:
    """The document converted by LibreOffice, with a profile of its own (another soffice may run)."""
    folder.mkdir(parents=True, exist_ok=True)
    profile = (folder / "profile").as_uri()
    subprocess.run([_soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), str(source)], check=True, capture_output=True, timeout=300)
    return folder / f"{source.stem}.pdf"


def _pdf_pages(path: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (Debian package poppler-utils)")
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")[:-1]


def _page_sizes(path: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)]


@pytest.mark.slow
@pytest.mark.parametrize("region", ["all", "atyrau"])
def test_libreoffice_lays_it_out_on_landscape_pages(demo_build, tmp_path, region):
    source = tmp_path / f"{region}.docx"
    shutil.copy(_report(demo_build, region) / "report.docx", source)
    pdf = _to_pdf(source, tmp_path / "pdf")
    pages = _pdf_pages(pdf)
    sizes = _page_sizes(pdf)
    assert len(sizes) == len(pages) >= (2 if region == "all" else 1)
    assert all(w > h and round(w) == 842 and round(h) == 595 for w, h in sizes), sizes
    text = _plain("\n".join(pages))
    for title in SECTIONS if region == "all" else (SECTIONS[0], SECTIONS[1], SECTIONS[-1]):
        assert _plain(title) in text, title
    assert f"стр. 1 из {len(pages)}" in _plain(pages[0])
    if region == "all":
        assert "29 364 470" in text and re.search(r"(?<!\d)(?<!\d )1 217(?! ?\d)", text) and KAZAKH_TITLE in text
    else:
        assert "Атырауская область" in text


@pytest.mark.slow
def test_jupyter_nbconvert_to_grant_docx(demo_build, tmp_path):
    notebook = tmp_path / "report.ipynb"
    nbformat.write(stitching.merge(sorted((_report(demo_build, "atyrau") / "notebooks").glob("*.ipynb"))), notebook)
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [str(jupyter), "nbconvert"] if jupyter.exists() else [sys.executable, "-m", "nbconvert"]
    done = subprocess.run([*command, "--to", "grant_docx", str(notebook)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    document = docx.Document(tmp_path / "report.docx")
    assert "Атырауская область" in _text(document)
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
