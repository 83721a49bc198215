"""`figures`: every figure a narrative may name, with its meaning, and its value once built.

With the inputs readable, the names are those of the period x region report (the
catalogue's patterns expanded for this grant's event types, topics, regions, activities and
metrics, by the same blocks the report computes), then each pattern no name of the report
matches; without, the catalogue's patterns. A report built in the outputs folder gives the
values, as the report shows them (`formatting.figure`), from its figures.json.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline import disk, paths
from pipeline.exceptions import PipelineError, ScopeError
from pipeline.figures import catalogue
from pipeline.ids import ALL
from pipeline.notebook import formatting

FIGURES = "figures.json"
#: What the value column says of a pattern no figure of the report matches.
NONE_HERE = "(нет в этом отчете)"


@dataclass(frozen=True)
class Listed:
    """One line of the listing: a figure's name (or a pattern's), its meaning, its value as shown."""

    name: str
    meaning: str
    value: str | None = None
    #: A pattern of the catalogue no figure of the report matches.
    pattern: bool = False


@dataclass
class Listing:
    """The figures of one report (or the catalogue's patterns), and what the user should know."""

    figures: list[Listed]
    notes: list[str] = field(default_factory=list)
    built: bool = False

    def lines(self) -> list[str]:
        """Aligned columns: name, value (when built), meaning."""
        width = max((len(f.name) for f in self.figures), default=0)
        value_width = max((len(f.value or "") for f in self.figures), default=0)
        return [f"{f.name:<{width}}  " + (f"{f.value or '':>{value_width}}  " if self.built else "")
                + f.meaning + (f" {NONE_HERE}" if f.pattern else "") for f in self.figures]


def meaning(name: str, type_names: dict[str, str] | None = None) -> str:
    """A figure's meaning, from the catalogue ("" for a name it does not know); an event type of
    the grant's own named as grant.yml names it (`type_names`: id → name)."""
    try:
        entry = catalogue.lookup(name)
    except KeyError:
        return ""
    kind = name.split(".")[1] if name.startswith("events.") and name.count(".") == 2 else ""
    if kind in (type_names or {}):
        return entry.description.format(type=(type_names or {})[kind].lower())
    return entry.describe(name)


def built_values(outputs: Path, period: str, region: str) -> dict[str, object] | None:
    """The figures of the report built in `outputs`, or None when there is none (or it is unreadable)."""
    return disk.read_json_object(paths.report_dir(outputs, period, region) / FIGURES)


def report_names(inputs_dir: Path, period: str | None, region: str,
                 type_names: dict[str, str] | None = None) -> tuple[list[str], str, str]:
    """The names of the period x region report's figures in report order, and the period and
    region (the last period of grant.yml when none is given); `type_names` gets the names of
    the grant's own event types. The inputs are read, not validated: a narrative being written
    may still be wrong."""
    from pipeline.figures.blocks import report_notes
    from pipeline.figures.declarations import report_figures
    from pipeline.figures.scope import make_scope, select
    from pipeline.inputs.loading import load_inputs

    inputs = load_inputs(inputs_dir)
    if type_names is not None:
        type_names.update({kind: declared.name for kind, declared in inputs.grant.event_types.items()})
    period = period or inputs.grant.period_ids()[-1]
    selection = select(inputs, make_scope(inputs.grant, period, region))
    return list(report_figures(selection, report_notes(inputs, selection))), period, region


def _values(outputs: Path, period: str, region: str, notes: list[str]) -> dict[str, object] | None:
    """The built report's figures, if any, saying in `notes` where they come from or how to build them."""
    values = built_values(outputs, period, region)
    if values is None:
        notes.append(f"{period}/{region}: not built in {outputs}: values show once it is "
                     f"(python -m pipeline run --period {period} --region {region})")
    else:
        notes.append(f"{period}/{region}: values as built in {paths.report_dir(outputs, period, region) / FIGURES}")
    return values


def _unmatched(names: list[str]) -> list[Listed]:
    """The catalogue's patterns no name matches (a grant without metrics has no `metric.{name}`)."""
    return [Listed(entry.pattern, entry.description, pattern=True) for entry in catalogue.CATALOGUE
            if not any(entry.regex.match(name) and catalogue.lookup(name) == entry for name in names)]


def list_figures(inputs: Path, outputs: Path, period: str | None = None, region: str | None = None) -> Listing:
    """What `python -m pipeline figures` prints: see the module's docstring."""
    region = region or ALL
    notes: list[str] = []
    type_names: dict[str, str] = {}
    try:
        names, period, region = report_names(inputs, period, region, type_names)
    except ScopeError:  # a period or region grant.yml lacks: the user's to correct
        raise
    except PipelineError as error:
        first = str(error).splitlines()[0]
        notes.append(f"{inputs}: the inputs cannot be read ({first}"
                     + (", …" if "\n" in str(error) else "") + "): the catalogue's name patterns follow")
        names = []
    values = _values(outputs, period, region, notes) if period else None
    if values is not None:
        names += [name for name in values if name not in names]  # a build older than the inputs
    listed = [Listed(name, meaning(name, type_names), None if values is None else
                     formatting.figure(name, values[name]) if name in values else formatting.DASH)
              for name in names]
    if names:
        notes.insert(0, f"figures of the report {period}/{region} (--period, --region for another); "
                        'in a narrative: {{ fig("name") }}')
    listed += _unmatched(names) if names else [Listed(e.pattern, e.description) for e in catalogue.CATALOGUE]
    return Listing(listed, notes, built=values is not None)
