"""Files as they arrive (issue 13): the other grant's inputs reshaped as real exports
(`realshape`: title rows, Russian and Kazakh headers, region names, words for values, a Google
Forms export per training, a KoboToolbox feedback export, a phone column) validate without a
problem and build with exactly the figures of their contract-shaped twin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import OTHER_GRANT, run_cli
from realshape import write_real_shaped

from pipeline.inputs.validation import validate


@pytest.fixture(scope="module")
def real_shaped(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("real") / "inputs"
    write_real_shaped(OTHER_GRANT / "inputs", target)
    return target


def test_the_real_shaped_twin_is_made_of_real_shapes(real_shaped):
    """The twin really is shaped otherwise: no table file has the contract's header line."""
    assert (real_shaped / "training_surveys").is_dir() and (real_shaped / "feedback.xlsx").is_file()
    assert not (real_shaped / "training_surveys.csv").exists()
    first = (real_shaped / "consultations.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "consultation_id" not in first and "Кеңес коды" in first


def test_real_shaped_exports_validate_and_say_what_was_left_unread(real_shaped):
    validation = validate(real_shaped)
    assert validation.ok, validation.lines()
    typed = validation.inputs
    contract = validate(OTHER_GRANT / "inputs").inputs
    for table in ("events", "consultations", "feedback", "training_surveys", "media", "expenses"):
        assert len(typed[table]) == len(contract[table]), table
    assert set(typed["consultations"]["region"]) == set(contract["consultations"]["region"])
    for table, column in (("feedback", "satisfaction"), ("feedback", "answered"), ("events", "type"),
                          ("media", "owner"), ("expenses", "amount"), ("training_surveys", "trainer")):
        assert typed[table][column].equals(contract[table][column]), (table, column)
    lists = [part for part in typed.parts["participants"]]
    assert lists and all("Телефон" in part.ignored and part.header_line == 3 for part in lists)
    assert {part.made for part in typed.parts["training_surveys"]} == {("event_id", "respondent_id")}
    summary = "\n".join(validation.summary_lines())
    assert "Телефон" in summary and "_uuid" in summary


@pytest.mark.slow
def test_real_shaped_exports_build_with_the_figures_of_their_contract_shaped_twin(real_shaped, other_build, tmp_path):
    out = tmp_path / "outputs"
    run = run_cli("run", "--inputs", str(real_shaped), "--outputs", str(out), "--quiet")
    assert run.returncode == 0, run.stderr
    contract_out = other_build[0]
    reports = sorted(p.relative_to(contract_out) for p in contract_out.glob("*/*/figures.json"))
    assert len(reports) == 10
    for report in reports:
        twin = json.loads((out / report).read_text(encoding="utf-8"))
        assert twin == json.loads((contract_out / report).read_text(encoding="utf-8")), report
    # The phone column the lists carried is read past: in no output at all.
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".ipynb"):
            assert "+7 701" not in path.read_text(encoding="utf-8"), path
