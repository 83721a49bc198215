"""A data note (`DataWarning`) and how one names its rows: per file, by line, counted.
Shared by the notes about rows and files (`notes`) and about what was read past (`readpast`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from pipeline.exceptions import printable
from pipeline.inputs.lines import rows_text


@dataclass(frozen=True)
class DataWarning:
    """Something that does not stop a report but the analyst should know: counted, never personal.
    Its message is printable (`exceptions.printable`: control characters from the inputs escaped)."""

    code: str
    message: str
    count: int
    #: The rows it concerns, by table and label in `Inputs.tables` (for the figures' lineage).
    rows: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", printable(self.message))

    def __str__(self) -> str:
        return self.message


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def ids_text(values: Iterable[object]) -> str:
    """The first five ids of a warning, then «…»."""
    values = list(dict.fromkeys(values))
    shown = ", ".join(str(v) for v in values[:5])
    return shown + (", …" if len(values) > 5 else "")


def per_file(frame: pd.DataFrame, mask: pd.Series) -> list[tuple[str, pd.DataFrame]]:
    rows = frame[mask]
    return [(str(file), part) for file, part in rows.groupby("_file", sort=True)] if len(rows) else []


def rows_at(file: str, rows: pd.DataFrame) -> str:
    """Where a warning's rows are: `media.csv:4, 9, 12–15`, the first ten runs then «и ещё N»."""
    return f"{file}:{rows_text(int(row) for row in rows['_row'])}"


def labels(table: str, *frames: pd.DataFrame) -> tuple[tuple[str, int], ...]:
    return tuple((table, int(label)) for frame in frames for label in frame.index)
