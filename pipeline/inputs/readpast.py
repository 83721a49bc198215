"""The data notes about what a run read past: files and sheets of no table, totals and
signature rows under a table, columns without any value, columns scaled by their header's
unit. Each is told (`validate`, every report's «Замечания к данным»), never ignored in silence.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pandas as pd

from pipeline import disk, paths
from pipeline.inputs import folder
from pipeline.inputs.datawarning import DataWarning, labels, plural
from pipeline.inputs.headers import HEADER_SEARCH_ROWS
from pipeline.inputs.lines import rows_text
from pipeline.inputs.personal import Shown
from pipeline.inputs.reading import Part
from pipeline.inputs.schema import FIGURE_COLUMNS, TABLES
from pipeline.inputs.sheets import UnreadSheet


def _where(table: str, frame: pd.DataFrame) -> str:
    """A table's files, as a warning names them: `media.csv`, `training_surveys/a.csv, …/b.csv`."""
    return ", ".join(dict.fromkeys(str(f) for f in frame["_file"])) or table


def empty_figure_columns(tables: dict[str, pd.DataFrame], parts: dict[str, list[Part]]) -> list[DataWarning]:
    """A table with rows but no value in a column its figures are computed from
    (`FIGURE_COLUMNS`): the column is missing (its header was not recognised, say) or blank
    in every row, so those figures are empty or 0. One warning per table."""
    found = []
    for table, columns in FIGURE_COLUMNS.items():
        frame = tables.get(table)
        if frame is None or not len(frame):
            continue
        empty = [c for c in columns if frame[c].isna().all()]
        if not empty:
            continue
        named = {name for part in parts.get(table, []) for name in part.names}
        absent = [c for c in empty if c not in named]
        blank = [c for c in empty if c in named]
        said = ([f"no column {', '.join(absent)} (a header not recognised is read past: see validate's summary)"]
                if absent else []) + ([f"{', '.join(blank)} blank in every row"] if blank else [])
        effects = [f"figures {', '.join(columns[c][0] for c in empty if columns[c][1] == effect)} will "
                   f"{'be empty' if effect == 'empty' else 'count 0'}"
                   for effect in dict.fromkeys(columns[c][1] for c in empty)]
        found.append(DataWarning("columns.no_values", f"{_where(table, frame)}: {'; '.join(said)}: "
                                 f"{'; '.join(effects)}", len(frame), labels(table, frame)))
    return found


#: Files of an inputs folder that no warning names: an editor's, the system's.
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini"})


def _unread_reason(relative: str) -> str:
    """Why a file of the inputs folder is not read, and what would have it read."""
    path = PurePosixPath(relative)
    top, stem = path.parts[0], path.stem.lower()
    if len(path.parts) > 1 and top in TABLES:
        return f"not read: a part of table «{top}» is a .csv or .xlsx file"
    if len(path.parts) == 1 and stem in TABLES:
        if path.suffix.lower() in (".csv", ".xlsx"):
            return f"not read: name it {stem}{path.suffix.lower()} (table files are named in lower case)"
        return f"not read: table «{stem}» is {stem}.csv, {stem}.xlsx or a folder {stem}/ (save it as .xlsx or CSV)"
    if top.lower() in TABLES:
        return f"not read: table «{top.lower()}» is a folder named {top.lower()}/ (in lower case)"
    return (f"not read: it belongs to no table (a table is NAME.csv, NAME.xlsx or a folder NAME/ of such files; "
            f"NAME one of {', '.join(TABLES)})")


def rows_not_records(parts: dict[str, list[Part]]) -> list[DataWarning]:
    """A warning per file whose totals rows («Итого», «Всего», …) or signature lines under the
    table («Руководитель ____», «М.П.») the reading skipped: neither is a record, and the
    figures add the records themselves."""
    found = []
    for part in (part for table in parts for part in parts[table]):
        if part.totals:
            rows = plural(len(part.totals), "totals row", "totals rows")
            found.append(DataWarning("inputs.totals_row", f"{part.file}:{rows_text(part.totals)}: {rows} skipped: "
                                     "the figures add the records themselves", len(part.totals)))
        if part.signatures:
            rows = plural(len(part.signatures), "signature line", "signature lines")
            found.append(DataWarning("inputs.signature_row", f"{part.file}:{rows_text(part.signatures)}: {rows} "
                                     "under the table skipped", len(part.signatures)))
    return found


_SCALE_WORDS = {10 ** 3: "thousands", 10 ** 6: "millions", 10 ** 9: "billions"}


def scaled_columns(tables: dict[str, pd.DataFrame], parts: dict[str, list[Part]]) -> list[DataWarning]:
    """A warning per file and number column whose header names a scale («Сумма (тыс. тенге)»,
    `units`): its values were multiplied by it, so the figures count what the header says."""
    found = []
    for table, of_table in parts.items():
        frame = tables.get(table)
        for part in (part for part in of_table if part.scaled):
            rows = frame[frame["_file"] == part.file] if frame is not None else pd.DataFrame()
            for scaled in part.scaled:
                found.append(DataWarning(
                    "inputs.scaled_column", f"{part.file}: «{scaled.header}» read in "
                    f"{_SCALE_WORDS.get(scaled.factor, 'units')}: {scaled.times()} "
                    f"({plural(len(rows), 'row', 'rows')})", len(rows), labels(table, rows)))
    return found


def unknown_files(root: Path, hashes: dict[str, str], files: list[Path], shown: Shown | None = None) -> list[DataWarning]:
    """Every file of the inputs folder that belongs to no table and is none of grant.yml, a
    README or a narrative (which `validate` checks on its own): a warning naming it (as `shown`
    names it: a name that looks like personal data pseudonymised), never read; and every link
    leading outside the folder (never followed, whatever its name). Hidden files, Office lock
    files (~$…) and the system's are left alone."""
    read = {Path(f).relative_to(root).as_posix() for f in files}
    found = []
    for relative in sorted(hashes):
        parts = PurePosixPath(relative).parts
        name = parts[-1]
        if (relative in read or relative == paths.GRANT_FILE or parts[0] == paths.NARRATIVES_DIR
                or name.startswith((".", "~$")) or any(p.startswith(".") for p in parts)):
            continue
        named = shown.path(relative) if shown else relative
        if hashes[relative] == disk.LINK_OUT:
            found.append(DataWarning("inputs.unknown_file", f"{named}: {folder.LINKED_OUT}", 1))
        elif not (name.lower().startswith("readme") or name.lower() in _SYSTEM_FILES):
            found.append(DataWarning("inputs.unknown_file", f"{named}: {_unread_reason(relative)}", 1))
    return found


def sheets_of_no_table(unread: dict[str, list[UnreadSheet]]) -> list[DataWarning]:
    """Every sheet of a table's workbook whose first rows name no column of the table (an
    instructions sheet, a chart's data), in a workbook another sheet of which is the table: a
    warning naming it (`file › sheet`), never read. Counted as `inputs.unknown_file`: what
    was not read."""
    return [DataWarning("inputs.unknown_file", f"{sheet.name}: not read: {'a hidden sheet' if sheet.hidden else 'a sheet'}"
                        f" of no table (none of its first {HEADER_SEARCH_ROWS} non-blank rows names a column of «{table}»)", 1)
            for table, sheets in unread.items() for sheet in sheets if not sheet.empty]
