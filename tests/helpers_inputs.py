"""Small builders for test inputs: CSV bytes, xlsx workbooks, grant.yml, typed frames.

Every test writes its own tiny inputs folder under tmp_path; nothing here reads the
demo `inputs/` folder.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd

from pipeline.inputs.loading import type_table
from pipeline.inputs.reading import Part
from pipeline.inputs.schema import TABLES

GRANT_YML = """\
agreement: {number: 7, date: '2023-01-10', annex: 4}
grantee: {name: 'ОО «Тест»', short_name: 'Тест'}
topic: 'Тестовая тема'
amount: 1000000
currency: тенге
signatory: {position: 'Руководитель проекта', name: 'Имя Фамилия'}
regions:
  - {id: north, name: 'Северная область'}
  - {id: south, name: 'Южная область'}
  - {id: east, name: 'Восточная область'}
periods:
  - {id: p1, title: 'Промежуточный', start: '2023-01-01', end: '2023-06-30'}
  - {id: p2, title: 'Итоговый', start: '01.07.2023', end: '31.12.2023'}
"""

PLAN = [
    ["task_no", "task", "activity_id", "activity", "deadline", "indicator", "target", "unit", "budget"],
    ["1", "Задача", "1.1", "Мероприятие", "2023", "Индикатор", "4", "training", ""],
]


def csv_text(rows: list[list[object]], sep: str = ",") -> str:
    """Rows as CSV text, the way Excel writes it (CRLF line ends, quoting when needed)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_csv(path: Path, rows: list[list[object]], sep: str = ",", encoding: str = "utf-8",
              bom: bool = False) -> Path:
    data = csv_text(rows, sep).encode(encoding)
    return write_bytes(path, (b"\xef\xbb\xbf" if bom else b"") + data)


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """A workbook whose first sheet holds `rows` from A1 (None = an empty cell)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    workbook.save(path)
    return path


def write_grant(root: Path, text: str = GRANT_YML) -> Path:
    return write_bytes(root / "grant.yml", text.encode("utf-8"))


def make_inputs(root: Path, grant: str = GRANT_YML, **tables: list[list[object]]) -> Path:
    """grant.yml, a one-row plan (unless given) and each table given as CSV rows."""
    root.mkdir(parents=True, exist_ok=True)
    write_grant(root, grant)
    tables.setdefault("plan", PLAN)
    for name, rows in tables.items():
        write_csv(root / f"{name}.csv", rows)
    return root


def typed(table: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    """A table typed exactly as loading types it, from cells given as text (missing = blank)."""
    names = [c.name for c in TABLES[table]]
    records = [{**{n: "" for n in names}, **{k: str(v) for k, v in row.items()},
                "_file": f"{table}.csv", "_row": i + 2} for i, row in enumerate(rows)]
    raw = pd.DataFrame.from_records(records, columns=names + ["_file", "_row"])
    raw.attrs["parts"] = [Part(f"{table}.csv", tuple(names))]
    frame, problems = type_table(table, raw)
    assert not problems, [str(p) for p in problems]
    return frame
