"""Every figure of a report, block by block: the calculation each section notebook's computing
cell runs, written once here.

A block function takes the report's rows (`Selection`; the data notes take the report's
warnings) and returns a `Block`: its figures, the rows each was computed from, and the
intermediate table to recount them by (attendance per event, answers per question, reach per
owner, expenses per activity). Its body is what the notebook's computing cell shows and runs
(`pipeline.figures.declarations` declares each block; scripts/generate.py writes the cells from
these bodies and fails CI when a notebook differs), so it reads as the rule: the pure
calculations of `indicators` called on named columns, and the rows each figure counts. The
helpers below the blocks make the intermediate tables and the rows of a part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from pipeline.figures import indicators as ind
from pipeline.figures.lineage import Block, Row, rows, union
from pipeline.figures.scope import Selection, report_regions
from pipeline.inputs.datawarning import DataWarning
from pipeline.inputs.loading import Inputs
from pipeline.inputs.notes import WARNING_LABELS, folder_warnings, in_order, row_warnings
from pipeline.inputs.schema import person_key

# ---------------------------------------------------------------- the blocks


def budget(sel: Selection) -> Block:
    """grant.amount (grant.yml), budget.spent (the period's payments) and budget.spent_pct."""
    payments = sel.expenses
    amount = ind.money(float(sel.grant.amount))
    spent = ind.money(float(payments["amount"].sum()))
    block = Block("budget", steps=spending_by_activity(payments))
    block.add("grant.amount", amount)
    block.add("budget.spent", spent, rows("expenses", payments))
    block.add("budget.spent_pct", ind.percent(spent, amount), rows("expenses", payments))
    return block


def events(sel: Selection) -> Block:
    """events.<type>.count and .participants for every event type."""
    block = Block("events", steps=attendance_table(sel.events, sel.participants))
    kinds = sel.grant.event_type_ids()  # the built-in types and the grant's own
    for kind, (count, attended) in ind.events_by_type(sel.events, sel.participants, kinds).items():
        of_kind = sel.events[sel.events["type"] == kind]
        block.add(f"events.{kind}.count", count, rows("events", of_kind))
        block.add(f"events.{kind}.participants", attended, event_rows(sel, of_kind))
    return block


def centres(sel: Selection) -> Block:
    """centres.count: community centres opened by the period's end; centres.memoranda: those
    of them with a memorandum signed by then."""
    signed = sel.centres[sel.centres["memorandum_date"] <= sel.scope.end]
    block = Block("centres")
    block.add("centres.count", len(sel.centres), rows("centres", sel.centres))
    block.add("centres.memoranda", len(signed), rows("centres", signed))
    return block


def activities(sel: Selection) -> Block:
    """For every plan activity: participants, cost, target, achieved and achieved_pct."""
    chosen = metric_rows(sel)
    metric_values = {name: ind.metric_value(found) for name, found in chosen.items()}
    block = Block("activities")
    for label, planned in sel.plan.iterrows():
        aid, measure = planned["activity_id"], ind.unit_measure(planned["unit"], sel.grant.event_type_words())
        own, plan_rows = activity_records(sel, aid), rows("plan", sel.plan.loc[[label]])
        participants = ind.activity_participants(aid, sel.events, sel.participants, sel.consultations, sel.feedback)
        # the plan's target is the project's; a region's is grant.yml's (targets:), or none
        goal = ind.target(planned["target"] if sel.scope.is_all else sel.grant.target_in(aid, sel.scope.region))
        done = ind.achieved(measure, aid, events=sel.events, participants=participants, consultations=sel.consultations,
                            feedback=sel.feedback, centres=len(sel.centres), media=sel.media, metrics=metric_values)
        counted = union(achieved_rows(sel, measure, own, chosen), plan_rows)
        block.add(f"activity.{aid}.participants", participants, own.people)
        block.add(f"activity.{aid}.cost", ind.activity_cost(aid, sel.expenses), own.payments)
        block.add(f"activity.{aid}.target", goal, plan_rows)
        block.add(f"activity.{aid}.achieved", done, counted)
        block.add(f"activity.{aid}.achieved_pct", ind.achieved_pct(done, goal), counted)
    block.steps = activity_table(sel, block)
    return block


def training_people(sel: Selection) -> Block:
    """trainings.unique_participants: distinct people over the lists of every training."""
    trainings = sel.events[sel.events["type"] == "training"]
    on_lists = sel.participants[sel.participants["event_id"].isin(trainings["event_id"])]
    block = Block("training_people", steps=first_seen_table(trainings, on_lists))
    block.add("trainings.unique_participants", ind.unique_people(sel.events, sel.participants),
              union(rows("events", trainings), rows("participants", on_lists)))
    return block


def surveys(sel: Selection) -> Block:
    """survey.<topic>.<measure> and survey.<topic>.<region>.<measure>: questionnaires of the
    trainings on each topic, each mean over the forms that answered its question."""
    block = Block("surveys")
    steps = []
    for topic in sel.topics:
        for prefix, figures, step in survey_parts(sel, topic):
            for measure, value, counted in figures:
                block.add(prefix + measure, value, counted)
            steps.append(step)
    block.steps = pd.DataFrame(steps)
    return block


def consultations(sel: Selection) -> Block:
    """consultations.count and the feedback figures (each share over the forms that answered)."""
    consulted, forms = sel.consultations, sel.feedback
    block = Block("consultations", steps=feedback_table(consulted, forms))
    block.add("consultations.count", len(consulted), rows("consultations", consulted))
    block.add("feedback.count", len(forms), rows("feedback", forms))
    response = ind.percent(len(forms), len(consulted))
    block.add("feedback.response_pct", response, union(rows("feedback", forms), rows("consultations", consulted))
              if response is not None else [])
    block.add("feedback.answered_pct", ind.share_yes(forms["answered"]), answered_rows(forms, "answered"))
    block.add("feedback.positive_pct", ind.share_yes(forms["positive"]), answered_rows(forms, "positive"))
    block.add("feedback.satisfaction_pct", ind.percent(ind.mean(forms["satisfaction"]), 5),
              answered_rows(forms, "satisfaction"))
    return block


def media(sel: Selection) -> Block:
    """Publications (blank -> 1) and reach (blank -> 0): in total and per owner."""
    totals = ind.media_totals(sel.media)
    block = Block("media", steps=media_table(sel.media, totals))
    for prefix, mask in owner_groups(sel.media).items():
        block.add(f"media.{prefix}publications", totals[f"{prefix}publications"], rows("media", sel.media, mask))
        block.add(f"media.{prefix}reach", totals[f"{prefix}reach"], rows("media", sel.media, mask))
    return block


def metrics(sel: Selection) -> Block:
    """metric.<name>: the latest value on or before the period's end (see indicators)."""
    chosen = metric_rows(sel)
    block = Block("metrics")
    for name, found in chosen.items():
        block.add(f"metric.{name}", ind.metric_value(found), rows("metrics", found))
    block.steps = metric_table(block, chosen)
    return block


def data_notes(warnings: Sequence[DataWarning]) -> Block:
    """warnings.<code>: how many records each kind of data warning concerns (0 when none)."""
    block = Block("data_notes")
    for code in WARNING_LABELS:
        of_code = [w for w in warnings if w.code == code]
        block.add(f"warnings.{code}", sum(w.count for w in of_code), [row for w in of_code for row in w.rows])
    block.steps = notes_table(block, warnings)
    return block


# ---------------------------------------------------------------- the rows of a part


def event_rows(sel: Selection, events: pd.DataFrame) -> list[Row]:
    """An event's row and the rows of its registration list."""
    return union(rows("events", events),
                 rows("participants", sel.participants, sel.participants["event_id"].isin(events["event_id"])))


def answered_rows(forms: pd.DataFrame, column: str) -> list[Row]:
    """The feedback forms that answered one question."""
    return rows("feedback", forms, forms[column].notna())


@dataclass(frozen=True)
class ActivityRecords:
    """One plan activity's records: its events, consultations and feedback forms, the rows of
    its participants (its events' and lists', its consultations', its forms') and of its payments."""

    id: str
    events: pd.DataFrame
    consultations: pd.DataFrame
    feedback: pd.DataFrame
    people: list[Row]
    payments: list[Row]


def activity_records(sel: Selection, activity_id: str) -> ActivityRecords:
    own_events = sel.events[sel.events["activity_id"] == activity_id]
    consultations = sel.consultations[sel.consultations["activity_id"] == activity_id]
    feedback = sel.feedback[sel.feedback["activity_id"] == activity_id]
    people = union(event_rows(sel, own_events), rows("consultations", consultations), rows("feedback", feedback))
    payments = rows("expenses", sel.expenses, sel.expenses["activity_id"] == activity_id)
    return ActivityRecords(activity_id, own_events, consultations, feedback, people, payments)


def achieved_rows(sel: Selection, measure: str, own: ActivityRecords, chosen: dict[str, pd.DataFrame]) -> list[Row]:
    """The rows `indicators.achieved` counts for one activity, by what its unit measures."""
    if ind.is_event_type(measure):
        return rows("events", own.events, own.events["type"] == measure)
    if measure == "participants":
        return own.people
    if measure == "consultations":
        return rows("consultations", own.consultations)
    if measure == "feedback":
        return rows("feedback", own.feedback)
    if measure == "centres":
        return rows("centres", sel.centres)
    if measure == "publications":
        return rows("media", sel.media, sel.media["activity_id"] == own.id)
    if measure.startswith("metric:"):
        found = chosen.get(measure.split(":", 1)[1])
        return rows("metrics", found) if found is not None else []
    return rows("events", own.events)


def survey_figures(sel: Selection, events_in: pd.DataFrame,
                   topic: str) -> tuple[list[tuple[str, object, list[Row]]], dict[str, object]]:
    """One topic's survey figures over the trainings among `events_in` (measure, value, rows) and
    their step (forms, and each question's answered forms, the sum of their answers and the mean)."""
    of_topic = events_in[(events_in["type"] == "training") & (events_in["topic_id"] == topic)]
    forms = sel.surveys[sel.surveys["event_id"].isin(set(of_topic["event_id"]))]
    trainings = rows("events", of_topic)  # which forms count: the trainings of the topic
    summary = ind.survey_summary(of_topic, sel.surveys, topic)
    figures: list[tuple[str, object, list[Row]]] = [
        ("respondents", summary["respondents"], union(trainings, rows("training_surveys", forms)))]
    step: dict[str, object] = {"forms": len(forms)}
    for question in ind.SCORE_QUESTIONS:
        answered = forms[question].notna()
        figures.append((question, summary[question], union(trainings, rows("training_surveys", forms, answered))))
        step[f"{question}_answered"] = int(answered.sum())
        step[f"{question}_sum"] = float(forms[question].sum())  # (the blank answers add nothing)
        step[f"{question}_mean"] = summary[question]
    return figures, step


def survey_parts(sel: Selection, topic: str) -> list[tuple[str, list[tuple[str, object, list[Row]]], dict[str, object]]]:
    """One topic's survey figures over every training (prefix `survey.<topic>.`) and each of the
    report's regions (`survey.<topic>.<region>.`), with their steps (`survey_figures`). The
    events are grouped by region once, and a region without any event has the figures of no
    event, computed once: the cost grows with the rows, not with regions × rows."""
    by_region = {region: of_region for region, of_region in sel.events.groupby("region", sort=False)}
    of_none = survey_figures(sel, sel.events.iloc[:0], topic)
    parts = []
    for where in [None, *report_regions(sel.grant, sel.scope)]:
        figures, step = survey_figures(sel, sel.events, topic) if where is None else \
            survey_figures(sel, by_region[where], topic) if where in by_region else of_none
        prefix = f"survey.{topic}." if where is None else f"survey.{topic}.{where}."
        parts.append((prefix, figures, {"topic": topic, "region": where or "все", **step}))
    return parts


def owner_groups(media: pd.DataFrame) -> dict[str, pd.Series]:
    """The media rows each total counts: all, each owner's, and partners' and press's together."""
    return {"": pd.Series(True, index=media.index), "own.": media["owner"] == "own",
            "partner.": media["owner"] == "partner", "press.": media["owner"] == "press",
            "external.": media["owner"] != "own"}


def metric_rows(sel: Selection) -> dict[str, pd.DataFrame]:
    """The rows each metric's value is read from (`indicators.latest_metric_rows`)."""
    return ind.latest_metric_rows(sel.metrics, sel.metric_names, regional_sum=sel.scope.is_all)


# ---------------------------------------------------------------- the intermediate tables


def spending_by_activity(payments: pd.DataFrame) -> pd.DataFrame:
    """Per plan activity: its payments and their sum."""
    per_activity = payments.groupby("activity_id", sort=True)["amount"].agg(["size", "sum"])
    return pd.DataFrame({"activity_id": per_activity.index, "payments": per_activity["size"].to_numpy(),
                         "amount": [ind.money(float(v)) for v in per_activity["sum"]]})


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


def activity_table(sel: Selection, block: Block) -> pd.DataFrame:
    """Per plan activity: what its unit counts, its records, and its figures."""
    steps = []
    own_types = sel.grant.event_type_words()
    for aid, unit in zip(sel.plan["activity_id"], sel.plan["unit"], strict=True):
        own = activity_records(sel, aid)
        f = {measure: block.figures[f"activity.{aid}.{measure}"]
             for measure in ("participants", "cost", "target", "achieved", "achieved_pct")}
        steps.append({"activity_id": aid, "unit": unit, "counts": ind.unit_measure(unit, own_types), "events": len(own.events),
                      "attendance": int(ind.attendance(own.events, sel.participants).sum()),
                      "consultations": len(own.consultations), "feedback": len(own.feedback),
                      "participants": f["participants"], "payments": len(own.payments), "cost": f["cost"],
                      "target": f["target"], "achieved": f["achieved"], "achieved_pct": f["achieved_pct"]})
    return pd.DataFrame(steps)


def first_seen_table(trainings: pd.DataFrame, on_lists: pd.DataFrame) -> pd.DataFrame:
    """Per training in order: the people on its list, those on no earlier list, and the
    distinct people so far."""
    seen: set[str] = set()
    steps = []
    for event_id in trainings["event_id"]:
        people = set(on_lists.loc[on_lists["event_id"] == event_id, "full_name"].map(person_key))
        new = people - seen
        seen |= people
        steps.append({"event_id": event_id, "people_on_list": len(people), "not_on_an_earlier_list": len(new),
                      "distinct_so_far": len(seen)})
    return pd.DataFrame(steps, columns=["event_id", "people_on_list", "not_on_an_earlier_list", "distinct_so_far"])


def feedback_table(consulted: pd.DataFrame, forms: pd.DataFrame) -> pd.DataFrame:
    """Each feedback share as numerator / denominator (satisfaction: the scores' sum over 5 ×
    the answered forms)."""
    steps: list[dict[str, object]] = [{"figure": "feedback.response_pct", "numerator": len(forms),
                                       "denominator": len(consulted), "value": ind.percent(len(forms), len(consulted))}]
    for column in ("answered", "positive"):
        answered = forms[column].dropna()
        steps.append({"figure": f"feedback.{column}_pct", "numerator": int(answered.astype(bool).sum()),
                      "denominator": len(answered), "value": ind.share_yes(forms[column])})
    scores = forms["satisfaction"].dropna()
    steps.append({"figure": "feedback.satisfaction_pct", "numerator": ind.money(float(scores.sum())),
                  "denominator": len(scores) * 5, "value": ind.percent(ind.mean(forms["satisfaction"]), 5)})
    return pd.DataFrame(steps)


def media_table(media: pd.DataFrame, totals: dict[str, int]) -> pd.DataFrame:
    """Per group of owners: rows, blanks and the totals counted."""
    steps = []
    for prefix, mask in owner_groups(media).items():
        part = media[mask.to_numpy(dtype=bool)]
        steps.append({"owner": prefix.rstrip(".") or "все", "rows": len(part),
                      "publications_blank": int(part["publications"].isna().sum()),
                      "publications": totals[f"{prefix}publications"],
                      "reach_blank": int(part["reach"].isna().sum()), "reach": totals[f"{prefix}reach"]})
    return pd.DataFrame(steps)


def metric_table(block: Block, chosen: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per metric: the rows its value is read from, and the value."""
    return pd.DataFrame([{"name": name, "rows_used": len(found), "value": block.figures[f"metric.{name}"]}
                         for name, found in chosen.items()], columns=["name", "rows_used", "value"])


def notes_table(block: Block, warnings: Sequence[DataWarning]) -> pd.DataFrame:
    """Per kind of data note: its label, the records it concerns and the files it names."""
    return pd.DataFrame([{"code": code, "label": label, "value": block.figures[f"warnings.{code}"],
                          "files": ", ".join(w.message.split(":", 1)[0] for w in warnings if w.code == code)}
                         for code, label in WARNING_LABELS.items()])


# ---------------------------------------------------------------- a report's data notes, its absent names


def report_notes(inputs: Inputs, sel: Selection) -> list[DataWarning]:
    """The data notes of one report: those about rows count the rows it counts (its period and
    region, `scope.select`: a publication without reach counts in its period's reports of its
    region and of `all`, in no other); those about files and the whole folder are the
    folder's, the same in every report (docs/figures-conventions.md)."""
    return in_order(row_warnings(sel.tables) + folder_warnings(inputs))


def elsewhere(sel: Selection) -> frozenset[str]:
    """Names the grant's other reports have and this one does not: in a regional report, the
    other regions' survey figures. The period's narratives, shared by every region's report,
    may name them; there they show as "—" (this report counts nothing for that region)."""
    own = set(report_regions(sel.grant, sel.scope))
    return frozenset(f"survey.{topic}.{region}.{measure}" for topic in sel.topics
                     for region in sel.grant.region_ids() if region not in own
                     for measure in ind.SURVEY_MEASURES)
