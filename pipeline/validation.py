"""Checking the inputs against the contract: every problem one line, every warning counted.

`validate(root)` first reads and types the inputs with `loading.load_inputs` (a missing or
unreadable file, a missing column, a cell that is not of its column's kind, a broken
grant.yml: all come from there). When they load, it checks them with pandera schemas built
from `pipeline/schema.py`'s declarations (kinds, blank cells) plus what one cell cannot
tell: ids that must be unique (KEYS), ids that must name a row of another table or a
region of grant.yml (REFERENCES), an event that ends before it starts; and grant.yml as
tables (filled fields, unique period and region ids, periods that end before they start).
pandera's failure cases are turned back into the user's file and row:
`file:row: column = value: expected …`, never showing a personal value.

`warnings(inputs)` lists what does not stop a report but changes what it counts, as counts
per file, never personal data. pandera is imported only where schemas are built, so that
report notebooks can call `warnings` without paying for it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pandas as pd
import yaml

from pipeline import paths
from pipeline.exceptions import InputError, PipelineError
from pipeline.indicators import person_key
from pipeline.loading import EXPECTED, Inputs, InputProblems, load_inputs, shown_value
from pipeline.schema import TABLES, Column

if TYPE_CHECKING:
    import pandera.pandas as pa

# pandera is imported where schemas are built, not here: `warnings()` runs in every report's
# notebook kernel and needs none of it (the import alone takes about a second).

GRANT = paths.GRANT_FILE
REGIONS = "grant.yml"

# The ids that identify one row of a table (unique together); a feedback form is one per
# consultation, a questionnaire one per respondent of an event.
KEYS: dict[str, tuple[str, ...]] = {
    "plan": ("activity_id",),
    "events": ("event_id",),
    "consultations": ("consultation_id",),
    "feedback": ("consultation_id",),
    "training_surveys": ("event_id", "respondent_id"),
}

# An id column of this name refers to that table's key (or to grant.yml's regions),
# wherever it appears, except in the table it identifies.
REFERENCES: dict[str, str] = {
    "event_id": "events",
    "consultation_id": "consultations",
    "activity_id": "plan",
    "region": REGIONS,
}

NOT_EMPTY = "expected a value, the cell is empty"

# Every kind of data warning, with what the report's appendix «Замечания к данным» says of it.
WARNING_LABELS = {
    "media.no_reach": "публикаций без охвата (охват учтен как 0)",
    "events.no_attendance": "мероприятий без списка регистрации и без заявленного числа участников (учтены как 0)",
    "surveys.no_list": "анкет по мероприятиям без списка регистрации",
    "surveys.beyond_list": "анкет сверх числа людей в списке регистрации",
    "surveys.not_training": "анкет по мероприятиям, которые не являются тренингами (не учтены в оценках)",
    "dates.outside_periods": "записей вне всех отчетных периодов (не учтены ни в одном отчете)",
}


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class DataWarning:
    """Something that does not stop a report but the analyst should know: counted, never personal."""

    code: str
    message: str
    count: int

    def __str__(self) -> str:
        return self.message


@dataclass
class Report:
    """The outcome of validating an inputs folder."""

    problems: list[InputError] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)
    inputs: Inputs | None = None  # the loaded inputs when they could be read and typed

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """One line per problem, as the command line prints them."""
        return [str(p) for p in self.problems]


def _sort_key(problem: InputError) -> tuple:
    return (problem.file, -1 if problem.row is None else int(problem.row), problem.column or "")


# ---------------------------------------------------------------- schemas from the contract

@dataclass
class _Rules:
    """How to turn a schema's failure cases back into problems."""

    wide: dict[str, str] = field(default_factory=dict)              # dataframe check error -> column shown
    detail: dict[str, Callable[[pd.DataFrame, int], str]] = field(default_factory=dict)  # error -> suffix
    empty: str = NOT_EMPTY                                           # what a missing value is told


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _kind_checks(column: Column) -> list[pa.Check]:
    """What the column's kind allows, as pandera checks (loading already typed the cells)."""
    import pandera.pandas as pa

    if column.kind == "score":
        return [pa.Check.in_range(1, 5, error=EXPECTED["score"])]
    if column.kind == "int":
        return [pa.Check.ge(0, error=EXPECTED["int"]),
                pa.Check(lambda s: s % 1 == 0, error=EXPECTED["int"])]
    if column.kind == "enum":
        return [pa.Check.isin(column.choices, error=f"expected one of {', '.join(column.choices)}")]
    return []


def _known_ids(inputs: Inputs) -> dict[str, list[str]]:
    """The ids each reference may name: every referred table's key, and grant.yml's regions."""
    ids = {target: sorted(set(inputs[target][KEYS[target][0]].dropna()))
           for target in REFERENCES.values() if target != REGIONS}
    ids[REGIONS] = [r["id"] for r in inputs.grant["regions"]]
    return ids


def _reference_check(name: str, target: str, known: list[str]) -> pa.Check:
    import pandera.pandas as pa

    if target == REGIONS:
        error = f"expected a region listed in grant.yml ({', '.join(known)})"
    else:
        error = f"expected {_article(name)} {name} listed in {target}"
    return pa.Check.isin(known, error=error)


def _refers(table: str, column: Column) -> bool:
    """Whether the column is an id that refers to another table (or to grant.yml's regions)."""
    target = REFERENCES.get(column.name)
    return column.kind == "id" and target is not None and target != table


def _missing_targets(table: str, frame: pd.DataFrame, known: dict[str, list[str]]) -> list[InputError]:
    """Ids that refer to a table with no rows at all: one line per file (its first such row), not one per row."""
    problems = []
    for column in TABLES[table]:
        if not _refers(table, column) or known[REFERENCES[column.name]]:
            continue
        target = REFERENCES[column.name]
        filled = frame[frame[column.name].fillna("").astype(str) != ""]
        for file, rows in filled.groupby("_file", sort=True):
            first = rows.index[0]
            problems.append(InputError(
                str(file), int(rows.at[first, "_row"]), column.name, rows.at[first, column.name],
                f"expected {_article(column.name)} {column.name} listed in {target} (table «{target}» not "
                f"found or empty; {_plural(len(rows), 'row', 'rows')} of this file refer to it)"))
    return problems


def table_schema(table: str, known: dict[str, list[str]] | None = None) -> tuple[pa.DataFrameSchema, _Rules]:
    """The pandera schema of one table, from its declaration in schema.py.

    `known`: ids of the referred tables and of grant.yml's regions; without it, no
    reference checks (the schema of the table on its own).
    """
    import pandera.pandas as pa

    rules = _Rules()
    key = KEYS.get(table, ())
    columns = {}
    for column in TABLES[table]:
        checks = _kind_checks(column)
        target = REFERENCES.get(column.name)
        if _refers(table, column) and known is not None and known[target]:
            checks.append(_reference_check(column.name, target, known[target]))
        columns[column.name] = pa.Column(
            dtype=None, checks=checks, nullable=not column.nonblank, required=True,
            unique=key == (column.name,), report_duplicates="exclude_first",
            metadata={"contract": column})
    wide = []
    if table == "events":
        error = "expected an end_date on or after start_date"
        wide.append(pa.Check(lambda df: df["end_date"].isna() | (df["end_date"] >= df["start_date"]),
                             error=error))
        rules.wide[error] = "end_date"
        rules.detail[error] = lambda frame, i: f" ({_show_value(frame.at[i, 'start_date'])})"
    schema = pa.DataFrameSchema(
        columns, checks=wide, strict=False,
        unique=list(key) if len(key) > 1 else None, report_duplicates="exclude_first",
        name=table)
    return schema, rules


_PERIOD_ORDER = "expected an end on or after start"
_GRANT_EMPTY = "expected a value"
_GRANT_RULES = _Rules(wide={_PERIOD_ORDER: "end"},
                      detail={_PERIOD_ORDER: lambda frame, i: f" ({_show_value(frame.at[i, 'start'])})"},
                      empty=_GRANT_EMPTY)


def _grant_schemas() -> dict[str, pa.DataFrameSchema]:
    """grant.yml as tables: its scalar fields (filled), periods (unique ids, titled, end on or after
    start) and regions (unique ids, named). Loading has checked the top-level keys and dates."""
    import pandera.pandas as pa

    def filled() -> pa.Column:
        return pa.Column(dtype=None, nullable=False,
                         checks=pa.Check(lambda s: s.astype(str).str.strip() != "", error=_GRANT_EMPTY))

    def unique() -> pa.Column:
        return pa.Column(dtype=None, unique=True, report_duplicates="exclude_first",
                         checks=pa.Check(lambda s: s.astype(str).str.strip() != "", error=_GRANT_EMPTY))

    fields = pa.DataFrameSchema({path: filled() for path in GRANT_FIELDS}, name="fields")
    periods = pa.DataFrameSchema({
        "id": unique(), "title": filled(), "start": pa.Column(dtype=None), "end": pa.Column(dtype=None),
    }, checks=[pa.Check(lambda df: df["end"] >= df["start"], error=_PERIOD_ORDER)], name="periods")
    regions = pa.DataFrameSchema({"id": unique(), "name": filled()}, name="regions")
    return {"fields": fields, "periods": periods, "regions": regions}


# ---------------------------------------------------------------- failure cases -> problems

def _show_value(value: object) -> object:
    """A typed value as the user would write it: dates as 2022-05-23, whole numbers without .0."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _first_of(frame: pd.DataFrame, columns: list[str], i: int) -> int:
    """The first row with the same values as row i in `columns`."""
    same = (frame[columns] == frame.loc[i, columns]).all(axis=1)
    return int(same.idxmax())


def _also(frame: pd.DataFrame, i: int, first: int) -> str:
    """Where the first of duplicates is, seen from row i: `row 5`, or `events/a.csv:5` in another part."""
    if frame.at[first, "_file"] == frame.at[i, "_file"]:
        return f"row {frame.at[first, '_row']}"
    return f"{frame.at[first, '_file']}:{frame.at[first, '_row']}"


@dataclass
class _Place:
    """How a frame's rows are named in messages (tables: their file and line; grant.yml: item and line)."""

    locate: Callable[[pd.DataFrame, int, str], tuple[str, int | None]] = \
        lambda frame, i, column: (frame.at[i, "_file"], int(frame.at[i, "_row"]))
    label: Callable[[pd.DataFrame, int, str], str] = lambda frame, i, column: column
    also: Callable[[pd.DataFrame, int, int], str] = _also


def _problems(schema: pa.DataFrameSchema, rules: _Rules, frame: pd.DataFrame,
              prepared: pd.DataFrame, place: _Place | None = None) -> list[InputError]:
    """Run one schema lazily; every failure case becomes the user's file:row: column = value: expected."""
    from pandera.errors import SchemaErrors

    place = place or _Place()
    try:
        schema.validate(prepared, lazy=True)
        return []
    except SchemaErrors as errors:
        cases = errors.failure_cases
    key = list(schema.unique or [])
    problems: dict[tuple, InputError] = {}
    for case in cases.itertuples(index=False):
        column, check, value, index = case.column, str(case.check), case.failure_case, case.index
        if index is None or (isinstance(index, float) and math.isnan(index)):
            # a whole-column failure: a key missing from grant.yml (loading's frames have every column)
            file, _ = place.locate(frame, frame.index[0], "") if len(frame) else (schema.name or "", None)
            if check == "column_in_dataframe":
                expected = f"missing key «{value}»"
            else:
                expected = f"{column}: {check}"
            problems[(file, column, check, value)] = InputError(str(file), expected=expected)
            continue
        i = int(index)
        if check == "multiple_fields_uniqueness":
            if column != key[-1]:
                continue
            others = ", ".join(f"{c} {frame.at[i, c]}" for c in key[:-1])
            also = place.also(frame, i, _first_of(frame, key, i))
            expected = f"expected a unique {column} for {others} (also on {also})"
        elif check == "field_uniqueness":
            expected = f"expected a unique {column} (also on {place.also(frame, i, _first_of(frame, [column], i))})"
        elif check in rules.wide:
            if column != rules.wide[check]:
                continue
            expected = check
        elif check == "not_nullable":
            expected = rules.empty
        else:
            expected = check
        if check in rules.detail:
            expected += rules.detail[check](frame, i)
        contract = (schema.columns[column].metadata or {}).get("contract") if column in schema.columns else None
        shown = _show_value(frame.at[i, column] if column in frame else value)
        if contract is not None:
            shown = shown_value(contract, shown)
        file, row = place.locate(frame, i, column)
        problems[(i, column, check)] = InputError(file, row, place.label(frame, i, column), shown, expected)
    return list(problems.values())


def _prepared(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as pandera sees it: blank text cells are missing values."""
    prepared = frame.copy()
    for column in TABLES[table]:
        if column.kind in ("text", "id") and column.name in prepared:
            text = prepared[column.name]
            prepared[column.name] = text.mask(text == "")
    return prepared


def check_tables(inputs: Inputs) -> list[InputError]:
    """Every table against its schema, references and uniqueness included."""
    known = _known_ids(inputs)
    problems: list[InputError] = []
    for table in TABLES:
        frame = inputs[table]
        if not len(frame):
            continue
        schema, rules = table_schema(table, known)
        problems += _problems(schema, rules, frame, _prepared(table, frame))
        problems += _missing_targets(table, frame, known)
    return problems


# ---------------------------------------------------------------- grant.yml

# The keys inside grant.yml's mappings (loading checks the top-level ones and the lists).
GRANT_FIELDS = ("agreement.number", "agreement.date", "agreement.annex", "grantee.name", "grantee.short_name",
                "topic", "currency", "signatory.position", "signatory.name")


def _yaml_lines(root: Path) -> dict[str, int]:
    """The line of every key of grant.yml, by path: `signatory.name`, `periods[1].end`, `regions[0]`."""
    try:
        node = yaml.compose((root / GRANT).read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    lines: dict[str, int] = {}

    def walk(node, where: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                path = f"{where}.{key.value}" if where else str(key.value)
                lines[path] = key.start_mark.line + 1
                walk(value, path)
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                lines[f"{where}[{i}]"] = value.start_mark.line + 1
                walk(value, f"{where}[{i}]")

    walk(node, "")
    return lines


def _grant_frames(grant: dict) -> dict[str, pd.DataFrame]:
    """grant.yml as tables for pandera: its scalar fields (one row), its periods and its regions."""
    fields = {}
    for path in GRANT_FIELDS:
        parent, _, key = path.rpartition(".")
        holder = grant.get(parent) if parent else grant
        if isinstance(holder, dict) and key in holder:
            fields[path] = holder[key]
    frames = {"fields": pd.DataFrame([{**fields, "_item": ""}])}
    for name in ("periods", "regions"):
        frames[name] = pd.DataFrame([{**item, "_item": f"{name}[{i}]"} for i, item in enumerate(grant[name])])
    for k in ("start", "end"):
        frames["periods"][k] = pd.to_datetime(frames["periods"][k])
    return frames


def check_grant(inputs: Inputs) -> list[InputError]:
    """grant.yml: keys inside its mappings filled; periods (unique ids, end on or after start, titled);
    regions (unique ids, named)."""
    lines = _yaml_lines(inputs.root)

    def path(frame: pd.DataFrame, i: int, column: str) -> str:
        return f"{frame.at[i, '_item']}.{column}" if frame.at[i, "_item"] else column

    def locate(frame: pd.DataFrame, i: int, column: str) -> tuple[str, int | None]:
        return GRANT, lines.get(path(frame, i, column), lines.get(frame.at[i, "_item"]))

    def also(frame: pd.DataFrame, i: int, first: int) -> str:
        line = lines.get(path(frame, first, "id"))
        return f"line {line}" if line is not None else frame.at[first, "_item"]

    place = _Place(locate=locate, label=path, also=also)
    frames = _grant_frames(inputs.grant)
    problems: list[InputError] = []
    for name, schema in _grant_schemas().items():
        frame = frames[name]
        found = _problems(schema, _GRANT_RULES, frame, frame.drop(columns="_item"), place)
        for problem in found:
            if problem.row is None and problem.expected.startswith("missing key"):
                parent = problem.expected.split("«", 1)[1].rsplit(".", 1)[0]
                problem = InputError(GRANT, lines.get(parent), expected=problem.expected)
            problems.append(problem)
    return problems


# ---------------------------------------------------------------- warnings

def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _ids(values) -> str:
    values = list(dict.fromkeys(values))
    shown = ", ".join(str(v) for v in values[:5])
    return shown + (", …" if len(values) > 5 else "")


def _per_file(frame: pd.DataFrame, mask: pd.Series) -> list[tuple[str, pd.DataFrame]]:
    rows = frame[mask]
    return [(file, part) for file, part in rows.groupby("_file", sort=True)] if len(rows) else []


def warnings(inputs: Inputs) -> list[DataWarning]:
    """What does not stop a report but changes what it counts: per file, counted, never personal."""
    found: list[DataWarning] = []
    t = inputs.tables
    media = t["media"]
    for file, rows in _per_file(media, media["reach"].isna()):
        found.append(DataWarning("media.no_reach", f"{file}: "
                                 f"{_plural(len(rows), 'publication', 'publications')} without reach (counted as 0)",
                                 len(rows)))

    events, participants, surveys = t["events"], t["participants"], t["training_surveys"]
    listed = participants.assign(person=participants["full_name"].map(person_key)) \
        .drop_duplicates(["event_id", "person"]).groupby("event_id").size()
    no_list = events["event_id"].map(listed).isna()
    for file, rows in _per_file(events, no_list & events["reported_participants"].isna()):
        found.append(DataWarning(
            "events.no_attendance",
            f"{file}: {_plural(len(rows), 'event', 'events')} with neither a registration list nor "
            f"reported_participants (attendance counted as 0): {_ids(rows['event_id'])}", len(rows)))

    for file, rows in _per_file(surveys, ~surveys["event_id"].isin(listed.index)):
        found.append(DataWarning(
            "surveys.no_list",
            f"{file}: {_plural(len(rows), 'questionnaire', 'questionnaires')} for events without a "
            f"registration list: {_ids(rows['event_id'])}", len(rows)))
    with_list = surveys[surveys["event_id"].isin(listed.index)]
    for file, part in with_list.groupby("_file", sort=True):
        forms = part.groupby("event_id").size()
        excess = (forms - listed.reindex(forms.index)).clip(lower=0)
        excess = excess[excess > 0]
        if len(excess):
            n = int(excess.sum())
            found.append(DataWarning(
                "surveys.beyond_list",
                f"{file}: {_plural(n, 'questionnaire', 'questionnaires')} more than people on the "
                f"registration list: {_ids(excess.index)}", n))
    kinds = events.set_index("event_id")["type"] if len(events) else pd.Series(dtype=object)
    kinds = kinds[~kinds.index.duplicated()]
    surveyed_kind = surveys["event_id"].map(kinds)
    for file, rows in _per_file(surveys, surveyed_kind.notna() & (surveyed_kind != "training")):
        found.append(DataWarning(
            "surveys.not_training",
            f"{file}: {_plural(len(rows), 'questionnaire', 'questionnaires')} for events that are not "
            f"trainings (not counted in the survey figures): {_ids(rows['event_id'])}", len(rows)))

    found += _outside_periods(inputs)
    return sorted(found, key=lambda w: (w.message.split(":", 1)[0], w.code))


# table -> (date column, counted while within a period | on or before a period's end)
DATED = {
    "events": ("start_date", "within"), "consultations": ("date", "within"),
    "feedback": ("date", "within"), "media": ("date", "within"), "expenses": ("date", "within"),
    "centres": ("opened", "by_end"), "metrics": ("date", "by_end"),
}


def _outside_periods(inputs: Inputs) -> list[DataWarning]:
    periods = [(pd.Timestamp(p["start"]), pd.Timestamp(p["end"])) for p in inputs.grant["periods"]]
    last_end = max(end for _, end in periods)
    found = []
    for table, (column, rule) in DATED.items():
        frame = inputs[table]
        if not len(frame):
            continue
        dates = frame[column]
        if rule == "within":
            inside = pd.Series(False, index=frame.index)
            for start, end in periods:
                inside |= dates.between(start, end, inclusive="both")
            text = "dated outside every period (not counted in any report)"
        else:
            inside = dates <= last_end
            text = "dated after every period's end (not counted in any report)"
        for file, rows in _per_file(frame, dates.notna() & ~inside):
            found.append(DataWarning("dates.outside_periods",
                                     f"{file}: {_plural(len(rows), 'record', 'records')} {text}", len(rows)))
    return found


# ---------------------------------------------------------------- the whole folder

def check_inputs(inputs: Inputs) -> list[InputError]:
    """The checks that need typed inputs: grant.yml's lists, then every table."""
    return sorted(check_grant(inputs) + check_tables(inputs), key=_sort_key)


def validate(root: Path | str) -> Report:
    """Read and check an inputs folder; never raises for bad input."""
    try:
        inputs = load_inputs(root)
    except InputProblems as error:
        return Report(problems=sorted(error.problems, key=_sort_key))
    except InputError as error:
        return Report(problems=[error])
    except PipelineError as error:  # any other one-line error of loading
        return Report(problems=[InputError(str(root), expected=str(error))])
    problems = check_inputs(inputs)
    # warnings say what a report would count: there is none to build while there are problems
    return Report(problems=problems, warnings=[] if problems else warnings(inputs), inputs=inputs)
