"""Every sheet of a workbook read (issue 20, points 1 and 7): each sheet of a table's workbook
is a part of the table, as each file of a folder is, named `file › sheet`; a sheet without an
`event_id` column takes its title; empty sheets and sheets of no table are said, hidden ones read
and said; and every bad part and sheet of a table is told in one pass."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import DEMO_INPUTS
from helpers_inputs import make_inputs, write_bytes, write_csv, write_xlsx

from pipeline.figures import blocks, declarations
from pipeline.figures.lineage import refs, rows
from pipeline.figures.scope import make_scope, select
from pipeline.inputs.loading import Inputs
from pipeline.inputs.notes import data_warnings
from pipeline.inputs.reading import Part, read_table_raw
from pipeline.inputs.schema import header_names
from pipeline.inputs.sheets import UnreadSheet
from pipeline.inputs.validation import summarise, validate

EVENTS = [["event_id", "activity_id", "type", "title", "region", "start_date", "format"],
          ["T01", "1.1", "training", "Первый", "north", "2023-02-01", "offline"],
          ["T02", "1.1", "training", "Второй", "south", "2023-02-02", "offline"],
          ["T03", "1.1", "training", "Третий", "east", "2023-03-03", "offline"]]
MEDIA = ["date", "platform", "account", "owner", "title", "reach"]


def write_sheets(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> Path:
    """A workbook of one sheet per title, holding its rows from A1 (no rows: an empty sheet)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, lines in sheets.items():
        sheet = book.create_sheet(title)
        for line in lines:
            sheet.append(line)
        if title in hidden:
            sheet.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def checked(root: Path):
    report = validate(root)
    assert report.ok, report.lines()
    assert report.inputs is not None
    return report, report.inputs


# ---------------------------------------------------------------- every sheet a part

def test_every_sheet_of_a_workbook_is_a_part_of_its_table_named_by_its_sheet(tmp_path):
    """The issue's coordinator: participants/pavlodar.xlsx with one sheet per event and no
    event_id column. Only the first sheet was read (2 of 6 people); now every sheet is a part,
    each taking its event from its title, each row pointing at its sheet."""
    root = make_inputs(tmp_path, events=EVENTS)
    write_sheets(root / "participants" / "pavlodar.xlsx", {
        "T01": [["Список участников"], ["№", "ФИО", "Пол"], [1, "Иванов Иван", "м"], [2, "Петров Пётр", "м"]],
        "T02": [["№", "ФИО"], [1, "Сидорова Анна"]],
        "T03": [["ФИО"], ["Ким Ли"], ["Ли Ким"], ["Ан Мин"]],
    })
    report, inputs = checked(root)
    people = inputs["participants"]
    assert people[["event_id", "_file", "_row"]].values.tolist() == [
        ["T01", "participants/pavlodar.xlsx › T01", 3], ["T01", "participants/pavlodar.xlsx › T01", 4],
        ["T02", "participants/pavlodar.xlsx › T02", 2],
        ["T03", "participants/pavlodar.xlsx › T03", 2], ["T03", "participants/pavlodar.xlsx › T03", 3],
        ["T03", "participants/pavlodar.xlsx › T03", 4]]
    assert [(p.file, p.rows, p.sheet, p.path, p.event_from) for p in inputs.parts["participants"]] == [
        (f"participants/pavlodar.xlsx › {event}", n, event, "participants/pavlodar.xlsx", "the sheet's title")
        for event, n in (("T01", 2), ("T02", 1), ("T03", 3))]
    # the lineage (`file:row` of the manifest, explain and the notebooks) points at the sheet
    [row] = refs(rows("participants", people, people["full_name"] == "Ли Ким"), inputs.tables)
    assert (row["file"], row["row"]) == ("participants/pavlodar.xlsx › T03", 3)
    summary = report.summary_lines()
    assert summary[2].startswith("participants  participants/pavlodar.xlsx (3 sheets)  6 rows")
    assert summary[3:6] == ["  participants/pavlodar.xlsx › T01: 2 rows", "  participants/pavlodar.xlsx › T02: 1 row",
                            "  participants/pavlodar.xlsx › T03: 3 rows"]
    assert not report.warnings, [str(w) for w in report.warnings]  # no event is without its list


def test_the_extra_sheet_of_media_xlsx_is_read(tmp_path):
    """The issue's media.xlsx: its second sheet's publications were dropped."""
    root = make_inputs(tmp_path)
    write_sheets(root / "media.xlsx", {
        "Январь": [MEDIA, ["2023-01-10", "FB", "@a", "own", "Пост", 100]],
        "Февраль": [[header_names("media", column)[0][0] for column in MEDIA],
                    ["2023-02-10", "IG", "@a", "own", "Пост 2", 250], ["2023-02-11", "IG", "@a", "own", "Пост 3", 50]],
    })
    report, inputs = checked(root)
    media = inputs["media"]
    assert media["reach"].tolist() == [100, 250, 50]
    assert media["_file"].tolist() == ["media.xlsx › Январь", "media.xlsx › Февраль", "media.xlsx › Февраль"]
    figures = declarations.report_figures(select(inputs, make_scope(inputs.grant, "p1", "all")), data_warnings(inputs))
    assert figures["media.own.reach"] == 400
    assert "  media.xlsx › Февраль: 2 rows" in report.summary_lines()


def test_a_hidden_sheet_is_read_like_the_others_and_said_hidden(tmp_path):
    root = make_inputs(tmp_path, events=EVENTS)
    write_sheets(root / "participants.xlsx", {
        "Все": [["event_id", "ФИО"], ["T01", "Иванов Иван"]],
        "Архив": [["event_id", "ФИО"], ["T02", "Петров Пётр"], ["T03", "Ким Ли"]],
    }, hidden=("Архив",))
    report, inputs = checked(root)
    assert inputs["participants"]["event_id"].tolist() == ["T01", "T02", "T03"]
    assert [p.hidden for p in inputs.parts["participants"]] == [False, True]
    assert "  participants.xlsx › Архив (hidden): 2 rows" in report.summary_lines()


def test_an_empty_sheet_is_skipped_with_a_note_in_the_summary(tmp_path):
    """Excel's new workbook of three sheets, two left empty, in a folder of parts: the file
    stays one part named by its event (its file's name), the empty sheets are said."""
    root = make_inputs(tmp_path, events=EVENTS)
    write_sheets(root / "participants" / "T02.xlsx", {"Лист1": [["ФИО"], ["Петров Пётр"]], "Лист2": [], "Лист3": []})
    report, inputs = checked(root)
    assert inputs["participants"][["event_id", "_file"]].values.tolist() == [["T02", "participants/T02.xlsx › Лист1"]]
    assert [p.event_from for p in inputs.parts["participants"]] == ["the file's name"]
    assert [" ".join(line.split()) for line in report.summary_lines()[2:6]] == [
        "participants participants/T02.xlsx (1 sheet) 1 row 2 of 4 columns",
        "participants/T02.xlsx › Лист1: 1 row",
        "participants/T02.xlsx › Лист2: empty, skipped",
        "participants/T02.xlsx › Лист3: empty, skipped"]
    assert not [str(w) for w in report.warnings if "Лист" in str(w)]  # a note, not a warning


def test_a_sheet_that_belongs_to_no_table_is_a_warning_and_not_read(tmp_path):
    """An instructions sheet before the table: its text names no column (and is never shown)."""
    root = make_inputs(tmp_path)
    write_sheets(root / "media.xlsx", {
        "Инструкция": [["Заполните лист «Публикации»: одна строка на публикацию"], ["Телефон координатора: +7 701"]],
        "Публикации": [MEDIA, ["2023-01-10", "FB", "@a", "own", "Пост", 100]],
        "Справочник": [["Площадки"], ["FB"], ["IG"]],
    }, hidden=("Справочник",))
    report, inputs = checked(root)
    assert inputs["media"]["_file"].tolist() == ["media.xlsx › Публикации"]
    told = [str(w) for w in report.warnings]
    assert told == [
        "media.xlsx › Инструкция: not read: a sheet of no table "
        "(none of its first 10 non-blank rows names a column of «media»)",
        "media.xlsx › Справочник: not read: a hidden sheet of no table "
        "(none of its first 10 non-blank rows names a column of «media»)"]
    assert {w.code for w in report.warnings} == {"inputs.unknown_file"}
    assert "  media.xlsx › Справочник (hidden): not read: a sheet of no table (see the warning)" in report.summary_lines()
    notes = blocks.data_notes(data_warnings(inputs)).figures
    assert notes["warnings.inputs.unknown_file"] == 2
    assert "+7 701" not in "\n".join(told + report.summary_lines())


def test_the_summary_counts_files_and_sheets_and_lists_each_sheet_in_its_workbook():
    parts = [Part("participants/a.csv", ("event_id", "full_name"), 3),
             Part("participants/b.xlsx › T1", ("full_name", "event_id"), 2, sheet="T1", event_from="the sheet's title"),
             Part("participants/b.xlsx › T2", ("full_name", "event_id"), 1, sheet="T2", hidden=True),
             Part("participants/c.xlsx", ("event_id", "full_name"), 4)]
    summary = summarise("participants", parts, [UnreadSheet("participants/b.xlsx", "Лист3"),
                                                UnreadSheet("participants/b.xlsx", "Памятка", empty=False)])
    assert summary.cells()[:3] == ["participants", "participants/ (3 files, 2 sheets)", "10 rows"]
    assert summary.sheet_lines() == [
        "participants/b.xlsx › T1: 2 rows", "participants/b.xlsx › T2 (hidden): 1 row",
        "participants/b.xlsx › Лист3: empty, skipped", "participants/b.xlsx › Памятка: not read: a sheet of no table "
        "(see the warning)"]
    assert parts[1].path == "participants/b.xlsx"


def test_a_workbook_no_sheet_of_which_has_a_header_stays_an_error(tmp_path):
    root = make_inputs(tmp_path)
    write_xlsx(root / "media.xlsx", [["Отчет"], ["Пост", "100"]])
    one = validate(root).lines()
    assert len(one) == 1 and one[0].startswith(
        "media.xlsx:2: no header row found: this row (the widest of the first 2 non-blank rows) holds «Пост», «100», "
        "and none of those rows names a column of «media»; expected a header row naming date («Дата»)")
    write_sheets(root / "media.xlsx", {"Отчет": [["Отчет"], ["Пост", "100"]], "Пусто": []})
    assert validate(root).lines() == [one[0].replace("media.xlsx:2", "media.xlsx › Отчет:2")]
    write_sheets(root / "media.xlsx", {"Лист1": [], "Лист2": []})
    assert validate(root).lines() == ["media.xlsx: empty file: expected a header line naming the columns"]


def test_a_problem_in_a_sheet_names_the_sheet_and_its_row(tmp_path):
    root = make_inputs(tmp_path, events=EVENTS)
    write_sheets(root / "participants.xlsx", {
        "T01": [["event_id", "ФИО"], ["T01", "Иванов Иван"], ["T01", ""]],
        "T09": [["ФИО"], ["Петров Пётр"], ["Ким Ли"]],
        "T03": [["ФИО"], ["Ан Мин"]],
    })
    assert validate(root).lines() == [
        "participants.xlsx › T01:3: full_name = '': expected a value, the cell is empty",
        "participants.xlsx › T09:1: event_id = T09: expected an event_id listed in events (the sheet has no "
        "event_id column: its value is the sheet's title)"]


def test_a_sheet_title_holding_a_line_break_still_makes_one_line(tmp_path):
    """A hand-made workbook's XML may give a title a line break: each message stays one line."""
    root = make_inputs(tmp_path)
    write_sheets(root / "media.xlsx", {"Январь\nпосты": [MEDIA, ["2023-01-10", "FB", "@a", "own", "Пост", "много"]],
                                       "Февраль": [MEDIA, ["2023-02-10", "FB", "@a", "own", "Пост", 100]]})
    assert validate(root).lines() == ["media.xlsx › Январь?посты:2: reach = много: expected a whole number ≥ 0"]


# ---------------------------------------------------------------- every bad part and sheet told

def test_every_broken_part_of_a_folder_is_named_in_one_pass(tmp_path):
    """Seven broken .xlsx parts: only the first was named; then the next run, the next one."""
    root = make_inputs(tmp_path, events=EVENTS)
    write_csv(root / "participants" / "good.csv", [["event_id", "full_name"], ["T01", "Иванов Иван"]])
    for n in range(1, 8):
        write_bytes(root / "participants" / f"broken{n}.xlsx", b"PK\x03\x04 not a workbook")
    report = validate(root)
    assert report.lines() == [f"participants/broken{n}.xlsx: not a readable .xlsx workbook (BadZipFile)"
                              for n in range(1, 8)]
    assert "participants" not in {s.table for s in report.summary}  # the table is unreadable, as before


def test_every_bad_sheet_of_a_workbook_is_named_in_one_pass(tmp_path):
    root = make_inputs(tmp_path, events=EVENTS)
    write_sheets(root / "participants.xlsx", {
        "T01": [["event_id", "ФИО", "Фамилия имя отчество"], ["T01", "А", "А"]],
        "T02": [["event_id", "full_name"], ["T02", "Б"]],
        "T03": [["event_id", "full_name", *[None] * 250, "далеко"], ["T03", "В"]],
    })
    write_xlsx(root / "participants" / "T02.xlsx", [["ФИО", "ФИО"], ["Г"]])
    assert validate(root).lines() == [
        "participants.xlsx › T01:1: «ФИО» and «Фамилия имя отчество» (columns B and C) both name the column "
        "«full_name»: keep one of them",
        "participants.xlsx › T03:1: 253 columns in the header line: a table file may have at most 200",
        "participants/T02.xlsx:1: the column «full_name» is named twice (columns A and B): keep one of them"]


# ---------------------------------------------------------------- the acceptance case

def _grid(inputs: Inputs, every_region: bool = True) -> dict[tuple[str, str], dict[str, object]]:
    """Every figure of every report of the grant (or of each period's consolidated report), as
    the section notebooks compute them."""
    notes = data_warnings(inputs)
    regions = ["all", *inputs.grant.region_ids()] if every_region else ["all"]
    return {(period.id, region): declarations.report_figures(select(inputs, make_scope(inputs.grant, period.id, region)), notes)
            for period in inputs.grant.periods for region in regions}


@pytest.fixture(scope="module")
def participant_lists() -> tuple[list[str], list[list[str]]]:
    """The demo's registration lists, as text cells (its seven parts read as the contract reads them)."""
    raw, _ = read_table_raw(DEMO_INPUTS, "participants")
    columns = [c for c in raw.columns if not c.startswith("_")]
    return columns, raw[columns].fillna("").astype(str).values.tolist()


def _sheet_per_event_and_its_twin(tmp_path: Path, participant_lists, every_region: bool) -> None:
    """The demo's registration lists as one workbook with a sheet per event (one sheet named by
    its event, without the event_id column; one empty sheet) and its twin, where they are one
    file: the same rows, warnings and figures (of each period's consolidated report, or with
    `every_region` of every report)."""
    columns, lines = participant_lists
    twin, sheets = tmp_path / "twin", tmp_path / "sheets"
    for root in (twin, sheets):
        shutil.copytree(DEMO_INPUTS, root)
        shutil.rmtree(root / "participants")
    write_csv(twin / "participants.csv", [columns, *lines])
    events = list(dict.fromkeys(line[0] for line in lines))
    assert len(events) > 3
    by_event: dict[str, list[list[object]]] = {}
    for event in events:
        own = [line for line in lines if line[0] == event]
        by_event[event] = ([columns[1:], *(line[1:] for line in own)] if event == events[1]
                           else [columns, *own])
        if event == events[2]:
            by_event["Лист2"] = []
    write_sheets(sheets / "participants.xlsx", by_event)

    twin_report, twin_inputs = checked(twin)
    sheets_report, sheets_inputs = checked(sheets)
    assert len(sheets_inputs["participants"]) == len(twin_inputs["participants"]) == len(lines)
    assert set(sheets_inputs["participants"]["_file"]) == {f"participants.xlsx › {event}" for event in events}
    assert [p.event_from for p in sheets_inputs.parts["participants"]][:3] == ["", "the sheet's title", ""]
    assert "  participants.xlsx › Лист2: empty, skipped" in sheets_report.summary_lines()
    assert [w.count for w in sheets_report.warnings] == [w.count for w in twin_report.warnings]
    expected = _grid(twin_inputs, every_region)
    assert expected[("2022-final", "all")]["events.training.participants"] > 0
    assert _grid(sheets_inputs, every_region) == expected


def test_a_workbook_with_a_sheet_per_event_gives_the_consolidated_figures_of_its_one_file_twin(
        tmp_path, participant_lists):
    _sheet_per_event_and_its_twin(tmp_path, participant_lists, every_region=False)


@pytest.mark.slow  # every report's figures computed twice (seconds); the consolidated ones are in the inner loop
def test_a_workbook_with_a_sheet_per_event_builds_the_figures_of_its_one_file_twin(tmp_path, participant_lists):
    """The acceptance case of issue 20: the demo's registration lists as one workbook with a
    sheet per event give exactly the figures of every report of its twin, where they are one file."""
    _sheet_per_event_and_its_twin(tmp_path, participant_lists, every_region=True)


def test_a_sheet_titled_with_a_persons_name_is_pseudonymised_read_or_not(tmp_path):
    """Issue 21 on sheets: a coordinator's workbook of one sheet per participant group, titled
    by a person (`Иванов Иван`), read or not read, is named `лист N` in the rows, the parts, the
    summary and the warnings; the figures are those of any other title."""
    root = make_inputs(tmp_path, events=EVENTS)
    write_sheets(root / "participants.xlsx", {
        "T01": [["event_id", "ФИО"], ["T01", "Ким Ли"]],
        "Иванов Иван": [["event_id", "ФИО"], ["T02", "Петров Пётр"], ["T03", "Ан Мин"]],
        "Сидорова Анна": [["Заметки координатора"], ["позвонить"]],
    })
    report, inputs = checked(root)
    people = inputs["participants"]
    assert people["event_id"].tolist() == ["T01", "T02", "T03"]
    assert sorted(set(people["_file"])) == ["participants.xlsx › T01", "participants.xlsx › лист 2"]
    assert [(p.file, p.sheet, p.path) for p in inputs.parts["participants"]][1] == (
        "participants.xlsx › лист 2", "лист 2", "participants.xlsx")
    said = "\n".join([*report.summary_lines(), *(str(w) for w in report.warnings), *report.lines()])
    assert "participants.xlsx › лист 3: not read" in said
    assert "Иванов" not in said and "Сидорова" not in said
