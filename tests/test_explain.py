"""`python -m pipeline explain NAME`: one figure of a built report, from its manifest: meaning,
rule, value as the report shows it, the cell that computed it, and its rows, one `file:row` a
line, grouped by file; every `file:row` leads to the row of the input file holding that id."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT, run_cli
from test_lineage import read_row, record_id

from pipeline import app
from pipeline.exceptions import PipelineError
from pipeline.notebook import formatting

ROW_LINE = re.compile(r"^    (?P<file>\S+):(?P<row>\d+)(?:  (?P<id>[^\s(]\S*))?(?:  \((?P<values>.+)\))?$")


def _explained_rows(lines: list[str]) -> list[tuple[str, int, str | None]]:
    """The `file:row  id` lines of an explanation, checked to stand grouped by file."""
    found = [(m["file"], int(m["row"]), m["id"]) for line in lines if (m := ROW_LINE.match(line))]
    files = [file for file, _, _ in found]
    assert files == sorted(files, key=files.index), "the rows of one file stand together"
    return found


def _check_explanation(out: Path, period: str, region: str, name: str) -> list[tuple[str, int, str | None]]:
    folder = out / period / region
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    figure = manifest["figures"][name]
    lines = app.explain(out, name, period, region)
    assert lines[0].startswith(f"{name} = {formatting.figure(name, figure['value'])}")
    assert f"meaning: {figure['description']}" in lines and f"rule:    {figure['rule']}" in lines
    cell = next(line for line in lines if line.startswith("cell:"))
    assert figure["notebook"] in cell and f"cell {figure['cell_index']} (id {figure['cell_id']})" in cell
    rows = _explained_rows(lines)
    assert sorted(rows) == sorted((ref["file"], ref["row"], ref["id"]) for ref in figure["rows"])
    if not rows:
        assert any(line.startswith("rows:    none") for line in lines)
    return rows


@pytest.mark.slow
@pytest.mark.parametrize("build, report", [("demo_build", "2022-interim/all"), ("other_build", "2023-h1/all"),
                                           ("other_build", "2023-h2/kar")])
def test_explain_tells_every_figure_and_its_rows_lead_to_the_right_lines(request, build, report):
    """In-process (fast): every figure of the report; each `file:row` read back from the input
    file (csv: utf-8, BOM, cp1251, `,` and `;`; xlsx) holds the id shown, in its id column."""
    out, result = request.getfixturevalue(build)
    assert result.returncode == 0, result.stderr
    period, region = report.split("/")
    manifest = json.loads((out / report / "manifest.json").read_text(encoding="utf-8"))
    named = manifest["parameters"]["inputs"]  # relative to the folder the build ran in, if inside it
    inputs = PROJECT / named if named else out.parent / "inputs"
    tables = {(ref["file"], ref["row"]): ref["table"] for figure in manifest["figures"].values() for ref in figure["rows"]}
    checked = set()
    for name in manifest["figures"]:
        for file, row, record in _check_explanation(out, period, region, name):
            if (file, row) in checked:
                continue
            cells = read_row(inputs, {"file": file, "row": row})
            assert any(str(v or "").strip() for v in cells.values()), f"{file}:{row} is an empty line"
            assert record_id(tables[(file, row)], cells) == record, f"{file}:{row}: {cells}"
            checked.add((file, row))
    assert {Path(file).suffix for file, _ in checked} == {".csv", ".xlsx"} and len(checked) > 20


@pytest.mark.slow
def test_explain_as_a_user_runs_it(demo_build):
    out, _ = demo_build
    name = "events.training.participants"
    value = json.loads((out / "2022-interim" / "all" / "figures.json").read_text(encoding="utf-8"))[name]
    result = run_cli("explain", name, "--outputs", str(out), "--period", "2022-interim")  # region: all
    assert result.returncode == 0 and result.stderr == "", result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{name} = {value}"
    assert "20_trainings.ipynb, cell" in result.stdout and "#cell-id=events-compute" in result.stdout
    rows = _explained_rows(lines)
    assert ("events.csv", 5, "E004") in rows and any(file.startswith("participants/") for file, _, _ in rows)
    event = next(line for line in lines if line.startswith("    events.csv:5  E004  ("))
    assert "type: training" in event and "region: " in event and "start_date: 2022-" in event, event
    listed = [line for line in lines if line.startswith("    participants/")]
    assert listed and all(re.fullmatch(r"    \S+:\d+  \(event_id: \S+\)", line) for line in listed), listed[:3]

    unknown = run_cli("explain", "events.trainng.participants", "--outputs", str(out), "--period", "2022-interim")
    assert unknown.returncode == 1 and unknown.stdout == "" and "Traceback" not in unknown.stderr
    assert unknown.stderr.strip().splitlines() == [unknown.stderr.strip()] and name in unknown.stderr


# ---------------------------------------------------------------- fast: a manifest written here

def _built(out: Path, period: str, region: str, figures: dict | None = None) -> Path:
    """A report folder holding only a manifest, as `run` writes it (for what explain reads)."""
    folder = out / period / region
    folder.mkdir(parents=True)
    figures = figures or {"consultations.count": {
        "value": 1234, "description": "Консультаций за период", "rule": "Консультации периода в регионе отчета.",
        "function": "pipeline.figures.blocks.consultations", "notebook": "30_consultations.ipynb", "cell_index": 9,
        "execution_count": 7, "cell_id": "30_consultations-compute-consultations",
        "inputs": [{"table": "consultations", "rows": 2, "files": []}],
        "rows": [{"table": "consultations", "file": "b.csv", "row": 3, "id": "C2"},
                 {"table": "consultations", "file": "a.csv", "row": 7, "id": "C9"},
                 {"table": "consultations", "file": "b.csv", "row": 2, "id": "C1"}]}}
    manifest = {"period": period, "region": region, "parameters": {"inputs": "/somewhere/inputs"}, "figures": figures}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return folder


def test_explain_groups_rows_by_file_one_line_each(tmp_path):
    _built(tmp_path, "p1", "all")
    lines = app.explain(tmp_path, "consultations.count")  # the only report built
    assert lines[0] == "consultations.count = 1\u00a0234  (figures.json: 1234)"
    assert lines[lines.index("rows:    3 in 2 files of /somewhere/inputs") + 1:] == [
        "  b.csv (2 rows)", "    b.csv:2  C1", "    b.csv:3  C2", "  a.csv (1 row)", "    a.csv:7  C9"]


def test_explain_chooses_the_report_a_user_means(tmp_path):
    """Left out, the region is `all` (or the only one built) and the period the last one built
    for that region (in grant.yml's order as the last run kept it, else the one written last)."""
    for period, region in (("p1", "all"), ("p1", "north"), ("p2", "north"), ("p3", "north"), ("p3", "south")):
        _built(tmp_path, period, region)
    (tmp_path / "p1" / "south.failed").mkdir()  # a failed build's folder is no report
    (tmp_path / "p1" / "south.failed" / "manifest.json").write_text("{}", encoding="utf-8")

    def report(*asked: str | None) -> str:
        lines = app.explain(tmp_path, "consultations.count", *asked)
        return next(line for line in lines if line.startswith("report:")).split()[-1]

    assert report("p1") == str(tmp_path / "p1" / "all")
    assert report("p2") == str(tmp_path / "p2" / "north")
    assert report("p3", "south") == str(tmp_path / "p3" / "south")
    assert report() == str(tmp_path / "p1" / "all")  # the only period with an `all` report
    assert report(None, "north") == str(tmp_path / "p3" / "north")  # the last period built (issue 23)
    for asked, message in [(("p3",), "several regions are built (north, south) and no `all`: choose one with --region"),
                           (("p1", "south"), "no built report for period p1, region south (built: p1/all, p1/north, ")]:
        with pytest.raises(PipelineError) as raised:
            app.explain(tmp_path, "consultations.count", *asked)
        assert message in str(raised.value)


def test_an_unknown_name_or_a_report_not_built_is_one_line_and_exit_1(cli, tmp_path):
    missing = cli("explain", "consultations.count", "--outputs", str(tmp_path))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.strip() == f"{tmp_path}: no built report (run `python -m pipeline run` first)"

    _built(tmp_path, "p1", "all")
    unknown = cli("explain", "consultation.count", "--outputs", str(tmp_path))
    assert unknown.returncode == 1 and unknown.stdout == "" and "Traceback" not in unknown.stderr
    assert unknown.stderr.strip() == "consultation.count: no such figure in p1/all; closest: consultations.count"

    (tmp_path / "p1" / "all" / "manifest.json").write_text("{not json", encoding="utf-8")
    broken = cli("explain", "consultations.count", "--outputs", str(tmp_path))
    assert broken.returncode == 1 and len(broken.stderr.strip().splitlines()) == 1 and "Traceback" not in broken.stderr


def test_explain_reads_no_input_and_imports_no_pandas(tmp_path):
    _built(tmp_path, "p1", "all")
    code = ("import sys; from pathlib import Path; from pipeline import app; "
            f"app.explain(Path({str(tmp_path)!r}), 'consultations.count'); "
            "print([m for m in ('pandas', 'papermill', 'nbconvert', 'pipeline.inputs.loading') if m in sys.modules])")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT)
    assert shown.stdout.strip() == "[]"


def test_the_last_period_built_follows_grant_yml_order_as_the_last_run_kept_it(tmp_path):
    for period in ("2023-final", "2023-interim"):
        _built(tmp_path, period, "all")
    (tmp_path / ".inputs-checked.json").write_text('{"periods": ["2023-interim", "2023-final"]}', encoding="utf-8")
    assert app.last_built_period(tmp_path) == "2023-final"
    assert app.last_built_period(tmp_path, "north") is None
