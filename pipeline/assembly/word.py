"""The report as an editable Word document (report.docx), made by python-docx from the report
page itself: the same page, through the same nbconvert template, that report.html is and
report.pdf is laid out from, walked element by element. Every word and number of the
document is a text node of that page (the figures as `formatting` wrote them, the analyst's
narratives as `narratives` rendered them), so there is no second source of wording, and no
markup is left over.

What the page's print layout says (report.css, read by `wordstyles`) is kept where Word has
it: A4 landscape with the PDF's margins, «стр. N из M» in the footer, the tables' column
widths on paper, the header rows repeated on every page (`w:tblHeader`), rows kept whole
(`w:cantSplit`) unless one is taller than a third of a page (the activities table's long rows
break, as in the PDF), the small tables on one page, the signature with the end of section 3,
the registry on pages of its own, the chart at its print resolution. The text is real text in
Word styles: Heading 1–3 (the title, the sections, their blocks), Table Grid, List Bullet and
List Number, and the document's own (`wordstyles`).

`ReportDocxExporter` is an nbconvert exporter (`stitching.ReportPageExporter`), like
`pdf.ReportPDFExporter`: `jupyter nbconvert --to grant_docx NOTEBOOK.ipynb` (entry point in
pyproject.toml) and `to_docx(notebook, title)`; a build hands the page it exported for
report.html to `html_to_docx` directly.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import zipfile
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import nbformat
from traitlets import default

from pipeline.assembly import stitching, wordstyles, wordtables
from pipeline.assembly.wordstyles import HEADINGS, PrintLayout
from pipeline.language import DEFAULT, LANGUAGES

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import _Cell
    from lxml.html import HtmlElement

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: The tallest a chart is printed (report.css: `max-height: 175mm`).
CHART_MAX_HEIGHT_MM = 175.0

#: What the page shows on screen only (report.css hides it on paper): left out.
SCREEN_ONLY = frozenset({"gr-registry-row", "gr-rows", "anchor-link", "jp-InputPrompt", "jp-OutputPrompt",
                         "jp-Collapser"})
SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "meta", "link", "details", "colgroup", "caption"})
BLOCK_TAGS = frozenset({"div", "section", "main", "body", "article", "header", "footer", "p", "ul", "ol", "li",
                        "table", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "figure", "dl"})
#: Paragraph styles of the document's own, by the page's class.
CLASS_STYLES = {"gr-annex": "Annex", "gr-note": "Note"}
#: A table of labels and values (the grant's block under the title), written as lines of
#: «label:<tab>value» with the value's lines aligned at this indent, not as a Word table.
LABEL_LINES, LABEL_INDENT_MM = "gr-grant", 45.0

_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's white space; no-break spaces are text


def html_to_docx(html: str) -> bytes:
    """A report page (as the `report` template writes it) as a Word document."""
    import lxml.html  # imported here, as python-docx is: only a build that makes a .docx pays for them

    page = lxml.html.document_fromstring(html)
    title = page.find(".//title")
    title_text = _SPACE.sub(" ", title.text_content()).strip() if title is not None else ""
    authors = [meta.get("content", "") for meta in page.iter("meta") if meta.get("name") == "author"]
    # The page's language (`<html lang>`, the report's) is the document's: hyphenation, spelling.
    language = str(page.get("lang") or "") if page.get("lang") in LANGUAGES else DEFAULT
    writer = _Writer(wordstyles.print_layout(), title_text, authors, language)
    body = page.find("body")
    root = body.find("main") if body is not None and body.find("main") is not None else body
    if root is not None:
        writer.blocks(root, writer.document)
    buffer = io.BytesIO()
    writer.document.save(buffer)
    return without_clock(buffer.getvalue())


#: The time every part of a .docx is stamped with: the zip format's first day (a .docx is a
#: zip, and python-docx stamps each part with the clock, so no two builds were the same bytes).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def without_clock(docx: bytes) -> bytes:
    """A .docx (a zip of XML parts) with every part stamped `ZIP_EPOCH`, in the same order and
    compression: two builds of the same report are the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            stamped = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            stamped.compress_type, stamped.external_attr = info.compress_type, info.external_attr
            target.writestr(stamped, source.read(info))
    return out.getvalue()


class ReportDocxExporter(stitching.ReportPageExporter):
    """The grant report as an editable Word document: the `report` template's HTML, through
    python-docx. `from_notebook_node` returns the .docx as bytes."""

    export_from_notebook = "Grant report (Word)"
    output_mimetype = MEDIA_TYPE

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".docx"

    def render_page(self, html: str, base_url: str | None) -> bytes:
        return html_to_docx(html)


def to_docx(notebook: nbformat.NotebookNode, title: str, authors: tuple[str, ...] = ()) -> bytes:
    """The stitched report as one Word document (A4 landscape): `stitching.to_html`'s twin."""
    return ReportDocxExporter.export(notebook, title, authors)


@dataclass(frozen=True)
class _Format:
    """How a run of text looks: what its enclosing elements make of it."""

    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str | None = None


def _classes(element: HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def _skipped(element: HtmlElement) -> bool:
    return not isinstance(element.tag, str) or element.tag in SKIPPED_TAGS or bool(_classes(element) & SCREEN_ONLY)


class _Writer:
    """One document being written from one page."""

    def __init__(self, layout: PrintLayout, title: str, authors: list[str], language: str = DEFAULT):
        self.layout = layout
        self.document: Any = wordstyles.new_document(layout, title, authors, language)
        self.last_paragraph: Any = None
        self.break_before = False  # the next paragraph starts a page
        self.after_table = False  # the next paragraph follows a table (and is set off from it)
        # Style ids by name, looked up once: python-docx looks a style up among all of them
        # each time one is set by name or object.
        self.style_ids = {style.name: style.style_id for style in self.document.styles}

    # ------------------------------------------------------------ blocks

    def blocks(self, element: HtmlElement, container: Document | _Cell, style: str = "Normal") -> None:
        """The content of a block element: runs of inline content as paragraphs in `style`,
        block children in their own way."""
        paragraph = _Paragraph(self, container, style)
        if element.text:
            paragraph.text(element.text, _Format())
        for child in element:
            if _skipped(child):
                pass
            elif child.tag in BLOCK_TAGS:
                paragraph.close()
                self.block(child, container, style)
                paragraph = _Paragraph(self, container, style)
            else:
                self.inline(child, paragraph, _Format())
            if child.tail:
                paragraph.text(child.tail, _Format())
        paragraph.close()

    def block(self, element: HtmlElement, container: Document | _Cell, style: str = "Normal") -> None:
        tag, classes = element.tag, _classes(element)
        if "gr-registry" in classes:
            self.break_before = True  # the registry starts a page, as on paper
        if tag in HEADINGS:
            self.blocks(element, container, HEADINGS[tag][0])
        elif tag in ("h5", "h6"):
            self.blocks(element, container, HEADINGS["h4"][0])
        elif tag == "p":
            own = next((CLASS_STYLES[c] for c in classes if c in CLASS_STYLES), None)
            self.blocks(element, container, own or style)
        elif tag in ("ul", "ol"):
            self.listing(element, container, style)
        elif tag == "table" and LABEL_LINES in classes:
            self.label_lines(element, container)
        elif tag == "table":
            wordtables.write(self, element, container)
        elif tag == "pre":
            self.preformatted(element, container)
        elif tag == "hr":
            pass
        else:  # div, section, li outside a list, …: a container of blocks
            self.blocks(element, container, style)

    def listing(self, element: HtmlElement, container: Document | _Cell, style: str) -> None:
        """A list: one paragraph per item, numbered from 1 for each `ol`, bulleted for `ul`."""
        from docx.shared import Mm

        in_table = style in ("Table Text", "Table Heading")
        name = "List Number" if element.tag == "ol" else "List Bullet"
        number = wordstyles.list_numbering(self.document, name, restart=element.tag == "ol")
        for item in element:
            if item.tag != "li":
                continue
            paragraph = _Paragraph(self, container, style if in_table else name, numbering=number)
            self._item(item, paragraph, container, style)
            if in_table and paragraph.paragraph is not None:
                paragraph.paragraph.paragraph_format.left_indent = Mm(4)
                paragraph.paragraph.paragraph_format.first_line_indent = Mm(-4)

    def _item(self, item: HtmlElement, paragraph: _Paragraph, container: Document | _Cell, style: str) -> None:
        """A list item's content in one paragraph (its own paragraphs joined by line breaks);
        a list inside it follows as its own paragraphs."""
        if item.text:
            paragraph.text(item.text, _Format())
        for child in item:
            if _skipped(child):
                pass
            elif child.tag in ("ul", "ol"):
                paragraph.close()
                self.listing(child, container, style)
            elif child.tag in BLOCK_TAGS:
                paragraph.line_break_if_started()
                self.inline(child, paragraph, _Format())
            else:
                self.inline(child, paragraph, _Format())
            if child.tail:
                paragraph.text(child.tail, _Format())
        paragraph.close()

    def preformatted(self, element: HtmlElement, container: Document | _Cell) -> None:
        """A block of lines as set (the registry on paper): one paragraph per line."""
        for line in element.text_content().strip("\n").split("\n"):
            paragraph = _Paragraph(self, container, "Registry")
            paragraph.text(line, _Format(), collapse=False)
            paragraph.close()

    # ------------------------------------------------------------ inline content

    def inline(self, element: HtmlElement, paragraph: _Paragraph, fmt: _Format) -> None:
        if _skipped(element):
            return
        tag = element.tag
        if tag == "br":
            paragraph.line_break()
            return
        if tag == "img":
            paragraph.picture(element)
            return
        if tag in ("b", "strong", "th"):
            fmt = replace(fmt, bold=True)
        elif tag in ("i", "em", "cite"):
            fmt = replace(fmt, italic=True)
        elif tag in ("code", "kbd", "samp", "tt"):
            fmt = replace(fmt, code=True)
        elif tag == "a":
            href = element.get("href") or ""
            fmt = replace(fmt, href=href if re.match(r"(https?|mailto):", href) else fmt.href)
        if element.text:
            paragraph.text(element.text, fmt)
        for child in element:
            self.inline(child, paragraph, fmt)
            if child.tail:
                paragraph.text(child.tail, fmt)

    # ------------------------------------------------------------ a table of labels

    def label_lines(self, element: HtmlElement, container: Document | _Cell) -> None:
        """A table of labels (th) and values (td) as one paragraph per row, «label:<tab>value»,
        the value's lines aligned at the tab."""
        from docx.shared import Mm

        for row in element.xpath("./tr | ./tbody/tr"):
            paragraph = _Paragraph(self, container, "Normal")
            for cell in row:
                if cell.tag in ("th", "td"):
                    if cell.getprevious() is not None:
                        paragraph.tab()
                    self.inline(cell, paragraph, _Format())
            paragraph.close()
            if paragraph.paragraph is not None:
                layout = paragraph.paragraph.paragraph_format
                layout.left_indent, layout.first_line_indent = Mm(LABEL_INDENT_MM), Mm(-LABEL_INDENT_MM)
                layout.tab_stops.add_tab_stop(Mm(LABEL_INDENT_MM))
                layout.space_after = _points(2)
        self.after_table = True


@dataclass
class _Paragraph:
    """A paragraph being written, made only when it gets content, with HTML's white space
    collapsed across its runs."""

    writer: _Writer
    container: Any
    style: str
    numbering: int | None = None
    paragraph: Any = None
    _space: bool = True  # the last text written ended with a space (or nothing was written yet)

    def _open(self) -> Any:
        if self.paragraph is None:
            writer = self.writer
            self.paragraph = self.container.add_paragraph()
            if self.style != "Normal":
                self.paragraph._p.style = writer.style_ids[self.style]
            if self.numbering is not None:
                wordstyles.number(self.paragraph, self.numbering)
            if writer.break_before:
                self.paragraph.paragraph_format.page_break_before = True
                writer.break_before = False
            if writer.after_table:
                self.paragraph.paragraph_format.space_before = _points(8)
                writer.after_table = False
            writer.last_paragraph = self.paragraph
        return self.paragraph

    def text(self, text: str, fmt: _Format, collapse: bool = True) -> None:
        if collapse:
            text = _SPACE.sub(" ", text)
            if self._space:
                text = text.lstrip(" ")
        if not text:
            return
        self._space = text.endswith(" ")
        paragraph = self._open()
        run = wordstyles.hyperlink(paragraph, fmt.href, text) if fmt.href else paragraph.add_run(text)
        if fmt.bold:
            run.bold = True
        if fmt.italic:
            run.italic = True
        if fmt.code:
            run.font.name = "Courier New"

    def line_break(self) -> None:
        if self.paragraph is not None:
            self._trim()
            self.paragraph.add_run().add_break()
            self._space = True

    def tab(self) -> None:
        self._trim()
        self._open().add_run().add_tab()
        self._space = True

    def line_break_if_started(self) -> None:
        if self.paragraph is not None and self.paragraph.runs:
            self.line_break()

    def picture(self, element: HtmlElement) -> None:
        """An embedded image (a data: URI) as an inline picture at its own resolution, no
        wider than the text nor taller than report.css prints a chart, its alt text kept."""
        from docx.shared import Mm

        data = _image_data(element.get("src") or "")
        if data is None:
            return
        from docx.image.image import Image

        image = Image.from_blob(data)
        width_mm = image.px_width / (image.horz_dpi or 96) * 25.4
        height_mm = image.px_height / (image.vert_dpi or 96) * 25.4
        scale = min(1.0, self.writer.layout.text_width_mm / width_mm, CHART_MAX_HEIGHT_MM / height_mm)
        run = self._open().add_run()
        shape = run.add_picture(io.BytesIO(data), width=Mm(width_mm * scale), height=Mm(height_mm * scale))
        shape._inline.docPr.set("descr", element.get("alt") or "")
        self._space = False

    def _trim(self) -> None:
        runs = self.paragraph.runs if self.paragraph is not None else []
        if runs and runs[-1].text.endswith(" "):
            runs[-1].text = runs[-1].text.rstrip(" ")

    def close(self) -> None:
        self._trim()


def _image_data(src: str) -> bytes | None:
    match = re.match(r"data:image/(png|jpeg|gif);base64,(.*)", src, re.S)
    if match is None:
        return None
    try:
        return base64.b64decode(match[2], validate=False)
    except (binascii.Error, ValueError):
        return None


def _points(value: float) -> Any:
    from docx.shared import Pt

    return Pt(value)
