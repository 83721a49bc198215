"""How cells become values: regions by id, name or alias; yes/no, event types, owners and
formats in English, Russian and Kazakh; scores with words after the digit; dates as forms
write them; numbers written short are one clear line, never a silent 0."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers_inputs import GRANT_YML, make_inputs, typed

from pipeline.exceptions import InputError
from pipeline.inputs.grant import parse_grant
from pipeline.inputs.loading import InputProblems, load_inputs, type_table
from pipeline.inputs.reading import Part
from pipeline.inputs.schema import TABLES, word_key
from pipeline.inputs.validation import validate
from pipeline.inputs.values import coerce_column, region_words

TS = pd.Timestamp


def column(table: str, name: str):
    return next(c for c in TABLES[table] if c.name == name)


def coerced(table: str, name: str, cells: list[str]) -> tuple[list[object], list[bool]]:
    values, bad, _ = coerce_column(cells, column(table, name))
    return [None if pd.isna(v) else v for v in values], bad.tolist()


# ---------------------------------------------------------------- words

def test_word_key_folds_case_spaces_and_yo():
    assert word_key("  Круглый \u00a0 СТОЛ ") == "круглый стол"
    assert word_key("Партнёр") == word_key("партнер")


@pytest.mark.parametrize("cell, value", [
    ("да", True), ("ДА", True), ("Yes", True), ("иә", True), ("Иә", True), ("ия", True), ("ИСТИНА", True),
    ("1", True), ("нет", False), ("Нет", False), ("NO", False), ("жоқ", False), ("Жоқ", False), ("жок", False),
    ("ЛОЖЬ", False), ("0", False),
])
def test_yes_and_no_in_russian_kazakh_and_english_any_case(cell, value):
    assert coerced("consultations", "answered", [cell]) == ([value], [False])


def test_an_unknown_yes_no_word_is_a_bad_cell():
    assert coerced("consultations", "answered", ["возможно"]) == ([None], [True])


@pytest.mark.parametrize("cell, value", [
    ("тренинг", "training"), ("Тренинг", "training"), ("Training", "training"), ("конференция", "conference"),
    ("встреча", "meeting"), ("кездесу", "meeting"), ("презентация", "presentation"), ("таныстыру", "presentation"),
    ("круглый стол", "round_table"), ("Круглый  стол", "round_table"), ("дөңгелек үстел", "round_table"),
    ("round table", "round_table"), ("другое", "other"), ("басқа", "other"),
])
def test_event_types_in_russian_and_kazakh(cell, value):
    assert coerced("events", "type", [cell]) == ([value], [False])


@pytest.mark.parametrize("cell, value", [
    ("собственный", "own"), ("Собственный", "own"), ("өз", "own"), ("партнер", "partner"), ("Партнёр", "partner"),
    ("серіктес", "partner"), ("СМИ", "press"), ("сми", "press"), ("БАҚ", "press"), ("press", "press"),
])
def test_owners_in_russian_and_kazakh(cell, value):
    assert coerced("media", "owner", [cell]) == ([value], [False])


def test_a_word_of_another_column_is_not_taken():
    """«онлайн» is a format, not an event type; «СМИ» an owner, not a format."""
    assert coerced("events", "type", ["онлайн"]) == ([None], [True])
    assert coerced("events", "format", ["СМИ"]) == ([None], [True])


@pytest.mark.parametrize("cell, value", [
    ("5", 5), ("5 - отлично", 5), ("4 – хорошо", 4), ("3 — удовлетворительно", 3), ("5 (отлично)", 5),
    ("5. Отлично", 5), ("1 совсем не знал", 1), ("5 - өте жақсы", 5),
])
def test_scores_as_digits_or_with_words_after_the_digit(cell, value):
    assert coerced("training_surveys", "trainer", [cell]) == ([value], [False])


@pytest.mark.parametrize("cell", ["отлично", "6 - превосходно", "0 - никак", "10 из 10"])
def test_a_score_without_a_digit_1_to_5_is_a_bad_cell(cell):
    assert coerced("training_surveys", "trainer", [cell])[1] == [True]


@pytest.mark.parametrize("cell", [
    "12.02.2024", "12.02.2024 14:03:55", "12.02.2024 14:03", "12.02.2024 г.", "2024-02-12", "2024-02-12T14:03:55",
    "2024-02-12T09:03:55.123+05:00", "2024-02-12 14:03:55Z", "2024/02/12 2:03:55 PM GMT+5",
    "2024/02/12 14:03:55", "2024/2/12", "2024/02/12 11:59:00 am GMT+05:00",
])
def test_dates_as_people_google_forms_and_kobotoolbox_write_them(cell):
    assert coerced("feedback", "date", [cell]) == ([TS("2024-02-12")], [False])


def test_a_date_with_slashes_and_the_day_first_is_never_guessed(tmp_path):
    root = make_inputs(tmp_path, consultations=[
        ["consultation_id", "activity_id", "date", "region", "beneficiary", "topic", "answered"],
        ["C1", "1.1", "12/02/2024", "north", "Имя", "Вопрос", "да"]])
    with pytest.raises(InputProblems) as excinfo:
        load_inputs(root)
    assert str(excinfo.value) == (
        "consultations.csv:2: date = 12/02/2024: expected a date like 2022-05-23 or 23.05.2022: a day/month with "
        "slashes could be either: write 2024-02-12 or 12.02.2024")


@pytest.mark.parametrize("cell", ["0001-01-01", "31.12.9999", "2300/01/01"])
def test_a_day_beyond_the_years_a_date_can_hold_is_one_line_not_a_crash(tmp_path, cell):
    root = make_inputs(tmp_path, media=[
        ["date", "platform", "account", "owner", "title", "reach"],
        ["2023-02-01", "Instagram", "@x", "own", "Пост", "5"], [cell, "Instagram", "@x", "own", "Пост", "7"]])
    assert validate(root).lines() == [f"media.csv:3: date = {cell}: expected a date like 2022-05-23 or 23.05.2022, "
                                      "of a year from 1678 to 2261"]


@pytest.mark.parametrize("cell", ["12 тыс.", "12 тыс", "1,2 млн", "1,2K", "1.2k", "12к", "3 мың"])
def test_a_number_written_short_is_one_clear_line_never_a_silent_zero(tmp_path, cell):
    root = make_inputs(tmp_path, media=[
        ["date", "platform", "account", "owner", "title", "reach"],
        ["2023-02-01", "Instagram", "@x", "own", "Пост", cell]])
    report = validate(root)
    assert report.lines() == [f"media.csv:2: reach = {cell}: expected a whole number ≥ 0: write the whole number "
                              "(12000, not 12 тыс.)"]
    assert report.inputs is None  # nothing is built from it


def test_numbers_grouped_with_spaces_are_read_whole():
    assert coerced("media", "reach", ["12 000", "1\u00a0200"]) == ([12000, 1200], [False, False])


# ---------------------------------------------------------------- regions by id, name or alias

GRANT_WITH_ALIASES = GRANT_YML.replace(
    "  - {id: north, name: 'Северная область'}",
    "  - {id: north, name: 'Северо-Казахстанская область', aliases: ['СКО', 'Солтүстік Қазақстан облысы']}",
).replace("  - {id: south, name: 'Южная область'}", "  - {id: south, name: 'Южная область', aliases: ЮКО}")

EVENT_HEADER = ["event_id", "activity_id", "type", "title", "region", "start_date", "format"]


def _events(*regions: str) -> list[list[object]]:
    return [EVENT_HEADER] + [[f"E{i}", "1.1", "тренинг", "Т", region, "2023-02-01", "онлайн"]
                             for i, region in enumerate(regions, start=1)]


def test_regions_by_id_name_or_alias_any_case_become_the_id(tmp_path):
    root = make_inputs(tmp_path, grant=GRANT_WITH_ALIASES, events=_events(
        "north", "NORTH", "Северо-Казахстанская область", "северо-казахстанская  ОБЛАСТЬ", "СКО", "ско",
        "Солтүстік Қазақстан облысы", "ЮКО", "Южная область", "Восточная область", "east"))
    events = load_inputs(root)["events"]
    assert events["region"].tolist() == ["north"] * 7 + ["south"] * 2 + ["east"] * 2
    assert events["type"].unique().tolist() == ["training"] and events["format"].unique().tolist() == ["online"]


def test_a_region_name_with_yo_is_the_name_with_e(tmp_path):
    grant = GRANT_YML.replace("name: 'Восточная область'", "name: 'Восточная область', aliases: [Семёновка]")
    root = make_inputs(tmp_path, grant=grant, events=_events("семеновка", "СЕМЁНОВКА"))
    assert load_inputs(root)["events"]["region"].tolist() == ["east", "east"]


def test_regions_by_name_in_every_table_with_a_region_column(tmp_path):
    root = make_inputs(
        tmp_path, grant=GRANT_WITH_ALIASES,
        centres=[["region", "name", "opened"], ["СКО", "Центр", "2023-02-01"]],
        expenses=[["date", "activity_id", "amount", "region"], ["2023-02-01", "1.1", "100", "Южная область"]],
        metrics=[["date", "name", "value", "region", "source"], ["2023-02-01", "subs", "5", "ЮКО", "отчет"]])
    inputs = load_inputs(root)
    assert inputs["centres"]["region"].tolist() == ["north"]
    assert inputs["expenses"]["region"].tolist() == ["south"]
    assert inputs["metrics"]["region"].tolist() == ["south"]


def test_an_unknown_region_names_the_ids_and_the_closest(tmp_path):
    root = make_inputs(tmp_path, grant=GRANT_WITH_ALIASES, events=_events("Северо-Казахстанская обл", "Атлантида"))
    tail = "expected a region listed in grant.yml (north, south, east), by its id, name or aliases"
    assert validate(root).lines() == [
        f"events.csv:2: region = Северо-Казахстанская обл: {tail}: did you mean north? "
        "To read it so, paste under north in grant.yml: aliases: [\"Северо-Казахстанская обл\"]",
        f"events.csv:3: region = Атлантида: {tail}"]


def test_a_name_two_regions_share_must_be_written_as_the_id(tmp_path):
    grant = GRANT_WITH_ALIASES.replace("aliases: ЮКО", "aliases: [ЮКО, СКО]")
    root = make_inputs(tmp_path, grant=grant, events=_events("СКО", "north"))
    assert validate(root).lines() == [
        "events.csv:2: region = СКО: expected a region id: more than one region of grant.yml has this name or alias"]


def test_region_words_and_aliases_in_grant_yml():
    grant = parse_grant(GRANT_WITH_ALIASES)
    assert grant.regions[0].aliases == ("СКО", "Солтүстік Қазақстан облысы")
    assert grant.regions[1].aliases == ("ЮКО",)  # one alias may be written without brackets
    assert grant.regions[2].aliases == ()
    words = region_words(grant)
    assert words["ско"] == "north" and words["юко"] == "south" and words["north"] == "north"


def test_an_empty_alias_is_a_grant_yml_line():
    text = GRANT_YML.replace("name: 'Восточная область'}", "name: 'Восточная область', aliases: ['']}")
    with pytest.raises(InputError) as excinfo:
        parse_grant(text)
    assert str(excinfo.value).endswith("regions[2].aliases[0] = '': expected a value")


def test_without_grant_words_a_region_is_kept_as_written():
    raw = pd.DataFrame({"region": ["СКО"], "name": ["Ц"], "opened": ["2023-02-01"], "_file": ["centres.csv"],
                        "_row": [2]})
    raw.attrs["parts"] = [Part("centres.csv", ("region", "name", "opened"), rows=1)]
    frame, problems = type_table("centres", raw)
    assert frame["region"].tolist() == ["СКО"] and problems == []


def test_typed_helper_still_types_words():
    frame = typed("feedback", [{"consultation_id": "C1", "activity_id": "1.1", "date": "2023-02-01",
                                "answered": "Иә", "satisfaction": "5 - отлично", "positive": "жоқ"}])
    assert frame.loc[0, ["answered", "satisfaction", "positive"]].tolist() == [True, 5, False]


def test_every_accepted_word_is_documented():
    """docs/inputs.md's «Values in words» lists every word the schema accepts."""
    from conftest import PROJECT

    from pipeline.inputs.schema import ENUM_SYNONYMS, FALSE_WORDS, TRUE_WORDS

    text = (PROJECT / "docs" / "inputs.md").read_text(encoding="utf-8")
    section = word_key(text.split("## Values in words", 1)[1].split("\n## ", 1)[0])
    for word in [*ENUM_SYNONYMS, *TRUE_WORDS, *FALSE_WORDS]:
        assert f"`{word}`" in section, word


def test_an_xlsx_as_a_form_exports_it_reads_in_words(tmp_path):
    """Excel cells of every kind: a timestamp with its time of day, a boolean cell, words."""
    import datetime as dt

    from helpers_inputs import write_xlsx

    root = make_inputs(tmp_path, grant=GRANT_WITH_ALIASES, events=_events("north"))
    write_xlsx(root / "feedback.xlsx", [
        ["consultation_id", "activity_id", "date", "answered", "satisfaction", "positive"],
        ["C1", "1.1", dt.datetime(2023, 2, 12, 14, 3, 55), True, "5 - отлично", "Иә"],
        ["C2", "1.1", "12.02.2023 14:03:55", "Нет", 4, False]])
    write_xlsx(root / "consultations.xlsx", [
        ["consultation_id", "activity_id", "date", "region", "beneficiary", "topic", "answered"],
        ["C1", "1.1", "2023-02-12", "СКО", "Имя", "Вопрос", "ДА"],
        ["C2", "1.1", "2023/02/12 2:03:55 PM GMT+5", "Южная  область", "Имя", "Вопрос", "жоқ"]])
    inputs = validate(root).inputs
    assert inputs is not None
    feedback, consultations = inputs["feedback"], inputs["consultations"]
    assert feedback["date"].tolist() == [TS("2023-02-12")] * 2
    assert feedback[["answered", "satisfaction", "positive"]].values.tolist() == [[True, 5, True], [False, 4, False]]
    assert consultations["region"].tolist() == ["north", "south"]
    assert consultations["answered"].tolist() == [True, False]


def test_an_id_is_always_its_regions_even_when_another_region_has_it_as_alias():
    grant = parse_grant(GRANT_YML.replace("name: 'Восточная область'}", "name: 'Восточная область', aliases: [North]}"))
    words = region_words(grant)
    assert words["north"] == "north" and words["восточная область"] == "east"
