"""Pure calculations: exact half-up rounding, shares, means, attendance, media, metrics, plan units.

Frames are typed exactly as loading types them (helpers_inputs.typed), from text cells."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pandas as pd
import pytest
from helpers_inputs import typed

from pipeline.figures import blocks
from pipeline.figures import indicators as ind
from pipeline.inputs.schema import EVENT_TYPES, person_key


def ev(event_id, type_="training", activity_id="1.1", topic_id="", region="north", reported=""):
    return {"event_id": event_id, "activity_id": activity_id, "type": type_, "title": "T",
            "topic_id": topic_id, "region": region, "start_date": "2023-03-01", "format": "offline",
            "reported_participants": reported}


def events(*rows):
    return typed("events", list(rows))


def participants(*pairs):
    return typed("participants", [{"event_id": e, "full_name": n} for e, n in pairs])


# ---------------------------------------------------------------- rounding

@pytest.mark.parametrize("value, places, expected", [
    (0.125, 2, Decimal("0.13")),
    (2.675, 2, Decimal("2.68")),      # the float is 2.67499999…; the figure as given is 2.675
    (12.5, 0, Decimal("13")),
    (-2.5, 0, Decimal("-3")),
    (11.5, 0, Decimal("12")),
    (0.5, 0, Decimal("1")),
    (1.005, 2, Decimal("1.01")),
    (Fraction(25, 8), 2, Decimal("3.13")),
    (Fraction(1, 3), 2, Decimal("0.33")),
    (2.4999, 0, Decimal("2")),
    (7, 0, Decimal("7")),
])
def test_round_half_up(value, places, expected):
    assert ind.round_half_up(value, places) == expected


def test_round_half_up_differs_from_python_round():
    assert round(2.675, 2) == 2.67 and round(12.5) == 12   # banker's / binary rounding
    assert ind.round_half_up(2.675, 2) == Decimal("2.68")
    assert ind.round_half_up(12.5) == Decimal("13")


@pytest.mark.parametrize("numerator, denominator, expected", [
    (1, 8, 13),       # 12.5 -> 13
    (11, 22, 50),
    (3, 8, 38),       # 37.5 -> 38
    (2, 3, 67),
    (1, 3, 33),
    (0, 5, 0),
    (4.5, 5, 90),
    (5, 0, None),
    (0, 0, None),
])
def test_percent(numerator, denominator, expected):
    result = ind.percent(numerator, denominator)
    assert result == expected
    if expected is not None:
        assert type(result) is int


def test_mean_is_exact_and_half_up():
    values = pd.Series([3.0] * 7 + [4.0])    # 25 / 8 = 3.125
    assert round(25 / 8, 2) == 3.12         # what Python's round would give
    assert ind.mean(values) == 3.13


def test_mean_skips_blanks_and_is_none_for_nothing():
    assert ind.mean(pd.Series([5.0, float("nan"), 4.0, None])) == 4.5
    assert ind.mean(pd.Series([1.0, 2.0, 2.0])) == 1.67
    assert ind.mean(pd.Series([float("nan"), None], dtype=float)) is None
    assert ind.mean(pd.Series([], dtype=float)) is None


def test_share_yes_over_answered_flags():
    flags = pd.Series([True, False, pd.NA, True], dtype="boolean")
    assert ind.share_yes(flags) == 67                            # 2 of 3 answered
    assert ind.share_yes(pd.Series([pd.NA, pd.NA], dtype="boolean")) is None
    assert ind.share_yes(pd.Series([False, False], dtype="boolean")) == 0
    assert ind.share_yes(pd.Series([True] * 7 + [False], dtype="boolean")) == 88  # 87.5 -> 88


@pytest.mark.parametrize("total, expected", [
    (680000.0, 680000),
    (12500.5, 12500.5),
    (1.005, 1.01),
    (2.675, 2.68),
    (0.0, 0),
    (162500.499, 162500.5),
])
def test_money(total, expected):
    result = ind.money(total)
    assert result == expected
    assert type(result) is (int if isinstance(expected, int) else float)


# ---------------------------------------------------------------- people

@pytest.mark.parametrize("name", [
    "Иванов Иван",
    "иванов иван",
    "ИВАНОВ ИВАН",
    "  Иванов   Иван  ",
    "Иванов\tИван",
    "Иванов\u00a0Иван",
    "Иванов \t\u00a0 Иван\n",
])
def test_person_key_folds_case_and_white_space(name):
    assert person_key(name) == "иванов иван"


def test_person_key_reads_yo_as_ye():
    assert person_key("Пётр Фёдоров") == "петр федоров"
    assert person_key("ЁЛКИН Семён") == "елкин семен"
    assert person_key("Пётр") == person_key("Петр")
    assert person_key("Иванов Иван") != person_key("Иванова Ивана")


# ---------------------------------------------------------------- events and attendance

def test_attendance_list_wins_over_reported_and_counts_a_person_once():
    e = events(ev("E1", reported="50"), ev("E2", reported="15"), ev("E3"), ev("E4", reported="0"))
    p = participants(("E1", "Иванов Иван"), ("E1", "  иванов  иван "), ("E1", "Пётр Петров"),
                     ("E1", "Петр Петров"), ("E1", "Анна Ким"), ("E9", "Не отсюда"))
    att = ind.attendance(e, p)
    assert att.to_dict() == {"E1": 3, "E2": 15, "E3": 0, "E4": 0}


def test_attendance_same_person_on_two_events_counts_on_each():
    e = events(ev("E1"), ev("E2"))
    p = participants(("E1", "Иванов Иван"), ("E2", "ИВАНОВ ИВАН"))
    assert ind.attendance(e, p).to_dict() == {"E1": 1, "E2": 1}


def test_events_by_type_has_all_six_types_with_zeros():
    e = events(ev("E1", "training"), ev("E2", "training", reported="7"), ev("E3", "conference", reported="8"),
               ev("E4", "round_table"))
    p = participants(("E1", "А"), ("E1", "Б"))
    result = ind.events_by_type(e, p)
    assert result == {"conference": (1, 8), "training": (2, 9), "meeting": (0, 0),
                      "presentation": (0, 0), "round_table": (1, 0), "other": (0, 0)}
    assert list(result) == list(EVENT_TYPES)


def test_events_by_type_of_nothing():
    result = ind.events_by_type(events(), participants())
    assert result == {kind: (0, 0) for kind in EVENT_TYPES}


def test_unique_people_over_trainings_only():
    e = events(ev("E1", "training"), ev("E2", "training"), ev("E3", "conference"))
    p = participants(("E1", "Иванов Иван"), ("E1", "Пётр Петров"), ("E2", "иванов  иван"),
                     ("E2", "Анна Ким"), ("E3", "Конференц Участник"), ("E3", "Анна Ким"))
    assert ind.unique_people(e, p) == 3
    assert ind.unique_people(e, p, kind="conference") == 2
    assert ind.unique_people(events(), participants()) == 0


# ---------------------------------------------------------------- questionnaires

def test_training_topics_first_seen_order_of_trainings_only():
    e = events(ev("E1", topic_id="law"), ev("E2", "conference", topic_id="conf"), ev("E3", topic_id=""),
               ev("E4", topic_id="budget"), ev("E5", topic_id="law"))
    assert ind.training_topics(e) == ["law", "budget"]


def test_survey_summary_only_that_topics_trainings_and_means_over_answers():
    e = events(ev("E1", topic_id="law"), ev("E2", topic_id="law"), ev("E3", topic_id="budget"),
               ev("E4", "conference", topic_id="law"))
    s = typed("training_surveys", [
        {"event_id": "E1", "respondent_id": "1", "knowledge_before": "3", "knowledge_after": "5",
         "trainer": "5", "organisation": "4"},
        {"event_id": "E1", "respondent_id": "2", "knowledge_before": "", "knowledge_after": "4",
         "trainer": "5", "organisation": "5"},
        {"event_id": "E2", "respondent_id": "3", "knowledge_before": "2", "knowledge_after": "4",
         "trainer": "4", "organisation": ""},
        {"event_id": "E3", "respondent_id": "4", "knowledge_before": "1", "knowledge_after": "1",
         "trainer": "1", "organisation": "1"},
        {"event_id": "E4", "respondent_id": "5", "knowledge_before": "1", "knowledge_after": "1",
         "trainer": "1", "organisation": "1"},
    ])
    assert ind.survey_summary(e, s, "law") == {
        "respondents": 3,
        "knowledge_before": 2.5,      # (3 + 2) / 2, the blank is not an answer
        "knowledge_after": 4.33,      # 13 / 3
        "trainer": 4.67,              # 14 / 3
        "organisation": 4.5,          # (4 + 5) / 2
    }
    assert ind.survey_summary(e, s, "budget") == {
        "respondents": 1, "knowledge_before": 1.0, "knowledge_after": 1.0, "trainer": 1.0, "organisation": 1.0}
    assert ind.survey_summary(e, s, "nothing") == {
        "respondents": 0, "knowledge_before": None, "knowledge_after": None, "trainer": None, "organisation": None}


# ---------------------------------------------------------------- consultations and feedback

def consultations(n):
    return typed("consultations", [{"consultation_id": f"C{i}", "activity_id": "3.1", "date": "2023-03-01",
                                    "region": "north", "beneficiary": "Б", "topic": "Т", "answered": "да"}
                                   for i in range(n)])


def forms(rows):
    return typed("feedback", [{"consultation_id": f"C{i}", "activity_id": "3.1", "date": "2023-03-02", **row}
                              for i, row in enumerate(rows)])


def feedback_summary(consulted, feedback) -> dict:
    """The consultations block's feedback figures (what notebook 30's computing cell runs), by measure."""
    block = blocks.consultations(SimpleNamespace(consultations=consulted, feedback=feedback))
    return {name.removeprefix("feedback."): value for name, value in block.figures.items() if name.startswith("feedback.")}


def test_feedback_summary_like_the_seed():
    # 10 rated forms, mean 4.5 (5 fives, 5 fours), an 11th unrated; 22 consultations
    rows = ([{"answered": "yes", "satisfaction": "5", "positive": "yes"}] * 5
            + [{"answered": "yes", "satisfaction": "4", "positive": "yes"}] * 5
            + [{"answered": "yes", "satisfaction": "", "positive": "yes"}])
    assert feedback_summary(consultations(22), forms(rows)) == {
        "count": 11, "response_pct": 50, "answered_pct": 100, "positive_pct": 100, "satisfaction_pct": 90}


def test_feedback_summary_shares_over_forms_that_answered():
    rows = [
        {"answered": "yes", "satisfaction": "5", "positive": "yes"},
        {"answered": "no", "satisfaction": "3", "positive": ""},
        {"answered": "yes", "satisfaction": "", "positive": "no"},
        {"answered": "", "satisfaction": "4", "positive": "no"},
    ]
    assert feedback_summary(consultations(8), forms(rows)) == {
        "count": 4,
        "response_pct": 50,            # 4 / 8
        "answered_pct": 67,            # 2 yes of 3 answered
        "positive_pct": 33,            # 1 yes of 3 answered
        "satisfaction_pct": 80,        # (5 + 3 + 4) / 3 = 4 -> 4 / 5
    }


def test_feedback_summary_of_nothing():
    assert feedback_summary(consultations(0), forms([])) == {
        "count": 0, "response_pct": None, "answered_pct": None, "positive_pct": None, "satisfaction_pct": None}
    # consultations but no forms: a 0 % response, no shares
    assert feedback_summary(consultations(3), forms([])) == {
        "count": 0, "response_pct": 0, "answered_pct": None, "positive_pct": None, "satisfaction_pct": None}


# ---------------------------------------------------------------- media

def media(*rows):
    return typed("media", [{"date": "2023-03-01", "platform": "FB", "account": "@a", "title": "P",
                            "owner": o, "reach": r, "publications": n} for o, r, n in rows])


def test_media_totals_blank_publications_is_one_blank_reach_is_zero():
    m = media(("own", "100", ""), ("own", "", "2"), ("partner", "50", "1"), ("press", "30", "3"),
              ("partner", "", ""))
    assert ind.media_totals(m) == {
        "publications": 8, "reach": 180,
        "own.publications": 3, "own.reach": 100,
        "partner.publications": 2, "partner.reach": 50,
        "press.publications": 3, "press.reach": 30,
        "external.publications": 5, "external.reach": 80,
    }


def test_media_totals_of_nothing():
    totals = ind.media_totals(media())
    assert set(totals.values()) == {0}
    assert len(totals) == 10


# ---------------------------------------------------------------- metrics

def latest_metrics(table, names, regional_sum):
    """Each metric's value as a block reads it: from its latest rows."""
    return {name: ind.metric_value(rows) for name, rows in ind.latest_metric_rows(table, names, regional_sum).items()}


def metrics(*rows):
    return typed("metrics", [{"date": d, "name": n, "value": v, "region": r, "source": "src"}
                             for d, n, v, r in rows])


def test_latest_metrics_latest_date_then_last_row():
    m = metrics(
        ("2023-03-01", "subscribers", "20", ""),
        ("2023-01-10", "subscribers", "10", ""),
        ("2023-03-01", "subscribers", "25", ""),   # same date, later row: wins
        ("2023-02-01", "subscribers", "99", ""),   # later row, earlier date: loses
    )
    assert latest_metrics(m, ["subscribers", "absent"], regional_sum=True) == {
        "subscribers": 25, "absent": None}
    assert latest_metrics(m, ["subscribers"], regional_sum=False) == {"subscribers": 25}


def test_latest_metrics_regional_sum_in_all():
    m = metrics(
        ("2023-02-05", "volunteers", "7", "north"),
        ("2023-01-05", "volunteers", "5", "north"),
        ("2023-01-20", "volunteers", "3", "south"),
        ("2023-01-01", "rate", "2.5", "north"),
    )
    assert latest_metrics(m, ["volunteers", "rate"], regional_sum=True) == {"volunteers": 10, "rate": 2.5}
    north = m[m["region"] == "north"]
    assert latest_metrics(north, ["volunteers"], regional_sum=False) == {"volunteers": 7}


def test_latest_metrics_values_are_plain_numbers():
    m = metrics(("2023-01-01", "a", "31", ""), ("2023-01-01", "b", "1,5", ""))
    result = latest_metrics(m, ["a", "b"], regional_sum=True)
    assert result == {"a": 31, "b": 1.5}
    assert type(result["a"]) is int and type(result["b"]) is float


# ---------------------------------------------------------------- plan units

@pytest.mark.parametrize("unit, measure", [
    ("conference", "conference"), ("Конференция", "conference"), ("конференций", "conference"),
    ("training", "training"), ("TRAINING", "training"), ("тренингов", "training"), ("Тренинг", "training"),
    ("meeting", "meeting"), ("встречи", "meeting"),
    ("presentation", "presentation"), ("презентаций", "presentation"),
    ("round_table", "round_table"), ("Круглый стол", "round_table"),
    ("other", "other"),
    ("events", "events"), ("мероприятий", "events"),
    ("participants", "participants"), ("участников", "participants"), ("человек", "participants"),
    ("consultations", "consultations"), ("консультаций", "consultations"),
    ("feedback", "feedback"), ("отзывов", "feedback"), ("анкет", "feedback"),
    ("centres", "centres"), ("центров", "centres"), ("Community-центр", "centres"),
    ("publications", "publications"), ("публикаций", "publications"),
    ("metric:subscribers", "metric:subscribers"), ("Metric: subscribers ", "metric:subscribers"),
    ("", "events"), (None, "events"), ("   ", "events"), ("штук", "events"),
])
def test_unit_measure(unit, measure):
    assert ind.unit_measure(unit) == measure


# ---------------------------------------------------------------- plan activities

@pytest.fixture(scope="module")
def activity_data():
    e = events(ev("E1", "training", "1.1"), ev("E2", "training", "1.1", reported="10"),
               ev("E3", "meeting", "1.1", reported="4"), ev("E4", "training", "2.1", reported="100"))
    p = participants(("E1", "Иванов"), ("E1", "ИВАНОВ"), ("E1", "Петров"))
    c = typed("consultations", [
        {"consultation_id": f"C{i}", "activity_id": a, "date": "2023-03-01", "region": "north",
         "beneficiary": "Б", "topic": "Т", "answered": "да"} for i, a in enumerate(["1.1", "1.1", "3.1"])])
    f = typed("feedback", [{"consultation_id": "C0", "activity_id": "1.1", "date": "2023-03-02",
                            "answered": "yes"}])
    m = typed("media", [{"date": "2023-03-01", "platform": "FB", "account": "@a", "title": "P", "owner": o,
                         "publications": n, "activity_id": a}
                        for o, n, a in [("own", "", "1.1"), ("partner", "3", "1.1"), ("own", "5", "4.1")]])
    return e, p, c, f, m


def test_activity_participants(activity_data):
    e, p, c, f, _ = activity_data
    # 2 (list of E1) + 10 (E2 reported) + 4 (E3 reported) + 2 consultations + 1 feedback form
    assert ind.activity_participants("1.1", e, p, c, f) == 19
    assert ind.activity_participants("2.1", e, p, c, f) == 100
    assert ind.activity_participants("3.1", e, p, c, f) == 1
    assert ind.activity_participants("9.9", e, p, c, f) == 0


@pytest.mark.parametrize("measure, activity, expected", [
    ("training", "1.1", 2), ("meeting", "1.1", 1), ("conference", "1.1", 0), ("training", "2.1", 1),
    ("events", "1.1", 3), ("participants", "1.1", 19), ("consultations", "1.1", 2),
    ("feedback", "1.1", 1), ("centres", "1.1", 4), ("publications", "1.1", 4),
    ("publications", "4.1", 5), ("metric:subscribers", "1.1", 31), ("metric:absent", "1.1", None),
])
def test_achieved(activity_data, measure, activity, expected):
    e, p, c, f, m = activity_data
    participants_count = ind.activity_participants(activity, e, p, c, f)
    result = ind.achieved(measure, activity, events=e, participants=participants_count, consultations=c,
                          feedback=f, centres=4, media=m, metrics={"subscribers": 31})
    assert result == expected


def test_activity_cost_and_target():
    x = typed("expenses", [{"date": "2023-03-01", "activity_id": a, "amount": v}
                           for a, v in [("1.1", "12500,50"), ("1.1", "75000,25"), ("2.1", "680000")]])
    assert ind.activity_cost("1.1", x) == 87500.75
    assert ind.activity_cost("2.1", x) == 680000 and type(ind.activity_cost("2.1", x)) is int
    assert ind.activity_cost("9.9", x) == 0
    assert ind.target(float("nan")) is None
    assert ind.target(None) is None
    assert ind.target(14.0) == 14 and type(ind.target(14.0)) is int
    assert ind.target(2.5) == 2.5
