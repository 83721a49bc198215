"""The print-ready report: the stitched notebook, through the same nbconvert template as the
HTML report, laid out for paper by WeasyPrint (A4 landscape, see report.css).

`ReportPDFExporter` is an nbconvert exporter, so nbconvert stays the one stitching interface:
the report template's HTML export handed to WeasyPrint (`html_to_pdf`). It runs as
`jupyter nbconvert --to grant_pdf NOTEBOOK.ipynb` (entry point in pyproject.toml) and as
`to_pdf(notebook, title)`; a build, which exports that page for report.html anyway, hands the
same page to `html_to_pdf` directly rather than exporting it twice.

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0), HarfBuzz's subsetter
(libharfbuzz-subset0; without it fonts are subset by fontTools, a third slower) and a font that
has every Russian and Kazakh letter (Debian: fonts-dejavu-core, DejaVu Sans); see the README.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import gc
import logging
import threading

import nbformat
from nbconvert import HTMLExporter
from traitlets import default

from pipeline.build import stitching, warmup

#: WeasyPrint's loggers: its CSS warnings ("Ignored … unknown property") are not for the user.
WEASYPRINT_LOGGERS = ("weasyprint", "weasyprint.progress")

#: The report is self-contained (images are data URIs): nothing is fetched from the network,
#: so a PDF never depends on a live web page.
ALLOWED_PROTOCOLS = ("data", "file")

# Exporter traits that follow from `template_name` rather than being settings of their own.
_DERIVED_TRAITS = frozenset({"template_paths", "template_file"})

# WeasyPrint is pure Python under the GIL (threads gain nothing by rendering at once) and its
# thread safety is not promised: reports built in parallel threads render one at a time.
_RENDER_LOCK = threading.Lock()

#: A page that sets up what every report uses: WeasyPrint's modules, Pango's font map, and
#: DejaVu Sans in regular and bold.
_WARM_UP_PAGE = ('<html lang="ru"><body style="font-family: \'DejaVu Sans\', sans-serif">'
                 '<p>Отчет <b>№ 1</b></p></body></html>')


@functools.cache
def report_settings() -> dict[str, object]:
    """The report's exporter settings, read off `stitching.html_exporter()` (template, no code,
    no prompts, embedded images): whatever the HTML report is made with, the PDF is too."""
    reference, plain = stitching.html_exporter(), HTMLExporter()
    return {name: getattr(reference, name) for name in reference.trait_names(config=True)
            if name not in _DERIVED_TRAITS and getattr(reference, name) != getattr(plain, name)}


def _configured(config, name: str) -> bool:
    """Whether nbconvert configuration (e.g. `--TemplateExporter.exclude_input=False`) sets `name`."""
    if not config:
        return False
    return any(cls.__name__ in config and name in config[cls.__name__]
               for cls in ReportPDFExporter.__mro__)


class _Quiet(logging.Filter):
    """Drops WeasyPrint's warnings and progress messages; errors still get through, except
    a link to a figure's anchor that this report has no target for (it just goes nowhere)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR and not str(record.msg).startswith("No anchor")


@contextlib.contextmanager
def _collected_after():
    """No cyclic garbage collection while WeasyPrint lays a report out, one pass over the young
    generations after. WeasyPrint allocates millions of objects, so the collector would run
    full passes over everything the process holds (a build's notebooks, tables, modules):
    10 % of the PDF's time, for garbage that reference counting frees anyway."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect(1)


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """A report page (as the `report` template writes it) laid out as a PDF by WeasyPrint."""
    import weasyprint  # imported here: Pango is loaded only when a PDF is made

    quiet = _Quiet()
    loggers = [logging.getLogger(name) for name in WEASYPRINT_LOGGERS]
    with _RENDER_LOCK, _collected_after():
        for logger in loggers:
            logger.addFilter(quiet)
        try:
            document = weasyprint.HTML(
                string=html, base_url=base_url, media_type="print",
                url_fetcher=weasyprint.URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS),
            )
            return document.write_pdf()
        finally:
            for logger in loggers:
                logger.removeFilter(quiet)


def warm_up() -> threading.Thread:
    """Start WeasyPrint's one-off cost of a process (its import and font set-up, ~0.7 s) in
    the background (`warmup`): a PDF made meanwhile waits for it (the render lock)."""
    return warmup.start("weasyprint", lambda: html_to_pdf(_WARM_UP_PAGE))


class ReportPDFExporter(HTMLExporter):
    """The grant report as a print-ready PDF: the `report` template's HTML, through WeasyPrint.

    `from_notebook_node` returns the PDF as bytes. Settings come from the HTML report's
    exporter (`report_settings`); nbconvert configuration still overrides them.
    """

    export_from_notebook = "Grant report (PDF)"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self) -> str:
        return ".html.j2"  # the HTML report's template, not a `.pdf.j2` one

    @default("raw_mimetypes")
    def _raw_mimetypes_default(self) -> list[str]:
        return ["text/html", ""]  # raw cells print as they show in report.html

    def __init__(self, config=None, **kw):
        settings = {name: copy.deepcopy(value) for name, value in report_settings().items()
                    if name not in kw and not _configured(config, name)}
        super().__init__(config=config, **settings, **kw)

    def from_notebook_node(self, nb: nbformat.NotebookNode, resources=None, **kw):
        html, resources = super().from_notebook_node(nb, resources=resources, **kw)
        folder = (resources.get("metadata") or {}).get("path") or None
        base_url = f"{folder.rstrip('/')}/" if folder else None
        self.log.info("Laying out the PDF with WeasyPrint")
        return html_to_pdf(html, base_url=base_url), resources


def to_pdf(notebook: nbformat.NotebookNode, title: str, authors: tuple[str, ...] = ()) -> bytes:
    """The stitched report as one print-ready PDF (A4 landscape): `stitching.to_html`'s twin."""
    stitching.entitle(notebook, title, authors)
    body, _ = ReportPDFExporter().from_notebook_node(notebook)
    return body
