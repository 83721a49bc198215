"""Pure calculations behind every figure: DataFrames in, numbers out.

Rounding is exact and half-up (25/8 -> 3.13, 12.5 % -> 13 %), unlike Python's round().
A mean or ratio of nothing is None ("—" in the report); a count or sum of nothing is 0.
"""

from __future__ import annotations

import numbers
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import SupportsFloat

import pandas as pd

from pipeline.inputs.schema import EVENT_TYPES, person_key, word_key

SCORE_QUESTIONS = ("knowledge_before", "knowledge_after", "trainer", "organisation")


# ---------------------------------------------------------------- rounding

#: What the exact arithmetic takes: counts, sums and means as pandas and numpy give them.
Exact = int | float | Decimal | Fraction | numbers.Rational


def _exact(value: Exact) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def round_half_up(value: Exact, places: int = 0) -> Decimal:
    """Round exactly, ties away from zero, at `places` decimals."""
    exact = _exact(value)
    scaled = abs(exact) * 10 ** places
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(-whole if exact < 0 else whole).scaleb(-places)


def percent(numerator: Exact | None, denominator: Exact) -> int | None:
    """numerator / denominator x 100, whole, half-up; None when the denominator is 0 or there
    is no numerator (the mean of no answers)."""
    if numerator is None or not denominator:
        return None
    return int(round_half_up(_exact(numerator) * 100 / _exact(denominator), 0))


def mean(values: pd.Series) -> float | None:
    """Mean of the filled values, 2 decimals half-up; None when none is filled."""
    filled = Counter(float(v) for v in values.dropna().tolist())  # each value once, times how often
    if not filled:
        return None
    total = sum((_exact(value) * times for value, times in filled.items()), Fraction(0))
    return float(round_half_up(total / filled.total(), 2))


def share_yes(flags: pd.Series) -> int | None:
    """Percentage of True among the answered (non-missing) flags."""
    answered = flags.dropna()
    return percent(int(answered.astype(bool).sum()), len(answered))


def money(total: float) -> int | float:
    """A sum of money as JSON shows it: whole numbers as int, else 2 decimals."""
    value = round_half_up(total, 2)
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------- people



def people(participants: pd.DataFrame) -> pd.DataFrame:
    """Distinct (event, person) pairs of registration lists."""
    keyed = pd.DataFrame({"event_id": participants["event_id"],
                          "person": participants["full_name"].map(person_key)})
    return keyed.drop_duplicates()


# ---------------------------------------------------------------- events

def attendance(events: pd.DataFrame, participants: pd.DataFrame) -> pd.Series:
    """Attendance per event: distinct people on its list, else reported_participants (else 0)."""
    listed = Counter(people(participants)["event_id"].tolist())  # distinct people per event
    reported = events["reported_participants"].fillna(0).astype(int)
    ids = events["event_id"].to_numpy()
    return pd.Series([listed[event] if event in listed else count for event, count in zip(ids, reported, strict=True)],
                     index=ids, dtype=int)


def events_by_type(events: pd.DataFrame, participants: pd.DataFrame,
                   kinds: Sequence[str] = EVENT_TYPES) -> dict[str, tuple[int, int]]:
    """(count, attendance) of events for every event type (`kinds`: the built-in ones, and the
    grant's own, `Grant.event_type_ids`), zeros included."""
    per_event = attendance(events, participants)
    result = {}
    for kind in kinds:
        ids = events.loc[events["type"] == kind, "event_id"]
        result[kind] = (len(ids), int(per_event.reindex(ids).sum()))
    return result


def unique_people(events: pd.DataFrame, participants: pd.DataFrame, kind: str = "training") -> int:
    """Distinct people over the lists of all events of one type."""
    ids = set(events.loc[events["type"] == kind, "event_id"])
    listed = people(participants)
    return int(listed.loc[listed["event_id"].isin(ids), "person"].nunique())


# ---------------------------------------------------------------- questionnaires

def training_topics(all_events: pd.DataFrame) -> list[str]:
    """Every topic of a training anywhere in the inputs, in first-seen order."""
    topics = all_events.loc[(all_events["type"] == "training") & (all_events["topic_id"] != ""), "topic_id"]
    return list(dict.fromkeys(topics))


def topic_titles(all_events: pd.DataFrame, declared: Mapping[str, str] | None = None) -> dict[str, str]:
    """Topic id -> its title, for every training topic: as grant.yml declares it (`declared`,
    `topics:`), else the one title all its trainings carry, else its id (`notes.untitled_topics`:
    validate says so); never one training's title passed off as the topic's."""
    declared = declared or {}
    titles = _shared_titles(all_events)
    return {topic: declared.get(topic) or titles.get(topic) or topic for topic in training_topics(all_events)}


def _shared_titles(all_events: pd.DataFrame) -> dict[str, str]:
    """The topics whose trainings all carry one title, with it."""
    trainings = all_events[(all_events["type"] == "training") & (all_events["topic_id"] != "")]
    return {str(topic): str(group["title"].iloc[0]) for topic, group in trainings.groupby("topic_id", sort=False)
            if group["title"].nunique() == 1}



#: The figures `survey_summary` gives for one topic.
SURVEY_MEASURES = ("respondents", *SCORE_QUESTIONS)


def survey_summary(events: pd.DataFrame, surveys: pd.DataFrame, topic: str) -> dict[str, float | int | None]:
    """Respondents and the mean of each question over the forms that answered it."""
    ids = set(events.loc[(events["type"] == "training") & (events["topic_id"] == topic), "event_id"])
    forms = surveys[surveys["event_id"].isin(ids)]
    summary: dict[str, float | int | None] = {"respondents": len(forms)}
    for question in SCORE_QUESTIONS:
        summary[question] = mean(forms[question])
    return summary


# ---------------------------------------------------------------- consultations and feedback

# ---------------------------------------------------------------- media

def publication_counts(media: pd.DataFrame) -> pd.Series:
    """How many publications each media row counts as: its `publications`, blank -> 1."""
    return media["publications"].fillna(1).astype(int)


def media_totals(media: pd.DataFrame) -> dict[str, int]:
    """Publications (`publication_counts`) and reach (blank -> 0): in total, per owner, and for
    partners and press together (`external`, the seed's «Публикации партнеров и СМИ»)."""
    publications = publication_counts(media)
    reach = media["reach"].fillna(0).astype(int)
    totals = {"publications": int(publications.sum()), "reach": int(reach.sum())}
    for owner in ("own", "partner", "press"):
        mask = media["owner"] == owner
        totals[f"{owner}.publications"] = int(publications[mask].sum())
        totals[f"{owner}.reach"] = int(reach[mask].sum())
    external = media["owner"] != "own"
    totals["external.publications"] = int(publications[external].sum())
    totals["external.reach"] = int(reach[external].sum())
    return totals


# ---------------------------------------------------------------- metrics

def latest_metric_rows(metrics: pd.DataFrame, names: list[str], regional_sum: bool) -> dict[str, pd.DataFrame]:
    """The rows each metric's value is read from: its latest row (ties: the last one). In the
    consolidated report, a metric that has only regional rows: each region's latest row."""
    ordered = metrics.assign(_order=range(len(metrics))).sort_values(["date", "_order"], kind="stable")
    found: dict[str, pd.DataFrame] = {}
    for name in names:
        of_name = ordered[ordered["name"] == name]
        unregioned = of_name[of_name["region"] == ""]
        if of_name.empty or not regional_sum:
            found[name] = of_name.tail(1)
        elif len(unregioned):
            found[name] = unregioned.tail(1)
        else:
            found[name] = of_name.groupby("region", sort=True).tail(1)
    return {name: rows.drop(columns="_order") for name, rows in found.items()}


def metric_value(rows: pd.DataFrame) -> int | float | None:
    """A metric's value from the rows it is read from (their sum: one row, or one per region)."""
    return None if rows.empty else _number(rows["value"].sum())


def _number(value: SupportsFloat) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() else value


# ---------------------------------------------------------------- plan activities

UNIT_STEMS: tuple[tuple[str, str], ...] = (
    ("кругл", "round_table"), ("round_table", "round_table"),
    ("конференц", "conference"), ("conference", "conference"),
    ("тренинг", "training"), ("training", "training"),
    ("встреч", "meeting"), ("meeting", "meeting"),
    ("презентац", "presentation"), ("presentation", "presentation"),
    ("other", "other"),
    ("мероприят", "events"), ("events", "events"),
    ("участник", "participants"), ("человек", "participants"), ("participants", "participants"),
    ("консультац", "consultations"), ("consultations", "consultations"),
    ("отзыв", "feedback"), ("анкет", "feedback"), ("feedback", "feedback"),
    ("центр", "centres"), ("centres", "centres"),
    ("публикац", "publications"), ("publications", "publications"),
)


#: What a plan's unit may count beside an event type (and metric:<name>).
OTHER_MEASURES = frozenset({"events", "participants", "consultations", "feedback", "centres", "publications"})


def is_event_type(measure: str) -> bool:
    """Whether a unit's measure (`unit_measure`) counts the events of one type."""
    return measure not in OTHER_MEASURES and not measure.startswith("metric:")


def unit_measure(unit: str, own_types: Mapping[str, str] | None = None) -> str:
    """What a plan's unit counts: an event type (the grant's own by its words, `own_types`:
    `Grant.event_type_words`), events, participants, consultations, feedback, centres,
    publications or metric:<name>; blank or unknown -> events."""
    text = str(unit or "").strip()
    if text.lower().startswith("metric:"):
        return "metric:" + text.split(":", 1)[1].strip()
    key = word_key(text)
    for word, kind in sorted((own_types or {}).items(), key=lambda item: -len(item[0])):
        if word and word in key:
            return kind
    lowered = text.lower()
    for stem, measure in UNIT_STEMS:
        if stem in lowered:
            return measure
    return "events"


#: The blocks a grant may not have: what the plan's unit of such an activity measures
#: (`unit_measure`), and the table (and event type) whose records show one.
OPTIONAL_BLOCKS: dict[str, tuple[str, str, str | None]] = {
    "trainings": ("training", "events", "training"),
    "centres": ("centres", "centres", None),
    "consultations": ("consultations", "consultations", None),
    "feedback": ("feedback", "feedback", None),
}


def optional_blocks(tables: Mapping[str, pd.DataFrame]) -> frozenset[str]:
    """The optional blocks (`OPTIONAL_BLOCKS`) a grant has: those its plan has an activity for
    or whose records it has, in any period or region (every report of a grant shows the same
    blocks)."""
    measures = {unit_measure(unit) for unit in tables["plan"]["unit"]}
    shown = set()
    for block, (measure, table, kind) in OPTIONAL_BLOCKS.items():
        records = tables[table]
        if kind is not None:
            records = records[records["type"] == kind]
        if measure in measures or len(records):
            shown.add(block)
    return frozenset(shown)


def activity_participants(activity_id: str, events: pd.DataFrame, participants: pd.DataFrame,
                          consultations: pd.DataFrame, feedback: pd.DataFrame) -> int:
    """Attendance of the activity's events + its consultations + its feedback forms."""
    own_events = events[events["activity_id"] == activity_id]
    return int(attendance(own_events, participants).sum()
               + (consultations["activity_id"] == activity_id).sum()
               + (feedback["activity_id"] == activity_id).sum())


def activity_cost(activity_id: str, expenses: pd.DataFrame) -> int | float:
    return money(float(expenses.loc[expenses["activity_id"] == activity_id, "amount"].sum()))


def achieved(measure: str, activity_id: str, *, events: pd.DataFrame, participants: int,
             consultations: pd.DataFrame, feedback: pd.DataFrame, centres: int,
             media: pd.DataFrame, metrics: dict[str, float | None]) -> int | float | None:
    """The count a plan activity is measured by (see unit_measure)."""
    own_events = events[events["activity_id"] == activity_id]
    if is_event_type(measure):
        return int((own_events["type"] == measure).sum())
    if measure == "participants":
        return participants
    if measure == "consultations":
        return int((consultations["activity_id"] == activity_id).sum())
    if measure == "feedback":
        return int((feedback["activity_id"] == activity_id).sum())
    if measure == "centres":
        return centres
    if measure == "publications":
        own_media = media[media["activity_id"] == activity_id]
        return int(own_media["publications"].fillna(1).sum())
    if measure.startswith("metric:"):
        return metrics.get(measure.split(":", 1)[1])
    return len(own_events)


def target(value: float | None) -> int | float | None:
    if value is None or pd.isna(value):
        return None
    return _number(value)


def achieved_pct(achieved: Exact | None, target: Exact | None) -> int | None:
    """Achieved as a percentage of the target; None without a positive target or a count."""
    if achieved is None or target is None or not _exact(target) > 0:
        return None
    return percent(achieved, target)
