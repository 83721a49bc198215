"""Checking typed inputs against the contract with pandera: every problem one line.

Schemas are built from `pipeline/inputs/schema.py`'s declarations (kinds, blank cells) plus
what one cell cannot tell: ids that must be unique (KEYS), ids that must name a row of
another table or a region of grant.yml (REFERENCES), an event that ends before it starts;
and grant.yml as tables (filled fields, unique period and region ids, periods that end
before they start). pandera's failure cases are turned back into the user's file and row:
`file:row: column = value: expected …`, never showing a personal value.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import yaml

from pipeline import paths
from pipeline.exceptions import InputError
from pipeline.inputs.loading import EXPECTED, Inputs, shown_value
from pipeline.inputs.notes import plural
from pipeline.inputs.schema import TABLES, Column

if TYPE_CHECKING:
    import pandera.pandas as pa

# pandera is imported where schemas are built, not at import time (about a second).

GRANT = paths.GRANT_FILE
GRANT_REGIONS = "grant.yml regions"

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
    "region": GRANT_REGIONS,
}

NOT_EMPTY = "expected a value, the cell is empty"
def sort_key(problem: InputError) -> tuple:
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
           for target in REFERENCES.values() if target != GRANT_REGIONS}
    ids[GRANT_REGIONS] = [r["id"] for r in inputs.grant["regions"]]
    return ids


def _reference_check(name: str, target: str, known: list[str]) -> pa.Check:
    import pandera.pandas as pa

    if target == GRANT_REGIONS:
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
                f"found or empty; {plural(len(rows), 'row', 'rows')} of this file refer to it)"))
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
