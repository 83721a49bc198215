"""A block of figures with the input rows each one was computed from.

A `Block` is what one notebook cell computes and records: its figures, for each figure the
rows of the inputs it counted (row-level lineage, written to the manifest), and the
intermediate table a reviewer recounts them from. Rows are named by table and by the label
they have in the inputs read (`Inputs.tables[table]`): the selection keeps those labels, so
`refs` can tell each row's file, the row a spreadsheet shows and the record's id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

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


def refs(rows_of: Iterable[Row], tables: dict[str, pd.DataFrame]) -> list[dict[str, object]]:
    """Each row as the manifest names it: table, file, spreadsheet row, and id where there is one."""
    wanted = list(rows_of)
    named: dict[Row, dict[str, object]] = {}
    for table in dict.fromkeys(table for table, _ in wanted):
        frame = tables[table]
        labels = [label for t, label in wanted if t == table]
        part = frame.loc[labels]
        column = ID_COLUMNS.get(table)
        ids = part[column].astype(str).tolist() if column in frame.columns else [""] * len(labels)
        if table == "training_surveys":
            ids = [f"{event}/{respondent}" for event, respondent in zip(part["event_id"].astype(str), ids, strict=True)]
        for label, file, row, record in zip(labels, part["_file"].astype(str), part["_row"].astype(int), ids,
                                            strict=True):
            named[(table, label)] = {"table": table, "file": file, "row": int(row), "id": record or None}
    return [named[row] for row in wanted]
