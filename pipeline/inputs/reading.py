"""Reading one table's files into text cells, with bounded work: the raw step of loading.

Every table may be NAME.csv, NAME.xlsx or a folder NAME/ of such files (concatenated); each
sheet of a workbook holding the table is a part of it, as each file of a folder is, named
`file › sheet` (`SHEET_MARK`) when the workbook has more than one sheet.
CSV may be UTF-8 (with or without BOM), UTF-16 (with its BOM: Excel's «Unicode text») or
cp1251, comma-, semicolon- or tab-separated (`tablefiles`). A file's header row is found among its first
non-blank rows (title rows above it are skipped) and matched to the contract's columns
(`headers`); only those columns are read, the other headers are listed as ignored. Blank rows
are skipped; totals rows («Итого») and signature lines under the table are skipped and listed. Each row keeps `_file` and `_row`
(the line or row the user sees in that file or sheet) so that every problem can be pointed at.
Every file and sheet is read with bounded work (the limits below): one beyond a limit is one
line naming it. A bad file or sheet does not hide the others': each is a line (`InputProblems`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

from pipeline.disk import leads_inside
from pipeline.exceptions import InputError
from pipeline.inputs.filesettings import Applied, FileSettings, of_folder
from pipeline.inputs.folder import TABLE_SUFFIXES, is_table_file
from pipeline.inputs.grant import InputProblems
from pipeline.inputs.headers import (
    EVENT_PARTS,
    ROW_IDS,
    Header,
    Vocabulary,
    is_column_numbers,
    is_signature,
    is_totals,
    match_header,
    vocabulary,
)
from pipeline.inputs.schema import TABLES
from pipeline.inputs.sheets import (
    SHEET_MARK,
    Row,
    Sheet,
    UnreadSheet,
    blank,
    raise_all,
    sheet_name,
)
from pipeline.inputs.tablefiles import read_csv_rows, read_xlsx_sheets
from pipeline.inputs.units import Scaled, column_scales

if TYPE_CHECKING:
    from pipeline.inputs.grant import Grant

SOURCE_COLUMNS = ["_file", "_row"]


@dataclass(frozen=True)
class Part:
    """What one file of a table gave: for the problems that name it and `validate`'s summary.
    A table's frame lists its parts in `attrs["parts"]`."""

    file: str  # as the user sees it: relative to the inputs folder
    names: tuple[str, ...]  # the contract columns the file gives, in its order, then those in `made`
    rows: int = 0  # rows read (not blank, not totals, not signatures)
    header_line: int = 1  # the line (CSV) or row (xlsx) of the header; 0: an empty file, no header
    ignored: tuple[str, ...] = ()  # headers no contract column takes, as written: their values never read
    totals: tuple[int, ...] = ()  # lines of the totals rows («Итого») skipped
    signatures: tuple[int, ...] = ()  # lines of the signature lines under the table skipped
    made: tuple[str, ...] = ()  # columns the file lacks that the reading made: event_id from its name,
    #                             respondent_id from file and row
    scaled: tuple[Scaled, ...] = ()  # number columns whose header names a scale («Сумма (тыс. тенге)»)
    sheet: str = ""  # the sheet's title, when the part is one sheet of a workbook of several
    hidden: bool = False  # a hidden sheet (read like the others)
    event_from: str = ""  # where a made event_id was taken from: "the file's name", "the sheet's title"
    named_event: str = ""  # the event id found as a word of the part's name («Анкета … T01 (Ответы)»)
    spilled: tuple[int, ...] = ()  # lines with a filled cell beyond the header's columns: never quoted
    setting: str = ""  # the glob of grant.yml `files:` that matched the file
    constants: tuple[tuple[str, str], ...] = ()  # that entry's columns: (column, value as written)
    moved: bool = False  # that entry's `table:` gave the file its table

    @property
    def path(self) -> str:
        """The file the part is, or whose sheet it is, as the user sees it."""
        return self.file[:-len(SHEET_MARK + self.sheet)] if self.sheet else self.file

def table_files(root: Path, table: str, settings: FileSettings | None = None) -> list[Path]:
    """The files that make up one table: NAME.csv, NAME.xlsx or the parts in NAME/, but those
    grant.yml's `files:` gives another table, and the files it gives this one (`settings`; by
    default the folder's own grant.yml's); never through a link leading outside the inputs
    folder (`disk.LINK_OUT`: a warning names it)."""
    settings = of_folder(root) if settings is None else settings
    candidates = [root / f"{table}{suffix}" for suffix in TABLE_SUFFIXES]
    found = [p for p in candidates if p.is_file() and leads_inside(root, p)]
    folder = root / table
    if folder.is_dir() and leads_inside(root, folder):
        found += sorted(p for p in folder.iterdir()  # named as `folder.is_table_file` says, the one rule
                        if is_table_file(f"{table}/{p.name}") and p.is_file() and leads_inside(root, p))
    taken = settings.taken_from(table)
    return [p for p in found if p.relative_to(root).as_posix() not in taken] + [root / f for f in settings.files_of(table)]


class EventName(NamedTuple):
    """The event id a part without an `event_id` column takes, and what it is taken from."""

    value: str
    source: str  # as a problem with it says: "the file's name", "the sheet's title"


def _made_columns(table: str, given: Sequence[str], event: EventName | None) -> tuple[str, ...]:
    """The columns a part lacks that its name and rows give: the event id of a part named by
    its event (`training_surveys/T001.csv`, a sheet `T001`), a respondent's id from file and row."""
    names = [column.name for column in TABLES[table]]
    made = [name for name in ROW_IDS if name in names and name not in given]
    if event is not None and table in EVENT_PARTS and "event_id" not in given:
        made.insert(0, "event_id")
    return tuple(made)


def _records(body: list[Row], header: Header) -> tuple[list[Row], list[int], list[int]]:
    """The records of a table's body (its non-blank rows), the lines of its totals rows (wherever
    they are) and of its signature lines: the rows after its last record that look like one
    (`is_signature`, a column of signatures not looked at). A row that looks like a signature
    line above a record is a record; a row with values only in a numbering or signature
    column is a template row left empty, skipped."""
    kept: list[tuple[Row, bool]] = []  # each row that is no totals row, and whether it looks like a signature line
    totals = []
    own = header.forms_own
    for line, cells in body:
        if is_totals(cells):
            totals.append(line)
        elif is_signature(cells, header.signatures):
            kept.append(((line, cells), True))
        elif not blank([c for at, c in enumerate(cells) if at not in own]):
            kept.append(((line, cells), False))
    end = max((i + 1 for i, (_, signing) in enumerate(kept) if not signing), default=0)
    records = [row for row, _ in kept[:end] if not blank([c for at, c in enumerate(row[1]) if at not in own])]
    return records, totals, [line for (line, _), _ in kept[end:]]


def read_part(sheet: Sheet, display: str, table: str, words: Vocabulary, event: EventName | None,
              applied: Applied | None = None) -> pd.DataFrame:
    """One part of a table (a file, or a sheet of a workbook): the contract columns its header
    names (and those `_made_columns` gives, and the columns grant.yml's `files:` gives it,
    `applied`: a column the part lacks takes the value, a blank cell of one it has too), one
    row per row that is a record (not blank, a totals row or a signature line); its Part in
    `attrs["part"]`."""
    if not sheet.header:  # an empty file: type_table says so
        frame = pd.DataFrame(columns=SOURCE_COLUMNS)
        frame.attrs["part"] = _with_setting(Part(display, (), header_line=0), applied)
        return frame
    header = match_header(sheet.header, words, display, sheet.header_line)
    scaled = column_scales(table, sheet.header, header.positions, words.currency, display, sheet.header_line)
    constants = dict(applied.columns) if applied else {}
    made = _made_columns(table, list(header.positions), None if "event_id" in constants else event)
    made = (*(name for name in made if name not in constants),
            *(name for name in constants if name not in header.positions))
    body = sheet.body[1:] if sheet.body[:1] and is_column_numbers(sheet.body[0][1], sheet.header) else sheet.body
    rows, totals, signatures = _records(body, header)
    stem, records = event.value if event else "", []
    for line, cells in rows:
        record = {column: cells[at] if at < len(cells) else "" for column, at in header.positions.items()}
        given = {"event_id": stem, "respondent_id": f"{display}:{line}", **constants}
        record |= {name: given[name] for name in made}
        record |= {name: value for name, value in constants.items() if not str(record[name] or "").strip()}
        records.append({**record, "_file": display, "_row": line})
    names = (*header.positions, *made)
    frame = pd.DataFrame.from_records(records, columns=[*names, *SOURCE_COLUMNS])
    frame.attrs["part"] = _with_setting(Part(
        display, names, rows=len(records), header_line=sheet.header_line, ignored=header.ignored,
        totals=tuple(totals), signatures=tuple(signatures), made=made, scaled=scaled, sheet=sheet.title,
        hidden=sheet.hidden, event_from=event.source if event and "event_id" in made and "event_id" not in constants
        else "", spilled=sheet.spilled), applied)
    return frame


def _with_setting(part: Part, applied: Applied | None) -> Part:
    """A part with what grant.yml's `files:` gave its file (`Applied`), for the summary and messages."""
    if applied is None:
        return part
    return replace(part, setting=applied.glob, constants=applied.columns, moved=applied.moved)


def read_file(path: Path, display: str, table: str, words: Vocabulary,
              in_folder: bool, applied: Applied | None = None) -> tuple[list[pd.DataFrame], list[UnreadSheet]]:
    """The parts of one file of a table: the file, or each sheet of a workbook that holds the
    table (`read_xlsx_sheets`); and the sheets left unread. A part without an `event_id` column
    takes it from the sheet's title when the workbook has more than one sheet of the table,
    else, in a folder, from the file's name. Every bad sheet is told (`raise_all`)."""
    named = EventName(Path(display).stem, "the file's name") if in_folder or (applied and applied.moved) else None
    if path.suffix.lower() != ".xlsx":
        return [read_part(read_csv_rows(path, display, words), display, table, words, named, applied)], []
    book = read_xlsx_sheets(path, display, words)
    several = len(book.sheets) + len(book.problems) > 1
    frames, problems = [], list(book.problems)
    for sheet in book.sheets:
        event = EventName(sheet.title, "the sheet's title") if several else named
        try:
            frames.append(read_part(sheet, sheet_name(display, sheet.title), table, words, event, applied))
        except InputError as error:
            problems.append(error)
    if problems:
        raise_all(problems)
    return frames, book.unread


def read_table_raw(root: Path, table: str, grant: Grant | None = None,
                   settings: FileSettings | None = None) -> tuple[pd.DataFrame, list[Path]]:
    """All parts of one table as text cells of its contract columns, with _file and _row; the
    header names of grant.yml (`columns:`, `questionnaires:`) count beside the contract's, and
    its `files:` (`settings`) give files their table and the columns they lack. Every part is
    read, so that every bad one is told (`raise_all`); the sheets left unread are in
    `attrs["unread"]`."""
    settings = settings if settings is not None else of_folder(root)
    files = table_files(root, table, settings)
    words = vocabulary(table, grant.header_columns(table) if grant else None,
                       grant.form_questions(table) if grant else None, grant.currency if grant else None)
    frames: list[pd.DataFrame] = []
    unread: list[UnreadSheet] = []
    problems: list[InputError] = []
    for path in files:
        try:
            relative = path.relative_to(root).as_posix()
            found, skipped = read_file(path, relative, table, words, path.parent != root, settings.by_file.get(relative))
        except InputError as error:
            problems.append(error)
            continue
        except InputProblems as error:
            problems += error.problems
            continue
        frames += found
        unread += skipped
    if problems:
        raise_all(problems)
    if not frames:
        return pd.DataFrame(columns=SOURCE_COLUMNS), files
    raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    raw.attrs["parts"] = [f.attrs["part"] for f in frames]
    raw.attrs["unread"] = unread
    return raw, files
