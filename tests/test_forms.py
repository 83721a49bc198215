"""Questionnaires straight from the form: a Google Forms export (CSV or XLSX, «Отметка времени» and
the question texts as headers) read through grant.yml `questionnaires:`, one file per event in a
folder named after the table; a KoboToolbox export as it downloads (group prefixes, its own `_`
columns, `_submission_time` as the date)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from helpers_inputs import GRANT_YML, make_inputs, write_csv, write_xlsx

from pipeline.inputs.grant import parse_grant
from pipeline.inputs.loading import load_inputs
from pipeline.inputs.reading import read_table_raw
from pipeline.inputs.validation import validate

TS = pd.Timestamp

BEFORE = "Оцените, пожалуйста, свои знания по теме ДО тренинга (1 - очень низкий, 5 - очень высокий)"
AFTER = "Оцените, пожалуйста, свои знания по теме ПОСЛЕ тренинга"
TRAINER = "Насколько вы удовлетворены работой тренера? [Тренер]"
ORGANISATION = "Как вы оцениваете организацию тренинга?"
SURVEYS_GRANT = GRANT_YML + f"""\
questionnaires:
  training_surveys:
    knowledge_before: "{BEFORE}"
    knowledge_after: '{AFTER}'
    trainer: '{TRAINER}'
    organisation: 'как вы оцениваете организацию тренинга'
"""
EVENTS = [["event_id", "activity_id", "type", "title", "region", "start_date", "format"],
          ["T001", "1.1", "training", "Тренинг", "north", "2023-02-01", "offline"],
          ["T002", "1.1", "training", "Тренинг", "south", "2023-03-01", "online"]]
FORM_HEADER = ["Отметка времени", "Адрес электронной почты", BEFORE, AFTER, TRAINER, ORGANISATION,
               "Ваши пожелания и предложения"]


def surveys_folder(root):
    write_csv(root / "training_surveys" / "T001.csv", [
        FORM_HEADER,
        ["12.02.2023 14:03:55", "a@example.kz", "2", "5", "5", "4", "Спасибо"],
        ["12.02.2023 14:05:01", "b@example.kz", "3", "4", "5", "5", ""],
    ])
    write_xlsx(root / "training_surveys" / "T002.xlsx", [
        [h.upper() for h in FORM_HEADER],  # the same questions, another case
        [dt.datetime(2023, 3, 1, 16, 0, 2), "c@example.kz", 1, 4, 4, 5, None],
    ])
    return root


def test_a_google_forms_export_per_event_is_read_through_the_grants_questions(tmp_path):
    root = surveys_folder(make_inputs(tmp_path, grant=SURVEYS_GRANT, events=EVENTS))
    validation = validate(root)
    assert validation.ok, validation.lines()
    surveys = load_inputs(root)["training_surveys"]
    assert surveys["event_id"].tolist() == ["T001", "T001", "T002"]  # from the files' names
    assert surveys["knowledge_before"].tolist() == [2, 3, 1]
    assert surveys["knowledge_after"].tolist() == [5, 4, 4]
    assert surveys["trainer"].tolist() == [5, 5, 4]
    assert surveys["organisation"].tolist() == [4, 5, 5]  # the grant's text, under folding
    assert surveys["respondent_id"].tolist() == ["training_surveys/T001.csv:2", "training_surveys/T001.csv:3",
                                                 "training_surveys/T002.xlsx:2"]
    assert surveys["_row"].tolist() == [2, 3, 2]
    raw, _ = read_table_raw(root, "training_surveys", parse_grant(SURVEYS_GRANT))
    first = raw.attrs["parts"][0]
    assert first.names == ("knowledge_before", "knowledge_after", "trainer", "organisation", "event_id",
                           "respondent_id")
    assert first.made == ("event_id", "respondent_id")
    assert first.ignored == ("Отметка времени", "Адрес электронной почты", "Ваши пожелания и предложения")
    assert "a@example.kz" not in raw.to_string()


def test_made_respondent_ids_are_stable_and_hold_no_answer(tmp_path):
    root = surveys_folder(make_inputs(tmp_path, grant=SURVEYS_GRANT, events=EVENTS))
    grant = parse_grant(SURVEYS_GRANT)
    once = read_table_raw(root, "training_surveys", grant)[0]["respondent_id"].tolist()
    assert read_table_raw(root, "training_surveys", grant)[0]["respondent_id"].tolist() == once
    assert len(set(once)) == len(once)
    assert not any("example" in r or "Спасибо" in r for r in once)


def test_a_form_export_whose_questions_the_grant_does_not_name_reads_no_score(tmp_path):
    """Without `questionnaires:` the question texts are columns nobody maps: listed as ignored
    on the part (validate's summary and warnings say so), never read as scores."""
    root = surveys_folder(make_inputs(tmp_path, events=EVENTS))
    surveys = load_inputs(root)["training_surveys"]
    assert len(surveys) == 3 and surveys["knowledge_before"].isna().all()
    raw, _ = read_table_raw(root, "training_surveys", parse_grant(GRANT_YML))
    assert [p.names for p in raw.attrs["parts"]] == [("event_id", "respondent_id")] * 2
    assert BEFORE in raw.attrs["parts"][0].ignored


def test_a_single_form_file_without_event_ids_says_how_to_give_them(tmp_path):
    root = make_inputs(tmp_path, grant=SURVEYS_GRANT, events=EVENTS,
                       training_surveys=[FORM_HEADER, ["12.02.2023 14:03:55", "", "2", "5", "5", "4", ""]])
    assert validate(root).lines() == [
        "training_surveys.csv:1: missing column «event_id»: expected a header such as «Код мероприятия», "
        "«Іс-шара коды», «event_id» (or one named in grant.yml `columns:`; or files named by event id in a "
        "folder training_surveys/)"]


def test_a_form_file_with_an_event_id_column_keeps_it(tmp_path):
    root = make_inputs(tmp_path, grant=SURVEYS_GRANT, events=EVENTS)
    write_csv(root / "training_surveys" / "north.csv", [["Код мероприятия", *FORM_HEADER], ["T002", "", "", "2", "5",
                                                                                            "5", "4", ""]])
    surveys = load_inputs(root)["training_surveys"]
    assert surveys["event_id"].tolist() == ["T002"]
    assert surveys["respondent_id"].tolist() == ["training_surveys/north.csv:2"]


def test_a_google_forms_feedback_export_takes_its_timestamp_as_the_date(tmp_path):
    grant = GRANT_YML + ("questionnaires:\n  feedback:\n    consultation_id: 'Номер вашей консультации'\n"
                         "    answered: 'Получили ли вы ответ на свой вопрос?'\n"
                         "    satisfaction: 'Насколько вы довольны консультацией?'\n")
    root = make_inputs(tmp_path, grant=grant, consultations=[
        ["consultation_id", "activity_id", "date", "region", "beneficiary", "topic", "answered"],
        ["C1", "1.1", "2023-02-10", "north", "А", "Т", "да"]])
    write_csv(root / "feedback.csv", [
        ["Timestamp", "Номер вашей консультации", "Мероприятие плана", "Получили ли вы ответ на свой вопрос?",
         "Насколько вы довольны консультацией?"],
        ["12.02.2023 14:03:55", "C1", "1.1", "Да", "5"]])
    assert validate(root).ok
    feedback = load_inputs(root)["feedback"]
    assert feedback["date"].tolist() == [TS("2023-02-12")]
    assert feedback["satisfaction"].tolist() == [5] and feedback["answered"].tolist() == [True]


KOBO_HEADER = ["start", "end", "feedback/consultation_id", "feedback/activity_id", "feedback/answered",
               "feedback/rating/satisfaction", "feedback/comment", "meta/instanceID", "_id", "_uuid",
               "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by", "__version__", "_tags",
               "_index"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_kobotoolbox_export_is_read_as_it_downloads(tmp_path, suffix):
    root = make_inputs(tmp_path, consultations=[
        ["consultation_id", "activity_id", "date", "region", "beneficiary", "topic", "answered"],
        ["C1", "1.1", "2023-02-10", "north", "А", "Т", "да"], ["C2", "1.1", "2023-02-11", "south", "Б", "Т", "нет"]])
    rows = [KOBO_HEADER,
            ["2023-02-12T10:00:00.000+06:00", "2023-02-12T10:05:00.000+06:00", "C1", "1.1", "yes", "4", "Хорошо",
             "uuid:1", "101", "aa-1", "2023-02-12T04:05:11", "", "", "submitted_via_web", "", "v1", "", "1"],
            ["2023-02-13T10:00:00.000+06:00", "", "C2", "1.1", "no", "2", "", "uuid:2", "102", "aa-2",
             "2023-02-13T04:05:11", "", "", "submitted_via_web", "", "v1", "", "2"]]
    (write_xlsx if suffix == ".xlsx" else write_csv)(root / f"feedback{suffix}", rows)
    validation = validate(root)
    assert validation.ok, validation.lines()
    feedback = load_inputs(root)["feedback"]
    assert feedback["consultation_id"].tolist() == ["C1", "C2"]
    assert feedback["date"].tolist() == [TS("2023-02-12"), TS("2023-02-13")]  # from _submission_time
    assert feedback["answered"].tolist() == [True, False]
    assert feedback["satisfaction"].tolist() == [4, 2]
    raw, _ = read_table_raw(root, "feedback")
    [part] = raw.attrs["parts"]
    assert part.names == ("consultation_id", "activity_id", "answered", "satisfaction", "comment", "date")
    assert part.ignored == ("start", "end", "meta/instanceID", "_id", "_uuid", "_validation_status", "_notes",
                            "_status", "_submitted_by", "__version__", "_tags", "_index")
    assert not set(raw.columns) & {"_id", "_uuid", "_index", "start"}


def test_a_date_column_of_the_form_wins_over_the_submission_time(tmp_path):
    root = make_inputs(tmp_path)
    write_csv(root / "expenses.csv", [["_submission_time", "group_pay/Дата", "group_pay/activity_id", "group_pay/amount"],
                                      ["2023-05-01T10:00:00", "23.04.2023", "1.1", "100"]])
    expenses = load_inputs(root)["expenses"]
    assert expenses["date"].tolist() == [TS("2023-04-23")]
    raw, _ = read_table_raw(root, "expenses")
    assert raw.attrs["parts"][0].ignored == ("_submission_time",)


def test_a_submission_time_is_not_a_date_where_the_table_has_none(tmp_path):
    root = make_inputs(tmp_path, events=EVENTS)
    write_csv(root / "participants" / "T001.csv", [["Отметка времени", "ФИО"], ["12.02.2023 14:03:55", "Иванов"]])
    raw, _ = read_table_raw(root, "participants")
    [part] = raw.attrs["parts"]
    assert part.names == ("full_name", "event_id") and part.ignored == ("Отметка времени",)
    assert load_inputs(root)["participants"]["event_id"].tolist() == ["T001"]


def test_a_part_named_otherwise_than_an_event_is_one_line_not_one_per_row(demo_copy):
    """A registration list named by region (`participants/zko.csv`) without an event_id column:
    the name it was given as event id is wrong once for the file, said once, with where it came from."""
    path = demo_copy / "participants" / "zko.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    separator = ";" if lines[0].count(";") > lines[0].count(",") else ","
    column = lines[0].split(separator).index("event_id")
    path.write_text("\n".join(separator.join(c for i, c in enumerate(line.split(separator)) if i != column)
                              for line in lines) + "\n", encoding="utf-8")
    assert len(lines) > 3
    assert validate(demo_copy).lines() == [
        "participants/zko.csv:1: event_id = zko: expected an event_id listed in events (the file has no event_id "
        "column: its value is the file's name)"]
