"""Issue 23: exports go in untouched. Records that point nowhere are warnings, not deletions;
every key of grant.yml known or named; grouped messages; per-file settings; event ids in a
part's name; the grant's own event types and topics; warnings that say where."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import report_figures
from helpers_inputs import GRANT_YML, make_inputs, write_csv, write_xlsx

from pipeline import app
from pipeline.authoring import listing, skeleton
from pipeline.exceptions import InputError
from pipeline.figures import blocks, catalogue
from pipeline.figures.scope import make_scope, select
from pipeline.inputs import filesettings, folder
from pipeline.inputs.grant import Grant, InputProblems, parse_grant
from pipeline.inputs.lines import rows_text, where_text
from pipeline.inputs.notes import WARNING_LABELS, folder_warnings
from pipeline.inputs.reading import table_files
from pipeline.inputs.schema import header_names
from pipeline.inputs.validation import validate
from pipeline.notebook import context, views

EVENTS = ["event_id", "activity_id", "type", "title", "topic_id", "region", "start_date", "format"]
CONSULTATIONS = ["consultation_id", "activity_id", "date", "region", "beneficiary", "topic", "answered"]
FEEDBACK = ["consultation_id", "activity_id", "date", "answered", "satisfaction"]
SURVEYS = ["event_id", "respondent_id", "trainer"]


def _consulted(root: Path, feedback_ids: list[str]) -> Path:
    return make_inputs(
        root,
        consultations=[CONSULTATIONS, ["PVL-7", "1.1", "2023-02-01", "north", "Кто-то", "Тема", "да"],
                       ["PVL-8", "1.1", "2023-02-01", "north", "Кто-то", "Тема", "да"]],
        feedback=[FEEDBACK, *([cid, "1.1", "2023-02-02", "да", "5"] for cid in feedback_ids)])


# ---------------------------------------------------------------- 1. records that point nowhere

def test_a_feedback_form_for_an_unknown_consultation_is_a_warning_and_left_out(tmp_path):
    root = _consulted(tmp_path / "in", ["PVL-7", "pvl-7x", "PVL-8"])
    checked = validate(root)
    assert checked.ok, checked.lines()
    (warning,) = [w for w in checked.warnings if w.code == "records.unknown_id"]
    assert str(warning) == ("feedback.csv:3: consultation_id = pvl-7x: no consultation_id pvl-7x "
                            "in consultations: did you mean PVL-7? (1 feedback form left out of the figures)")
    assert list(checked.inputs.tables["feedback"]["consultation_id"]) == ["PVL-7", "PVL-8"]
    # counted in the data notes of every report, with its Russian label
    assert "records.unknown_id" in WARNING_LABELS
    assert [w.count for w in folder_warnings(checked.inputs) if w.code == "records.unknown_id"] == [1]


def test_a_questionnaire_for_an_unknown_event_is_a_warning(tmp_path):
    root = make_inputs(
        tmp_path / "in",
        events=[EVENTS, ["T01", "1.1", "тренинг", "Т", "msu", "north", "2023-02-01", "офлайн"]],
        training_surveys=[SURVEYS, ["T01", "r1", "5"], ["TO1", "r2", "4"], ["T01", "r3", "4"], ["TO1", "r4", "4"]])
    checked = validate(root)
    assert checked.ok, checked.lines()
    (warning,) = [w for w in checked.warnings if w.code == "records.unknown_id"]
    assert str(warning) == ("training_surveys.csv:3, 5 (2 rows): event_id = TO1: no event_id TO1 in events: "
                            "did you mean T01? (2 questionnaires left out of the figures)")
    assert warning.count == 2
    assert list(checked.inputs.tables["training_surveys"]["respondent_id"]) == ["r1", "r3"]


def test_a_participant_of_an_unknown_event_stays_a_problem(tmp_path):
    root = make_inputs(
        tmp_path / "in",
        events=[EVENTS, ["T01", "1.1", "тренинг", "Т", "msu", "north", "2023-02-01", "офлайн"]],
        participants=[["event_id", "full_name"], ["T02", "Иванов Иван"]])
    assert validate(root).lines() == ["participants.csv:2: event_id = T02: expected an event_id listed in events"]


def test_a_consultation_without_a_region_stays_a_problem(tmp_path):
    root = make_inputs(tmp_path / "in", consultations=[
        CONSULTATIONS, ["C1", "1.1", "2023-02-01", "", "Кто-то", "Тема", "да"]])
    assert validate(root).lines() == ["consultations.csv:2: region = '': expected a value, the cell is empty"]


def test_forms_of_a_missing_consultations_table_stay_a_problem(tmp_path):
    root = make_inputs(tmp_path / "in", feedback=[FEEDBACK, ["C1", "1.1", "2023-02-02", "да", "5"]])
    (line,) = validate(root).lines()
    assert line.startswith("feedback.csv:2: consultation_id = C1: expected a consultation_id listed in consultations")


@pytest.mark.parametrize("secret", ["900101300999"])
def test_an_unknown_consultation_that_looks_personal_is_named_by_its_pseudonym(tmp_path, secret):
    root = _consulted(tmp_path / "in", ["PVL-7", secret])
    checked = validate(root)
    assert checked.ok, checked.lines()
    text = "\n".join(map(str, checked.warnings))
    assert "records.unknown_id" in {w.code for w in checked.warnings} and secret not in text


# ---------------------------------------------------------------- 2. every key of grant.yml known or named

def _grant_lines(text: str) -> list[str]:
    try:
        parse_grant(text)
    except InputProblems as error:
        return [str(p) for p in error.problems]
    except InputError as error:
        return [str(error)]
    return []


def test_a_misspelt_key_is_named_with_the_closest_known_key_not_as_missing():
    text = GRANT_YML.replace("currency:", "currensy:")
    assert _grant_lines(text) == ["grant.yml:5: unknown key «currensy»: did you mean «currency»?"]


def test_an_unknown_key_at_any_level_is_one_line_with_its_line():
    text = GRANT_YML.replace("annex: 4}", "annex: 4, anex: 5}").replace(
        "name: 'Северная область'}", "name: 'Северная область', alias: [Север]}") + "languag: kk\n"
    assert _grant_lines(text) == [
        "grant.yml:1: unknown key «anex» under «agreement»: did you mean «annex»?",
        "grant.yml:8: unknown key «alias» under «regions[0]»: did you mean «aliases»?",
        f"grant.yml:{text.count(chr(10))}: unknown key «languag»: did you mean «language»?"]  # a key since issue 24
    unknown = GRANT_YML + "xyz: 1\n"
    assert _grant_lines(unknown) == [
        f"grant.yml:{unknown.count(chr(10))}: unknown key «xyz»: expected one of the keys ({', '.join(Grant.model_fields)})"]


# ---------------------------------------------------------------- 3. grouped messages

def test_the_same_problem_on_many_rows_is_one_line_listing_them_with_the_alias_to_paste(tmp_path):
    grant = GRANT_YML.replace("{id: north, name: 'Северная область'}", "{id: pavlodar, name: 'Павлодарская область'}")
    rows = [[f"E{i:02d}", "1.1", "встреча", "В", "", "Павлодарская обл." if i in (5, 9, *range(12, 32)) else "pavlodar",
             "2023-02-01", "офлайн"] for i in range(2, 33)]
    root = make_inputs(tmp_path / "in", grant=grant, events=[EVENTS, *rows])
    # event E05 stands on line 5 (the header is line 1, E02 line 2)
    (line,) = validate(root).lines()
    assert line == (
        "events.csv:5, 9, 12–31 (22 rows): region = Павлодарская обл.: expected a region listed in grant.yml "
        "(pavlodar, south, east), by its id, name or aliases: did you mean pavlodar? "
        "To read it so, paste under pavlodar in grant.yml: aliases: [\"Павлодарская обл.\"]")


def test_rows_beyond_ten_runs_are_counted_not_listed():
    assert rows_text([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 24, 25]) == "1, 3, 5, 7, 9, 11, 13, 15, 17, 19 и ещё 4"
    assert where_text("a.csv", [4]) == "a.csv:4"


def test_different_values_stay_different_lines(tmp_path):
    rows = [["E1", "1.1", "встреча", "В", "", "x", "2023-02-01", "офлайн"],
            ["E2", "1.1", "встреча", "В", "", "y", "2023-02-01", "офлайн"]]
    root = make_inputs(tmp_path / "in", events=[EVENTS, *rows])
    assert [line.split(":", 2)[:2] for line in validate(root).lines()] == [["events.csv", "2"], ["events.csv", "3"]]


# ---------------------------------------------------------------- 4. per-file settings in grant.yml

JOURNAL = ["consultation_id", "date", "beneficiary", "topic", "answered"]
FILES = """files:
  "consultations/north.csv": {region: north, activity_id: "1.1"}
  "consultations/*.xlsx": {activity_id: "1.1", region: south}
  "feedback_kobo.xlsx": {table: feedback, activity_id: "1.1"}
"""


def _journals(root: Path, grant: str = GRANT_YML + FILES) -> Path:
    make_inputs(root, grant=grant)
    write_csv(root / "consultations" / "north.csv", [JOURNAL, ["C1", "2023-02-01", "X", "T", "да"]])
    write_xlsx(root / "consultations" / "south.xlsx", [
        [*JOURNAL, "region"], ["C2", "2023-02-01", "X", "T", "да", "south"], ["C3", "2023-02-01", "X", "T", "да", ""],
        ["C4", "2023-02-01", "X", "T", "да", "Северная область"]])
    write_xlsx(root / "feedback_kobo.xlsx", [["consultation_id", "date", "answered", "satisfaction"],
                                             ["C1", "2023-02-03", "да", "5"]])
    return root


def test_files_give_a_journal_its_region_and_activity_and_a_kobo_export_its_table(tmp_path):
    checked = validate(_journals(tmp_path / "in"))
    assert checked.ok, checked.lines()
    consultations = checked.inputs.tables["consultations"]
    assert list(consultations["region"]) == ["north", "south", "south", "north"]  # a cell keeps its own value
    assert set(consultations["activity_id"]) == {"1.1"}
    assert list(checked.inputs.tables["feedback"]["activity_id"]) == ["1.1"]
    assert "inputs.unknown_file" not in {w.code for w in checked.warnings}
    # the disagreeing cell is a warning naming it
    (differs,) = [str(w) for w in checked.warnings if w.code == "inputs.file_setting"]
    assert differs == ("consultations/south.xlsx:4: region differs from grant.yml files «consultations/*.xlsx» "
                       "(region: south): the rows' own values are counted")
    # validate's summary says per file which settings applied
    summary = "\n".join(checked.summary_lines())
    assert ("  consultations/north.csv: grant.yml files «consultations/north.csv»: region = north (column added), "
            "activity_id = 1.1 (column added)") in summary
    assert "  consultations/south.xlsx: grant.yml files «consultations/*.xlsx»: activity_id = 1.1 (column added), " \
           "region = south (its blank cells filled)" in summary
    assert "  feedback_kobo.xlsx: grant.yml files «feedback_kobo.xlsx»: table feedback, activity_id = 1.1 " \
           "(column added)" in summary


def test_the_files_a_table_is_read_from_follow_files(tmp_path):
    root = _journals(tmp_path / "in")
    assert [p.relative_to(root).as_posix() for p in table_files(root, "feedback")] == ["feedback_kobo.xlsx"]
    assert folder.is_read("feedback_kobo.xlsx") and folder.hash_limit("feedback_kobo.xlsx") == folder.MAX_FILE_BYTES


def test_each_problem_of_files_is_one_line_naming_its_line(tmp_path):
    grant = GRANT_YML + FILES + """  "consultations/north.*": {region: north}
  "nothing/*.csv": {region: north}
  "*.xlsx": {activity_id: "1.1"}
  "consultations/*.csv": {regoin: north}
"""
    root = _journals(tmp_path / "in", grant)
    (root / "stray.xlsx").write_bytes((root / "feedback_kobo.xlsx").read_bytes())
    base = GRANT_YML.count("\n") + 1
    assert [line for line in validate(root).lines() if line.startswith("grant.yml")] == [
        f"grant.yml:{base + 4}: files «consultations/north.*»: consultations/north.csv is also matched by "
        f"«consultations/north.csv» (line {base + 1}): one file, one entry",
        f"grant.yml:{base + 5}: files «nothing/*.csv»: matches no .csv or .xlsx file of the inputs folder (a pattern "
        "relative to it: `*` any name, `**` any folders)",
        f"grant.yml:{base + 6}: files «*.xlsx»: feedback_kobo.xlsx is also matched by «feedback_kobo.xlsx» "
        f"(line {base + 3}): one file, one entry",
        f"grant.yml:{base + 6}: files «*.xlsx»: stray.xlsx belongs to no table by its name: say which, `table: <table>` "
        "(plan, centres, events, participants, consultations, feedback, training_surveys, media, expenses, metrics)",
        f"grant.yml:{base + 7}: files «consultations/*.csv»: consultations/north.csv is also matched by "
        f"«consultations/north.csv» (line {base + 1}): one file, one entry"]


def test_an_unknown_table_or_column_of_files_is_named_with_its_line(tmp_path):
    grant = GRANT_YML + """files:
  "feedback_kobo.xlsx": {table: feedbak}
  "consultations/north.csv": {regoin: north}
"""
    root = _journals(tmp_path / "in", grant)
    base = GRANT_YML.count("\n") + 1
    assert [line for line in validate(root).lines() if line.startswith("grant.yml")] == [
        f"grant.yml:{base + 1}: files.feedback_kobo.xlsx.table = feedbak: did you mean «feedback»?"]
    root = _journals(tmp_path / "in2", GRANT_YML + """files:\n  "consultations/north.csv": {regoin: north}\n""")
    assert [line for line in validate(root).lines() if line.startswith("grant.yml")] == [
        f"grant.yml:{base + 1}: files «consultations/north.csv»: «regoin» is not a column of consultations: "
        "did you mean «region»?"]


def test_init_writes_a_commented_example_of_files():
    assert '#     "feedback_kobo.xlsx": {table: feedback, activity_id: "3.2"}' in skeleton.GRANT_YML
    assert parse_grant(skeleton.GRANT_YML.replace("ЗАМЕНИТЕ", "x")).files == {}


# ---------------------------------------------------------------- 5. an event id in a part's name

FORMS = "Анкета участника тренинга {} (Ответы) - Ответы на форму (1).csv"


def _trainings(root: Path, *names: str, grant: str = GRANT_YML) -> Path:
    make_inputs(root, grant=grant, events=[
        EVENTS, ["T01", "1.1", "тренинг", "Т", "msu", "north", "2023-02-01", "офлайн"],
        ["T02", "1.1", "тренинг", "Т", "msu", "north", "2023-02-02", "офлайн"]])
    for name in names:
        write_csv(root / "training_surveys" / name, [["trainer"], ["5"], ["4"]])
    return root


def test_a_google_forms_export_takes_the_event_id_in_its_name(tmp_path):
    checked = validate(_trainings(tmp_path / "in", FORMS.format("T01"), "T02.csv"))
    assert checked.ok, checked.lines()
    surveys = checked.inputs.tables["training_surveys"]
    assert sorted(surveys["event_id"]) == ["T01", "T01", "T02", "T02"]
    said = [line for line in checked.summary_lines() if "a word of" in line]
    assert said == [f"  training_surveys/{FORMS.format('T01')}: event_id = T01 (a word of the file's name)"]


def test_a_name_holding_two_event_ids_asks_for_a_files_entry(tmp_path):
    name = "Анкета T01 и T02.csv"
    (line,) = validate(_trainings(tmp_path / "in", name)).lines()
    assert line == (f"training_surveys/{name}:1: event_id = Анкета T01 и T02: expected an event_id listed in events "
                    "(the file has no event_id column: its value is the file's name, which holds the event ids T01 and "
                    f"T02: say which in grant.yml (files: \"training_surveys/{name}\": {{event_id: …}}))")


def test_an_event_id_inside_a_word_is_not_taken(tmp_path):
    (line,) = validate(_trainings(tmp_path / "in", "XT01.csv")).lines()
    assert line.startswith("training_surveys/XT01.csv:1: event_id = XT01: expected an event_id listed in events")


def test_a_files_entry_settles_a_name_with_two_event_ids(tmp_path):
    grant = GRANT_YML + 'files:\n  "training_surveys/*T01 и*": {event_id: T02}\n'
    checked = validate(_trainings(tmp_path / "in", "Анкета T01 и T02.csv", grant=grant))
    assert checked.ok, checked.lines()
    assert set(checked.inputs.tables["training_surveys"]["event_id"]) == {"T02"}


# ---------------------------------------------------------------- 6. the grant's own event types and topics

OWN = GRANT_YML + """event_types:
  seminar: {name: "Семинар", words: ["семинар", "семинары", "семинар-тренинг"]}
topics:
  msu: {title: "Развитие и участие граждан в МСУ"}
"""
SEMINAR_PLAN = [["task_no", "task", "activity_id", "activity", "deadline", "indicator", "target", "unit", "budget"],
                ["1", "Задача", "1.1", "Семинары", "2023", "Проведены семинары", "4", "семинары", ""]]


def _seminars(root: Path, grant: str = OWN) -> Path:
    return make_inputs(root, grant=grant, plan=SEMINAR_PLAN, events=[
        EVENTS, ["S1", "1.1", "Семинар", "С", "", "north", "2023-02-01", "офлайн"],
        ["S2", "1.1", "семинар-тренинг", "С", "", "south", "2023-02-01", "офлайн"],
        ["T1", "1.1", "тренинг", "Первый", "msu", "north", "2023-02-01", "офлайн"],
        ["T2", "1.1", "тренинг", "Второй", "msu", "north", "2023-02-01", "офлайн"]],
        participants=[["event_id", "full_name"], ["S1", "Иванов Иван"], ["S1", "Петров Петр"], ["S2", "Иванов Иван"]])


def test_a_type_of_the_grants_own_is_read_by_its_words_and_has_the_built_in_figures(tmp_path):
    checked = validate(_seminars(tmp_path / "in"))
    assert checked.ok, checked.lines()
    inputs = checked.inputs
    assert list(inputs.tables["events"]["type"]) == ["seminar", "seminar", "training", "training"]
    everywhere = select(inputs, make_scope(inputs.grant, "p1", "all"))
    figures = blocks.events(everywhere).figures
    assert (figures["events.seminar.count"], figures["events.seminar.participants"]) == (2, 3)
    assert figures["events.training.count"] == 2 and figures["events.conference.count"] == 0
    # a region without seminars has them too, as zeros
    assert blocks.events(select(inputs, make_scope(inputs.grant, "p1", "east"))).figures["events.seminar.count"] == 0
    # the plan's unit «семинары» counts the seminars
    assert blocks.activities(everywhere).figures["activity.1.1.achieved"] == 2
    assert catalogue.lookup("events.seminar.participants").pattern == "events.{type}.participants"


def test_the_topics_title_comes_from_grant_yml(tmp_path):
    checked = validate(_seminars(tmp_path / "in"))
    inputs = checked.inputs
    assert select(inputs, make_scope(inputs.grant, "p1", "all")).topics == {"msu": "Развитие и участие граждан в МСУ"}
    assert "events.untitled_topic" not in {w.code for w in checked.warnings}


def test_a_topic_without_a_title_whose_trainings_differ_is_named_by_its_id_and_said(tmp_path):
    checked = validate(_seminars(tmp_path / "in", OWN.split("topics:")[0]))
    inputs = checked.inputs
    assert select(inputs, make_scope(inputs.grant, "p1", "all")).topics == {"msu": "msu"}
    (said,) = [str(w) for w in checked.warnings if w.code == "events.untitled_topic"]
    assert said == ("events.csv:4–5 (2 rows): topic_id = msu: its trainings carry 2 titles («Второй», «Первый») and "
                    "grant.yml gives the topic none: the report names it msu; write its title in grant.yml "
                    "(topics: {msu: {title: …}})")


def test_an_unknown_type_word_says_the_event_types_entry_to_paste(tmp_path):
    (line,) = validate(_seminars(tmp_path / "in", GRANT_YML)).lines()[:1]
    assert line == ("events.csv:2: type = Семинар: expected one of conference, training, meeting, presentation, "
                    "round_table, other. To count it as a type of its own, paste in grant.yml: event_types: "
                    "{seminar: {name: \"Семинар\", words: [\"Семинар\"]}}")


def test_a_type_of_the_grants_own_is_no_built_in_one_and_its_words_are_its_own():
    assert _grant_lines(GRANT_YML + "event_types:\n  training: {name: T}\n") == [
        f"grant.yml:{GRANT_YML.count(chr(10)) + 2}: event_types = training: expected a type other than the built-in "
        "ones (conference, training, meeting, presentation, round_table, other): they have their words"]
    assert _grant_lines(GRANT_YML + "event_types:\n  seminar: {name: S, words: [семинар, Тренинг]}\n") == [
        f"grant.yml:{GRANT_YML.count(chr(10)) + 2}: event_types.seminar.words[1] = Тренинг: expected a word no other "
        "event type has (each word names one type)"]


# ---------------------------------------------------------------- 7. warnings that say where

def test_every_data_warning_of_rows_names_them(tmp_path):
    root = make_inputs(tmp_path / "in", media=[
        ["date", "platform", "account", "owner", "title", "reach"],
        *(["2023-02-01", "Facebook", "@a", "own", "Пост", "" if i % 2 else "10"] for i in range(30))],
        expenses=[["date", "activity_id", "amount"], ["2024-02-01", "1.1", "100"]])
    said = {w.code: str(w) for w in validate(root).warnings}
    assert said["media.no_reach"] == ("media.csv:3, 5, 7, 9, 11, 13, 15, 17, 19, 21 и ещё 5: 15 publications without "
                                      "reach (counted as 0)")
    assert said["dates.outside_periods"] == ("expenses.csv:2: 1 record dated outside every period "
                                             "(not counted in any report)")


def test_an_excel_serial_date_says_which_day_it_is_and_how_to_fix_the_column(tmp_path):
    root = make_inputs(tmp_path / "in", expenses=[["date", "activity_id", "amount"], ["45762", "1.1", "100"],
                                                   ["7", "1.1", "100"]])
    assert validate(root).lines() == [
        "expenses.csv:2: date = 45762: expected a date like 2022-05-23 or 23.05.2022: 45762 is how Excel stores the "
        "day 2025-04-15 in a cell not formatted as a date: format the column as a date in Excel (Формат ячеек → Дата) "
        "or write 2025-04-15",
        "expenses.csv:3: date = 7: expected a date like 2022-05-23 or 23.05.2022"]


def test_labels_follow_the_grant_no_centres_where_it_has_none(tmp_path):
    root = _consulted(tmp_path / "in", ["PVL-7"])
    page = views.feedback(context.load(root, "p1", "all"), report_figures(root, "p1", "all")).data
    assert "Удовлетворенность качеством консультаций" in page and "центр" not in page


def test_figures_lists_the_grants_own_types_named_as_grant_yml_names_them(tmp_path):
    root = _seminars(tmp_path / "in")
    listed = {f.name: f.meaning for f in listing.list_figures(root, tmp_path / "out", "p1", "all").figures}
    assert listed["events.seminar.count"] == "Проведено мероприятий: семинар"
    assert listed["events.training.count"] == "Проведено мероприятий: тренинги"


def test_figures_defaults_to_the_last_period_built(tmp_path):
    root = _seminars(tmp_path / "in")
    out = tmp_path / "out"
    for period in ("p1", "p2"):
        (out / period / "all").mkdir(parents=True)
        (out / period / "all" / "manifest.json").write_text('{"figures": {}}', encoding="utf-8")
    (out / ".inputs-checked.json").write_text('{"periods": ["p1", "p2"]}', encoding="utf-8")
    assert app.last_built_period(out) == "p2"
    (out / "p2" / "all" / "manifest.json").unlink()
    _, notes = app.figures(root, out)
    assert notes[0].startswith("figures of the report p1/all")


def test_a_type_or_topic_may_be_written_as_its_name_alone():
    grant = parse_grant(GRANT_YML + "event_types:\n  webinar: Вебинар\ntopics:\n  msu: Развитие МСУ\n")
    assert grant.event_type_words() == {"webinar": "webinar", "вебинар": "webinar"}
    assert grant.topics["msu"].title == "Развитие МСУ"


def test_a_journal_may_name_its_consultation_number():
    assert "Номер консультации" in header_names("consultations", "consultation_id")[0]


def test_an_event_id_in_a_name_in_another_case_or_inside_a_longer_one():
    assert filesettings.event_ids_in("Анкета t01 (Ответы)", {"T01", "T02"}) == ["T01"]
    assert filesettings.event_ids_in("Анкета T01-2 (Ответы)", {"T01", "T01-2"}) == ["T01-2"]
    assert filesettings.event_ids_in("Анкета T01 и T02", {"T01", "T02"}) == ["T01", "T02"]


def test_a_type_named_as_a_built_in_one_is_refused():
    assert _grant_lines(GRANT_YML + "event_types:\n  seminar: {name: Тренинг}\n") == [
        f"grant.yml:{GRANT_YML.count(chr(10)) + 2}: event_types.seminar.name = Тренинг: expected a word no other "
        "event type has (each word names one type)"]
