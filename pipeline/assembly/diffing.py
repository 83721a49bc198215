"""`diff`: what changed, figure by figure, between two builds of the reports.

Three comparisons: two outputs folders, report by report (`between_folders`); one period
against another, region by region, on the figures present in both (`between_periods`); and
each report against its previous build, kept in its history (`history.against_history`).
For each report: the figures that moved, as the report shows them (`formatting.figure`), with
Δ and Δ % for numbers, and under each the input rows that were added, removed or changed
(`rowdiff`: from the two builds' row lineage; not between periods, whose rows differ by scope);
the input files whose hashes changed and the period's narratives whose text changed (both from
the manifests' `inputs`).

Reads only figures.json and manifest.json: no input, no pandas, nothing rebuilt.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader

from pipeline import disk, paths
from pipeline.assembly import explaining
from pipeline.assembly.rowdiff import KINDS as ROW_CHANGES
from pipeline.assembly.rowdiff import RowChanges, compare_rows
from pipeline.exceptions import PipelineError
from pipeline.language import DEFAULT, translations
from pipeline.notebook import formatting

FIGURES, MANIFEST = "figures.json", "manifest.json"
#: What a change of a file is called on the page (the command line says the key).
CHANGES = {"changed": "изменен", "added": "добавлен", "removed": "удален"}
#: Reports with nothing to compare them with, on the command line and on the page.
ALONE = {"only": ("only in {}", "только в {}"), "first": ("no previous build", "нет предыдущей сборки")}


class Missing:
    """A figure a build does not have."""

    def __repr__(self) -> str:
        return "(absent)"


MISSING = Missing()


@dataclass(frozen=True)
class Build:
    """One build of a report as a diff reads it: `folder` holds its figures.json and
    manifest.json (a report folder, or an entry of its history)."""

    period: str
    region: str
    folder: Path
    figures: dict
    manifest: dict

    @property
    def label(self) -> str:
        return f"{self.period}/{self.region}"

    def meaning(self, name: str) -> str:
        entry = self.manifest.get("figures", {}).get(name)
        return str(entry.get("description", "")) if isinstance(entry, dict) else ""

    def rows(self, name: str) -> object:
        """The input rows the build records for a figure (None: not recorded)."""
        entry = self.manifest.get("figures", {}).get(name)
        return entry.get("rows") if isinstance(entry, dict) else None

    def files(self) -> dict[str, str]:
        """Its input files' hashes, by path in the inputs folder."""
        return {str(e["path"]): str(e.get("sha256")) for e in self.manifest.get("inputs", [])
                if isinstance(e, dict) and "path" in e}

    def reports(self) -> dict[str, Path]:
        """The report in each format built, or (a history entry) its figures and manifest."""
        built = {kind: self.folder / name for kind, name in paths.REPORT_FILES.items()
                 if (self.folder / name).is_file()}
        return built or {name: self.folder / name for name in (FIGURES, MANIFEST)}


def read_build(folder: Path, period: str, region: str) -> Build:
    """A build's figures and manifest; either unreadable is a `PipelineError` of one line."""
    return Build(period, region, Path(folder), _read(Path(folder) / FIGURES), _read(Path(folder) / MANIFEST))


def _read(path: Path) -> dict:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PipelineError(f"{path}: not readable as JSON ({type(error).__name__})") from None
    if not isinstance(record, dict):
        raise PipelineError(f"{path}: not the record a build writes")
    return record


@dataclass(frozen=True)
class Moved:
    """A figure that moved between two builds (or appeared, or went: `MISSING`)."""

    name: str
    old: object
    new: object
    meaning: str
    #: Its input rows that differ between the two builds (None: not compared).
    rows: RowChanges | None = None

    @property
    def old_text(self) -> str:
        return shown(self.name, self.old)

    @property
    def new_text(self) -> str:
        return shown(self.name, self.new)

    @property
    def delta(self) -> str:
        """`+10`, `-1 500` (money as money), `+5 п. п.` for a percentage; "" unless both are numbers."""
        if not (_number(self.old) and _number(self.new)):
            return ""
        step = Decimal(str(self.new)) - Decimal(str(self.old))
        size = formatting.number(abs(step)) + "\u00a0п.\u00a0п." if self.name.endswith("_pct") \
            else formatting.figure(self.name, abs(step))
        return _sign(step) + size

    @property
    def delta_pct(self) -> str:
        """The change as a share of the old value, `+0,8 %`; "" for percentages and from zero."""
        if self.name.endswith("_pct") or not (_number(self.old) and _number(self.new)) or not self.old:
            return ""
        step = (Decimal(str(self.new)) - Decimal(str(self.old))) / abs(Decimal(str(self.old))) * 100
        return _sign(step) + formatting.pct(abs(step).quantize(Decimal("0.1"), ROUND_HALF_UP))

    def line(self) -> str:
        change = ", ".join(part for part in (self.delta, self.delta_pct) if part)
        return f"{self.name}: {self.old_text} → {self.new_text}" + (f"  (Δ {change})" if change else "")


def shown(name: str, value: object) -> str:
    """A figure's value as the report shows it."""
    if value is MISSING:
        return "(absent)"
    if value is None or _number(value):
        return formatting.figure(name, value)
    return str(value)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _sign(step: Decimal) -> str:
    return "+" if step > 0 else "-"


@dataclass
class ReportDiff:
    """What differs between two builds of a report (the newer one's `label`)."""

    old: Build
    new: Build
    figures: list[Moved]
    inputs: list[tuple[str, str]]       # (changed|added|removed, path)
    narratives: list[tuple[str, str]]
    #: What the newer build is compared with, when not the same report of another folder (a
    #: history entry, another period's report): as the command line and as the page say it.
    against: tuple[str, str] = ("", "")

    @property
    def label(self) -> str:
        return self.new.label

    @property
    def changed(self) -> bool:
        return bool(self.figures or self.inputs or self.narratives)

    @property
    def content_changed(self) -> bool:
        """Whether what the report says changed: a figure, or the prose of its period (an input
        file whose hash changed may be one the report does not read)."""
        return bool(self.figures or self.narratives)

    def heading(self) -> str:
        return self.label + (f" (against {self.against[0]})" if self.against[0] else "")

    def lines(self) -> list[str]:
        return [self.heading(), *(line for m in self.figures
                                  for line in (f"  {m.line()}", *(f"    {r}" for r in (m.rows.lines() if m.rows else ())))),
                *(f"  input {kind}: {path}" for kind, path in self.inputs),
                *(f"  narrative {kind}: {path}" for kind, path in self.narratives)]


def compare(old: Build, new: Build, against: tuple[str, str] = ("", ""), shared_only: bool = False) -> ReportDiff:
    """Every figure that moved (only those both builds have, with `shared_only`, and then
    without its rows: two periods' rows differ by scope) with its input rows that differ, the
    input files whose hashes changed and the narratives of each build's period whose text changed."""
    names = [*new.figures, *(n for n in old.figures if n not in new.figures)]
    if shared_only:
        names = [n for n in names if n in old.figures and n in new.figures]
    moved = [Moved(n, old.figures.get(n, MISSING), new.figures.get(n, MISSING), new.meaning(n) or old.meaning(n),
                   None if shared_only else compare_rows(old.rows(n) if n in old.figures else [],
                                                         new.rows(n) if n in new.figures else []))
             for n in names if n not in old.figures or n not in new.figures or old.figures[n] != new.figures[n]]
    before, after = old.files(), new.files()
    prose = _file_changes(_narratives(before, old.period, old.region), _narratives(after, new.period, new.region))
    return ReportDiff(old, new, moved, _file_changes(_data(before), _data(after)), prose, against)


def _data(files: dict[str, str]) -> dict[str, tuple[str, str]]:
    """A build's input files but the narratives, by path."""
    return {p: (p, h) for p, h in files.items() if not p.startswith(f"{paths.NARRATIVES_DIR}/")}


def _narratives(files: dict[str, str], period: str, region: str) -> dict[str, tuple[str, str]]:
    """A build's narratives, by name within its period's folder: the period's and its region's
    overrides (`<region>/<name>.md`), not other regions'."""
    prefix = f"{paths.NARRATIVES_DIR}/{period}/"
    named = {p.removeprefix(prefix): (p, h) for p, h in files.items() if p.startswith(prefix)}
    return {name: file for name, file in named.items() if "/" not in name or name.startswith(f"{region}/")}


def _file_changes(old: dict[str, tuple[str, str]], new: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """(kind, path) of each file whose hash differs between two builds' {key: (path, hash)}."""
    found = []
    for key in sorted({*old, *new}):
        if key not in old:
            found.append(("added", new[key][0]))
        elif key not in new:
            found.append(("removed", old[key][0]))
        elif old[key][1] != new[key][1]:
            found.append(("changed", new[key][0]))
    return found


@dataclass
class Comparison:
    """A diff of many reports: those compared, and those on one side only."""

    title: str
    reports: list[ReportDiff]
    #: (kind, where, labels): reports with nothing to compare them with: `ALONE` says which.
    alone: list[tuple[str, str, list[str]]] = field(default_factory=list)
    #: Whether a report on one side only is a difference (two folders) or a note (periods, history).
    alone_differs: bool = False

    @property
    def changed(self) -> bool:
        return any(r.changed for r in self.reports) or (self.alone_differs and any(labels for _, _, labels in self.alone))

    @property
    def unchanged(self) -> list[str]:
        return [r.label for r in self.reports if not r.changed]

    def lines(self) -> list[str]:
        """What `python -m pipeline diff` prints: a block per report that differs, then one
        line per kind of report left out, then one line for the reports that did not change."""
        found = [line for r in self.reports if r.changed for line in r.lines()]
        found += [f"{ALONE[kind][0].format(where)}: {', '.join(labels)}" for kind, where, labels in self.alone if labels]
        if self.unchanged:
            count = len(self.unchanged)
            found.append(f"unchanged ({count} report{'s' if count > 1 else ''}): {', '.join(self.unchanged)}")
        return found


def built(outputs: Path) -> list[tuple[str, str]]:
    """(period, region) of every report built in an outputs folder; none is an error."""
    if not Path(outputs).is_dir():
        raise PipelineError(f"{outputs}: not a folder")
    found = explaining.built_reports(outputs)
    if not found:
        raise PipelineError(f"{outputs}: no built report (run `python -m pipeline run` first)")
    return found


def between_folders(old: Path, new: Path) -> Comparison:
    """Report by report, the builds of `old` against those of `new`."""
    before, after = built(old), built(new)
    reports = [compare(read_build(Path(old) / p / r, p, r), read_build(Path(new) / p / r, p, r))
               for p, r in after if (p, r) in before]
    alone = [("only", str(old), [f"{p}/{r}" for p, r in before if (p, r) not in after]),
             ("only", str(new), [f"{p}/{r}" for p, r in after if (p, r) not in before])]
    return Comparison(f"{old} → {new}", reports, alone, alone_differs=True)


def between_periods(outputs: Path, first: str, second: str) -> Comparison:
    """Period `second` against period `first`, region by region, on the figures both have."""
    reports = built(outputs)
    periods = sorted({p for p, _ in reports})
    regions = {period: [r for p, r in reports if p == period] for period in (first, second)}
    for period in (first, second):
        if not regions[period]:
            raise PipelineError(f"{period}: no report of this period is built in {outputs} (built: {', '.join(periods)})")
    compared = [compare(read_build(Path(outputs) / first / r, first, r), read_build(Path(outputs) / second / r, second, r),
                        (f"{first}/{r}", f"с {first}/{r}"), shared_only=True)
                for r in regions[second] if r in regions[first]]
    alone = [("only", period, [r for r in regions[period] if r not in regions[other]])
             for period, other in ((first, second), (second, first))]
    return Comparison(f"{outputs}: {first} → {second}, по регионам (показатели, которые есть в обоих)", compared, alone)


# The page.

@cache
def _environment(language: str = DEFAULT) -> Environment:
    """The reviewers' pages' templates, with Jinja2's i18n and `language`'s catalogue installed."""
    environment = Environment(loader=FileSystemLoader(paths.HTML_TEMPLATES_DIR), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    environment.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return environment


def render(template: str, language: str = DEFAULT, **values: object) -> str:
    """One of pipeline/templates/html/ (the reviewers' index, in `language`; a diff page)."""
    return _environment(language).get_template(template).render(**values)


def href(target: Path, page: Path) -> str:
    """A link from `page` to `target`, relative (so that it works from file:// and when the
    folder is moved), %-escaped."""
    return quote(Path(os.path.relpath(os.path.abspath(target), os.path.abspath(Path(page).parent))).as_posix())


def page(comparison: Comparison, target: Path, index: Path | None = None) -> str:
    """The comparison as a page to be written at `target`: Russian labels, each figure's
    meaning beside its name, linked to the reports (`index`: a link back to the reviewers' index)."""
    def links(build: Build) -> list[tuple[str, str]]:
        return [(kind.upper() if kind in paths.REPORT_FILES else kind, href(path, target))
                for kind, path in build.reports().items()]

    def anchor(build: Build, name: str) -> str | None:
        evidence = build.folder / paths.EVIDENCE_FILES["html"]  # the registry, where a figure has its row
        return f"{href(evidence, target)}#fig-{quote(name)}" if evidence.is_file() else None

    reports = [{"diff": r, "old": links(r.old), "new": links(r.new),
                "figures": [{"moved": m, "href": anchor(r.new, m.name)} for m in r.figures]}
               for r in comparison.reports if r.changed]
    return render("diff.html.j2", comparison=comparison, reports=reports, changes=CHANGES, alone=ALONE,
                  row_changes={kind: words[1] for kind, words in ROW_CHANGES.items()},
                  index=href(index, target) if index is not None else None)


def write_page(comparison: Comparison, target: Path, index: Path | None = None) -> Path:
    """Write the comparison's page at `target` (replaced whole)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    disk.write_text(target, page(comparison, target, index))
    return target
