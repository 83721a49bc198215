"""The one view through which a notebook shows input rows: pseudonymised, traced to file:row.

A reviewer follows a figure from the rows to the value, so the notebooks show the rows in
scope; but a participant's name, a beneficiary, a comment or any column outside the contract
(a phone number, an e-mail) never appears in an output. This view keeps only the record's
id, its source `file:row` and the contract columns the rule uses, and shows a person as
«участник N» («қатысушы N» in Kazakh): numbered within the report, the same number for the same person (the name as
`person_key` folds it), so duplicates on a list are visible as such.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from pipeline.figures.lineage import ID_COLUMNS
from pipeline.figures.shown import in_contract, may_show
from pipeline.inputs.schema import person_key
from pipeline.language import DEFAULT, N_, tr

#: The label a person is shown with: «участник 17» (in the report's language, `Pseudonyms`);
#: the column of the shown rows that holds it.
PERSON = N_("участник")
SOURCE = "file:row"


class Pseudonyms:
    """«участник N» for each person of a report, numbered in order of first appearance on
    the report's registration lists."""

    def __init__(self, names: Iterable[object], language: str = DEFAULT):
        self._label = tr(language, PERSON)
        self._numbers: dict[str, int] = {}
        for name in names:
            self._numbers.setdefault(person_key(str(name)), len(self._numbers) + 1)

    def __call__(self, name: object) -> str:
        key = person_key(str(name))
        number = self._numbers.setdefault(key, len(self._numbers) + 1)
        return f"{self._label} {number}"


def view(table: str, frame: pd.DataFrame, columns: Sequence[str], people: Pseudonyms) -> pd.DataFrame:
    """The rows of `frame` (of `table`) as a notebook may show them: the record's id, its
    `file:row`, then `columns`; `full_name` as a pseudonym. Any other personal column, or a
    column outside the contract, is refused (it must never be asked for)."""
    refused = [c for c in columns if not may_show(table, c) and not (c == "full_name" and in_contract(table, c))]
    if refused:
        raise ValueError(f"{table}: {', '.join(refused)} may not be shown in a notebook")
    shown = pd.DataFrame(index=frame.index)
    id_column = ID_COLUMNS.get(table)
    if table == "training_surveys":
        shown["event_id"] = frame["event_id"]
    if id_column and id_column not in columns:
        shown[id_column] = frame[id_column]
    shown[SOURCE] = frame["_file"].astype(str) + ":" + frame["_row"].astype(str)
    for column in columns:
        shown[PERSON if column == "full_name" else column] = (
            frame[column].map(people) if column == "full_name" else frame[column])
    return shown.reset_index(drop=True)
