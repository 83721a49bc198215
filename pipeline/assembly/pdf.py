"""The print-ready report: the stitched notebook, through the same nbconvert template as the
HTML report, laid out for paper by WeasyPrint (A4 landscape, see report.css), as an archival
PDF: PDF/A-3b, tagged (its structure for screen readers), its language and title set, with
the build's figures.json and manifest.json attached inside it when a build makes it.

`ReportPDFExporter` is an nbconvert exporter (`stitching.ReportPageExporter`), so nbconvert
stays the one stitching interface: the report template's HTML export handed to WeasyPrint
(`html_to_pdf`). It runs as `jupyter nbconvert --to grant_pdf NOTEBOOK.ipynb` (entry point in
pyproject.toml) and as `to_pdf(notebook, title)`; a build, which exports that page for
report.html anyway, hands the same page to `html_to_pdf` directly rather than exporting it twice.

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0), HarfBuzz's subsetter
(libharfbuzz-subset0; without it fonts are subset by fontTools, a third slower) and a font that
has every Russian and Kazakh letter (Debian: fonts-dejavu-core, DejaVu Sans); see the README.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
from traitlets import default

from pipeline.assembly import stitching, warmup
from pipeline.notebook import views

#: PDF/A-3 (ISO 19005-3), level B: an archival PDF that may carry files of any kind. WeasyPrint
#: also tags it (`pdf_tags`: headings, paragraphs, tables, lists and the chart's alt text as a
#: structure tree for screen readers); it does not claim level A, which asks more than tags.
PDF_VARIANT = "pdf/a-3b"

#: What each file a build attaches to its PDF is to the report (PDF/A-3's AFRelationship,
#: ISO 32000-2, 7.11.3) and says about itself.
ATTACHED = {
    "figures.json": ("Data", "Every figure of the report, {name: value}, as the report shows it"),
    "manifest.json": ("Supplement", "Provenance of the report: input files with SHA-256, parameters, "
                                    "package versions, and for every figure its cell and input rows"),
}

#: WeasyPrint's loggers: its CSS warnings ("Ignored … unknown property") are not for the user.
WEASYPRINT_LOGGERS = ("weasyprint", "weasyprint.progress")

#: The report is self-contained (images are data URIs): nothing is fetched from the network,
#: so a PDF never depends on a live web page.
ALLOWED_PROTOCOLS = ("data", "file")

# WeasyPrint is pure Python under the GIL (threads gain nothing by rendering at once) and its
# thread safety is not promised: reports built in parallel threads render one at a time.
_RENDER_LOCK = threading.Lock()

#: A page that sets up what every report uses: WeasyPrint's modules, Pango's font map, and
#: DejaVu Sans in regular and bold.
_WARM_UP_PAGE = ('<html lang="ru"><body style="font-family: \'DejaVu Sans\', sans-serif">'
                 '<p>Отчет <b>№ 1</b></p></body></html>')


class _Quiet(logging.Filter):
    """Drops WeasyPrint's warnings and progress messages; errors still get through, except
    a link to a figure's anchor that this report has no target for (it just goes nowhere)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR and not str(record.msg).startswith("No anchor")


@contextlib.contextmanager
def _collected_after() -> Iterator[None]:
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


# A number of the report, linked on screen to its figure's entry (`<a class="gr-figure" href="#fig-…">`,
# as the templates and narratives write it).
#: The page with its numbers as plain text (`views.plain_figures`): what the PDF lays out.
plain_figures = views.plain_figures


def html_to_pdf(html: str, base_url: str | None = None, attachments: Sequence[Path] = (),
                date: dt.date | None = None) -> bytes:
    """A report page (as the `report` template writes it) laid out as a PDF by WeasyPrint, its
    numbers plain text (`plain_figures`): PDF/A-3b, tagged, with each of `attachments` embedded
    (as `ATTACHED` says what it is) and listed once in the catalog's /AF (`_each_attachment_once`). `date` is its creation and
    modification date, in its info dictionary and its XMP alike (`pdf_date`), and its
    attachments': a date of the report's own (its period's end), never the clock's nor a
    file's, so that a rebuild writes the same bytes."""
    import weasyprint  # imported here: Pango is loaded only when a PDF is made

    quiet = _Quiet()
    loggers = [logging.getLogger(name) for name in WEASYPRINT_LOGGERS]
    with _RENDER_LOCK, _collected_after():
        for logger in loggers:
            logger.addFilter(quiet)
        try:
            page = weasyprint.HTML(
                string=plain_figures(html), base_url=base_url, media_type="print",
                url_fetcher=weasyprint.URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS),
            )
            options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True,
                       "attachments": [_attachment(weasyprint, Path(path), date) for path in attachments]}
            document = page.render(**options)
            if date is not None:
                document.metadata.created = document.metadata.modified = pdf_date(date)
            if document.metadata.lang:  # the page's <html lang>: the catalog's /Lang, and the XMP's too
                _xmp_language(document.metadata, document.metadata.lang)
            return document.write_pdf(finisher=_each_attachment_once, **options)
        finally:
            for logger in loggers:
                logger.removeFilter(quiet)


_DC = "http://purl.org/dc/elements/1.1/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _xmp_language(metadata: Any, language: str) -> None:
    """Make the document's XMP say its language (`dc:language`, as its catalog's /Lang does,
    which WeasyPrint writes from `<html lang>`): WeasyPrint's XMP names title and authors only."""
    from xml.etree.ElementTree import SubElement, fromstring, tostring

    written = metadata.generate_rdf_metadata

    def with_language(*args: Any, **kwargs: Any) -> bytes:
        rdf = fromstring(written(*args, **kwargs))
        description = SubElement(rdf, f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""})
        bag = SubElement(SubElement(description, f"{{{_DC}}}language"), f"{{{_RDF}}}Bag")
        SubElement(bag, f"{{{_RDF}}}li").text = language
        return tostring(rdf, encoding="utf-8")

    metadata.generate_rdf_metadata = with_language


def pdf_date(date: dt.date) -> str:
    """A day as WeasyPrint takes a document's dates (W3C's ISO 8601): its start, in UTC. It
    writes the same instant to the info dictionary (`D:20220615000000+00'00`) and to the XMP
    (`2022-06-15T00:00:00+00:00`), which PDF/A requires to agree."""
    return f"{date.isoformat()}T00:00:00+00:00"


def _each_attachment_once(document: Any, pdf: Any) -> None:
    """WeasyPrint 70 lists each attachment twice in the catalog's /AF (its PDF/A step adds the
    files of the /EmbeddedFiles name tree, then every /Filespec object: the same ones again;
    Kozea/WeasyPrint#2917): each is kept once, in order, before the PDF is written."""
    import pydyf

    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def _attachment(weasyprint: ModuleType, path: Path, date: dt.date | None = None) -> Any:
    """An attached file, dated `date` (by default WeasyPrint dates it by the file's time)."""
    relationship, description = ATTACHED.get(path.name, ("Unspecified", None))
    when = None if date is None else dt.datetime.fromisoformat(pdf_date(date))
    return weasyprint.Attachment(filename=str(path), name=path.name, description=description,
                                 relationship=relationship, created=when, modified=when)


def warm_up() -> threading.Thread:
    """Start WeasyPrint's one-off cost of a process (its import and font set-up, ~0.7 s) in
    the background (`warmup`): a PDF made meanwhile waits for it (the render lock)."""
    return warmup.start("weasyprint", lambda: html_to_pdf(_WARM_UP_PAGE))


class ReportPDFExporter(stitching.ReportPageExporter):
    """The grant report as a print-ready PDF: the `report` template's HTML, through WeasyPrint.
    `from_notebook_node` returns the PDF as bytes."""

    export_from_notebook = "Grant report (PDF)"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    def render_page(self, html: str, base_url: str | None) -> bytes:
        self.log.info("Laying out the PDF with WeasyPrint")
        return html_to_pdf(html, base_url=base_url)


def to_pdf(notebook: nbformat.NotebookNode, title: str, authors: tuple[str, ...] = ()) -> bytes:
    """The stitched report as one print-ready PDF (A4 landscape): `stitching.to_html`'s twin."""
    return ReportPDFExporter.export(notebook, title, authors)
