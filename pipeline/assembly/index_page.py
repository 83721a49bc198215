"""OUT/index.html: the reviewers' dashboard of every period x region built in a folder.

One row per report: its key figures as the report shows them, its status in the run that
wrote the page (built, up to date, failed), whether it changed against its previous build
(its history, `history.previous`; the per-report page OUT/<period>/<region>/diff.html says
how), and links to the report in each format, the executed notebooks and the audit files.
A small inline script sorts by any column and filters by period, region and change: the page
works from file:// and offline. Reads figures.json and manifests only.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import disk, paths
from pipeline.assembly import diffing, history
from pipeline.exceptions import PipelineError, printable
from pipeline.ids import ALL
from pipeline.incremental import ledger
from pipeline.incremental.grid import ReportResult
from pipeline.language import DEFAULT, LANGUAGES, N_, known, tr
from pipeline.notebook import formatting

if TYPE_CHECKING:
    from pipeline.inputs.validation import ValidInputs

FAILED_SUFFIX = ".failed"
DIFF_PAGE = "diff.html"
INDEX = "index.html"

#: How a report's status reads, by its state in the run that wrote the page: built or found up
#: to date by it, failed in it, or a build whose inputs (its rows, grant.yml, its narratives),
#: notebooks or code changed since (a report the run did not ask for).
STATUSES = {"built": N_("собран"), "fresh": N_("актуален"), "failed": N_("ошибка сборки"),
            "stale": N_("устарел — запустите run")}
#: The consolidated report's name on the page, where a region's name stands for the others.
ALL_NAME = N_("Все регионы (сводный)")


@dataclass(frozen=True)
class Column:
    """A key figure of the dashboard: its heading, the figures it adds up, and how it is shown."""

    key: str
    heading: str
    figures: tuple[str, ...]   # summed; one name is the figure itself
    note: str = ""

    def value(self, figures: dict) -> float | int | None:
        found = [figures[name] for name in self.figures if name in figures]
        numbers = [v for v in found if isinstance(v, int | float) and not isinstance(v, bool)]
        return sum(numbers) if numbers else (None if not found else found[0])

    def shown(self, figures: dict) -> str:
        """As the report shows the figure (a sum as a number)."""
        value = self.value(figures)
        return formatting.figure(self.figures[0] if len(self.figures) == 1 else "", value)


#: Participants are the people of every event, each event counting its own list (its
#: `events.<type>.participants`): the activities' participants would count consultations and
#: feedback forms again, which have their own columns.
EVENT_TYPES = ("conference", "training", "meeting", "presentation", "round_table", "other")
COLUMNS = (
    Column("participants", N_("Участники мероприятий"), tuple(f"events.{t}.participants" for t in EVENT_TYPES),
           N_("сумма участников всех мероприятий (events.*.participants)")),
    Column("trainings", N_("Тренинги"), ("events.training.count",)),
    Column("consultations", N_("Консультации"), ("consultations.count",)),
    Column("feedback", N_("Анкеты обратной связи"), ("feedback.count",)),
    Column("reach", N_("Охват"), ("media.reach",)),
    Column("spent", N_("Освоено"), ("budget.spent",)),
    Column("spent_pct", N_("Освоено, %"), ("budget.spent_pct",)),
)
ACHIEVED = "activity.{}.achieved_pct"
PLAN_HEADING = N_("Выполнение плана, % от цели")


def _activities(figures: dict) -> list[str]:
    """The plan activities a report counts, in its order."""
    return [name[len("activity."):-len(".achieved_pct")] for name in figures
            if name.startswith("activity.") and name.endswith(".achieved_pct")]


def _files(outputs: Path, folder: Path) -> dict[str, str]:
    """The report's formats that were written (a run may make HTML or PDF only), as links."""
    return {kind: (folder / name).relative_to(outputs).as_posix()
            for kind, name in paths.REPORT_FILES.items() if (folder / name).is_file()}


def _notebooks(outputs: Path, folder: Path) -> list[dict]:
    pages = sorted(folder.glob("notebooks/*.html")) or sorted(folder.glob("notebooks/*.ipynb"))
    return [{"name": p.stem, "href": p.relative_to(outputs).as_posix()} for p in pages]


def _changes(outputs: Path, folder: Path, period: str, region: str) -> tuple[diffing.ReportDiff | None, str | None]:
    """The report against its previous build, and the page saying how (written here, beside
    the report; removed when there is no previous build)."""
    page = folder / DIFF_PAGE
    try:
        found = history.previous(folder, period, region)
    except PipelineError:
        found = None
    if found is None:
        page.unlink(missing_ok=True)
        return None, None
    diffing.write_page(diffing.Comparison(f"{period}/{region}: в сравнении с предыдущей сборкой", [found]),
                       page, outputs / INDEX)
    return found, page.relative_to(outputs).as_posix()


def _report(outputs: Path, period: str, region: str, status: str | None, names: Names,
            current: Callable[[str, str, Path], bool | None]) -> dict:
    """One row: the report's last good build (if any) and its failed build (if any); `current`
    tells whether the build still stands for the inputs (None: not known)."""
    good, failed = outputs / period / region, outputs / period / f"{region}{FAILED_SUFFIX}"
    built = (good / "manifest.json").is_file()
    is_failed = failed.is_dir()
    figures = (disk.read_json_object(good / "figures.json") or {}) if built else {}
    changes, diff_page = _changes(outputs, good, period, region) if built else (None, None)
    stands = current(period, region, good) if built and status is None else None
    state = "failed" if is_failed else status or ("stale" if stands is False else "fresh" if stands else "built")
    entry: dict = {
        "period": period, "region": region, "status": state, "status_text": tr(names.language, STATUSES[state]),
        "period_name": names.period(period), "region_name": names.region(region),
        "figures": figures, "changed": bool(changes and changes.content_changed), "diff": diff_page,
        "moved": len(changes.figures) if changes else 0,
        "files": _files(outputs, good) if built else {},
        "notebooks": _notebooks(outputs, failed if is_failed else good),
        "audit": {name: f"{period}/{region}/{name}" for name in (paths.EVIDENCE_FILES["html"], "figures.json", "manifest.json")
                  if (good / name).is_file()} if built else {},
    }
    if is_failed:
        error = failed / "error.txt"
        entry["error"] = error.read_text(encoding="utf-8").strip() if error.is_file() else ""
    return entry


def reports(outputs: Path, statuses: dict[tuple[str, str], str] | None = None,
            hashes: dict[str, str] | None = None) -> list[dict]:
    """Every report (built, failed, or both) under OUT/<period>/<region>: periods in the
    grant's order when the last validation is kept (else by name), `all` first. With the
    inputs folder's `hashes` (`inputs.folder.hashes`), a report the run did not settle is
    told up to date or out of date (`ledger.current`)."""
    found: set[tuple[str, str]] = set()
    for folder in Path(outputs).glob("*/*"):
        region = folder.name.removesuffix(FAILED_SUFFIX)
        if folder.is_dir() and not folder.name.startswith(".") and (
                (folder / "manifest.json").is_file() or folder.name.endswith(FAILED_SUFFIX)):
            found.add((folder.parent.name, region))
    kept = _kept(outputs)
    order = {period: i for i, period in enumerate(p for p in kept.get("periods", []) if isinstance(p, str))}
    ordered = sorted(found, key=lambda pr: (order.get(pr[0], len(order)), pr[0], pr[1] != ALL, pr[1]))
    names, current = Names(kept.get("names")), _currency(Path(outputs), hashes)
    return [_report(Path(outputs), p, r, (statuses or {}).get((p, r)), names, current) for p, r in ordered]


def _kept(outputs: Path) -> dict:
    """What the last validation kept (`ledger.CHECKED`): the grant's periods in its order, the
    names of the grid's ids; empty when there is none."""
    try:
        kept = json.loads((Path(outputs) / ledger.CHECKED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}


def _currency(outputs: Path, hashes: dict[str, str] | None) -> Callable[[str, str, Path], bool | None]:
    """Whether a report folder holds the build a run would make now from the inputs that hash
    as `hashes` (`ledger.current`: file keys only, no input read); None when not known (no hashes)."""
    if hashes is None:
        return lambda period, region, folder: None
    checked = ledger.recall(outputs, hashes) or {}
    notebooks = paths.section_notebooks()

    @functools.cache
    def snapshot(formats: tuple[str, ...]) -> str:
        return ledger.snapshot_key(hashes, notebooks, formats)

    def current(period: str, region: str, folder: Path) -> bool:
        return ledger.current(folder, checked.get("reports", {}).get(f"{period}/{region}"), snapshot)
    return current


@dataclass(frozen=True)
class Names:
    """What a person reads for the grid's ids: periods' titles, regions' and plan activities'
    names (`names_of`, kept by the last validation), in the language of the grant's reports
    (`language`, kept with them); an id stands for itself when none is kept."""

    kept: dict | None

    @property
    def language(self) -> str:
        """The language the page is written in: the reports' of the run that kept the names."""
        spoken = (self.kept or {}).get("language")
        return spoken if spoken in LANGUAGES else DEFAULT

    def _of(self, kind: str, key: str) -> str:
        found = (self.kept or {}).get(kind, {})
        name = found.get(key) if isinstance(found, dict) else None
        return printable(name) if isinstance(name, str) and name.strip() else key

    def period(self, period: str) -> str:
        return self._of("periods", period)

    def region(self, region: str) -> str:
        return tr(self.language, ALL_NAME) if region == ALL else self._of("regions", region)

    def activity(self, activity: str) -> dict[str, str]:
        """An activity's short name (what its achievement measures: the plan's indicator) and,
        for the tooltip, its number and wording in the plan."""
        return {"id": activity, "name": self._of("activities", activity),
                "title": tr(self.language, "мероприятие плана %(id)s: %(text)s")
                % {"id": activity, "text": self._of("activity_texts", activity)}}


def _text(value: object) -> str:
    """A text cell of a typed table; a blank one (None, NaN, pandas' NA) is ""."""
    return value.strip() if isinstance(value, str) else ""


def names_of(inputs: ValidInputs) -> dict[str, object]:
    """The names the dashboard shows for the grid's ids, from grant.yml and the plan, in the
    language of the grant's reports (and that language): kept by the run that validated the
    inputs (`ledger.remember`), so that an unchanged rerun, which reads nothing, writes the
    same page. An activity goes by its indicator (what its achievement counts), else by its
    wording in the plan."""
    grant, plan = inputs.grant, inputs.tables.get("plan")
    activities: dict[str, str] = {}
    texts: dict[str, str] = {}
    if plan is not None:
        for record in plan.to_dict("records"):
            key, indicator, text = (_text(record.get(c)) for c in ("activity_id", "indicator", "activity"))
            activities[key], texts[key] = indicator or text, text
    spoken = grant.language
    return {"periods": {p.id: known(spoken, p.title) for p in grant.periods},
            "regions": {r.id: r.name for r in grant.regions},
            "activities": activities, "activity_texts": texts, "language": spoken}


def statuses_of(results: Iterable[ReportResult]) -> dict[tuple[str, str], str]:
    """Each report's state in a run: built, up to date (`fresh`) or failed."""
    return {(r.job.period, r.job.region): "failed" if not r.ok else "fresh" if r.skipped else "built"
            for r in results}


def _cell(value: object, shown: str) -> dict:
    """A table cell: as shown, and the number it sorts by."""
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    return {"shown": shown, "sort": "" if number is None else repr(number)}


def write_index(outputs: Path, results: Iterable[ReportResult] = (), hashes: dict[str, str] | None = None) -> Path:
    """Write OUT/index.html (replaced whole, never half-written) and each report's diff page
    against its previous build; `results`, the run's, give each report's status in it, and
    the inputs folder's `hashes` whether each other report is still up to date."""
    outputs = Path(outputs)
    rows = reports(outputs, statuses_of(results), hashes)
    activities = list(dict.fromkeys(a for row in rows for a in _activities(row["figures"])))
    names = Names(_kept(outputs).get("names"))
    for row in rows:
        figures = row["figures"]
        row["cells"] = [_cell(c.value(figures), c.shown(figures) if figures else "") for c in COLUMNS]
        row["plan"] = [{**names.activity(a), "shown": formatting.figure(ACHIEVED.format(a), figures[ACHIEVED.format(a)])}
                       for a in activities if ACHIEVED.format(a) in figures]
    spoken = names.language
    html = diffing.render(INDEX + ".j2", spoken, reports=rows, columns=COLUMNS, all_name=tr(spoken, ALL_NAME),
                          stale_text=tr(spoken, STATUSES["stale"]), lang=spoken,
                          headings=[tr(spoken, c.heading) for c in COLUMNS], plan_heading=tr(spoken, PLAN_HEADING),
                          participants_note=tr(spoken, COLUMNS[0].note),
                          activities=[names.activity(a) for a in activities],
                          periods=[(p, names.period(p)) for p in dict.fromkeys(r["period"] for r in rows)],
                          regions=[(r, names.region(r)) for r in sorted({r["region"] for r in rows},
                                                                         key=lambda r: (r != ALL, r))])
    target = outputs / INDEX
    disk.write_text(target, html)
    return target
