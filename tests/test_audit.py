"""The audit trail: manifest, figure registry, verify, deterministic builds, reviewers' index."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import PROJECT, run_cli

from pipeline import disk
from pipeline.figures import catalogue
from pipeline.figures.scope import ALL

ARTIFACTS = PROJECT / "test-artifacts"


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_every_glued_figure_is_in_the_catalogue(demo_build):
    for figures in demo_build[0].glob("*/*/figures.json"):
        for name in _load(figures):
            entry = catalogue.lookup(name)
            assert entry.describe(name).strip(), name


def test_catalogue_rejects_unknown_names():
    with pytest.raises(KeyError):
        catalogue.lookup("nobody.knows.this")
    assert catalogue.lookup("activity.1.1.cost").pattern == "activity.{id}.cost"
    assert catalogue.lookup("survey.msu.zko.trainer").pattern == "survey.{topic}.{region}.{measure}"
    assert catalogue.lookup("survey.msu.trainer").pattern == "survey.{topic}.{measure}"


@pytest.mark.slow
def test_manifest_traces_every_figure_to_its_cell_and_inputs(demo_build):
    folder = demo_build[0] / "2022-interim" / ALL
    manifest = _load(folder / "manifest.json")
    root = Path(manifest["parameters"]["inputs"])
    for entry in manifest["inputs"]:
        assert disk.sha256(root / entry["path"]) == entry["sha256"]
        assert (root / entry["path"]).stat().st_size == entry["size"]
    assert {"python", "papermill", "scrapbook", "nbconvert", "pandas"} <= set(manifest["versions"])
    assert set(manifest["timings_seconds"]) == {p.name for p in (folder / "notebooks").glob("*.ipynb")}
    figures = _load(folder / "figures.json")
    assert set(manifest["figures"]) == set(figures)
    for name, trace in manifest["figures"].items():
        assert trace["value"] == figures[name]
        nb = nbformat.read(folder / "notebooks" / trace["notebook"], as_version=4)
        cell = nb.cells[trace["cell_index"]]
        glued = [o.metadata["scrapbook"]["name"] for o in cell.outputs if "scrapbook" in o.get("metadata", {})]
        assert name in glued, (name, trace["notebook"], trace["cell_index"])
        assert trace["inputs"], name
    reach = manifest["figures"]["media.reach"]["inputs"]
    assert reach == [{"table": "media", "rows": 24,
                      "files": [{"path": "media.csv", "sha256": disk.sha256(root / "media.csv")}]}]


@pytest.mark.slow
def test_report_numbers_link_to_the_registry(demo_build):
    html = (demo_build[0] / "2022-interim" / ALL / "report.html").read_text(encoding="utf-8")
    figures = _load(demo_build[0] / "2022-interim" / ALL / "figures.json")
    assert "Реестр показателей" in html
    ids = set(re.findall(r'id="fig-([^"]+)"', html))
    assert ids == set(figures)
    links = set(re.findall(r'href="#fig-([^"]+)"', html))
    assert links and links <= ids
    assert {"media.reach", "activity.1.1.cost", "survey.msu.turkestan.knowledge_before"} <= links


@pytest.mark.slow
def test_the_pdf_carries_every_figure_of_the_registry_as_text(demo_build):
    """On paper the registry is one block of lines (no links there): every figure, its value
    as the report shows it, its meaning and its cell, as on screen."""
    folder = demo_build[0] / "2022-interim" / ALL
    traced = _load(folder / "manifest.json")["figures"]
    text = subprocess.run(["pdftotext", str(folder / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    registry = text.split("Реестр показателей", 1)[1]
    lines = [line for line in registry.splitlines() if " = " in line and line.split(" = ")[0] in traced]
    assert [line.split(" = ")[0] for line in lines] == list(traced)
    grant = next(line for line in lines if line.startswith("grant.amount = "))
    assert grant.startswith("grant.amount = 29 364 470 · Сумма гранта (00_header.ipynb, ячейка")


@pytest.mark.slow
def test_two_builds_are_identical_serial_or_parallel(demo_build, tmp_path):
    """The demo build ran in a process pool; this one runs serially (--jobs 1)."""
    result = run_cli("run", "--outputs", str(tmp_path), "--period", "2022-interim", "--region", "all",
                     "--jobs", "1", "--quiet")
    assert result.returncode == 0, result.stderr
    for name in ("figures.json", "report.html"):
        first = (demo_build[0] / "2022-interim" / ALL / name).read_bytes()
        second = (tmp_path / "2022-interim" / ALL / name).read_bytes()
        assert first == second, name
    texts = [subprocess.run(["pdftotext", "-layout", str(out / "2022-interim" / ALL / "report.pdf"), "-"],
                            capture_output=True, text=True, check=True).stdout for out in (demo_build[0], tmp_path)]
    assert texts[0] == texts[1] and "ПРОГРАММНЫЙ ОТЧЕТ" in texts[0]


@pytest.mark.slow
def test_verify_passes_then_names_a_changed_input_and_figure(demo_copy, tmp_path):
    out = tmp_path / "out"
    built = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(out), "--period", "2022-interim",
                    "--region", "all", "--quiet")
    assert built.returncode == 0, built.stderr
    agreed = run_cli("verify", "--outputs", str(out))
    assert agreed.returncode == 0, agreed.stdout + agreed.stderr
    before = (out / "2022-interim" / ALL / "report.html").read_bytes()

    media = demo_copy / "media.csv"
    text = media.read_text(encoding="utf-8")
    assert ",327," in text
    media.write_text(text.replace(",327,", ",337,", 1), encoding="utf-8")
    moved = run_cli("verify", "--outputs", str(out))
    assert moved.returncode == 1
    lines = moved.stdout.splitlines()
    assert "2022-interim/all: input changed: media.csv" in lines
    assert "2022-interim/all: media.reach: 1217 → 1227" in lines
    assert "2022-interim/all: media.own.reach: 854 → 864" in lines
    assert (out / "2022-interim" / ALL / "report.html").read_bytes() == before, "verify never overwrites"


@pytest.mark.slow
def test_injected_parameters_stay_readable(tmp_path):
    import shutil

    inputs = tmp_path / "входные данные"
    shutil.copytree(PROJECT / "inputs", inputs)
    out = tmp_path / "out"
    result = run_cli("run", "--inputs", str(inputs), "--outputs", str(out), "--period", "2022-interim",
                     "--region", "atyrau", "--quiet")
    assert result.returncode == 0, result.stderr
    nb = nbformat.read(out / "2022-interim" / "atyrau" / "notebooks" / "00_header.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "входные данные" in injected.source and "\\u" not in injected.source


@pytest.mark.slow
def test_executed_notebooks_carry_no_kernel_warnings(demo_build):
    for path in demo_build[0].glob("*/*/notebooks/*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                assert output.output_type != "stream", (path, output.get("text", "")[:200])
                assert output.output_type != "error", path


@pytest.mark.slow
def test_the_index_links_only_the_formats_that_were_built(tmp_path):
    out = tmp_path / "out"
    result = run_cli("run", "--outputs", str(out), "--period", "2022-interim", "--region", "atyrau",
                     "--format", "pdf", "--quiet")
    assert result.returncode == 0, result.stderr
    links = re.findall(r'href="([^"]+)"', (out / "index.html").read_text(encoding="utf-8"))
    assert "2022-interim/atyrau/report.pdf" in links
    assert not [link for link in links if not (out / link).is_file()], "every link leads to a file"


@pytest.mark.slow
def test_reviewers_index_in_a_real_browser(demo_build):
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed (scripts/env.sh installs it)")
    out = demo_build[0]
    index = out / "index.html"
    assert index.is_file()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(index.as_uri())
        assert page.title().startswith("Отчеты по гранту")
        body = page.inner_text("body")
        assert "Отчеты по гранту" in body and "2022-interim" in body and "atyrau" in body
        hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
        assert len(hrefs) >= 16 * 9
        for href in hrefs:
            assert href.startswith("file://")
            target = Path(href.removeprefix("file://"))
            assert target.is_file(), href
        report = page.locator("a", has_text="HTML").first
        report.click()
        page.wait_for_load_state()
        assert "ОТЧЕТ" in page.inner_text("body")
        page.goto(index.as_uri())
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "index.png"), full_page=True)
        browser.close()
    assert (ARTIFACTS / "index.png").stat().st_size > 10_000
