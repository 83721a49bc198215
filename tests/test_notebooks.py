"""The section notebooks stay thin, committed clean, and run on their own under papermill."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from types import SimpleNamespace

import nbformat
import pytest
from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "scripts"))
import generate  # noqa: E402

from pipeline import paths
from pipeline.assembly import kernels
from pipeline.figures import declarations
from pipeline.notebook import recording

NOTEBOOKS = paths.section_notebooks()


def test_there_is_one_notebook_per_section():
    names = [p.stem.split("_", 1)[1] for p in NOTEBOOKS]
    assert names == ["header", "activities", "trainings", "consultations", "media", "closing", "notes"]
    assert {block.section for block in declarations.DECLARED} <= set(names)


def test_the_notebooks_and_the_figures_document_are_what_the_declarations_make():
    """scripts/generate.py writes the notebooks' cells and docs/figures.md from the blocks'
    declarations; `--check` (run by scripts/lint.sh) fails when a committed file differs."""
    assert generate.main(["--check"]) == 0


def test_the_check_names_a_notebook_that_differs(tmp_path, monkeypatch, capsys):
    copy = tmp_path / "notebooks"
    shutil.copytree(PROJECT / "notebooks", copy)
    path = copy / "30_consultations.ipynb"
    path.write_text(path.read_text(encoding="utf-8").replace("len(consulted)", "len(consulted) + 1", 1), encoding="utf-8")
    monkeypatch.setattr(generate, "NOTEBOOKS", copy)
    assert generate.main(["--check"]) == 1
    assert "30_consultations.ipynb: differs" in capsys.readouterr().out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


def test_a_report_kernel_can_preload_every_notebooks_imports():
    """`kernels.import_cells`: each notebook's one import cell, once each, as one valid cell."""
    preload = kernels.import_cells(NOTEBOOKS)
    compile(preload, "preload", "exec")
    for path in NOTEBOOKS:
        cell = next(c for c in nbformat.read(path, as_version=4).cells
                    if c.cell_type == "code" and c.source.lstrip().startswith(("import ", "from ")))
        assert set(cell.source.splitlines()) <= set(preload.splitlines()), path.name
    assert len(preload.splitlines()) == len(set(preload.splitlines()))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin_around_its_computing_cells(path):
    """One parameters cell, one import cell; every cell but a block's computing cell is a line
    or two calling pipeline/ (no loop, no definition, no file written)."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    parameters = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1
    assert all(name in parameters[0].source for name in ("period", "region", "inputs"))
    imports = [c for c in code if c.source.lstrip().startswith(("import ", "from "))]
    assert len(imports) == 1, "one import cell"
    for cell in code:
        source = cell.source
        assert "class " not in source and "def " not in source, "logic lives in pipeline/"
        assert "open(" not in source and ".to_csv" not in source and ".write" not in source, "no file writes"
        if not cell.id.endswith("-compute") and cell not in imports and cell not in parameters:
            assert "for " not in source and "while " not in source, "no loops but the blocks' own"
            assert len(source.splitlines()) <= 2, (path.name, cell.id)
    assert any(c.cell_type == "markdown" for c in nb.cells)


@pytest.mark.slow
def test_a_notebook_runs_on_its_own_under_plain_papermill(tmp_path):
    target = tmp_path / "out.ipynb"
    result = subprocess.run(
        [sys.executable, "-m", "papermill", "notebooks/20_trainings.ipynb", str(target),
         "-p", "period", "2022-interim", "-p", "region", "all", "-p", "inputs", "inputs", "--no-progress-bar"],
        cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    figures = recording.read_figures(target)
    assert figures["survey.msu.turkestan.knowledge_before"] == 3.07
    assert figures["survey.public_control.kyzylorda.knowledge_after"] == 4.06
    assert figures["survey.msu.atyrau.knowledge_before"] is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_block_of_a_section_is_a_rule_the_rows_and_a_computing_cell(path):
    """Per block, in order: a markdown cell with its rule, a cell that shows the rows in scope,
    the computing cell (the body of its declared function, recorded under its key); then the
    report's part, rendered from the recorded blocks of this notebook only."""
    section = path.stem.split("_", 1)[1]
    declared = declarations.of_section(section)
    cells = nbformat.read(path, as_version=4).cells
    computing = [c for c in cells if c.cell_type == "code" and c.id.endswith("-compute")]
    assert [c.id.removesuffix("-compute") for c in computing] == [b.key for b in declared]
    for block, cell in zip(declared, computing, strict=True):
        at = cells.index(cell)
        assert cell.source.endswith(f"\n{block.key} = review.record(ctx, block)"), block.key
        rule = [c for c in cells[:at] if c.cell_type == "markdown" and c.id == f"{block.key}-rule"]
        assert rule and rule[0].source == f"### {block.title}\n\n{block.rule}", (path.name, block.key)
        if block.inputs:
            assert cells[at - 1].source == f'review.rows_in_scope(ctx, "{block.key}")', (path.name, block.key)
    report = [c for c in cells if c.cell_type == "code" and c.id.startswith("report")]
    assert report and all(cells.index(c) > max((cells.index(k) for k in computing), default=0) for c in report)
    others = {b.key for b in declarations.DECLARED} - {b.key for b in declared}
    for cell in report:
        named = set(re.findall(r"\b(\w+)\.figures\b", cell.source))
        assert named <= {b.key for b in declared} and not named & others, (path.name, cell.source)


def test_a_computing_cell_runs_what_its_declared_function_runs():
    """The cell's code is the function's body: the same figures from the same rows."""
    from conftest import DEMO_INPUTS

    from pipeline.notebook import context

    ctx = context.load(DEMO_INPUTS, "2022-interim", "almaty")
    for block in declarations.DECLARED:
        cell = generate.computing_cell(block)
        space: dict = {"ctx": ctx}
        exec(generate.import_cell(generate.SECTIONS[block.section], (block,)), space)
        space["review"] = SimpleNamespace(record=lambda ctx, block: block)  # recorded: outside a kernel, handed back
        exec(compile(cell, f"{block.key}-compute", "exec"), space)
        given = {"sel": ctx.selection, "warnings": ctx.warnings}
        expected = block.compute(*(given[name] for name in block.parameters))
        assert space[block.key].figures == expected.figures, block.key
        assert space[block.key].rows == expected.rows, block.key


@pytest.mark.slow
def test_a_changed_computing_cell_changes_the_figure_the_page_and_the_narrative_alike(demo_copy, tmp_path):
    """Issue 25: the report shows the figure its computing cell recorded, never a second copy:
    in a copy of the notebooks whose cell counts consultations otherwise, figures.json, the
    report's table and a narrative naming the figure all say the cell's number."""
    from conftest import report_figures

    from pipeline.assembly import builder
    from pipeline.inputs.loading import load_inputs
    from pipeline.notebook import formatting

    copies = tmp_path / "notebooks"
    shutil.copytree(PROJECT / "notebooks", copies)
    path = copies / "30_consultations.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.id == "consultations-compute")
    counted = 'block.add("consultations.count", len(consulted),'
    assert counted in cell.source
    cell.source = cell.source.replace(counted, 'block.add("consultations.count", len(consulted) + 1000,')
    nbformat.write(nb, path)
    story = demo_copy / "narratives" / "2022-interim" / "success_story.md"
    story.write_text('Консультаций за период: {{ fig("consultations.count") }}.\n', encoding="utf-8")

    as_declared = report_figures(demo_copy, "2022-interim", "all")["consultations.count"]
    result = builder.build_report(builder.ReportJob("2022-interim", "all"), load_inputs(demo_copy), tmp_path / "out",
                                  ("html",), notebooks=sorted(copies.glob("*.ipynb")))
    assert result.error is None, result.error
    figures = json.loads((result.folder / "figures.json").read_text(encoding="utf-8"))
    assert figures["consultations.count"] == as_declared + 1000
    shown = formatting.figure("consultations.count", as_declared + 1000)
    page = (result.folder / "report.html").read_text(encoding="utf-8")
    assert f'data-figure="consultations.count">{shown}</a>' in page.replace("<b>", "").replace("</b>", "")
    assert "Консультаций за период: " in page
    story_html = page[page.index("Консультаций за период: "):][:300]
    before = formatting.figure("consultations.count", as_declared)
    assert f">{shown}<" in story_html and f">{before}<" not in story_html
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["figures"]["consultations.count"]["value"] == as_declared + 1000
