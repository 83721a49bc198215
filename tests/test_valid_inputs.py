"""One way to inputs a report may be computed from: `validation.validated` runs every check
(`load_inputs` only reads), and verify re-executes a report only from inputs it passed."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.assembly import builder, verification
from pipeline.exceptions import InputError
from pipeline.inputs import validation
from pipeline.inputs.loading import load_inputs


def _duplicate_event(folder: Path) -> None:
    """A row of events.csv written twice: read and typed fine, refused by the checks."""
    path = folder / "events.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")


def test_validated_runs_the_checks_that_loading_does_not(demo_copy):
    _duplicate_event(demo_copy)
    assert load_inputs(demo_copy).tables["events"]["event_id"].duplicated().any(), "read without a check"
    with pytest.raises(InputError, match=r"events\.csv:\d+: event_id = E001: expected a unique event_id"):
        validation.validated(demo_copy)


def test_validated_inputs_are_the_validations(demo_copy):
    inputs = validation.validated(demo_copy)
    checked = validation.validate(demo_copy)
    assert checked.inputs is not None and inputs.hashes == checked.inputs.hashes


def test_verify_re_executes_nothing_from_inputs_a_run_would_refuse(demo_copy, tmp_path, monkeypatch):
    _duplicate_event(demo_copy)
    built = []
    monkeypatch.setattr(builder, "build_report", lambda *args, **kwargs: built.append(args))
    check = verification.Check(tmp_path, {"period": "2022-interim", "region": "all"}, demo_copy, {})
    with pytest.raises(InputError, match="expected a unique event_id"):
        verification.verify_report(check)
    assert not built


def test_a_notebook_run_on_its_own_computes_from_checked_inputs_only(demo_copy):
    """Outside a run (plain papermill), `context.load` reads the folder itself: through the
    checks, so a notebook never computes figures from inputs `validate` refuses."""
    from pipeline.notebook import context

    _duplicate_event(demo_copy)
    with pytest.raises(InputError, match=r"expected a unique event_id"):
        context.load(demo_copy, "2022-interim", "all")
