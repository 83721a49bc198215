"""Which columns of an input row may be shown beside it, anywhere: the one rule the notebooks'
rows (`notebook.rows.view`), the row lineage a build records (`lineage.refs`) and `explain`
follow. A column of the contract that holds no personal data (not `full_name`, `beneficiary`,
`comment`); a column outside the contract (a phone number, an e-mail) never. Ids are shown as
the inputs left them: pseudonymised when they look like personal data (`inputs.personal`).

No pandas: `explain` and `diff` read manifests with it, and import nothing heavy.
"""

from __future__ import annotations

from functools import cache

from pipeline.inputs.schema import PERSONAL_COLUMNS, TABLES


@cache
def _contract(table: str) -> frozenset[str]:
    return frozenset(column.name for column in TABLES.get(table, ()))


def in_contract(table: str, column: str) -> bool:
    return column in _contract(table)


def may_show(table: str, column: str) -> bool:
    """Whether `column` of `table` may be shown: a contract column that is not personal."""
    return in_contract(table, column) and column not in PERSONAL_COLUMNS
