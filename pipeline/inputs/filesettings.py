"""grant.yml's `files:` against the inputs folder: which table each file matched belongs to,
and the value of the columns it does not have (a lawyer's journal is its region and
activity; a KoboToolbox export named as it downloads is the feedback table).

A glob is relative to the inputs folder, `*` and `**` as `pathlib` has them, and matches the
spreadsheets of the folder (`.csv`, `.xlsx`; not hidden, not an Office lock file, none under
narratives/). A file matched by two globs, a glob matching nothing, a file of no table without
`table:`, a column its table does not have: each one line naming grant.yml's line.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path, PurePosixPath

import pandas as pd

from pipeline import paths
from pipeline.disk import leads_inside
from pipeline.exceptions import InputError, PipelineError
from pipeline.inputs.folder import TABLE_SUFFIXES, is_table_file
from pipeline.inputs.grant import TABLE_KEY, FileSetting, Grant, grant_text, parse_grant
from pipeline.inputs.schema import TABLES
from pipeline.inputs.yamlwalk import Loc, read_yaml

GRANT = paths.GRANT_FILE


@dataclass(frozen=True)
class Applied:
    """What `files:` says of one file: its table, the glob that matched it and its constant
    columns (column, value as written)."""

    table: str
    glob: str
    columns: tuple[tuple[str, str], ...] = ()
    moved: bool = False  # `table:` named its table (it is no default file of that table)


@dataclass(frozen=True)
class FileSettings:
    """The settings of the folder's files, by relative path, and the problems of `files:`."""

    by_file: dict[str, Applied] = field(default_factory=dict)
    problems: tuple[InputError, ...] = ()

    def files_of(self, table: str) -> list[str]:
        """The files `files:` gives `table` that are not its by name."""
        return sorted(file for file, applied in self.by_file.items() if applied.table == table and applied.moved)

    def taken_from(self, table: str) -> set[str]:
        """`table`'s files by name that `files:` gives another table."""
        return {file for file, applied in self.by_file.items() if applied.table != table and default_table(file) == table}


NONE = FileSettings()


def default_table(relative: str) -> str | None:
    """The table a file belongs to by its name alone: NAME.csv, NAME.xlsx, NAME/part."""
    if not is_table_file(relative):
        return None
    parts = PurePosixPath(relative).parts
    return parts[0] if len(parts) > 1 else PurePosixPath(parts[0]).stem


def spreadsheets(root: Path) -> list[str]:
    """Every .csv and .xlsx file of the folder a `files:` glob may match, by relative path."""
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if (path.suffix.lower() in TABLE_SUFFIXES and not any(p.startswith((".", "~$")) for p in relative.parts)
                and relative.parts[0] != paths.NARRATIVES_DIR and path.is_file() and leads_inside(root, path)):
            found.append(relative.as_posix())
    return found


def _matches(root: Path, glob: str, candidates: set[str]) -> list[str]:
    try:
        found = {path.relative_to(root).as_posix() for path in root.glob(glob)}
    except (ValueError, NotImplementedError):  # a pattern pathlib refuses ("**x")
        return []
    return sorted(found & candidates)


def _column_problem(table: str, column: str, line: int | None, glob: str) -> InputError:
    names = [c.name for c in TABLES[table]]
    close = difflib.get_close_matches(column, names, n=1)
    said = f"did you mean «{close[0]}»?" if close else f"expected a column of {table} ({', '.join(names)})"
    return InputError(GRANT, line, expected=f"files «{glob}»: «{column}» is not a column of {table}: {said}")


def resolve(root: Path, grant: Grant, lines: dict[Loc, int]) -> FileSettings:
    """Each file the globs of `files:` match, with its table and constant columns; every
    problem of `files:` as one line naming its line in grant.yml."""
    if not grant.files:
        return NONE
    candidates = set(spreadsheets(root))
    by_file: dict[str, Applied] = {}
    first: dict[str, str] = {}
    problems: list[InputError] = []
    for glob, setting in grant.files.items():
        line = lines.get(("files", glob))
        matched = _matches(root, glob, candidates)
        if not matched:
            problems.append(InputError(GRANT, line, expected=f"files «{glob}»: matches no .csv or .xlsx file of the "
                                       "inputs folder (a pattern relative to it: `*` any name, `**` any folders)"))
            continue
        for file in matched:
            if file in first:
                problems.append(InputError(GRANT, line, expected=(
                    f"files «{glob}»: {file} is also matched by «{first[file]}» (line {lines.get(('files', first[file]))}):"
                    " one file, one entry")))
                continue
            first[file] = glob
            applied = _applied(file, glob, setting, lines, problems)
            if applied is not None:
                by_file[file] = applied
    return FileSettings(by_file, tuple(dict.fromkeys(problems)))


def _applied(file: str, glob: str, setting: FileSetting, lines: dict[Loc, int],
             problems: list[InputError]) -> Applied | None:
    """One file's settings; None (with a problem) when its table is not known or a column is not its table's."""
    named = default_table(file)
    table = setting.table or named
    if table is None:
        problems.append(InputError(GRANT, lines.get(("files", glob)), expected=(
            f"files «{glob}»: {file} belongs to no table by its name: say which, `{TABLE_KEY}: <table>` "
            f"({', '.join(TABLES)})")))
        return None
    names = {c.name for c in TABLES[table]}
    wrong = [column for column in setting.columns if column not in names]
    for column in wrong:
        problems.append(_column_problem(table, column, lines.get(("files", glob, column)), glob))
    if wrong:
        return None
    return Applied(table, glob, tuple(setting.columns.items()), moved=table != named)


def for_grant(root: Path, grant: Grant) -> FileSettings:
    """The folder's file settings, `grant` being its grant.yml as read."""
    if not grant.files:
        return NONE
    return resolve(root, grant, read_yaml(grant_text(root))[1])


@cache
def _of_folder(root: str, text: str, folders: tuple[tuple[str, int], ...]) -> FileSettings:
    """`of_folder`, once per grant.yml and state of the folder (`folders`: its own and its
    folders' modification times, which a file added or removed changes)."""
    return resolve(Path(root), parse_grant(text), read_yaml(text)[1])


def _folders(root: Path) -> tuple[tuple[str, int], ...]:
    found = [(".", root.stat().st_mtime_ns)]
    found += [(entry.name, entry.stat().st_mtime_ns) for entry in os.scandir(root) if entry.is_dir()]
    return tuple(found)


def of_folder(root: Path) -> FileSettings:
    """The folder's file settings from its own grant.yml (none while it does not read): for
    what knows the folder but not its grant (a report's provenance, figure by figure; `init`'s
    to-do list)."""
    try:
        text = grant_text(root)
        return _of_folder(str(root), text, _folders(root) if "files" in text else ())
    except PipelineError:  # a grant.yml that does not read: validate tells why
        return NONE


# ---------------------------------------------------------------- an event id in a part's name

def event_ids_in(name: str, ids: set[str]) -> list[str]:
    """The event ids standing in `name` as whole words (no letter or digit either side), in its
    case or else in any; one standing inside a longer one found (T01 in T01-2) left out."""
    for flags in (0, re.IGNORECASE):
        found = [i for i in ids if re.search(rf"(?<![^\W_]){re.escape(i)}(?![^\W_])", name, flags)]
        if found:
            return sorted(i for i in found if not any(i != other and i.casefold() in other.casefold()
                                                      for other in found))
    return []


def named_events(raw: pd.DataFrame, event_ids: set[str]) -> pd.DataFrame:
    """A table's parts whose event id the reading took from their name (`Part.event_from`), but
    whose name is no event id: the one event id of `event_ids` standing in the name as a whole
    word (a Google Forms export «Анкета участника тренинга T01 (Ответы) - Ответы на форму (1)»)
    becomes the part's (said in validate's summary, `Part.named_event`); two or more are told
    with the problem of the name (a `files:` entry says which)."""
    parts = raw.attrs.get("parts", [])
    if not event_ids or not any(part.event_from for part in parts):
        return raw
    raw = raw.copy()
    kept = []
    for part in parts:
        rows = raw["_file"] == part.file
        name = str(raw.loc[rows, "event_id"].iloc[0]) if part.event_from and rows.any() else ""
        found = event_ids_in(name, event_ids) if name and name not in event_ids else []
        if len(found) == 1:
            raw.loc[rows, "event_id"] = found[0]
            part = replace(part, named_event=found[0])
        elif found:
            part = replace(part, event_from=f"{part.event_from}, which holds the event ids {' and '.join(found)}: say "
                           f"which in grant.yml (files: {json.dumps(part.path, ensure_ascii=False)}: {{event_id: …}})")
        kept.append(part)
    raw.attrs = {**raw.attrs, "parts": kept}
    return raw
