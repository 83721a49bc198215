"""The report's drill-down: each number links to its registry row (in the evidence page beside
the report), each registry row to the exact cell of the executed notebook's page that computed
it, and lists its input rows."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

PERIOD = "2022-interim"

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("region", ["all", "zko"])
def test_each_registry_row_links_to_the_cell_that_computed_it_and_lists_its_rows(demo_build, region):
    folder = demo_build[0] / PERIOD / region
    page = (folder / "evidence.html").read_text(encoding="utf-8")
    figures = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["figures"]
    rows = dict(re.findall(r'<div class="gr-registry-row" id="fig-([^"]+)">(.*?)</div>', page, re.S))
    assert list(rows) == list(figures)
    for name, entry in figures.items():
        href = f'notebooks/{entry["notebook"].removesuffix(".ipynb")}.html#cell-id={entry["cell_id"]}'
        assert f'<a href="{href}">' in rows[name], name
        notebook_page = (folder / href.split("#")[0]).read_text(encoding="utf-8")
        assert f'id="cell-id={entry["cell_id"]}"' in notebook_page, name
        if entry["rows"]:
            listed = unescape(re.sub(r"<[^>]+>", " ", rows[name].split("<details", 1)[1]))
            assert f"строк входных данных: {len(entry['rows'])}" in listed, name
            for ref in entry["rows"]:
                assert ref["file"] in listed and (ref["id"] is None or ref["id"] in listed), (name, ref)
        else:
            assert "<details" not in rows[name], name


def test_a_null_is_one_dash_in_the_registry(demo_build):
    page = (demo_build[0] / PERIOD / "zko" / "evidence.html").read_text(encoding="utf-8")
    nulls = re.findall(r"</b> = (—) ·", page)
    assert nulls, "the zko report has figures without a value"
    assert "</b> = — —" not in page


def test_the_pdf_keeps_the_compact_registry_without_row_lists(demo_build):
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (Debian package poppler-utils)")
    text = subprocess.run(["pdftotext", str(demo_build[0] / PERIOD / "all" / "evidence.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    registry = text.split("Реестр показателей", 1)[1]
    assert "events.training.participants = 82 · " in registry
    assert "строк входных данных" not in registry
