"""Names vulture (scripts/dead_code.py) would call unused that a library, not our code, reads.
Each entry says who reads it; a function kept only for the tests does not belong here."""

# ruff: noqa: B018, F821

from pipeline.assembly import builder, kernels, pdf, word
from pipeline.notebook import recording, sandbox

# papermill's translator and engine hooks, jupyter_client's kernel manager traits
builder.ReadablePythonTranslator.translate_str
kernels.IPCKernelManager.transport
kernels.WarmKernelEngine.execute_managed_notebook

# nbconvert exporter traits (read by nbconvert's Exporter), and the public one-call renderers
# (`pdf.to_pdf`, `word.to_docx`: the exporters' API, used by bench/pdf_render.py and the tests)
pdf.ReportPDFExporter.export_from_notebook
pdf.ReportPDFExporter.output_mimetype
word.ReportDocxExporter.export_from_notebook
word.ReportDocxExporter.output_mimetype
pdf.to_pdf
word.to_docx

# scrapbook's encoder protocol; the reader of an executed notebook's figures (tests and reviewers)
recording.NullFigureEncoder.encodable
recording.read_figures

# Jinja2's code generator and the environment attributes the generated code calls
sandbox._BoundedCode.visit_Concat
sandbox.BoundedSandbox.code_generator_class
sandbox.BoundedSandbox.intercepted_binops
sandbox.BoundedSandbox.iterated
sandbox.BoundedSandbox.concatenated
sandbox.BoundedSandbox.joined

# pydantic's model configuration
model_config

# attributes set on library objects: python-docx (paragraph, run, section, core properties,
# table), openpyxl (cell, sheet), pikepdf's metadata, expat's parser handlers, logging, sys
_.allow_stdin
_.created
_.modified
_.left_indent
_.first_line_indent
_.space_after
_.space_before
_.page_break_before
_.author
_.last_modified_by
_.comments
_.revision
_.rgb
_.base_style
_.quick_style
_.line_spacing
_.alignment
_.underline
_.orientation
_.page_height
_.page_width
_.right_margin
_.top_margin
_.bottom_margin
_.left_margin
_.footer_distance
_.header_distance
_.keep_with_next
_.autofit
_.comment
_.freeze_panes
_.StartElementHandler
_.StartDoctypeDeclHandler
_.disabled
_.unraisablehook
# Texts marked for the message catalogues (pybabel extracts them; tests/test_translations.py
# holds the headings to the notebooks'), and nbconvert's trait for <html lang>, set per page.
SECTION_HEADINGS
FORM_TEXTS
_.language_code
# The two kinds of data note, named for the docs and held to WARNING_LABELS by tests/test_figures.py.
ROW_NOTES
FOLDER_NOTES
