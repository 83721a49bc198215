"""Validating an inputs folder: read and type it (`loading`), check it (`checks`), and say
what it holds that the figures count in a particular way (`notes`). Never raises for bad input.

One pass tells everything: the problems of every table that could be read (a missing column
or a broken grant.yml no longer hides the other tables' problems), the files read past, and a
summary of what each table gave (`Validation.summary`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.exceptions import InputError, PipelineError
from pipeline.inputs.checks import check_tables, sort_key
from pipeline.inputs.loading import Inputs, Reading, inputs_of, read_inputs
from pipeline.inputs.notes import DataWarning, data_warnings, plural, unknown_files
from pipeline.inputs.reading import Part
from pipeline.inputs.schema import TABLES


@dataclass(frozen=True)
class TableSummary:
    """What one table's files gave: for `validate`'s closing summary. Header names only, never a cell."""

    table: str
    files: tuple[str, ...]
    rows: int
    #: The contract's columns some file gave, in the contract's order.
    used: tuple[str, ...]
    #: Per file, the headers no contract column takes (read past): (file, headers).
    ignored: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Totals rows («Итого») read past, over every file.
    totals: int = 0

    def cells(self) -> list[str]:
        """Table, files, rows, columns: one row of `validate`'s summary."""
        folders = {file.split("/", 1)[0] for file in self.files}
        where = (self.files[0] if len(self.files) == 1 else
                 f"{next(iter(folders))}/ ({len(self.files)} files)" if len(folders) == 1 and "/" in self.files[0]
                 else f"{len(self.files)} files")
        columns = f"{len(self.used)} of {len(TABLES[self.table])} columns"
        if self.totals:
            columns += f", {plural(self.totals, 'totals row', 'totals rows')} skipped"
        return [self.table, where, plural(self.rows, "row", "rows"), columns]

    def ignored_lines(self) -> list[str]:
        """A line per file that had headers no contract column takes."""
        return [f"{file}: ignored {', '.join(f'«{h}»' for h in headers)}" for file, headers in self.ignored]


def summarise(table: str, parts: list[Part]) -> TableSummary:
    names = {n for part in parts for n in part.names}
    ignored = tuple((part.file, part.ignored) for part in parts if part.ignored)
    totals = sum(len(part.totals) for part in parts)
    return TableSummary(table, tuple(part.file for part in parts), sum(part.rows for part in parts),
                        tuple(c.name for c in TABLES[table] if c.name in names), ignored, totals)


@dataclass
class Validation:
    """The outcome of validating an inputs folder."""

    problems: list[InputError] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)
    inputs: Inputs | None = None  # the loaded inputs when they could be read and typed
    #: What each table found gave, in the contract's order (tables with no file left out).
    summary: list[TableSummary] = field(default_factory=list)
    #: The contract's tables no file was found for.
    absent: list[str] = field(default_factory=list)
    #: Per id column, and for the file names, what looks like personal data and is pseudonymised.
    personal: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """One line per problem, as the command line prints them."""
        return [str(p) for p in self.problems]

    def summary_lines(self) -> list[str]:
        """The summary as the command line prints it: a line per table, then the tables not found."""
        rows = [table.cells() for table in self.summary]
        widths = [max(len(row[i]) for row in rows) for i in range(3)] if rows else []
        lines = []
        for table, row in zip(self.summary, rows, strict=True):
            name, where, count, columns = row
            lines.append(f"{name:<{widths[0]}}  {where:<{widths[1]}}  {count:>{widths[2]}}  {columns}")
            lines += [f"  {line}" for line in table.ignored_lines()]
        if self.absent:
            lines.append(f"tables not found (optional): {', '.join(self.absent)}")
        return lines + list(self.personal)


def _summary(reading: Reading) -> tuple[list[TableSummary], list[str]]:
    found = [summarise(table, parts) for table, parts in reading.parts.items() if parts]
    absent = [table for table in TABLES if not reading.parts.get(table) and table not in reading.unreadable]
    return found, absent


def validate(root: Path | str) -> Validation:
    """Read and check an inputs folder; never raises for bad input. Every table that could be
    read is checked, whatever the problems of the others or of grant.yml."""
    try:
        reading = read_inputs(root)
    except InputError as error:
        return Validation(problems=[error])
    except PipelineError as error:  # any other one-line error of loading
        return Validation(problems=[InputError(str(root), expected=str(error))])
    summary, absent = _summary(reading)
    told = reading.problems
    problems = sorted([*told, *check_tables(reading, told, reading.unreadable, reading.parts)], key=sort_key)
    if problems:
        # data warnings say what a report would count: there is none to build while there are
        # problems; the files read past are told all the same
        files = unknown_files(reading.root, reading.hashes, reading.files, reading.shown)
        return Validation(problems=problems, warnings=files, summary=summary, absent=absent,
                          personal=reading.shown.notes)
    try:
        inputs = inputs_of(reading)
    except InputError as error:
        return Validation(problems=[error], summary=summary, absent=absent)
    return Validation(problems=[], warnings=data_warnings(inputs), inputs=inputs, summary=summary, absent=absent,
                      personal=reading.shown.notes)
