"""Stitching executed section notebooks into one report, through nbconvert.

The merged notebook drops parameter cells, reviewer-only cells, streams and scrapbook
records; the `report` template (extending JupyterLab's) hides code and prompts and
carries the print CSS.
"""

from __future__ import annotations

import copy
import functools
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from html import unescape as html_unescape
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from traitlets import default
from traitlets.config import Config

from pipeline import paths
from pipeline.assembly import warmup
from pipeline.exceptions import printable
from pipeline.language import DEFAULT, LANGUAGES, N_, tr, translations
from pipeline.notebook import recording

DROP_TAGS = frozenset({"parameters", "injected-parameters", "review"})
#: The id of a section notebook's heading cell (scripts/generate.py).
HEADING_CELL = "heading"
SCRAP_MIME_PREFIX = "application/scrapbook"
TEMPLATE = "report"


def _is_scrap(output: dict) -> bool:
    """A scrapbook record: data for read-back, nothing a person can read."""
    data = output.get("data", {})
    return bool(data) and all(k.startswith(SCRAP_MIME_PREFIX) for k in data)


def _keep_output(output: dict) -> bool:
    return output.get("output_type") != "stream" and not _is_scrap(output)


def _executed(notebook: Mapping | Path) -> nbformat.NotebookNode:
    """An executed notebook, given as its JSON (read once by the builder: copied here, which
    `nbformat.from_dict` does, dict by dict) or its path."""
    return nbformat.from_dict(notebook if isinstance(notebook, Mapping) else recording.executed(notebook))


def _html_cell(cell_id: str, html: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data={"text/html": html})])
    cell.id = cell_id
    return cell


#: The section notebooks' headings (scripts/generate.py writes them in Russian, as markdown
#: cells with the id `heading`): the catalogue's, so that a report in another language shows them
#: in it (`translated_heading`; tests/test_translations.py holds this list to the notebooks).
SECTION_HEADINGS = (
    N_("1. Информация о выполненных работах"),
    N_("2. Освещение деятельности (включая рекламу) в СМИ, социальных сетях"),
    N_("3. Напишите историю успеха по определенному действию, если имеются"),
    N_("Замечания к данным"),
)
#: The other section notebooks' first headings, which title their reviewers' pages (`notebook_title`).
NOTEBOOK_HEADINGS = (N_("Шапка отчета"), N_("Эффективность обучающих тренингов"),
                     N_("Community-центры, консультации и отзывы бенефициаров"), N_("Блокнот"))
_MARKDOWN_HEADING = re.compile(r"^(#{1,6}\s+)(.+?)\s*$")


def translated_heading(source: str, language: str) -> str:
    """A section's heading cell (`## 1. Информация…`) in the report's language."""
    found = _MARKDOWN_HEADING.match(source)
    return f"{found[1]}{tr(language, found[2])}" if found else tr(language, source)


def merge(notebooks: Sequence[Mapping | Path], appendices: tuple[str, ...] = (),
          preface: tuple[str, ...] = (), language: str = DEFAULT) -> nbformat.NotebookNode:
    """One notebook of the report's cells, in section order, with unique cell ids; each
    appendix (HTML built after execution, e.g. the figure registry) becomes a last cell, each
    preface (e.g. the line linking the report to its evidence) a first one. The sections'
    headings are written in the report's `language` (`translated_heading`)."""
    merged = nbformat.v4.new_notebook()
    merged.cells += [_html_cell(f"preface-{number:02d}", html) for number, html in enumerate(preface)]
    for index, source in enumerate(notebooks):
        nb = _executed(source)
        if index == 0:
            merged.metadata = nbformat.from_dict(dict(nb.metadata))
        for number, cell in enumerate(nb.cells):
            if DROP_TAGS & set(cell.get("metadata", {}).get("tags", [])):
                continue
            cell = nbformat.from_dict(dict(cell))
            if cell.cell_type == "markdown" and cell.get("id") == HEADING_CELL and language != DEFAULT:
                cell.source = translated_heading(cell.source, language)
            cell.id = f"s{index:02d}-c{number:03d}"
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if _keep_output(o)]
            merged.cells.append(cell)
    merged.cells += [_html_cell(f"appendix-{number:02d}", html) for number, html in enumerate(appendices)]
    merged.metadata.pop("papermill", None)
    nbformat.validate(merged)
    return merged


_cache = threading.local()


def _exporter(name: str, make: Callable[[], HTMLExporter]) -> HTMLExporter:
    """One exporter of each kind per thread: building one loads its whole Jinja template
    chain (~0.4 s), so it is reused for every report the thread stitches."""
    if not hasattr(_cache, name):
        setattr(_cache, name, make())
    return getattr(_cache, name)


# The elements JupyterLab's template writes for a cell's code and for each output, which
# HTMLExporter makes focusable (scrollable by keyboard) with tabindex="0".
_NOTEBOOK_BODY = re.compile(r'<body[^>]*\sclass="[^"]*\bjp-Notebook\b')
_FOCUSABLE = re.compile(r'(<div (?:id="[^"]*" )?class="(?:jp-Cell-inputWrapper|[^"]*\bjp-OutputArea-output\b[^"]*)")')


class PageExporter(HTMLExporter):
    """A page as HTMLExporter writes it, without the BeautifulSoup pass HTMLExporter then makes
    over the whole page (two thirds of the export's time on pages that show rows): that pass
    makes code and outputs focusable, done here on JupyterLab's own markup, and gives an image
    without alt text a placeholder, where our templates write the image's own alt; as it did,
    letters come out as themselves, not as character references. Tests hold the report and
    reviewer pages equal to HTMLExporter's otherwise."""

    def from_notebook_node(self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None,  # type: ignore[override]
                           **kw: Any) -> tuple[str, dict[str, Any]]:  # as HTMLExporter's, which ignores it too
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        self.register_filter("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources or {}))
        spoken = page_language(nb)
        self.language_code = spoken
        self.environment.install_gettext_translations(translations(spoken), newstyle=True)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        if _NOTEBOOK_BODY.search(html):  # HTMLExporter's selectors: `.jp-Notebook div…`
            html = _FOCUSABLE.sub(r'\1 tabindex="0"', html)
        return _CHARACTER_REFERENCE.sub(_character, html), resources

    def _create_environment(self) -> Any:
        """nbconvert's environment, with Jinja2's i18n extension: the report template's own
        words (its page counter) come from the report's catalogue, installed per page."""
        environment = super()._create_environment()
        environment.add_extension("jinja2.ext.i18n")
        return environment


def page_language(notebook: Mapping) -> str:
    """The language a notebook's page is written in (`metadata.grant_report.language`, set by
    `entitle`), else the default, Russian."""
    spoken = notebook.get("metadata", {}).get("grant_report", {}).get("language", DEFAULT)
    return spoken if spoken in LANGUAGES else DEFAULT


# nbconvert's markdown writes headings' letters as numeric references (`&#1048;` for «И»), which
# the BeautifulSoup pass turned back into characters: so does this, for every character that
# needs no escaping (not `"&'<>`, not a control character or a lone surrogate).
_CHARACTER_REFERENCE = re.compile(r"&#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}));")
_ESCAPED = frozenset(map(ord, "\"&'<>"))


def _character(match: re.Match) -> str:
    code = int(match[1], 16) if match[1] else int(match[2])
    plain = (code not in _ESCAPED and code >= 0x20 and not 0x7F <= code <= 0x9F
             and not 0xD800 <= code <= 0xDFFF and code <= 0x10FFFF)
    return chr(code) if plain else match[0]


def html_exporter(kind: type[HTMLExporter] = PageExporter) -> HTMLExporter:
    """nbconvert's HTML exporter with the report template: no code, no prompts."""
    return kind(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(paths.NBCONVERT_TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        language_code="ru",
    )


def to_html(notebook: nbformat.NotebookNode, title: str, authors: tuple[str, ...] = (),
            language: str = DEFAULT) -> str:
    """The stitched report as one self-contained HTML page; `title` and `authors` go into its
    head (and so into the PDF's properties), `language` into its `lang` (and the PDF's /Lang)."""
    entitle(notebook, title, authors, language)
    body, _ = _exporter("report", html_exporter).from_notebook_node(notebook)
    return body


def entitle(notebook: nbformat.NotebookNode, title: str, authors: tuple[str, ...] = (),
            language: str | None = None) -> None:
    """The notebook's title and authors (nbformat's own metadata fields) as the page shows them,
    and its page's language when given (`page_language`)."""
    notebook.metadata["title"] = title
    if language is not None:
        notebook.metadata.setdefault("grant_report", {})["language"] = language
    if authors:
        notebook.metadata["authors"] = [{"name": name} for name in authors]


# Exporter traits that follow from `template_name` rather than being settings of their own.
_DERIVED_TRAITS = frozenset({"template_paths", "template_file"})


@functools.cache
def report_settings() -> dict[str, object]:
    """The report's exporter settings, read off `html_exporter()` (template, no code, no
    prompts, embedded images): whatever the HTML report is made with, the PDF and the Word
    document are too."""
    reference, plain = html_exporter(), HTMLExporter()
    return {name: getattr(reference, name) for name in reference.trait_names(config=True)
            if name not in _DERIVED_TRAITS and getattr(reference, name) != getattr(plain, name)}


class ReportPageExporter(PageExporter):
    """The report page (the `report` template's HTML export, as report.html is) laid out for
    another medium by `render_page`: the base of the `grant_pdf` and `grant_docx` exporters, so
    that nbconvert stays the one stitching interface. Settings come from the HTML report's
    exporter (`report_settings`); nbconvert configuration still overrides them."""

    @default("template_extension")
    def _template_extension_default(self) -> str:
        return ".html.j2"  # the HTML report's template, not one of the medium's own

    @default("raw_mimetypes")
    def _raw_mimetypes_default(self) -> list[str]:
        return ["text/html", ""]  # raw cells come out as they show in report.html

    def __init__(self, config: Config | None = None, **kw: Any) -> None:
        settings = {name: copy.deepcopy(value) for name, value in report_settings().items()
                    if name not in kw and not self._configured(config, name)}
        super().__init__(config=config, **settings, **kw)

    @classmethod
    def _configured(cls, config: Config | None, name: str) -> bool:
        """Whether nbconvert configuration (e.g. `--TemplateExporter.exclude_input=False`) sets `name`."""
        return config is not None and any(klass.__name__ in config and name in config[klass.__name__]
                                          for klass in cls.__mro__)

    def from_notebook_node(self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None,  # type: ignore[override]
                           **kw: Any) -> tuple[bytes, dict[str, Any]]:  # the page as this medium's file
        html, resources = super().from_notebook_node(nb, resources=resources, **kw)
        folder = (resources.get("metadata") or {}).get("path") or None
        return self.render_page(html, f"{folder.rstrip('/')}/" if folder else None), resources

    def render_page(self, html: str, base_url: str | None) -> bytes:
        """The report page as this medium's file (`base_url`: the notebook's folder, if known)."""
        raise NotImplementedError

    @classmethod
    def export(cls, notebook: nbformat.NotebookNode, title: str, authors: tuple[str, ...] = ()) -> bytes:
        """The stitched report in this medium: `to_html`'s twin."""
        entitle(notebook, title, authors)
        body, _ = cls().from_notebook_node(notebook)
        return body


def warm_up(sample: Path) -> threading.Thread:
    """Start nbconvert's one-off cost of a process (its filters' and templates' first use,
    ~0.35 s) in the background (`warmup`), on a tiny report and the reviewers' page of
    `sample` (a notebook); each thread still builds its own exporters."""
    def prepare() -> None:
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_markdown_cell("# Отчет")]
        to_html(notebook, "Отчет")
        notebook_html(sample)

    return warmup.start("nbconvert", prepare)


def reviewer_exporter(kind: type[HTMLExporter] = PageExporter) -> HTMLExporter:
    """The exporter of the reviewers' pages: code, outputs and prompts shown, no CDN script,
    in the report's language (`lang`, `page_language`; Russian by default)."""
    return kind(template_name="reviewer", extra_template_basedirs=[str(paths.NBCONVERT_TEMPLATES_DIR)],
                embed_images=True, language_code="ru")


#: Where a notebook page sends a link to a figure it did not compute: the figure's entry in the
#: registry of the report's evidence page, beside the notebooks' folder.
REGISTRY_PAGE = "../" + paths.EVIDENCE_FILES["html"]
_FIGURE_LINK = re.compile(r'href="#fig-([^"]+)"')
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def notebook_title(notebook: Mapping, report: str = "", language: str = DEFAULT) -> str:
    """A notebook page's title: its section (the notebook's first heading, in `language`), then
    the report it belongs to (`report`, its period and region in words: `views.page_title`),
    else the period and region it ran with."""
    heading = next((found[1] for cell in notebook.get("cells", ()) if cell.get("cell_type") == "markdown"
                    for found in [_HEADING.search("".join(cell.get("source", "")))] if found), "")
    section = re.sub(r"[*_`]", "", heading).strip() or NOTEBOOK_HEADINGS[-1]
    section = tr(language, section) if section in (*SECTION_HEADINGS, *NOTEBOOK_HEADINGS) else section
    if not report:
        ran = notebook.get("metadata", {}).get("papermill", {}).get("parameters", {})
        report = ", ".join(str(ran[key]) for key in ("period", "region") if ran.get(key))
    return printable(f"{section} — {report}" if report else section)


def glued_in(notebook: Mapping) -> dict[str, str]:
    """Figure name -> the id of the notebook's cell that recorded it (scrapbook)."""
    return {name: str(cell["id"]) for _index, cell, name, _value in recording.scraps(notebook) if cell.get("id")}


def figure_links(html: str, cells: Mapping[str, str]) -> str:
    """The page's links to figures (`#fig-NAME`, written for the report page), to where a
    reviewer finds each: the cell of this notebook that computed and recorded it (`cells`, by
    figure: `glued_in`), else its entry in the report's registry (`REGISTRY_PAGE`): no link
    goes to an anchor the page lacks."""

    def target(match: re.Match) -> str:
        name = html_unescape(match[1])
        cell = cells.get(name)
        return f'href="#cell-id={cell}"' if cell else f'href="{REGISTRY_PAGE}#fig-{match[1]}"'
    return _FIGURE_LINK.sub(target, html)


def notebook_html(source: Mapping | Path, report: str = "", fill: Callable[[str], str] | None = None,
                  language: str = DEFAULT) -> str:
    """An executed section notebook (its JSON or path) as a page for reviewers: code, outputs
    and prompts shown; titled by its section and `report` (`notebook_title`), in the report's
    `language` (its `lang`); its narratives' places filled (`fill`, `placing.Filler`), its
    figure links leading to the cell that computed each (`figure_links`)."""
    notebook = _executed(source)
    entitle(notebook, notebook_title(notebook, report, language), language=language)
    cells = glued_in(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not _is_scrap(o)]
    body, _ = _exporter("reviewer", reviewer_exporter).from_notebook_node(notebook)
    return figure_links(fill(body) if fill else body, cells)
