"""Reading the inputs folder into typed DataFrames, once per run: each table's files as
text cells (`reading`), then typed by the contract's kinds (numbers with decimal commas,
dates ISO or Russian), with one problem per bad cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from pipeline import paths
from pipeline.disk import folder_hashes
from pipeline.exceptions import InputError
from pipeline.inputs.grant import Grant, InputProblems, load_grant
from pipeline.inputs.headers import missing_column
from pipeline.inputs.reading import SOURCE_COLUMNS, read_table_raw
from pipeline.inputs.schema import (
    ENUM_SYNONYMS,
    EXPECTED,
    FALSE_WORDS,
    ISO_DATE,
    NUMBER_SPACES,
    REQUIRED_TABLES,
    RUSSIAN_DATE,
    TABLES,
    TRUE_WORDS,
    Column,
)

HIDDEN = "<скрыто>"


@dataclass
class Inputs:
    """The whole inputs folder, read and typed."""

    root: Path
    grant: Grant
    tables: dict[str, pd.DataFrame]
    files: list[Path] = field(default_factory=list)
    #: SHA-256 of every file of the folder, by relative path, as it was read.
    hashes: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]


# ---------------------------------------------------------------- typing

def _strip(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip()


def _parse_number(text: pd.Series) -> pd.Series:
    """Numbers, NaN where a cell is not one; `inf`, `NaN` and `1e400` are not."""
    cleaned = text.str.replace(NUMBER_SPACES, "", regex=True).str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce")
    return numbers.where(np.isfinite(numbers))


def _parse_date(text: pd.Series) -> pd.Series:
    """Days (a time of day after them is dropped), NaT where a cell is not a whole date."""
    iso = pd.to_datetime(text.str.extract(ISO_DATE, expand=False), format="%Y-%m-%d", errors="coerce")
    russian = pd.to_datetime(text.str.extract(RUSSIAN_DATE, expand=False), format="%d.%m.%Y", errors="coerce")
    return iso.fillna(russian).astype("datetime64[ns]")


def _parse_bool(text: pd.Series) -> pd.Series:
    lowered = text.str.lower()
    return pd.Series(
        [True if v in TRUE_WORDS else False if v in FALSE_WORDS else pd.NA for v in lowered],
        index=text.index, dtype="boolean")


def _parse_enum(text: pd.Series, choices: tuple[str, ...]) -> pd.Series:
    lowered = text.str.lower().str.replace(r"\s+", " ", regex=True)
    mapped = lowered.map(lambda v: ENUM_SYNONYMS.get(v, v))
    return mapped.where(mapped.isin(choices))


EMPTY_FILE = "empty file: expected a header line naming the columns"
NOT_EMPTY = "expected a value, the cell is empty"


def coerce_column(text: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    """Typed values, a mask of cells that are filled but not of that kind, and the expectation."""
    if column.kind == "date":
        values = _parse_date(text)
    elif column.kind in ("number", "int", "score"):
        values = _parse_number(text)
    elif column.kind == "bool":
        values = _parse_bool(text)
    elif column.kind == "enum":
        values = _parse_enum(text, column.choices)
    elif column.shape is not None:
        fits = text.map(column.shape.fits).astype(bool)
        return text, (text != "") & ~fits, column.shape.expected
    else:
        return text, pd.Series(False, index=text.index), ""
    bad = (text != "") & values.isna()
    if column.kind == "int":
        bad |= values.notna() & ((values < 0) | (values % 1 != 0))
    elif column.kind == "score":
        bad |= values.notna() & ((values < 1) | (values > 5))
    expected = EXPECTED.get(column.kind) or f"expected one of {', '.join(column.choices)}"
    return values, bad, expected


def source(frame: pd.DataFrame, i: int) -> tuple[str, int]:
    """The file and line (as the user sees them) that row i of a table came from."""
    return str(frame.at[i, "_file"]), cast(int, frame.at[i, "_row"])


def shown_value(column: Column, value: object) -> object:
    """What a message may show of a cell: never a personal value."""
    return HIDDEN if column.personal and str(value).strip() else value


def type_table(table: str, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[InputError]]:
    """The contract's columns of one table, typed; problems for every cell that is not."""
    problems: list[InputError] = []
    typed = pd.DataFrame(index=raw.index)
    for part in raw.attrs.get("parts", []):
        if not part.header_line:
            problems.append(InputError(part.file, expected=EMPTY_FILE))
            continue
        for column in TABLES[table]:
            if column.required and column.name not in part.names:
                problems.append(InputError(part.file, part.header_line, expected=missing_column(table, column.name)))
    for column in TABLES[table]:
        text = _strip(raw[column.name]) if column.name in raw else pd.Series("", index=raw.index)
        values, bad, expected = coerce_column(text, column)
        if column.nonblank:
            blank = text == ""
            lacking = [part.file for part in raw.attrs.get("parts", []) if column.name not in part.names]
            for i in raw.index[blank & (column.name in raw) & ~raw["_file"].isin(lacking)]:
                problems.append(InputError(*source(raw, i), column.name, "", NOT_EMPTY))
        for i in raw.index[bad]:
            problems.append(InputError(*source(raw, i), column.name, shown_value(column, text[i]), expected))
        typed[column.name] = values.where(~bad) if column.kind != "text" else values
    for name in SOURCE_COLUMNS:
        typed[name] = raw[name] if name in raw else pd.Series(dtype=object)
    return typed.reset_index(drop=True), problems


# ---------------------------------------------------------------- the whole folder

def load_inputs(root: Path | str) -> Inputs:
    """Read grant.yml, then every table; raise InputProblems listing every bad cell. A problem
    in grant.yml stops here: the tables are checked against it."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(str(root), expected="inputs folder not found")
    hashes = folder_hashes(root)
    grant = load_grant(root)
    tables: dict[str, pd.DataFrame] = {}
    files = [root / paths.GRANT_FILE]
    problems: list[InputError] = []
    for table in TABLES:
        try:
            raw, parts = read_table_raw(root, table, grant)
        except InputError as error:  # an unreadable part: report it, go on with the other tables
            problems.append(error)
            continue
        files += parts
        if not parts and table in REQUIRED_TABLES:
            problems.append(InputError(f"{table}.csv", expected=f"table «{table}» not found (.csv, .xlsx or folder)"))
        typed, found = type_table(table, raw)
        tables[table] = typed
        problems += found
    narratives = root / paths.NARRATIVES_DIR
    if narratives.is_dir():
        files += sorted(p for p in narratives.rglob("*.md") if p.is_file())
    if problems:
        raise InputProblems(problems)
    # The hashes stand for what was read (a report's cache key is made of them) only if
    # nothing changed while reading.
    changed = sorted(set(hashes.items()) ^ set(folder_hashes(root).items()))
    if changed:
        raise InputError(changed[0][0], expected="a file that does not change while it is read "
                         "(it was saved during the run): run again")
    return Inputs(root=root, grant=grant, tables=tables, files=files, hashes=hashes)
