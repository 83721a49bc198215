"""What a table's cells say, by the contract's kinds: numbers with decimal commas and spaces
between thousands, dates ISO, Russian or as forms write them, yes/no and the contract's words in
Russian, Kazakh and English, region names. Cell by cell in plain Python, one Series a column:
a table of tens of rows is typed in a few milliseconds (pandas' operations cost more than the
cells they are applied to); pandas parses numbers and tells days of the calendar.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from decimal import Decimal

import numpy as np
import pandas as pd
from openpyxl.utils.datetime import from_excel

from pipeline.inputs.grant import Grant
from pipeline.inputs.grantparts import texts_of
from pipeline.inputs.schema import (
    ABBREVIATED_NUMBER,
    AMBIGUOUS_DATE,
    AMBIGUOUS_DAY,
    ENUM_SYNONYMS,
    EXPECTED,
    FALSE_WORDS,
    ISO_DATE,
    NUMBER_SPACES,
    RUSSIAN_DATE,
    SLASHED_DATE,
    TRUE_WORDS,
    WORDED_SCORE,
    WRITE_WHOLE_NUMBER,
    Column,
    word_key,
)

_ISO_DATE, _RUSSIAN_DATE, _SLASHED_DATE = (re.compile(shape) for shape in (ISO_DATE, RUSSIAN_DATE, SLASHED_DATE))
_WORDED_SCORE = re.compile(WORDED_SCORE)
_NUMBER_SPACES = re.compile(NUMBER_SPACES)


def cell_texts(series: pd.Series) -> list[str]:
    """Each cell as text without the spaces around it; "" for an empty one."""
    return ["" if value is None or value is pd.NA or value != value else str(value).strip() for value in series.tolist()]


def _parse_number(cells: list[str], index: pd.Index, factors: pd.Series | None = None) -> pd.Series:
    """Numbers, NaN where a cell is not one; `inf`, `NaN` and `1e400` are not. `factors`: what
    each row's number is multiplied by (its header's scale, `units`), in decimal, so that
    20 482,157 thousand is 20 482 157, never …0004."""
    cleaned = pd.Series([_NUMBER_SPACES.sub("", cell).replace(",", ".") or None for cell in cells],
                        index=index, dtype=object)
    numbers = pd.to_numeric(cleaned, errors="coerce")
    numbers = numbers.where(np.isfinite(numbers))
    if factors is None or not (scaled := numbers.notna() & (factors != 1)).any():
        return numbers
    exact = pd.Series([float(Decimal(number) * int(factor))
                       for number, factor in zip(cleaned[scaled], factors[scaled], strict=True)],
                      index=numbers.index[scaled], dtype=float)
    numbers = numbers.astype(float).where(~scaled, exact)
    if numbers.notna().all() and (numbers % 1 == 0).all():  # as the whole numbers written out read
        return numbers.astype("int64")
    return numbers


def _parse_score(cells: list[str], index: pd.Index) -> pd.Series:
    """Scores as digits, or as a form's answer with its words after the digit («5 - отлично»)."""
    return _parse_number([worded[1] if (worded := _WORDED_SCORE.match(cell)) else cell for cell in cells], index)


def _parse_date(cells: list[str], index: pd.Index) -> pd.Series:
    """Days (a time of day after them is dropped), NaT where a cell is not a whole date: ISO,
    Russian, or as Google Forms' CSV writes its timestamp (2024/02/12 2:03:55 PM GMT+5)."""
    days = pd.Series([_written_day(cell) for cell in cells], index=index, dtype=object)
    parsed = pd.to_datetime(days, format="%Y-%m-%d", errors="coerce")
    return parsed.where(parsed.between(pd.Timestamp.min, pd.Timestamp.max)).astype("datetime64[ns]")


@functools.lru_cache(maxsize=4096)
def _written_day(cell: str) -> str | None:
    """The day a cell writes, as year-month-day (pandas then tells a day of the calendar from
    31.02); None for a cell of none of the shapes. Cached: a column repeats its days."""
    if iso := _ISO_DATE.match(cell):
        return iso[1]
    if russian := _RUSSIAN_DATE.match(cell):
        day, month, year = russian[1].split(".")
        return f"{year}-{month}-{day}"
    if slashed := _SLASHED_DATE.match(cell):
        return f"{slashed[1]}-{slashed[2]}-{slashed[3]}"
    return None


def _parse_bool(cells: list[str], index: pd.Index) -> pd.Series:
    return pd.Series([True if v in TRUE_WORDS else False if v in FALSE_WORDS else pd.NA for v in map(word_key, cells)],
                     index=index, dtype="boolean")


def _parse_enum(cells: list[str], index: pd.Index, choices: tuple[str, ...],
                words: Mapping[str, str] | None = None) -> pd.Series:
    """The contract's value for a word of it, in English, Russian or Kazakh (`ENUM_SYNONYMS`),
    or a word of the grant's own (`words`, by `word_key`: its event types)."""
    synonyms = {**ENUM_SYNONYMS, **(words or {})}
    values = (synonyms.get(key, key) for key in map(word_key, cells))
    return pd.Series([value if value in choices else None for value in values], index=index, dtype="str")


def region_words(grant: Grant) -> dict[str, str | None]:
    """Every way a table may name a region of grant.yml, by `word_key`: its id, its name and its
    aliases. An id is always its region's; a name or alias two regions share maps to None (the
    cell must give the id)."""
    ids = {word_key(region.id): region.id for region in grant.regions}
    words: dict[str, str | None] = {}
    for region in grant.regions:
        for word in {word_key(w) for w in (*texts_of(region.name), *region.aliases)}:
            if word not in ids:  # (not `- ids.keys()`: that copies every region's id, for each region)
                words[word] = region.id if words.get(word, region.id) == region.id else None
    return words | ids


def region_ids(cells: list[str], words: dict[str, str | None]) -> tuple[list[str], list[bool]]:
    """Region ids for region names and aliases; a cell no region takes stays as written (the
    checks tell it, against grant.yml's regions). Also which cells are words two regions share."""
    found = [words.get(word_key(cell), "") for cell in cells]
    return [region or cell for cell, region in zip(cells, found, strict=True)], [region is None for region in found]


def cell_expected(column: Column, cell: str, expected: str) -> str:
    """What a message says of one bad cell: its kind's expectation, and for a shape people often
    write but that is never guessed (12 тыс., 12/02/2024), how to write it."""
    if column.kind in ("number", "int") and re.match(ABBREVIATED_NUMBER, cell.casefold()):
        return f"{expected}: {WRITE_WHOLE_NUMBER}"
    if column.kind == "date" and re.match(AMBIGUOUS_DATE, cell):
        return f"{expected}: {AMBIGUOUS_DAY}"
    if column.kind == "date" and (written := _written_day(cell)) is not None and int(written[:4]) not in _YEARS:
        return f"{expected}, of a year from {_YEARS[0]} to {_YEARS[-1]}"
    if column.kind == "date" and (day := excel_serial_day(cell)) is not None:
        return (f"{expected}: {cell} is how Excel stores the day {day.isoformat()} in a cell not formatted as a "
                f"date: format the column as a date in Excel (Формат ячеек → Дата) or write {day.isoformat()}")
    return expected


#: The years a day may have (pandas' `Timestamp`s span 1677-09-21 to 2262-04-11).
_YEARS = range(pd.Timestamp.min.year + 1, pd.Timestamp.max.year)

#: The Excel serial dates plausible for a record's day (1954 to 2119).
_SERIALS = range(20_000, 80_000)


def excel_serial_day(cell: str) -> dt.date | None:
    """The day a whole number in a date cell stands for as an Excel serial date (45762 →
    2025-04-15, openpyxl's reading), when it is a plausible one; else None."""
    text = cell.strip().removesuffix(".0")
    if not text.isdigit() or int(text) not in _SERIALS:
        return None
    day: dt.datetime = from_excel(int(text))
    return day.date()


def coerce_column(cells: list[str], column: Column, factors: pd.Series | None = None,
                  words: Mapping[str, str] | None = None, index: pd.Index | None = None,
                  ) -> tuple[pd.Series, np.ndarray, str]:
    """Typed values (a Series on `index`, by default 0, 1, …), whether each cell is filled but
    not of that kind, and the expectation. `factors`: for a number column, what each row's
    value is multiplied by (its header's scale); `words`: for an enum column, the grant's own
    words of its values."""
    index = pd.RangeIndex(len(cells)) if index is None else index
    if column.kind == "date":
        values = _parse_date(cells, index)
    elif column.kind in ("number", "int"):
        values = _parse_number(cells, index, factors)
    elif column.kind == "score":
        values = _parse_score(cells, index)
    elif column.kind == "bool":
        values = _parse_bool(cells, index)
    elif column.kind == "enum":
        values = _parse_enum(cells, index, column.choices, words)
    else:  # text, and ids of a shape
        shape = column.shape
        unfit = [cell != "" and shape is not None and not shape.fits(cell) for cell in cells]
        return pd.Series(cells, index=index, dtype="str"), np.array(unfit, dtype=bool), shape.expected if shape else ""
    missing = values.isna().to_numpy()
    bad = np.array([cell != "" for cell in cells], dtype=bool) & missing
    if column.kind in ("int", "score"):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            out = (numbers < 0) | (numbers % 1 != 0) if column.kind == "int" else (numbers < 1) | (numbers > 5)
        bad |= ~missing & out
    expected = EXPECTED.get(column.kind) or f"expected one of {', '.join(column.choices)}"
    return values, bad, expected
