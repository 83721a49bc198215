"""`validation.validate`: a corpus of broken inputs, each made from a copy of the demo inputs
by one mutation, must give exactly the expected `file:row: column = value: expected` lines
(and never raise); the demo inputs give no problem and a few counted warnings."""

from __future__ import annotations

import csv
import io
import shutil
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import DEMO_INPUTS, OTHER_GRANT

from pipeline.exceptions import InputError
from pipeline.inputs import checks, notes
from pipeline.inputs.datawarning import DataWarning
from pipeline.inputs.validation import Validation, validate

REGIONS = "almaty, kyzylorda, turkestan, zko, mangystau, aktobe, atyrau"
SCORE = "expected a score 1–5"
DATE = "expected a date like 2022-05-23 or 23.05.2022"


# ---------------------------------------------------------------- mutating a copy of the demo inputs

@pytest.fixture
def demo(tmp_path) -> Path:
    """A private copy of the demo inputs: each test breaks one thing in it."""
    target = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, target)
    return target


class CsvFile:
    """A CSV file of the inputs, edited by row number as the user sees it (header = row 1),
    written back in its own encoding, separator, BOM and line ends."""

    def __init__(self, path: Path):
        self.path = path
        data = path.read_bytes()
        self.bom = data.startswith(b"\xef\xbb\xbf")
        try:
            text = data.decode("utf-8-sig")
            self.encoding = "utf-8"
        except UnicodeDecodeError:
            text = data.decode("cp1251")
            self.encoding = "cp1251"
        self.newline = "\r\n" if "\r\n" in text else "\n"
        header = text.split("\n", 1)[0]
        self.sep = ";" if header.count(";") > header.count(",") else ","
        self.rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=self.sep))

    @property
    def header(self) -> list[str]:
        return self.rows[0]

    def get(self, row: int, column: str) -> str:
        return self.rows[row - 1][self.header.index(column)]

    def set(self, row: int, column: str, value: str) -> CsvFile:
        self.rows[row - 1][self.header.index(column)] = value
        return self.save()

    def drop_column(self, column: str) -> CsvFile:
        index = self.header.index(column)
        self.rows = [r[:index] + r[index + 1:] for r in self.rows]
        return self.save()

    def append_copy(self, row: int, **changes: str) -> int:
        """Append a copy of `row` (with changes); returns the new row's number."""
        copy = list(self.rows[row - 1])
        for column, value in changes.items():
            copy[self.header.index(column)] = value
        self.rows.append(copy)
        self.save()
        return len(self.rows)

    def save(self) -> CsvFile:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=self.sep, lineterminator=self.newline).writerows(self.rows)
        data = buffer.getvalue().encode(self.encoding)
        self.path.write_bytes((b"\xef\xbb\xbf" if self.bom else b"") + data)
        return self


def edit_grant(root: Path, old: str, new: str) -> str:
    path = root / "grant.yml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of grant.yml that holds `fragment`."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


def lines(root: Path) -> list[str]:
    report = validate(root)
    assert isinstance(report, Validation)
    assert all(isinstance(p, InputError) for p in report.problems)
    assert report.ok == (not report.problems)
    return [str(p) for p in report.problems]


def set_xlsx(path: Path, row: int, column: str, value: object) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=row, column=header.index(column) + 1, value=value)
    workbook.save(path)


# ---------------------------------------------------------------- the corpus: one mutation, exact lines
# Each case breaks one thing in a copy of the demo inputs and returns the exact lines expected.

def missing_plan(root):
    (root / "plan.csv").unlink()
    return ["plan.csv: table «plan» not found (.csv, .xlsx or folder)"]


def missing_grant(root):
    (root / "grant.yml").unlink()
    return ["grant.yml: file not found in the inputs folder"]


def missing_inputs_folder(root):
    shutil.rmtree(root)
    return [f"{root}: inputs folder not found"]


def missing_events_that_others_refer_to(root):
    (root / "events.csv").unlink()
    rows = {part: len(CsvFile(root / "participants" / part).rows) - 1
            for part in ("aktobe.csv", "almaty.csv", "mangystau.csv", "online.csv", "turkestan.csv", "zko.csv")}
    first = {part: CsvFile(root / "participants" / part).get(2, "event_id") for part in rows}
    kyzylorda = openpyxl.load_workbook(root / "participants" / "kyzylorda.xlsx").worksheets[0]
    tail = ("expected an event_id listed in events "
            "(table «events» not found or empty; {} rows of this file refer to it)")
    expected = [f"participants/{part}:2: event_id = {first[part]}: {tail.format(rows[part])}" for part in rows]
    expected.insert(2, f"participants/kyzylorda.xlsx:2: event_id = {kyzylorda['A2'].value}: "
                       + tail.format(kyzylorda.max_row - 1))
    surveys = CsvFile(root / "training_surveys.csv")
    expected.append(f"training_surveys.csv:2: event_id = E004: {tail.format(len(surveys.rows) - 1)}")
    return expected


def missing_column(root):
    CsvFile(root / "events.csv").drop_column("region")
    return ["events.csv:1: missing column «region»: expected a header such as «Регион», «Область», «Өңір», «Облыс», "
            "«region» (or one named in grant.yml `columns:`)"]


def missing_column_in_one_part(root):
    CsvFile(root / "participants" / "zko.csv").drop_column("full_name")
    return ["participants/zko.csv:1: missing column «full_name»: expected a header such as «ФИО», "
            "«Фамилия имя отчество», «ФИО участника», «Аты-жөні», «Тегі, аты, әкесінің аты», «full_name» (or one "
            "named in grant.yml `columns:`)"]


def duplicate_column(root):
    f = CsvFile(root / "media.csv")
    f.rows[0][f.header.index("title")] = "reach"
    f.save()
    return ["media.csv:1: the column «reach» is named twice (columns E and G): keep one of them"]


def empty_file(root):
    (root / "participants" / "online.csv").write_bytes(b"")
    return ["participants/online.csv: empty file: expected a header line naming the columns"]


def empty_table_file(root):
    (root / "metrics.csv").write_bytes(b"\r\n")
    return ["metrics.csv: empty file: expected a header line naming the columns"]


def unreadable_xlsx(root):
    (root / "participants" / "kyzylorda.xlsx").write_bytes(b"this is not a workbook \x00\x01\x02" * 10)
    return ["participants/kyzylorda.xlsx: not a readable .xlsx workbook (BadZipFile)"]


def unreadable_csv(root):
    (root / "participants" / "zko.csv").write_bytes(b"event_id,full_name\n\x98\x98\xff\x00\n")
    return ["participants/zko.csv: cannot be read as text in UTF-8 or cp1251 (save it as «CSV UTF-8»)"]


def wrong_type_reach(root):
    CsvFile(root / "media.csv").set(5, "reach", "много")
    return ["media.csv:5: reach = много: expected a whole number ≥ 0"]


def wrong_type_amount(root):
    CsvFile(root / "expenses.csv").set(4, "amount", "сто тысяч")
    return ["expenses.csv:4: amount = сто тысяч: expected a number"]


def wrong_type_bool_in_cp1251(root):
    CsvFile(root / "consultations.csv").set(3, "answered", "может")
    return ["consultations.csv:3: answered = может: expected да/нет or yes/no"]


def wrong_type_count(root):
    CsvFile(root / "events.csv").set(2, "reported_participants", "143,5")
    return ["events.csv:2: reported_participants = 143,5: expected a whole number ≥ 0"]


def blank_required_cell(root):
    CsvFile(root / "participants" / "turkestan.csv").set(3, "event_id", "")
    return ["participants/turkestan.csv:3: event_id = '': expected a value, the cell is empty"]


def impossible_iso_date(root):
    CsvFile(root / "events.csv").set(5, "start_date", "2022-02-30")
    return [f"events.csv:5: start_date = 2022-02-30: {DATE}"]


def impossible_russian_date(root):
    CsvFile(root / "consultations.csv").set(4, "date", "31.04.2022")
    return [f"consultations.csv:4: date = 31.04.2022: {DATE}"]


def end_date_before_start_date(root):
    CsvFile(root / "events.csv").set(5, "end_date", "2022-05-20")
    return ["events.csv:5: end_date = 2022-05-20: expected an end_date on or after start_date (2022-05-23)"]


def scores_out_of_range(root):
    f = CsvFile(root / "training_surveys.csv")
    f.set(7, "knowledge_before", "7")
    f.set(8, "trainer", "0")
    f.set(9, "organisation", "6")
    return [f"training_surveys.csv:7: knowledge_before = 7: {SCORE}",
            f"training_surveys.csv:8: trainer = 0: {SCORE}",
            f"training_surveys.csv:9: organisation = 6: {SCORE}"]


def satisfaction_out_of_range(root):
    CsvFile(root / "feedback.csv").set(4, "satisfaction", "0")
    return [f"feedback.csv:4: satisfaction = 0: {SCORE}"]


def negative_reach_and_counts(root):
    CsvFile(root / "media.csv").set(3, "reach", "-5")
    CsvFile(root / "media.csv").set(6, "publications", "-1")
    CsvFile(root / "events.csv").set(2, "reported_participants", "-143")
    return ["events.csv:2: reported_participants = -143: expected a whole number ≥ 0",
            "media.csv:3: reach = -5: expected a whole number ≥ 0",
            "media.csv:6: publications = -1: expected a whole number ≥ 0"]


def unknown_region_in_events(root):
    CsvFile(root / "events.csv").set(5, "region", "astana")
    return [f"events.csv:5: region = astana: expected a region listed in grant.yml ({REGIONS}), by its id, "
            "name or aliases"]


def unknown_region_everywhere_else(root):
    CsvFile(root / "centres.csv").set(2, "region", "Алматы")
    CsvFile(root / "consultations.csv").set(10, "region", "туркестан")
    CsvFile(root / "media.csv").set(17, "region", "kzo")
    CsvFile(root / "expenses.csv").set(2, "region", "west")
    CsvFile(root / "metrics.csv").set(2, "region", "all")
    tail = f"expected a region listed in grant.yml ({REGIONS}), by its id, name or aliases"
    paste = " To read it so, paste under {} in grant.yml: aliases: [\"{}\"]"
    return [f"centres.csv:2: region = Алматы: {tail}: did you mean almaty?" + paste.format("almaty", "Алматы"),
            f"consultations.csv:10: region = туркестан: {tail}: did you mean turkestan?"
            + paste.format("turkestan", "туркестан"),
            f"expenses.csv:2: region = west: {tail}",
            f"media.csv:17: region = kzo: {tail}: did you mean zko?" + paste.format("zko", "kzo"),
            f"metrics.csv:2: region = all: {tail}"]


def unknown_event(root):
    """A registration list's unknown event stays a problem; a questionnaire's is a warning (below)."""
    CsvFile(root / "participants" / "turkestan.csv").set(3, "event_id", "E099")
    CsvFile(root / "training_surveys.csv").set(4, "event_id", "E098")
    return ["participants/turkestan.csv:3: event_id = E099: expected an event_id listed in events"]


def unknown_event_in_xlsx_part(root):
    set_xlsx(root / "participants" / "kyzylorda.xlsx", 5, "event_id", "E60")
    return ["participants/kyzylorda.xlsx:5: event_id = E60: expected an event_id listed in events"]


def unknown_activity(root):
    CsvFile(root / "expenses.csv").set(2, "activity_id", "9.9")
    CsvFile(root / "events.csv").set(3, "activity_id", "1.2")
    CsvFile(root / "consultations.csv").set(2, "activity_id", "1")
    CsvFile(root / "feedback.csv").set(5, "activity_id", "3.2")
    CsvFile(root / "media.csv").set(2, "activity_id", "4.3")
    tail = "expected an activity_id listed in plan"
    return [f"consultations.csv:2: activity_id = 1: {tail}",
            f"events.csv:3: activity_id = 1.2: {tail}",
            f"expenses.csv:2: activity_id = 9.9: {tail}",
            f"feedback.csv:5: activity_id = 3.2: {tail}",
            f"media.csv:2: activity_id = 4.3: {tail}"]


def duplicate_event_id(root):
    f = CsvFile(root / "events.csv")
    row = f.append_copy(len(f.rows))
    return [f"events.csv:{row}: event_id = E020: expected a unique event_id (also on row {row - 1})"]


def duplicate_consultation_id(root):
    row = CsvFile(root / "consultations.csv").append_copy(5)
    return [f"consultations.csv:{row}: consultation_id = C004: expected a unique consultation_id (also on row 5)"]


def duplicate_activity_id(root):
    row = CsvFile(root / "plan.csv").append_copy(2)
    return [f"plan.csv:{row}: activity_id = 1.1: expected a unique activity_id (also on row 2)"]


def duplicate_feedback_form(root):
    row = CsvFile(root / "feedback.csv").append_copy(3)
    return [f"feedback.csv:{row}: consultation_id = C007: expected a unique consultation_id (also on row 3)"]


def duplicate_questionnaire(root):
    row = CsvFile(root / "training_surveys.csv").append_copy(3)
    return [f"training_surveys.csv:{row}: respondent_id = E004-02: "
            "expected a unique respondent_id for event_id E004 (also on row 3)"]


def unknown_type_and_owner(root):
    CsvFile(root / "events.csv").set(5, "type", "webinar")
    CsvFile(root / "media.csv").set(4, "owner", "blogger")
    return ["events.csv:5: type = webinar: "
            "expected one of conference, training, meeting, presentation, round_table, other. To count it as a type "
            "of its own, paste in grant.yml: event_types: {webinar: {name: \"Webinar\", words: [\"webinar\"]}}",
            "media.csv:4: owner = blogger: expected one of own, partner, press"]


def unknown_format(root):
    CsvFile(root / "events.csv").set(6, "format", "hybrid")
    return ["events.csv:6: format = hybrid: expected one of online, offline"]


def yaml_syntax_error(root):
    text = edit_grant(root, "currency: тенге", "currency: [тенге")
    line = line_of(text, "currency: [тенге")
    assert line == 11
    return [f"grant.yml:{line + 1}: YAML error: expected ',' or ']', but got ':' "
            f"(while parsing a flow sequence that starts on line {line})"]


def yaml_bad_indentation(root):
    text = edit_grant(root, "  short_name: {ru: 'ОЮЛ «ГАМО»'", "   short_name: {ru: 'ОЮЛ «ГАМО»'")
    return [f"grant.yml:{line_of(text, 'short_name')}: YAML error: expected <block end>, but found "
            f"'<block mapping start>' (while parsing a block mapping that starts on line {line_of(text, 'name:')})"]


def yaml_missing_key(root):
    edit_grant(root, "currency: тенге\n", "")
    return ["grant.yml: missing key «currency»"]


def yaml_missing_period_key(root):
    text = edit_grant(root, "    end: '2022-06-15'\n", "")
    return [f"grant.yml:{line_of(text, '- id: 2022-interim')}: missing key «periods[0].end»"]


def yaml_missing_nested_key(root):
    text = edit_grant(root, "  name: 'Ирина'\n", "")
    return [f"grant.yml:{line_of(text, 'signatory:')}: missing key «signatory.name»"]


def yaml_blank_values(root):
    edit_grant(root, "  position: {ru: 'Руководитель проекта', kk: 'Жоба жетекшісі'}", "  position: ''")
    text = edit_grant(root, "    title: 'Итоговый программный отчет'", "    title:")
    return [f"grant.yml:{line_of(text, 'position:')}: signatory.position = '': expected a value",
            f"grant.yml:{text.splitlines().index('    title:') + 1}: periods[1].title = '': expected a value"]


def yaml_blank_region_id(root):
    text = edit_grant(root, "  - {id: atyrau,", "  - {id: ,")
    return [f"grant.yml:{line_of(text, '{id: ,')}: regions[6].id = '': expected a value"]


def yaml_impossible_quoted_date(root):
    text = edit_grant(root, "start: '2022-04-01'\n    end: '2022-06-15'", "start: '2022-04-01'\n    end: '31.06.2022'")
    return [f"grant.yml:{line_of(text, '31.06.2022')}: periods[0].end = 31.06.2022: {DATE}"]


def yaml_impossible_unquoted_date(root):
    text = edit_grant(root, "    end: '2022-11-30'", "    end: 2022-11-31")
    return [f"grant.yml:{line_of(text, '2022-11-31')}: periods[1].end = 2022-11-31: {DATE}"]


def period_ends_before_it_starts(root):
    text = edit_grant(root, "    end: '2022-11-30'", "    end: '2022-03-31'")
    line = line_of(text, "end: '2022-03-31'")
    return [f"grant.yml:{line}: periods[1].end = 2022-03-31: "
            "expected an end on or after start (2022-04-01)"]


def duplicate_period_and_region_ids(root):
    text = edit_grant(root, "  - {id: atyrau,", "  - {id: almaty,")
    text = edit_grant(root, "  - id: 2022-final", "  - id: 2022-interim")
    first_region = line_of(text, "{id: almaty,")
    second_region = max(n for n, line in enumerate(text.splitlines(), 1) if "{id: almaty," in line)
    first_period = line_of(text, "- id: 2022-interim")
    second_period = max(n for n, line in enumerate(text.splitlines(), 1) if "- id: 2022-interim" in line)
    return [f"grant.yml:{second_region}: regions[6].id = almaty: expected a unique id (also on line {first_region})",
            f"grant.yml:{second_period}: periods[1].id = 2022-interim: "
            f"expected a unique id (also on line {first_period})"]


def grant_not_utf8(root):
    path = root / "grant.yml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1251", errors="replace"))  # its Kazakh: «?»
    return ["grant.yml: expected UTF-8 text (save grant.yml as UTF-8)"]


def grant_negative_amount(root):
    text = edit_grant(root, "amount: 29364470", "amount: -29364470")
    return [f"grant.yml:{line_of(text, 'amount:')}: amount = -29364470: expected a positive number"]


CORPUS = [
    missing_plan, missing_grant, missing_inputs_folder, missing_events_that_others_refer_to,
    missing_column, missing_column_in_one_part, duplicate_column, empty_file, empty_table_file,
    unreadable_xlsx, unreadable_csv,
    wrong_type_reach, wrong_type_amount, wrong_type_bool_in_cp1251, wrong_type_count, blank_required_cell,
    impossible_iso_date, impossible_russian_date, end_date_before_start_date,
    scores_out_of_range, satisfaction_out_of_range, negative_reach_and_counts,
    unknown_region_in_events, unknown_region_everywhere_else, unknown_event, unknown_event_in_xlsx_part,
    unknown_activity,
    duplicate_event_id, duplicate_consultation_id, duplicate_activity_id, duplicate_feedback_form,
    duplicate_questionnaire,
    unknown_type_and_owner, unknown_format,
    yaml_syntax_error, yaml_bad_indentation, yaml_missing_key, yaml_missing_period_key,
    yaml_missing_nested_key, yaml_blank_values, yaml_blank_region_id,
    yaml_impossible_quoted_date, yaml_impossible_unquoted_date, period_ends_before_it_starts,
    duplicate_period_and_region_ids, grant_not_utf8, grant_negative_amount,
]


@pytest.fixture(scope="module")
def personal_values() -> set[str]:
    """Every name, beneficiary and comment of the demo inputs (none may appear in a message)."""
    inputs = validate(DEMO_INPUTS).inputs
    values = set()
    for table, column in (("participants", "full_name"), ("consultations", "beneficiary"), ("feedback", "comment")):
        values |= {v for v in inputs[table][column] if len(str(v).strip()) >= 4}
    assert len(values) > 300
    return values


@pytest.mark.parametrize("mutate", CORPUS, ids=[case.__name__ for case in CORPUS])
def test_broken_inputs_give_exact_lines(demo, mutate, personal_values):
    expected = mutate(demo)
    report = validate(demo)  # never raises
    got = report.lines()
    assert got == expected
    assert all(isinstance(p, InputError) for p in report.problems)
    assert not report.ok and report.warnings == []
    for line in got:
        assert "\n" not in line and "Traceback" not in line
        for value in personal_values:
            assert value not in line


def test_problems_are_sorted_by_file_then_row(demo):
    CsvFile(demo / "training_surveys.csv").set(12, "trainer", "9")
    CsvFile(demo / "training_surveys.csv").set(3, "trainer", "8")
    CsvFile(demo / "events.csv").set(9, "type", "party")
    CsvFile(demo / "consultations.csv").set(20, "answered", "?")
    got = validate(demo).problems
    assert [(p.file, p.row) for p in got] == [("consultations.csv", 20), ("events.csv", 9),
                                             ("training_surveys.csv", 3), ("training_surveys.csv", 12)]


def test_problem_attributes(demo):
    CsvFile(demo / "participants" / "zko.csv").set(2, "event_id", "E999")
    (problem,) = validate(demo).problems
    assert (problem.file, problem.row, problem.column, problem.value, problem.expected) == (
        "participants/zko.csv", 2, "event_id", "E999", "expected an event_id listed in events")


def test_cross_table_checks_also_find_several_problems_at_once(demo):
    CsvFile(demo / "events.csv").set(4, "region", "nowhere")
    CsvFile(demo / "participants" / "zko.csv").set(2, "event_id", "E999")
    CsvFile(demo / "training_surveys.csv").append_copy(2)
    files = [p.file for p in validate(demo).problems]
    assert files == ["events.csv", "participants/zko.csv", "training_surveys.csv"]


def test_while_grant_yml_is_broken_the_tables_are_still_checked(demo):
    """One pass tells everything: grant.yml's problems, and every problem of the tables that does
    not depend on it (their regions are checked once grant.yml reads)."""
    CsvFile(demo / "events.csv").set(4, "region", "nowhere")
    CsvFile(demo / "events.csv").set(6, "type", "party")
    CsvFile(demo / "participants" / "zko.csv").set(2, "event_id", "E999")
    text = edit_grant(demo, "    end: '2022-06-15'", "    end: '2022-03-15'")
    assert lines(demo) == [
        "events.csv:6: type = party: expected one of conference, training, meeting, presentation, round_table, other. "
        "To count it as a type of its own, paste in grant.yml: event_types: {party: {name: \"Party\", words: [\"party\"]}}",
        f"grant.yml:{line_of(text, '2022-03-15')}: periods[0].end = 2022-03-15: "
        "expected an end on or after start (2022-04-01)",
        "participants/zko.csv:2: event_id = E999: expected an event_id listed in events"]


def test_duplicate_in_another_part_names_that_part(demo):
    (demo / "events.csv").rename(demo / "events_all.csv")
    (demo / "events").mkdir()
    f = CsvFile(demo / "events_all.csv")
    f.path = demo / "events" / "a.csv"
    f.save()
    f.rows = [f.rows[0], f.rows[4]]  # E004 again
    f.path = demo / "events" / "b.csv"
    f.save()
    (demo / "events_all.csv").unlink()
    assert lines(demo) == ["events/b.csv:2: event_id = E004: expected a unique event_id (also on events/a.csv:5)"]


def test_python_tag_is_an_error_and_never_executed(demo, tmp_path):
    marker = tmp_path / "pwned"
    text = edit_grant(demo, "amount: 29364470", f'amount: !!python/object/apply:os.system ["touch {marker}"]')
    assert lines(demo) == [f"grant.yml:{line_of(text, 'amount:')}: YAML error: could not determine a constructor "
                           "for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"]
    assert not marker.exists()


def test_validate_never_raises_for_a_file_as_inputs(tmp_path):
    path = tmp_path / "inputs.zip"
    path.write_bytes(b"PK")
    assert lines(path) == [f"{path}: inputs folder not found"]


# ---------------------------------------------------------------- valid inputs and warnings

DEMO_WARNINGS = [
    "events.csv:4: 1 event with neither a registration list nor reported_participants (attendance counted as 0): E003",
    "media.csv:15–16, 35: 3 publications without reach (counted as 0)",
]


def test_demo_inputs_are_valid_with_two_warnings():
    report = validate(DEMO_INPUTS)
    assert report.ok and report.problems == [] and report.lines() == []
    assert [str(w) for w in report.warnings] == DEMO_WARNINGS
    assert [(w.code, w.count) for w in report.warnings] == [("events.no_attendance", 1), ("media.no_reach", 3)]
    assert all(isinstance(w, DataWarning) for w in report.warnings)
    assert report.inputs is not None and report.inputs.root == DEMO_INPUTS


def test_demo_media_really_has_three_rows_without_reach():
    f = CsvFile(DEMO_INPUTS / "media.csv")
    assert sum(1 for row in f.rows[1:] if row[f.header.index("reach")].strip() == "") == 3


def test_warnings_work_on_loaded_inputs():
    inputs = validate(DEMO_INPUTS).inputs
    assert [str(w) for w in notes.data_warnings(inputs)] == DEMO_WARNINGS


def test_other_grant_fixture_is_valid():
    report = validate(OTHER_GRANT / "inputs")
    assert report.lines() == []


def test_questionnaires_for_events_without_a_registration_list(demo):
    (demo / "participants" / "turkestan.csv").unlink()  # the lists of E004 and E005
    surveys = CsvFile(demo / "training_surveys.csv")
    n = sum(1 for row in surveys.rows[1:] if row[0] in ("E004", "E005"))
    report = validate(demo)
    assert report.ok
    assert f"training_surveys.csv:2–{n + 1}: {n} questionnaires for events without a registration list: E004, E005" \
        in [str(w) for w in report.warnings]
    (warning,) = [w for w in report.warnings if w.code == "surveys.no_list"]
    assert warning.count == n == 35


def test_more_questionnaires_than_people_on_the_list(demo):
    f = CsvFile(demo / "participants" / "turkestan.csv")
    e004 = [row for row in f.rows[1:] if row[0] == "E004"]
    f.rows = [f.rows[0]] + e004[:3] + [row for row in f.rows[1:] if row[0] != "E004"]
    f.save()
    forms = sum(1 for row in CsvFile(demo / "training_surveys.csv").rows[1:] if row[0] == "E004")
    report = validate(demo)
    assert report.ok
    (warning,) = [w for w in report.warnings if w.code == "surveys.beyond_list"]
    assert str(warning) == (f"training_surveys.csv:2–{forms + 1}: {forms - 3} questionnaires more than people on "
                            "the registration list: E004")
    assert warning.count == forms - 3


def test_questionnaires_for_an_event_that_is_not_a_training(demo):
    CsvFile(demo / "training_surveys.csv").set(2, "event_id", "E002")
    report = validate(demo)
    assert report.ok
    assert ("training_surveys.csv:2: 1 questionnaire for events that are not trainings "
            "(not counted in the survey figures): E002") in [str(w) for w in report.warnings]


def test_records_dated_outside_every_period(demo):
    CsvFile(demo / "consultations.csv").set(5, "date", "15.01.2023")
    CsvFile(demo / "consultations.csv").set(6, "date", "2022-03-31")
    CsvFile(demo / "metrics.csv").set(2, "date", "2023-01-01")
    CsvFile(demo / "metrics.csv").set(3, "date", "2021-01-01")  # a metric before the periods still counts
    report = validate(demo)
    assert report.ok
    assert [str(w) for w in report.warnings] == [
        "consultations.csv:5–6: 2 records dated outside every period (not counted in any report)",
        *DEMO_WARNINGS[:1],
        DEMO_WARNINGS[1],
        "metrics.csv:2: 1 record dated after every period's end (not counted in any report)",
    ]


def test_warnings_never_show_personal_data(demo, personal_values):
    (demo / "participants" / "turkestan.csv").unlink()
    CsvFile(demo / "consultations.csv").set(5, "date", "15.01.2023")
    CsvFile(demo / "media.csv").set(3, "reach", "")
    text = "\n".join(str(w) for w in validate(demo).warnings)
    assert "questionnaires" in text and "publications" in text and "outside every period" in text
    for value in personal_values:
        assert value not in text


def test_validating_the_demo_is_fast():
    validate(DEMO_INPUTS)  # warm (imports, caches)
    start = time.perf_counter()
    validate(DEMO_INPUTS)
    assert time.perf_counter() - start < 4  # about 1 s; generous for loaded CI machines


# ---------------------------------------------------------------- schemas come from schema.py

def test_the_checks_are_pandera_schemas(demo):
    from pandera.errors import SchemaErrors

    inputs = validate(DEMO_INPUTS).inputs
    events = inputs["events"]
    schema = checks.table_schema("events", checks._known_ids(inputs))
    schema.validate(checks._prepared("events", events), lazy=True)
    doubled = checks._prepared("events", events.iloc[[0, 1, 1]].reset_index(drop=True))
    with pytest.raises(SchemaErrors) as excinfo:
        schema.validate(doubled, lazy=True)
    assert excinfo.value.failure_cases["check"].tolist() == ["field_uniqueness"]


@pytest.mark.slow  # a fresh interpreter of its own
def test_importing_validation_does_not_import_pandera():
    """Report notebooks call `notes.data_warnings()`; they should not pay for pandera's import."""
    import subprocess
    import sys
    code = "import sys, pipeline.inputs.validation, pipeline.inputs.notes; print('pandera' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=DEMO_INPUTS.parent)
    assert result.stdout.strip() == "False", result.stderr


def test_every_contract_column_is_in_its_pandera_schema():
    from pipeline.inputs.schema import TABLES
    for table, columns in TABLES.items():
        schema = checks.table_schema(table)
        assert list(schema.columns) == [c.name for c in columns]
        for column in columns:
            assert schema.columns[column.name].nullable == (not column.nonblank)
