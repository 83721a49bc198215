"""A table's rows, sheet by sheet, with bounded work: the header row found among a file's or
a worksheet's first non-blank rows (title rows above it), and the rows below it, cut to the
header's width, within the limits on columns and cells; a workbook's sheets named and read.

`reading` reads files (a CSV, a workbook) into these and puts a table's parts together.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import IO, NoReturn
from xml.parsers import expat

from pipeline.exceptions import InputError, spaced
from pipeline.inputs.grant import InputProblems
from pipeline.inputs.headers import HEADER_SEARCH_ROWS, Vocabulary, find_header, header_score, no_header

#: Between a workbook and a sheet's title, where a sheet of a workbook of more than one is named
#: (its part, its rows' `_file`, every message): `participants/pavlodar.xlsx › T01`, and a row of
#: it `participants/pavlodar.xlsx › T01:12`.
SHEET_MARK = " › "


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def sheet_title(title: str) -> str:
    """A sheet's title as it names the sheet: a control character (a line break, which a
    hand-made workbook's XML may hold) as «?», so that every message stays one line."""
    return _CONTROL.sub("?", title).strip()


def sheet_name(file: str, title: str) -> str:
    """A sheet as every message names it: `file › title`; the file alone for a sheet without a title."""
    return f"{file}{SHEET_MARK}{title}" if title else file


@dataclass(frozen=True)
class UnreadSheet:
    """A sheet of a table's workbook that is not read: an empty one (said in `validate`'s
    summary), or one whose first rows name no column of the table (an instructions sheet: a
    warning), in a workbook another sheet of which is the table."""

    file: str  # the workbook, as the user sees it
    title: str
    hidden: bool = False
    empty: bool = True

    @property
    def name(self) -> str:
        return sheet_name(self.file, self.title)

    def shown(self, name: str) -> UnreadSheet:
        """The sheet as the outputs name it (`name`: its `file › sheet` pseudonymised)."""
        if name == self.name:
            return self
        file, _, title = name.rpartition(SHEET_MARK)
        return dataclasses.replace(self, file=file, title=title)


def raise_all(problems: Sequence[InputError]) -> NoReturn:
    """Every problem at once: one InputError as itself, several as InputProblems."""
    raise problems[0] if len(problems) == 1 else InputProblems(list(problems))


# Every file and sheet is read with bounded work, whatever it declares: one beyond these limits
# is one line naming it and the limit (docs/untrusted-inputs.md; a file's size: `reading`).

#: Columns of a table file's header line.
MAX_COLUMNS = 200
#: Cells of a table file: its rows (to the last one used) × its header's columns; and the
#: cells an .xlsx sheet stores, wherever they are.
MAX_CELLS = 1_000_000

SPLIT = "split it into parts in a folder named after the table"



def _too_many_columns(display: str, line: int, columns: int) -> InputError:
    return InputError(display, line, expected=f"{spaced(columns)} columns in the header line: "
                      f"a table file may have at most {MAX_COLUMNS}")


def too_many_cells(display: str, row: int | None) -> InputError:
    return InputError(display, row, expected=f"more than {spaced(MAX_CELLS)} cells (rows × columns): "
                      f"a table file may hold at most {spaced(MAX_CELLS)} ({SPLIT})")


def _header_width(cells: Sequence[object]) -> int:
    """The header's columns: up to its last named one."""
    return next((i + 1 for i in range(len(cells) - 1, -1, -1) if str(cells[i] or "").strip()), 0)


#: Rows as read: (line or row number as the user sees it, cells as text).
Lines = Generator[tuple[int, list[str]], None, None]
Row = tuple[int, list[str]]


@dataclass(frozen=True)
class Sheet:
    """A table file, or a sheet of a workbook, read: its header row, where it is, and the
    non-blank rows below it."""

    header_line: int  # 0 when the file has no non-blank row
    header: list[str]
    body: list[Row]
    title: str = ""  # a sheet of a workbook of more than one: its title, which names it
    hidden: bool = False
    #: Lines with a filled cell beyond the header's columns (a value with an unquoted comma
    #: shifts the next ones): `personal.unquoted` quotes none of their cells.
    spilled: tuple[int, ...] = ()


def blank(cells: Sequence[object]) -> bool:
    return not any(str(cell or "").strip() for cell in cells)


def first_rows(lines: Lines, display: str) -> list[Row]:
    """The first HEADER_SEARCH_ROWS non-blank rows, where the header is looked for; the rows
    read on the way (each at least one cell) count against MAX_CELLS."""
    head: list[Row] = []
    read = 0
    for line, cells in lines:
        read += max(len(cells), 1)
        if read > MAX_CELLS:
            raise too_many_cells(display, line)
        if not blank(cells):
            head.append((line, cells))
            if len(head) == HEADER_SEARCH_ROWS:
                break
    return head


def split_header(head: list[Row], rest: Callable[[int, int], Lines], display: str, words: Vocabulary) -> Sheet:
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
    spilled = [n for n, cells in head[index + 1:] if not blank(cells[width:])]
    if len(head) == HEADER_SEARCH_ROWS:  # else the file ended among its first rows
        for n, cells in rest(head[-1][0] + 1, width):
            if n * max(width, 1) > MAX_CELLS:
                raise too_many_cells(display, n)
            if not blank(cells):
                body.append((n, cells[:width]))
                spilled += [n] if not blank(cells[width:]) else []
    return Sheet(line, header[:width], body, spilled=tuple(spilled))


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
                raise too_many_cells(display, None)  # out of the parser, as is

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


def unreadable(display: str, error: Exception) -> InputError:
    return InputError(display, expected=f"not a readable .xlsx workbook ({type(error).__name__})")


def read_worksheet(sheet: object, where: str, words: Vocabulary) -> Sheet | InputError:
    """One sheet: its header row (`headers.find_header` among the first non-blank rows) and the
    rows with a value below it, read by the cells it holds, never by the size it declares (a
    sheet declaring `A1:XFD1048576` would otherwise be padded to 16 384 cells a row). A sheet
    whose first rows name no column of the table gives the line that says so, not raised: in
    a workbook another sheet of which is the table, it is a sheet of something else."""
    with sheet._get_source() as source:  # type: ignore[attr-defined]  # openpyxl's own reading of its XML
        _check_stored_cells(source, where)
    sheet.reset_dimensions()  # type: ignore[attr-defined]
    with closing(_sheet_rows(sheet)) as first:
        head = first_rows(first, where)
    if head and not any(header_score(cells, words) for _, cells in head):
        return no_header(head, words, where)
    return split_header(head, lambda line, width: _sheet_rows(sheet, line, width), where, words)
