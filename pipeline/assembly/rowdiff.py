"""Which input rows of a figure changed between two builds: the rows each manifest records for
it (`figures[NAME].rows`: table, `file:row`, the record's pseudonymised id and the values of
the contract's columns its rule uses, `lineage.refs`), matched by record id where the row has
one, else by `file:row`. A row is added, removed, or changed (`column: old → new`); a row that
only moved within its file (a row inserted above it) is counted, not listed.

Reads the manifests only: no input, no pandas. Nothing personal is in them to show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pipeline.notebook import formatting

#: How a change of a row reads, on the command line and on the page.
KINDS = {"added": ("row added", "строка добавлена"), "removed": ("row removed", "строка удалена"),
         "changed": ("row changed", "строка изменена")}
#: The most rows listed under one figure; the others are counted.
LISTED = 10


@dataclass(frozen=True)
class RowChange:
    """One input row of a figure that differs between two builds."""

    kind: str                   # added | removed | changed
    where: str                  # file:row (the newer build's, but for a removed row)
    id: str | None              # the record's id as the manifest has it (pseudonymised)
    columns: tuple[tuple[str, str, str], ...] = ()   # (column, old, new), as shown

    @property
    def changes(self) -> str:
        """`date: 2022-10-11 → 2022-10-12; reach: 82 → 92`."""
        return "; ".join(f"{column}: {old} → {new}" for column, old, new in self.columns)

    def line(self) -> str:
        return (f"{KINDS[self.kind][0]} {self.where}" + (f"  {self.id}" if self.id else "")
                + (f": {self.changes}" if self.columns else ""))


@dataclass(frozen=True)
class RowChanges:
    """A figure's row changes: those listed (at most `LISTED`), how many more, how many rows
    only moved."""

    listed: tuple[RowChange, ...] = ()
    more: int = 0
    moved: int = 0

    def lines(self) -> list[str]:
        found = [change.line() for change in self.listed]
        if self.more:
            found.append(f"… and {self.more} more row{'s' if self.more > 1 else ''}")
        if self.moved:
            several = self.moved > 1
            found.append(f"{self.moved} row{'s' if several else ''} only moved within {'their' if several else 'its'} file")
        return found


def shown(value: object) -> str:
    """A recorded value as the report shows values: Russian numbers, да/нет, «—» for nothing."""
    if value is None:
        return formatting.DASH
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int | float):
        return formatting.number(value)
    return str(value)


def _where(ref: Mapping) -> str:
    return f"{ref.get('file')}:{ref.get('row')}"


def _keyed(refs: Iterable[Mapping]) -> dict[tuple, Mapping]:
    """Rows by what identifies them across builds: the table and the record's id, else (no id,
    or an id on several rows) the table and `file:row`."""
    listed = [ref for ref in refs if isinstance(ref, Mapping)]
    counted: dict[tuple, int] = {}
    for ref in listed:
        if ref.get("id"):
            counted[(ref.get("table"), ref["id"])] = counted.get((ref.get("table"), ref["id"]), 0) + 1
    keyed = {}
    for ref in listed:
        by_id = (ref.get("table"), ref.get("id"))
        keyed[by_id if ref.get("id") and counted[by_id] == 1 else (ref.get("table"), _where(ref))] = ref
    return keyed


def _columns(old: Mapping, new: Mapping) -> tuple[tuple[str, str, str], ...]:
    before, after = old.get("values") or {}, new.get("values") or {}
    return tuple((column, shown(before.get(column)), shown(after.get(column)))
                 for column in dict.fromkeys([*before, *after]) if before.get(column) != after.get(column))


def compare_rows(old: object, new: object) -> RowChanges | None:
    """The row changes between a figure's rows in two builds (each a manifest's `rows`); None
    when a build did not record them (one made before rows were recorded)."""
    if not isinstance(old, list) or not isinstance(new, list):
        return None
    before, after = _keyed(old), _keyed(new)
    changes: list[RowChange] = []
    moved = 0
    for key, ref in after.items():
        if key not in before:
            changes.append(RowChange("added", _where(ref), ref.get("id")))
            continue
        columns = _columns(before[key], ref)
        if columns:
            changes.append(RowChange("changed", _where(ref), ref.get("id"), columns))
        elif _where(before[key]) != _where(ref):
            moved += 1
    changes += [RowChange("removed", _where(ref), ref.get("id")) for key, ref in before.items() if key not in after]
    return RowChanges(tuple(changes[:LISTED]), max(0, len(changes) - LISTED), moved)
