"""The form's indicator column: a plan activity's indicators (grant.yml `indicators:`), each a
figure of the report with its label and, when the report has one, its target.

An indicator reads «label: X из Y (Z %)» against the report's target and «label: X» without one
(a percentage figure as a percentage). The consolidated report compares with the project's
target (a number, or `all:` of a mapping); a regional report only with its region's (`almaty:`
of the mapping), never with the project's: it shows its value alone. The activities table is
rendered before the other sections compute their figures, so each value is a slot
(`placing.later`) the builder fills from the figures the notebooks recorded, linked to its
evidence as every number of the report is.

`check` holds the figures named to those the period's reports have (a layer above the inputs,
as the narratives' placeholders are checked); `check_early` to the catalogue's patterns while
the tables still have problems.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path

from markupsafe import Markup

from pipeline import paths
from pipeline.exceptions import InputError, PipelineError
from pipeline.figures.declarations import PeriodFigures
from pipeline.figures.scope import Scope
from pipeline.ids import ALL
from pipeline.inputs.grant import Grant, grant_text, parse_grant
from pipeline.inputs.grantparts import Indicator
from pipeline.inputs.loading import Inputs
from pipeline.inputs.yamlwalk import read_yaml
from pipeline.notebook import formatting, narratives, placing


def shown(grant: Grant, scope: Scope, activity_id: str) -> list[dict[str, object]] | None:
    """The activity's indicators as its row of the activities table shows them (label, the slot
    of the value, the report's target as the figure is written, the slot of the share), or None
    when grant.yml gives it none (the plan's one indicator is shown)."""
    listed = grant.indicators_of(activity_id)
    if not listed:
        return None
    report = ALL if scope.is_all else scope.region
    return [_shown(indicator, indicator.target_in(report), regional=not scope.is_all) for indicator in listed]


def _shown(indicator: Indicator, target: float | None, regional: bool) -> dict[str, object]:
    """A regional report's indicator without a target of its region is `optional`: left out
    where nothing of it took place in the region (`placing.Filler`), not stated as 0 or «—»."""
    name = indicator.figure
    return {"label": indicator.label, "value": placing.later(name),
            "target": None if target is None else formatting.figure(name, _whole(target)),
            "share": Markup("") if target is None else placing.later_share(name, target),
            "optional": name if regional and target is None else ""}


def _whole(number: float) -> int | float:
    """4.0 → 4: a target as grant.yml writes it."""
    return int(number) if number.is_integer() else number


# ---------------------------------------------------------------- the figures named


def _named(grant: Grant) -> Iterator[tuple[str, int, str]]:
    """Every indicator's figure: (activity_id, its place in the list, the figure's name)."""
    for aid, listed in grant.indicators.items():
        for i, indicator in enumerate(listed):
            yield aid, i, indicator.figure


def _problem(lines: dict, aid: str, i: int, name: str, expected: str) -> InputError:
    return InputError(paths.GRANT_FILE, lines.get(("indicators", aid, i, "figure")), f"indicators {aid}[{i}].figure",
                      name, expected=expected)


def _closest(name: str, known: Collection[str]) -> str:
    """The closest known names (`narratives.closest_names`), else where every name is listed."""
    return narratives.closest_names(name, known) or " (`python -m pipeline figures` lists them)"


def check(inputs: Inputs, figures: PeriodFigures | None = None) -> list[InputError]:
    """Each indicator naming a figure that a period's consolidated report (which names every
    figure its regional reports have) does not have: one line naming its line of grant.yml and
    the periods that lack it."""
    grant = inputs.grant
    if not grant.indicators:
        return []
    figures = PeriodFigures(inputs) if figures is None else figures
    by_period = {period: figures[period] for period in grant.period_ids()}
    lines = read_yaml(grant_text(inputs.root))[1]
    problems = []
    for aid, i, name in _named(grant):
        lacking = [period for period, names in by_period.items() if name not in names]
        if lacking:
            known = sorted({n for names in by_period.values() for n in names})
            expected = f"expected a figure of the period's reports (periods without it: {', '.join(lacking)})"
            problems.append(_problem(lines, aid, i, name, expected + _closest(name, known)))
    return problems


def check_early(root: Path) -> list[InputError]:
    """While the tables still have problems: each indicator's figure against the catalogue's
    patterns (`check` holds them to the period's figures once the tables are valid); nothing
    when grant.yml itself does not read (its own lines say why)."""
    try:
        text = grant_text(root)
        grant = parse_grant(text)
    except PipelineError:
        return []
    lines, patterns = read_yaml(text)[1], narratives.CatalogueNames()
    return [_problem(lines, aid, i, name, "expected a figure of the catalogue" + _closest(name, patterns))
            for aid, i, name in _named(grant) if name not in patterns]
