"""Row-level lineage, checked independently of `pipeline/`: every figure of a built report is
recomputed here from ONLY the input rows its manifest lists (`figures[NAME]["rows"]`, each read
back from its `file:row` with csv/openpyxl, cells taken by header name) and must give the
manifest's value; the notebook cell the manifest names for it shows the ids of those rows.

Nothing here imports `pipeline`: the files are read, the names folded, the numbers parsed and
rounded by this module's own code, from docs/figures-conventions.md. Every figure name must
match one of `KINDS` (a kind not handled fails, it is never skipped).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache, cached_property
from pathlib import Path

import openpyxl
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import PROJECT

# ---------------------------------------------------------------- reading the input files

#: The column holding each table's record id (training_surveys: "<event_id>/<respondent_id>").
ID_COLUMNS = {"events": "event_id", "consultations": "consultation_id", "feedback": "consultation_id",
              "plan": "activity_id", "training_surveys": "respondent_id"}


def _decode(data: bytes) -> str:
    """UTF-8 (a BOM or none), else cp1251: the encodings the contract allows."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


@cache
def read_sheet(path: Path) -> tuple[list[str], dict[int, list[object]]]:
    """A CSV (utf-8, utf-8 with BOM or cp1251; `,` or `;`) or the first sheet of an xlsx: its
    column names (lower case) and its rows by the number a spreadsheet shows (header = 1)."""
    if path.suffix.lower() == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            lines: list[list[object]] = [list(values) for values in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    else:
        text = _decode(path.read_bytes())
        first = text.split("\n", 1)[0]
        separator = ";" if first.count(";") > first.count(",") else ","
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    header = [str(name or "").strip().lower() for name in lines[0]]
    return header, {number: cells for number, cells in enumerate(lines[1:], start=2)}


def read_row(root: Path, ref: dict) -> dict[str, object]:
    """The cells of the row a manifest reference names, by column name."""
    header, rows = read_sheet(Path(root) / ref["file"])
    cells = rows[ref["row"]]
    return {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(header) if name}


def record_id(table: str, row: dict[str, object]) -> str | None:
    """A row's record id as the manifest names it, or None for a table without ids."""
    column = ID_COLUMNS.get(table)
    if column is None:
        return None
    value = text(row.get(column))
    return f"{text(row.get('event_id'))}/{value}" if table == "training_surveys" else value


# ---------------------------------------------------------------- reading cells

def text(value: object) -> str:
    return "" if value is None else str(value).strip()


def number(value: object) -> Fraction | None:
    """Spaces between digit groups and a decimal comma allowed; blank -> None."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return Fraction(Decimal(repr(value)))
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text(value)).replace(",", ".")
    return Fraction(Decimal(cleaned)) if cleaned else None


def date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    cell = text(value)
    if not cell:
        return None
    if re.match(r"\d{4}-\d{2}-\d{2}", cell):
        return dt.date.fromisoformat(cell[:10])
    day, month, year = cell.split(".")
    return dt.date(int(year), int(month), int(day))


YES, NO = {"да", "yes", "1", "true", "д", "y"}, {"нет", "no", "0", "false", "н", "n"}


def flag(value: object) -> bool | None:
    cell = text(value).lower()
    if not cell:
        return None
    if cell in YES | NO:
        return cell in YES
    raise ValueError(f"not a yes/no: {value!r}")


def word(value: object) -> str:
    """An enumerated cell (type, owner): lower case, one space; `round table` is round_table."""
    cell = re.sub(r"\s+", " ", text(value).lower())
    return {"round table": "round_table", "round-table": "round_table"}.get(cell, cell)


def person(value: object) -> str:
    """A person: the name in NFKC without format characters (zero-width ones), case-folded, runs
    of white space as one space, trimmed, ё as е."""
    visible = "".join(c for c in unicodedata.normalize("NFKC", text(value)) if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", re.sub(r"\s+", " ", visible).strip().casefold()).replace("ё", "е")


def half_up(value: Fraction, places: int = 0) -> Fraction:
    return Fraction(math.floor(value * 10 ** places + Fraction(1, 2)), 10 ** places)


def pct(numerator: Fraction | int, denominator: Fraction | int) -> Fraction | None:
    return None if not denominator else half_up(Fraction(numerator) * 100 / Fraction(denominator))


def mean(values: list[Fraction]) -> Fraction | None:
    return None if not values else half_up(sum(values, Fraction(0)) / len(values), 2)


# ---------------------------------------------------------------- one figure, from its rows

class Underivable(Exception):
    """The listed rows do not hold what the figure's rule needs."""


@dataclass
class Rows:
    """A figure's listed rows, read from the files, by table; the grant (grant.yml)."""

    by_table: dict[str, list[dict[str, object]]]
    grant: dict
    parts: dict[str, str]
    #: The report's region (`all`: the consolidated report).
    region: str = "all"

    def of(self, table: str, **where: str) -> list[dict[str, object]]:
        """The rows of `table`; each must have `column == value` for every `where`."""
        found = self.by_table.get(table, [])
        for column, wanted in where.items():
            for row in found:
                got = word(row.get(column)) if column in ("type", "owner") else text(row.get(column))
                if got != wanted:
                    raise AssertionError(f"a listed {table} row has {column} = {got!r}, not {wanted!r}: {row}")
        return found

    def only(self, *tables: str) -> None:
        extra = set(self.by_table) - set(tables)
        if extra:
            raise AssertionError(f"rows of {sorted(extra)} listed; the rule reads only {list(tables)}")


def attendance(events: list[dict], participants: list[dict]) -> int:
    """Per event: distinct people on its list rows, else reported_participants (blank -> 0)."""
    ids = {text(e["event_id"]) for e in events}
    strays = {text(p["event_id"]) for p in participants} - ids
    if strays:
        raise AssertionError(f"list rows of events not listed: {sorted(strays)}")
    total = 0
    for event in events:
        people = {person(p["full_name"]) for p in participants if text(p["event_id"]) == text(event["event_id"])}
        total += len(people) if people else int(number(event.get("reported_participants")) or 0)
    return total


def money(values: list[object]) -> Fraction:
    return half_up(sum((number(v) or Fraction(0) for v in values), Fraction(0)), 2)


def grant_amount(r: Rows) -> Fraction:
    r.only()
    return half_up(number(r.grant["amount"]) or Fraction(0), 2)


def budget_spent(r: Rows) -> Fraction:
    r.only("expenses")
    return money([row["amount"] for row in r.of("expenses")])


def budget_spent_pct(r: Rows) -> Fraction | None:
    return pct(budget_spent(r), grant_amount(Rows({}, r.grant, {})))


def events_count(r: Rows) -> int:
    r.only("events")
    return len(r.of("events", type=r.parts["type"]))


def events_participants(r: Rows) -> int:
    r.only("events", "participants")
    return attendance(r.of("events", type=r.parts["type"]), r.of("participants"))


def _of_listed_events(r: Rows, table: str) -> list[dict]:
    """The rows of `table` (lists, forms), each of one of the listed events."""
    ids = {text(e["event_id"]) for e in r.of("events")}
    strays = {text(row["event_id"]) for row in r.of(table)} - ids
    if strays:
        raise AssertionError(f"{table} rows of events not listed: {sorted(strays)}")
    return r.of(table)


def unique_participants(r: Rows) -> int:
    r.only("events", "participants")
    if any(text(e["type"]) != "training" for e in r.of("events")):
        raise AssertionError("events that are not trainings listed")
    return len({person(row["full_name"]) for row in _of_listed_events(r, "participants")})


def _survey_forms(r: Rows) -> list[dict]:
    """The forms of the listed trainings, which must all be of the figure's topic (and region)."""
    r.only("events", "training_surveys")
    for event in r.of("events"):
        if text(event["type"]) != "training" or text(event["topic_id"]) != r.parts["topic"]:
            raise AssertionError(f"event {event['event_id']} is not a training on {r.parts['topic']}")
        if r.parts.get("region") and text(event["region"]) != r.parts["region"]:
            raise AssertionError(f"event {event['event_id']} is not in {r.parts['region']}")
    return _of_listed_events(r, "training_surveys")


def survey_respondents(r: Rows) -> int:
    return len(_survey_forms(r))


def survey_mean(r: Rows) -> Fraction | None:
    return mean([v for row in _survey_forms(r) if (v := number(row.get(r.parts["question"]))) is not None])


def consultations_count(r: Rows) -> int:
    r.only("consultations")
    return len(r.of("consultations"))


def feedback_count(r: Rows) -> int:
    r.only("feedback")
    return len(r.of("feedback"))


def feedback_response_pct(r: Rows) -> Fraction | None:
    r.only("feedback", "consultations")
    return pct(len(r.of("feedback")), len(r.of("consultations")))


def feedback_yes_pct(r: Rows) -> Fraction | None:
    r.only("feedback")
    answers = [a for row in r.of("feedback") if (a := flag(row.get(r.parts["question"]))) is not None]
    return pct(sum(answers), len(answers))


def feedback_satisfaction_pct(r: Rows) -> Fraction | None:
    r.only("feedback")
    rated = [v for row in r.of("feedback") if (v := number(row.get("satisfaction"))) is not None]
    return None if not rated else half_up(sum(rated, Fraction(0)) / len(rated) / 5 * 100)


def media_sum(r: Rows) -> Fraction:
    r.only("media")
    rows, owner = r.of("media"), r.parts.get("owner")
    if owner == "external":
        if any(word(row["owner"]) == "own" for row in rows):
            raise AssertionError("an own publication listed for partners and press")
    elif owner:
        rows = r.of("media", owner=owner)
    blank = 1 if r.parts["measure"] == "publications" else 0
    return sum((Fraction(blank) if (v := number(row.get(r.parts["measure"]))) is None else v for row in rows),
               Fraction(0))


def metric(r: Rows) -> Fraction | None:
    r.only("metrics")
    rows = r.of("metrics", name=r.parts["name"])
    return sum((number(row["value"]) or Fraction(0) for row in rows), Fraction(0)) if rows else None


def _activity_people(r: Rows, activity: str) -> int:
    return (attendance(r.of("events", activity_id=activity), r.of("participants"))
            + len(r.of("consultations", activity_id=activity)) + len(r.of("feedback", activity_id=activity)))


def centres_count(r: Rows) -> int:
    r.only("centres")
    return len(r.of("centres"))


def centres_memoranda(r: Rows) -> int:
    r.only("centres")
    listed = r.of("centres")
    if any(date(row.get("memorandum_date")) is None for row in listed):
        raise AssertionError("a centre without a memorandum date listed for centres.memoranda")
    return len(listed)


def activity_participants(r: Rows) -> int:
    r.only("events", "participants", "consultations", "feedback")
    return _activity_people(r, r.parts["id"])


def activity_cost(r: Rows) -> Fraction:
    r.only("expenses")
    return money([row["amount"] for row in r.of("expenses", activity_id=r.parts["id"])])


def _plan_row(r: Rows) -> dict[str, object]:
    plan = r.of("plan", activity_id=r.parts["id"])
    if len(plan) != 1:
        raise Underivable(f"{len(plan)} plan rows listed: the plan row of {r.parts['id']} (its unit, its "
                          "target) is what says what the figure counts")
    return plan[0]


def activity_target(r: Rows) -> Fraction | None:
    """The plan's target in the consolidated report; a region's own (grant.yml `targets:`) in its report."""
    r.only("plan")
    if not r.of("plan"):
        return None
    row = _plan_row(r)
    if r.region == "all":
        return number(row["target"])
    return number(r.grant.get("targets", {}).get(text(row["activity_id"]), {}).get(r.region))


#: What a plan unit counts (docs/figures-conventions.md): English keys and Russian stems.
UNITS = (("conference", "конференц"), ("training", "тренинг"), ("meeting", "встреч"), ("presentation", "презентац"),
         ("round_table", "кругл"), ("other",), ("events", "мероприят"), ("participants", "участник", "человек"),
         ("consultations", "консультац"), ("feedback", "отзыв", "анкет"), ("centres", "центр"),
         ("publications", "публикац"))
EVENT_TYPES = ("conference", "training", "meeting", "presentation", "round_table", "other")


def unit_counts(unit: object) -> str:
    cell = text(unit).lower()
    if cell.startswith("metric:"):
        return "metric:" + cell.split(":", 1)[1].strip()
    return next((stems[0] for stems in UNITS if any(stem in cell for stem in stems)), "events")


def activity_achieved(r: Rows) -> Fraction | int | None:
    counts, activity = unit_counts(_plan_row(r)["unit"]), r.parts["id"]
    if counts in EVENT_TYPES:
        r.only("plan", "events")
        return len(r.of("events", activity_id=activity, type=counts))
    readers: dict[str, tuple[tuple[str, ...], Callable[[], Fraction | int | None]]] = {
        "events": (("events",), lambda: len(r.of("events", activity_id=activity))),
        "participants": (("events", "participants", "consultations", "feedback"), lambda: _activity_people(r, activity)),
        "consultations": (("consultations",), lambda: len(r.of("consultations", activity_id=activity))),
        "feedback": (("feedback",), lambda: len(r.of("feedback", activity_id=activity))),
        "centres": (("centres",), lambda: len(r.of("centres"))),
        "publications": (("media",), lambda: media_sum(Rows({"media": r.of("media", activity_id=activity)}, r.grant,
                                                             {"measure": "publications"}))),
    }
    if counts.startswith("metric:"):
        r.only("plan", "metrics")
        return metric(Rows({"metrics": r.of("metrics")}, r.grant, {"name": counts.split(":", 1)[1]}))
    tables, count = readers[counts]
    r.only("plan", *tables)
    return count()


def activity_achieved_pct(r: Rows) -> Fraction | None:
    if not r.by_table:  # a null (no positive target, or nothing achieved to count) is computed from nothing
        return None
    done, goal = activity_achieved(r), activity_target(Rows({"plan": r.of("plan")}, r.grant, r.parts, r.region))
    return pct(done, goal) if done is not None and goal and goal > 0 else None


DATED = {"events": "start_date", "centres": "opened", "metrics": "date"}
WARNINGS = ("media.no_reach", "events.no_attendance", "surveys.no_list", "surveys.beyond_list", "surveys.not_training",
            "dates.outside_periods", "columns.no_values", "inputs.unknown_file", "inputs.totals_row",
            "inputs.signature_row", "inputs.scaled_column", "participants.mixed_script", "records.unknown_id",
            "inputs.file_setting", "events.untitled_topic", "metrics.unlabelled")


def warnings_count(r: Rows) -> int:
    code = r.parts["code"]
    if code in ("events.untitled_topic", "metrics.unlabelled"):  # one a topic, one a metric: its rows listed
        table, column = ("events", "topic_id") if code == "events.untitled_topic" else ("metrics", "name")
        r.only(table)
        return len({text(row[column]) for row in r.of(table)})
    if code == "surveys.beyond_list":
        r.only("training_surveys", "participants")
        forms, lists = r.of("training_surveys"), r.of("participants")
        return sum(max(0, sum(text(f["event_id"]) == event for f in forms)
                       - len({person(p["full_name"]) for p in lists if text(p["event_id"]) == event}))
                   for event in {text(f["event_id"]) for f in forms})
    table, condition = {
        "media.no_reach": ("media", lambda row: number(row.get("reach")) is None),
        "events.no_attendance": ("events", lambda row: number(row.get("reported_participants")) is None),
        "surveys.no_list": ("training_surveys", None), "surveys.not_training": ("training_surveys", None),
        "dates.outside_periods": (None, lambda row: _outside_periods(r.grant, row)),
        # every row of a table without a value in a column figures need; a file read past has no row
        "columns.no_values": (None, None), "inputs.unknown_file": (None, None),
        "inputs.totals_row": (None, None), "inputs.signature_row": (None, None),  # skipped rows: no record
        "inputs.scaled_column": (None, None),  # every row of a file whose header names a scale
        "records.unknown_id": (None, None), "inputs.file_setting": (None, None),  # the forms left out; the cells
        "participants.mixed_script": ("participants", lambda row: any(
            {"LATIN", "CYRILLIC"} <= {unicodedata.name(c, "").split(" ")[0] for c in word}
            for word in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKC", text(row["full_name"]))))),
    }[code]
    if table:
        r.only(table)
    listed = [row for rows in r.by_table.values() for row in rows]
    if condition is not None and not all(condition(row) for row in listed):
        raise AssertionError(f"a row listed for {code} does not show it")
    return len(listed)


def _outside_periods(grant: dict, row: dict[str, object]) -> bool:
    when = date(row[DATED.get(str(row["__table"]), "date")])
    spans = [(date(p["start"]), date(p["end"])) for p in grant["periods"]]
    if row["__table"] in ("centres", "metrics"):
        return when is not None and when > max(end for _, end in spans if end)
    return when is not None and not any(start <= when <= end for start, end in spans if start and end)


_ANY = r"[^.]+"
QUESTION = "knowledge_before|knowledge_after|trainer|organisation"
#: Every kind of figure, its name's pattern, and how it is recomputed from its rows.
KINDS: tuple[tuple[str, Callable[[Rows], object]], ...] = (
    (r"grant\.amount", grant_amount),
    (r"budget\.spent", budget_spent),
    (r"budget\.spent_pct", budget_spent_pct),
    (rf"events\.(?P<type>{'|'.join(EVENT_TYPES)})\.count", events_count),
    (rf"events\.(?P<type>{'|'.join(EVENT_TYPES)})\.participants", events_participants),
    (r"centres\.count", centres_count),
    (r"centres\.memoranda", centres_memoranda),
    (r"trainings\.unique_participants", unique_participants),
    (rf"survey\.(?P<topic>{_ANY})(\.(?P<region>{_ANY}))?\.respondents", survey_respondents),
    (rf"survey\.(?P<topic>{_ANY})(\.(?P<region>{_ANY}))?\.(?P<question>{QUESTION})", survey_mean),
    (r"consultations\.count", consultations_count),
    (r"feedback\.count", feedback_count),
    (r"feedback\.response_pct", feedback_response_pct),
    (r"feedback\.(?P<question>answered|positive)_pct", feedback_yes_pct),
    (r"feedback\.satisfaction_pct", feedback_satisfaction_pct),
    (r"media(\.(?P<owner>own|partner|press|external))?\.(?P<measure>publications|reach)", media_sum),
    (r"metric\.(?P<name>.+)", metric),
    (r"activity\.(?P<id>.+)\.participants", activity_participants),
    (r"activity\.(?P<id>.+)\.cost", activity_cost),
    (r"activity\.(?P<id>.+)\.target", activity_target),
    (r"activity\.(?P<id>.+)\.achieved", activity_achieved),
    (r"activity\.(?P<id>.+)\.achieved_pct", activity_achieved_pct),
    (rf"warnings\.(?P<code>{'|'.join(map(re.escape, WARNINGS))})", warnings_count),
)

def kind_of(name: str) -> tuple[Callable[[Rows], object], dict[str, str]]:
    found = [(derive, m.groupdict()) for pattern, derive in KINDS if (m := re.fullmatch(pattern, name))]
    assert len(found) == 1, f"{name}: matches {len(found)} kinds of figure (one expected): handle it in KINDS"
    return found[0]


def same(derived: object, value: object) -> bool:
    if derived is None or value is None:
        return derived is None and value is None
    return Fraction(Decimal(repr(value)) if isinstance(value, float) else value) == Fraction(derived)


# ---------------------------------------------------------------- a built report

@dataclass
class Report:
    folder: Path

    @cached_property
    def manifest(self) -> dict:
        return json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))

    @cached_property
    def inputs(self) -> Path:
        # Named relative to the folder the build ran in (the project); a copy outside it is not
        # named (other_build's, beside its outputs folder).
        named = self.manifest["parameters"]["inputs"]
        return PROJECT / named if named else self.folder.parents[2] / "inputs"

    @cached_property
    def grant(self) -> dict:
        return yaml.safe_load((self.inputs / "grant.yml").read_text(encoding="utf-8"))

    def rows(self, figure: dict) -> Rows:
        by_table: dict[str, list[dict[str, object]]] = {}
        for ref in figure["rows"]:
            row = read_row(self.inputs, ref)
            assert record_id(ref["table"], row) == ref["id"], f"{ref}: the row's id is {record_id(ref['table'], row)}"
            by_table.setdefault(ref["table"], []).append({**row, "__table": ref["table"]})
        return Rows(by_table, self.grant, {}, self.manifest["region"])

    def rederive(self, names: list[str] | None = None) -> dict[str, str]:
        """Every figure (or those named) recomputed from its rows: name -> what is wrong."""
        figures = self.manifest["figures"]
        wrong = {}
        for name in names or list(figures):
            derive, parts = kind_of(name)
            rows = self.rows(figures[name])
            rows.parts = parts
            try:
                derived = derive(rows)
            except (AssertionError, Underivable) as problem:
                wrong[name] = str(problem)
                continue
            if not same(derived, figures[name]["value"]):
                wrong[name] = f"manifest {figures[name]['value']!r}, its rows give {derived}"
        return wrong


DEMO_REPORTS = ["2022-interim/all", "2022-final/all", "2022-interim/kyzylorda"]
OTHER_REPORTS = [f"{period}/{region}" for period in ("2023-h1", "2023-h2") for region in ("akm", "kar", "pav", "kst", "all")]
REPORTS = [("demo_build", label) for label in DEMO_REPORTS] + [("other_build", label) for label in OTHER_REPORTS]


@pytest.fixture
def report(request) -> Report:
    build, label = request.param
    out, result = request.getfixturevalue(build)
    assert result.returncode == 0, result.stderr
    return Report(out / label)


def _ids(reports: list[tuple[str, str]]) -> list[str]:
    return [f"{build.split('_')[0]}:{label}" for build, label in reports]


@pytest.mark.slow
@pytest.mark.parametrize("report", REPORTS, ids=_ids(REPORTS), indirect=True)
def test_every_figure_is_rederived_from_its_rows_alone(report):
    figures = report.manifest["figures"]
    assert figures and all(kind_of(name) for name in figures)
    assert report.rederive() == {}


# ---------------------------------------------------------------- the notebook cell shows them

def cell_outputs(folder: Path, notebook: str, cell_id: str) -> str:
    """The text and HTML outputs of one cell of an executed notebook, by its id."""
    cells = _notebook_cells(folder / "notebooks" / notebook)
    assert cell_id in cells, f"{notebook}: no cell with id {cell_id}"
    return cells[cell_id]


@cache
def _notebook_cells(path: Path) -> dict[str, str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    shown = {}
    for cell in notebook["cells"]:
        parts = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for kind in ("text/html", "text/plain"):
                value = data.get(kind, "")
                parts.append(value if isinstance(value, str) else "".join(value))
            if output.get("output_type") == "stream":
                parts.append("".join(output.get("text", "")))
        shown[cell.get("id")] = "\n".join(parts)
    return shown


def shows_id(shown: str, record: str) -> bool:
    return re.search(rf"(?<![\w./-]){re.escape(record)}(?![\w./-])", shown) is not None


@pytest.mark.slow
@pytest.mark.parametrize("report", REPORTS, ids=_ids(REPORTS), indirect=True)
def test_the_cell_named_for_each_figure_shows_the_ids_of_its_rows(report):
    missing = {}
    for name, figure in report.manifest["figures"].items():
        shown = cell_outputs(report.folder, figure["notebook"], figure["cell_id"])
        absent = [ref["id"] for ref in figure["rows"] if ref["id"] and not shows_id(shown, ref["id"])]
        if absent or name not in shown:
            missing[name] = f"{figure['cell_id']}: {'figure not shown' if name not in shown else ''} {absent}"
    assert missing == {}


@pytest.mark.slow
@pytest.mark.parametrize("report", [REPORTS[0]], ids=_ids([REPORTS[0]]), indirect=True)
def test_a_reviewer_recounts_the_training_participants_in_the_cell_that_computed_them(report):
    """Issue 12: in 2022-interim/all, the cell the manifest names for
    events.training.participants shows each training with its list size, duplicates merged,
    people and attendance (recounted here from the input files), summing to the figure."""
    name = "events.training.participants"
    figure = report.manifest["figures"][name]
    expected = json.loads((report.folder / "figures.json").read_text(encoding="utf-8"))[name]
    rows = report.rows(figure)
    trainings = rows.of("events", type="training")
    assert len(trainings) == json.loads((report.folder / "figures.json").read_text(encoding="utf-8"))[
        "events.training.count"] > 1
    table_rows = [[cell.get_text(strip=True) for cell in tr.find_all(["td", "th"])]
                  for tr in BeautifulSoup(cell_outputs(report.folder, figure["notebook"], figure["cell_id"]),
                                          "html.parser").find_all("tr")]
    total = 0
    for event in trainings:
        event_id = text(event["event_id"])
        names = [person(p["full_name"]) for p in rows.of("participants") if text(p["event_id"]) == event_id]
        on_list, people = len(names), len(set(names))
        attended = people if names else int(number(event["reported_participants"]) or 0)
        total += attended
        shown = [cells for cells in table_rows if cells and cells[0] == event_id]
        assert any(_in_order([on_list, on_list - people, people, attended], cells) for cells in shown), \
            (event_id, on_list, on_list - people, people, attended, shown)
    assert total == expected


def _in_order(numbers: list[int], cells: list[str]) -> bool:
    """`numbers` stand in `cells`, in this order (other cells between them allowed)."""
    rest = iter(cells)
    return all(any(cell == str(n) for cell in rest) for n in numbers)
