"""The values of a figure's input rows, as a build records them (`lineage.refs`: the contract's
columns its rule uses, never a personal one), and what reads them: `diff` names the rows that
were added, removed or changed (`column: old → new`), `explain` prints each row's values."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli
from helpers_builds import write_build

from pipeline import app
from pipeline.assembly import diffing, history, rowdiff
from pipeline.figures import lineage
from pipeline.inputs.schema import PERSONAL_COLUMNS, TABLES

# ---------------------------------------------------------------- what a build records


def test_a_row_reference_records_the_values_its_rule_uses_and_nothing_personal():
    participants = pd.DataFrame({"event_id": ["E1", "E1"], "full_name": ["Иванова Анна", "Петров Петр"],
                                 "category": ["житель", "аким"], "phone": ["+77011234567", ""],
                                 "_file": ["participants/a.csv"] * 2, "_row": [2, 3]})
    events = pd.DataFrame({"event_id": ["E1"], "activity_id": ["2.1"], "type": ["training"], "region": ["zko"],
                           "start_date": [pd.Timestamp("2022-05-17")], "reported_participants": [float("nan")],
                           "title": ["Тренинг"], "_file": ["events.csv"], "_row": [5]})
    found = lineage.refs([("participants", 1), ("events", 0)], {"participants": participants, "events": events})
    assert found == [
        {"table": "participants", "file": "participants/a.csv", "row": 3, "id": None, "values": {"event_id": "E1"}},
        {"table": "events", "file": "events.csv", "row": 5, "id": "E1",
         "values": {"start_date": "2022-05-17", "region": "zko", "activity_id": "2.1", "type": "training",
                    "reported_participants": None}}]
    assert "Петров" not in json.dumps(found, ensure_ascii=False) and "+7701" not in json.dumps(found)


def test_recorded_columns_are_the_contracts_and_never_personal():
    for table, columns in lineage.recorded_columns().items():
        contract = {column.name for column in TABLES[table]}
        assert set(columns) <= contract - PERSONAL_COLUMNS, table
    assert "amount" in lineage.recorded_columns()["expenses"] and "reach" in lineage.recorded_columns()["media"]


# ---------------------------------------------------------------- diff by rows

def _ref(file: str, row: int, record: str | None, **values: object) -> dict:
    return {"table": "consultations", "file": file, "row": row, "id": record, "values": values}


def test_rows_are_matched_by_id_and_told_added_removed_changed_or_moved():
    old = [_ref("c.csv", 2, "C1", date="2022-05-17", region="zko"), _ref("c.csv", 3, "C2", date="2022-05-18", region="zko"),
           _ref("c.csv", 4, "C3", date="2022-05-19", region="zko")]
    new = [_ref("c.csv", 3, "C1", date="2022-05-17", region="zko"),            # moved a row down: counted
           _ref("c.csv", 4, "C2", date="2022-05-20", region="zko"),            # its date corrected
           _ref("c.csv", 2, "C9", date="2022-06-01", region="zko")]            # a new one; C3 gone
    changes = rowdiff.compare_rows(old, new)
    assert [change.line() for change in changes.listed] == [
        "row changed c.csv:4  C2: date: 2022-05-18 → 2022-05-20", "row added c.csv:2  C9", "row removed c.csv:4  C3"]
    assert changes.moved == 1 and changes.lines()[-1] == "1 row only moved within its file"


def test_rows_without_an_id_are_matched_by_file_and_row_and_long_lists_are_cut():
    old = [{"table": "participants", "file": "p.csv", "row": r, "id": None, "values": {"event_id": "E1"}} for r in range(2, 30)]
    new = [dict(ref, values={"event_id": "E2"}) for ref in old]
    changes = rowdiff.compare_rows(old, new)
    assert len(changes.listed) == rowdiff.LISTED and changes.more == 28 - rowdiff.LISTED
    assert changes.listed[0].line() == "row changed p.csv:2: event_id: E1 → E2"
    assert rowdiff.compare_rows(None, new) is None, "a build made before rows were recorded: not compared"


def _with_rows(folder: Path, rows: dict[str, list[dict]]) -> None:
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name, refs in rows.items():
        manifest["figures"][name]["rows"] = refs
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_diff_names_the_rows_under_each_moved_figure_on_the_command_line_and_the_page(cli, tmp_path):
    old, new = tmp_path / "sent", tmp_path / "now"
    before = [_ref("consultations.csv", 51, "C050", date="2022-10-11", region="zko")]
    after = [_ref("consultations.csv", 51, "C050", date="2022-10-12", region="zko"),
             _ref("consultations.csv", 52, "C051", date="2022-10-13", region="zko")]
    _with_rows(write_build(old / "p1" / "zko", {"consultations.count": 1}), {"consultations.count": before})
    _with_rows(write_build(new / "p1" / "zko", {"consultations.count": 2}), {"consultations.count": after})
    page = tmp_path / "diff.html"
    result = cli("diff", str(old), str(new), "--html", str(page))
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[:4] == [
        "p1/zko", "  consultations.count: 1 → 2  (Δ +1, +100\u00a0%)",
        "    row changed consultations.csv:51  C050: date: 2022-10-11 → 2022-10-12",
        "    row added consultations.csv:52  C051"]
    html = page.read_text(encoding="utf-8")
    assert "строка изменена <code>consultations.csv:51</code> C050: <code>date</code>: 2022-10-11 → 2022-10-12" in html
    assert "строка добавлена <code>consultations.csv:52</code> C051" in html


def test_periods_are_compared_without_rows(tmp_path):
    for period, count in (("p1", 1), ("p2", 2)):
        folder = write_build(tmp_path / period / "zko", {"consultations.count": count})
        _with_rows(folder, {"consultations.count": [_ref("c.csv", 2, f"C{count}", date="2022-05-17")]})
    lines = diffing.between_periods(tmp_path, "p1", "p2").lines()
    assert not [line for line in lines if "row " in line], lines


# ---------------------------------------------------------------- explain with values

def test_explain_prints_each_rows_values_and_nothing_that_may_not_be_shown(tmp_path):
    folder = write_build(tmp_path / "p1" / "all", {"consultations.count": 2})
    _with_rows(folder, {"consultations.count": [
        _ref("c.csv", 2, "C1", date="2022-05-17", region="zko", activity_id="1.1"),
        # A manifest is read as it is: a personal column or one outside the contract never passes.
        _ref("c.csv", 3, "C2", date="2022-05-18", beneficiary="Иванова Анна", phone="+77011234567")]})
    lines = app.explain(tmp_path, "consultations.count")
    assert lines[-2:] == ["    c.csv:2  C1  (date: 2022-05-17; region: zko; activity_id: 1.1)",
                          "    c.csv:3  C2  (date: 2022-05-18)"]
    assert "Иванова" not in "\n".join(lines) and "+7701" not in "\n".join(lines)


# ---------------------------------------------------------------- a real correction

@pytest.mark.slow
def test_diff_of_a_real_correction_names_the_row_and_its_reach(corrected_build):
    built = corrected_build
    result = run_cli("diff", str(built.sent), str(built.outputs))
    assert result.returncode == 1, result.stderr
    rows = [line.strip() for line in result.stdout.splitlines() if line.startswith("    ")]
    assert rows and set(rows) == {"row changed media.csv:24: reach: 82 → 92"}, result.stdout
    entry = history.latest(built.outputs / built.period / built.changed)
    assert entry is not None
    explained = app.explain(built.outputs, "media.reach", built.period, built.changed)
    assert any(line.startswith("    media.csv:24  (") and "reach: 92" in line and "owner: partner" in line
               for line in explained), explained
