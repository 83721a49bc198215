"""The section notebooks stay thin, committed clean, and run on their own under papermill."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest
from conftest import PROJECT

from pipeline import paths
from pipeline.assembly import kernels
from pipeline.figures import blocks
from pipeline.notebook import recording

NOTEBOOKS = paths.section_notebooks()


def test_there_is_one_notebook_per_section():
    names = [p.stem.split("_", 1)[1] for p in NOTEBOOKS]
    assert names == ["header", "activities", "trainings", "consultations", "media", "closing", "notes"]
    assert set(blocks.SECTIONS) <= set(names)


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
def test_notebook_is_thin(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    parameters = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1
    assert all(name in parameters[0].source for name in ("period", "region", "inputs"))
    imports = [c for c in code if c.source.lstrip().startswith(("import ", "from "))]
    assert len(imports) == 1, "one import cell"
    for cell in code:
        source = cell.source
        assert "for " not in source and "while " not in source, "no loops in notebooks"
        assert "class " not in source and "def " not in source, "logic lives in pipeline/"
        assert "open(" not in source and ".to_csv" not in source and ".write" not in source, "no file writes"
        assert len(source.splitlines()) <= 4, "short cells"
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
    """Per block, in order: a markdown cell with the rule (from the catalogue), a cell that shows
    the rows in scope, a cell that computes the block and records its figures."""
    from pipeline.figures.catalogue import RULES

    section = path.stem.split("_", 1)[1]
    expected = [f.__name__ for f in blocks.SECTIONS.get(section, ())] + (["data_notes"] if section == "notes" else [])
    cells = nbformat.read(path, as_version=4).cells
    computed = [c.source.split("blocks.", 1)[1].split("(", 1)[0] for c in cells
                if c.cell_type == "code" and "review.record(ctx, blocks." in c.source]
    assert computed == expected
    for key in expected:
        at = next(i for i, c in enumerate(cells) if f"blocks.{key}(" in c.source)
        rule = RULES[key]
        shown = [c for c in cells[:at] if c.cell_type == "markdown" and c.source.startswith(f"### {rule.title}")]
        assert shown and shown[-1].source == f"### {rule.title}\n\n{rule.text}", (path.name, key)
        if key != "data_notes":
            assert cells[at - 1].source == f'review.rows_in_scope(ctx, "{key}")', (path.name, key)
