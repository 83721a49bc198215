"""The report page's tables as Word tables, for `word`: each cell where the page's row and
column spans put it (merged cells), the column widths report.css gives the table on paper (or
shares by the length of each column's text), the header rows repeated on every page
(`w:tblHeader`), rows kept whole (`w:cantSplit`) unless about a third of a page tall, the
small tables kept on one page, the page's cell classes as Word formatting (header shading,
group rows, totals, numbers to the right, the signature's line).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.assembly import wordstyles
from pipeline.assembly.wordstyles import ACTIVITIES_PT, GROUP_SHADING, HEADER_SHADING, NOTE_PT, TABLE_PT, PrintLayout

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import _Cell
    from lxml.html import HtmlElement

    from pipeline.assembly.word import _Writer

#: A row taller than this share of the page's text height may break across pages; shorter
#: ones are kept whole (rows that do not break mid-cell where avoidable).
LONG_ROW_SHARE = 1 / 3
#: Tables kept on one page, as report.css keeps them (`break-inside: avoid`).
KEPT_WHOLE = frozenset({"gr-feedback", "gr-metrics", "gr-signature"})
#: Tables without a grid, and their column widths in per cent of the text width.
PLAIN_TABLES = {"gr-signature": (35.0, 30.0, 35.0)}
#: The signature's table: it stays with the paragraph before it (the end of section 3).
SIGNATURE = "gr-signature"
#: Tables whose columns are given no width on paper share the width by the longest text of
#: each column, counted within these bounds (characters).
MIN_CHARACTERS, MAX_CHARACTERS = 4, 60

_SPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass
class Grid:
    """A table of the page: its rows and where each cell goes in Word's grid."""

    classes: set[str]
    rows: list[Any]
    header_rows: int
    columns: int = 0
    cells: list[tuple[int, int, int, int, Any]] = field(default_factory=list)  # row, col, rowspan, colspan, element


def _classes(element: HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def grid(element: HtmlElement) -> Grid:
    """The table's rows (its own, not a nested table's) and each cell's place in the grid; a
    short row is filled with empty cells."""
    rows = element.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    table = Grid(_classes(element), rows, len(element.xpath("./thead/tr")))
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            if cell.tag not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            rowspan = max(1, min(int(cell.get("rowspan") or 1), len(rows) - r))
            colspan = max(1, int(cell.get("colspan") or 1))
            table.cells.append((r, c, rowspan, colspan, cell))
            taken.update((r + i, c + j) for i in range(rowspan) for j in range(colspan))
            c += colspan
    table.columns = max((c + 1 for _, c in taken), default=0)
    missing = [(r, c) for r in range(len(rows)) for c in range(table.columns) if (r, c) not in taken]
    if missing:
        import lxml.html

        table.cells += [(r, c, 1, 1, lxml.html.fragment_fromstring("<td></td>")) for r, c in missing]
    return table


def column_widths(element: HtmlElement, table: Grid, layout: PrintLayout) -> list[float]:
    """Each grid column's width in millimetres: report.css's print widths of the table's
    columns, a plain table's own, else shares by the length of each column's text."""
    shares: list[float] = []
    for css_class in table.classes & set(layout.widths):
        for col in element.iter("col"):
            share = next((layout.widths[css_class][c] for c in _classes(col) if c in layout.widths[css_class]), None)
            if share is not None:
                shares += [share] * int(col.get("span") or 1)
    plain = next((c for c in table.classes if c in PLAIN_TABLES), None)
    if plain:
        shares = list(PLAIN_TABLES[plain])
    if len(shares) != table.columns:
        shares = [float(MIN_CHARACTERS)] * table.columns
        for _, column, _, columns, cell in table.cells:
            if columns == 1:
                length = len(_SPACE.sub(" ", cell.text_content()).strip())
                shares[column] = max(shares[column], min(float(MAX_CHARACTERS), length))
    scale = layout.text_width_mm / sum(shares)
    return [share * scale for share in shares]


def height_pt(element: HtmlElement, width_mm: float, size: float) -> float:
    """About how tall a cell's text is when set `width_mm` wide: the lines of its paragraphs."""
    characters = max(1.0, (width_mm - 3) / 25.4 * 72 / (size * 0.5))
    blocks = [_SPACE.sub(" ", b.text_content()).strip() for b in element.iter("p", "li")] or \
             [_SPACE.sub(" ", element.text_content()).strip()]
    return sum(max(1, math.ceil(len(text) / characters)) for text in blocks) * size * 1.2 + 4


def write(writer: _Writer, element: HtmlElement, container: Document | _Cell) -> None:
    """The page's table `element` as a Word table in `container` (the document or a cell);
    `writer` (`word`'s) writes each cell's content."""
    from docx.shared import Mm

    table = grid(element)
    if not table.rows or not table.columns:
        return
    if SIGNATURE in table.classes and writer.last_paragraph is not None:
        writer.last_paragraph.paragraph_format.keep_with_next = True  # the signature ends section 3
    word = container.add_table(rows=len(table.rows), cols=table.columns)
    if "gr-table" in table.classes:
        word._tbl.tblPr.style = writer.style_ids["Table Grid"]
    wordstyles.cell_padding(word)
    word.autofit = False
    widths = column_widths(element, table, writer.layout)
    for index, width in enumerate(widths):
        word.columns[index].width = Mm(width)
    for row, column, rows, columns, _ in table.cells:
        if rows > 1 or columns > 1:
            word.cell(row, column).merge(word.cell(row + rows - 1, column + columns - 1))
    cells = word._cells  # row by row, a merged cell at each place it covers (one look-up)
    size = ACTIVITIES_PT if "gr-activities" in table.classes else TABLE_PT
    estimated = [0.0] * len(table.rows)
    for row, column, rows, columns, cell in table.cells:
        width = sum(widths[column:column + columns])
        target = cells[row * table.columns + column]
        target.width = Mm(width)
        _cell(writer, cell, target, table, row, size)
        for spanned in range(row, row + rows):
            estimated[spanned] = max(estimated[spanned], height_pt(cell, width, size) / rows)
    long_row = writer.layout.text_height_mm / 25.4 * 72 * LONG_ROW_SHARE
    kept_whole = bool(KEPT_WHOLE & table.classes)
    for index, row in enumerate(word.rows):
        if index < table.header_rows:
            wordstyles.row_property(row, "tblHeader")
        if index < table.header_rows or estimated[index] < long_row:
            wordstyles.row_property(row, "cantSplit")
        if kept_whole and index < len(word.rows) - 1:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True
    writer.last_paragraph = None
    writer.after_table = True


def _cell(writer: _Writer, element: HtmlElement, cell: _Cell, table: Grid, row: int, size: float) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt
    from docx.text.run import Run

    classes, row_classes = _classes(element), _classes(table.rows[row])
    header = row < table.header_rows or element.tag == "th"
    style = "Table Heading" if header and "gr-table" in table.classes else "Table Text"
    writer.blocks(element, cell, style)
    paragraphs = cell.paragraphs
    if len(paragraphs) > 1 and not paragraphs[0].text and not paragraphs[0].runs:
        paragraphs[0]._p.getparent().remove(paragraphs[0]._p)  # the empty one a new cell has
    bold = element.tag == "th" or bool({"gr-subhead", "gr-subtotal", "gr-total"} & row_classes)
    italic = "gr-subhead" in row_classes or "gr-sign-name" in classes
    for paragraph in cell.paragraphs:
        if paragraph._p.style is None:
            paragraph._p.style = writer.style_ids[style]
        if "num" in classes:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for run in (Run(r, paragraph) for r in paragraph._p.xpath(".//w:r")):  # links' runs too
            if style == "Table Text" and "gr-table" in table.classes:
                run.font.size = Pt(size)
            if bold:
                run.bold = True
            if italic:
                run.italic = True
            if "gr-sign-caption" in classes:
                run.font.size = Pt(NOTE_PT)
    if row < table.header_rows and "gr-table" in table.classes:
        wordstyles.shade(cell, HEADER_SHADING)
    elif "gr-subhead" in row_classes:
        wordstyles.shade(cell, GROUP_SHADING)
    if "gr-sign-line" in classes:
        wordstyles.bottom_border(cell)
