"""Every figure of one report, by name, from the rows in its scope.

Names follow the catalogue in PRODUCT.md and docs/figures-conventions.md. Each figure
belongs to exactly one report section, whose notebook glues it.
"""

from __future__ import annotations

from pipeline.figures import indicators as ind
from pipeline.figures.scope import Selection, region_ids, report_regions

# Section notebook (by name) -> the figure-name prefixes it glues.
SECTION_PREFIXES: dict[str, tuple[str, ...]] = {
    "header": ("grant.", "budget."),
    "activities": ("activity.", "events.", "centres."),
    "trainings": ("survey.", "trainings."),
    "consultations": ("consultations.", "feedback."),
    "media": ("media.", "metric."),
    "closing": (),
    "notes": ("warnings.",),
}


def compute(sel: Selection) -> dict[str, object]:
    """All figures of the scope, in a stable order."""
    f: dict[str, object] = {}
    grant = sel.grant
    f["grant.amount"] = ind.money(float(grant["amount"]))
    spent = float(sel.expenses["amount"].sum())
    f["budget.spent"] = ind.money(spent)
    f["budget.spent_pct"] = ind.percent(ind.round_half_up(spent, 2), ind.round_half_up(float(grant["amount"]), 2))

    f["centres.count"] = len(sel.centres)
    for kind, (count, attended) in ind.events_by_type(sel.events, sel.participants).items():
        f[f"events.{kind}.count"] = count
        f[f"events.{kind}.participants"] = attended
    f["trainings.unique_participants"] = ind.unique_people(sel.events, sel.participants)

    # By region: every region in `all`, only its own in a regional report (the others count
    # nothing there, and naming them all made every report grow with the number of regions).
    regions = report_regions(grant, sel.scope)
    for topic in sel.topics:
        for measure, value in ind.survey_summary(sel.events, sel.surveys, topic).items():
            f[f"survey.{topic}.{measure}"] = value
        for region in regions:
            in_region = sel.events[sel.events["region"] == region]
            for measure, value in ind.survey_summary(in_region, sel.surveys, topic).items():
                f[f"survey.{topic}.{region}.{measure}"] = value

    f["consultations.count"] = len(sel.consultations)
    for key, value in ind.feedback_summary(sel.consultations, sel.feedback).items():
        f[f"feedback.{key}"] = value

    for key, value in ind.media_totals(sel.media).items():
        f[f"media.{key}"] = value

    metrics = ind.latest_metrics(sel.metrics, sel.metric_names, regional_sum=sel.scope.is_all)
    for name, value in metrics.items():
        f[f"metric.{name}"] = value

    for _, row in sel.plan.iterrows():
        aid = row["activity_id"]
        participants = ind.activity_participants(aid, sel.events, sel.participants, sel.consultations, sel.feedback)
        goal = ind.target(row["target"])
        done = ind.achieved(ind.unit_measure(row["unit"]), aid, events=sel.events, participants=participants,
                            consultations=sel.consultations, feedback=sel.feedback,
                            centres=len(sel.centres), media=sel.media, metrics=metrics)
        f[f"activity.{aid}.participants"] = participants
        f[f"activity.{aid}.cost"] = ind.activity_cost(aid, sel.expenses)
        f[f"activity.{aid}.target"] = goal
        f[f"activity.{aid}.achieved"] = done
        f[f"activity.{aid}.achieved_pct"] = ind.percent(done, goal) if goal and goal > 0 and done is not None else None
    return f


def elsewhere(sel: Selection) -> frozenset[str]:
    """Names the grant's other reports have and this one does not: in a regional report, the
    other regions' survey figures. The period's narratives, shared by every region's report,
    may name them; there they show as "—" (this report counts nothing for that region)."""
    own = set(report_regions(sel.grant, sel.scope))
    return frozenset(f"survey.{topic}.{region}.{measure}" for topic in sel.topics
                     for region in region_ids(sel.grant) if region not in own
                     for measure in ind.SURVEY_MEASURES)


def section_of(name: str) -> str:
    """The section whose notebook glues a figure."""
    for section, prefixes in SECTION_PREFIXES.items():
        if name.startswith(prefixes):
            return section
    raise KeyError(name)


def for_section(figures: dict[str, object], section: str) -> dict[str, object]:
    """The figures one section notebook glues."""
    prefixes = SECTION_PREFIXES[section]
    return {k: v for k, v in figures.items() if prefixes and k.startswith(prefixes)}


def warning_figures(warnings: list) -> dict[str, int]:
    """`warnings.<code>`: how many records each kind of data warning concerns (0 when none)."""
    from pipeline.inputs.notes import WARNING_LABELS

    counts = {f"warnings.{code}": 0 for code in WARNING_LABELS}
    for warning in warnings:
        counts[f"warnings.{warning.code}"] += warning.count
    return counts
