"""Ids and file names that look like personal data, pseudonymised once, where the inputs are read.

Grantees use what they have as ids: a questionnaire's respondent is an e-mail address (Google
Forms collects it) or an ИИН, a consultation is numbered by the beneficiary's ИИН, a list of
participants is saved as `participants/Иванов Иван Иванович.csv`. Row-level lineage would
publish them (manifest, notebooks, the report's registry, `explain`, `diff`, messages). So
right after the tables are read and typed (`loading.read_inputs`), every such value of an id
column (`ID_LABELS`) becomes a pseudonym (`анкета 17`), one map per kind of id shared by every
table that names it (feedback's consultation ids still name consultations' rows), and every
such file or sheet name becomes `файл N` / `лист N` in its folder or workbook. Everything
downstream (checks, figures, notebooks, manifests, messages) sees only the pseudonyms.

Numbering is stable: the same inputs give the same labels, in every output of a build and
from build to build. An id's number is its order of first appearance among the values of its
kind that look personal: tables in the contract's order (`schema.TABLES`), files in name
order, rows in file order. A file's number is its place among its folder's files in name
order (code point order, hidden files left out), a sheet's among its workbook's sheets as
read, a folder's among its parent's folders: with the inputs, a reviewer finds `file:row`.

Also here: a row with more cells than its header (an unquoted comma shifts a name into the
next columns) has none of its cells quoted in a message (`unquoted`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import pandas as pd

from pipeline.exceptions import InputError
from pipeline.inputs.reading import Part
from pipeline.inputs.schema import TABLES, person_key
from pipeline.inputs.sheets import SHEET_MARK

#: What a message shows instead of a cell it may not quote.
HIDDEN = "<скрыто>"

#: The id columns that may hold personal data, and the word of their pseudonyms. The other ids
#: (activity_id, topic_id, region, a metric's name) have a declared Latin shape (`ids.py`) and
#: become figure and file names: no personal datum fits them.
ID_LABELS = {"event_id": "мероприятие", "consultation_id": "консультация", "respondent_id": "анкета"}
FILE, SHEET, FOLDER = "файл", "лист", "папка"
#: The columns whose values are people's names: an id equal to one of them is a name.
NAME_COLUMNS = {"participants": "full_name", "consultations": "beneficiary"}

# ---------------------------------------------------------------- what looks like personal data

_IIN = re.compile(r"(?<!\d)\d(?: ?\d){11}(?!\d)")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?[\d\s().-]+")
_PLUS_PHONE = re.compile(r"\+\d[\d\s().-]{8,}\d")
_INITIALS = re.compile(r"(?:[^\W\d_]\. ?){1,2}")
_WORD_JOINS = re.compile(r"[-'’]")

IIN, PHONE, EMAIL, NAME = "ИИН/БИН", "phone", "e-mail", "name"


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _capitalised(word: str) -> bool:
    letters = _WORD_JOINS.sub("", word)
    return len(letters) >= 2 and letters.isalpha() and word[0].isupper()


def _name_shaped(text: str) -> bool:
    """Two or three capitalised words (`Иванов Иван`, `ЖАКУПОВ КАЙРАТ МАРАТОВИЧ`), or a
    capitalised word and initials (`Иванов И.И.`, `Иванов И. И.`)."""
    words = text.split()
    if 2 <= len(words) <= 3 and all(_capitalised(w) for w in words):
        return True
    surname, _, initials = text.partition(" ")
    return _capitalised(surname) and _INITIALS.fullmatch(initials.strip()) is not None and initials[:1].isupper()


def personal_shape(value: object, names: Collection[str] = ()) -> str | None:
    """What personal datum `value` looks like (IIN, PHONE, EMAIL or NAME), or None: a run of 12
    digits (spaces allowed) anywhere in it, an e-mail address anywhere in it, a phone number
    (the whole value: digits with + ( ) - . and spaces, at least 10 digits; or a + and 10 digits
    anywhere), a person's name: one of `names` (`person_key`s of the inputs' full_name and
    beneficiary), or `_name_shaped`. `T01`, `1.1`, `pvl-7`, `2022-01` are none of them."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    if _IIN.search(text):
        return IIN
    if _EMAIL.search(text):
        return EMAIL
    if _PHONE.fullmatch(text) and _digits(text) >= 10 or any(_digits(m[0]) >= 10 for m in _PLUS_PHONE.finditer(text)):
        return PHONE
    if person_key(text) in names or _name_shaped(text):
        return NAME
    return None


_NAME_SEPARATORS = re.compile(r"[\s_,;()\[\]]+")


def name_shape(name: str, names: Collection[str] = ()) -> str | None:
    """What personal datum a file, sheet or folder name holds: as `personal_shape` tells, or a
    name anywhere in it, words joined by spaces or underscores (`2022-05-12 Иванов Иван`,
    `список_Иванов_Иван`): two or three consecutive words that are a name."""
    found = personal_shape(name, names)
    if found:
        return found
    words = [w for w in _NAME_SEPARATORS.split(name) if w]
    spans = (" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1))
    return NAME if any(person_key(span) in names or (" " in span and _name_shaped(span)) for span in spans) else None


def people_names(tables: Mapping[str, pd.DataFrame]) -> frozenset[str]:
    """Every full_name and beneficiary of the inputs, as `person_key` folds them."""
    found: set[str] = set()
    for table, column in NAME_COLUMNS.items():
        frame = tables.get(table)
        if frame is not None and column in frame:
            found.update(person_key(v) for v in frame[column].dropna().astype(str) if v.strip())
    return frozenset(found)


# ---------------------------------------------------------------- file and sheet names

def _visible(name: str) -> bool:
    return not name.startswith((".", "~$"))


def path_labels(paths: Iterable[str], names: Collection[str] = ()) -> dict[str, str]:
    """The shown path of every path of `paths` (relative, `/`-separated) with a segment that
    looks personal: a file's name becomes `файл N` (its suffix kept), N its place among its
    folder's files in name order; a folder's becomes `папка N` among its parent's folders."""
    known = sorted({p for p in paths if p})
    files: dict[str, list[str]] = {}
    folders: dict[str, set[str]] = {}
    for path in known:
        parts = PurePosixPath(path).parts
        for depth in range(len(parts) - 1):
            folders.setdefault("/".join(parts[:depth]), set()).add(parts[depth])
        files.setdefault("/".join(parts[:-1]), []).append(parts[-1])

    def shown_segment(parent: str, segment: str, is_file: bool) -> str:
        stem = PurePosixPath(segment).stem if is_file else segment
        if not name_shape(stem, names):
            return segment
        siblings = [s for s in (files.get(parent, []) if is_file else sorted(folders.get(parent, ()))) if _visible(s)]
        number = siblings.index(segment) + 1 if segment in siblings else len(siblings) + 1
        label = f"{FILE if is_file else FOLDER} {number}"
        return label + PurePosixPath(segment).suffix if is_file else label

    labels = {}
    for path in known:
        parts = PurePosixPath(path).parts
        shown = [shown_segment("/".join(parts[:i]), part, i == len(parts) - 1) for i, part in enumerate(parts)]
        if list(parts) != shown:
            labels[path] = "/".join(shown)
    return labels


_SHEET_EDGES = " \t›>:#!|/\\()[]«»\"'"


def source_labels(sources: Iterable[str], paths: Iterable[str], names: Collection[str] = ()) -> dict[str, str]:
    """The shown name of every source (a part's `file`: a path, or a path and a sheet of its
    workbook, `people.xlsx › Лист1` in whatever form the reading writes it) whose path or sheet
    looks personal: the path as `path_labels` shows it, the sheet as `лист N`, N its place among
    the workbook's sheets in `sources`' order."""
    known = sorted({*paths}, key=lambda path: (-len(path), path))
    by_path = path_labels(known, names)
    sheets: dict[str, list[str]] = {}
    split: dict[str, tuple[str, str]] = {}
    for source in dict.fromkeys(sources):
        base = source if source in by_path else next(
            (p for p in known if source.startswith(p) and source[len(p):][:1] in _SHEET_EDGES), source)
        split[source] = (base, source[len(base):])
        if source != base:
            sheets.setdefault(base, []).append(source)
    labels = {}
    for source, (base, rest) in split.items():
        sheet = rest.strip(_SHEET_EDGES)
        if sheet and name_shape(sheet, names):
            rest = rest.replace(sheet, f"{SHEET} {sheets[base].index(source) + 1}")
        shown = by_path.get(base, base) + rest
        if shown != source:
            labels[source] = shown
    return {**by_path, **labels}


# ---------------------------------------------------------------- the whole reading

@dataclass(frozen=True)
class Shown:
    """How the outputs name what looked like personal data: ids by column (raw → pseudonym),
    sources (files and sheets, raw → shown); and `validate`'s line for each column and for the
    file names."""

    ids: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def path(self, relative: str) -> str:
        """A path of the inputs folder (or a part's name) as every output shows it."""
        return self.sources.get(relative, relative)

    def problem(self, problem: InputError) -> InputError:
        """A message as every output shows it: its file and its id pseudonymised."""
        value = self.ids.get(problem.column or "", {}).get(str(problem.value), problem.value)
        file = self.path(problem.file)
        if file == problem.file and value is problem.value:
            return problem
        return InputError(file, problem.row, problem.column, value, problem.expected)


def _made_ids(frame: pd.DataFrame, parts: Iterable[Part], sources: Mapping[str, str]) -> pd.DataFrame:
    """A respondent id the reading made from a part's name and row (`file:row`) names the part
    as the outputs show it."""
    renamed = [part.file for part in parts if "respondent_id" in part.made and part.file in sources]
    if not renamed or "respondent_id" not in frame:
        return frame
    rows = frame["_file"].isin(renamed)
    frame = frame.copy()
    frame.loc[rows, "respondent_id"] = (frame.loc[rows, "_file"].map(sources) + ":"
                                        + frame.loc[rows, "_row"].astype(str))
    return frame


def _id_labels(tables: Mapping[str, pd.DataFrame], names: Collection[str]) -> dict[str, dict[str, str]]:
    """One map per kind of id, raw → `<word> N`, numbered in order of first appearance (tables
    in the contract's order, rows in order) among the values that look personal; a number whose
    label is some raw value of that kind is skipped, so no two ids become one."""
    labels: dict[str, dict[str, str]] = {}
    for column, word in ID_LABELS.items():
        values = [str(v) for table in TABLES if column in tables.get(table, ())
                  for v in tables[table][column].dropna()]
        taken, found = set(values), labels.setdefault(column, {})
        number = 0
        for value in dict.fromkeys(values):
            if personal_shape(value, names):
                number += 1
                while f"{word} {number}" in taken:
                    number += 1
                found[value] = f"{word} {number}"
    return labels


def _column_notes(tables: Mapping[str, pd.DataFrame], ids: Mapping[str, Mapping[str, str]],
                  names: Collection[str]) -> list[str]:
    notes = []
    for table in TABLES:
        for column, word in ID_LABELS.items():
            frame = tables.get(table)
            if frame is None or column not in frame or not ids.get(column):
                continue
            hit = [v for v in dict.fromkeys(frame[column].dropna().astype(str)) if v in ids[column]]
            if hit:
                shapes = ", ".join(dict.fromkeys(str(personal_shape(v, names)) for v in hit))
                notes.append(f"{table}.{column}: {len(hit)} id{'s' if len(hit) > 1 else ''} look like personal data "
                             f"({shapes}): every output and message shows them as «{word} N»")
    return notes


def _file_note(sources: Mapping[str, str], names: Collection[str]) -> list[str]:
    if not sources:
        return []
    kinds = {FILE: "file", SHEET: "sheet", FOLDER: "folder"}
    counted = {word: sum(1 for shown in sources.values() if f"{word} " in shown) for word in kinds}
    said = ", ".join(f"{n} {kinds[w]}{'s' if n > 1 else ''}" for w, n in counted.items() if n)
    return [f"file names: {said} named like personal data: every output and message shows "
            f"them as «{FILE} N» («{SHEET} N», «{FOLDER} N»), N its place in its folder (docs/untrusted-inputs.md)"]


@dataclass(frozen=True)
class Pseudonymised:
    """The tables, parts and problems of a reading, as every output may show them."""

    tables: dict[str, pd.DataFrame]
    parts: dict[str, list[Part]]
    problems: list[InputError]
    shown: Shown


def pseudonymise(tables: Mapping[str, pd.DataFrame], parts: Mapping[str, list[Part]],
                 problems: Iterable[InputError], paths: Iterable[str], unread: Iterable[str] = ()) -> Pseudonymised:
    """Every id and file or sheet name that looks like personal data replaced by its pseudonym,
    in the tables (id columns, `_file`), the parts and the problems (whose cells on rows with
    more cells than their header are not quoted: `unquoted`). `paths`: every file of the inputs
    folder, relative (the places files are numbered by); `unread`: the workbooks' sheets not read
    (`file › sheet`), named by the warnings."""
    names = people_names(tables)
    every_part = [part for found in parts.values() for part in found]
    sources = source_labels([*(part.file for part in every_part), *unread], [*paths, *(p.path for p in every_part)],
                            names)
    renamed: dict[str, pd.DataFrame] = {}
    for table, frame in tables.items():
        frame = _made_ids(frame, parts.get(table, ()), sources)
        if sources and "_file" in frame and frame["_file"].isin(list(sources)).any():
            frame = frame.assign(_file=frame["_file"].map(lambda f: sources.get(f, f)))
        renamed[table] = frame
    ids = _id_labels(renamed, names)
    notes = (*_column_notes(renamed, ids, names), *_file_note(sources, names))
    for table, frame in renamed.items():
        changed = {c: frame[c].map(lambda v, m=ids[c]: m.get(v, v) if isinstance(v, str) else v)
                   for c in ID_LABELS if c in frame and ids.get(c)}
        if changed:
            renamed[table] = frame.assign(**changed)
    shown = Shown(ids, sources, notes)
    told = [shown.problem(p) for p in unquoted(list(problems), every_part)]
    new_parts = {table: [_shown_part(part, shown) for part in found] for table, found in parts.items()}
    return Pseudonymised(renamed, new_parts, told, shown)


def _shown_part(part: Part, shown: Shown) -> Part:
    """A part as the outputs name it: its file, and its sheet's title, pseudonymised."""
    file = shown.path(part.file)
    if file == part.file:
        return part
    sheet = file[len(shown.path(part.path) + SHEET_MARK):] if part.sheet else ""
    return dataclasses.replace(part, file=file, sheet=sheet)


# ---------------------------------------------------------------- rows with more cells than their header

SPILLED = ("the row has more cells than its header line (a value with a comma or semicolon not in quotes "
           "shifts the next ones: quote it): its cells are not shown")


def unquoted(problems: list[InputError], parts: Iterable[Part], rules: Collection[str] = ()) -> list[InputError]:
    """The problems of rows with more cells than their header (`Part.spilled`) without their
    cell: a name or a phone number written with a comma, unquoted, spills into the next
    columns, so no cell of such a row is quoted, in any table. `rules`: the texts of messages
    that quote another cell of the row after them, in parentheses: cut to the text."""
    spilled = {(part.file, line) for part in parts for line in part.spilled}
    if not spilled:
        return problems
    told = []
    for problem in problems:
        if (problem.file, problem.row) not in spilled or problem.column is None:
            told.append(problem)
            continue
        value = HIDDEN if str(problem.value or "").strip() else problem.value
        expected = next((rule for rule in rules if problem.expected.startswith(rule)), problem.expected)
        told.append(InputError(problem.file, problem.row, problem.column, value, f"{expected}: {SPILLED}"))
    return told
