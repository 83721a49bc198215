"""Every figure of a report, block by block: what each section notebook computes in its cells.

A block function takes the report's rows (`Selection`) and returns a `Block`: its figures,
the rows each was computed from, and the intermediate table to recount them by (attendance
per event, answers per question, reach per owner, expenses per activity). The values come
from the pure calculations of `indicators`; this module only decides which rows each figure
counts. The rules in words are in docs/figures-conventions.md and in the notebooks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from pipeline.figures import indicators as ind
from pipeline.figures.lineage import Block, Row, rows, union
from pipeline.figures.scope import Selection, report_regions
from pipeline.inputs.loading import Inputs
from pipeline.inputs.notes import WARNING_LABELS, DataWarning, folder_warnings, in_order, row_warnings
from pipeline.inputs.schema import person_key


def budget(sel: Selection) -> Block:
    """grant.amount (grant.yml), budget.spent (the period's payments) and budget.spent_pct."""
    block = Block("budget")
    expenses = sel.expenses
    counted = rows("expenses", expenses)
    spent = float(expenses["amount"].sum())
    block.add("grant.amount", ind.money(float(sel.grant.amount)))
    block.add("budget.spent", ind.money(spent), counted)
    block.add("budget.spent_pct", ind.percent(ind.round_half_up(spent, 2), ind.round_half_up(float(sel.grant.amount), 2)),
              counted)
    per_activity = expenses.groupby("activity_id", sort=True)["amount"].agg(["size", "sum"])
    block.steps = pd.DataFrame({"activity_id": per_activity.index, "payments": per_activity["size"].to_numpy(),
                                "amount": [ind.money(float(v)) for v in per_activity["sum"]]})
    return block


def attendance_table(events: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Per event: its list's rows, the people on it once duplicates are merged, the number
    reported without a list, and the attendance counted (`indicators.attendance`)."""
    on_list = participants.groupby("event_id").size()
    people = ind.people(participants).groupby("event_id").size()
    listed = events["event_id"].map(on_list).fillna(0).astype(int).to_numpy()
    distinct = events["event_id"].map(people).fillna(0).astype(int).to_numpy()
    return pd.DataFrame({
        "event_id": events["event_id"].to_numpy(), "type": events["type"].to_numpy(),
        "start_date": events["start_date"].to_numpy(), "region": events["region"].to_numpy(),
        "list_rows": listed, "duplicates_merged": listed - distinct, "people_on_list": distinct,
        "reported_participants": events["reported_participants"].to_numpy(),
        "attendance": ind.attendance(events, participants).to_numpy(),
    })


def _event_rows(sel: Selection, events: pd.DataFrame) -> list[Row]:
    """An event's row and the rows of its registration list."""
    return union(rows("events", events),
                 rows("participants", sel.participants, sel.participants["event_id"].isin(events["event_id"])))


def events(sel: Selection) -> Block:
    """events.<type>.count and .participants for every event type."""
    block = Block("events")
    block.steps = attendance_table(sel.events, sel.participants)
    for kind, (count, attended) in ind.events_by_type(sel.events, sel.participants, sel.grant.event_type_ids()).items():
        of_kind = sel.events[sel.events["type"] == kind]
        block.add(f"events.{kind}.count", count, rows("events", of_kind))
        block.add(f"events.{kind}.participants", attended, _event_rows(sel, of_kind))
    return block


def centres(sel: Selection) -> Block:
    """centres.count: community centres opened by the period's end."""
    block = Block("centres")
    block.add("centres.count", len(sel.centres), rows("centres", sel.centres))
    return block


def activities(sel: Selection) -> Block:
    """For every plan activity: participants, cost, target, achieved and achieved_pct."""
    block = Block("activities")
    chosen = metric_rows(sel)
    values = {name: ind.metric_value(found) for name, found in chosen.items()}
    steps = []
    for label, plan_row in sel.plan.iterrows():
        aid, measure = plan_row["activity_id"], ind.unit_measure(plan_row["unit"], sel.grant.event_type_words())
        own_events = sel.events[sel.events["activity_id"] == aid]
        consultations = sel.consultations[sel.consultations["activity_id"] == aid]
        feedback = sel.feedback[sel.feedback["activity_id"] == aid]
        people_rows = union(_event_rows(sel, own_events), rows("consultations", consultations),
                            rows("feedback", feedback))
        participants = ind.activity_participants(aid, sel.events, sel.participants, sel.consultations, sel.feedback)
        goal = ind.target(plan_row["target"])
        done = ind.achieved(measure, aid, events=sel.events, participants=participants,
                            consultations=sel.consultations, feedback=sel.feedback, centres=len(sel.centres),
                            media=sel.media, metrics=values)
        done_rows = _achieved_rows(sel, measure, own_events, people_rows, consultations, feedback, chosen, aid)
        plan_rows = rows("plan", sel.plan.loc[[label]])
        pct = ind.percent(done, goal) if goal and goal > 0 and done is not None else None
        block.add(f"activity.{aid}.participants", participants, people_rows)
        cost_rows = rows("expenses", sel.expenses, sel.expenses["activity_id"] == aid)
        block.add(f"activity.{aid}.cost", ind.activity_cost(aid, sel.expenses), cost_rows)
        # The plan row says what counts (its unit) and against what (its target, or none).
        block.add(f"activity.{aid}.target", goal, plan_rows)
        block.add(f"activity.{aid}.achieved", done, union(done_rows, plan_rows))
        block.add(f"activity.{aid}.achieved_pct", pct, union(done_rows, plan_rows))
        steps.append({"activity_id": aid, "unit": plan_row["unit"], "counts": measure, "events": len(own_events),
                      "attendance": int(ind.attendance(own_events, sel.participants).sum()),
                      "consultations": len(consultations), "feedback": len(feedback), "participants": participants,
                      "payments": len(cost_rows), "cost": block.figures[f"activity.{aid}.cost"], "target": goal,
                      "achieved": done, "achieved_pct": pct})
    block.steps = pd.DataFrame(steps)
    return block


def _achieved_rows(sel: Selection, measure: str, own_events: pd.DataFrame, people_rows: list[Row],
                   consultations: pd.DataFrame, feedback: pd.DataFrame, chosen: dict[str, pd.DataFrame],
                   activity_id: str) -> list[Row]:
    """The rows `indicators.achieved` counts for one activity, by what its unit measures."""
    if ind.is_event_type(measure):
        return rows("events", own_events, own_events["type"] == measure)
    if measure == "participants":
        return people_rows
    if measure == "consultations":
        return rows("consultations", consultations)
    if measure == "feedback":
        return rows("feedback", feedback)
    if measure == "centres":
        return rows("centres", sel.centres)
    if measure == "publications":
        return rows("media", sel.media, sel.media["activity_id"] == activity_id)
    if measure.startswith("metric:"):
        found = chosen.get(measure.split(":", 1)[1])
        return rows("metrics", found) if found is not None else []
    return rows("events", own_events)


def training_people(sel: Selection) -> Block:
    """trainings.unique_participants: distinct people over the lists of every training."""
    block = Block("training_people")
    trainings = sel.events[sel.events["type"] == "training"]
    on_lists = sel.participants[sel.participants["event_id"].isin(trainings["event_id"])]
    block.add("trainings.unique_participants", ind.unique_people(sel.events, sel.participants),
              union(rows("events", trainings), rows("participants", on_lists)))
    seen: set[str] = set()
    steps = []
    for event_id in trainings["event_id"]:
        people = set(on_lists.loc[on_lists["event_id"] == event_id, "full_name"].map(person_key))
        new = people - seen
        seen |= people
        steps.append({"event_id": event_id, "people_on_list": len(people), "not_on_an_earlier_list": len(new),
                      "distinct_so_far": len(seen)})
    block.steps = pd.DataFrame(steps, columns=["event_id", "people_on_list", "not_on_an_earlier_list",
                                               "distinct_so_far"])
    return block


def _survey_figures(sel: Selection, events_in: pd.DataFrame,
                    topic: str) -> tuple[list[tuple[str, object, list[Row]]], dict[str, object]]:
    """One topic's survey figures over the trainings among `events_in` (measure, value, rows) and
    their step (forms, and each question's answered forms and mean)."""
    of_topic = events_in[(events_in["type"] == "training") & (events_in["topic_id"] == topic)]
    forms = sel.surveys[sel.surveys["event_id"].isin(set(of_topic["event_id"]))]
    trainings = rows("events", of_topic)  # which forms count: the trainings of the topic
    summary = ind.survey_summary(events_in, sel.surveys, topic)
    figures: list[tuple[str, object, list[Row]]] = [
        ("respondents", summary["respondents"], union(trainings, rows("training_surveys", forms)))]
    step: dict[str, object] = {"forms": len(forms)}
    for question in ind.SCORE_QUESTIONS:
        answered = forms[question].notna()
        figures.append((question, summary[question], union(trainings, rows("training_surveys", forms, answered))))
        step[f"{question}_answered"] = int(answered.sum())
        step[question] = summary[question]
    return figures, step


def surveys(sel: Selection) -> Block:
    """survey.<topic>.<measure> and survey.<topic>.<region>.<measure>: questionnaires of the
    trainings on each topic, each mean over the forms that answered its question. The events are
    grouped by region once, and a region without any event has the figures of no event, computed
    once per topic: the cost grows with the rows, not with regions × rows."""
    block = Block("surveys")
    steps = []
    by_region = {region: events for region, events in sel.events.groupby("region", sort=False)}
    for topic in sel.topics:
        of_none = _survey_figures(sel, sel.events.iloc[:0], topic)
        for where in [None, *report_regions(sel.grant, sel.scope)]:
            if where is None:
                figures, step = _survey_figures(sel, sel.events, topic)
            else:
                figures, step = _survey_figures(sel, by_region[where], topic) if where in by_region else of_none
            prefix = f"survey.{topic}." if where is None else f"survey.{topic}.{where}."
            for measure, value, counted in figures:
                block.add(prefix + measure, value, counted)
            steps.append({"topic": topic, "region": where or "все", **step})
    block.steps = pd.DataFrame(steps)
    return block


def consultations(sel: Selection) -> Block:
    """consultations.count and the feedback figures (each share over the forms that answered)."""
    block = Block("consultations")
    consulted, forms = sel.consultations, sel.feedback
    summary = ind.feedback_summary(consulted, forms)
    all_forms = rows("feedback", forms)
    block.add("consultations.count", len(consulted), rows("consultations", consulted))
    block.add("feedback.count", summary["count"], all_forms)
    block.add("feedback.response_pct", summary["response_pct"],
              union(all_forms, rows("consultations", consulted)) if summary["response_pct"] is not None else [])
    steps = [{"figure": "feedback.response_pct", "numerator": len(forms), "denominator": len(consulted),
              "value": summary["response_pct"]}]
    for name, column in (("answered_pct", "answered"), ("positive_pct", "positive"), ("satisfaction_pct", "satisfaction")):
        answered = forms[column].notna()
        block.add(f"feedback.{name}", summary[name], rows("feedback", forms, answered))
        numerator = int(forms.loc[answered, column].astype(bool).sum()) if column != "satisfaction" \
            else ind.money(float(forms.loc[answered, column].sum()))
        steps.append({"figure": f"feedback.{name}", "numerator": numerator,
                      "denominator": int(answered.sum()) * (5 if column == "satisfaction" else 1),
                      "value": summary[name]})
    block.steps = pd.DataFrame(steps)
    return block


def media(sel: Selection) -> Block:
    """Publications (blank -> 1) and reach (blank -> 0): in total and per owner."""
    block = Block("media")
    table = sel.media
    totals = ind.media_totals(table)
    groups = {"": pd.Series(True, index=table.index), "own.": table["owner"] == "own", "partner.": table["owner"] == "partner",
              "press.": table["owner"] == "press", "external.": table["owner"] != "own"}
    steps = []
    for prefix, mask in groups.items():
        counted = rows("media", table, mask)
        for measure in ("publications", "reach"):
            block.add(f"media.{prefix}{measure}", totals[f"{prefix}{measure}"], counted)
        part = table[mask.to_numpy(dtype=bool)]
        steps.append({"owner": prefix.rstrip(".") or "все", "rows": len(part),
                      "publications_blank": int(part["publications"].isna().sum()),
                      "publications": totals[f"{prefix}publications"],
                      "reach_blank": int(part["reach"].isna().sum()), "reach": totals[f"{prefix}reach"]})
    block.steps = pd.DataFrame(steps)
    return block


def metric_rows(sel: Selection) -> dict[str, pd.DataFrame]:
    return ind.latest_metric_rows(sel.metrics, sel.metric_names, regional_sum=sel.scope.is_all)


def metrics(sel: Selection) -> Block:
    """metric.<name>: the latest value on or before the period's end (see indicators)."""
    block = Block("metrics")
    steps = []
    for name, found in metric_rows(sel).items():
        value = ind.metric_value(found)
        block.add(f"metric.{name}", value, rows("metrics", found))
        steps.append({"name": name, "rows_used": len(found), "value": value})
    block.steps = pd.DataFrame(steps, columns=["name", "rows_used", "value"])
    return block


def report_notes(inputs: Inputs, sel: Selection) -> list[DataWarning]:
    """The data notes of one report: those about rows count the rows it counts (its period and
    region, `scope.select`: a publication without reach counts in its period's reports of its
    region and of `all`, in no other); those about files and the whole folder are the
    folder's, the same in every report (docs/figures-conventions.md)."""
    return in_order(row_warnings(sel.tables) + folder_warnings(inputs))


def data_notes(warnings: Sequence[DataWarning]) -> Block:
    """warnings.<code>: how many records each kind of data warning concerns (0 when none)."""
    block = Block("data_notes")
    steps = []
    for code, label in WARNING_LABELS.items():
        of_code = [w for w in warnings if w.code == code]
        block.add(f"warnings.{code}", sum(w.count for w in of_code), [row for w in of_code for row in w.rows])
        steps.append({"code": code, "label": label, "value": block.figures[f"warnings.{code}"],
                      "files": ", ".join(w.message.split(":", 1)[0] for w in of_code)})
    block.steps = pd.DataFrame(steps)
    return block


#: The blocks of each section notebook, in report order: every figure of a report is in one.
SECTIONS: dict[str, tuple[Callable[[Selection], Block], ...]] = {
    "header": (budget,),
    "activities": (events, centres, activities),
    "trainings": (training_people, surveys),
    "consultations": (consultations,),
    "media": (media, metrics),
}


def report_figures(sel: Selection, warnings: Sequence[DataWarning]) -> dict[str, object]:
    """Every figure of the report, by the same blocks the section notebooks compute and record
    in their cells: what the report's narratives and tables may name, wherever they stand."""
    figures: dict[str, object] = {}
    for section in SECTIONS.values():
        for compute in section:
            figures.update(compute(sel).figures)
    return figures | data_notes(warnings).figures


def elsewhere(sel: Selection) -> frozenset[str]:
    """Names the grant's other reports have and this one does not: in a regional report, the
    other regions' survey figures. The period's narratives, shared by every region's report,
    may name them; there they show as "—" (this report counts nothing for that region)."""
    own = set(report_regions(sel.grant, sel.scope))
    return frozenset(f"survey.{topic}.{region}.{measure}" for topic in sel.topics
                     for region in sel.grant.region_ids() if region not in own
                     for measure in ind.SURVEY_MEASURES)


#: The rows each block counts, as a notebook shows them before computing it: by table, the
#: contract columns its rule uses (the record's id and file:row are always shown).
INPUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "budget": {"expenses": ("date", "region", "activity_id", "amount")},
    "events": {"events": ("start_date", "region", "activity_id", "type", "reported_participants"),
               "participants": ("event_id", "full_name")},
    "centres": {"centres": ("region", "opened")},
    "activities": {"plan": ("task_no", "unit", "target")},
    "training_people": {"participants": ("event_id", "full_name")},
    "surveys": {"training_surveys": ("event_id", *ind.SCORE_QUESTIONS)},
    "consultations": {"consultations": ("date", "region", "activity_id"),
                      "feedback": ("date", "activity_id", "answered", "positive", "satisfaction")},
    "media": {"media": ("date", "region", "owner", "platform", "publications", "reach")},
    "metrics": {"metrics": ("date", "name", "region", "value")},
    "data_notes": {},
}
