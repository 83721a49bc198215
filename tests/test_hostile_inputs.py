"""Inputs treated as untrusted (issue: hostile and broken inputs): an id in grant.yml or a
table never becomes a path outside the outputs or inputs folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli
from helpers_inputs import GRANT_YML, PLAN, make_inputs

from pipeline import paths
from pipeline.exceptions import PipelineError
from pipeline.inputs.validation import validate


def _sentinel(tmp_path: Path) -> Path:
    """A folder outside both the inputs and the outputs, with a file in it that must survive."""
    sentinel = tmp_path / "sentinel"
    sentinel.mkdir()
    (sentinel / "keep.txt").write_text("precious", encoding="utf-8")
    return sentinel


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("kind, bad", [
    ("region", "{sentinel}"),            # an absolute path to an existing folder
    ("region", "../../sentinel"),
    ("region", "all"),                   # the consolidated report's id
    ("region", "north.east"),            # figure names split on dots
    ("region", "North"),                 # two reports in one folder on a case-insensitive disk
    ("period", "../sentinel"),
    ("period", "{sentinel}/p1"),
])
def test_an_id_that_would_escape_or_clash_is_refused_and_nothing_is_written(tmp_path, kind, bad):
    sentinel = _sentinel(tmp_path)
    before = _snapshot(sentinel)
    value = bad.format(sentinel=sentinel)
    grant = GRANT_YML.replace("{id: north," if kind == "region" else "{id: p1,", f"{{id: '{value}',")
    inputs = make_inputs(tmp_path / "inputs", grant)
    outputs = tmp_path / "outputs"

    report = validate(inputs)
    assert [str(p) for p in report.problems] and len(report.problems) == 1
    line = str(report.problems[0])
    assert line.startswith(f"grant.yml: {kind}s[0].id = {value}: expected ")

    result = run_cli("run", "--inputs", str(inputs), "--outputs", str(outputs), "--quiet")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [line]
    assert "Traceback" not in result.stderr
    assert not outputs.exists()
    assert _snapshot(sentinel) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs", "sentinel"]


@pytest.mark.parametrize("table, rows, expected", [
    ("plan", [PLAN[0], PLAN[1][:2] + ["../../x"] + PLAN[1][3:]],
     "plan.csv:2: activity_id = ../../x: expected an id of Latin letters and digits"),
    ("plan", [PLAN[0], PLAN[1][:2] + ["1..1"] + PLAN[1][3:]],
     "plan.csv:2: activity_id = 1..1: expected an id of Latin letters and digits"),
    ("metrics", [["date", "name", "value", "region", "source"], ["2023-02-01", "a.b", "1", "", "отчет"]],
     "metrics.csv:2: name = a.b: expected a name of Latin letters, digits, - and _"),
])
def test_ids_that_become_figure_names_or_file_names_have_one_shape(tmp_path, table, rows, expected):
    inputs = make_inputs(tmp_path / "inputs", **{table: rows})
    lines = [str(p) for p in validate(inputs).problems]
    assert len(lines) == 1 and lines[0].startswith(expected), lines


def test_a_topic_id_with_a_dot_is_refused(tmp_path):
    events = [["event_id", "activity_id", "type", "title", "topic_id", "region", "start_date", "format"],
              ["E1", "1.1", "training", "Тренинг", "civic.law", "north", "2023-02-01", "offline"]]
    inputs = make_inputs(tmp_path / "inputs", events=events)
    lines = [str(p) for p in validate(inputs).problems]
    assert lines == ["events.csv:2: topic_id = civic.law: expected a name of Latin letters, digits, - and _ "
                     "(e.g. civic, media_plans; at most 64 characters)"]


@pytest.mark.parametrize("segments", [("..", "x"), ("a/../../b",), ("/etc",), ("",), (".",), ("a\\b",)])
def test_the_second_wall_refuses_any_segment_that_is_not_a_plain_name(tmp_path, segments):
    with pytest.raises(PipelineError, match="refused"):
        paths.inside(tmp_path, *segments)


def test_the_second_wall_refuses_a_link_that_leads_outside(tmp_path):
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    (outputs / "p1").symlink_to(_sentinel(tmp_path))
    with pytest.raises(PipelineError, match="leads outside"):
        paths.report_dir(outputs, "p1", "north")
    assert paths.report_dir(outputs, "p2", "north") == outputs / "p2" / "north"


def test_a_narrative_is_never_read_from_outside_the_inputs(tmp_path):
    from pipeline.notebook import narratives

    with pytest.raises(PipelineError, match="refused"):
        narratives.narrative_path(tmp_path, "..", "secret")
    assert narratives.narrative_path(tmp_path, "p1", "1.1") == tmp_path / "narratives" / "p1" / "1.1.md"


def test_the_demo_and_other_grant_ids_fit_their_shapes():
    from conftest import DEMO_INPUTS, OTHER_GRANT

    for root in (DEMO_INPUTS, OTHER_GRANT / "inputs"):
        checked = validate(root)
        assert checked.ok, checked.lines()
