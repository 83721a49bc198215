"""Reading the inputs folder: encodings, separators, xlsx, folders of parts, dates,
and every problem reported as `<file>:<row>: <column> = <value>: <expected>`."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from helpers_inputs import (
    GRANT_YML,
    PLAN,
    make_inputs,
    write_bytes,
    write_csv,
    write_grant,
    write_xlsx,
)

from pipeline.exceptions import InputError, PipelineError
from pipeline.figures import declarations
from pipeline.figures.scope import make_scope, select
from pipeline.inputs import loading
from pipeline.inputs.loading import (
    HIDDEN,
    InputProblems,
    load_inputs,
    shown_value,
    type_table,
)
from pipeline.inputs.reading import Part
from pipeline.inputs.schema import TABLES, Column

TS = pd.Timestamp


def problem_lines(excinfo) -> list[str]:
    return str(excinfo.value).splitlines()


def contract_columns(table: str) -> list[str]:
    return [c.name for c in TABLES[table]]


# ---------------------------------------------------------------- CSV shapes

CENTRES = [
    ["region", "name", "opened"],
    ["north", "Центр «Север», г. Кокшетау", "2023-02-15"],
    ["south", "Центр Юг", "15.03.2023"],
]


def test_csv_utf8_without_bom(tmp_path):
    root = make_inputs(tmp_path, centres=CENTRES)
    centres = load_inputs(root)["centres"]
    assert centres["region"].tolist() == ["north", "south"]
    assert centres["name"].tolist() == ["Центр «Север», г. Кокшетау", "Центр Юг"]
    assert centres["opened"].tolist() == [TS("2023-02-15"), TS("2023-03-15")]
    # optional columns that the file lacks are there, blank
    assert centres["coordinator"].tolist() == ["", ""]
    assert centres["memorandum_date"].isna().all()
    assert centres["_file"].tolist() == ["centres.csv", "centres.csv"]
    assert centres["_row"].tolist() == [2, 3]


def test_csv_utf8_with_bom_and_semicolons(tmp_path):
    root = make_inputs(tmp_path)
    write_csv(root / "centres.csv", CENTRES, sep=";", bom=True)
    assert (root / "centres.csv").read_bytes().startswith(b"\xef\xbb\xbfregion;")
    centres = load_inputs(root)["centres"]  # the BOM must not hide the «region» column
    assert centres["region"].tolist() == ["north", "south"]
    assert centres["name"].tolist() == ["Центр «Север», г. Кокшетау", "Центр Юг"]
    assert centres["opened"].tolist() == [TS("2023-02-15"), TS("2023-03-15")]


def test_csv_cp1251_semicolons_and_decimal_commas(tmp_path):
    root = make_inputs(tmp_path)
    write_csv(root / "expenses.csv", [
        ["date", "activity_id", "amount", "description"],
        ["23.05.2022", "1.1", "12500,50", "Канцтовары для центра"],
        ["2022-05-24", "1.1", "1 000 000,25", "Аренда зала"],
        ["25.05.2022", "2.1", "75\u00a0000", "Кофе-брейк"],
    ], sep=";", encoding="cp1251")
    data = (root / "expenses.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really cp1251, not UTF-8
    expenses = load_inputs(root)["expenses"]
    assert expenses["amount"].tolist() == [12500.5, 1000000.25, 75000.0]
    assert expenses["date"].tolist() == [TS("2022-05-23"), TS("2022-05-24"), TS("2022-05-25")]
    assert expenses["description"].tolist() == ["Канцтовары для центра", "Аренда зала", "Кофе-брейк"]
    assert expenses["activity_id"].tolist() == ["1.1", "1.1", "2.1"]
    assert expenses["region"].tolist() == ["", "", ""]  # optional, absent
    assert expenses["_row"].tolist() == [2, 3, 4]


def test_csv_comma_separated_with_quoted_decimal_comma(tmp_path):
    root = make_inputs(tmp_path, expenses=[
        ["date", "activity_id", "amount"],
        ["2022-05-23", "1.1", "12500,50"],
    ])
    assert b'"12500,50"' in (root / "expenses.csv").read_bytes()
    assert load_inputs(root)["expenses"]["amount"].tolist() == [12500.5]


def test_iso_and_russian_dates_are_the_same_day(tmp_path):
    root = make_inputs(tmp_path, consultations=[
        ["consultation_id", "activity_id", "date", "region", "beneficiary", "topic", "answered"],
        ["C1", "1.1", "2022-05-23", "north", "А", "Т", "да"],
        ["C2", "1.1", "23.05.2022", "north", "Б", "Т", "Нет"],
        ["C3", "1.1", "01.06.2022", "north", "В", "Т", "yes"],
    ])
    consultations = load_inputs(root)["consultations"]
    assert consultations["date"].tolist() == [TS("2022-05-23"), TS("2022-05-23"), TS("2022-06-01")]
    assert consultations["answered"].tolist() == [True, False, True]


def test_a_date_with_a_time_of_day_is_that_day(tmp_path):
    rows = [["consultation_id", "activity_id", "date", "region", "beneficiary", "topic", "answered"]]
    written = ["2022-05-23 14:03:55", "2022-05-23T14:03:55", "2022-05-23T14:03:55.250+06:00", "23.05.2022 14:03",
               "23.05.2022 9:03:55"]
    rows += [[f"C{i}", "1.1", value, "north", "А", "Т", "да"] for i, value in enumerate(written)]
    root = make_inputs(tmp_path, consultations=rows)
    assert load_inputs(root)["consultations"]["date"].tolist() == [TS("2022-05-23")] * len(written)
    write_xlsx(root / "consultations.xlsx", [rows[0], ["C9", "1.1", dt.datetime(2022, 5, 23, 14, 3), "north", "А",
                                                       "Т", "да"]])
    (root / "consultations.csv").unlink()
    assert load_inputs(root)["consultations"]["date"].tolist() == [TS("2022-05-23")]


def test_header_names_are_trimmed_and_case_folded(tmp_path):
    root = make_inputs(tmp_path, centres=[[" Region ", "NAME", "Opened"], ["north", "Ц", "2023-01-01"]])
    centres = load_inputs(root)["centres"]
    assert centres["region"].tolist() == ["north"]
    assert centres["opened"].tolist() == [TS("2023-01-01")]


# ---------------------------------------------------------------- xlsx

def test_xlsx_date_and_number_cells_and_text_ids(tmp_path):
    root = make_inputs(tmp_path)
    write_xlsx(root / "events.xlsx", [
        ["event_id", "activity_id", "type", "title", "topic_id", "region", "start_date", "format",
         "reported_participants"],
        ["E1", 1.1, "training", "Тренинг", "law", "north", dt.datetime(2023, 3, 1), "offline", 12],
        ["E2", "2.1", "Conference", "Конференция", None, "south", "23.05.2023", "Онлайн", None],
        ["E3", 3, "round table", "Круглый стол", None, "north", dt.datetime(2023, 3, 2, 10, 30), "offline", 0],
    ])
    events = load_inputs(root)["events"]
    assert events["event_id"].tolist() == ["E1", "E2", "E3"]
    assert events["activity_id"].tolist() == ["1.1", "2.1", "3"]  # a number cell 1.1 stays "1.1"
    assert events["type"].tolist() == ["training", "conference", "round_table"]
    assert events["format"].tolist() == ["offline", "online", "offline"]
    assert events["start_date"].tolist() == [TS("2023-03-01"), TS("2023-05-23"), TS("2023-03-02")]
    rp = events["reported_participants"].tolist()
    assert rp[0] == 12 and math.isnan(rp[1]) and rp[2] == 0
    assert events["topic_id"].tolist() == ["law", "", ""]
    assert events["settlement"].tolist() == ["", "", ""]  # optional, absent
    assert events["end_date"].isna().all()                # optional, absent
    assert events["_file"].tolist() == ["events.xlsx"] * 3
    assert events["_row"].tolist() == [2, 3, 4]


def test_xlsx_number_cell_amount_and_plan_as_xlsx(tmp_path):
    root = tmp_path
    write_grant(root)
    write_xlsx(root / "plan.xlsx", [PLAN[0], [1, "Задача", 1.1, "Мероприятие", "2023", "Индикатор", 14, "тренинг", 6600000]])
    write_xlsx(root / "expenses.xlsx", [
        ["date", "activity_id", "amount"],
        [dt.date(2023, 4, 5), 1.1, 145500.4],
    ])
    inputs = load_inputs(root)
    plan = inputs["plan"]
    assert plan["activity_id"].tolist() == ["1.1"]
    assert plan["task_no"].tolist() == ["1"]
    assert plan["target"].tolist() == [14]
    assert plan["budget"].tolist() == [6600000]
    expenses = inputs["expenses"]
    assert expenses["date"].tolist() == [TS("2023-04-05")]
    assert expenses["amount"].tolist() == [145500.4]
    assert expenses["activity_id"].tolist() == ["1.1"]


# ---------------------------------------------------------------- folders of parts

def test_folder_of_parts_mixes_csv_and_xlsx_and_counts_lines_as_seen(tmp_path):
    root = make_inputs(tmp_path)
    write_bytes(root / "participants" / "a.csv",
                "event_id,full_name,category\r\n"
                "E1,Иванов Иван,МСУ\r\n"
                "\r\n"
                ",,\r\n"
                "E1,Петров Пётр,\r\n".encode())
    write_xlsx(root / "participants" / "b.xlsx", [
        ["event_id", "full_name", "gender"],
        ["E2", "Сидорова Анна", "ж"],
        [None, None, None],
        ["E2", "Ким Ли", None],
    ])
    inputs = load_inputs(root)
    participants = inputs["participants"]
    assert participants["event_id"].tolist() == ["E1", "E1", "E2", "E2"]
    assert participants["full_name"].tolist() == ["Иванов Иван", "Петров Пётр", "Сидорова Анна", "Ким Ли"]
    assert participants["_file"].tolist() == ["participants/a.csv", "participants/a.csv",
                                              "participants/b.xlsx", "participants/b.xlsx"]
    # header = line 1; blank lines are skipped but still counted
    assert participants["_row"].tolist() == [2, 5, 2, 4]
    # a column one part lacks is blank for that part's rows
    assert participants["category"].tolist() == ["МСУ", "", "", ""]
    assert participants["gender"].tolist() == ["", "", "ж", ""]
    assert root / "participants" / "a.csv" in inputs.files
    assert root / "participants" / "b.xlsx" in inputs.files


def test_folder_ignores_excel_lock_files_and_other_suffixes(tmp_path):
    root = make_inputs(tmp_path)
    write_csv(root / "participants" / "a.csv", [["event_id", "full_name"], ["E1", "Иванов"]])
    write_bytes(root / "participants" / "~$b.xlsx", b"not a workbook")
    write_bytes(root / "participants" / "notes.txt", b"event_id,full_name\nE9,X\n")
    participants = load_inputs(root)["participants"]
    assert participants["event_id"].tolist() == ["E1"]


# ---------------------------------------------------------------- blank rows, absent tables

def test_blank_rows_are_skipped(tmp_path):
    root = make_inputs(tmp_path)
    write_bytes(root / "centres.csv",
                "region;name;opened\r\n;;\r\nnorth;Ц;2023-01-01\r\n  ; ;\r\n\r\n".encode())
    centres = load_inputs(root)["centres"]
    assert centres["region"].tolist() == ["north"]
    assert centres["_row"].tolist() == [3]


def test_missing_optional_table_is_an_empty_frame_with_contract_columns(tmp_path):
    root = make_inputs(tmp_path)  # grant.yml and plan only
    inputs = load_inputs(root)
    for table in ("media", "events", "participants", "metrics", "expenses", "feedback"):
        frame = inputs[table]
        assert len(frame) == 0
        assert list(frame.columns) == contract_columns(table) + ["_file", "_row"]


def test_missing_plan_is_a_problem(tmp_path):
    write_grant(tmp_path)
    with pytest.raises(InputProblems) as excinfo:
        load_inputs(tmp_path)
    assert problem_lines(excinfo) == ["plan.csv: table «plan» not found (.csv, .xlsx or folder)"]


def test_inputs_folder_not_found(tmp_path):
    with pytest.raises(InputError) as excinfo:
        load_inputs(tmp_path / "nope")
    assert "inputs folder not found" in str(excinfo.value)


# ---------------------------------------------------------------- problems

def _broken_inputs(root):
    make_inputs(
        root,
        events=[
            ["event_id", "activity_id", "type", "title", "region", "start_date", "format"],
            ["E1", "1.1", "webinar", "Вебинар", "north", "2023-03-01", "online"],
        ],
        consultations=[
            ["consultation_id", "activity_id", "date", "region", "beneficiary", "topic", "answered"],
            ["C1", "1.1", "31.02.2023", "north", "Секретова Бенефициара", "Земля", "да"],
            ["C2", "1.1", "2023-03-01", "north", "Другой Бенефициар", "Земля", "может"],
        ],
        feedback=[
            ["consultation_id", "activity_id", "date", "answered", "satisfaction", "comment"],
            ["C1", "1.1", "2023-03-02", "yes", "0", "Личный комментарий Жанны"],
        ],
        training_surveys=[
            ["event_id", "respondent_id", "knowledge_before", "knowledge_after", "trainer", "organisation"],
            ["E1", "r1", "3", "4", "7", "5"],
        ],
        media=[
            ["date", "platform", "account", "owner", "title", "reach"],
            ["2023-03-01", "FB", "@a", "own", "Пост", "-5"],
        ],
    )
    write_csv(root / "participants" / "a.csv", [
        ["event_id", "full_name"],
        ["E1", "Иванов Иван Иванович"],
        ["E1", ""],
    ])
    return root


def test_every_bad_cell_is_one_exact_line(tmp_path):
    with pytest.raises(InputProblems) as excinfo:
        load_inputs(_broken_inputs(tmp_path))
    assert sorted(problem_lines(excinfo)) == sorted([
        "consultations.csv:2: date = 31.02.2023: expected a date like 2022-05-23 or 23.05.2022",
        "consultations.csv:3: answered = может: expected да/нет or yes/no",
        "events.csv:2: type = webinar: expected one of conference, training, meeting, presentation, "
        "round_table, other",
        "feedback.csv:2: satisfaction = 0: expected a score 1–5",
        "training_surveys.csv:2: trainer = 7: expected a score 1–5",
        "media.csv:2: reach = -5: expected a whole number ≥ 0",
        "participants/a.csv:3: full_name = '': expected a value, the cell is empty",
    ])
    assert isinstance(excinfo.value, PipelineError)


def test_problem_attributes_name_file_row_column_value(tmp_path):
    with pytest.raises(InputProblems) as excinfo:
        load_inputs(_broken_inputs(tmp_path))
    by_column = {p.column: p for p in excinfo.value.problems}
    trainer = by_column["trainer"]
    assert (trainer.file, trainer.row, trainer.value, trainer.expected) == (
        "training_surveys.csv", 2, "7", "expected a score 1–5")
    name = by_column["full_name"]
    assert (name.file, name.row, name.value) == ("participants/a.csv", 3, "")


def test_personal_values_never_appear_in_problems(tmp_path):
    with pytest.raises(InputProblems) as excinfo:
        load_inputs(_broken_inputs(tmp_path))
    text = str(excinfo.value)
    for secret in ("Иванов", "Секретова", "Бенефициар", "Жанны", "комментарий"):
        assert secret not in text


def test_shown_value_hides_personal_columns():
    assert shown_value(Column("full_name"), "Иванов Иван") == HIDDEN == "<скрыто>"
    assert shown_value(Column("beneficiary"), "Петров") == "<скрыто>"
    assert shown_value(Column("comment"), "Спасибо") == "<скрыто>"
    assert shown_value(Column("title"), "Тренинг") == "Тренинг"
    assert shown_value(Column("full_name"), "") == ""  # an empty cell is shown as empty


def test_a_bad_personal_cell_is_reported_hidden(monkeypatch):
    """Were a personal column ever typed, its bad value would still be hidden."""
    monkeypatch.setitem(loading.TABLES, "participants", (
        Column("event_id", "id", nonblank=True), Column("full_name", "score", nonblank=True)))
    raw = pd.DataFrame({"event_id": ["E1"], "full_name": ["Иванов Иван"],
                        "_file": ["participants.csv"], "_row": [2]})
    raw.attrs["parts"] = [Part("participants.csv", ("event_id", "full_name"))]
    _, problems = type_table("participants", raw)
    assert [str(p) for p in problems] == ["participants.csv:2: full_name = <скрыто>: expected a score 1–5"]


FULL_NAME_HEADERS = (": expected a header such as «ФИО», «Фамилия имя отчество», «ФИО участника», «Аты-жөні», "
                     "«Тегі, аты, әкесінің аты», «full_name» "
                     "(or one named in grant.yml `columns:`)")


def test_missing_required_column(tmp_path):
    root = make_inputs(tmp_path, participants=[["event_id", "category"], ["E1", "МСУ"]])
    with pytest.raises(InputProblems) as excinfo:
        load_inputs(root)
    assert problem_lines(excinfo) == ["participants.csv:1: missing column «full_name»" + FULL_NAME_HEADERS]


def test_missing_required_column_in_one_part_names_that_part(tmp_path):
    root = make_inputs(tmp_path)
    write_csv(root / "participants" / "a.csv", [["event_id", "full_name"], ["E1", "Иванов"]])
    write_csv(root / "participants" / "b.csv", [["event_id"], ["E2"]])
    with pytest.raises(InputProblems) as excinfo:
        load_inputs(root)
    lines = problem_lines(excinfo)
    assert "participants/b.csv:1: missing column «full_name»" + FULL_NAME_HEADERS in lines
    assert not any(line.startswith("participants/a.csv") for line in lines)


def test_missing_required_column_in_header_only_file_names_the_file(tmp_path):
    root = make_inputs(tmp_path)
    write_bytes(root / "participants.csv", b"event_id\r\n")
    with pytest.raises(InputProblems) as excinfo:
        load_inputs(root)
    assert problem_lines(excinfo) == ["participants.csv:1: missing column «full_name»" + FULL_NAME_HEADERS]


def test_nonblank_cells_and_optional_blank_cells(tmp_path):
    root = make_inputs(tmp_path, metrics=[
        ["date", "name", "value", "region", "source"],
        ["2023-01-01", "subscribers", "", "", "Скриншот"],
        ["2023-01-02", "subscribers", "5", "", ""],
        ["2023-01-03", "subscribers", "7", "", "Скриншот"],   # blank region is fine
    ])
    with pytest.raises(InputProblems) as excinfo:
        load_inputs(root)
    assert sorted(problem_lines(excinfo)) == [
        "metrics.csv:2: value = '': expected a value, the cell is empty",
        "metrics.csv:3: source = '': expected a value, the cell is empty",
    ]


# ---------------------------------------------------------------- grant.yml

def test_grant_is_parsed_with_dates(tmp_path):
    root = make_inputs(tmp_path, grant=GRANT_YML.replace("start: '2023-01-01'", "start: 2023-01-01"))
    grant = load_inputs(root).grant
    assert grant.agreement.date == dt.date(2023, 1, 10)
    assert [(p.id, p.start, p.end) for p in grant.periods] == [
        ("p1", dt.date(2023, 1, 1), dt.date(2023, 6, 30)),
        ("p2", dt.date(2023, 7, 1), dt.date(2023, 12, 31)),  # Russian dates in grant.yml
    ]
    assert grant.region_ids() == ["north", "south", "east"]
    assert grant.amount == 1000000


def test_grant_ids_become_text(tmp_path):
    text = GRANT_YML.replace("{id: p1,", "{id: 2023,").replace("{id: north,", "{id: 1,")
    grant = load_inputs(make_inputs(tmp_path, grant=text)).grant
    assert grant.periods[0].id == "2023"
    assert grant.regions[0].id == "1"


def test_grant_missing(tmp_path):
    write_csv(tmp_path / "plan.csv", PLAN)
    with pytest.raises(InputError) as excinfo:
        load_inputs(tmp_path)
    assert str(excinfo.value) == "grant.yml: file not found in the inputs folder"


def test_grant_yaml_syntax_error_names_the_line(tmp_path):
    text = GRANT_YML.replace("currency: тенге", "currency: [тенге")
    assert text.splitlines()[4] == "currency: [тенге"
    with pytest.raises(InputError) as excinfo:
        load_inputs(make_inputs(tmp_path, grant=text))
    message = str(excinfo.value)
    assert message.startswith("grant.yml:")
    assert "YAML error" in message
    assert isinstance(excinfo.value.row, int) and excinfo.value.row >= 5


def test_grant_missing_key(tmp_path):
    text = GRANT_YML.replace("currency: тенге\n", "")
    with pytest.raises(InputError) as excinfo:
        load_inputs(make_inputs(tmp_path, grant=text))
    assert str(excinfo.value) == "grant.yml: missing key «currency»"


def test_grant_bad_period_date(tmp_path):
    text = GRANT_YML.replace("end: '2023-06-30'", "end: '30.02.2023'")
    with pytest.raises(InputError) as excinfo:
        load_inputs(make_inputs(tmp_path, grant=text))
    assert str(excinfo.value) == ("grant.yml:12: periods[0].end = 30.02.2023: "
                                  "expected a date like 2022-05-23 or 23.05.2022")


def test_grant_python_tag_is_an_error_and_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = GRANT_YML.replace("amount: 1000000", f"amount: !!python/object/apply:os.system ['touch {marker}']")
    root = make_inputs(tmp_path / "in", grant=text)
    with pytest.raises(InputError) as excinfo:
        load_inputs(root)
    assert not marker.exists()
    message = str(excinfo.value)
    assert message.startswith("grant.yml:4: YAML error:")
    assert "python/object/apply:os.system" in message


def test_grant_amount_with_spaces_is_parsed_or_rejected(tmp_path):
    root = make_inputs(tmp_path, grant=GRANT_YML.replace("amount: 1000000", "amount: 29 364 470"))
    try:
        inputs = load_inputs(root)
    except InputError as error:
        assert "amount" in str(error)
        return
    f = declarations.report_figures(select(inputs, make_scope(inputs.grant, "p1", "all")), ())
    assert f["grant.amount"] == 29364470


def test_grant_agreement_not_a_mapping_is_an_input_error(tmp_path):
    text = GRANT_YML.replace("agreement: {number: 7, date: '2023-01-10', annex: 4}", "agreement: 43")
    with pytest.raises(InputError) as excinfo:
        load_inputs(make_inputs(tmp_path, grant=text))
    assert str(excinfo.value) == "grant.yml:1: agreement = 43: expected a mapping of keys (number, date, annex)"
