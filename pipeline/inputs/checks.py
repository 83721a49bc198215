"""Checking typed tables against the contract with pandera: every problem one line.

Schemas are built from `pipeline/inputs/schema.py`'s declarations (kinds, blank cells) plus
what one cell cannot tell: ids that must be unique (KEYS), ids that must name a row of
another table or a region of grant.yml (REFERENCES), an event that ends before it starts
(ROW_RULES). pandera's errors are turned back into the user's file and row by their reason
and the checks' own error texts: `file:row: column = value: expected …`, never showing a
personal value. grant.yml is checked by its model (`pipeline/inputs/grant.py`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

import pandas as pd

from pipeline.exceptions import InputError
from pipeline.inputs.datawarning import plural
from pipeline.inputs.grant import Grant
from pipeline.inputs.hints import REGION_ERROR, region_hint
from pipeline.inputs.loading import NOT_EMPTY, grant_column, shown_value, source
from pipeline.inputs.orphans import POINTING
from pipeline.inputs.personal import unquoted
from pipeline.inputs.reading import Part
from pipeline.inputs.schema import EXPECTED, TABLES, Column

if TYPE_CHECKING:
    import pandera.pandas as pa
    from pandera.errors import SchemaError

# pandera is imported where schemas are built, not at import time (about a second).

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

@dataclass(frozen=True)
class RowRule:
    """A rule on two cells of a row: a row that breaks it is told under `column`, with the
    value of `compared` in parentheses."""

    column: str
    compared: str
    error: str
    holds: Callable[[pd.DataFrame], pd.Series]


ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    "events": (RowRule("end_date", "start_date", "expected an end_date on or after start_date",
                       lambda df: df["end_date"].isna() | (df["end_date"] >= df["start_date"])),),
}


def sort_key(problem: InputError) -> tuple[str, int, str]:
    return (problem.file, -1 if problem.row is None else int(problem.row), problem.column or "")


# ---------------------------------------------------------------- schemas from the contract

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


class Typed(Protocol):
    """What the checks read: typed tables and grant.yml (None while it does not read)."""

    @property
    def tables(self) -> dict[str, pd.DataFrame]: ...

    @property
    def grant(self) -> Grant | None: ...


def _known_ids(inputs: Typed, unreadable: Collection[str] = ()) -> dict[str, list[str] | None]:
    """The ids each reference may name: every referred table's key, and grant.yml's regions;
    None for what could not be read (an unreadable table, a broken grant.yml): not checked."""
    ids: dict[str, list[str] | None] = {
        target: None if target in unreadable or target not in inputs.tables
        else sorted(set(inputs.tables[target][KEYS[target][0]].dropna()))
        for target in REFERENCES.values() if target != GRANT_REGIONS}
    ids[GRANT_REGIONS] = None if inputs.grant is None else inputs.grant.region_ids()
    return ids


def _reference_check(name: str, target: str, known: list[str]) -> pa.Check:
    import pandera.pandas as pa

    if target == GRANT_REGIONS:
        error = f"{REGION_ERROR} ({', '.join(known)}), by its id, name or aliases"
    else:
        error = f"expected {_article(name)} {name} listed in {target}"
    return pa.Check.isin(known, error=error)


def _target(table: str, column: Column) -> str | None:
    """What the column refers to when it is an id of another table (or a region of grant.yml)."""
    target = REFERENCES.get(column.name)
    return target if column.kind == "id" and target != table else None


def _missing_targets(table: str, frame: pd.DataFrame, known: dict[str, list[str] | None]) -> list[InputError]:
    """Ids that refer to a table with no rows at all: one line per file (its first such row), not one per row."""
    problems = []
    for column in TABLES[table]:
        target = _target(table, column)
        if target is None or known[target] is None or known[target]:
            continue
        filled = frame[frame[column.name].fillna("").astype(str) != ""]
        for file, rows in filled.groupby("_file", sort=True):
            first = rows.index[0]
            problems.append(InputError(
                str(file), source(rows, first)[1], column.name, rows.at[first, column.name],
                f"expected {_article(column.name)} {column.name} listed in {target} (table «{target}» not "
                f"found or empty; {plural(len(rows), 'row', 'rows')} of this file refer to it)"))
    return problems


def table_schema(table: str, known: dict[str, list[str] | None] | None = None,
                 grant: Grant | None = None) -> pa.DataFrameSchema:
    """The pandera schema of one table, from its declaration in schema.py.

    `known`: ids of the referred tables and of grant.yml's regions; without it, no
    reference checks (the schema of the table on its own).
    """
    import pandera.pandas as pa

    key = KEYS.get(table, ())
    columns = {}
    for column in (grant_column(table, column, grant) for column in TABLES[table]):
        checks = _kind_checks(column)
        target = _target(table, column)
        ids = None if target is None or known is None else known[target]
        if target is not None and ids:
            checks.append(_reference_check(column.name, target, ids))
        columns[column.name] = pa.Column(
            dtype=None, checks=checks, nullable=not column.nonblank, required=True,
            unique=key == (column.name,), report_duplicates="exclude_first",
            metadata={"contract": column})
    return pa.DataFrameSchema(
        columns, checks=[pa.Check(rule.holds, error=rule.error) for rule in ROW_RULES.get(table, ())],
        strict=False, unique=list(key) if len(key) > 1 else None, report_duplicates="exclude_first",
        name=table)


# ---------------------------------------------------------------- pandera's errors -> problems

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
    return cast(int, same.idxmax())  # the typed frames are numbered 0, 1, …


def _also(frame: pd.DataFrame, i: int, first: int) -> str:
    """Where the first of duplicates is, seen from row i: `row 5`, or `events/a.csv:5` in another part."""
    file, row = source(frame, first)
    return f"row {row}" if file == source(frame, i)[0] else f"{file}:{row}"


def _expected(error: SchemaError, table: str, frame: pd.DataFrame, column: str, i: int) -> str | None:
    """What one failure case of a pandera error tells the user; None when another case of the
    same row says it (a duplicate key is told once, under its last column)."""
    import pandera.pandas as pa
    from pandera.errors import SchemaErrorReason

    key = list(KEYS.get(table, ()))
    if error.reason_code is SchemaErrorReason.DUPLICATES:  # the key's columns together
        if column != key[-1]:
            return None
        others = ", ".join(f"{c} {_show_value(frame.at[i, c])}" for c in key[:-1])
        return f"expected a unique {column} for {others} (also on {_also(frame, i, _first_of(frame, key, i))})"
    if error.reason_code is SchemaErrorReason.SERIES_CONTAINS_DUPLICATES:
        return f"expected a unique {column} (also on {_also(frame, i, _first_of(frame, [column], i))})"
    if error.reason_code is SchemaErrorReason.SERIES_CONTAINS_NULLS:
        return NOT_EMPTY
    check = error.check
    text = check.error if isinstance(check, pa.Check) and check.error else str(check)
    if error.column_name is not None:  # a check of one column
        return text
    rule = next(r for r in ROW_RULES[table] if r.error == text)
    return f"{text} ({_show_value(frame.at[i, rule.compared])})" if column == rule.column else None


def _problems(schema: pa.DataFrameSchema, frame: pd.DataFrame, prepared: pd.DataFrame) -> list[InputError]:
    """Run one table's schema lazily; every failure case becomes the user's file:row: column = value: expected."""
    from pandera.errors import SchemaErrors

    try:
        schema.validate(prepared, lazy=True)
        return []
    except SchemaErrors as errors:
        found = errors.schema_errors
    problems: dict[tuple[object, ...], InputError] = {}
    for error in found:
        cases = error.failure_cases
        if not isinstance(cases, pd.DataFrame):  # a missing column (loading's frames have them all)
            file = str(frame["_file"].iloc[0])
            problems[(file, str(cases))] = InputError(file, expected=f"missing column «{cases}»")
            continue
        for case in cases.to_dict("records"):
            column = str(case.get("column") or error.column_name)
            i = int(case["index"])
            expected = _expected(error, str(schema.name), frame, column, i)
            if expected is None:
                continue
            shown = _show_value(frame.at[i, column])
            contract = schema.columns[column].metadata["contract"]
            file, row = source(frame, i)
            problems[(i, column, expected)] = InputError(file, row, column, shown_value(contract, shown), expected)
    return list(problems.values())


def _prepared(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as pandera sees it: blank text cells are missing values."""
    blanked = {column.name: pd.Series([None if cell == "" else cell for cell in frame[column.name].tolist()],
                                      index=frame.index, dtype=frame[column.name].dtype)
               for column in TABLES[table] if column.kind in ("text", "id") and column.name in frame}
    return frame.assign(**blanked)


def _told_before(problem: InputError, told: set[tuple[str, int | None, str | None]], table: str,
                 lacking: set[tuple[str, str]]) -> bool:
    """A check's problem that loading told already: a bad cell (blank once typed), a cell of a
    column its file lacks, or a row rule on a row with a bad cell."""
    if (problem.file, problem.row, problem.column) in told or (problem.file, problem.column) in lacking:
        return True
    rules = ROW_RULES.get(table, ())
    return any(problem.expected.startswith(rule.error) and ((problem.file, problem.row, rule.compared) in told)
               for rule in rules)


def _pointing_nowhere(problem: InputError, table: str, parts: dict[str, list[Part]]) -> bool:
    """A form whose consultation or event id (written in its cell, not made from its file's
    name) is not in its table: not a problem but a record left out, with a warning
    (`orphans.left_out`)."""
    column, target = POINTING.get(table, ("", ""))
    made = {part.file for part in parts.get(table, []) if column in part.made}
    return (problem.column == column and problem.file not in made
            and problem.expected == f"expected {_article(column)} {column} listed in {target}")


def check_tables(inputs: Typed, told: Collection[InputError] = (), unreadable: Collection[str] = (),
                 parts: dict[str, list[Part]] | None = None) -> list[InputError]:
    """Every table against its schema, references and uniqueness included. `told`: the
    problems loading found (not told twice); `unreadable`: tables not read; `parts`: each
    table's files (a column a file lacks is told once, by loading)."""
    known = _known_ids(inputs, unreadable)
    cells = {(p.file, p.row, p.column) for p in told}
    lacking = {(part.file, column.name) for table, found in (parts or {}).items() for part in found
               for column in TABLES[table] if column.name not in part.names}
    problems: list[InputError] = []
    for table in TABLES:
        frame = inputs.tables.get(table)
        if frame is None or not len(frame):
            continue
        found = _problems(table_schema(table, known, inputs.grant), frame, _prepared(table, frame))
        found = [p for p in found if not _pointing_nowhere(p, table, parts or {})]
        found += _missing_targets(table, frame, known)
        found = _made_once(found, (parts or {}).get(table, ()))
        problems += [region_hint(p, inputs.grant) for p in found if not _told_before(p, cells, table, lacking)]
    rules = [rule.error for found in ROW_RULES.values() for rule in found]
    return unquoted(problems, [part for found in (parts or {}).values() for part in found], rules)


#: Where the reading takes a column a file lacks (`reading._made_columns`); a part's own
#: `event_from` first (a sheet's title).
_MADE_FROM = {"event_id": "the file's name", "respondent_id": "the {what} and row"}


def _made_from(part: Part, column: str) -> str:
    """Where a column the reading made for a part took its value: a file's name, a sheet's title."""
    what = "sheet" if part.sheet else "file"
    source = (f"grant.yml files «{part.setting}»" if column in dict(part.constants)
              else part.event_from if column == "event_id" and part.event_from
              else _MADE_FROM.get(column, "made by the reading").format(what=what))
    return f"the {what} has no {column} column: its value is {source}"


def _made_once(problems: list[InputError], parts: Collection[Part]) -> list[InputError]:
    """A column the reading made for a file that lacks it (`event_id` from the file's name) is
    the same in every row: its problem is told once, for the file's header, saying where the
    value came from, not once per row."""
    made = {(part.file, column): part for part in parts for column in part.made}
    kept: list[InputError] = []
    told: set[tuple[str, str | None]] = set()
    for problem in problems:
        part = made.get((problem.file, problem.column or ""))
        if part is None:
            kept.append(problem)
        elif (problem.file, problem.column) not in told:
            told.add((problem.file, problem.column))
            kept.append(InputError(problem.file, part.header_line, problem.column, problem.value,
                                   f"{problem.expected} ({_made_from(part, problem.column or '')})"))
    return kept
