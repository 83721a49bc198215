"""Validating an inputs folder: read and type it (`loading`), check it (`checks`), and say
what it holds that the figures count in a particular way (`notes`). `validate` never raises
for bad input; `validated` gives the inputs that passed (`ValidInputs`, what a report is
computed from) or raises every problem at once.

One pass tells everything: the problems of every table that could be read (a missing column
or a broken grant.yml no longer hides the other tables' problems), the files read past, and a
summary of what each table gave (`Validation.summary`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NewType

from pipeline import paths
from pipeline.exceptions import InputError, PipelineError
from pipeline.ids import ALL
from pipeline.inputs.checks import check_tables, sort_key
from pipeline.inputs.datawarning import DataWarning, plural
from pipeline.inputs.grant import InputProblems, grant_text
from pipeline.inputs.hints import paste_hints
from pipeline.inputs.lines import grouped
from pipeline.inputs.loading import Inputs, Reading, inputs_of, read_inputs
from pipeline.inputs.notes import data_warnings
from pipeline.inputs.orphans import left_out
from pipeline.inputs.reading import Part
from pipeline.inputs.readpast import sheets_of_no_table, unknown_files
from pipeline.inputs.schema import TABLES
from pipeline.inputs.sheets import UnreadSheet, sheet_name
from pipeline.inputs.yamlwalk import read_yaml

#: What the summary says of a sheet not read.
EMPTY_SHEET = "empty, skipped"
SHEET_OF_NO_TABLE = "not read: a sheet of no table (see the warning)"


@dataclass(frozen=True)
class SheetLine:
    """A sheet of a workbook of more than one, as `validate`'s summary lists it: its rows, or
    why it was not read; hidden ones said to be."""

    file: str  # the workbook
    title: str
    said: str
    hidden: bool = False

    def __str__(self) -> str:
        return f"{sheet_name(self.file, self.title)}{' (hidden)' if self.hidden else ''}: {self.said}"


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
    #: Per file, the number columns whose header names a scale (`units`): (file, what it says).
    scaled: tuple[tuple[str, str], ...] = ()
    #: Every sheet of the workbooks of more than one sheet: read, empty or of no table.
    sheets: tuple[SheetLine, ...] = ()
    #: Per file, what grant.yml's `files:` (and an event id in its name) gave it: (file, what it says).
    settings: tuple[tuple[str, str], ...] = ()

    def cells(self) -> list[str]:
        """Table, files, rows, columns: one row of `validate`'s summary."""
        by_sheet = {sheet_name(sheet.file, sheet.title): sheet.file for sheet in self.sheets}
        files = list(dict.fromkeys(by_sheet.get(file, file) for file in self.files))
        sheets = sum(file in by_sheet for file in self.files)
        counts = [plural(len(files), "file", "files")] if len(files) > 1 else []
        counts += [plural(sheets, "sheet", "sheets")] if sheets else []
        folders = {file.split("/", 1)[0] for file in files}
        where = (files[0] if len(files) == 1 else
                 f"{next(iter(folders))}/" if len(folders) == 1 and "/" in files[0] else "")
        where = f"{where} ({', '.join(counts)})" if where and counts else where or ", ".join(counts)
        columns = f"{len(self.used)} of {len(TABLES[self.table])} columns"
        if self.totals:
            columns += f", {plural(self.totals, 'totals row', 'totals rows')} skipped"
        return [self.table, where, plural(self.rows, "row", "rows"), columns]

    def sheet_lines(self) -> list[str]:
        """A line per sheet of the workbooks of several: `file › sheet: 20 rows`."""
        return [str(sheet) for sheet in self.sheets]

    def ignored_lines(self) -> list[str]:
        """A line per file that had headers no contract column takes."""
        return [f"{file}: ignored {', '.join(f'«{h}»' for h in headers)}" for file, headers in self.ignored]

    def settings_lines(self) -> list[str]:
        """A line per file grant.yml's `files:` gave something: `consultations/a.csv: grant.yml files
        «consultations/*.csv»: region = north (column added), activity_id = 1.1 (its blank cells filled)`."""
        return [f"{file}: {said}" for file, said in self.settings]

    def scaled_lines(self) -> list[str]:
        """A line per column whose header names a scale: `expenses.csv: «Сумма (тыс. тенге)»: values × 1 000`."""
        return [f"{file}: {said}" for file, said in self.scaled]


def summarise(table: str, parts: list[Part], unread: Sequence[UnreadSheet] = ()) -> TableSummary:
    """What one table's parts gave, and the sheets of its workbooks not read."""
    names = {n for part in parts for n in part.names}
    ignored = tuple((part.file, part.ignored) for part in parts if part.ignored)
    totals = sum(len(part.totals) for part in parts)
    sheets = [SheetLine(part.path, part.sheet, plural(part.rows, "row", "rows"), part.hidden)
              for part in parts if part.sheet]
    sheets += [SheetLine(sheet.file, sheet.title, EMPTY_SHEET if sheet.empty else SHEET_OF_NO_TABLE, sheet.hidden)
               for sheet in unread]
    scaled = tuple((part.file, scaled.said()) for part in parts for scaled in part.scaled)
    order = {file: at for at, file in enumerate(dict.fromkeys(part.path for part in parts))}
    return TableSummary(table, tuple(part.file for part in parts), sum(part.rows for part in parts),
                        tuple(c.name for c in TABLES[table] if c.name in names), ignored, totals, scaled,
                        tuple(sorted(sheets, key=lambda sheet: order.get(sheet.file, len(order)))),
                        tuple((part.file, said) for part in parts if (said := settings_said(table, part))))


def settings_said(table: str, part: Part) -> str:
    """What grant.yml's `files:` gave a part, and the event id its name gave it: `` when nothing."""
    said = []
    if part.setting:
        given = [f"table {table}"] if part.moved else []
        given += [f"{column} = {value} ({'column added' if column in part.made else 'its blank cells filled'})"
                  for column, value in part.constants]
        said.append(f"grant.yml files «{part.setting}»: {', '.join(given)}")
    if part.named_event:
        said.append(f"event_id = {part.named_event} (a word of the {'sheet' if part.sheet else 'file'}'s name)")
    return "; ".join(said)


#: Inputs that passed every check of `validate`: the only inputs a report may be computed from
#: (`validated` makes them; `loading.load_inputs` reads a folder without checking it).
ValidInputs = NewType("ValidInputs", Inputs)


@dataclass
class Validation:
    """The outcome of validating an inputs folder."""

    problems: list[InputError] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)
    inputs: ValidInputs | None = None  # the inputs, when they were read, typed and passed every check
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
            lines += [f"  {line}" for line in (*table.sheet_lines(), *table.ignored_lines(), *table.scaled_lines(),
                                               *table.settings_lines())]
        if self.absent:
            lines.append(f"tables not found (optional): {', '.join(self.absent)}")
        return lines + list(self.personal)


def _summary(reading: Reading) -> tuple[list[TableSummary], list[str]]:
    found = [summarise(table, parts, reading.unread.get(table, ())) for table, parts in reading.parts.items() if parts]
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
    problems = sorted([*told, *check_tables(reading, told, reading.unreadable, reading.parts),
                       *plan_key_problems(reading)], key=sort_key)
    problems = grouped(problems, paste_hints(problems))
    if problems:
        # data warnings say what a report would count: there is none to build while there are
        # problems; the files read past are told all the same
        files = [*unknown_files(reading.root, reading.hashes, reading.files, reading.shown),
                 *sheets_of_no_table(reading.unread)]
        return Validation(problems=problems, warnings=files, summary=summary, absent=absent,
                          personal=reading.shown.notes)
    try:
        inputs = inputs_of(reading)
    except InputError as error:
        return Validation(problems=[error], summary=summary, absent=absent)
    inputs.tables, inputs.left_out = left_out(inputs.tables, inputs.parts)
    return Validation(problems=[], warnings=data_warnings(inputs), inputs=ValidInputs(inputs), summary=summary,
                      absent=absent, personal=reading.shown.notes)


def plan_key_problems(reading: Reading) -> list[InputError]:
    """grant.yml's `targets:` and `indicators:` against the plan and the regions: each
    activity_id the plan lacks, each region id grant.yml lacks (for an indicator's target: a
    report that is neither a region id nor `all`), one line with its line of grant.yml (the
    figures the indicators name: `notebook.formindicators`)."""
    grant = reading.grant
    if (grant is None or not (grant.targets or grant.indicators) or "plan" in reading.unreadable
            or "plan" not in reading.tables):
        return []
    lines = read_yaml(grant_text(reading.root))[1]
    activities, regions = list(reading.tables["plan"]["activity_id"].astype(str)), grant.region_ids()
    reports = [*regions, ALL]
    found = [InputError(paths.GRANT_FILE, lines.get((key, aid)), key, aid,
                        expected=f"expected an activity_id of the plan ({', '.join(activities)})")
             for key, given in (("targets", grant.targets), ("indicators", grant.indicators))
             for aid in given if aid not in activities]
    found += [InputError(paths.GRANT_FILE, lines.get(("targets", aid, region)), f"targets {aid}", region,
                         expected=f"expected a region id of grant.yml ({', '.join(regions)})")
              for aid, by_region in grant.targets.items() for region in by_region if region not in regions]
    found += [InputError(paths.GRANT_FILE, lines.get(("indicators", aid, i, "target", report)),
                         f"indicators {aid}[{i}].target", report,
                         expected=f"expected a region id of grant.yml or {ALL} ({', '.join(reports)})")
              for aid, listed in grant.indicators.items() for i, indicator in enumerate(listed)
              if isinstance(indicator.target, dict) for report in indicator.target if report not in reports]
    return found


def validated(root: Path | str) -> ValidInputs:
    """The inputs of a folder that passes every check of `validate` (the tables', not the
    narratives'); else every problem raised at once (InputProblems, or the one InputError)."""
    checked = validate(root)
    if checked.inputs is None or checked.problems:
        raise checked.problems[0] if len(checked.problems) == 1 else InputProblems(checked.problems)
    return checked.inputs
