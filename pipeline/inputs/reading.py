"""Reading one table's files into text cells, with bounded work: the raw step of loading.

Every table may be NAME.csv, NAME.xlsx or a folder NAME/ of such parts (concatenated).
CSV may be UTF-8 (with or without BOM), UTF-16 (with its BOM: Excel's «Unicode text») or
cp1251, comma-, semicolon- or tab-separated. A file's header row is found among its first
non-blank rows (title rows above it are skipped) and matched to the contract's columns
(`headers`); only those columns are read, the other headers are listed as ignored. Blank rows
are skipped; totals rows («Итого») and signature lines under the table are skipped and listed. Each row keeps `_file` and `_row`
(the line or row the user sees in that file) so that every problem can be pointed at. Every
file is read with bounded work (the limits below): a file beyond one is one line naming it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING
from xml.parsers import expat

import openpyxl
import pandas as pd

from pipeline.disk import leads_inside
from pipeline.exceptions import InputError
from pipeline.inputs.folder import MAX_FILE_BYTES
from pipeline.inputs.headers import (
    EVENT_PARTS,
    HEADER_SEARCH_ROWS,
    ROW_IDS,
    Vocabulary,
    find_header,
    header_score,
    is_column_numbers,
    is_signature,
    is_totals,
    match_header,
    vocabulary,
)
from pipeline.inputs.schema import TABLES

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

# Every file is read with bounded work, whatever it declares: a table file beyond these limits
# is one line naming it and the limit (docs/untrusted-inputs.md).

# A CSV file as stored, and an .xlsx unpacked (its XML parts), at most MAX_FILE_BYTES bytes
# (declared in `folder`, which hashes no file beyond it either).
#: Columns of a table file's header line.
MAX_COLUMNS = 200
#: Cells of a table file: its rows (to the last one used) × its header's columns; and the
#: cells an .xlsx sheet stores, wherever they are.
MAX_CELLS = 1_000_000
#: Characters in one CSV field: Excel's own limit for a cell, so whatever Excel writes fits.
MAX_FIELD_CHARS = 32_767

SPLIT = "split it into parts in a folder named after the table"


def _count(n: int) -> str:
    """1 000 000, as the messages write numbers."""
    return f"{n:,}".replace(",", " ")


def _too_big(display: str, size: int, what: str) -> InputError:
    return InputError(display, expected=f"{what} {size / 2 ** 20:.1f} MB: a table file may be at most "
                      f"{MAX_FILE_BYTES // 2 ** 20} MB ({SPLIT})")


def _too_many_columns(display: str, line: int, columns: int) -> InputError:
    return InputError(display, line, expected=f"{_count(columns)} columns in the header line: "
                      f"a table file may have at most {MAX_COLUMNS}")


def _too_many_cells(display: str, row: int | None) -> InputError:
    return InputError(display, row, expected=f"more than {_count(MAX_CELLS)} cells (rows × columns): "
                      f"a table file may hold at most {_count(MAX_CELLS)} ({SPLIT})")


def _header_width(cells: Sequence[object]) -> int:
    """The header's columns: up to its last named one."""
    return next((i + 1 for i in range(len(cells) - 1, -1, -1) if str(cells[i] or "").strip()), 0)


#: Byte-order marks, longest first (UTF-32's starts as UTF-16's does): Excel's «Unicode text»
#: export is UTF-16 with its mark, tab-separated.
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
SAVE_AS = "save it as «CSV UTF-8»"
SEPARATORS = (";", ",", "\t")


def _decode(data: bytes, display: str) -> str:
    """The text of a CSV file: by its byte-order mark if it has one, else UTF-8, else cp1251."""
    bom = next(((mark, codec) for mark, codec in _BOMS if data.startswith(mark)), None)
    tried = [f"{bom[1].upper()} (its byte-order mark)"] if bom else ["UTF-8", "cp1251"]
    try:
        if bom:
            text = data[len(bom[0]):].decode(bom[1])
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise InputError(display, expected=f"cannot be read as text in {' or '.join(tried)} ({SAVE_AS})") from None
    if "\0" in text:  # UTF-16 without its mark, or not text at all
        raise InputError(display, expected=f"cannot be read as text in {' or '.join(tried)}: it holds NUL "
                         f"characters (UTF-16 without a byte-order mark, or not a CSV file: {SAVE_AS})")
    return text


def _separator(text: str, words: Vocabulary) -> str:
    """The separator under which a header row among the first non-blank lines names the most
    columns; on a tie, the one the first line holds most of, then any of those lines, `;` first."""
    first = list(islice((line for line in io.StringIO(text, newline="") if line.strip()), HEADER_SEARCH_ROWS))

    def names(separator: str) -> int:
        try:
            return max((header_score(cells, words) for cells in csv.reader(first, delimiter=separator)), default=0)
        except csv.Error:  # a field beyond the limit: the whole reading says so
            return 0

    return max(SEPARATORS, key=lambda separator: (names(separator), (first or [""])[0].count(separator),
                                                   max((line.count(separator) for line in first), default=0)))


def _read_bounded(path: Path, display: str) -> bytes:
    with path.open("rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(display, path.stat().st_size, "a file of")
    return data


#: Rows as read: (line or row number as the user sees it, cells as text).
Lines = Generator[tuple[int, list[str]], None, None]
Row = tuple[int, list[str]]


@dataclass(frozen=True)
class Sheet:
    """A table file read: its header row, where it is, and the non-blank rows below it."""

    header_line: int  # 0 when the file has no non-blank row
    header: list[str]
    body: list[Row]


def _blank(cells: Sequence[object]) -> bool:
    return not any(str(cell or "").strip() for cell in cells)


def _first_rows(lines: Lines, display: str) -> list[Row]:
    """The first HEADER_SEARCH_ROWS non-blank rows, where the header is looked for; the rows
    read on the way (each at least one cell) count against MAX_CELLS."""
    head: list[Row] = []
    read = 0
    for line, cells in lines:
        read += max(len(cells), 1)
        if read > MAX_CELLS:
            raise _too_many_cells(display, line)
        if not _blank(cells):
            head.append((line, cells))
            if len(head) == HEADER_SEARCH_ROWS:
                break
    return head


def _split(head: list[Row], rest: Callable[[int, int], Lines], display: str, words: Vocabulary) -> Sheet:
    """The header among the first rows, and the rows below it: the rest of the first rows, then
    `rest(next line, header width)`, each cut to the header's width, within the limits."""
    if not head:
        return Sheet(0, [], [])
    index = find_header(head, words, display)
    line, header = head[index]
    width = _header_width(header)
    if width > MAX_COLUMNS:
        raise _too_many_columns(display, line, width)
    body = [(n, cells[:width]) for n, cells in head[index + 1:]]
    if len(head) == HEADER_SEARCH_ROWS:  # else the file ended among its first rows
        for n, cells in rest(head[-1][0] + 1, width):
            if n * max(width, 1) > MAX_CELLS:
                raise _too_many_cells(display, n)
            if not _blank(cells):
                body.append((n, cells[:width]))
    return Sheet(line, header[:width], body)


def _csv_lines(path: Path, display: str, words: Vocabulary) -> Lines:
    """Every line of a CSV as Excel exports it, numbered as the user sees them."""
    text = _decode(_read_bounded(path, display), display)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text, words))
    line = 0
    previous = csv.field_size_limit(MAX_FIELD_CHARS)  # a setting of the whole csv module, for this reading
    try:
        for cells in reader:
            line += 1
            yield line, cells
    except csv.Error as error:
        expected = (f"a field of more than {_count(MAX_FIELD_CHARS)} characters, Excel's limit for a cell (a quote "
                    "left open runs on to the end of the file)" if "field limit" in str(error)
                    else f"not a readable CSV line ({error})")
        raise InputError(display, line + 1, expected=expected) from None
    finally:
        csv.field_size_limit(previous)


def read_csv_rows(path: Path, display: str, words: Vocabulary) -> Sheet:
    """A CSV's header row (`headers.find_header` among its first non-blank lines) and the lines below it."""
    with closing(_csv_lines(path, display, words)) as lines:
        return _split(_first_rows(lines, display), lambda _line, _width: lines, display, words)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_unpacked(path: Path, display: str) -> None:
    """An .xlsx is a zip of XML parts, which openpyxl unpacks: their declared sizes (which
    bound what unpacking gives) may add up to MAX_FILE_BYTES."""
    with zipfile.ZipFile(path) as archive:
        size = sum(info.file_size for info in archive.infolist() if info.filename.endswith((".xml", ".rels")))
    if size > MAX_FILE_BYTES:
        raise _too_big(display, size, "a workbook unpacking to")


def _check_stored_cells(source: IO[bytes], display: str) -> None:
    """The cells a sheet's XML stores, counted in one streaming pass before openpyxl reads it:
    openpyxl builds each row whole, so a row of millions of cells would be built in memory."""
    parser = expat.ParserCreate()
    cells = 0

    def start(name: str, _attributes: object) -> None:
        nonlocal cells
        if name == "c" or name.endswith(":c"):
            cells += 1
            if cells > MAX_CELLS:
                raise _too_many_cells(display, None)  # out of the parser, as is

    def doctype(*_args: object) -> None:
        raise InputError(display, expected="not a readable .xlsx workbook (a sheet with a DTD)")

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    while chunk := source.read(1 << 16):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _sheet_rows(sheet: object, min_row: int = 1, max_col: int | None = None) -> Lines:
    """A read-only sheet's rows from `min_row`, as text, numbered as Excel shows them; each row
    as wide as its last stored cell, or `max_col`."""
    rows = sheet.iter_rows(min_row=min_row, max_col=max_col, values_only=True)  # type: ignore[attr-defined]
    with closing(rows):
        for number, values in enumerate(rows, start=min_row):
            yield number, [_cell_text(v) for v in values]


def read_xlsx_rows(path: Path, display: str, words: Vocabulary) -> Sheet:
    """The header row (`headers.find_header` among the first non-blank rows) and the rows with a value
    below it, of the first sheet of a workbook, read by the cells it holds, never by the size
    it declares (a sheet declaring `A1:XFD1048576` would otherwise be padded to 16 384 cells a row)."""
    workbook = None
    try:
        _check_unpacked(path, display)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        with sheet._get_source() as source:  # openpyxl's own reading of the sheet's XML part
            _check_stored_cells(source, display)
        sheet.reset_dimensions()
        with closing(_sheet_rows(sheet)) as first:
            head = _first_rows(first, display)
        return _split(head, lambda line, width: _sheet_rows(sheet, line, width), display, words)
    except InputError:
        raise
    except Exception as error:  # openpyxl, zipfile and expat raise many kinds for a broken file
        raise InputError(display, expected=f"not a readable .xlsx workbook ({type(error).__name__})") from None
    finally:
        if workbook is not None:
            workbook.close()


def table_files(root: Path, table: str) -> list[Path]:
    """The files that make up one table: NAME.csv, NAME.xlsx or the parts in NAME/; never through
    a link leading outside the inputs folder (`disk.LINK_OUT`: a warning names it)."""
    candidates = [root / f"{table}.csv", root / f"{table}.xlsx"]
    found = [p for p in candidates if p.is_file() and leads_inside(root, p)]
    folder = root / table
    if folder.is_dir() and leads_inside(root, folder):
        found += sorted(p for p in folder.iterdir()
                        if p.suffix.lower() in (".csv", ".xlsx") and not p.name.startswith(("~$", "."))
                        and p.is_file() and leads_inside(root, p))
    return found


def _made_columns(table: str, given: Sequence[str], in_folder: bool) -> tuple[str, ...]:
    """The columns a file lacks that its name and rows give: the event id of a part named by
    its event (`training_surveys/T001.csv`), a respondent's id from file and row."""
    names = [column.name for column in TABLES[table]]
    made = [name for name in ROW_IDS if name in names and name not in given]
    if in_folder and table in EVENT_PARTS and "event_id" not in given:
        made.insert(0, "event_id")
    return tuple(made)


def read_part(path: Path, display: str, table: str, words: Vocabulary, in_folder: bool) -> pd.DataFrame:
    """One file of a table: the contract columns its header names (and those `_made_columns`
    gives), one row per row that is a record (not blank, a totals row or a signature line); its Part in `attrs["part"]`."""
    reader = read_xlsx_rows if path.suffix.lower() == ".xlsx" else read_csv_rows
    sheet = reader(path, display, words)
    if not sheet.header:  # an empty file: type_table says so
        frame = pd.DataFrame(columns=SOURCE_COLUMNS)
        frame.attrs["part"] = Part(display, (), header_line=0)
        return frame
    header = match_header(sheet.header, words, display, sheet.header_line)
    made = _made_columns(table, list(header.positions), in_folder)
    records, totals, signatures = [], [], []
    body = sheet.body[1:] if sheet.body[:1] and is_column_numbers(sheet.body[0][1], sheet.header) else sheet.body
    stem, numbering = Path(display).stem, header.numbering
    for line, cells in body:  # each non-blank (any cell filled)
        if is_totals(cells):
            totals.append(line)
        elif is_signature(cells):
            signatures.append(line)
        elif numbering and _blank([c for at, c in enumerate(cells) if at not in numbering]):
            continue  # a number alone: a template row left empty
        else:
            record = {column: cells[at] if at < len(cells) else "" for column, at in header.positions.items()}
            given = {"event_id": stem, "respondent_id": f"{display}:{line}"} if made else {}
            records.append({**record, **{name: given[name] for name in made}, "_file": display, "_row": line})
    names = (*header.positions, *made)
    frame = pd.DataFrame.from_records(records, columns=[*names, *SOURCE_COLUMNS])
    frame.attrs["part"] = Part(display, names, rows=len(records), header_line=sheet.header_line,
                               ignored=header.ignored, totals=tuple(totals), signatures=tuple(signatures), made=made)
    return frame


def read_table_raw(root: Path, table: str, grant: Grant | None = None) -> tuple[pd.DataFrame, list[Path]]:
    """All parts of one table as text cells of its contract columns, with _file and _row; the
    header names of grant.yml (`columns:`, `questionnaires:`) count beside the contract's."""
    files = table_files(root, table)
    words = vocabulary(table, grant.header_columns(table) if grant else None,
                       grant.form_questions(table) if grant else None)
    frames = [read_part(path, path.relative_to(root).as_posix(), table, words, path.parent != root)
              for path in files]
    if not frames:
        return pd.DataFrame(columns=SOURCE_COLUMNS), files
    raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    raw.attrs["parts"] = [f.attrs["part"] for f in frames]
    return raw, files
