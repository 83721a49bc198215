"""A table file's rows, with bounded work: a CSV decoded (UTF-8 with or without its BOM,
UTF-16 with its BOM, cp1251) and split by the separator that makes a header row (`;`, `,`,
tab); a workbook's sheets, each read by `sheets`. What `reading` makes a table's parts of.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from contextlib import closing
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

import openpyxl

from pipeline.exceptions import InputError, spaced
from pipeline.inputs.folder import MAX_FILE_BYTES
from pipeline.inputs.headers import HEADER_SEARCH_ROWS, Vocabulary, header_score
from pipeline.inputs.sheets import (
    SPLIT,
    Lines,
    Sheet,
    UnreadSheet,
    first_rows,
    raise_all,
    read_worksheet,
    sheet_name,
    sheet_title,
    split_header,
    unreadable,
)

# Every file is read with bounded work, whatever it declares: a table file beyond these limits
# is one line naming it and the limit (docs/untrusted-inputs.md). A CSV file as stored, and an
# .xlsx unpacked (its XML parts), at most MAX_FILE_BYTES bytes (declared in `folder`, which
# hashes no file beyond it either); columns and cells: `sheets`.

#: Characters in one CSV field: Excel's own limit for a cell, so whatever Excel writes fits.
MAX_FIELD_CHARS = 32_767


def _too_big(display: str, size: int, what: str) -> InputError:
    return InputError(display, expected=f"{what} {size / 2 ** 20:.1f} MB: a table file may be at most "
                      f"{MAX_FILE_BYTES // 2 ** 20} MB ({SPLIT})")


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
        expected = (f"a field of more than {spaced(MAX_FIELD_CHARS)} characters, Excel's limit for a cell (a quote "
                    "left open runs on to the end of the file)" if "field limit" in str(error)
                    else f"not a readable CSV line ({error})")
        raise InputError(display, line + 1, expected=expected) from None
    finally:
        csv.field_size_limit(previous)


def read_csv_rows(path: Path, display: str, words: Vocabulary) -> Sheet:
    """A CSV's header row (`headers.find_header` among its first non-blank lines) and the lines below it."""
    with closing(_csv_lines(path, display, words)) as lines:
        return split_header(first_rows(lines, display), lambda _line, _width: lines, display, words)


def _check_unpacked(path: Path, display: str) -> None:
    """An .xlsx is a zip of XML parts, which openpyxl unpacks: their declared sizes (which
    bound what unpacking gives) may add up to MAX_FILE_BYTES."""
    with zipfile.ZipFile(path) as archive:
        size = sum(info.file_size for info in archive.infolist() if info.filename.endswith((".xml", ".rels")))
    if size > MAX_FILE_BYTES:
        raise _too_big(display, size, "a workbook unpacking to")


@dataclass(frozen=True)
class Workbook:
    """A workbook's sheets: those that hold the table (read), those left unread (empty, or
    naming no column of the table) and the bad ones (a line each)."""

    sheets: list[Sheet]
    unread: list[UnreadSheet]
    problems: list[InputError]


def read_xlsx_sheets(path: Path, display: str, words: Vocabulary) -> Workbook:
    """Every sheet of a workbook (`sheets.read_worksheet`), in the workbook's order. In a
    workbook of more than one sheet each is named by its title (`sheet_name`). A workbook no
    sheet of which names a column is that problem, as a file is; one with no row at all, an
    empty file. The limits hold per workbook (unpacked) and per sheet (cells)."""
    workbook = None
    read: list[Sheet] = []
    unread: list[UnreadSheet] = []
    no_headers: list[InputError] = []
    problems: list[InputError] = []
    try:
        _check_unpacked(path, display)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheets = workbook.worksheets
        for sheet in sheets:
            title, hidden = sheet_title(sheet.title) if len(sheets) > 1 else "", sheet.sheet_state != "visible"
            try:
                found = read_worksheet(sheet, sheet_name(display, title), words)
            except InputError as error:
                problems.append(error)
                continue
            except Exception as error:  # openpyxl and expat raise many kinds for a broken sheet
                problems.append(unreadable(sheet_name(display, title), error))
                continue
            if isinstance(found, InputError):
                no_headers.append(found)
                unread.append(UnreadSheet(display, title, hidden, empty=False))
            elif found.header:
                read.append(replace(found, title=title, hidden=hidden))
            else:
                unread.append(UnreadSheet(display, title, hidden))
    except InputError:
        raise
    except Exception as error:  # openpyxl, zipfile and expat raise many kinds for a broken file
        raise unreadable(display, error) from None
    finally:
        if workbook is not None:
            workbook.close()
    if no_headers and not read and not problems:
        raise_all(no_headers)
    return Workbook(read, unread, problems) if read or problems else Workbook([Sheet(0, [], [])], [], [])
