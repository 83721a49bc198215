"""A grant reporting in both languages: the plan's texts in Kazakh beside the Russian ones
(`activity_kk`, `indicator_kk`, `task_kk`, `deadline_kk`), chosen for a report in Kazakh; grant.yml's own
texts given by language are `grantparts.Said`. docs/inputs.md and docs/translations.md."""

from __future__ import annotations

import pandas as pd

from pipeline.language import DEFAULT

#: The plan's texts a grant may also give in Kazakh, each in a column `<text>_kk` beside it.
PLAN_TEXTS = ("task", "activity", "indicator", "deadline")
KAZAKH = "kk"


def kazakh_column(column: str) -> str:
    return f"{column}_{KAZAKH}"


def _russian_column(column: str) -> str:
    """Where a plan put in another language keeps its Russian text (an internal column)."""
    return f"_{column}_{DEFAULT}"


def given(cells: pd.Series) -> pd.Series:
    """Which cells hold a text (not blank)."""
    return cells.fillna("").astype(str).str.strip() != ""


def kazakh_columns(plan: pd.DataFrame) -> list[str]:
    """The plan's texts it gives in Kazakh too: a `_kk` column with a text in some row."""
    return [column for column in PLAN_TEXTS
            if kazakh_column(column) in plan.columns and bool(given(plan[kazakh_column(column)]).any())]


def plan_in(plan: pd.DataFrame, language: str) -> pd.DataFrame:
    """The plan with its texts in `language`: a `_kk` cell in Kazakh where it holds one, else
    the Russian. A plan without a `_kk` text is as written; one with them keeps its Russian
    texts aside, so that it can be put back in Russian (or in Kazakh again)."""
    translated = kazakh_columns(plan)
    if not translated:
        return plan
    shown = plan.copy()
    for column in translated:
        russian = shown[_russian_column(column)] if _russian_column(column) in shown.columns else shown[column]
        shown[_russian_column(column)] = russian
        kazakh = shown[kazakh_column(column)]
        shown[column] = kazakh.where(given(kazakh), russian) if language == KAZAKH else russian
    return shown
