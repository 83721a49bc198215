"""What a grant reporting in Kazakh gives in Russian only: its own texts given by language
without Kazakh (grant.yml's `{ru: …}`) and the plan's rows whose `_kk` cell is blank (in a
`_kk` column that has a text in some row). The
report prints them in Russian; `validate` says so, one line for each kind of text (a note,
not an error)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from pipeline.inputs.bilingual import KAZAKH, given, kazakh_column, kazakh_columns
from pipeline.inputs.datawarning import DataWarning, plural
from pipeline.inputs.grant import GRANT, Grant
from pipeline.inputs.grantparts import Said
from pipeline.inputs.lines import where_text
from pipeline.inputs.loading import Inputs

CODE = "texts.no_kazakh"


def _lacking(value: Any, where: str) -> Iterator[str]:
    """The keys (`topics.msu.title`, `regions[2].name`) of grant.yml's texts given by language
    without Kazakh."""
    if isinstance(value, Said):
        if value.lacks(KAZAKH):
            yield where
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _lacking(getattr(value, name), f"{where}.{name}" if where else name)
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _lacking(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _lacking(item, f"{where}.{key}")


def grant_lines(grant: Grant) -> list[DataWarning]:
    keys = list(_lacking(grant, ""))
    if not keys:
        return []
    return [DataWarning(CODE, f"{GRANT}: {plural(len(keys), 'text', 'texts')} given in Russian only, without kk "
                              f"(the report in Kazakh prints it in Russian): {', '.join(keys)}", len(keys))]


def plan_lines(inputs: Inputs) -> list[DataWarning]:
    plan = inputs.tables.get("plan")
    if plan is None:
        return []
    found: list[DataWarning] = []
    for column in kazakh_columns(plan):
        kazakh = kazakh_column(column)
        blank = plan[~given(plan[kazakh])]
        if not len(blank):
            continue
        where = "; ".join(where_text(str(file), [int(r) for r in part["_row"]]) for file, part in blank.groupby("_file"))
        found.append(DataWarning(CODE, f"{where}: {kazakh} is blank: the report in Kazakh prints the Russian {column} "
                                       "there", len(blank)))
    return found


def lacking_kazakh(inputs: Inputs) -> list[DataWarning]:
    """One note per kind of the grantee's texts a report in Kazakh prints in Russian; none for
    a grant reporting in Russian."""
    if inputs.grant.language != KAZAKH:
        return []
    return [*grant_lines(inputs.grant), *plan_lines(inputs)]
