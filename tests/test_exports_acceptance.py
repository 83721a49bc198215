"""Issue 23's acceptance case (tests/helpers_exports.py): raw exports as downloaded, three
regions and two periods, a grant.yml with files:, event_types:, topics: and aliases:; it
validates, and builds with the figures recounted by hand, no file edited."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli
from helpers_exports import EXPECTED, write_raw_exports

from pipeline.figures.blocks import report_notes
from pipeline.figures.declarations import report_figures
from pipeline.figures.scope import make_scope, select
from pipeline.inputs.validation import validate


@pytest.fixture
def raw_exports(tmp_path):
    return write_raw_exports(tmp_path / "inputs")


def test_the_raw_exports_validate_with_nothing_edited(raw_exports, cli):
    before = {p: p.read_bytes() for p in raw_exports.rglob("*") if p.is_file()}
    result = cli("validate", "--inputs", str(raw_exports))
    assert result.returncode == 0, result.stderr
    assert "feedback_kobo.xlsx:4: consultation_id = pvl-7: no consultation_id pvl-7 in consultations: did you mean " \
           "PVL-7? (1 feedback form left out of the figures)" in result.stderr + result.stdout
    assert {p: p.read_bytes() for p in raw_exports.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_the_figures_are_the_ones_recounted_by_hand(raw_exports, key):
    checked = validate(raw_exports)
    assert checked.ok, checked.lines()
    inputs = checked.inputs
    period, region = key.split("/")
    selection = select(inputs, make_scope(inputs.grant, period, region))
    figures = report_figures(selection, report_notes(inputs, selection))
    assert {name: figures.get(name, "missing") for name in EXPECTED[key]} == EXPECTED[key]


@pytest.mark.slow
def test_the_raw_exports_build(tmp_path):
    inputs = write_raw_exports(tmp_path / "inputs")
    out = tmp_path / "outputs"
    result = run_cli("run", "--inputs", str(inputs), "--outputs", str(out), "--format", "html", "--quiet")
    assert result.returncode == 0, result.stderr
    for key, expected in EXPECTED.items():
        figures = json.loads((out / key / "figures.json").read_text(encoding="utf-8"))
        assert {name: figures.get(name, "missing") for name in expected} == expected, key
    page = (out / "2024-final" / "all" / "report.html").read_text(encoding="utf-8")
    assert "Развитие и участие граждан в МСУ" in page and "pvl-7" not in page
