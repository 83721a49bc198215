"""Matching a file's header row to the contract's columns, and finding that row.

A header cell names a contract column by its contract name (`full_name`), by a Russian or
Kazakh name declared beside the schema (`ФИО`, `Аты-жөні`), by the grant's own names
(grant.yml `columns:`) or by a form's question text (grant.yml `questionnaires:`). Matching
folds case, spaces, punctuation, «№» and ё/е, so `Ф.И.О.`, `фио` and `ФИО ` are one name; a note
in parentheses or after a comma (`Сумма (тенге)`, `Сумма, тенге`) and a KoboToolbox group prefix
(`group_x/Дата`) are read past.
A form's time of submission (Google Forms' «Отметка времени», KoboToolbox's `_submission_time`)
gives `date` when the file names no date column; KoboToolbox's other `_` columns and every
header no column takes are ignored (listed, never read); so is a column of signatures
(«Подпись», «Қолы»), whose lines to sign on make no row a signature line. Pure functions: no
files here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.exceptions import InputError
from pipeline.inputs.schema import TABLES, header_names

#: The header row is looked for among this many first non-blank rows of a file.
HEADER_SEARCH_ROWS = 10

#: The column a form's time of submission gives, when the file names none itself.
SUBMISSION_COLUMN = "date"
#: Headers of a form's time of submission: Google Forms (Russian, English, Kazakh) and KoboToolbox.
SUBMISSION_TIME = ("Отметка времени", "Timestamp", "Уақыт белгісі", "_submission_time")

#: The first word of a totals row's first filled cell: Russian, Kazakh, English.
TOTALS_WORDS = frozenset({"итого", "итог", "всего", "барлығы", "барлыгы", "жиыны", "жиынтығы", "total", "totals"})

#: The first word of a signature line's first filled cell, below a table as forms have them
#: («Руководитель проекта ________ Иванова А.», «М.П.»): Russian and Kazakh.
SIGNING_WORDS = frozenset({"руководитель", "директор", "председатель", "исполнитель", "исполнила", "исполнил",
                           "координатор", "бухгалтер", "главный", "подпись", "мп", "басшы", "директоры",
                           "төраға", "орындаушы", "үйлестіруші", "қолы"})
_SIGNATURE_BLANK = re.compile(r"_{3,}")
#: A word of the header of a column that holds signatures (a registration list signed on paper,
#: typed in with its lines: «Подпись», «Подпись участника», «Қолы»): Russian, Kazakh (also
#: typed without Kazakh letters), English. Such a column is read past and its lines make no
#: row a signature line.
SIGNATURE_HEADER_WORDS = frozenset({"подпись", "подписи", "роспись", "қолы", "қол", "колы", "signature", "signatures"})

#: Numbering columns' headers, folded: «№», «#», «№ п/п», «No.», Kazakh «р/с» (реттік саны).
NUMBERING = frozenset({"", "пп", "нпп", "no", "n", "nr", "рс", "рн"})

#: Tables whose files may each be one event's (`training_surveys/T001.csv`): a part without an
#: `event_id` column takes the file's name as its event id.
EVENT_PARTS = frozenset({"participants", "training_surveys"})
#: A column the reading makes, when a file lacks it, from the file's name and row: no personal data.
ROW_IDS = ("respondent_id",)
#: Tables a form (Google Forms, KoboToolbox) may give, read through grant.yml `questionnaires:`.
FORM_TABLES = ("training_surveys", "feedback")

_NOT_ALNUM = re.compile(r"[\W_]+")
_PARENTHESES = re.compile(r"\([^()]*\)")
_GROUPS = re.compile(r"^(?:[^\s/]+/)+")
_KOBO_OWN = re.compile(r"_+[A-Za-z]")  # `_id`, `__version__`; not a line to sign on, `______`
_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=1 << 14, typed=True)
def fold(text: str) -> str:
    """A header as it is compared: case folded, ё read as е, only letters and digits kept
    (spaces, punctuation, «№» and `_` dropped)."""
    return _NOT_ALNUM.sub("", str(text).casefold().replace("ё", "е"))


def _readings(text: str) -> list[str]:
    """The ways a header may name a column, tried in turn: as written; without notes in
    parentheses (`Сумма (тенге)`); without a KoboToolbox group prefix (what follows the last `/`
    outside parentheses: `group_x/Дата`); without a note after a comma (`Сумма, тенге`)."""
    bare = _PARENTHESES.sub(" ", text)
    readings = [text, bare, bare.split(",", 1)[0]]
    if "/" in bare:  # group names (`group_x/`, no spaces), else group labels: all before the last `/`
        for unprefixed in (_GROUPS.sub("", bare), bare.rsplit("/", 1)[1]):
            readings += [unprefixed, unprefixed.split(",", 1)[0]]
    return readings


_SUBMISSION_NAMES = frozenset(fold(name) for name in SUBMISSION_TIME)


@functools.lru_cache(maxsize=1 << 14, typed=True)
def _is_form_meta(text: str) -> bool:
    """A form's column of its own: its time of submission, KoboToolbox's `_id`, `_uuid`,
    `_index`, `__version__`…"""
    return _KOBO_OWN.match(text.strip()) is not None or fold(text) in _SUBMISSION_NAMES


@dataclass(frozen=True)
class Vocabulary:
    """Every name a header may give each column of one table: folded name → contract column."""

    table: str
    names: Mapping[str, str]
    submission: frozenset[str] = field(default_factory=frozenset)
    #: The grant's currency (grant.yml `currency`), what an amount's header may name
    #: (`units`); None when grant.yml does not read.
    currency: str | None = None
    _seen: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def column(self, text: str) -> str | None:
        """The contract column a header cell names, or None."""
        if text not in self._seen:  # each text once: the first rows are scored under every separator
            folded = (fold(reading) for reading in _readings(text))
            self._seen[text] = next((self.names[f] for f in folded if f and f in self.names), None)
        return self._seen[text]

    def is_submission_time(self, text: str) -> bool:
        return fold(text) in self.submission

    def knows(self, text: str) -> bool:
        """Whether a header cell is one a header row of this table may hold: a column's name, a
        form's time of submission or a KoboToolbox column of its own."""
        return self.column(text) is not None or _is_form_meta(text)


def vocabulary(table: str, columns: Mapping[str, str] | None = None,
               questions: Mapping[str, str] | None = None, currency: str | None = None) -> Vocabulary:
    """The names of `table`'s columns: contract names, their Russian and Kazakh names, then a
    form's question texts (`questions`: column → question) and the grant's own header names
    (`columns`: header → column), each later one taking a name from an earlier one; and the
    grant's `currency`."""
    names: dict[str, str] = {}
    for column in TABLES[table]:
        russian, kazakh = header_names(table, column.name)
        for name in (column.name, *russian, *kazakh):
            names[fold(name)] = column.name
    for column_name, question in (questions or {}).items():
        names[fold(question)] = column_name
    for header, column_name in (columns or {}).items():
        names[fold(header)] = column_name
    names.pop("", None)
    has_date = any(column.name == SUBMISSION_COLUMN for column in TABLES[table])
    return Vocabulary(table, names, _SUBMISSION_NAMES if has_date else frozenset(), currency)


# ---------------------------------------------------------------- finding the header row

Row = tuple[int, Sequence[str]]  # (line or row number as the user sees it, cells)


def filled(cells: Sequence[str]) -> list[str]:
    return [text for cell in cells if (text := str(cell).strip())]


def header_score(cells: Sequence[str], vocabulary: Vocabulary) -> int:
    """How many cells of a row are names a header row of the table may hold."""
    return sum(vocabulary.knows(text) for text in filled(cells))


def find_header(rows: Sequence[Row], vocabulary: Vocabulary, display: str) -> int:
    """The index in `rows` (a file's first non-blank rows) of its header: the row naming the
    most of the table's columns, the first of them on a tie. Rows above it are titles. A row
    naming none is never the header: then one line says which row was looked at, what it
    holds and what was expected."""
    scores = [header_score(cells, vocabulary) for _, cells in rows]
    best = max(scores, default=0)
    if best:
        return scores.index(best)
    raise no_header(rows, vocabulary, display)


def _shown_cells(cells: Sequence[str], table: str) -> str:
    """What the no-header message may show of a row: its texts, cut short; never the cells of
    a table holding personal data (the row may be a person's, when the header is missing)."""
    texts = filled(cells)
    if any(column.personal for column in TABLES[table]):
        return f"{len(texts)} filled cell{'s' if len(texts) != 1 else ''} (not shown: «{table}» holds personal data)"
    shown = [text if len(text) <= 40 else text[:39] + "…" for text in texts[:6]]
    more = f" and {len(texts) - 6} more" if len(texts) > 6 else ""
    return ", ".join(f"«{text}»" for text in shown) + more


def expected_header(table: str) -> str:
    """The required columns of a table, each with its first Russian name."""
    required = [f"{column.name} («{header_names(table, column.name)[0][0]}»)"
                for column in TABLES[table] if column.required]
    form = " (a form's export: its questions named in grant.yml `questionnaires:`)" if table in FORM_TABLES else ""
    return f"expected a header row naming {', '.join(required)}{form}"


def no_header(rows: Sequence[Row], vocabulary: Vocabulary, display: str) -> InputError:
    """No header row found: named by the row looked at (the widest of the first rows, where a
    header would be) and what it holds."""
    widths = [len(filled(cells)) for _, cells in rows]
    line, cells = rows[widths.index(max(widths))]
    which = f"the widest of the first {len(rows)} non-blank rows" if len(rows) > 1 else "the only non-blank row"
    return InputError(display, line, expected=f"no header row found: this row ({which}) holds "
                      f"{_shown_cells(cells, vocabulary.table)}, and none of those rows names a column of "
                      f"«{vocabulary.table}»; {expected_header(vocabulary.table)}")

# ---------------------------------------------------------------- matching the header row

@dataclass(frozen=True)
class Header:
    """A header row matched: where each contract column is, and the headers no column takes."""

    positions: Mapping[str, int]  # contract column → its position in the row, in the row's order
    ignored: tuple[str, ...]  # the texts of the other named headers, as written
    numbering: frozenset[int] = frozenset()  # positions of numbering columns («№», «№ п/п», «#»)
    signatures: frozenset[int] = frozenset()  # positions of columns of signatures («Подпись», «Қолы»)

    @property
    def forms_own(self) -> frozenset[int]:
        """Positions of the columns a printed form has beside its records, numbering and
        signatures: a row with values only there is a template row left empty."""
        return self.numbering | self.signatures


def column_letter(position: int) -> str:
    """A spreadsheet's name of the column at 0-based `position`: A, …, Z, AA, …"""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def match_header(cells: Sequence[str], vocabulary: Vocabulary, display: str, line: int) -> Header:
    """Each named cell of a header row to its contract column; two cells naming one column are
    one line naming both. A form's time of submission gives `date` when no cell names it."""
    positions: dict[str, int] = {}
    ignored: list[str] = []
    submission: list[int] = []
    for position, cell in enumerate(cells):
        text = str(cell).strip().lstrip("\ufeff")
        column = vocabulary.column(text) if text else None
        if column is None:
            if vocabulary.is_submission_time(text):
                submission.append(position)
            elif text:
                ignored.append(text)
            continue
        if column in positions:
            first, columns = positions[column], f"columns {column_letter(positions[column])} and {column_letter(position)}"
            named = (f"the column «{column}» is named twice ({columns})" if fold(cells[first]) == fold(text) else
                     f"«{str(cells[first]).strip()}» and «{text}» ({columns}) both name the column «{column}»")
            raise InputError(display, line, expected=f"{named}: keep one of them")
        positions[column] = position
    if submission and SUBMISSION_COLUMN not in positions:
        positions[SUBMISSION_COLUMN] = submission.pop(0)
    ignored += [str(cells[p]).strip() for p in submission]
    ordered = dict(sorted(positions.items(), key=lambda item: item[1]))
    numbering = frozenset(p for p, cell in enumerate(cells) if str(cell).strip() and fold(cell) in NUMBERING)
    signatures = frozenset(p for p, cell in enumerate(cells) if p not in positions.values() and holds_signatures(cell))
    return Header(ordered, tuple(ignored), numbering, signatures)


def holds_signatures(header: str) -> bool:
    """A header saying its column holds signatures: a word of it is one of SIGNATURE_HEADER_WORDS."""
    return any(word in SIGNATURE_HEADER_WORDS for word in _WORD.findall(str(header).casefold().replace("ё", "е")))


def is_totals(cells: Sequence[str]) -> bool:
    """A totals row: its first filled cell starts with «Итого», «Всего», «Барлығы» or «Total»."""
    first = next((text for cell in cells if (text := cell.strip())), "")
    if not first[:1].isalpha():  # most rows: an id or a number first
        return False
    word = _WORD.match(first.casefold())
    return word is not None and word.group() in TOTALS_WORDS


def is_signature(cells: Sequence[str], read_past: Collection[int] = ()) -> bool:
    """A row that looks like a signature line: at most three filled cells (those at `read_past`,
    a column of signatures, not looked at), one of them holding a line to sign on (`________`),
    or a single one starting with a signing word («Руководитель проекта Иванова А.», «М.П.»,
    «Басшы»). A job title beside a name («Директор школы», «Иванов И.») is a record's, and a
    record fills more cells. Only such rows after a table's last record are its signature lines
    (`reading.read_part`)."""
    filled_cells = [text for at, cell in enumerate(cells) if at not in read_past and (text := cell.strip())]
    if not filled_cells or len(filled_cells) > 3:
        return False
    if any(_SIGNATURE_BLANK.search(text) for text in filled_cells):
        return True
    first = filled_cells[0]
    word = _WORD.match(first.casefold().replace(".", ""))
    return len(filled_cells) == 1 and first[:1].isalpha() and word is not None and word.group() in SIGNING_WORDS


def is_column_numbers(cells: Sequence[str], header: Sequence[str]) -> bool:
    """A row numbering the header's columns (1, 2, 3, … under every named header), as official
    forms have right below their header: part of the header, not a record."""
    named = filled(header)
    return len(named) > 1 and filled(cells) == [str(n) for n in range(1, len(named) + 1)]


def missing_column(table: str, column: str) -> str:
    """What a header row lacking a required column should have had: its names (and, for an
    event's parts, the file names that give it)."""
    russian, kazakh = header_names(table, column)
    names = ", ".join(f"«{name}»" for name in (*russian, *kazakh, column))
    parts = (f"; or files named by event id in a folder {table}/" if table in EVENT_PARTS and column == "event_id"
             else "")
    return f"missing column «{column}»: expected a header such as {names} (or one named in grant.yml `columns:`{parts})"
