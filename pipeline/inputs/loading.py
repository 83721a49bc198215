"""Reading the inputs folder into typed DataFrames, once per run: each table's files as
text cells (`reading`), then typed by the contract's kinds (numbers with decimal commas,
dates ISO or Russian), with one problem per bad cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

import numpy as np
import pandas as pd
from openpyxl.utils.datetime import from_excel

from pipeline import disk, paths
from pipeline.exceptions import InputError
from pipeline.inputs import filesettings, folder
from pipeline.inputs.bilingual import plan_in
from pipeline.inputs.grant import Grant, InputProblems, load_grant
from pipeline.inputs.grantparts import texts_of
from pipeline.inputs.headers import EVENT_PARTS, missing_column
from pipeline.inputs.personal import HIDDEN, Shown, pseudonymise
from pipeline.inputs.reading import SOURCE_COLUMNS, Part, read_table_raw, table_files
from pipeline.inputs.schema import (
    ABBREVIATED_NUMBER,
    AMBIGUOUS_DATE,
    AMBIGUOUS_DAY,
    ENUM_SYNONYMS,
    EXPECTED,
    FALSE_WORDS,
    ISO_DATE,
    NUMBER_SPACES,
    REQUIRED_TABLES,
    RUSSIAN_DATE,
    SLASHED_DATE,
    TABLES,
    TRUE_WORDS,
    WORDED_SCORE,
    WRITE_WHOLE_NUMBER,
    Column,
    word_key,
)
from pipeline.inputs.sheets import UnreadSheet

if TYPE_CHECKING:
    from pipeline.inputs.notes import DataWarning


@dataclass
class Inputs:
    """The whole inputs folder, read and typed."""

    root: Path
    grant: Grant
    tables: dict[str, pd.DataFrame]
    files: list[Path] = field(default_factory=list)
    #: The key of every file of the folder, by relative path, as it was read (`folder.hashes`:
    #: SHA-256 of the files read, size and time of the others).
    hashes: dict[str, str] = field(default_factory=dict)
    #: Each table's files as read (`reading.Part`): what they gave and what they left out.
    parts: dict[str, list[Part]] = field(default_factory=dict)
    #: Each table's workbook sheets not read (`sheets.UnreadSheet`): empty, or of no table.
    unread: dict[str, list[UnreadSheet]] = field(default_factory=dict)
    #: What looked like personal data (ids, file names) and the pseudonyms the tables hold instead.
    shown: Shown = field(default_factory=Shown)
    #: The warnings of the records left out of the tables (`orphans.left_out`: a form whose
    #: consultation or event is not there), told as data notes.
    left_out: list[DataWarning] = field(default_factory=list)
    #: The notes about files and the whole folder once made (`notes.folder_warnings`): the same
    #: in every report, so made once and carried with the inputs to every report's kernel.
    folder_notes: list[DataWarning] | None = field(default=None, repr=False, compare=False)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]


# ---------------------------------------------------------------- typing

def _strip(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip()


def _parse_number(text: pd.Series, factors: pd.Series | None = None) -> pd.Series:
    """Numbers, NaN where a cell is not one; `inf`, `NaN` and `1e400` are not. `factors`: what
    each row's number is multiplied by (its header's scale, `units`), in decimal, so that
    20 482,157 thousand is 20 482 157, never …0004."""
    cleaned = text.str.replace(NUMBER_SPACES, "", regex=True).str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce")
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


def _parse_score(text: pd.Series) -> pd.Series:
    """Scores as digits, or as a form's answer with its words after the digit («5 - отлично»)."""
    worded = text.str.extract(WORDED_SCORE, expand=False)
    return _parse_number(worded.fillna(text))


def _parse_date(text: pd.Series) -> pd.Series:
    """Days (a time of day after them is dropped), NaT where a cell is not a whole date: ISO,
    Russian, or as Google Forms' CSV writes its timestamp (2024/02/12 2:03:55 PM GMT+5)."""
    iso = pd.to_datetime(text.str.extract(ISO_DATE, expand=False), format="%Y-%m-%d", errors="coerce")
    russian = pd.to_datetime(text.str.extract(RUSSIAN_DATE, expand=False), format="%d.%m.%Y", errors="coerce")
    parts = text.str.extract(SLASHED_DATE)
    slashed = pd.to_datetime(parts[0] + "-" + parts[1] + "-" + parts[2], format="%Y-%m-%d", errors="coerce")
    return iso.fillna(russian).fillna(slashed).astype("datetime64[ns]")


def _parse_bool(text: pd.Series) -> pd.Series:
    words = text.map(word_key)
    return pd.Series(
        [True if v in TRUE_WORDS else False if v in FALSE_WORDS else pd.NA for v in words],
        index=text.index, dtype="boolean")


def _parse_enum(text: pd.Series, choices: tuple[str, ...], words: Mapping[str, str] | None = None) -> pd.Series:
    """The contract's value for a word of it, in English, Russian or Kazakh (`ENUM_SYNONYMS`),
    or a word of the grant's own (`words`, by `word_key`: its event types)."""
    synonyms = {**ENUM_SYNONYMS, **(words or {})}
    mapped = text.map(word_key).map(lambda v: synonyms.get(v, v))
    return mapped.where(mapped.isin(choices))


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


def _region_ids(text: pd.Series, words: dict[str, str | None]) -> tuple[pd.Series, pd.Series]:
    """Region ids for region names and aliases; a cell no region takes stays as written (the
    checks tell it, against grant.yml's regions). Also a mask of the words two regions share."""
    keys = text.map(word_key)
    found = keys.map(lambda k: words.get(k, ""))
    shared = found.isna()
    return text.where(found.isna() | (found == ""), found), shared


def _cell_expected(column: Column, cell: str, expected: str) -> str:
    """What a message says of one bad cell: its kind's expectation, and for a shape people often
    write but that is never guessed (12 тыс., 12/02/2024), how to write it."""
    if column.kind in ("number", "int") and re.match(ABBREVIATED_NUMBER, cell.casefold()):
        return f"{expected}: {WRITE_WHOLE_NUMBER}"
    if column.kind == "date" and re.match(AMBIGUOUS_DATE, cell):
        return f"{expected}: {AMBIGUOUS_DAY}"
    if column.kind == "date" and (day := excel_serial_day(cell)) is not None:
        return (f"{expected}: {cell} is how Excel stores the day {day.isoformat()} in a cell not formatted as a "
                f"date: format the column as a date in Excel (Формат ячеек → Дата) or write {day.isoformat()}")
    return expected


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


EMPTY_FILE = "empty file: expected a header line naming the columns"
NOT_EMPTY = "expected a value, the cell is empty"
SHARED_REGION_WORD = "expected a region id: more than one region of grant.yml has this name or alias"


def coerce_column(text: pd.Series, column: Column, factors: pd.Series | None = None,
                  words: Mapping[str, str] | None = None) -> tuple[pd.Series, pd.Series, str]:
    """Typed values, a mask of cells that are filled but not of that kind, and the expectation.
    `factors`: for a number column, what each row's value is multiplied by (its header's scale);
    `words`: for an enum column, the grant's own words of its values."""
    if column.kind == "date":
        values = _parse_date(text)
    elif column.kind in ("number", "int"):
        values = _parse_number(text, factors)
    elif column.kind == "score":
        values = _parse_score(text)
    elif column.kind == "bool":
        values = _parse_bool(text)
    elif column.kind == "enum":
        values = _parse_enum(text, column.choices, words)
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


def _scale_factors(raw: pd.DataFrame, parts: list[Part], column: str) -> pd.Series | None:
    """What each row's value of `column` is multiplied by: the scale its file's header names
    (`Part.scaled`), 1 in the other files; None when no file names one."""
    factors = {part.file: scaled.factor for part in parts for scaled in part.scaled if scaled.column == column}
    return raw["_file"].map(factors).fillna(1) if factors else None


def grant_column(table: str, column: Column, grant: Grant | None) -> Column:
    """A column as the grant has it: the events' `type` takes the grant's own types too."""
    if grant is None or table != "events" or column.name != "type" or not grant.event_types:
        return column
    return replace(column, choices=grant.event_type_ids())


def type_table(table: str, raw: pd.DataFrame, regions: dict[str, str | None] | None = None,
               grant: Grant | None = None) -> tuple[pd.DataFrame, list[InputError]]:
    """The contract's columns of one table, typed; problems for every cell that is not.
    `regions` (`region_words`): the region column's names and aliases become ids; `grant`: the
    event types of its own are types too (`grant_column`)."""
    problems: list[InputError] = []
    typed = pd.DataFrame(index=raw.index)
    parts = raw.attrs.get("parts", [])
    raw = raw.copy(deep=False)
    raw.attrs = {}  # else pandas deep-copies the parts into every column and mask made below (a fifth of validating)
    for part in parts:
        if not part.header_line:
            problems.append(InputError(part.file, expected=EMPTY_FILE))
            continue
        for column in TABLES[table]:
            if column.required and column.name not in part.names:
                problems.append(InputError(part.file, part.header_line, expected=missing_column(table, column.name)))
    for column in (grant_column(table, column, grant) for column in TABLES[table]):
        text = _strip(raw[column.name]) if column.name in raw else pd.Series("", index=raw.index)
        if column.name == "region" and regions is not None:
            text, shared = _region_ids(text, regions)
            for i in raw.index[shared]:
                problems.append(InputError(*source(raw, i), column.name, text[i], SHARED_REGION_WORD))
        own_words = grant.event_type_words() if grant is not None and column.name == "type" else None
        values, bad, expected = coerce_column(text, column, _scale_factors(raw, parts, column.name), own_words)
        if column.nonblank:
            blank = text == ""
            lacking = [part.file for part in parts if column.name not in part.names]
            for i in raw.index[blank & (column.name in raw) & ~raw["_file"].isin(lacking)]:
                problems.append(InputError(*source(raw, i), column.name, "", NOT_EMPTY))
        for i in raw.index[bad]:
            problems.append(InputError(*source(raw, i), column.name, shown_value(column, text[i]),
                                       _cell_expected(column, text[i], expected)))
        typed[column.name] = values.where(~bad) if column.kind != "text" else values
    for name in SOURCE_COLUMNS:
        typed[name] = raw[name] if name in raw else pd.Series(dtype=object)
    return typed.reset_index(drop=True), problems


# ---------------------------------------------------------------- the whole folder

@dataclass
class Reading:
    """What reading an inputs folder gave, whatever its problems: grant.yml when it could be
    read, every table whose files could be read (typed, bad cells blank), and every problem,
    so that one `validate` tells them all."""

    root: Path
    grant: Grant | None
    tables: dict[str, pd.DataFrame]
    #: Each table's files as read (`reading.Part`): the summary of `validate`.
    parts: dict[str, list[Part]]
    files: list[Path]
    hashes: dict[str, str]
    problems: list[InputError]
    #: Tables a file of which could not be read, and required tables not found (both told as a
    #: problem): nothing is checked against their ids.
    unreadable: set[str] = field(default_factory=set)
    #: Each table's workbook sheets not read (`sheets.UnreadSheet`): empty, or of no table.
    unread: dict[str, list[UnreadSheet]] = field(default_factory=dict)
    #: What looked like personal data (ids, file names) and the pseudonyms the tables hold instead.
    shown: Shown = field(default_factory=Shown)


def read_inputs(root: Path | str) -> Reading:
    """Read grant.yml and every table, collecting every problem instead of stopping at the
    first: a broken grant.yml leaves the tables read (without region names: their regions are
    checked once grant.yml reads)."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(str(root), expected="inputs folder not found")
    hashes = folder.hashes(root)
    problems: list[InputError] = []
    grant: Grant | None = None
    try:
        grant = load_grant(root)
    except InputProblems as error:
        problems += error.problems
    except InputError as error:
        problems.append(error)
    regions = region_words(grant) if grant is not None else None
    settings = filesettings.for_grant(root, grant) if grant is not None else filesettings.NONE
    problems += settings.problems
    reading = Reading(root, grant, {}, {}, [root / paths.GRANT_FILE], hashes, problems)
    for table in TABLES:
        try:
            raw, parts = read_table_raw(root, table, grant, settings)
        except (InputError, InputProblems) as error:  # unreadable parts: report each, go on with the other tables
            problems += error.problems if isinstance(error, InputProblems) else [error]
            reading.unreadable.add(table)
            reading.files += table_files(root, table, settings)
            continue
        reading.files += parts
        reading.parts[table] = list(raw.attrs.get("parts", []))
        reading.unread[table] = list(raw.attrs.get("unread", []))
        if not parts and table in REQUIRED_TABLES:
            problems.append(InputError(f"{table}.csv", expected=f"table «{table}» not found (.csv, .xlsx or folder)"))
            reading.unreadable.add(table)
        if table in EVENT_PARTS and "events" in reading.tables and "events" not in reading.unreadable:
            raw = filesettings.named_events(raw, set(reading.tables["events"]["event_id"].dropna().astype(str)) - {""})
            reading.parts[table] = list(raw.attrs.get("parts", []))
        reading.tables[table], found = type_table(table, raw, regions, grant)
        problems += found
    narratives = root / paths.NARRATIVES_DIR
    if narratives.is_dir():
        reading.files += sorted(p for p in narratives.rglob("*.md") if p.is_file() and disk.leads_inside(root, p))
    # Ids and file names that look like personal data leave the reading as pseudonyms only.
    relative = [*hashes, *(Path(f).relative_to(root).as_posix() for f in reading.files)]
    unread = [sheet.name for sheets in reading.unread.values() for sheet in sheets]
    done = pseudonymise(reading.tables, reading.parts, reading.problems, relative, unread)
    reading.tables, reading.parts, reading.problems, reading.shown = done.tables, done.parts, done.problems, done.shown
    reading.unread = {table: [sheet.shown(done.shown.path(sheet.name)) for sheet in sheets]
                      for table, sheets in reading.unread.items()}
    return reading


def inputs_of(reading: Reading) -> Inputs:
    """The Inputs of a folder read without a problem, as long as no file changed while it was read."""
    assert reading.grant is not None and not reading.problems
    # The hashes stand for what was read (a report's cache key is made of them) only if
    # nothing changed while reading.
    changed = sorted(set(reading.hashes.items()) ^ set(folder.hashes(reading.root).items()))
    if changed:
        raise InputError(reading.shown.path(changed[0][0]), expected="a file that does not change while it is read "
                         "(it was saved during the run): run again")
    # the grant's texts are in its reports' language (`Grant.in_language`, when it is read), and so is its plan
    return Inputs(root=reading.root, grant=reading.grant, tables=_plan_in(reading.tables, reading.grant.language),
                  files=reading.files, hashes=reading.hashes, parts=reading.parts, unread=reading.unread,
                  shown=reading.shown)


InputsT = TypeVar("InputsT", bound=Inputs)


def in_language(inputs: InputsT, language: str | None) -> InputsT:
    """The inputs with their grant's reports in `language` (`run --language`, one run's
    choice over grant.yml's `language:`); as they are when None. Read, they are in grant.yml's
    language (`inputs_of`); the grantee's texts given in both languages (grant.yml's `{ru: …,
    kk: …}`, the plan's `_kk` columns: `bilingual`) are put in `language`. The kernels see them
    so (`sharing`), and the reports' keys say it (`fingerprints.slice_key`)."""
    if language is None or language == inputs.grant.language:
        return inputs
    return replace(inputs, grant=inputs.grant.in_language(language), tables=_plan_in(inputs.tables, language))


def _plan_in(tables: dict[str, pd.DataFrame], language: str) -> dict[str, pd.DataFrame]:
    plan = tables.get("plan")
    return tables if plan is None else {**tables, "plan": plan_in(plan, language)}


def load_inputs(root: Path | str) -> Inputs:
    """Read grant.yml, then every table; raise InputProblems listing every problem (grant.yml's
    one problem alone as its InputError)."""
    reading = read_inputs(root)
    if reading.grant is None and len(reading.problems) == 1:
        raise reading.problems[0]
    if reading.problems:
        raise InputProblems(reading.problems)
    return inputs_of(reading)
