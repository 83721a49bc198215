"""Reading spreadsheets as people make them (`pipeline/inputs/headers.py`, `reading.py`): headers
in Russian and Kazakh or the grant's own, title rows above the header (CSV and xlsx alike),
numbering and unknown columns ignored, blank rows anywhere, totals rows skipped and listed,
and one line when no header row is found or two headers name one column."""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import openpyxl
import pandas as pd
import pytest
from conftest import DEMO_INPUTS, PROJECT
from helpers_inputs import GRANT_YML, make_inputs, write_bytes, write_csv, write_xlsx

from pipeline.exceptions import InputError
from pipeline.inputs.grant import parse_grant
from pipeline.inputs.headers import (
    HEADER_SEARCH_ROWS,
    column_letter,
    fold,
    header_score,
    is_totals,
    match_header,
    vocabulary,
)
from pipeline.inputs.loading import InputProblems, load_inputs
from pipeline.inputs.reading import read_table_raw, table_files
from pipeline.inputs.schema import HEADERS, TABLE_HEADERS, TABLES, header_names
from pipeline.inputs.validation import validate

TS = pd.Timestamp
EVENTS = [["event_id", "activity_id", "type", "title", "region", "start_date", "format"],
          ["E1", "1.1", "training", "Тренинг", "north", "2023-02-01", "offline"]]


def write(path, rows):
    """`rows` as a CSV or an .xlsx, by the path's suffix."""
    return write_xlsx(path, rows) if path.suffix == ".xlsx" else write_csv(path, rows)


def parts(root, table, grant=None):
    raw, _ = read_table_raw(root, table, grant)
    return raw, raw.attrs["parts"]


# ---------------------------------------------------------------- matching one header

@pytest.mark.parametrize("header, column", [
    ("ФИО", "full_name"), ("Ф.И.О.", "full_name"), (" фио ", "full_name"), ("Аты-жөні", "full_name"),
    ("FULL_NAME", "full_name"), ("Full name", "full_name"), ("Код мероприятия", "event_id"),
    ("Іс-шара коды", "event_id"), ("КОД  МЕРОПРИЯТИЯ:", "event_id"), ("Фамилия, имя, отчество", "full_name"),
    ("Пол", "gender"), ("Жынысы", "gender"), ("Категория (МСУ, НКО)", "category"),
    ("registration/Пол", "gender"), ("group_ab12/event_id", "event_id"), ("ФИО участника", "full_name"),
])
def test_a_header_names_its_column_under_folding(header, column):
    assert vocabulary("participants").column(header) == column


@pytest.mark.parametrize("header", ["Телефон", "№", "№ п/п", "#", "", "_id", "Код", "Ф.И.О. слушателя", "Пол/возраст",
                                    "Фамилия/Имя"])
def test_other_headers_name_no_column(header):
    assert vocabulary("participants").column(header) is None


@pytest.mark.parametrize("table, header, column", [
    ("expenses", "Сумма, тенге", "amount"), ("expenses", "Сумма (тенге)", "amount"),
    ("consultations", "Получен ответ, да/нет", "answered"), ("consultations", "Получен ответ (да/нет)", "answered"),
    ("consultations", "group_k/Получен ответ, да/нет", "answered"), ("media", "Охват, чел.", "reach"),
])
def test_a_note_after_the_name_is_read_past(table, header, column):
    assert vocabulary(table).column(header) == column


def test_yo_and_numero_fold_away():
    assert fold("Ёлка № 5") == fold("елка 5") == "елка5"
    assert vocabulary("media").column("Количество публикаций") == "publications"
    assert vocabulary("events").column("Населённый пункт") == "settlement"


def test_the_issues_names_are_declared_for_every_column_they_list():
    """The table of issue 13, point 2: each column's Russian and Kazakh names."""
    named = {"event_id": ("Код мероприятия", "Іс-шара коды"), "activity_id": ("Мероприятие плана", "Жоспар бойынша іс-шара"),
             "full_name": ("ФИО", "Аты-жөні"), "category": ("Категория", "Санаты"), "gender": ("Пол", "Жынысы"),
             "consultation_id": ("Код консультации", "Кеңес коды"), "date": ("Дата", "Күні"),
             "region": ("Область", "Облыс"), "beneficiary": ("Получатель консультации", "Кеңес алушы"),
             "topic": ("Тема", "Тақырып"), "answered": ("Получен ответ", "Жауап алынды"),
             "amount": ("Сумма", "Сома"), "description": ("Назначение платежа", "Төлем мақсаты"),
             "document": ("Документ", "Құжат"), "platform": ("Платформа", "Платформа"), "account": ("Аккаунт", "Аккаунт"),
             "owner": ("Владелец", "Иесі"), "language": ("Язык", "Тілі"), "reach": ("Охват", "Қамту"),
             "publications": ("Количество публикаций", "Жарияланым саны"), "url": ("Ссылка", "Сілтеме")}
    for table, columns in TABLES.items():
        words = vocabulary(table)
        for column in columns:
            if column.name in named:
                for name in named[column.name]:
                    assert words.column(name) == column.name, (table, column.name, name)
    assert vocabulary("media").column("Название") == "title" and vocabulary("media").column("Атауы") == "title"


def test_no_two_columns_of_a_table_share_a_name():
    for table, columns in TABLES.items():
        seen: dict[str, str] = {}
        for column in columns:
            russian, kazakh = header_names(table, column.name)
            for name in {fold(n) for n in (column.name, *russian, *kazakh)}:
                assert seen.setdefault(name, column.name) == column.name, (table, name)
    assert all(russian and kazakh for russian, kazakh in HEADERS.values())


def test_the_grants_names_come_first():
    words = vocabulary("participants", columns={"Ф.И.О. слушателя": "full_name", "Пол": "category"})
    assert words.column("ФИО слушателя") == "full_name"
    assert words.column("Пол") == "category"  # the grant's own meaning of a header wins
    assert words.column("ФИО") == "full_name"


def test_two_headers_naming_one_column_are_one_line():
    words = vocabulary("consultations")
    with pytest.raises(InputError) as error:
        match_header(["Код консультации", "Регион", "Дата", "Область"], words, "consultations.csv", 3)
    assert str(error.value) == ("consultations.csv:3: «Регион» and «Область» (columns B and D) both name the column "
                                "«region»: keep one of them")
    with pytest.raises(InputError) as error:
        match_header(["date", "Date "], words, "c.csv", 1)
    assert str(error.value) == "c.csv:1: the column «date» is named twice (columns A and B): keep one of them"


def test_a_header_row_matched_keeps_order_and_lists_what_it_ignores():
    header = match_header(["№", "Ф.И.О.", "", "Телефон", "Код мероприятия", "Телефон"],
                          vocabulary("participants"), "p.csv", 1)
    assert dict(header.positions) == {"full_name": 1, "event_id": 4}
    assert header.ignored == ("№", "Телефон", "Телефон")


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


@pytest.mark.parametrize("cells, totals", [
    (["Итого", "", "45"], True), (["", "ИТОГО:", "45"], True), (["Всего участников", "12"], True),
    (["Барлығы", "3"], True), (["Total", "3"], True), (["", "", ""], False),
    (["Итоговая конференция", "E1"], False), (["E1", "Итого"], False), (["Всеволод", "E1"], False),
])
def test_a_totals_row_is_told_by_its_first_filled_cell(cells, totals):
    assert is_totals(cells) is totals


# ---------------------------------------------------------------- whole files

@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_numbers(tmp_path, suffix):
    root = make_inputs(tmp_path, events=EVENTS)
    write(root / f"participants{suffix}", [
        ["Список участников тренинга «Бюджет для граждан»"],
        ["г. Кокшетау, 12.02.2023"],
        [],
        ["№", "Код мероприятия", "Ф.И.О.", "Пол", "Телефон"],
        [1, "E1", "Иванов Иван", "м", "+7 701 000 00 00"],
        [],
        [2, "E1", "Петрова Анна", "ж", None],
        [3, None, None, None, None],  # a numbered template row left empty
        ["Итого", None, None, None, None],
    ])
    inputs = load_inputs(root)
    people = inputs["participants"]
    assert people["full_name"].tolist() == ["Иванов Иван", "Петрова Анна"]
    assert people["gender"].tolist() == ["м", "ж"]
    assert people["_row"].tolist() == [5, 7]
    _, [part] = parts(root, "participants")
    assert part.file == f"participants{suffix}" and part.header_line == 4 and part.rows == 2
    assert part.names == ("event_id", "full_name", "gender")
    assert part.ignored == ("№", "Телефон")
    assert part.totals == (9,)
    raw, _ = parts(root, "participants")
    assert "+7 701 000 00 00" not in raw.to_string()  # a column nobody maps is never read


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_problem_below_title_rows_names_the_row_the_user_sees(tmp_path, suffix):
    root = make_inputs(tmp_path)
    write(root / f"expenses{suffix}", [["Расходы за 2023 год"], [None], ["Дата", "Мероприятие плана", "Сумма (тенге)"],
                                       ["2023-01-05", "1.1", "12 тыс."]])
    [line] = [str(p) for p in validate(root).problems]
    assert line.startswith(f"expenses{suffix}:4: amount = 12 тыс.: ")


def test_a_header_in_russian_and_kazakh_reads_as_the_contract(tmp_path):
    root = make_inputs(tmp_path, events=EVENTS)
    write_csv(root / "consultations.csv", [
        ["Код консультации", "Жоспар бойынша іс-шара", "Күні", "Регион", "Получатель консультации", "Тақырып",
         "Получен ответ"],
        ["C1", "1.1", "12.02.2023", "north", "Ахметов", "Земля", "да"]], sep=";")
    consultations = load_inputs(root)["consultations"]
    assert consultations["consultation_id"].tolist() == ["C1"]
    assert consultations["date"].tolist() == [TS("2023-02-12")]
    assert consultations["answered"].tolist() == [True]


def test_the_separator_is_the_one_that_makes_a_header_under_a_title_line(tmp_path):
    root = make_inputs(tmp_path)
    write_bytes(root / "centres.csv", "Центры, открытые в 2023 году\r\nРегион;Название центра;Дата открытия\r\n"
                "north;Центр «Север», г. Кокшетау;15.02.2023\r\n".encode())
    centres = load_inputs(root)["centres"]
    assert centres["name"].tolist() == ["Центр «Север», г. Кокшетау"]
    assert centres["_row"].tolist() == [3]


def test_the_grants_columns_read_its_own_headers(tmp_path):
    grant = GRANT_YML + "columns:\n  participants: {'Ф.И.О. слушателя': full_name, 'Мероприятие №': event_id}\n"
    rows = [["Мероприятие №", "ФИО слушателя"], ["E1", "Иванов"]]
    root = make_inputs(tmp_path, grant=grant, events=EVENTS, participants=rows)
    assert load_inputs(root)["participants"]["full_name"].tolist() == ["Иванов"]
    _, [part] = parts(root, "participants", parse_grant(grant))
    assert part.names == ("event_id", "full_name") and part.ignored == ()
    with pytest.raises(InputError, match="^participants.csv:1: no header row found"):
        parts(root, "participants")  # without the grant's names, no row names a column


def test_the_grants_columns_are_checked_against_the_contract():
    grant = GRANT_YML + ("columns:\n  participants:\n    'Ф.И.О.': fullname\n  particpants: {'ФИО': full_name}\n"
                         "questionnaires:\n  training_surveys: {knowlege_before: 'Знания до'}\n")
    lines = GRANT_YML.count("\n")
    with pytest.raises(InputProblems) as error:
        parse_grant(grant)
    assert [str(p) for p in error.value.problems] == [
        f"grant.yml:{lines + 3}: columns.participants.Ф.И.О. = fullname: expected a column of participants "
        "(event_id, full_name, category, gender)",
        f"grant.yml:{lines + 4}: unknown key «particpants» under «columns»: did you mean «participants»?",
        f"grant.yml:{lines + 6}: questionnaires.training_surveys = knowlege_before: expected a column of "
        "training_surveys (event_id, respondent_id, knowledge_before, knowledge_after, trainer, organisation, "
        "recommendation)",
    ]


def test_a_line_to_sign_on_is_no_header_cell():
    words = vocabulary("participants")
    assert header_score(["________", "Подпись"], words) == 0
    assert header_score(["_id", "__version__", "_submission_time", "Timestamp", "ФИО"], words) == 5


def test_the_header_is_the_row_naming_the_most_columns(tmp_path):
    """A title that happens to be a column's name («Мероприятие») does not take the header's place."""
    root = make_inputs(tmp_path, plan=[
        ["Мероприятие"],
        ["Номер задачи", "Задача", "Мероприятие плана", "Мероприятие", "Срок", "Показатель"],
        ["1", "Задача", "1.1", "Тренинги", "2023", "Число тренингов"]])
    plan = load_inputs(root)["plan"]
    assert plan["activity_id"].tolist() == ["1.1"] and plan["_row"].tolist() == [3]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_no_header_row_is_one_line_naming_the_row_looked_at_and_what_was_expected(tmp_path, suffix):
    root = make_inputs(tmp_path)
    (root / "plan.csv").unlink()
    write(root / f"plan{suffix}", [["План мероприятий"], [], ["Номер", "Цель", "Работа"], ["1", "Цель", "Работа"]])
    assert [str(p) for p in validate(root).problems] == [
        f"plan{suffix}:3: no header row found: this row (the widest of the first 3 non-blank rows) holds «Номер», "
        "«Цель», «Работа», and none of those rows names a column of «plan»; expected a header row naming task_no "
        "(«Номер задачи»), task («Задача»), activity_id («Мероприятие плана»), activity («Мероприятие»), deadline "
        "(«Срок»), indicator («Показатель»)"]


def test_no_header_row_never_shows_a_row_of_a_table_holding_personal_data(tmp_path):
    root = make_inputs(tmp_path, events=EVENTS, participants=[["E1", "Иванов Иван"], ["E1", "Петров Пётр"]])
    [line] = [str(p) for p in validate(root).problems]
    assert line == ("participants.csv:1: no header row found: this row (the widest of the first 2 non-blank rows) "
                    "holds 2 filled cells (not shown: «participants» holds personal data), and none of those rows "
                    "names a column of «participants»; expected a header row naming event_id («Код мероприятия»), "
                    "full_name («ФИО»)")
    assert "Иванов" not in line


def test_the_header_is_looked_for_in_the_first_ten_non_blank_rows(tmp_path):
    titles = [[f"Строка {i}"] for i in range(HEADER_SEARCH_ROWS - 1)]
    root = make_inputs(tmp_path, centres=[*titles, [], ["region", "name", "opened"], ["north", "Ц", "2023-01-01"]])
    assert load_inputs(root)["centres"]["_row"].tolist() == [HEADER_SEARCH_ROWS + 2]
    root = make_inputs(tmp_path / "late", centres=[*titles, ["Ещё строка"], ["region", "name", "opened"],
                                                   ["north", "Ц", "2023-01-01"]])
    [line] = [str(p) for p in validate(root).problems]
    assert line.startswith("centres.csv:1: no header row found: this row (the widest of the first 10 non-blank rows)")


def test_a_wide_header_under_titles_is_held_to_the_column_limit(tmp_path):
    root = make_inputs(tmp_path)
    write_xlsx(root / "metrics.xlsx", [["Показатели"], ["date", "name", "value", "source", *[f"x{i}" for i in range(197)]]])
    assert [str(p) for p in validate(root).problems] == [
        "metrics.xlsx:2: 201 columns in the header line: a table file may have at most 200"]


def test_a_row_numbering_the_columns_below_the_header_is_part_of_it(tmp_path):
    root = make_inputs(tmp_path)
    write_csv(root / "expenses.csv", [["Дата", "Мероприятие плана", "Сумма", "Примечание"], ["1", "2", "3", "4"],
                                      ["2023-02-01", "1.1", "100", ""], ["1", "2", "3", "4"]])
    raw, _ = parts(root, "expenses")
    assert raw["_row"].tolist() == [3, 4]  # only right below the header: row 4 is a record, and a wrong one
    lines = [str(p) for p in validate(root).problems]
    assert any(line.startswith("expenses.csv:4: date = 1: ") for line in lines), lines
    assert not any(line.startswith("expenses.csv:2:") for line in lines), lines


def test_a_totals_row_is_skipped_wherever_it_is_and_listed_on_its_part(tmp_path):
    root = make_inputs(tmp_path)
    write_xlsx(root / "expenses.xlsx", [
        ["date", "activity_id", "amount"],
        [dt.date(2023, 2, 1), "1.1", 100],
        ["Итого по мероприятию 1.1", None, 100],
        [dt.date(2023, 3, 1), "1.1", 50],
        ["ВСЕГО:", None, 150]])
    expenses = load_inputs(root)["expenses"]
    assert expenses["amount"].tolist() == [100, 50] and expenses["_row"].tolist() == [2, 4]
    _, [part] = parts(root, "expenses")
    assert part.totals == (3, 5) and part.rows == 2


def test_an_empty_file_and_a_file_of_blank_lines_still_say_so(tmp_path):
    root = make_inputs(tmp_path)
    write_bytes(root / "metrics.csv", b"\r\n;;\r\n")
    assert [str(p) for p in validate(root).problems] == [
        "metrics.csv: empty file: expected a header line naming the columns"]
    _, [part] = parts(root, "metrics")
    assert part.header_line == 0 and part.names == ()


def test_parts_of_a_folder_each_find_their_own_header(tmp_path):
    root = make_inputs(tmp_path, events=[*EVENTS, ["E2", "1.1", "training", "Т", "south", "2023-03-01", "online"]])
    write_xlsx(root / "participants" / "north.xlsx", [["Северная область"], ["Код мероприятия", "ФИО"], ["E1", "А"]])
    write_csv(root / "participants" / "south.csv", [["event_id", "full_name", "Примечание"], ["E2", "Б", "x"]])
    people = load_inputs(root)["participants"]
    assert people[["event_id", "_file", "_row"]].values.tolist() == [
        ["E1", "participants/north.xlsx", 3], ["E2", "participants/south.csv", 2]]
    _, found = parts(root, "participants")
    assert [(p.header_line, p.ignored) for p in found] == [(2, ()), (1, ("Примечание",))]


def test_docs_list_every_header_name_the_schema_declares():
    """docs/inputs.md's «Header names» table is the schema's HEADERS and TABLE_HEADERS, row for row."""
    text = (PROJECT / "docs" / "inputs.md").read_text(encoding="utf-8")
    section = text.split("\n## Header names\n", 1)[1].split("\n## ", 1)[0]
    documented = [line for line in section.splitlines() if line.startswith("| `")]
    declared = [f"| `{column}` | {', '.join(russian)} | {', '.join(kazakh)} |"
                for column, (russian, kazakh) in HEADERS.items()]
    declared += [f"| `{column}` in `{table}` | {', '.join(russian)} | {', '.join(kazakh)} |"
                 for (table, column), (russian, kazakh) in TABLE_HEADERS.items()]
    assert documented == declared


def test_a_grant_header_must_have_a_letter_or_digit():
    with pytest.raises(InputError) as error:
        parse_grant(GRANT_YML + "columns:\n  participants: {'№': full_name}\n")
    assert str(error.value) == (f"grant.yml:{GRANT_YML.count(chr(10)) + 2}: columns.participants = №: "
                                "expected a header with a letter or a digit")


@pytest.mark.parametrize("language", [0, 1])
def test_the_demo_written_as_people_write_it_reads_as_its_contract_shaped_twin(tmp_path, language):
    """Every table of the demo with Russian (or Kazakh) headers, a title row, a numbering column,
    a blank row and a totals row: the same typed tables, each row one line further down."""
    root = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, root)
    for table in TABLES:
        for path in table_files(root, table):
            if path.suffix == ".xlsx":
                sheet = openpyxl.load_workbook(path).worksheets[0]
                rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
            else:
                data = path.read_bytes()
                try:
                    text = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = data.decode("cp1251")
                separator = max(";,\t", key=text.splitlines()[0].count)
                rows = list(csv.reader(text.splitlines(), delimiter=separator))
            header = [header_names(table, name)[language][0] for name in rows[0]]
            body = [["", *row] for row in rows[1:]]
            numbered = [[str(i), *row[1:]] for i, row in enumerate(body, start=1)]
            write(path, [[f"Таблица {table}"], ["№", *header], *numbered, [], ["Итого", *[""] * len(header)]])
    shaped, contract = load_inputs(root), load_inputs(DEMO_INPUTS)
    for table in TABLES:
        got, want = shaped[table], contract[table]
        assert got.drop(columns="_row").equals(want.drop(columns="_row")), table
        assert (got["_row"] == want["_row"] + 1).all(), table


@pytest.mark.parametrize("cells, signature", [
    (["Руководитель проекта", "", "________ Ирина"], True), (["М.П."], True), (["Басшы: ____"], True),
    (["Исполнитель: Иванова А., тел. 8 701"], True), (["", "", "_____________"], True),
    (["E01", "Руководитель отдела", "студент", "ж"], False), (["1", "Иванов Иван", "Руководитель"], False),
    (["Руководитель", "Иванов", "А.", "отдел", "2023"], False), (["2023-01-01", "A1", "850000"], False)])
def test_a_signature_line_is_told_from_a_record(cells, signature):
    from pipeline.inputs.headers import is_signature

    assert is_signature(cells) is signature
