"""Ids and file names that look like personal data never leave the inputs: each is shown as a
stable pseudonym (`анкета 17`, `консультация 3`, `файл 3`) in every output and message; and a
row with more cells than its header (an unquoted comma in a name) has no cell quoted."""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli

from pipeline.inputs import personal
from pipeline.inputs.loading import load_inputs, read_inputs
from pipeline.inputs.validation import validate

# ---------------------------------------------------------------- what looks like personal data


@pytest.mark.parametrize("value, shape", [
    ("900101300123", personal.IIN), ("900101 300123", personal.IIN), ("9001 0130 0123", personal.IIN),
    ("R-900101300123", personal.IIN),
    ("ivan.petrov@mail.kz", personal.EMAIL), ("E008/ivan@gmail.com", personal.EMAIL),
    ("+7 701 555 0001", personal.PHONE), ("8 (701) 555-00-01", personal.PHONE), ("87015550001", personal.PHONE),
    ("E008/+7 701 555 0001", personal.PHONE),
    ("Иванов Иван", personal.NAME), ("Иванов Иван Иванович", personal.NAME), ("ЖАКУПОВ КАЙРАТ", personal.NAME),
    ("Иванов И.И.", personal.NAME), ("Иванов И. И.", personal.NAME), ("Әбдіқадыр Нұрлан", personal.NAME),
    ("John Smith", personal.NAME), ("Жакупова-Ахметова Айгуль", personal.NAME),
])
def test_the_shapes_of_personal_data(value, shape):
    assert personal.personal_shape(value) == shape


@pytest.mark.parametrize("value", ["+7 701 55", "2024/02/12 2:03:55 PM GMT+5",
                                   "T01", "1.1", "pvl-7", "2022-01", "E004-01", "C001", "E008", "2022-05-23",
                                   "A2", "zko_interim", "R12", "Иванов", "круглый стол", "Круглый стол",
                                   "Иван Иванович Иванов Петрович", "", "1234567", "2022-001"])
def test_what_is_not_personal(value):
    assert personal.personal_shape(value) is None


def test_a_name_of_the_inputs_is_personal_whatever_its_shape():
    names = personal.people_names({"participants": pd.DataFrame({"full_name": ["Кайрат", "  "]}),
                                   "consultations": pd.DataFrame({"beneficiary": ["ТОО Береке"]})})
    assert personal.personal_shape("кайрат", names) == personal.NAME
    assert personal.personal_shape("ТОО  Береке", names) == personal.NAME, "folded as person_key folds names"
    assert personal.personal_shape("Кайрат") is None, "a single word is a name only when the inputs say so"
    assert personal.personal_shape("T01", names) is None


# ---------------------------------------------------------------- file and sheet names

@pytest.mark.parametrize("name, personal_name", [
    ("2022-05-12 Иванов Иван", True), ("список_Жакупов_Кайрат", True), ("Кайрат", True), ("T01 900101300123", True),
    ("almaty", False), ("zko_interim", False), ("список участников", False), ("T001", False),
])
def test_a_file_name_holds_a_name_anywhere_in_it(name, personal_name):
    assert (personal.name_shape(name, {"кайрат"}) is not None) is personal_name

def test_a_file_keeps_its_folder_and_its_place_among_the_folder_files():
    paths = ["participants/almaty.csv", "participants/Жакупов Кайрат Маратович.csv", "participants/zko.xlsx",
             "participants/.hidden.csv", "participants.csv", "training_surveys/900101300123.xlsx", "grant.yml",
             "narratives/2022-interim/1.1.md", "Иванов Иван/notes.txt"]
    labels = personal.path_labels(paths)
    assert labels == {"participants/Жакупов Кайрат Маратович.csv": "participants/файл 3.csv",
                      "training_surveys/900101300123.xlsx": "training_surveys/файл 1.xlsx",
                      "Иванов Иван/notes.txt": "папка 4/notes.txt"}, labels
    # name order is code point order: almaty, zko, then Cyrillic
    assert sorted(p.rsplit("/", 1)[1] for p in paths if p.startswith("participants/") and "/." not in p) == [
        "almaty.csv", "zko.xlsx", "Жакупов Кайрат Маратович.csv"]


@pytest.mark.parametrize("sheet", [" › {}", ":{}", "#{}", " [{}]"])
def test_a_sheet_named_after_a_person_is_a_numbered_sheet_of_its_workbook(sheet):
    sources = ["participants/list.xlsx" + sheet.format(s) for s in ("T01", "Иванов Иван", "Петров Пётр")]
    labels = personal.source_labels(sources, ["participants/list.xlsx", "events.csv"])
    assert labels == {sources[1]: "participants/list.xlsx" + sheet.format("лист 2"),
                      sources[2]: "participants/list.xlsx" + sheet.format("лист 3")}


# ---------------------------------------------------------------- ids, in the tables as read

def _rewrite_csv(path: Path, change, encoding: str = "utf-8", delimiter: str = ",") -> None:
    """Each row of a CSV (header first) through `change(row_number, header, row)`."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding=encoding)), delimiter=delimiter))
    header = rows[0]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(
        [header, *(change(i, header, row) for i, row in enumerate(rows[1:], start=1))])
    path.write_text(out.getvalue(), encoding=encoding)


def iin(n: int) -> str:
    return f"{900101300000 + n}"


def personal_ids(inputs: Path) -> list[str]:
    """The demo inputs with consultation ids that are ИИН (in consultations and feedback),
    respondent ids that are e-mail addresses and ИИН, and zko's participants list named after
    a person: the values that must never appear in an output."""
    secrets: dict[str, None] = {}
    consultations: dict[str, str] = {}

    def consultation(i, header, row):
        at = header.index("consultation_id")
        consultations.setdefault(row[at], iin(len(consultations) + 1))
        row[at] = consultations[row[at]]
        secrets[row[at]] = None
        return row

    def respondent(i, header, row):
        at = header.index("respondent_id")
        row[at] = f"respondent{i}@example.kz" if i % 2 else iin(5000 + i)
        secrets[row[at]] = None
        return row

    _rewrite_csv(inputs / "consultations.csv", consultation, "cp1251", ";")
    _rewrite_csv(inputs / "feedback.csv", lambda i, h, row: [consultations.get(c, c) for c in row])
    _rewrite_csv(inputs / "training_surveys.csv", respondent)
    person = "Жакупов Кайрат Маратович"
    (inputs / "participants" / "zko.csv").rename(inputs / "participants" / f"{person}.csv")
    return [*secrets, person]


def scan_beside(inputs: Path) -> str:
    """A scan of a signed list beside the lists, named after a person: a file of no table (8th
    of participants/: П sorts after Ж)."""
    scan = "Петров Пётр Петрович"
    (inputs / "participants" / f"{scan}.pdf").write_bytes(b"%PDF-1.4\n")
    return scan


def test_ids_that_look_personal_are_pseudonymised_once_for_every_table(demo_copy):
    before = load_inputs(demo_copy)
    personal_ids(demo_copy)
    after = load_inputs(demo_copy)
    consultations, feedback = after["consultations"], after["feedback"]
    assert consultations["consultation_id"].head(3).tolist() == ["консультация 1", "консультация 2", "консультация 3"]
    assert set(feedback["consultation_id"]) <= set(consultations["consultation_id"]), "feedback still names them"
    # the same rows join the same way: feedback's consultation, row by row
    joined = feedback.merge(consultations, on="consultation_id")[["_row_x", "_row_y"]]
    joined_before = before["feedback"].merge(before["consultations"], on="consultation_id")[["_row_x", "_row_y"]]
    assert joined.values.tolist() == joined_before.values.tolist()
    surveys = after["training_surveys"]
    assert surveys["respondent_id"].str.fullmatch(r"анкета \d+").all()
    assert surveys["respondent_id"].nunique() == before["training_surveys"]["respondent_id"].nunique()
    assert "participants/файл 7.csv" in set(after["participants"]["_file"])
    assert [p.file for p in after.parts["participants"]][-1] == "participants/файл 7.csv"
    assert after.shown.path("participants/Жакупов Кайрат Маратович.csv") == "participants/файл 7.csv"
    # the events are untouched (E001 is no personal datum)
    assert after["events"]["event_id"].tolist() == before["events"]["event_id"].tolist()


def test_the_pseudonyms_are_the_same_from_reading_to_reading(demo_copy):
    personal_ids(demo_copy)
    first, second = load_inputs(demo_copy), load_inputs(demo_copy)
    for table in ("consultations", "feedback", "training_surveys", "participants"):
        pd.testing.assert_frame_equal(first[table], second[table])
    assert first.shown == second.shown


def test_an_id_is_numbered_by_its_first_appearance_and_never_takes_a_raw_id():
    tables = {"events": pd.DataFrame({"event_id": ["E1", "Иванов Иван", "мероприятие 1", "Петров Пётр"]}),
              "participants": pd.DataFrame({"event_id": ["Петров Пётр", "Сидоров Сидор"]})}
    labels = personal._id_labels(tables, ())
    assert labels["event_id"] == {"Иванов Иван": "мероприятие 2", "Петров Пётр": "мероприятие 3",
                                  "Сидоров Сидор": "мероприятие 4"}, "«мероприятие 1» is a raw id: skipped"


def _count_the_same(plain: Path, pseudonymised: Path, every_region: bool) -> None:
    """The inputs with ids that look personal validate with the same warnings and give the same
    figures as the inputs they were made from: in the consolidated report of each period, and
    with `every_region`, in every report."""
    from pipeline.figures import declarations
    from pipeline.figures.scope import make_scope, select
    from pipeline.inputs.notes import data_warnings

    checked = validate(pseudonymised)
    assert checked.ok and [str(w) for w in checked.warnings] == [str(w) for w in validate(plain).warnings]
    before, after = load_inputs(plain), load_inputs(pseudonymised)
    for period in before.grant.periods:
        for region in [*before.grant.region_ids(), "all"] if every_region else ["all"]:
            figures = [declarations.report_figures(select(data, make_scope(data.grant, period.id, region)),
                                             data_warnings(data)) for data in (before, after)]
            assert figures[0] == figures[1], (period.id, region)


def test_the_consolidated_reports_count_the_same_with_their_ids_pseudonymised(demo_copy, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(demo_copy, plain)
    personal_ids(demo_copy)
    _count_the_same(plain, demo_copy, every_region=False)


@pytest.mark.slow  # every report's figures computed twice (seconds); the consolidated ones are in the inner loop
def test_every_report_counts_the_same_with_its_ids_pseudonymised(demo_copy, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(demo_copy, plain)
    personal_ids(demo_copy)
    _count_the_same(plain, demo_copy, every_region=True)


def test_validate_says_once_per_column_what_is_pseudonymised_and_shows_no_raw_id(demo_copy):
    secrets = personal_ids(demo_copy)
    checked = validate(demo_copy)
    assert checked.ok, checked.lines()
    lines = checked.summary_lines()
    said = [line for line in lines if "look like personal data" in line]
    assert said == [
        "consultations.consultation_id: 62 ids look like personal data (ИИН/БИН): every output and message "
        "shows them as «консультация N»",
        "feedback.consultation_id: 34 ids look like personal data (ИИН/БИН): every output and message shows "
        "them as «консультация N»",
        "training_surveys.respondent_id: 246 ids look like personal data (e-mail, ИИН/БИН): every output and "
        "message shows them as «анкета N»"], said
    assert [line for line in lines if line.startswith("file names:")] == [
        "file names: 1 file named like personal data: every output and message shows them as «файл N» "
        "(«лист N», «папка N»), N its place in its folder (docs/untrusted-inputs.md)"]
    text = "\n".join([*lines, *map(str, checked.warnings)])
    assert not [s for s in secrets if s in text]


def test_messages_name_ids_and_files_by_their_pseudonyms(demo_copy):
    secrets = personal_ids(demo_copy)
    # a feedback form for a consultation that does not exist, a duplicate questionnaire, a bad date
    _rewrite_csv(demo_copy / "feedback.csv", lambda i, h, row: [iin(999)] + row[1:] if i == 1 else row)
    _rewrite_csv(demo_copy / "training_surveys.csv", lambda i, h, row: row if i != 2 else
                 [row[0], "respondent1@example.kz", *row[2:]])
    path = demo_copy / "participants" / "Жакупов Кайрат Маратович.csv"
    _rewrite_csv(path, lambda i, h, row: row if i != 1 else [row[0], "", *row[2:]])
    problems = validate(demo_copy).lines()
    text = "\n".join(problems)
    assert not [s for s in [*secrets, iin(999)] if s in text], text
    # a form whose consultation is not there is a warning, not a problem (tests/test_exports.py)
    assert not any(line.startswith("feedback.csv") for line in problems), problems
    assert any(line.startswith("training_surveys.csv:3: respondent_id = анкета 1: expected a unique") for line in problems)
    assert any(line.startswith("participants/файл 7.csv:2: full_name") for line in problems), problems


def test_a_respondent_id_made_from_a_part_name_names_the_part_by_its_pseudonym(demo_copy):
    surveys = demo_copy / "training_surveys.csv"
    folder = demo_copy / "training_surveys"
    folder.mkdir()
    frame = pd.read_csv(surveys, dtype=str, keep_default_na=False)
    frame[frame["event_id"] == "E004"].drop(columns=["respondent_id"]).to_csv(folder / "Иванов Иван.csv", index=False)
    frame[frame["event_id"] != "E004"].to_csv(folder / "rest.csv", index=False)
    surveys.unlink()
    inputs = load_inputs(demo_copy)
    made = inputs["training_surveys"]
    made = made[made["event_id"] == "E004"]
    assert made["respondent_id"].str.fullmatch(r"training_surveys/файл 2\.csv:\d+").all(), made["respondent_id"]
    assert not made["_file"].str.contains("Иванов").any(), "rest.csv comes first: Latin before Cyrillic"


# ---------------------------------------------------------------- a row with more cells than its header

def test_a_shifted_row_quotes_none_of_its_cells(demo_copy):
    """`Жакупов, Кайрат, Маратович` unquoted in consultations.csv: the name's parts spill into
    the next columns, and «answered = Маратович» would print part of it."""
    path = demo_copy / "consultations.csv"
    lines = path.read_text(encoding="cp1251").splitlines()
    cells = lines[2].split(";")
    assert cells[4] == "Жакупов Кайрат Маратович"
    cells[4] = "Жакупов; Кайрат; Маратович"
    lines[2] = ";".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="cp1251")
    problems = validate(demo_copy).lines()
    on_row = [line for line in problems if line.startswith("consultations.csv:3:")]
    assert on_row == ["consultations.csv:3: answered = <скрыто>: expected да/нет or yes/no: " + personal.SPILLED], \
        problems
    assert not [line for line in problems if "Кайрат" in line or "Маратович" in line]


def test_a_row_with_more_cells_than_its_header_is_known_by_its_line(tmp_path):
    from pipeline.inputs.headers import vocabulary
    from pipeline.inputs.reading import read_file

    path = tmp_path / "participants.csv"
    path.write_text("event_id,full_name,category,gender\nE1,Иванов Иван,a,м\nE1,Жакупов, Кайрат, Маратович,член,м\n"
                    "E1,Петров Пётр,,,,\n", encoding="utf-8")
    (frame,), _unread = read_file(path, "participants.csv", "participants", vocabulary("participants"), False)
    assert frame.attrs["part"].spilled == (3,), "a trailing empty cell is no spill"


def test_a_check_of_a_shifted_row_quotes_neither_its_cell_nor_the_one_it_compares():
    from pipeline.exceptions import InputError
    from pipeline.inputs.reading import Part

    part = Part("events.csv", ("event_id",), spilled=(4,))
    problems = [InputError("events.csv", 4, "end_date", "2022-01-01", "expected an end_date on or after start_date "
                           "(2022-02-01)"), InputError("events.csv", 5, "end_date", "2022-01-01", "expected x")]
    told = personal.unquoted(problems, [part], ["expected an end_date on or after start_date"])
    assert [str(p) for p in told] == [
        f"events.csv:4: end_date = <скрыто>: expected an end_date on or after start_date: {personal.SPILLED}",
        "events.csv:5: end_date = 2022-01-01: expected x"]


def test_reading_a_folder_without_personal_ids_changes_nothing(demo_copy):
    reading = read_inputs(demo_copy)
    assert reading.shown.notes == () and reading.shown.sources == {}
    assert set(reading.shown.ids) == set(personal.ID_LABELS) and not any(reading.shown.ids.values())


def test_a_file_of_no_table_named_after_a_person_is_warned_about_by_its_pseudonym(demo_copy):
    personal_ids(demo_copy)
    scan_beside(demo_copy)
    warned = [str(w) for w in validate(demo_copy).warnings if w.code == "inputs.unknown_file"]
    assert warned == ["participants/файл 8.pdf: not read: a part of table «participants» is a .csv or .xlsx file"]


# ---------------------------------------------------------------- the acceptance case

def _texts(folder: Path, scratch: Path) -> dict[Path, str]:
    """Every file of a report folder as text a person or a tool would read: pages and JSON as
    they are and unescaped, the PDF's text and attached files, the DOCX's XML."""
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".pdf":
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                                  check=True).stdout
            attached = scratch / path.parent.name
            attached.mkdir(parents=True, exist_ok=True)
            subprocess.run(["pdfdetach", "-saveall", "-o", str(attached), str(path)], check=True)
            files = sorted(attached.iterdir())
            assert {f.name for f in files} >= {"figures.json", "manifest.json"}, files
            text += "".join(f.read_text(encoding="utf-8") for f in files)
            text += path.read_bytes().decode("latin-1")
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as archive:
                text = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix in (".json", ".ipynb"):
                text += json.dumps(json.loads(text), ensure_ascii=False)
        texts[path] = text + html.unescape(text)
    return texts


@pytest.mark.slow
def test_a_grant_with_personal_ids_builds_and_shows_none_of_them(demo_copy, tmp_path):
    missing = [tool for tool in ("pdftotext", "pdfdetach") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian package poppler-utils)")
    secrets = [*personal_ids(demo_copy), scan_beside(demo_copy)]
    outputs = tmp_path / "outputs"
    run = ("--period", "2022-final", "--region", "zko", "--format", "html,pdf,docx", "--quiet")
    first = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(outputs), *run)
    assert first.returncode == 0, first.stderr
    report = outputs / "2022-final" / "zko"
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    ids = {ref["id"] for figure in manifest["figures"].values() for ref in figure.get("rows", []) if ref.get("id")}
    assert any(i.startswith("консультация ") for i in ids) and any("/анкета " in i for i in ids), sorted(ids)[:10]
    assert "participants/файл 7.csv" in {entry["path"] for entry in manifest["inputs"]}

    # a second build after a change to the list named after a person: history, diff
    listed = demo_copy / "participants" / "Жакупов Кайрат Маратович.csv"
    listed.write_text("\n".join(listed.read_text(encoding="utf-8").splitlines()[:-1]) + "\n", encoding="utf-8")
    second = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(outputs), *run)
    assert second.returncode == 0, second.stderr
    assert list((report / "history").iterdir()), "the first build is kept in history"
    said = [first.stdout + first.stderr, second.stdout + second.stderr]
    difference = run_cli("diff", "--outputs", str(outputs))
    assert "input changed: participants/файл 7.csv" in difference.stdout, difference.stdout
    said.append(difference.stdout + difference.stderr)
    rows_of = {name: {ref["table"] for ref in figure.get("rows", [])} for name, figure in manifest["figures"].items()}
    explained = [next(name for name, tables in rows_of.items() if table in tables)
                 for table in ("consultations", "feedback", "training_surveys", "participants")]
    for name in explained:
        told = run_cli("explain", name, "--outputs", str(outputs), "--period", "2022-final", "--region", "zko")
        assert told.returncode == 0, told.stderr
        said.append(told.stdout + told.stderr)
    assert "консультация " in said[-4] and "/анкета " in said[-2] and "participants/файл 7.csv" in said[-1], said[-4:]
    verified = run_cli("verify", "--outputs", str(outputs), "--inputs", str(demo_copy), "--period", "2022-final",
                       "--region", "zko")
    assert verified.returncode == 0, verified.stdout + verified.stderr  # it finds participants/файл 7.csv
    said.append(verified.stdout + verified.stderr)

    texts = _texts(outputs, tmp_path / "attached")
    assert any(path.suffix == ".pdf" for path in texts) and any(path.suffix == ".docx" for path in texts)
    assert any(path.parent.name == "notebooks" and path.suffix == ".ipynb" for path in texts)
    leaked = {path: [s for s in secrets if s in text] for path, text in texts.items()}
    assert not {path: found for path, found in leaked.items() if found}
    assert not [s for s in secrets if any(s in text for text in said)]
