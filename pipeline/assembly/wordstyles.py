"""The Word document's frame, as the report's print layout has it, and Word's XML where
python-docx has no API: what `word` writes a report page into.

`print_layout` reads what report.css says about paper (the page's margins, the footer's words
and page counters, the tables' column widths), so that the PDF and the Word document are laid
out from one stylesheet. `new_document` is python-docx's default template made into the
report's: A4 landscape, those margins, the footer «стр. N из M» with Word's PAGE and NUMPAGES
fields, Russian as the language (hyphenation, spelling), Arial (Word has it everywhere, with
every Russian and Kazakh letter; LibreOffice maps it to Liberation Sans) and the report's
styles: Heading 1–3, Table Grid, List Bullet and List Number of the template, restyled, and
Table Text, Table Heading, Annex, Note, Registry and Hyperlink of its own.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline import paths
from pipeline.language import DEFAULT, WORD_LANG, tr

if TYPE_CHECKING:
    from docx.document import Document
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.styles.style import CharacterStyle
    from docx.table import Table, _Cell, _Row
    from docx.text.paragraph import Paragraph

FONT = "Arial"
LANGUAGE = WORD_LANG[DEFAULT]
#: Sizes in points, as report.css sets them on paper.
BODY_PT, TABLE_PT, ACTIVITIES_PT, HEADER_CELL_PT, NOTE_PT, REGISTRY_PT, FOOTER_PT = 10, 8.5, 8, 7, 8, 7, 8
#: The page's headings and the Word styles they become, with their sizes.
HEADINGS = {"h1": ("Heading 1", 14), "h2": ("Heading 2", 12), "h3": ("Heading 3", 11), "h4": ("Heading 4", 10)}
INK, LINK, RULE_GREY, NOTE_GREY = "111111", "0B4F9C", "444444", "555555"
HEADER_SHADING, GROUP_SHADING = "F1F1F1", "FAFAFA"
#: A4 landscape, millimetres.
PAGE_MM = (297.0, 210.0)
#: Cell padding as on paper (report.css: about 1.2 mm by 1.5 mm), not the table style's 1.9 mm.
CELL_PADDING_MM = {"top": 0.6, "left": 1.5, "bottom": 0.6, "right": 1.5}
#: The counters of report.css's page margin boxes, as Word's fields.
COUNTERS = {"page": "PAGE", "pages": "NUMPAGES"}

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass(frozen=True)
class PrintLayout:
    """What report.css says about paper that a Word document has too."""

    margins_mm: tuple[float, float, float, float]  # top, right, bottom, left
    footer: tuple[str, ...]  # the footer's words and fields: ("стр. ", "PAGE", " из ", "NUMPAGES")
    widths: dict[str, dict[str, float]]  # per table class, per column class: per cent of the text width

    @property
    def text_width_mm(self) -> float:
        return PAGE_MM[0] - self.margins_mm[1] - self.margins_mm[3]

    @property
    def text_height_mm(self) -> float:
        return PAGE_MM[1] - self.margins_mm[0] - self.margins_mm[2]


@functools.cache
def print_layout() -> PrintLayout:
    """The page's margins, its footer and the tables' column widths on paper, read from report.css."""
    css = (paths.NBCONVERT_TEMPLATES_DIR / "report" / "report.css").read_text(encoding="utf-8")
    page = re.search(r"@page\s*\{(.*?)\n\}", css, re.S)
    if page is None:
        raise ValueError("report.css: no @page rule")
    margins = re.search(r"\bmargin:\s*([\d.]+)mm\s+([\d.]+)mm\s+([\d.]+)mm\s+([\d.]+)mm", page[1])
    content = re.search(r"@bottom-right\s*\{[^}]*?content:\s*([^;]+);", page[1], re.S)
    if margins is None or content is None:
        raise ValueError("report.css: @page has no margin in mm or no @bottom-right content")
    footer = tuple(COUNTERS[counter] if counter else text
                   for text, counter in re.findall(r'"([^"]*)"|counter\((\w+)\)', content[1]))
    widths: dict[str, dict[str, float]] = {}
    for table, column, width in re.findall(r"\.(gr-[\w-]+) col\.([\w-]+) \{ width: ([\d.]+)%; \}", css):
        widths.setdefault(table, {})[column] = float(width)  # the print rules come last, and win
    top, right, bottom, left = (float(m) for m in margins.groups())
    return PrintLayout((top, right, bottom, left), footer, widths)


def mm_to_twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


# ---------------------------------------------------------------- the document

def new_document(layout: PrintLayout, title: str, authors: list[str], language: str = DEFAULT) -> Any:
    """An empty document of the report's page, footer, styles and properties, in the report's
    `language` (`ru`, `kk`: Word's `w:lang` `ru-RU`, `kk-KZ`; the footer's words from the catalogue)."""
    import docx

    document = docx.Document()
    _styles(document, WORD_LANG[language])
    _page(document, layout, language)
    core = document.core_properties
    core.title, core.author, core.last_modified_by = title, "; ".join(authors), "; ".join(authors)
    core.language, core.comments, core.revision = WORD_LANG[language], "", 1
    return document


def _font(style: CharacterStyle, size: float, bold: bool | None = None, color: str = INK) -> None:
    """The style's font: Arial (named, not the theme's, which would win), size, colour, weight."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    properties = style.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor.from_string(color)
    if bold is not None:
        style.font.bold = bold


def _styles(document: Document, language_tag: str = LANGUAGE) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    styles = document.styles

    def paragraph_style(name: str, base: str, size: float, **formatting: object) -> Any:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style, style.quick_style = styles[base], True
        _font(style, size)
        for key, value in formatting.items():
            setattr(style.paragraph_format, key, value)
        return style

    normal = styles["Normal"]
    _font(normal, BODY_PT)
    language = OxmlElement("w:lang")
    for attribute in ("w:val", "w:eastAsia"):
        language.set(qn(attribute), language_tag)
    normal.element.get_or_add_rPr().append(language)
    normal.paragraph_format.space_after, normal.paragraph_format.line_spacing = Pt(5), 1.1
    for tag, (name, size) in HEADINGS.items():
        heading = styles[name]
        _font(heading, size, bold=True)
        heading.font.italic = False
        heading.paragraph_format.space_before = Pt(16 if tag == "h1" else 14)
        heading.paragraph_format.space_after = Pt(8)
    styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph_style("Table Text", "Normal", TABLE_PT, space_after=Pt(1), line_spacing=1.0)
    paragraph_style("Table Heading", "Table Text", HEADER_CELL_PT, space_after=Pt(0)).font.bold = True
    paragraph_style("Annex", "Normal", BODY_PT, space_after=Pt(4), alignment=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph_style("Note", "Normal", NOTE_PT).font.color.rgb = RGBColor.from_string(NOTE_GREY)
    paragraph_style("Registry", "Normal", REGISTRY_PT, space_after=Pt(0), line_spacing=1.15)
    footer = styles["Footer"]
    _font(footer, FOOTER_PT, color=RULE_GREY)
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb, link.font.underline = RGBColor.from_string(LINK), True
    # Hyphenation, as on paper (report.css: `hyphens: auto`): narrow table columns need it.
    tab_stop = document.settings.element.find(qn("w:defaultTabStop"))
    if tab_stop is not None:
        tab_stop.addnext(OxmlElement("w:autoHyphenation"))


def _page(document: Document, layout: PrintLayout, language: str = DEFAULT) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    top, right, bottom, left = layout.margins_mm
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    section.header_distance, section.footer_distance = Mm(top / 2), Mm(bottom / 2 - 2)
    paragraph = section.footer.paragraphs[0]
    paragraph.style = document.styles["Footer"]
    for part in layout.footer:
        if part in COUNTERS.values():
            field(paragraph, part)
        elif part:
            paragraph.add_run(tr(language, part))


# ---------------------------------------------------------------- Word's XML where python-docx has no API

def hyperlink(paragraph: Paragraph, url: str, text: str) -> Any:
    """A real link (w:hyperlink to an external relationship) in the Hyperlink style; its run."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.text.run import Run

    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    element = OxmlElement("w:r")
    link.append(element)
    paragraph._p.append(link)
    element.style = "Hyperlink"
    run = Run(element, paragraph)
    run.text = text
    return run


def field(paragraph: Paragraph, instruction: str) -> None:
    """A field Word computes when it lays the page out (PAGE, NUMPAGES), shown as 1 until then."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    simple, run, text = OxmlElement("w:fldSimple"), OxmlElement("w:r"), OxmlElement("w:t")
    simple.set(qn("w:instr"), f" {instruction} ")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def insert(parent: BaseOxmlElement, child: BaseOxmlElement, successors: tuple[str, ...]) -> None:
    """`child` into `parent` before the first of `successors` there (the schema's order, which
    Word holds a document to), else last."""
    from docx.oxml.ns import qn

    following = next((found for name in successors if (found := parent.find(qn(name))) is not None), None)
    if following is None:
        parent.append(child)
    else:
        following.addprevious(child)


def cell_padding(table: Table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side, mm in CELL_PADDING_MM.items():
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(mm_to_twips(mm)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    insert(table._tbl.tblPr, margins, ("w:tblLook", "w:tblCaption", "w:tblDescription"))


def row_property(row: _Row, name: str) -> None:
    """An on/off property of a table row: `tblHeader` (repeated at the top of every page),
    `cantSplit` (not broken across pages)."""
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    if properties.find(f"{{{_W}}}{name}") is None:
        properties.append(OxmlElement(f"w:{name}"))


#: What follows w:shd in a cell's properties (CT_TcPr's sequence).
_AFTER_SHADING = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


def shade(cell: _Cell, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    for name, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", colour)):
        shading.set(qn(name), value)
    insert(cell._tc.get_or_add_tcPr(), shading, _AFTER_SHADING)


def bottom_border(cell: _Cell) -> None:
    """A line under the cell (the signature's)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders, bottom = OxmlElement("w:tcBorders"), OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", INK)):
        bottom.set(qn(name), value)
    borders.append(bottom)
    insert(cell._tc.get_or_add_tcPr(), borders, ("w:shd", *_AFTER_SHADING))


def number(paragraph: Paragraph, numbering: int) -> None:
    """The paragraph as an item of a list of that numbering."""
    properties = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    properties.get_or_add_ilvl().val = 0
    properties.get_or_add_numId().val = numbering


def list_numbering(document: Document, style: str, restart: bool) -> int:
    """The numbering of a list style of the template (List Bullet, List Number); with `restart`,
    a new one of the same kind counting from 1 again (each `ol` of the page is its own list)."""
    from docx.oxml.ns import qn

    found = document.styles[style].element.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
    numbering = int(found.get(qn("w:val")))
    if not restart:
        return numbering
    definitions = document.part.numbering_part.element
    new = definitions.add_num(definitions.num_having_numId(numbering).abstractNumId.val)
    new.add_lvlOverride(ilvl=0).add_startOverride(1)
    return new.numId
