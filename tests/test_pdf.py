"""The print-ready PDF (issue 3): the demo report through `pipeline.assembly.pdf`, checked as a reader
would see it, with poppler-utils (pdfinfo, pdftotext, pdffonts, pdftoppm, pdfimages) and Pillow.

The executed notebooks come from the real pipeline (the session's demo build, and one
`build_report` here); the PDF is made from them by the nbconvert exporter,
`pdf.to_pdf(stitching.merge(notebooks), title)`, which lays out the same page as
`run --format pdf` does (a test below holds the two equal). The tests that read those
reports are slow; the others render small pages of their own.
"""

from __future__ import annotations

import copy
import datetime as dt
import html as html_lib
import json
import logging
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import DEMO_INPUTS
from helpers_builds import pdf_objects
from PIL import Image

from pipeline.assembly import pdf, stitching
from pipeline.assembly.builder import ReportJob, build_report
from pipeline.inputs.loading import load_inputs
from pipeline.notebook import charts, views

#: The command-line tools the checks read PDFs with, and the Debian package of each.
TOOLS = {**dict.fromkeys(("pdfinfo", "pdftotext", "pdffonts", "pdftoppm", "pdfimages", "pdfdetach"), "poppler-utils"),
         "fc-match": "fontconfig"}

PERIOD = "2022-interim"
A4_LANDSCAPE = (841.89, 595.28)  # points
KAZAKH = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
MARKS = "«»№—₸"
ACTIVITIES_HEADER = "Задача мероприятия"
LAST_COLUMN = "Стоимость мероприятия"
KAZAKH_TITLE = "Жобаның басталғаны туралы пост-анонс"
# Page geometry (report.css @page): margins 12 mm top and right, 15 mm bottom, 25 mm left.
RIGHT_MARGIN_MM, LEFT_MARGIN_MM, BOTTOM_MARGIN_MM = 12, 25, 15
DPI = 40


# ---------------------------------------------------------------- helpers

def _run(*command: str) -> str:
    """A tool's output; the test is skipped, saying which package is missing, without the tool."""
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed (Debian package {TOOLS[command[0]]})")
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120).stdout


def _info(path: Path) -> dict[str, str]:
    return dict(line.split(":", 1) for line in _run("pdfinfo", str(path)).splitlines() if ":" in line)


def _size(path: Path) -> tuple[float, float]:
    """The first page's width and height in points."""
    match = re.match(r"\s*([\d.]+) x ([\d.]+) pts", _info(path)["Page size"])
    return float(match[1]), float(match[2])


def _pages(path: Path) -> list[str]:
    """The text of each page, in reading order (pdftotext separates pages by form feeds)."""
    return _run("pdftotext", "-enc", "UTF-8", str(path), "-").split("\f")[:-1]


def _plain(text: str) -> str:
    """No-break spaces (the report's thousands separator) as spaces, runs of white space as one."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def _squash(text: str) -> str:
    """Without white space or hyphens: a phrase wrapped or hyphenated in a narrow cell still matches."""
    return re.sub(r"[\s\u00a0\u202f\u00ad\u2010-]+", "", text)


def _has(page_text: str, phrase: str) -> bool:
    return _squash(phrase) in _squash(page_text)


def _page_images(path: Path, folder: Path) -> list[Image.Image]:
    folder.mkdir(parents=True, exist_ok=True)
    _run("pdftoppm", "-r", str(DPI), "-gray", "-png", str(path), str(folder / "page"))
    return [Image.open(p).convert("L") for p in sorted(folder.glob("page-*.png"))]


def _mm(length: float) -> int:
    """Millimetres as pixels of the page images."""
    return round(length / 25.4 * DPI)


def _ink(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Pixels darker than light grey inside `box`."""
    histogram = image.crop(box).histogram()
    return sum(histogram[:200])


def _visible_text(report_html: str) -> str:
    body = report_html.split("<body", 1)[1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


def _executed(folder: Path) -> list[Path]:
    return sorted((folder / "notebooks").glob("*.ipynb"))


def _laid_out(folder: Path, region: str) -> Path:
    """A built report's folder, with its report.pdf made from its executed notebooks the way
    `run --format pdf` makes it."""
    (folder / "report.pdf").write_bytes(pdf.to_pdf(stitching.merge(_executed(folder)), f"{PERIOD} — {region}"))
    return folder


@pytest.fixture(scope="module")
def reports(demo_build, tmp_path_factory) -> dict[str, Path]:
    """The consolidated report and a region with no records, as the demo build made them
    (copied, since their PDF is remade here), and that region once more with no analyst prose
    either (nothing but empty tables), built here."""
    out, result = demo_build
    assert result.returncode == 0, result.stderr
    base = tmp_path_factory.mktemp("pdf")
    bare_inputs = base / "inputs-without-narratives"
    shutil.copytree(DEMO_INPUTS, bare_inputs)
    shutil.rmtree(bare_inputs / "narratives" / PERIOD)
    bare = build_report(ReportJob(PERIOD, "atyrau"), load_inputs(bare_inputs), base / "outputs-bare", ("html",))
    assert bare.ok, bare.error
    return {
        "all": _laid_out(shutil.copytree(out / PERIOD / "all", base / "all"), "all"),
        "atyrau": _laid_out(shutil.copytree(out / PERIOD / "atyrau", base / "atyrau"), "atyrau"),
        "atyrau-bare": _laid_out(bare.folder, "atyrau"),
    }


@pytest.fixture(scope="module")
def all_pdf(reports) -> Path:
    return reports["all"] / "report.pdf"


# ---------------------------------------------------------------- the consolidated report

@pytest.mark.slow
def test_pdf_is_a4_landscape(all_pdf):
    info = _info(all_pdf)
    assert _size(all_pdf) == pytest.approx(A4_LANDSCAPE, abs=0.5)
    assert info["Page rot"].strip() == "0"
    assert int(info["Pages"]) >= 3
    assert info["Title"].strip() == f"{PERIOD} — all"


@pytest.mark.slow
def test_text_holds_the_titles_and_figures(all_pdf):
    text = _plain("\n".join(_pages(all_pdf)))
    for phrase in ("Приложение № 4", "ПРОМЕЖУТОЧНЫЙ ПРОГРАММНЫЙ ОТЧЕТ",
                   "1. Информация о выполненных работах", "Освещение деятельности",
                   "Эффективность обучающих тренингов", "Публикации партнеров и СМИ"):
        assert phrase in text, phrase
    assert re.search(r"\b3\. \w+ истори[юя] успеха|История успеха", text, re.I), "section 3"
    assert "29 364 470" in text
    assert re.search(r"(?<!\d)(?<!\d )1 ?217(?! ?\d)", text), "media reach 1 217"
    assert _has(text, KAZAKH_TITLE)


@pytest.mark.slow
def test_text_is_in_reading_order(all_pdf):
    text = _plain("\n".join(_pages(all_pdf)))
    marks = ["Приложение № 4", "ПРОМЕЖУТОЧНЫЙ ПРОГРАММНЫЙ ОТЧЕТ", "Грантополучатель",
             "1. Информация о выполненных работах", "Эффективность обучающих тренингов",
             "2. Освещение деятельности", "Публикации партнеров и СМИ", "Руководитель проекта"]
    positions = [text.find(mark) for mark in marks]
    assert -1 not in positions, dict(zip(marks, positions, strict=False))
    assert positions == sorted(positions)


@pytest.mark.slow
def test_every_kazakh_letter_and_mark_shown_is_real_text(reports, all_pdf):
    shown = _visible_text((reports["all"] / "report.html").read_text(encoding="utf-8"))
    letters = {c for c in shown if c in KAZAKH}
    assert len(letters) >= 5, "the demo shows Kazakh titles"
    text = "".join(_pages(all_pdf))
    assert letters <= set(text), sorted(letters - set(text))
    for mark in "«»№—":
        assert mark in text, mark


@pytest.mark.slow
def test_fonts_are_embedded_dejavu_and_not_type3(all_pdf):
    rows = _run("pdffonts", str(all_pdf)).splitlines()[2:]
    assert rows, "text is set in fonts"
    for row in rows:
        assert "DejaVu" in row.split()[0], row
        assert "Type 3" not in row, row
        # name, type (two words), encoding, emb, sub, uni, object id
        emb, _sub, uni = row.split()[-5:-2]
        assert emb == "yes" and uni == "yes", row


@pytest.mark.slow
def test_no_page_is_blank(all_pdf, tmp_path):
    images = _page_images(all_pdf, tmp_path / "pages")
    assert len(images) == int(_info(all_pdf)["Pages"])
    for number, image in enumerate(images, start=1):
        above_footer = (0, 0, image.width, image.height - _mm(BOTTOM_MARGIN_MM))
        assert _ink(image, above_footer) > 200, f"page {number} is blank"


@pytest.mark.slow
def test_nothing_is_printed_in_the_side_margins(all_pdf, tmp_path):
    """The activities table is not cut at the right edge, and the left margin stays clear
    for a hole punch."""
    for number, image in enumerate(_page_images(all_pdf, tmp_path / "pages"), start=1):
        right = (image.width - _mm(RIGHT_MARGIN_MM) + 2, 0, image.width, image.height)
        left = (0, 0, _mm(LEFT_MARGIN_MM) - 2, image.height)
        assert _ink(image, right) == 0, f"page {number}: something runs into the right margin"
        assert _ink(image, left) == 0, f"page {number}: something in the punch margin"


@pytest.mark.slow
def test_activities_table_keeps_its_last_column_and_repeats_its_header(all_pdf):
    pages = _pages(all_pdf)
    holding = [i for i, page in enumerate(pages) if _has(page, ACTIVITIES_HEADER)]
    assert len(holding) >= 2, "the demo's activities table runs over several pages"
    assert holding == list(range(holding[0], holding[-1] + 1)), "header row on every page of the table"
    for i in holding:
        assert _has(pages[i], LAST_COLUMN), f"page {i + 1}: last column header missing"  # perhaps hyphenated
    # the cost of an activity, in the last column, is on the pages too
    assert any("680 000" in _plain(pages[i]) for i in holding)


@pytest.mark.slow
def test_the_chart_is_printed_at_its_own_size(all_pdf):
    """The survey chart is drawn as wide as the page's text at charts.DPI: printed at that
    resolution it is neither shrunk (unreadable labels) nor blown up (blurred)."""
    listing = [line.split() for line in _run("pdfimages", "-list", str(all_pdf)).splitlines()[2:]]
    images = [row for row in listing if row[2] == "image"]
    assert len(images) == 1, "one chart, one image"
    x_ppi, y_ppi = int(images[0][12]), int(images[0][13])
    assert abs(x_ppi - charts.DPI) <= 2 and abs(y_ppi - charts.DPI) <= 2, (x_ppi, y_ppi)


@pytest.mark.slow
def test_footer_numbers_the_pages(all_pdf):
    pages = _pages(all_pdf)
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"стр. {number} из {total}" in _plain(page), f"page {number}"


@pytest.mark.slow
def test_annex_line_is_top_right_on_the_first_page(all_pdf):
    bbox = _run("pdftotext", "-f", "1", "-l", "1", "-bbox", str(all_pdf), "-")
    word = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>Приложение</word>', bbox)
    assert word, "annex line on page 1"
    x, y = map(float, word.groups())
    width, height = A4_LANDSCAPE
    assert x > width * 0.6 and y < height * 0.15


@pytest.mark.slow
def test_no_code_prompts_or_notebook_chrome(all_pdf):
    text = "\n".join(_pages(all_pdf))
    for leftover in ("In [", "Out[", "import ", "sb.glue", "views.", "charts.", "¶",
                     "No description has been provided"):
        assert leftover not in text, leftover


@pytest.mark.slow
def test_the_same_notebooks_make_the_same_pdf(reports):
    notebooks = _executed(reports["atyrau"])
    first = pdf.to_pdf(stitching.merge(notebooks), "x")
    assert first.startswith(b"%PDF-") and first == pdf.to_pdf(stitching.merge(notebooks), "x")


# ---------------------------------------------------------------- the archival PDF a build writes

def _built(demo_build, period: str = PERIOD, region: str = "all") -> Path:
    out, result = demo_build
    assert result.returncode == 0, result.stderr
    return out / period / region




@pytest.mark.slow
@pytest.mark.parametrize("region", ["all", "atyrau"])
def test_report_pdf_is_pdf_a_3b_tagged_with_its_language_and_title(demo_build, region):
    path = _built(demo_build, region=region) / "report.pdf"
    xmp = _run("pdfinfo", "-meta", str(path))
    described = re.search(r"<rdf:Description[^>]*pdfaid:part=\"(\d)\"[^>]*pdfaid:conformance=\"(\w)\"", xmp)
    assert described and described.groups() == ("3", "B"), xmp[:600]
    info = _info(path)
    assert info["Tagged"].strip() == "yes", "a structure tree for screen readers"
    title = re.search(r"<title>(.*?)</title>", (path.parent / "report.html").read_text(encoding="utf-8"), re.S)[1]
    assert info["Title"].strip() == html_lib.unescape(title).strip()
    assert "<dc:title>" in xmp and html_lib.unescape(title).strip() in xmp
    objects = pdf_objects(path)
    assert b"/Lang (ru)" in objects and b"/OutputIntents" in objects and b"/StructTreeRoot" in objects


@pytest.mark.slow
def test_report_pdf_carries_the_figures_and_the_manifest_beside_it(demo_build, tmp_path):
    folder = _built(demo_build)
    listed = _run("pdfdetach", "-list", str(folder / "report.pdf")).splitlines()
    assert listed[0].startswith("2 embedded files"), listed
    assert sorted(line.split(": ", 1)[1] for line in listed[1:]) == ["figures.json", "manifest.json"]
    _run("pdfdetach", "-saveall", "-o", str(tmp_path), str(folder / "report.pdf"))
    for name in ("figures.json", "manifest.json"):
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == PERIOD and "report.pdf" not in json.dumps(manifest["inputs"])
    assert b"/AFRelationship /Data" in pdf_objects(folder / "report.pdf")


def _catalog_af(path: Path) -> list[bytes]:
    """The references of the catalog's /AF array (the PDF's associated files)."""
    [listed] = re.findall(rb"/Type /Catalog.*?/AF \[([^\]]*)\]", pdf_objects(path), re.S)
    return re.findall(rb"\d+ \d+ R", listed)


def _dates(path: Path) -> dict[str, dt.datetime]:
    """The PDF's creation and modification dates, in its info dictionary and in its XMP."""
    info = _run("pdfinfo", "-isodates", str(path))
    xmp = _run("pdfinfo", "-meta", str(path))
    found = {f"info {key}": re.search(rf"^{key}:\s*(\S+)", info, re.M) for key in ("CreationDate", "ModDate")}
    found |= {f"xmp {key}": re.search(rf"<xmp:{key}>([^<]+)</xmp:{key}>", xmp) for key in ("CreateDate", "ModifyDate")}
    assert all(found.values()), (info, xmp)
    return {key: dt.datetime.fromisoformat(match[1]) for key, match in found.items()}


def _attached_page(tmp_path: Path, date: dt.date | None) -> bytes:
    """A small page laid out with the two files a build attaches, written anew just before."""
    for name in pdf.ATTACHED:
        (tmp_path / name).write_text(json.dumps({"file": name}), encoding="utf-8")
    dated = {} if date is None else {"date": date}
    return pdf.html_to_pdf(pdf._WARM_UP_PAGE, attachments=[tmp_path / name for name in pdf.ATTACHED], **dated)


def test_each_attachment_is_listed_once_in_the_catalogs_af(tmp_path):
    """WeasyPrint 70 listed each one twice (Kozea/WeasyPrint#2917)."""
    path = tmp_path / "attached.pdf"
    path.write_bytes(_attached_page(tmp_path, None))
    listed = _catalog_af(path)
    assert len(listed) == len(set(listed)) == len(pdf.ATTACHED), listed
    assert pdf_objects(path).count(b"/Type /Filespec") == len(pdf.ATTACHED)  # one file specification each


def test_the_pdf_is_dated_in_its_info_and_its_xmp_alike(tmp_path):
    path = tmp_path / "dated.pdf"
    path.write_bytes(_attached_page(tmp_path, dt.date(2022, 6, 15)))
    dates = _dates(path)
    assert set(dates.values()) == {dt.datetime(2022, 6, 15, tzinfo=dt.UTC)}, dates


def test_a_dated_pdf_is_the_same_bytes_whenever_it_is_made(tmp_path):
    """Never the clock's date nor a file's: the attached files are written anew, a second apart."""
    first = _attached_page(tmp_path, dt.date(2022, 6, 15))
    time.sleep(1.1)
    assert _attached_page(tmp_path, dt.date(2022, 6, 15)) == first
    assert _attached_page(tmp_path, dt.date(2022, 11, 30)) != first


@pytest.mark.slow
@pytest.mark.parametrize("period, end", [("2022-interim", dt.date(2022, 6, 15)), ("2022-final", dt.date(2022, 11, 30))])
def test_a_built_report_pdf_is_dated_by_its_period_and_lists_its_files_once(demo_build, period, end):
    path = _built(demo_build, period) / "report.pdf"
    assert set(_dates(path).values()) == {dt.datetime.combine(end, dt.time(), dt.UTC)}
    listed = _catalog_af(path)
    assert len(listed) == len(set(listed)) == 2, listed


#: A page of the activities table before its last is at least this full (text height, above
#: the footer): a long row goes on on the next page instead of leaving a gap.
FULL_PAGE = 2 / 3


def _filled(image: Image.Image) -> float:
    """How far down the page's text area its ink reaches (0 blank, 1 to the bottom margin)."""
    top, bottom = _mm(12), image.height - _mm(BOTTOM_MARGIN_MM)
    inked = image.crop((0, top, image.width, bottom)).point(lambda v: 255 if v < 200 else 0).getbbox()
    return 0.0 if inked is None else inked[3] / (bottom - top)


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2022-interim", "2022-final"])
def test_no_page_of_the_activities_table_is_left_mostly_empty(demo_build, tmp_path, period):
    path = _built(demo_build, period) / "report.pdf"
    pages, images = _pages(path), _page_images(path, tmp_path / "pages")
    table = [i for i, page in enumerate(pages) if _has(page, ACTIVITIES_HEADER)]
    assert len(table) >= 2 and table[0] == 0
    fills = {i + 1: round(_filled(images[i]), 2) for i in table}
    assert all(fills[i + 1] >= FULL_PAGE for i in table[:-1]), fills


@pytest.mark.slow
def test_the_signature_stays_with_the_end_of_section_3(demo_build):
    folder = _built(demo_build, "2022-final")
    story = re.search(r'<div class="gr-prose gr-story">(.*?)</div>', (folder / "report.html").read_text(encoding="utf-8"),
                      re.S)[1]
    last_words = " ".join(_visible_text(f"<body>{story}").split()[-4:])
    pages = _pages(folder / "report.pdf")
    signed = [i for i, page in enumerate(pages) if "Должность, Ф.И.О." in page]
    assert len(signed) == 1
    assert _has(pages[signed[0]], last_words), (last_words, pages[signed[0]][:300])


# ---------------------------------------------------------------- a region with no records

@pytest.mark.slow
def test_region_without_records_is_a_valid_pdf(reports, tmp_path):
    path = reports["atyrau"] / "report.pdf"
    assert _size(path) == pytest.approx(A4_LANDSCAPE, abs=0.5)
    pages = _pages(path)
    assert _plain(pages[0]).count("стр. 1 из") == 1
    assert "Атырау" in _plain("".join(pages))
    assert len(pages) < len(_pages(reports["all"] / "report.pdf"))
    for number, image in enumerate(_page_images(path, tmp_path / "pages"), start=1):
        assert _ink(image, (0, 0, image.width, image.height - _mm(BOTTOM_MARGIN_MM))) > 200, number


@pytest.mark.slow
def test_region_without_records_or_prose_is_short(reports):
    """Most of the region's pages above are the analyst's prose, which is written once per
    period and shown in every region's report. Without it, a report with nothing to report
    (the header, the plan's activities in the 9-column table, empty tables, the appendix)
    is at most about half as long as the consolidated one (half and a page: the print layout
    that fills every page of the activities table, and the media table's addresses shown short,
    made the consolidated report shorter)."""
    bare = int(_info(reports["atyrau-bare"] / "report.pdf")["Pages"])
    with_prose = int(_info(reports["atyrau"] / "report.pdf")["Pages"])
    consolidated = int(_info(reports["all"] / "report.pdf")["Pages"])
    assert 1 <= bare <= consolidated // 2 + 1 and bare <= with_prose
    assert "ПРОМЕЖУТОЧНЫЙ ПРОГРАММНЫЙ ОТЧЕТ" in _plain("".join(_pages(reports["atyrau-bare"] / "report.pdf")))


# ---------------------------------------------------------------- glyphs, warnings, nbconvert

def _note(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(source) for source in sources]
    return nb


def test_every_kazakh_letter_and_mark_is_a_real_glyph(tmp_path):
    sample = f"{KAZAKH} {KAZAKH.lower()} {MARKS} 29 364 470 ₸"
    path = tmp_path / "glyphs.pdf"
    path.write_bytes(pdf.to_pdf(_note(f"# Қазақша\n\n{sample}\n\n**{sample}**"), "glyphs"))
    text = "".join(_pages(path))
    missing = set(KAZAKH + MARKS) - set(text)
    assert not missing, sorted(missing)
    fonts = [row.split()[0] for row in _run("pdffonts", str(path)).splitlines()[2:]]
    assert fonts and all("DejaVu" in name for name in fonts), fonts
    # ...and DejaVu Sans (the font the text is set in) has a glyph for each, not a fallback box
    from fontTools.ttLib import TTFont
    for style in ("DejaVu Sans", "DejaVu Sans:bold"):
        font_file = _run("fc-match", "-f", "%{file}", style)
        assert "DejaVu" in font_file, (style, font_file)
        cmap = TTFont(font_file, fontNumber=0).getBestCmap()
        assert all(ord(c) in cmap for c in KAZAKH + MARKS), style


def test_fonts_are_subset_by_harfbuzz():
    """libharfbuzz-subset0 (scripts/system-packages.sh) is there and new enough for WeasyPrint;
    without it WeasyPrint subsets the fonts with fontTools, 0.6 s more for the largest demo
    report, and says so only in a warning the report's quiet logging drops."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset is not None, "apt-get install libharfbuzz-subset0"
    assert harfbuzz.hb_version_atleast(4, 1, 0)


def test_warm_up_sets_weasyprint_up_once_in_the_background():
    """A build starts WeasyPrint's import and font set-up while its notebooks run: one thread
    per process, however many reports ask, and a PDF made meanwhile waits for it, not fails."""
    thread = pdf.warm_up()
    assert pdf.warm_up() is thread
    assert pdf.html_to_pdf(pdf._WARM_UP_PAGE).startswith(b"%PDF-")
    thread.join(timeout=60)
    assert not thread.is_alive() and "weasyprint" in sys.modules


def test_rendering_leaves_the_garbage_collector_as_it_found_it():
    """The collector is paused while WeasyPrint works (pdf._collected_after), then back as it
    was: on when it was on, still off when the caller had turned it off."""
    import gc

    assert gc.isenabled()
    pdf.html_to_pdf(pdf._WARM_UP_PAGE)
    assert gc.isenabled()
    gc.disable()
    try:
        pdf.html_to_pdf(pdf._WARM_UP_PAGE)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_weasyprint_css_warnings_are_not_shown(caplog):
    noisy = _note('<div style="display: flex; gap: 1em; foo-bar: 2px">ok</div>\n\n'
                  '<span style="text-shadow: 1px 1px red; transition: color 1s">ok</span>')
    import weasyprint
    page, _ = stitching.html_exporter().from_notebook_node(noisy)
    with caplog.at_level(logging.DEBUG):
        weasyprint.HTML(string=page).write_pdf()
    assert any(r.name == "weasyprint" and r.levelno == logging.WARNING for r in caplog.records), \
        "WeasyPrint warns about this page when called directly"
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        assert pdf.to_pdf(noisy, "noisy").startswith(b"%PDF-")
    shown = [r for r in caplog.records if r.name.startswith("weasyprint") and r.levelno < logging.ERROR]
    assert shown == []
    # the silencing is the exporter's alone: WeasyPrint's loggers are left as they were
    for name in pdf.WEASYPRINT_LOGGERS:
        assert logging.getLogger(name).filters == []


def test_exporter_is_nbconvert_with_the_html_report_settings():
    exporter = pdf.ReportPDFExporter()
    reference = stitching.html_exporter()
    for name in ("template_name", "extra_template_basedirs", "exclude_input", "exclude_input_prompt",
                 "exclude_output_prompt", "embed_images"):
        assert getattr(exporter, name) == getattr(reference, name), name
    assert exporter.output_mimetype == "application/pdf" and exporter.file_extension == ".pdf"
    from nbconvert.exporters import get_exporter
    assert get_exporter("grant_pdf") is pdf.ReportPDFExporter


@pytest.mark.slow
def test_the_run_lays_out_the_pdf_from_the_page_the_exporter_makes(reports):
    """`write_products` exports the report page once and hands it to WeasyPrint for the PDF:
    the same page the `grant_pdf` exporter makes from the same notebook."""
    provenance = json.loads((reports["atyrau"] / "manifest.json").read_text(encoding="utf-8"))["figures"]
    merged = stitching.merge(_executed(reports["atyrau"]), appendices=(views.registry(provenance),))
    page = stitching.to_html(copy.deepcopy(merged), "x")
    assert "gr-registry-print" in page
    merged.metadata["title"] = "x"
    exporters_page, _ = stitching.PageExporter.from_notebook_node(pdf.ReportPDFExporter(), merged)
    assert exporters_page == page


@pytest.mark.slow
def test_jupyter_nbconvert_to_grant_pdf(reports, tmp_path):
    notebook = tmp_path / "report.ipynb"
    nbformat.write(stitching.merge(_executed(reports["atyrau"])), notebook)
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [str(jupyter), "nbconvert"] if jupyter.exists() else [sys.executable, "-m", "nbconvert"]
    done = subprocess.run([*command, "--to", "grant_pdf", str(notebook)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    output = tmp_path / "report.pdf"
    assert output.read_bytes().startswith(b"%PDF-")
    assert _size(output) == pytest.approx(A4_LANDSCAPE, abs=0.5)
    assert "Атырау" in _plain("".join(_pages(output)))
    assert "Ignored" not in done.stderr and "unknown property" not in done.stderr, done.stderr
