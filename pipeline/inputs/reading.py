"""Reading one table's files into text cells, with bounded work: the raw step of loading.

Every table may be NAME.csv, NAME.xlsx or a folder NAME/ of such parts (concatenated).
CSV may be UTF-8 (with or without BOM), UTF-16 (with its BOM: Excel's «Unicode text») or
cp1251, comma-, semicolon- or tab-separated. Each row keeps `_file` and `_row` (the line the
user sees in that file) so that every problem can be pointed at. Every file is read with
bounded work (the limits below): a file beyond one is one line naming it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.parsers import expat

import openpyxl
import pandas as pd

from pipeline.exceptions import InputError

SOURCE_COLUMNS = ["_file", "_row"]


@dataclass(frozen=True)
class Part:
    """What one file of a table gave: for the problems that name it and `validate`'s summary.
    A table's frame lists its parts in `attrs["parts"]`."""

    file: str  # as the user sees it: relative to the inputs folder
    names: tuple[str, ...]  # the header's columns as read ("" for a column without a name)
    rows: int = 0  # rows with a value
    header_line: int = 1  # the line (CSV) or row (xlsx) of the header
    ignored: tuple[str, ...] = ()  # headers no contract column takes: read past, never shown

# Every file is read with bounded work, whatever it declares: a table file beyond these limits
# is one line naming it and the limit (docs/untrusted-inputs.md).

#: A CSV file as stored, and an .xlsx unpacked (its XML parts), at most this many bytes.
MAX_FILE_BYTES = 50 * 1024 * 1024
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


def _too_many_columns(display: str, columns: int) -> InputError:
    return InputError(display, 1, expected=f"{_count(columns)} columns in the header line: "
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


def _separator(text: str) -> str:
    end = text.find("\n")
    header = text if end < 0 else text[:end]
    return max((";", ",", "\t"), key=header.count)


def _read_bounded(path: Path, display: str) -> bytes:
    with path.open("rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(display, path.stat().st_size, "a file of")
    return data


def read_csv_rows(path: Path, display: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) of a CSV as Excel exports it, within the limits above."""
    text = _decode(_read_bounded(path, display), display)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))
    header: list[str] = []
    body = []
    line = width = 0
    previous = csv.field_size_limit(MAX_FIELD_CHARS)  # a setting of the whole csv module, for this reading
    try:
        for cells in reader:
            line += 1
            if line == 1:
                header, width = cells, _header_width(cells)
                if width > MAX_COLUMNS:
                    raise _too_many_columns(display, width)
            elif line * max(width, 1) > MAX_CELLS:
                raise _too_many_cells(display, line)
            else:
                body.append((line, cells))
    except csv.Error as error:
        expected = (f"a field of more than {_count(MAX_FIELD_CHARS)} characters, Excel's limit for a cell (a quote "
                    "left open runs on to the end of the file)" if "field limit" in str(error)
                    else f"not a readable CSV line ({error})")
        raise InputError(display, line + 1, expected=expected) from None
    finally:
        csv.field_size_limit(previous)
    return header, body


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


def read_xlsx_rows(path: Path, display: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (row number, cells) of the rows with a value of the first sheet of a workbook,
    read by the cells it holds, never by the size it declares (a sheet declaring `A1:XFD1048576`
    would otherwise be padded to 16 384 cells a row)."""
    workbook = None
    try:
        _check_unpacked(path, display)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        with sheet._get_source() as source:  # openpyxl's own reading of the sheet's XML part
            _check_stored_cells(source, display)
        sheet.reset_dimensions()
        first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        width = _header_width(first)
        if width > MAX_COLUMNS:
            raise _too_many_columns(display, width)
        header = [_cell_text(v) for v in first[:width]]
        body: list[tuple[int, list[str]]] = []
        if not width:  # no header: nothing else is read (an empty file)
            return [], []
        for index, values in enumerate(sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
            if index * width > MAX_CELLS:  # rows padded between stored ones count too
                raise _too_many_cells(display, index)
            if any(v is not None for v in values):
                body.append((index, [_cell_text(v) for v in values]))
        return header, body
    except InputError:
        raise
    except Exception as error:  # openpyxl, zipfile and expat raise many kinds for a broken file
        raise InputError(display, expected=f"not a readable .xlsx workbook ({type(error).__name__})") from None
    finally:
        if workbook is not None:
            workbook.close()


def table_files(root: Path, table: str) -> list[Path]:
    """The files that make up one table: NAME.csv, NAME.xlsx or the parts in NAME/."""
    candidates = [root / f"{table}.csv", root / f"{table}.xlsx"]
    found = [p for p in candidates if p.is_file()]
    folder = root / table
    if folder.is_dir():
        found += sorted(p for p in folder.iterdir()
                        if p.suffix.lower() in (".csv", ".xlsx") and not p.name.startswith(("~$", "."))
                        and p.is_file())
    return found


def read_table_raw(root: Path, table: str) -> tuple[pd.DataFrame, list[Path]]:
    """All parts of one table as text cells, with _file and _row; header names normalised."""
    files = table_files(root, table)
    frames = []
    for path in files:
        display = path.relative_to(root).as_posix()
        if path.suffix.lower() == ".xlsx":
            header, body = read_xlsx_rows(path, display)
        else:
            header, body = read_csv_rows(path, display)
        names = [str(h).strip().lstrip("\ufeff").lower() for h in header]
        twice = sorted({n for n in names if n and names.count(n) > 1})
        if twice:
            raise InputError(display, expected=f"duplicate column «{twice[0]}» in the header line")
        records = []
        for line, cells in body:
            if not any(str(c).strip() for c in cells):
                continue
            cells = [str(c) for c in cells] + [""] * (len(names) - len(cells))
            records.append(dict(zip(names, cells[: len(names)], strict=False), _file=display, _row=line))
        named = [n for n in names if n and n not in SOURCE_COLUMNS]  # columns without a name are ignored
        frame = pd.DataFrame.from_records(records, columns=named + SOURCE_COLUMNS)
        frame.attrs["part"] = Part(display, tuple(names), rows=len(records))
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=SOURCE_COLUMNS), files
    raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    raw.attrs["parts"] = [f.attrs["part"] for f in frames]
    return raw, files
