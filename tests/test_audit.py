"""The audit trail: manifest, figure registry, verify, deterministic builds, reviewers' index."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import PROJECT, run_cli
from helpers_builds import chromium_page, file_links, write_build

from pipeline import disk
from pipeline.assembly import index_page
from pipeline.figures import catalogue
from pipeline.figures.scope import ALL
from pipeline.incremental import grid
from pipeline.notebook import formatting

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
    assert manifest["parameters"] == {"period": "2022-interim", "region": ALL, "inputs": "inputs"}, \
        "the inputs folder relative to the folder the build ran in (the project), no folder of the machine"
    root = PROJECT / manifest["parameters"]["inputs"]
    for entry in manifest["inputs"]:
        assert disk.sha256(root / entry["path"]) == entry["sha256"]
        assert (root / entry["path"]).stat().st_size == entry["size"]
    assert {"python", "papermill", "scrapbook", "nbconvert", "pandas"} <= set(manifest["versions"])
    assert "timings_seconds" not in manifest, "what a build measures is in run.json, not in the manifest"
    assert set(_load(folder / "run.json")["seconds"]) == {p.name for p in (folder / "notebooks").glob("*.ipynb")}
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
    """The report's numbers link to their rows of the registry, which is in the evidence page
    beside the report (issue 22: the form ends with its signature)."""
    folder = demo_build[0] / "2022-interim" / ALL
    html = (folder / "report.html").read_text(encoding="utf-8")
    evidence = (folder / "evidence.html").read_text(encoding="utf-8")
    figures = _load(folder / "figures.json")
    assert "Реестр показателей" not in html and "Реестр показателей" in evidence
    ids = set(re.findall(r'id="fig-([^"]+)"', evidence))
    assert ids == set(figures)
    links = set(re.findall(r'href="evidence.html#fig-([^"]+)"', html))
    assert links and links <= ids and not re.findall(r'href="#fig-', html)
    assert {"media.reach", "activity.1.1.cost", "budget.spent"} <= links


@pytest.mark.slow
def test_the_pdf_carries_every_figure_of_the_registry_as_text(demo_build):
    """On paper the registry is one block of lines (no links there), in evidence.pdf: every
    figure, its value as the report shows it, its meaning and its cell, as on screen."""
    folder = demo_build[0] / "2022-interim" / ALL
    traced = _load(folder / "manifest.json")["figures"]
    text = subprocess.run(["pdftotext", str(folder / "evidence.pdf"), "-"], capture_output=True, text=True,
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
    agreed = run_cli("verify", "--inputs", str(demo_copy), "--outputs", str(out))
    assert agreed.returncode == 0, agreed.stdout + agreed.stderr
    before = (out / "2022-interim" / ALL / "report.html").read_bytes()

    media = demo_copy / "media.csv"
    text = media.read_text(encoding="utf-8")
    assert ",327," in text
    media.write_text(text.replace(",327,", ",337,", 1), encoding="utf-8")
    moved = run_cli("verify", "--inputs", str(demo_copy), "--outputs", str(out))
    assert moved.returncode == 1
    lines = moved.stdout.splitlines()
    assert "2022-interim/all: input changed: media.csv" in lines
    assert "2022-interim/all: media.reach: 1217 → 1227" in lines
    assert "2022-interim/all: media.own.reach: 854 → 864" in lines
    assert (out / "2022-interim" / ALL / "report.html").read_bytes() == before, "verify never overwrites"


def test_injected_parameters_stay_readable():
    from pipeline.assembly import builder

    assert builder.ReadablePythonTranslator.translate_str("входные данные") == "'входные данные'"


@pytest.mark.slow
def test_the_notebooks_run_in_the_inputs_folder_and_name_no_folder_of_the_machine(tmp_path):
    """The parameters cell says `inputs = '.'`: the kernel runs in the inputs folder (whose
    Cyrillic name, like every folder of the machine, appears nowhere in the report folder)."""
    import shutil

    inputs = tmp_path / "входные данные"
    shutil.copytree(PROJECT / "inputs", inputs)
    out = tmp_path / "out"
    result = run_cli("run", "--inputs", str(inputs), "--outputs", str(out), "--period", "2022-interim",
                     "--region", "atyrau", "--quiet")
    assert result.returncode == 0, result.stderr
    nb = nbformat.read(out / "2022-interim" / "atyrau" / "notebooks" / "00_header.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "inputs = '.'" in injected.source and injected.id == "injected-parameters"
    assert nb.metadata.papermill.input_path == nb.metadata.papermill.output_path == "notebooks/00_header.ipynb"
    for path in (out / "2022-interim" / "atyrau").rglob("*"):
        if path.suffix in (".json", ".html", ".ipynb"):
            text = path.read_bytes().decode("utf-8", errors="replace")
            assert "входные данные" not in text and str(tmp_path) not in text and str(PROJECT) not in text, path


def _same_page(ours: str, theirs: str) -> bool:
    """Two HTML pages alike once parsed, images' alt text aside, and the narratives' places
    (`placing.slot`) aside: a build fills them before it makes the page's figure links, and
    HTMLExporter's BeautifulSoup pass re-quotes the HTML they hold."""
    pages = [BeautifulSoup(page, "html.parser") for page in (ours, theirs)]
    for page in pages:
        for image in page.find_all("img"):
            del image["alt"]
        for place in page.select("div.gr-narrative"):
            place.decompose()
    return str(pages[0]) == str(pages[1])


@pytest.mark.slow
def test_pages_are_nbconverts_own_with_the_images_own_alt_text(demo_build):
    """The report and the reviewers' pages skip HTMLExporter's BeautifulSoup pass
    (`stitching.PageExporter`): each page is still the one HTMLExporter writes, code and outputs
    focusable alike, every image with its own alt text, not nbconvert's placeholder."""
    from nbconvert import HTMLExporter

    from pipeline.assembly import stitching
    from pipeline.notebook import recording

    folder = demo_build[0] / "2022-final" / ALL / "notebooks"
    executed = sorted(folder.glob("*.ipynb"))
    images = 0
    for path in executed:
        page = stitching.notebook_html(path)
        ours = BeautifulSoup(page, "html.parser")
        assert ours.select("div.jp-Cell-inputWrapper[tabindex='0']"), path.name
        assert not re.search(r"&#(x[0-9a-f]+|\d+);", page.replace("&#39;", "").replace("&#34;", "")), \
            "letters are written as themselves, not as references"
        images += len(ours.find_all("img"))
        assert all(image.get("alt") and "No description" not in image["alt"] for image in ours.find_all("img"))
        notebook = nbformat.from_dict(recording.executed(path))
        notebook.metadata["title"] = stitching.notebook_title(notebook)
        cells = stitching.glued_in(notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if not stitching._is_scrap(o)]
        theirs, _ = stitching.reviewer_exporter(HTMLExporter).from_notebook_node(notebook)
        assert _same_page(page, stitching.figure_links(theirs, cells)), path.name
    assert images, "a page with a chart was compared"
    report = stitching.to_html(stitching.merge(executed), "Отчет")
    merged = stitching.merge(executed)
    stitching.entitle(merged, "Отчет")
    theirs, _ = stitching.html_exporter(HTMLExporter).from_notebook_node(merged)
    assert BeautifulSoup(report, "html.parser").find_all("img") and "1. Информация о выполненных работах" in report
    assert _same_page(report, theirs)


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


#: The rows of the reviewers' index as the browser shows them: which are visible, and each
#: row's key figures by column.
_ROWS_JS = """() => Array.from(document.querySelectorAll('#reports tbody tr')).map(row => ({
    label: row.dataset.period + '/' + row.dataset.region, hidden: row.hidden, changed: row.dataset.changed,
    cells: Object.fromEntries(Array.from(document.querySelectorAll('#reports th[data-column]')).map(
        th => [th.dataset.column, row.cells[th.cellIndex].innerText.trim()])),
    plan: Object.fromEntries(Array.from(row.querySelectorAll('ul.plan li')).map(
        li => [li.dataset.activity, li.querySelector('b').innerText.trim()])),
    region: row.cells[1].innerText.trim()}))"""


def _key_figures(figures: dict) -> dict[str, str]:
    """A report's key figures as the index should show them (participants: of every event)."""
    shown = {"participants": formatting.number(sum(v for k, v in figures.items()
                                                   if k.startswith("events.") and k.endswith(".participants")))}
    for key, name in (("trainings", "events.training.count"), ("consultations", "consultations.count"),
                      ("feedback", "feedback.count"), ("reach", "media.reach"), ("spent", "budget.spent"),
                      ("spent_pct", "budget.spent_pct")):
        shown[key] = formatting.figure(name, figures[name])
    return shown


def _plan(figures: dict) -> dict[str, str]:
    """Each plan activity's achievement as the index should show it, by activity id."""
    return {name[len("activity."):-len(".achieved_pct")]: formatting.figure(name, value)
            for name, value in figures.items() if name.startswith("activity.") and name.endswith(".achieved_pct")}


@pytest.mark.slow
def test_reviewers_index_in_a_real_browser(demo_build):
    out = demo_build[0]
    index = out / "index.html"
    assert index.is_file()
    reports = sorted(f"{p.parent.parent.name}/{p.parent.name}" for p in out.glob("*/*/figures.json"))
    with chromium_page() as page:
        page.goto(index.as_uri())
        assert page.title().startswith("Отчеты по гранту")
        body = page.inner_text("body")
        assert "Отчеты по гранту" in body and "Промежуточный программный отчет" in body and "Атырауская область" in body
        assert "atyrau" not in body and "2022-interim" not in body and "Созданы community-центры" in body
        targets = file_links(page)
        assert len(targets) >= 16 * 9
        assert all(target.is_file() for target in targets), [t for t in targets if not t.is_file()]

        rows = page.evaluate(_ROWS_JS)
        assert sorted(row["label"] for row in rows) == reports and len(reports) == 16
        for row in rows:
            figures = json.loads((out / row["label"] / "figures.json").read_text(encoding="utf-8"))
            assert row["cells"] == _key_figures(figures), row["label"]
            assert row["plan"] == _plan(figures), row["label"]
            assert row["changed"] == "false" and not row["hidden"]

        def column(key: str) -> list[str]:
            return page.eval_on_selector_all(
                "#reports tbody tr", "(rows, i) => rows.map(r => r.cells[i].dataset.sort)",
                page.eval_on_selector(f'th[data-column="{key}"]', "th => th.cellIndex"))

        page.click('th[data-column="consultations"]')
        ascending = [float(v) for v in column("consultations")]
        assert ascending == sorted(ascending) and len(set(ascending)) > 2
        page.click('th[data-column="consultations"]')
        assert [float(v) for v in column("consultations")] == sorted(ascending, reverse=True)
        page.click("th:has-text('Регион')")
        regions = [row["region"] for row in page.evaluate(_ROWS_JS)]
        assert regions == sorted(regions, key=str.lower) and "Алматинская область" in regions

        page.select_option("#filter-period", "2022-final")
        visible = [row["label"] for row in page.evaluate(_ROWS_JS) if not row["hidden"]]
        assert sorted(visible) == [r for r in reports if r.startswith("2022-final/")]
        page.select_option("#filter-region", "zko")
        assert [row["label"] for row in page.evaluate(_ROWS_JS) if not row["hidden"]] == ["2022-final/zko"]
        assert page.inner_text("#shown-count") == "1"
        page.select_option("#filter-period", "")
        page.select_option("#filter-region", "")
        page.check("#filter-changed")
        assert all(row["hidden"] for row in page.evaluate(_ROWS_JS)), "nothing changed in a first build"
        page.uncheck("#filter-changed")

        page.locator("a", has_text="HTML").first.click()
        page.wait_for_load_state()
        assert "ОТЧЕТ" in page.inner_text("body")
        page.goto(index.as_uri())
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "index.png"), full_page=True)
    assert (ARTIFACTS / "index.png").stat().st_size > 10_000


@pytest.mark.slow
def test_the_index_marks_exactly_the_reports_a_correction_changed(corrected_build):
    built = corrected_build
    index = built.outputs / "index.html"
    with chromium_page() as page:
        page.goto(index.as_uri())
        rows = page.evaluate(_ROWS_JS)
        assert {row["label"]: row["changed"] for row in rows} == {
            f"{built.period}/{built.changed}": "true", f"{built.period}/{built.unchanged}": "false"}
        assert rows[-1]["cells"]["reach"] == "245"
        page.check("#filter-changed")
        assert [row["label"] for row in page.evaluate(_ROWS_JS) if not row["hidden"]] == [f"{built.period}/{built.changed}"]
        page.click("text=изменился")
        page.wait_for_load_state()
        assert page.url.endswith(f"{built.period}/{built.changed}/diff.html")
        assert "media.reach" in page.inner_text("body") and "Информационный охват за период" in page.inner_text("body")
        assert all(target.is_file() for target in file_links(page))
    assert not (built.outputs / built.period / built.unchanged / "diff.html").exists()


def test_the_index_tells_each_reports_status_and_keeps_a_failed_ones_last_good_build(tmp_path):
    """Status in the run that wrote the page (built, up to date, failed; built when unknown);
    a failed build's row shows its error and the last good build's figures and report."""
    figures = {"consultations.count": 3, "events.training.participants": 20, "events.meeting.participants": 5,
               "budget.spent": 0, "activity.1.1.achieved_pct": 50}
    for region in ("north", "south", "east", "west"):
        write_build(tmp_path / "p1" / region, figures)
    failed = tmp_path / "p1" / "west.failed"
    (failed / "notebooks").mkdir(parents=True)
    (failed / "notebooks" / "10_activities.html").write_text("<p>error</p>", encoding="utf-8")
    (failed / "error.txt").write_text("p1/west: 10_activities.ipynb cell 4: KeyError: 'x'\n", encoding="utf-8")
    results = [grid.ReportResult(grid.ReportJob("p1", "north"), tmp_path, skipped=True),
               grid.ReportResult(grid.ReportJob("p1", "south"), tmp_path),
               grid.ReportResult(grid.ReportJob("p1", "west"), failed, error="p1/west: …")]
    soup = BeautifulSoup(index_page.write_index(tmp_path, results).read_text(encoding="utf-8"), "html.parser")
    rows = {row["data-region"]: row for row in soup.select("#reports tbody tr")}
    assert list(rows) == ["east", "north", "south", "west"]
    assert {region: row["data-status"] for region, row in rows.items()} == {
        "east": "built", "north": "fresh", "south": "built", "west": "failed"}
    west = rows["west"].get_text(" ", strip=True)
    assert "ошибка сборки" in west and "KeyError" in west and "предыдущая удачная сборка" in west
    links = [a["href"] for a in rows["west"].select("a")]
    assert links[:2] == ["p1/west/report.html", "p1/west.failed/notebooks/10_activities.html"]
    cells = [td.get_text(strip=True) for td in rows["east"].select("td.num")]
    spent = formatting.figure("budget.spent", 0)
    assert cells == ["25", "—", "3", "—", "—", spent, "—"], "a figure the build lacks is a dash"
    assert [li.get_text(" ", strip=True) for li in rows["east"].select("ul.plan li")] == ["1.1 50\u00a0%"]
