"""Reading the inputs folder into typed DataFrames, once per run: each table's files as
text cells (`reading`), then typed by the contract's kinds (`values`: numbers with decimal
commas, dates ISO or Russian), with one problem per bad cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

import numpy as np
import pandas as pd

from pipeline import disk, paths
from pipeline.exceptions import InputError
from pipeline.inputs import filesettings, folder
from pipeline.inputs.bilingual import plan_in
from pipeline.inputs.grant import Grant, InputProblems, load_grant
from pipeline.inputs.headers import EVENT_PARTS, missing_column
from pipeline.inputs.personal import HIDDEN, Shown, pseudonymise
from pipeline.inputs.reading import SOURCE_COLUMNS, Part, read_table_raw, table_files
from pipeline.inputs.schema import REQUIRED_TABLES, TABLES, Column
from pipeline.inputs.sheets import UnreadSheet
from pipeline.inputs.values import cell_expected, cell_texts, coerce_column, region_ids, region_words

if TYPE_CHECKING:
    from pipeline.inputs.datawarning import DataWarning


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

EMPTY_FILE = "empty file: expected a header line naming the columns"
NOT_EMPTY = "expected a value, the cell is empty"
SHARED_REGION_WORD = "expected a region id: more than one region of grant.yml has this name or alias"


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
    typed: dict[str, pd.Series] = {}
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
    # Each row's file and line, as plain lists: a problem names them, and a table may have thousands.
    files, rows = (raw["_file"].tolist(), raw["_row"].tolist()) if len(raw) else ([], [])
    sources = [(str(file), row) for file, row in zip(files, rows, strict=True)]
    for column in (grant_column(table, column, grant) for column in TABLES[table]):
        cells = cell_texts(raw[column.name]) if column.name in raw else [""] * len(raw)
        if column.name == "region" and regions is not None:
            cells, shared = region_ids(cells, regions)
            problems += [InputError(*sources[i], column.name, cells[i], SHARED_REGION_WORD)
                         for i, two_regions in enumerate(shared) if two_regions]
        own_words = grant.event_type_words() if grant is not None and column.name == "type" else None
        values, bad, expected = coerce_column(cells, column, _scale_factors(raw, parts, column.name), own_words, raw.index)
        if column.nonblank and column.name in raw:
            lacking = {part.file for part in parts if column.name not in part.names}
            problems += [InputError(str(file), row, column.name, "", NOT_EMPTY)
                         for cell, file, row in zip(cells, files, rows, strict=True) if cell == "" and file not in lacking]
        problems += [InputError(*sources[i], column.name, shown_value(column, cells[i]),
                                cell_expected(column, cells[i], expected)) for i in np.flatnonzero(bad).tolist()]
        typed[column.name] = values.where(~bad) if column.kind != "text" and bad.any() else values
    for name in SOURCE_COLUMNS:
        typed[name] = raw[name] if name in raw else pd.Series(np.nan, index=raw.index, dtype=object)
    return pd.DataFrame(typed, index=raw.index).reset_index(drop=True), problems


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
