"""What a cell or a header says is never bent (issue 20, points 4, 5, 6): signature lines only
under the table, never a record with a line to sign on or a job title first; units in headers
scale the values or are refused, never read past; one identity of a person whatever Unicode
form or invisible characters the name was typed with."""

from __future__ import annotations

import csv
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DEMO_INPUTS, report_figures
from helpers_inputs import make_inputs, write_csv, write_xlsx

from pipeline.exceptions import InputError
from pipeline.inputs import schema
from pipeline.inputs.headers import is_signature, vocabulary
from pipeline.inputs.loading import load_inputs
from pipeline.inputs.notes import WARNING_LABELS, data_warnings
from pipeline.inputs.reading import read_file
from pipeline.inputs.units import Scaled
from pipeline.inputs.validation import validate

FINAL = "2022-final"


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8-sig", newline="")))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)


def _part(tmp_path: Path, table: str, rows: list[list[object]], name: str = "E1.csv", in_folder: bool = True):
    """One file of `table` read as its reading reads it: its records and its Part."""
    path = write_csv(tmp_path / table / name, rows) if name.endswith(".csv") else write_xlsx(tmp_path / table / name, rows)
    frames, _unread = read_file(path, f"{table}/{name}", table, vocabulary(table), in_folder)
    return frames[0], frames[0].attrs["part"]


# ---------------------------------------------------------------- signature lines and columns

def test_a_signature_column_drops_no_one_from_a_registration_list(demo_copy):
    """The finding: a «Подпись» column holding `_______` on a list of event, name and signature
    made every row a "signature line" (Almaty's participants 39 → 0 here)."""
    path = demo_copy / "participants" / "almaty.csv"
    rows = _rows(path)
    _write_rows(path, [["Код мероприятия", "ФИО", "Подпись участника"], *[[r[0], r[1], "_______"] for r in rows[1:]]])
    report = validate(demo_copy)
    assert report.ok, report.lines()
    assert not [w for w in report.warnings if w.code == "inputs.signature_row"]
    assert (report.inputs["participants"]["_file"] == "participants/almaty.csv").sum() == len(rows) - 1 == 39
    (summary,) = [s for s in report.summary if s.table == "participants"]
    assert "participants/almaty.csv: ignored «Подпись участника»" in summary.ignored_lines()
    figures = report_figures(demo_copy, FINAL, "almaty")
    assert (figures["events.training.participants"], figures["trainings.unique_participants"]) == (39, 35)


@pytest.mark.parametrize("header", ["Подпись", "Подпись участника", "Қолы", "Колы", "Signature", "подпись "])
def test_a_signature_columns_lines_make_no_row_a_signature_line(tmp_path, header):
    frame, part = _part(tmp_path, "participants", [
        ["№", "ФИО", header], ["1", "Иванов Иван", "________"], ["2", "Петрова Анна", "_____"],
        ["3", "", "_____"],  # a numbered row left empty but for its line: a template row
        ["Руководитель проекта ____________ Ирина", "", ""]])
    assert frame["full_name"].tolist() == ["Иванов Иван", "Петрова Анна"]
    assert part.ignored == ("№", header.strip()) and part.signatures == (5,)


def test_a_row_is_not_dropped_because_its_first_cell_is_a_job_title(tmp_path):
    frame, part = _part(tmp_path, "participants", [
        ["Должность", "ФИО"], ["Директор школы", "Иванов Иван"], ["Учитель", "Петрова Анна"],
        ["Руководитель отдела образования", "Сидоров Петр"], ["Главный бухгалтер", "Ахметова Дана"],
        [], ["Руководитель проекта", "____________", "Ирина"], ["М.П."]])
    assert frame["full_name"].tolist() == ["Иванов Иван", "Петрова Анна", "Сидоров Петр", "Ахметова Дана"]
    assert part.signatures == (7, 8) and part.rows == 4


def test_a_row_that_looks_like_a_signature_line_in_the_middle_of_the_table_is_a_record(tmp_path):
    frame, part = _part(tmp_path, "participants", [
        ["ФИО", "Примечание"], ["Иванов Иван", "________"], ["Петрова Анна", "пришла позже"],
        ["Исполнитель: Сидоров Петр"], ["Ахметова Дана", ""], ["Итого", "4"], ["Исполнитель: ______ Ирина"]],
        name="E1.xlsx")
    assert frame["full_name"].tolist() == ["Иванов Иван", "Петрова Анна", "Исполнитель: Сидоров Петр", "Ахметова Дана"]
    assert part.totals == (6,) and part.signatures == (7,)


@pytest.mark.parametrize("cells, signature", [
    (["Директор школы", "Иванов Иван"], False), (["Руководитель", "Сидоров"], False),
    (["Директор школы", "Иванов Иван", "________"], True), (["Руководитель проекта Иванова А."], True)])
def test_a_signing_word_alone_is_a_signature_line_only_as_the_rows_one_cell(cells, signature):
    assert is_signature(cells) is signature


def test_a_signature_columns_line_is_not_what_makes_a_row_a_signature_line():
    assert is_signature(["Иванов Иван", "", "________"]) is True
    assert is_signature(["Иванов Иван", "", "________"], read_past={2}) is False


# ---------------------------------------------------------------- units in headers

def _thousands(amount: str) -> str:
    """50000 → 50,0; 83057 → 83,057: the amount in thousands, as a spreadsheet shows it."""
    return str(Decimal(amount) / 1000).replace(".", ",")


def test_an_amount_in_thousands_is_scaled_exactly_and_said(demo_copy):
    """The finding: «Сумма (тыс. тенге)» over 50,0 was summed as tenge (budget.spent 20 482,16
    instead of 20 482 157, spent_pct 0 instead of 70)."""
    path = demo_copy / "expenses.csv"
    rows = _rows(path)
    column = rows[0].index("amount")
    rows[0][column] = "Сумма (тыс. тенге)"
    for row in rows[1:]:
        row[column] = _thousands(row[column])
    _write_rows(path, rows)
    report = validate(demo_copy)
    assert report.ok, report.lines()
    assert report.inputs["expenses"]["amount"].tolist() == load_inputs(DEMO_INPUTS)["expenses"]["amount"].tolist()
    (summary,) = [s for s in report.summary if s.table == "expenses"]
    assert summary.scaled_lines() == ["expenses.csv: «Сумма (тыс. тенге)»: values × 1 000"]
    assert "  expenses.csv: «Сумма (тыс. тенге)»: values × 1 000" in report.summary_lines()
    (warning,) = [w for w in report.warnings if w.code == "inputs.scaled_column"]
    assert str(warning) == f"expenses.csv: «Сумма (тыс. тенге)» read in thousands: values × 1 000 ({len(rows) - 1} rows)"
    figures = report_figures(demo_copy, FINAL, "all")
    assert (figures["budget.spent"], figures["budget.spent_pct"]) == (20482157, 70)
    assert figures["warnings.inputs.scaled_column"] == len(rows) - 1
    assert "inputs.scaled_column" in WARNING_LABELS


@pytest.mark.parametrize("header, factor", [
    ("Сумма (тыс. тенге)", 1000), ("Сумма, тыс. тенге", 1000), ("Сумма, тыс.", 1000), ("Сумма (тыс.тг)", 1000),
    ("Сома (мың теңге)", 1000), ("Сома, мың", 1000), ("Сумма (млн тенге)", 10 ** 6), ("Сумма, млн", 10 ** 6),
    ("Сома (млн теңге)", 10 ** 6), ("Сумма (тенге)", 1), ("Сумма, тг", 1), ("Сумма", 1)])
def test_every_reading_of_a_header_names_its_scale(tmp_path, header, factor):
    root = make_inputs(tmp_path, expenses=[["date", "activity_id", header], ["2023-02-01", "1.1", "20 482,157"],
                                           ["2023-02-02", "1.1", "1,005"]])
    expenses = load_inputs(root)["expenses"]
    want = [Decimal("20482.157") * factor, Decimal("1.005") * factor]
    assert expenses["amount"].tolist() == [float(value) for value in want]
    scaled = load_inputs(root).parts["expenses"][0].scaled
    assert scaled == ((Scaled("amount", header, factor),) if factor != 1 else ())


def test_thousands_give_the_exact_whole_number(tmp_path):
    assert 1.005 * 1000 != 1005  # the product of floats is off: the reading never multiplies them
    root = make_inputs(tmp_path, expenses=[["date", "activity_id", "Сумма (тыс. тенге)"], ["2023-02-01", "1.1", "1,005"]])
    assert load_inputs(root)["expenses"]["amount"].tolist() == [1005]


def test_a_count_in_thousands_is_a_whole_number(tmp_path):
    root = make_inputs(tmp_path, media=[["date", "platform", "account", "owner", "title", "Охват (тыс.)"],
                                        ["2023-02-01", "Instagram", "@x", "own", "Пост", "1,5"],
                                        ["2023-02-02", "Instagram", "@x", "own", "Пост", "0,001"]])
    assert load_inputs(root)["media"]["reach"].tolist() == [1500, 1]


@pytest.mark.parametrize("table, rows, line", [
    ("expenses", [["date", "activity_id", "Сумма (%)"], ["2023-02-01", "1.1", "5"]],
     "expenses.csv:1: the header «Сумма (%)» names «%», but amount holds amounts in тенге: "
     "write the amounts in тенге under «Сумма» (in thousands: «Сумма (тыс. тенге)»)"),
    ("expenses", [["date", "activity_id", "Сумма, USD"], ["2023-02-01", "1.1", "5"]],
     "expenses.csv:1: the header «Сумма, USD» names «USD», but amount holds amounts in тенге: "
     "write the amounts in тенге under «Сумма» (in thousands: «Сумма (тыс. тенге)»)"),
    ("media", [["date", "platform", "account", "owner", "title", "Охват, %"],
               ["2023-02-01", "Instagram", "@x", "own", "Пост", "5"]],
     "media.csv:1: the header «Охват, %» names «%», but reach holds a count: "
     "write the count under «Охват» (in thousands: «Охват (тыс.)»)"),
    ("expenses", [["date", "activity_id", "Сумма (тыс. млн)"], ["2023-02-01", "1.1", "5"]],
     "expenses.csv:1: the header «Сумма (тыс. млн)» names both «тыс» and «млн»: "
     "write the amounts in тенге under «Сумма» (in thousands: «Сумма (тыс. тенге)»)"),
])
def test_a_unit_that_contradicts_the_column_is_one_line(tmp_path, table, rows, line):
    root = make_inputs(tmp_path, **{table: rows})
    report = validate(root)
    assert report.lines() == [line]


def test_a_metrics_value_may_be_a_percentage(tmp_path):
    root = make_inputs(tmp_path, metrics=[["date", "name", "Значение (%)", "source"],
                                          ["2023-02-01", "share", "12,5", "Опрос"]])
    inputs = load_inputs(root)
    assert inputs["metrics"]["value"].tolist() == [12.5] and inputs.parts["metrics"][0].scaled == ()


def test_a_cell_written_short_under_a_scaled_header_is_still_refused(tmp_path):
    root = make_inputs(tmp_path, expenses=[["date", "activity_id", "Сумма (тыс. тенге)"], ["2023-02-01", "1.1", "12 тыс."]])
    assert validate(root).lines() == ["expenses.csv:2: amount = 12 тыс.: expected a number: write the whole number "
                                      "(12000, not 12 тыс.)"]


def test_a_refused_unit_is_an_input_error_of_the_reading(tmp_path):
    with pytest.raises(InputError, match=r"^expenses/E1.csv:1: the header «Сумма, %» names «%»"):
        _part(tmp_path, "expenses", [["date", "activity_id", "Сумма, %"], ["2023-02-01", "1.1", "5"]])


# ---------------------------------------------------------------- one identity of a person

ZWSP, SOFT_HYPHEN, BOM = "\u200b", "\u00ad", "\ufeff"


@pytest.mark.parametrize("typed", [
    unicodedata.normalize("NFD", "Ёлкина Йолдыз"), f"Ёлкина{ZWSP} Йолдыз", f"Ёл{SOFT_HYPHEN}кина Йол{ZWSP}дыз{BOM}",
    "ЁЛКИНА\u00a0ЙОЛДЫЗ", unicodedata.normalize("NFKD", "ёлкина йолдыз")])
def test_a_name_in_another_unicode_form_or_with_invisible_characters_is_the_same_person(typed):
    assert schema.person_key(typed) == schema.person_key("Ёлкина Йолдыз") == "елкина йолдыз"


def test_decomposed_and_zero_width_names_are_not_new_people(demo_copy):
    """The finding: names typed in NFD or with a zero-width space were new people
    (Almaty 39 → 44 participants, unique 35 → 40)."""
    path = demo_copy / "participants" / "almaty.csv"
    rows = _rows(path)
    decomposable = [r for r in rows[1:] if unicodedata.normalize("NFD", r[1]) != r[1]]
    twins = [[r[0], unicodedata.normalize("NFD", r[1]), *r[2:]] for r in decomposable[:3]]
    twins += [[r[0], r[1].replace(" ", f" {ZWSP}", 1), *r[2:]] for r in rows[1:3]]
    assert len(twins) == 5 and not {twin[1] for twin in twins} & {row[1] for row in rows}
    _write_rows(path, [*rows, *twins])
    figures = report_figures(demo_copy, FINAL, "almaty")
    assert (figures["events.training.participants"], figures["trainings.unique_participants"]) == (39, 35)


@pytest.mark.parametrize("name, mixed", [
    ("Иванов Иван", False), ("Smith John", False), ("Иванов John", False), ("Сәрсенбаева Әйгерім", False),
    ("Ивaнов Иван", True),  # a Latin a
    ("Иванов Ивaн", True), ("Cидоров Петр", True),  # a Latin C
    ("Жұмабекoва Айгүл", True), ("Іxтияр", True)])
def test_a_name_mixing_latin_and_cyrillic_letters_is_told(name, mixed):
    assert schema.mixes_scripts(name) is mixed


def test_mixed_letters_are_a_data_warning_naming_file_and_rows_never_the_name(tmp_path):
    events = [["event_id", "activity_id", "type", "title", "region", "start_date", "format"],
              ["E1", "1.1", "training", "Тренинг", "north", "2023-02-01", "offline"]]
    root = make_inputs(tmp_path, events=events, participants=[
        ["event_id", "full_name"], ["E1", "Ивaнов Иван"], ["E1", "Иванов Иван"], ["E1", "Петрова Анна"],
        ["E1", "Пeтрова Анна"]])
    (warning,) = [w for w in data_warnings(load_inputs(root)) if w.code == "participants.mixed_script"]
    assert str(warning) == ("participants.csv:2, 5: 2 names mixing Latin and Cyrillic letters: "
                            "each may be one person counted twice; retype the name in one alphabet")
    assert warning.count == 2 and [label for _, label in warning.rows] == [0, 3]
    assert "Ивaнов" not in str(warning) and "Иванов" not in str(warning)
    assert "participants.mixed_script" in WARNING_LABELS
