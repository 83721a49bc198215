"""A block of figures with the input rows each one was computed from.

A `Block` is what one notebook cell computes and records: its figures, for each figure the
rows of the inputs it counted (row-level lineage, written to the manifest), and the
intermediate table a reviewer recounts them from. Rows are named by table and by the label
they have in the inputs read (`Inputs.tables[table]`): the selection keeps those labels, so
`refs` can tell each row's file, the row a spreadsheet shows, the record's id and the values
of the contract's columns the rules use (never a personal one), which `diff` compares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from pipeline.figures.shown import may_show

#: A row of the inputs: its table and its label in that table.
Row = tuple[str, int]

#: The column that identifies a record of each table, where it has one.
ID_COLUMNS = {
    "plan": "activity_id", "events": "event_id", "consultations": "consultation_id",
    "feedback": "consultation_id", "training_surveys": "respondent_id",
}


def rows(table: str, frame: pd.DataFrame, mask: pd.Series | None = None) -> list[Row]:
    """The rows of `frame` (of `table`), or those where `mask` holds."""
    chosen = frame.index if mask is None else frame.index[mask.to_numpy(dtype=bool)]
    return [(table, int(label)) for label in chosen]


def union(*parts: Iterable[Row]) -> list[Row]:
    """Rows of several parts, each once, in order of appearance."""
    return list(dict.fromkeys(row for part in parts for row in part))


@dataclass
class Block:
    """Figures computed together, each with its rows, and the table they are recounted from."""

    key: str
    figures: dict[str, object] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    steps: pd.DataFrame | None = None

    def add(self, name: str, value: object, counted: Iterable[Row] = ()) -> None:
        self.figures[name] = value
        self.rows[name] = list(dict.fromkeys(counted))

    def merge(self, other: Block) -> None:
        self.figures.update(other.figures)
        self.rows.update(other.rows)


@cache
def recorded_columns() -> dict[str, tuple[str, ...]]:
    """Per table, the columns some block's rule uses (its declaration's `inputs`) that may be shown
    (`shown.may_show`: the contract's, never a personal one), the id left out: the values a
    row's reference records, so that `diff` can tell `column: old → new` of a row that changed
    and `explain` what each row holds."""
    from pipeline.figures.declarations import DECLARED  # it builds on this module: imported when first asked

    found: dict[str, dict[str, None]] = {}
    for block in DECLARED:
        for table, columns in block.inputs.items():
            kept = found.setdefault(table, {})
            kept.update(dict.fromkeys(c for c in columns if may_show(table, c) and c != ID_COLUMNS.get(table)))
    return {table: tuple(columns) for table, columns in found.items()}


def plain(value: object) -> object:
    """A cell as JSON holds it: a day as `2022-05-17` (its time when it has one), a number as a
    number, nothing (None, NaN, NaT, pandas' NA) as None, anything else as text."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.datetime):  # pandas' Timestamp too
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    item = getattr(value, "item", None)  # a numpy scalar: as the Python number it holds
    if callable(item):
        value = item()
    return value if isinstance(value, bool | int | float | str) else str(value)


def refs(rows_of: Iterable[Row], tables: dict[str, pd.DataFrame]) -> list[dict[str, object]]:
    """Each row as the manifest names it: table, file, spreadsheet row, id where there is one,
    and the values of its table's `recorded_columns` (`values`, where it has any)."""
    wanted = list(rows_of)
    named: dict[Row, dict[str, object]] = {}
    recorded = recorded_columns()
    for table in dict.fromkeys(table for table, _ in wanted):
        frame = tables[table]
        labels = [label for t, label in wanted if t == table]
        part = frame.loc[labels]
        column = ID_COLUMNS.get(table)
        ids = part[column].astype(str).tolist() if column in frame.columns else [""] * len(labels)
        if table == "training_surveys":
            ids = [f"{event}/{respondent}" for event, respondent in zip(part["event_id"].astype(str), ids, strict=True)]
        shown = [c for c in recorded.get(table, ()) if c in frame.columns]
        values = ([dict(zip(shown, map(plain, record), strict=True))
                   for record in part[shown].itertuples(index=False, name=None)] if shown else [{}] * len(labels))
        for label, file, row, record, cells in zip(labels, part["_file"].astype(str), part["_row"].astype(int), ids,
                                                   values, strict=True):
            named[(table, label)] = {"table": table, "file": file, "row": int(row), "id": record or None,
                                     **({"values": cells} if cells else {})}
    return [named[row] for row in wanted]
