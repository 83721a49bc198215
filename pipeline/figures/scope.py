"""One report's scope (a period and a region) and the rows of the inputs that fall in it.

The rules are in docs/figures-conventions.md; this module is their only implementation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.exceptions import ScopeError
from pipeline.figures.indicators import optional_blocks, topic_titles
from pipeline.ids import ALL
from pipeline.inputs.grant import Grant
from pipeline.inputs.loading import Inputs


@dataclass(frozen=True)
class Scope:
    """A period (inclusive bounds) and a region id, or `all`."""

    period: str
    region: str
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def is_all(self) -> bool:
        return self.region == ALL


def report_regions(grant: Grant, scope: Scope) -> list[str]:
    """The regions a report breaks figures down by: every region in `all`, else its own."""
    return grant.region_ids() if scope.is_all else [scope.region]


def make_scope(grant: Grant, period: str, region: str) -> Scope:
    """The scope of one report; a ScopeError names what grant.yml does not declare."""
    if str(period) not in grant.period_ids():
        raise ScopeError(f"grant.yml: period «{period}» is not declared (declared: {', '.join(grant.period_ids())})")
    if region != ALL and region not in grant.region_ids():
        raise ScopeError(f"grant.yml: region «{region}» is not declared "
                         f"(declared: {', '.join(grant.region_ids())}, or all)")
    p = grant.period(str(period))
    return Scope(str(period), region, pd.Timestamp(p.start), pd.Timestamp(p.end))


def in_period(dates: pd.Series, scope: Scope) -> pd.Series:
    return dates.between(scope.start, scope.end, inclusive="both")


def in_region(regions: pd.Series, scope: Scope) -> pd.Series:
    """Rows of the region; in `all` every row, with or without a region."""
    if scope.is_all:
        return pd.Series(True, index=regions.index)
    return regions == scope.region


@dataclass
class Selection:
    """The rows of every table that one report counts, and what the report shows of the whole
    grant (its topics, metric names and optional blocks). A report reads nothing else of the
    inputs' tables: its cache key (`incremental.fingerprints`) covers all of it."""

    scope: Scope
    grant: Grant
    plan: pd.DataFrame
    centres: pd.DataFrame
    events: pd.DataFrame
    participants: pd.DataFrame
    surveys: pd.DataFrame
    consultations: pd.DataFrame
    feedback: pd.DataFrame
    media: pd.DataFrame
    expenses: pd.DataFrame
    metrics: pd.DataFrame
    topics: dict[str, str]
    metric_names: list[str]
    #: The optional blocks the grant has, in any period or region (`indicators.optional_blocks`).
    blocks: frozenset[str]

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The report's rows by input table name, as `Inputs.tables` names them."""
        return {table: getattr(self, attr) for table, attr in SELECTION_OF_TABLE.items()}


SELECTION_OF_TABLE = {
    "plan": "plan", "centres": "centres", "events": "events", "participants": "participants",
    "training_surveys": "surveys", "consultations": "consultations", "feedback": "feedback",
    "media": "media", "expenses": "expenses", "metrics": "metrics",
}


def row_counts(selection: Selection) -> dict[str, int]:
    """Rows of each input table that the report's scope counts."""
    return {table: len(getattr(selection, attr)) for table, attr in SELECTION_OF_TABLE.items()}


def select(inputs: Inputs, scope: Scope) -> Selection:
    """Filter every table to the scope (period, then region)."""
    t = inputs.tables
    events = t["events"][in_period(t["events"]["start_date"], scope) & in_region(t["events"]["region"], scope)]
    event_ids = set(events["event_id"])
    consultations_all = t["consultations"]
    consultations = consultations_all[in_period(consultations_all["date"], scope)
                                      & in_region(consultations_all["region"], scope)]
    feedback = t["feedback"]
    region_of = consultations_all.drop_duplicates("consultation_id").set_index("consultation_id")["region"]
    feedback_region = feedback["consultation_id"].map(region_of)
    feedback = feedback[in_period(feedback["date"], scope) & in_region(feedback_region, scope)]
    centres = t["centres"][(t["centres"]["opened"] <= scope.end) & in_region(t["centres"]["region"], scope)]
    metrics = t["metrics"][t["metrics"]["date"] <= scope.end]
    if not scope.is_all:
        metrics = metrics[metrics["region"] == scope.region]
    return Selection(
        scope=scope,
        grant=inputs.grant,
        plan=t["plan"],
        centres=centres,
        events=events,
        participants=t["participants"][t["participants"]["event_id"].isin(event_ids)],
        surveys=t["training_surveys"][t["training_surveys"]["event_id"].isin(event_ids)],
        consultations=consultations,
        feedback=feedback,
        media=t["media"][in_period(t["media"]["date"], scope) & in_region(t["media"]["region"], scope)],
        expenses=t["expenses"][in_period(t["expenses"]["date"], scope) & in_region(t["expenses"]["region"], scope)],
        metrics=metrics,
        topics=topic_titles(t["events"], {topic: declared.title for topic, declared in inputs.grant.topics.items()}),
        metric_names=sorted(set(t["metrics"]["name"])),
        blocks=optional_blocks(t),
    )
