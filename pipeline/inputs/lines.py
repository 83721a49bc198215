"""Rows as messages name them: `5, 9, 12–31`, the first ten runs and «и ещё N»; and the one
place where problems of the same kind are grouped (`grouped`): the same problem with the
same value in the same file and column is one line listing its rows, not one line per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pipeline.exceptions import InputError, printable

#: The runs of rows a message lists before «и ещё N».
SHOWN_RUNS = 10


def _runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive rows as (first, last) runs, in order, each row once."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def rows_text(rows: Iterable[int], shown: int = SHOWN_RUNS) -> str:
    """`5, 9, 12–31`: the rows in order, consecutive ones as a range; beyond the first `shown`
    runs, «и ещё N» (the rows left unnamed)."""
    runs = _runs(rows)
    text = ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs[:shown])
    rest = sum(b - a + 1 for a, b in runs[shown:])
    return f"{text} и ещё {rest}" if rest else text


def count_text(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def where_text(file: str, rows: Sequence[int]) -> str:
    """`events.xlsx:5, 9, 12–31 (29 rows)`; `events.xlsx:5` for one row."""
    unique = sorted(set(rows))
    return f"{file}:{rows_text(unique)}" + (f" ({count_text(len(unique))})" if len(unique) > 1 else "")


class GroupedError(InputError):
    """The same problem on several rows of one file and column, told once, on one line: `file:5,
    9, 12–31 (29 rows): column = value: expected …`, perhaps followed by what to paste in grant.yml."""

    def __init__(self, first: InputError, rows: Sequence[int], hint: str = ""):
        super().__init__(first.file, first.row, first.column, first.value, first.expected)
        self.rows = tuple(sorted(set(rows)))
        self.hint = hint
        head = str(InputError(first.file, None, first.column, first.value, first.expected))
        message = where_text(first.file, self.rows) + head[len(first.file):]
        apart = " " if message.endswith(("?", ".")) else ". "
        self.args = (message + (f"{apart}{printable(hint)}" if hint else ""),)

    def __str__(self) -> str:
        return str(self.args[0])


def grouped(problems: Sequence[InputError], hint: dict[tuple[str, str], str] | None = None) -> list[InputError]:
    """Problems with the same file, column, value and expectation, on rows of their own, as one
    `GroupedError` each (at the place of the first); a problem alone stays as it is. `hint`:
    by (column, value), a line to add after the group (the grant.yml snippet to paste)."""
    groups: dict[tuple[str, str, str, str], list[InputError]] = {}
    for problem in problems:
        key = (problem.file, problem.column or "", "" if problem.column is None else str(problem.value),
               problem.expected)
        if problem.row is None or problem.column is None:
            key = (*key[:3], f"{problem.expected}\0{id(problem)}")  # a problem of a file or a header: alone
        groups.setdefault(key, []).append(problem)
    found: list[InputError] = []
    for members in groups.values():
        first = members[0]
        said = (hint or {}).get((first.column or "", str(first.value)), "")
        if len(members) == 1 and not said:
            found.append(first)
        else:
            found.append(GroupedError(first, [int(p.row) for p in members if p.row is not None], said))
    return found
