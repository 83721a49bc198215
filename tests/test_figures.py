"""Scope (period x region) and every figure of one report, on a small hand-made grant.

Period p1 = 2023-01-01..2023-06-30. Regions north, south, east; east has no records at all.
Records sit on the start date, on the end date and on the day after (2023-07-01).
Every expected value below is worked out by hand in the comments.
"""

from __future__ import annotations

import json

import pytest
from conftest import report_figures
from helpers_inputs import GRANT_YML, make_inputs

from pipeline.exceptions import InputError, ScopeError
from pipeline.figures import blocks, declarations
from pipeline.figures.scope import make_scope, select
from pipeline.inputs.loading import load_inputs
from pipeline.inputs.notes import data_warnings
from pipeline.inputs.schema import EVENT_TYPES
from pipeline.notebook import context

TABLES = dict(
    plan=[
        ["task_no", "task", "activity_id", "activity", "deadline", "indicator", "target", "unit", "budget"],
        ["1", "Т", "1.1", "Тренинги", "2023", "И", "4", "тренингов", ""],
        ["1", "Т", "1.2", "Встречи", "2023", "И", "10", "участников", ""],
        ["2", "Т", "2.1", "Консультации", "2023", "И", "", "консультаций", ""],
        ["3", "Т", "3.1", "Публикации", "2023", "И", "4", "публикаций", ""],
        ["4", "Т", "4.1", "Волонтёры", "2023", "И", "12", "metric:volunteers", ""],
        ["5", "Т", "5.1", "Центры", "2023", "И", "2", "centres", ""],
    ],
    events=[
        ["event_id", "activity_id", "type", "title", "topic_id", "region", "start_date", "format",
         "reported_participants"],
        ["E1", "1.1", "training", "Т1", "law", "north", "2023-01-01", "offline", ""],    # on the start date
        ["E2", "1.1", "training", "Т2", "law", "south", "30.06.2023", "offline", ""],    # on the end date
        ["E3", "1.1", "training", "Т3", "budget", "north", "2023-07-01", "offline", ""],  # the day after
        ["E4", "1.2", "conference", "К", "", "north", "2023-03-01", "online", "15"],     # no list
        ["E5", "1.2", "meeting", "В", "", "south", "2023-03-02", "offline", ""],         # no list, no number
    ],
    participants=[
        ["event_id", "full_name"],
        ["E1", "Иванов Иван"], ["E1", "  иванов   иван "], ["E1", "Петров Пётр"],
        ["E2", "Петров Петр"], ["E2", "Сидорова Анна"],
        ["E3", "Новый Человек"],
    ],
    training_surveys=[
        ["event_id", "respondent_id", "knowledge_before", "knowledge_after", "trainer", "organisation"],
        ["E1", "r1", "3", "5", "5", "4"],
        ["E1", "r2", "", "4", "5", "5"],
        ["E2", "r3", "2", "4", "4", ""],
        ["E3", "r4", "1", "1", "1", "1"],
    ],
    consultations=[
        ["consultation_id", "activity_id", "date", "region", "beneficiary", "topic", "answered"],
        ["C1", "2.1", "01.01.2023", "north", "Б1", "Т", "да"],
        ["C2", "2.1", "30.06.2023", "south", "Б2", "Т", "нет"],
        ["C3", "2.1", "01.07.2023", "north", "Б3", "Т", "да"],
        ["C4", "2.1", "15.03.2023", "north", "Б4", "Т", "да"],
    ],
    feedback=[
        ["consultation_id", "activity_id", "date", "answered", "satisfaction", "positive"],
        ["C1", "2.1", "2023-01-02", "yes", "5", "yes"],   # north
        ["C2", "2.1", "2023-06-30", "no", "3", ""],       # south, on the end date
        ["C4", "2.1", "2023-03-20", "yes", "", "no"],     # north
        ["C4", "2.1", "2023-07-01", "yes", "4", "yes"],   # the day after
    ],
    media=[
        ["date", "platform", "account", "owner", "title", "reach", "publications", "region", "activity_id"],
        ["2023-01-01", "FB", "@a", "own", "P1", "100", "", "north", "3.1"],
        ["2023-06-30", "IG", "@a", "own", "P2", "", "2", "", "3.1"],
        ["2023-02-01", "Site", "x", "partner", "P3", "50", "1", "", ""],
        ["2023-03-01", "TV", "y", "press", "P4", "30", "3", "south", ""],
        ["2023-07-01", "FB", "@a", "own", "P5", "1000", "1", "north", "3.1"],
    ],
    expenses=[
        ["date", "activity_id", "amount", "region"],
        ["2023-01-01", "1.1", "100000", "north"],
        ["2023-06-30", "1.1", "12500.5", ""],
        ["2023-07-01", "1.1", "99999", "north"],
        ["2023-04-01", "2.1", "50000", "south"],
    ],
    centres=[
        ["region", "name", "opened"],
        ["north", "Ц-С", "2023-06-30"],
        ["south", "Ц-Ю", "2023-07-01"],
    ],
    metrics=[
        ["date", "name", "value", "region", "source"],
        ["2023-02-01", "subscribers", "10", "", "s"],
        ["2023-06-30", "subscribers", "31", "", "s"],
        ["2023-07-01", "subscribers", "50", "", "s"],
        ["2023-03-01", "volunteers", "4", "north", "s"],
        ["2023-05-01", "volunteers", "6", "north", "s"],
        ["2023-04-01", "volunteers", "3", "south", "s"],
    ],
)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return load_inputs(make_inputs(tmp_path_factory.mktemp("grant") / "inputs", **TABLES))


@pytest.fixture(scope="module")
def figs(inputs):
    """Figures of every p1 report, and of p2/all."""
    result = {}
    for period, region in [("p1", "all"), ("p1", "north"), ("p1", "south"), ("p1", "east"), ("p2", "all")]:
        result[f"{period}/{region}"] = _compute(select(inputs, make_scope(inputs.grant, period, region)))
    return result


def subset(f: dict, expected: dict) -> dict:
    return {k: f.get(k, "<absent>") for k in expected}


def _compute(sel) -> dict[str, object]:
    """Every figure of a report but the data notes (counted from the warnings)."""
    return {k: v for k, v in declarations.report_figures(sel, ()).items() if not k.startswith("warnings.")}


# ---------------------------------------------------------------- scope

def test_make_scope_bounds(inputs):
    scope = make_scope(inputs.grant, "p2", "north")
    assert (scope.period, scope.region, str(scope.start.date()), str(scope.end.date())) == (
        "p2", "north", "2023-07-01", "2023-12-31")
    assert not scope.is_all
    assert make_scope(inputs.grant, "p1", "all").is_all


def test_make_scope_rejects_an_unknown_period(inputs):
    with pytest.raises(ScopeError) as excinfo:
        make_scope(inputs.grant, "2099-final", "all")
    assert "«2099-final»" in str(excinfo.value)
    assert "p1" in str(excinfo.value)  # and says what is declared


def test_make_scope_rejects_an_unknown_region(inputs):
    with pytest.raises(ScopeError) as excinfo:
        make_scope(inputs.grant, "p1", "west")
    assert "«west»" in str(excinfo.value)


def test_period_bounds_are_inclusive(inputs):
    sel = select(inputs, make_scope(inputs.grant, "p1", "all"))
    assert sorted(sel.events["event_id"]) == ["E1", "E2", "E4", "E5"]
    assert sorted(sel.consultations["consultation_id"]) == ["C1", "C2", "C4"]
    assert sorted(sel.media["title"]) == ["P1", "P2", "P3", "P4"]
    assert sorted(sel.expenses["amount"]) == [12500.5, 50000, 100000]
    assert sorted(sel.participants["event_id"]) == ["E1", "E1", "E1", "E2", "E2"]
    assert sorted(sel.surveys["respondent_id"]) == ["r1", "r2", "r3"]
    sel2 = select(inputs, make_scope(inputs.grant, "p2", "all"))
    assert sorted(sel2.events["event_id"]) == ["E3"]
    assert sorted(sel2.consultations["consultation_id"]) == ["C3"]


def test_feedback_takes_its_consultations_region(inputs):
    north = select(inputs, make_scope(inputs.grant, "p1", "north"))
    south = select(inputs, make_scope(inputs.grant, "p1", "south"))
    assert sorted(north.feedback["consultation_id"]) == ["C1", "C4"]
    assert sorted(south.feedback["consultation_id"]) == ["C2"]


def test_rows_without_region_count_only_in_all(inputs):
    north = select(inputs, make_scope(inputs.grant, "p1", "north"))
    assert sorted(north.media["title"]) == ["P1"]
    assert sorted(north.expenses["amount"]) == [100000]
    east = select(inputs, make_scope(inputs.grant, "p1", "east"))
    assert len(east.media) == len(east.expenses) == len(east.metrics) == 0


# ---------------------------------------------------------------- figures

def test_figures_all(figs):
    expected = {
        "grant.amount": 1000000,
        "budget.spent": 162500.5,            # 100000 + 12500.5 + 50000
        "budget.spent_pct": 16,              # 16.25
        "centres.count": 1,                  # opened on the end date; south opens the day after
        "events.training.count": 2, "events.training.participants": 4,   # E1 (2 people), E2 (2)
        "events.conference.count": 1, "events.conference.participants": 15,
        "events.meeting.count": 1, "events.meeting.participants": 0,
        "events.presentation.count": 0, "events.presentation.participants": 0,
        "events.round_table.count": 0, "events.round_table.participants": 0,
        "events.other.count": 0, "events.other.participants": 0,
        "trainings.unique_participants": 3,  # иванов иван, петров петр (Пётр), сидорова анна
        "survey.law.respondents": 3, "survey.law.knowledge_before": 2.5, "survey.law.knowledge_after": 4.33,
        "survey.law.trainer": 4.67, "survey.law.organisation": 4.5,
        "survey.law.north.respondents": 2, "survey.law.north.knowledge_before": 3.0,
        "survey.law.north.knowledge_after": 4.5, "survey.law.north.trainer": 5.0,
        "survey.law.north.organisation": 4.5,
        "survey.law.south.respondents": 1, "survey.law.south.knowledge_before": 2.0,
        "survey.law.south.organisation": None,
        "survey.law.east.respondents": 0, "survey.law.east.trainer": None,
        "survey.budget.respondents": 0, "survey.budget.trainer": None,   # its only training is in p2
        "consultations.count": 3,
        "feedback.count": 3, "feedback.response_pct": 100, "feedback.answered_pct": 67,
        "feedback.positive_pct": 50, "feedback.satisfaction_pct": 80,   # (5 + 3) / 2 = 4 -> 80
        "media.publications": 7, "media.reach": 180,
        "media.own.publications": 3, "media.own.reach": 100,
        "media.partner.publications": 1, "media.partner.reach": 50,
        "media.press.publications": 3, "media.press.reach": 30,
        "metric.subscribers": 31,            # 2023-07-01's 50 is after the end
        "metric.volunteers": 9,              # north's latest 6 + south's 3
        "activity.1.1.participants": 4, "activity.1.1.cost": 112500.5,
        "activity.1.1.target": 4, "activity.1.1.achieved": 2, "activity.1.1.achieved_pct": 50,
        "activity.1.2.participants": 15, "activity.1.2.cost": 0,
        "activity.1.2.achieved": 15, "activity.1.2.achieved_pct": 150,
        "activity.2.1.participants": 6,      # 3 consultations + 3 forms
        "activity.2.1.cost": 50000, "activity.2.1.target": None,
        "activity.2.1.achieved": 3, "activity.2.1.achieved_pct": None,
        "activity.3.1.achieved": 3, "activity.3.1.achieved_pct": 75,   # P1 (blank -> 1) + P2 (2)
        "activity.4.1.achieved": 9, "activity.4.1.achieved_pct": 75,
        "activity.5.1.achieved": 1, "activity.5.1.achieved_pct": 50,
    }
    assert subset(figs["p1/all"], expected) == expected


def test_figures_region(figs):
    expected = {
        "budget.spent": 100000, "budget.spent_pct": 10,
        "centres.count": 1,
        "events.training.count": 1, "events.training.participants": 2,
        "events.conference.count": 1, "events.conference.participants": 15,
        "events.meeting.count": 0,
        "trainings.unique_participants": 2,
        "survey.law.respondents": 2, "survey.law.knowledge_before": 3.0, "survey.law.organisation": 4.5,
        "survey.law.north.respondents": 2,
        "survey.law.south.respondents": "<absent>",  # other regions' surveys: in `all` only
        "consultations.count": 2,
        "feedback.count": 2, "feedback.response_pct": 100, "feedback.answered_pct": 100,
        "feedback.positive_pct": 50, "feedback.satisfaction_pct": 100,
        "media.publications": 1, "media.reach": 100, "media.own.publications": 1,
        "media.partner.publications": 0, "media.press.reach": 0,
        "metric.subscribers": None,          # only unregioned rows: they count in all only
        "metric.volunteers": 6,
        "activity.1.1.participants": 2, "activity.1.1.cost": 100000, "activity.1.1.achieved": 1,
        # the plan's target is the project's: a region's report counts without it (issue 22)
        "activity.1.1.target": None, "activity.1.1.achieved_pct": None,
        "activity.2.1.participants": 4, "activity.2.1.achieved": 2,
        "activity.3.1.achieved": 1, "activity.3.1.achieved_pct": None,
        "activity.4.1.achieved": 6, "activity.4.1.achieved_pct": None,
    }
    assert subset(figs["p1/north"], expected) == expected
    south = {
        "centres.count": 0, "events.meeting.count": 1, "events.meeting.participants": 0,
        "feedback.count": 1, "feedback.response_pct": 100, "feedback.answered_pct": 0,
        "feedback.positive_pct": None, "feedback.satisfaction_pct": 60,
        "media.publications": 3, "media.press.reach": 30, "metric.volunteers": 3, "budget.spent": 50000,
    }
    assert subset(figs["p1/south"], south) == south


def test_region_without_records_gives_zeros_and_nulls(figs):
    f = figs["p1/east"]
    expected = {
        "budget.spent": 0, "budget.spent_pct": 0, "centres.count": 0, "trainings.unique_participants": 0,
        "survey.law.respondents": 0, "survey.law.knowledge_before": None, "survey.law.trainer": None,
        "consultations.count": 0, "feedback.count": 0, "feedback.response_pct": None,
        "feedback.answered_pct": None, "feedback.positive_pct": None, "feedback.satisfaction_pct": None,
        "media.publications": 0, "media.reach": 0,
        "metric.subscribers": None, "metric.volunteers": None,
        "activity.1.1.participants": 0, "activity.1.1.cost": 0, "activity.1.1.achieved": 0,
        "activity.1.1.achieved_pct": None,
        "activity.4.1.achieved": None, "activity.4.1.achieved_pct": None,
    }
    assert subset(f, expected) == expected
    for kind in EVENT_TYPES:
        assert (f[f"events.{kind}.count"], f[f"events.{kind}.participants"]) == (0, 0)


def test_day_after_belongs_to_the_next_period(figs):
    expected = {"events.training.count": 1, "consultations.count": 1, "feedback.count": 1,
                "centres.count": 2, "metric.subscribers": 50, "budget.spent": 99999,
                "survey.budget.respondents": 1, "survey.law.respondents": 0, "media.publications": 1}
    assert subset(figs["p2/all"], expected) == expected


def test_a_region_has_the_names_of_all_except_other_regions_surveys(figs, inputs):
    """The names of a scope: `all`'s, less the other regions' survey breakdown, which
    `blocks.elsewhere` names (a narrative shows those as "—")."""
    consolidated = list(figs["p1/all"])
    assert list(figs["p2/all"]) == consolidated
    assert {"survey.law.north.respondents", "survey.law.south.respondents", "survey.law.east.trainer"} <= set(consolidated)
    for region in ("north", "south", "east"):
        absent = blocks.elsewhere(select(inputs, make_scope(inputs.grant, "p1", region)))
        assert list(figs[f"p1/{region}"]) == [n for n in consolidated if n not in absent]
        assert absent and all(n.startswith("survey.") and f".{region}." not in n for n in absent)
        assert f"survey.law.{region}.respondents" in figs[f"p1/{region}"]
    assert blocks.elsewhere(select(inputs, make_scope(inputs.grant, "p1", "all"))) == frozenset()


def test_figures_are_json_plain_values(figs):
    for f in figs.values():
        assert json.loads(json.dumps(f)) == f   # no numpy or Decimal values
        for name, value in f.items():
            assert value is None or type(value) in (int, float), (name, type(value))


def test_achieved_pct_is_null_without_a_positive_target(tmp_path):
    plan = [TABLES["plan"][0], ["1", "Т", "1.1", "Тренинги", "2023", "И", "-4", "тренингов", ""]]
    tables = {**TABLES, "plan": plan}
    inputs = load_inputs(make_inputs(tmp_path, **tables))
    f = _compute(select(inputs, make_scope(inputs.grant, "p1", "all")))
    assert f["activity.1.1.achieved"] == 2
    assert f["activity.1.1.achieved_pct"] is None


def test_zero_grant_amount_is_an_input_error(tmp_path):
    root = make_inputs(tmp_path, grant=GRANT_YML.replace("amount: 1000000", "amount: 0"), expenses=TABLES["expenses"])
    with pytest.raises(InputError) as excinfo:
        load_inputs(root)
    assert str(excinfo.value) == "grant.yml:4: amount = 0: expected a positive number"


# ---------------------------------------------------------------- blocks

def test_every_figure_is_computed_by_exactly_one_block(inputs):
    """Each block is one notebook cell's computation: no figure in two of them."""
    sel = select(inputs, make_scope(inputs.grant, "p1", "all"))
    seen: dict[str, str] = {}
    for declared in declarations.DECLARED:
        block = declared.compute(*({"sel": sel, "warnings": ()}[name] for name in declared.parameters))
        assert block.key == declared.key
        for name in block.figures:
            assert name not in seen, (name, seen.get(name), block.key)
            seen[name] = block.key
        assert set(block.rows) == set(block.figures), block.key
    assert set(seen) - set(_compute(sel)) == {n for n in seen if n.startswith("warnings.")}


def test_every_block_declares_the_rows_a_notebook_shows_before_computing_it():
    """A block's inputs name tables and columns of the contract (data notes show no rows)."""
    from pipeline.inputs.schema import TABLES as CONTRACT

    for declared in declarations.DECLARED:
        for table, columns in declared.inputs.items():
            assert set(columns) <= {c.name for c in CONTRACT[table]}, (declared.key, table)
        assert bool(declared.inputs) == (declared.key != "data_notes"), declared.key


# ---------------------------------------------------------------- data notes

def test_data_notes_about_rows_count_the_reports_own_rows_and_the_folders_notes_are_the_folders(tmp_path, monkeypatch):
    """A report's notes about rows count its own period and region (issue 20: every report
    said the whole grant's count); a note about the folder is the same in every report."""
    # TABLES' feedback has two forms for C4 (a case of dates), which validate refuses: read unchecked.
    monkeypatch.setattr(context, "validated", load_inputs)
    tables = {**TABLES,
              # a second publication without reach: north, in p2 (P2 is p1's, without a region)
              "media": [*TABLES["media"], ["2023-08-01", "FB", "@a", "own", "P6", "", "1", "north", "3.1"]],
              # a payment dated outside every period: a note about the folder
              "expenses": [*TABLES["expenses"], ["2024-02-01", "1.1", "100", "south"]]}
    root = make_inputs(tmp_path / "inputs", **tables)
    expected = {  # (no reach, events without list or number: E5, south's, in p1)
        "p1/all": (1, 1), "p1/north": (0, 0), "p1/south": (0, 1), "p1/east": (0, 0),
        "p2/all": (1, 0), "p2/north": (1, 0), "p2/south": (0, 0), "p2/east": (0, 0)}
    for report, (no_reach, no_attendance) in expected.items():
        f = report_figures(root, *report.split("/"))
        assert (f["warnings.media.no_reach"], f["warnings.events.no_attendance"]) == (no_reach, no_attendance), report
        assert f["warnings.dates.outside_periods"] == 1, report
    whole = {w.code: w.count for w in data_warnings(load_inputs(root))}
    assert whole["media.no_reach"] == 2, "validate still tells the whole grant"


def test_every_data_note_is_of_one_kind_rows_or_folder():
    """Every note's code is either about rows (counted per report) or about the folder (the
    same in every report): docs/figures-conventions.md names each under its kind."""
    from pipeline.inputs.notes import FOLDER_NOTES, ROW_NOTES, WARNING_LABELS

    assert not set(ROW_NOTES) & set(FOLDER_NOTES)
    assert sorted([*ROW_NOTES, *FOLDER_NOTES]) == sorted(WARNING_LABELS)
