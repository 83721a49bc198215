"""Personal data never reaches an output: columns outside the contract (phones, e-mails) are
read past, and the notebooks show people only through the pseudonymising view."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from conftest import run_cli

from pipeline.notebook import rows

PHONES = ["+7 701 555 12 34", "+7 702 555 43 21"]


def test_the_view_shows_ids_sources_and_pseudonyms_only():
    frame = pd.DataFrame({"event_id": ["E1", "E1", "E2"], "full_name": ["Иванов  Иван", "иванов иван", "Пётр Петров"],
                          "category": ["a", "b", "c"], "_file": ["p.csv"] * 3, "_row": [2, 3, 4]})
    people = rows.Pseudonyms(frame["full_name"])
    shown = rows.view("participants", frame, ("event_id", "full_name"), people)
    assert list(shown.columns) == ["file:row", "event_id", "участник"]
    assert shown["участник"].tolist() == ["участник 1", "участник 1", "участник 2"], "the same person, the same number"
    assert shown["file:row"].tolist() == ["p.csv:2", "p.csv:3", "p.csv:4"]


@pytest.mark.parametrize("table, column", [("consultations", "beneficiary"), ("feedback", "comment"),
                                           ("participants", "phone")])
def test_the_view_refuses_personal_columns_and_columns_outside_the_contract(table, column):
    frame = pd.DataFrame({column: ["x"], "_file": ["f.csv"], "_row": [2]})
    with pytest.raises(ValueError, match="may not be shown"):
        rows.view(table, frame, (column,), rows.Pseudonyms(()))


@pytest.mark.slow
def test_a_column_outside_the_contract_never_reaches_an_output(demo_copy, tmp_path):
    """A coordinator's list with phone numbers and e-mails: built, and found nowhere."""
    path = demo_copy / "participants" / "zko.csv"
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    secrets = []
    for i, row in enumerate(table):
        extra = ["телефон", "email"] if i == 0 else [PHONES[i % 2], f"person{i}@example.org"]
        secrets += [] if i == 0 else extra
        row += extra
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    outputs = tmp_path / "out"
    result = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(outputs), "--period", "2022-final",
                     "--region", "zko", "--format", "html", "--quiet")
    assert result.returncode == 0, result.stderr
    files = [p for p in outputs.rglob("*") if p.is_file()]
    assert len(files) > 10
    for file in files:
        text = file.read_text(encoding="utf-8", errors="replace")
        leaked = [s for s in secrets if s in text]
        assert not leaked, (file, leaked[:3])
    assert not [s for s in secrets if s in result.stdout + result.stderr]
