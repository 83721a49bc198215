"""Nothing ignored in silence: `validate` tells every problem of every table in one pass, ends
with a summary of what each table gave (files, rows, columns used, headers ignored), and warns
of files that belong to no table and of columns figures need that hold no value, in `validate`
and in the report's «Замечания к данным»."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from conftest import DEMO_INPUTS, report_figures
from helpers_inputs import GRANT_YML, make_inputs, write_bytes, write_xlsx

from pipeline.app import validate as validate_command
from pipeline.figures import blocks
from pipeline.inputs import notes
from pipeline.inputs.headers import missing_column
from pipeline.inputs.loading import load_inputs
from pipeline.inputs.notes import WARNING_LABELS
from pipeline.inputs.reading import Part
from pipeline.inputs.readpast import empty_figure_columns, unknown_files
from pipeline.inputs.schema import TABLES
from pipeline.inputs.validation import TableSummary, Validation, summarise, validate
from pipeline.notebook import context, views

PERIOD = "2022-interim"


@pytest.fixture
def demo(demo_copy) -> Path:
    """conftest's private copy of the demo inputs."""
    return demo_copy


def _rewrite_header(path: Path, header: list[str]) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
    rows[0] = header
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)


SURVEY_QUESTIONS = ["event_id", "respondent_id", "Оцените свои знания до тренинга", "Оцените знания после",
                    "Работа тренера", "Организация", "recommendation"]


# ---------------------------------------------------------------- the summary

def test_summary_of_parts_counts_files_rows_columns_ignored_headers_and_totals():
    parts = [Part("participants/a.csv", ("event_id", "full_name"), rows=10,
                            ignored=("Телефон", "Подпись"), totals=(14,)),
             Part("participants/b.xlsx", ("event_id", "full_name", "gender"), rows=5)]
    summary = summarise("participants", parts)
    assert summary == TableSummary("participants", ("participants/a.csv", "participants/b.xlsx"), 15,
                                   ("event_id", "full_name", "gender"),
                                   (("participants/a.csv", ("Телефон", "Подпись")),), 1)
    assert summary.cells() == ["participants", "participants/ (2 files)", "15 rows",
                               "3 of 4 columns, 1 totals row skipped"]
    assert summary.ignored_lines() == ["participants/a.csv: ignored «Телефон», «Подпись»"]


def test_summary_lines_are_aligned_and_name_absent_tables():
    validation = Validation(summary=[summarise("plan", [Part("plan.csv", tuple(c.name for c in TABLES["plan"]), 5)]),
                                     summarise("events", [Part("events.xlsx", ("event_id",), 120, ignored=("Х",))])],
                            absent=["media", "metrics"])
    assert validation.summary_lines() == [
        "plan    plan.csv       5 rows  13 of 13 columns",
        "events  events.xlsx  120 rows  1 of 11 columns",
        "  events.xlsx: ignored «Х»",
        "tables not found (optional): media, metrics",
    ]


def test_the_demo_summary_names_every_table_as_read():
    report = validate(DEMO_INPUTS)
    by_table = {s.table: s for s in report.summary}
    assert list(by_table) == list(TABLES) and report.absent == []
    assert by_table["participants"].files == tuple(f"participants/{n}" for n in (
        "aktobe.csv", "almaty.csv", "kyzylorda.xlsx", "mangystau.csv", "online.csv", "turkestan.csv", "zko.csv"))
    assert by_table["participants"].rows == len(report.inputs["participants"])
    assert by_table["events"].used == tuple(c.name for c in TABLES["events"])
    assert all(not s.ignored for s in report.summary)


def test_the_summary_is_there_when_the_inputs_have_problems(tmp_path):
    root = make_inputs(tmp_path, events=[["event_id", "Телефон"], ["E1", "+7 701"]])
    report = validate(root)
    assert report.lines() == [f"events.csv:1: {missing_column('events', name)}" for name in
                              ("activity_id", "type", "title", "region", "start_date", "format")]
    (events,) = [s for s in report.summary if s.table == "events"]
    assert events.used == ("event_id",) and events.ignored == (("events.csv", ("Телефон",)),)
    assert "+7 701" not in "\n".join(report.summary_lines())  # header names, never a cell
    assert report.absent == [t for t in TABLES if t not in ("plan", "events")]


# ---------------------------------------------------------------- every problem in one pass

def test_a_missing_column_no_longer_hides_the_other_tables_problems(tmp_path):
    root = make_inputs(
        tmp_path,
        events=[["event_id", "activity_id", "type", "title", "region", "start_date", "format"],
                ["E1", "1.1", "тренинг", "Т", "north", "2023-02-01", "онлайн"],
                ["E2", "1.1", "тренинг", "Т", "nowhere", "2023-02-01", "онлайн"]],
        participants=[["event_id", "Участник"], ["E1", "Имя"]],
        consultations=[["consultation_id", "activity_id", "date", "region", "beneficiary", "topic", "answered"],
                       ["C1", "9.9", "2023-02-01", "south", "Имя", "Вопрос", "может быть"]])
    assert validate(root).lines() == [
        "consultations.csv:2: activity_id = 9.9: expected an activity_id listed in plan",
        "consultations.csv:2: answered = может быть: expected да/нет or yes/no",
        "events.csv:3: region = nowhere: expected a region listed in grant.yml (north, south, east), by its id, "
        "name or aliases",
        f"participants.csv:1: {missing_column('participants', 'full_name')}",
    ]


def test_a_table_problem_does_not_hide_a_narratives_problem(demo):
    """The narratives' exact check needs the period's figures, so valid tables; before, their
    syntax and placeholders are checked against the catalogue's patterns, in the same round."""
    expenses = demo / "expenses.csv"
    expenses.write_text(expenses.read_text(encoding="utf-8").replace(",1.1,", ",9.9,", 1), encoding="utf-8")
    narrative = demo / "narratives" / PERIOD / "1.1.md"
    narrative.write_text(narrative.read_text(encoding="utf-8") + '\n{{ fig("events.training.count") }} '
                         '{{ fig("budget.spnt") }} {{ fig("survey.civic.respondents") }}\n{% if %}\n', encoding="utf-8")
    lines = validate_command(demo).lines()
    assert lines[0] == "expenses.csv:2: activity_id = 9.9: expected an activity_id listed in plan"
    told = [line for line in lines if line.startswith(f"narratives/{PERIOD}/1.1.md")]
    assert len(told) == 1 and "template error" in told[0]  # the syntax first: nothing else can be read
    narrative.write_text(narrative.read_text(encoding="utf-8").replace("{% if %}", ""), encoding="utf-8")
    told = [line for line in validate_command(demo).lines() if line.startswith(f"narratives/{PERIOD}/1.1.md")]
    assert len(told) == 1 and "unknown figure «budget.spnt»" in told[0]


def test_a_bad_cell_is_told_once_not_again_by_the_checks(tmp_path):
    """A bad key or date is blank once typed: the checks do not tell it again as empty, nor
    a row rule on it."""
    root = make_inputs(tmp_path, events=[
        ["event_id", "activity_id", "type", "title", "region", "start_date", "end_date", "format"],
        ["E1", "1.1", "тренинг", "Т", "north", "первое февраля", "2023-02-02", "онлайн"]])
    assert validate(root).lines() == [
        "events.csv:2: start_date = первое февраля: expected a date like 2022-05-23 or 23.05.2022"]


def test_an_unreadable_table_is_told_and_nothing_is_checked_against_it(tmp_path):
    root = make_inputs(tmp_path, participants=[["event_id", "full_name"], ["E1", "Имя"]])
    write_bytes(root / "events.xlsx", b"not a workbook")
    assert validate(root).lines() == ["events.xlsx: not a readable .xlsx workbook (BadZipFile)"]


def test_a_broken_grant_yml_leaves_the_tables_checked(tmp_path):
    root = make_inputs(tmp_path, grant=GRANT_YML.replace("amount: 1000000", "amount: много"),
                       media=[["date", "platform", "account", "owner", "title", "reach"],
                              ["2023-02-01", "Instagram", "@x", "собственный", "Пост", "12 тыс."]])
    assert validate(root).lines() == [
        "grant.yml:4: amount = много: expected a positive number",
        "media.csv:2: reach = 12 тыс.: expected a whole number ≥ 0: write the whole number (12000, not 12 тыс.)"]


# ---------------------------------------------------------------- files read past

def test_files_that_belong_to_no_table_are_warnings_naming_them(demo):
    write_xlsx(demo / "Регистрация участников.xlsx", [["ФИО"], ["Имя"]])
    write_bytes(demo / "events.xls", b"old excel")
    write_bytes(demo / "Media.csv", b"date\r\n")
    write_bytes(demo / "participants" / "scan.pdf", b"%PDF")
    write_bytes(demo / "old" / "plan.csv", b"x")
    for quiet in (".DS_Store", "~$plan.xlsx", "README.txt", "Thumbs.db", "narratives/notes.txt", ".git/config"):
        write_bytes(demo / quiet, b"x")
    report = validate(demo)
    assert report.ok
    told = [str(w) for w in report.warnings if w.code == "inputs.unknown_file"]
    assert told == [
        "Media.csv: not read: name it media.csv (table files are named in lower case)",
        "events.xls: not read: table «events» is events.csv, events.xlsx or a folder events/ (save it as .xlsx or CSV)",
        "old/plan.csv: not read: it belongs to no table (a table is NAME.csv, NAME.xlsx or a folder NAME/ of such "
        f"files; NAME one of {', '.join(TABLES)})",
        "participants/scan.pdf: not read: a part of table «participants» is a .csv or .xlsx file",
        "Регистрация участников.xlsx: not read: it belongs to no table (a table is NAME.csv, NAME.xlsx or a folder "
        f"NAME/ of such files; NAME one of {', '.join(TABLES)})",
    ]
    assert all(w.count == 1 for w in report.warnings if w.code == "inputs.unknown_file")


def test_files_read_past_are_told_even_when_the_inputs_have_problems(tmp_path):
    root = make_inputs(tmp_path, events=[["event_id"], ["E1"]])
    write_bytes(root / "events (1).csv", b"event_id\r\nE1\r\n")
    report = validate(root)
    assert not report.ok
    assert [w.code for w in report.warnings] == ["inputs.unknown_file"]
    assert str(report.warnings[0]).startswith("events (1).csv: not read: it belongs to no table")


def test_unknown_files_from_hashes_and_files_read(tmp_path):
    hashes = {"grant.yml": "", "plan.csv": "", "README.md": "", "notes.docx": "", "narratives/p1/1.1.md": ""}
    files = [tmp_path / "grant.yml", tmp_path / "plan.csv"]
    assert [w.message.split(":")[0] for w in unknown_files(tmp_path, hashes, files)] == ["notes.docx"]


# ---------------------------------------------------------------- columns figures need, with no value

def test_questionnaires_whose_score_headers_were_not_recognised_are_a_warning(demo):
    _rewrite_header(demo / "training_surveys.csv", SURVEY_QUESTIONS)
    report = validate(demo)
    assert report.ok
    (warning,) = [w for w in report.warnings if w.code == "columns.no_values"]
    assert str(warning) == (
        "training_surveys.csv: no column knowledge_before, knowledge_after, trainer, organisation (a header not "
        "recognised is read past: see validate's summary): figures survey.<topic>.knowledge_before, "
        "survey.<topic>.knowledge_after, survey.<topic>.trainer, survey.<topic>.organisation will be empty")
    assert warning.count == len(report.inputs["training_surveys"]) == 246
    (surveys,) = [s for s in report.summary if s.table == "training_surveys"]
    assert surveys.used == ("event_id", "respondent_id", "recommendation")
    assert surveys.ignored == (("training_surveys.csv", tuple(SURVEY_QUESTIONS[2:6])),)


def _frame(table: str, **columns: list[object]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({c.name: columns.get(c.name, [None] * n) for c in TABLES[table]})
    return frame.assign(_file=f"{table}.csv", _row=range(2, n + 2))


def test_blank_in_every_row_and_absent_columns_are_told_apart():
    tables = {"feedback": _frame("feedback", consultation_id=["C1", "C2"], positive=[True, None]),
              "media": _frame("media", date=["2023-01-01"]), "training_surveys": _frame("training_surveys",
                                                                                        event_id=[], trainer=[])}
    parts = {"feedback": [Part("feedback.csv", ("consultation_id", "satisfaction", "positive"), 2)],
             "media": [Part("media.csv", ("date",), 1)]}
    assert [str(w) for w in empty_figure_columns(tables, parts)] == [
        "feedback.csv: satisfaction blank in every row: figures feedback.satisfaction_pct will be empty",
        "media.csv: no column reach (a header not recognised is read past: see validate's summary): "
        "figures media.reach, media.<owner>.reach will count 0",
    ]  # an empty table has no figures to lose


def test_the_demo_has_no_column_without_values():
    inputs = load_inputs(DEMO_INPUTS)
    assert empty_figure_columns(inputs.tables, inputs.parts) == []
    assert unknown_files(inputs.root, inputs.hashes, inputs.files) == []


# ---------------------------------------------------------------- in the report

def test_both_silent_cases_reach_the_reports_data_notes(demo):
    _rewrite_header(demo / "training_surveys.csv", SURVEY_QUESTIONS)
    write_bytes(demo / "участники_тренинга.csv", b"x")
    ctx = context.load(demo, PERIOD, "all")
    assert report_figures(demo, PERIOD, "all")["warnings.columns.no_values"] == 246
    assert report_figures(demo, PERIOD, "all")["warnings.inputs.unknown_file"] == 1
    page = views.data_notes(ctx, report_figures(demo, PERIOD, "all")).data
    assert WARNING_LABELS["columns.no_values"] in page and WARNING_LABELS["inputs.unknown_file"] in page
    assert "training_surveys.csv" in page and "участники_тренинга.csv" in page


def test_a_totals_row_is_a_warning_in_validate_and_in_the_report(demo):
    lines = (demo / "expenses.csv").read_text(encoding="utf-8-sig").splitlines()
    separator = ";" if lines[0].count(";") > lines[0].count(",") else ","
    (demo / "expenses.csv").write_text("\n".join([*lines, separator.join(["Итого", "", "999999"])]) + "\n",
                                       encoding="utf-8")
    report = validate(demo)
    assert report.ok, report.lines()
    (warning,) = [w for w in report.warnings if w.code == "inputs.totals_row"]
    assert str(warning) == (f"expenses.csv:{len(lines) + 1}: 1 totals row skipped: "
                            "the figures add the records themselves")
    ctx = context.load(demo, PERIOD, "all")
    assert report_figures(demo, PERIOD, "all")["warnings.inputs.totals_row"] == 1
    assert report_figures(demo, PERIOD, "all")["budget.spent"] == report_figures(DEMO_INPUTS, PERIOD, "all")["budget.spent"]
    assert WARNING_LABELS["inputs.totals_row"] in views.data_notes(ctx, report_figures(demo, PERIOD, "all")).data


def test_signature_lines_under_a_table_are_skipped_with_a_warning(demo):
    lines = (demo / "expenses.csv").read_text(encoding="utf-8-sig").splitlines()
    footer = ["", "Руководитель проекта,,________ Ирина", "М.П.", "Исполнитель: бухгалтер,,"]
    (demo / "expenses.csv").write_text("\n".join([*lines, *footer]) + "\n", encoding="utf-8")
    report = validate(demo)
    assert report.ok, report.lines()
    (warning,) = [w for w in report.warnings if w.code == "inputs.signature_row"]
    first = len(lines) + 2
    assert str(warning) == f"expenses.csv:{first}–{first + 2}: 3 signature lines under the table skipped"
    assert len(report.inputs["expenses"]) == len(load_inputs(DEMO_INPUTS)["expenses"])


def test_every_warning_code_has_its_label_and_figure():
    figures = blocks.data_notes([]).figures
    assert {"warnings.columns.no_values", "warnings.inputs.unknown_file"} <= set(figures)
    assert set(WARNING_LABELS) == {name.removeprefix("warnings.") for name in figures}
    assert notes.data_warnings  # the report and validate share one list of warnings


# ---------------------------------------------------------------- the command

def test_validate_prints_the_summary_and_the_unknown_file_warning_and_exits_0(cli, demo):
    write_bytes(demo / "Регистрация.xlsx", b"x")
    _rewrite_header(demo / "training_surveys.csv", SURVEY_QUESTIONS)
    result = cli("validate", "--inputs", str(demo))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "warning: Регистрация.xlsx: not read: it belongs to no table" in result.stderr
    assert "warning: training_surveys.csv: no column knowledge_before" in result.stderr
    out = result.stdout.splitlines()
    assert out[0] == "read from the inputs folder:"
    assert out[1].split() == ["plan", "plan.csv", "5", "rows", "13", "of", "13", "columns"]  # task_kk, … too
    assert out[4].split() == ["participants", "participants/", "(7", "files)", "347", "rows", "4", "of", "4", "columns"]
    assert "  training_surveys.csv: ignored «Оцените свои знания до тренинга», «Оцените знания после», «Работа " \
           "тренера», «Организация»" in [line.strip("\n")[2:] for line in out]
    assert out[-1] == f"{demo}: inputs are valid (4 warnings)"  # the demo's two and these two


def test_validate_with_problems_prints_them_the_summary_and_exits_1(cli, demo):
    header = next(csv.reader((demo / "events.csv").open(encoding="utf-8-sig")))
    _rewrite_header(demo / "events.csv", [("Формат проведения" if h == "format" else h) for h in header])
    (demo / "metrics.csv").unlink()
    result = cli("validate", "--inputs", str(demo))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"events.csv:1: {missing_column('events', 'format')}"]
    assert "  tables not found (optional): metrics" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1] == f"{demo}: 1 problem (listed above)"


def test_the_figures_named_beside_the_schema_are_figures_of_the_catalogue():
    """inputs may not import the catalogue (a layer above): this keeps FIGURE_COLUMNS true to it."""
    from pipeline.figures.catalogue import lookup
    from pipeline.inputs.schema import FIGURE_COLUMNS

    examples = {"<topic>": "msu", "<owner>": "own", "<id>": "1.1"}
    for table, columns in FIGURE_COLUMNS.items():
        for name, (figures, _effect) in columns.items():
            assert name in {c.name for c in TABLES[table]}
            for figure in figures.split(", "):
                for placeholder, example in examples.items():
                    figure = figure.replace(placeholder, example)
                assert table in lookup(figure).tables, figure
