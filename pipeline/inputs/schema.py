"""The inputs contract, declared once: every table, its columns and their kinds.

Loading, validation and the audit trail all read these declarations; nothing else
spells out column names of the contract.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pipeline.ids import ACTIVITY, NAME, IdShape

EVENT_TYPES = ("conference", "training", "meeting", "presentation", "round_table", "other")
OWNERS = ("own", "partner", "press")
FORMATS = ("online", "offline")

# Values that identify people: read and counted, never shown anywhere.
PERSONAL_COLUMNS = frozenset({"full_name", "beneficiary", "comment"})


@dataclass(frozen=True)
class Column:
    """One column of a table.

    kind: text | id | date | number | int | score | bool | enum.
    required: the column must be present; nonblank: every row must fill it.
    """

    name: str
    kind: str = "text"
    required: bool = True
    nonblank: bool = False
    choices: tuple[str, ...] = ()
    #: For the ids that become parts of figure names and file names: the shape they must have.
    shape: IdShape | None = None

    @property
    def personal(self) -> bool:
        return self.name in PERSONAL_COLUMNS


def _id(name: str, required: bool = True, shape: IdShape | None = None) -> Column:
    return Column(name, "id", required=required, nonblank=required, shape=shape)


def _date(name: str, required: bool = True) -> Column:
    return Column(name, "date", required=required, nonblank=required)


TABLES: dict[str, tuple[Column, ...]] = {
    "plan": (
        Column("task_no"), Column("task"), _id("activity_id", shape=ACTIVITY), Column("activity"),
        Column("deadline"), Column("indicator"),
        Column("target", "number", required=False), Column("unit", required=False),
        Column("budget", "number", required=False),
        # the texts in Kazakh, for a report in Kazakh (`bilingual.plan_in`)
        Column("task_kk", required=False), Column("activity_kk", required=False),
        Column("indicator_kk", required=False), Column("deadline_kk", required=False),
    ),
    "centres": (
        _id("region"), Column("name"), _date("opened"),
        Column("coordinator", required=False), _date("memorandum_date", required=False),
    ),
    "events": (
        _id("event_id"), _id("activity_id"),
        Column("type", "enum", nonblank=True, choices=EVENT_TYPES),
        Column("title"), _id("topic_id", required=False, shape=NAME), _id("region"),
        Column("settlement", required=False), _date("start_date"), _date("end_date", required=False),
        Column("format", "enum", nonblank=True, choices=FORMATS),
        Column("reported_participants", "int", required=False),
    ),
    "participants": (
        _id("event_id"), Column("full_name", nonblank=True),
        Column("category", required=False), Column("gender", required=False),
    ),
    "consultations": (
        _id("consultation_id"), _id("activity_id"), _date("date"), _id("region"),
        Column("beneficiary"), Column("topic"), Column("answered", "bool"),
    ),
    "feedback": (
        _id("consultation_id"), _id("activity_id"), _date("date"), Column("answered", "bool"),
        Column("satisfaction", "score", required=False), Column("positive", "bool", required=False),
        Column("comment", required=False),
    ),
    "training_surveys": (
        _id("event_id"), _id("respondent_id"),
        Column("knowledge_before", "score", required=False),
        Column("knowledge_after", "score", required=False),
        Column("trainer", "score", required=False),
        Column("organisation", "score", required=False),
        Column("recommendation", required=False),
    ),
    "media": (
        _date("date"), Column("platform"), Column("account"),
        Column("owner", "enum", nonblank=True, choices=OWNERS), Column("title"),
        Column("language", required=False), Column("reach", "int", required=False),
        Column("publications", "int", required=False), Column("url", required=False),
        _id("region", required=False), _id("activity_id", required=False),
    ),
    "expenses": (
        _date("date"), _id("activity_id"), Column("amount", "number", nonblank=True),
        Column("description", required=False), Column("document", required=False),
        _id("region", required=False),
    ),
    "metrics": (
        _date("date"), _id("name", shape=NAME), Column("value", "number", nonblank=True),
        _id("region", required=False), Column("source", nonblank=True),
    ),
}

_SPACES = re.compile(r"\s+")


def _folded(text: object) -> str:
    """One form of a text, however it was typed: NFKC-normalised (a letter typed decomposed, as
    some Mac and web forms send it, is the letter; a no-break space a space), stripped of
    format characters (Unicode category Cf: zero-width spaces and joiners, soft hyphens, byte-
    order marks), case folded, white space folded and trimmed, ё read as е."""
    return _folded_text(str(text))


@lru_cache(maxsize=1 << 16)
def _folded_text(text: str) -> str:
    """`_folded`, kept for the texts met again: every report's figures fold the same names."""
    composed = unicodedata.normalize("NFKC", text)
    visible = "".join(char for char in composed if unicodedata.category(char) != "Cf")
    folded = _SPACES.sub(" ", visible).strip().casefold()
    return unicodedata.normalize("NFKC", folded).replace("ё", "е")


def person_key(name: str) -> str:
    """A person's identity, as the contract defines it: `full_name` in one Unicode form (NFKC),
    without invisible format characters, case-insensitive, white space folded, ё read as е."""
    return _folded(name)


_LETTERS = re.compile(r"[^\W\d_]+")


def _script(letter: str) -> str:
    return unicodedata.name(letter, "").split(" ", 1)[0]


def mixes_scripts(name: object) -> bool:
    """Whether a word of a name mixes Latin and Cyrillic letters (a Latin «a», «o», «e», «c», «p»,
    «x» typed inside a Cyrillic name looks the same, and is another person to a comparison)."""
    return _mixes_scripts(str(name))


@lru_cache(maxsize=1 << 16)
def _mixes_scripts(name: str) -> bool:
    """`mixes_scripts`, kept for the names met again: every validation reads the same lists."""
    words = _LETTERS.findall(unicodedata.normalize("NFKC", name))
    return any({"LATIN", "CYRILLIC"} <= {_script(letter) for letter in word} for word in words)


#: The optional columns figures are computed from, by table: the figures (as docs/figures.md
#: names them) that are empty, or count 0, when a table has rows but no value in that column
#: (it lacks the column, or leaves it blank in every row): a data warning names them
#: (`readpast.empty_figure_columns`).
FIGURE_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "plan": {"target": ("activity.<id>.target, activity.<id>.achieved_pct", "empty")},
    "training_surveys": {
        question: (f"survey.<topic>.{question}", "empty")
        for question in ("knowledge_before", "knowledge_after", "trainer", "organisation")},
    "feedback": {"satisfaction": ("feedback.satisfaction_pct", "empty"),
                 "positive": ("feedback.positive_pct", "empty")},
    "media": {"reach": ("media.reach, media.<owner>.reach", "0")},
}

# Tables a grant must have; the others may be absent (a grant with no media, say).
REQUIRED_TABLES = frozenset({"plan"})


def word_key(text: object) -> str:
    """A value word as it is compared: case folded, white space folded, ё read as е
    («Круглый  стол» = «круглый стол», «Партнёр» = «партнер»): as a person's name is."""
    return _folded(text)


# The words an analyst types in Excel or a form offers, mapped to the contract's values:
# English, Russian, Kazakh. Compared by `word_key`, so case, spaces and ё/е do not matter.
EVENT_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "conference": ("конференция",),
    "training": ("тренинг",),
    "meeting": ("встреча", "кездесу"),
    "presentation": ("презентация", "таныстыру"),
    "round_table": ("round table", "round-table", "круглый стол", "дөңгелек үстел"),
    "other": ("другое", "басқа"),
}
OWNER_WORDS: dict[str, tuple[str, ...]] = {
    "own": ("собственный", "собственная", "өз"),
    "partner": ("партнер", "партнерский", "серіктес"),
    "press": ("сми", "пресса", "бақ"),
}
FORMAT_WORDS: dict[str, tuple[str, ...]] = {
    "online": ("онлайн",),
    "offline": ("офлайн", "оффлайн"),
}
ENUM_SYNONYMS = {word_key(word): value
                 for words in (EVENT_TYPE_WORDS, OWNER_WORDS, FORMAT_WORDS)
                 for value, synonyms in words.items() for word in synonyms}
#: yes/no: Russian, Kazakh (also typed without Kazakh letters), English, Excel's Russian TRUE/FALSE.
TRUE_WORDS = frozenset({"да", "д", "иә", "ия", "yes", "y", "true", "истина", "1"})
FALSE_WORDS = frozenset({"нет", "н", "жоқ", "жок", "no", "n", "false", "ложь", "0"})

# The shapes of a date and a number, in the tables and in grant.yml alike. A date is a whole
# ISO or Russian date (the day is group 1), optionally followed by a time of day, which is
# ignored (`2022-05-23 14:03:55`, `2022-05-23T14:03:55`, `23.05.2022 14:03`); anything else
# after the day (`2022-05-23garbage`) is not a date. Numbers are grouped with spaces, decimal
# commas allowed, and finite (never `inf`, `NaN` or `1e400`).
_CLOCK = r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?"
ISO_DATE = rf"^(\d{{4}}-\d{{2}}-\d{{2}})(?:[ T]{_CLOCK}(?:Z|[+-]\d{{2}}:?\d{{2}})?)?$"
RUSSIAN_DATE = rf"^(\d{{1,2}}\.\d{{1,2}}\.\d{{4}})(?: ?г\.?)?(?: {_CLOCK})?$"
#: What Google Forms' own CSV download writes in «Отметка времени»/Timestamp: year first, a
#: 12-hour clock and the form's time zone (`2024/02/12 2:03:55 PM GMT+5`); the day is groups 1-3.
_ZONE = r"(?: (?:GMT|UTC)(?:[+-]\d{1,2}(?::?\d{2})?)?)"
SLASHED_DATE = rf"^(\d{{4}})/(\d{{1,2}})/(\d{{1,2}})(?: {_CLOCK}(?: ?[AaPp][Mm])?{_ZONE}?)?$"
#: A day and month with slashes (12/02/2024): 12 February or 2 December, by the locale of whoever
#: wrote it, so never guessed.
AMBIGUOUS_DATE = r"^\d{1,2}/\d{1,2}/\d{2,4}\b"
NUMBER_SPACES = r"[\s\u00a0\u202f]"
#: A number written short (12 тыс., 1,2 млн, 1.2K): never read as 12 or 1.2.
ABBREVIATED_NUMBER = r"^[\d\s\u00a0\u202f.,]*\d[\s\u00a0\u202f]*(?:тыс|млн|млрд|мың|k|к|m|м)\b\.?$"
#: A score written with its words after the digit («5 - отлично», «4 – хорошо», «5 (отлично)»,
#: «5. Отлично»): the digit is group 1.
WORDED_SCORE = r"^(\d)\s*[-–—.:(]?\s*[^\W\d_].*$"

# What a message says a cell of each kind should be.
EXPECTED = {
    "date": "expected a date like 2022-05-23 or 23.05.2022",
    "number": "expected a number",
    "int": "expected a whole number ≥ 0",
    "score": "expected a score 1–5",
    "bool": "expected да/нет or yes/no",
}
#: What a message adds for a cell of a shape people often write but the contract does not read.
WRITE_WHOLE_NUMBER = "write the whole number (12000, not 12 тыс.)"
AMBIGUOUS_DAY = "a day/month with slashes could be either: write 2024-02-12 or 12.02.2024"

# ---------------------------------------------------------------- headers in Russian and Kazakh

#: The names a column may also have in a header line, beside its contract name: Russian first
#: (the first is the header `init` writes), then Kazakh. By column name, for every table that
#: has the column; `TABLE_HEADERS` adds or overrides per table. A grant adds its own in
#: grant.yml (`columns:`). Matching folds case, spaces, punctuation, «№» and ё/е.
HEADERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "task_no": (("Номер задачи", "№ задачи"), ("Міндет нөмірі",)),
    "task": (("Задача",), ("Міндет",)),
    "activity_id": (("Мероприятие плана", "Код мероприятия плана"), ("Жоспар бойынша іс-шара",)),
    "activity": (("Мероприятие",), ("Іс-шара",)),
    "task_kk": (("Задача на казахском", "Задача (каз.)"), ("Міндет қазақша",)),
    "activity_kk": (("Мероприятие на казахском", "Мероприятие (каз.)"), ("Іс-шара қазақша",)),
    "indicator_kk": (("Показатель на казахском", "Показатель (каз.)"), ("Көрсеткіш қазақша",)),
    "deadline_kk": (("Срок на казахском", "Срок (каз.)"), ("Мерзімі қазақша",)),
    "deadline": (("Срок", "Срок исполнения"), ("Мерзімі",)),
    "indicator": (("Показатель", "Индикатор"), ("Көрсеткіш",)),
    "target": (("Плановое значение", "План"), ("Жоспарлы мән",)),
    "unit": (("Единица измерения",), ("Өлшем бірлігі",)),
    "budget": (("Бюджет",), ("Бюджеті",)),
    "region": (("Регион", "Область"), ("Өңір", "Облыс")),
    "opened": (("Дата открытия",), ("Ашылған күні",)),
    "coordinator": (("Координатор",), ("Үйлестіруші",)),
    "memorandum_date": (("Дата меморандума",), ("Меморандум күні",)),
    "event_id": (("Код мероприятия",), ("Іс-шара коды",)),
    "type": (("Тип мероприятия", "Вид мероприятия"), ("Іс-шара түрі",)),
    "title": (("Название",), ("Атауы",)),
    "topic_id": (("Код темы",), ("Тақырып коды",)),
    "settlement": (("Населенный пункт",), ("Елді мекен",)),
    "start_date": (("Дата начала", "Дата проведения"), ("Басталған күні", "Өткізілген күні")),
    "end_date": (("Дата окончания",), ("Аяқталған күні",)),
    "format": (("Формат",), ("Форматы",)),
    "reported_participants": (("Число участников", "Количество участников", "Кол-во участников"), ("Қатысушылар саны",)),
    "full_name": (("ФИО", "Фамилия имя отчество", "ФИО участника"), ("Аты-жөні", "Тегі, аты, әкесінің аты")),
    "category": (("Категория",), ("Санаты",)),
    "gender": (("Пол",), ("Жынысы",)),
    "consultation_id": (("Код консультации", "Номер консультации"), ("Кеңес коды", "Кеңес нөмірі")),
    "date": (("Дата",), ("Күні",)),
    "beneficiary": (("Получатель консультации",), ("Кеңес алушы",)),
    "topic": (("Тема",), ("Тақырып",)),
    "answered": (("Получен ответ",), ("Жауап алынды",)),
    "satisfaction": (("Удовлетворенность",), ("Қанағаттану",)),
    "positive": (("Положительный отзыв",), ("Оң пікір",)),
    "comment": (("Комментарий",), ("Пікір",)),
    "respondent_id": (("Код респондента",), ("Респондент коды",)),
    "knowledge_before": (("Знания до тренинга",), ("Тренингке дейінгі білім",)),
    "knowledge_after": (("Знания после тренинга",), ("Тренингтен кейінгі білім",)),
    "trainer": (("Оценка тренера",), ("Тренерді бағалау",)),
    "organisation": (("Оценка организации",), ("Ұйымдастыруды бағалау",)),
    "recommendation": (("Рекомендации",), ("Ұсыныстар",)),
    "platform": (("Платформа",), ("Платформасы",)),
    "account": (("Аккаунт",), ("Аккаунты",)),
    "owner": (("Владелец",), ("Иесі",)),
    "language": (("Язык",), ("Тілі",)),
    "reach": (("Охват",), ("Қамту",)),
    "publications": (("Количество публикаций", "Кол-во публикаций"), ("Жарияланым саны",)),
    "url": (("Ссылка", "Ссылка на публикацию"), ("Сілтеме",)),
    "amount": (("Сумма",), ("Сома",)),
    "description": (("Назначение платежа",), ("Төлем мақсаты",)),
    "document": (("Документ",), ("Құжат",)),
    "value": (("Значение",), ("Мәні",)),
    "source": (("Источник",), ("Дереккөз",)),
}
TABLE_HEADERS: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("centres", "name"): (("Название центра", "Наименование"), ("Орталық атауы",)),
    ("metrics", "name"): (("Название показателя", "Показатель"), ("Көрсеткіш атауы",)),
    ("events", "title"): (("Название мероприятия", "Название"), ("Іс-шара атауы", "Атауы")),
    ("media", "title"): (("Название публикации", "Название"), ("Жарияланым атауы", "Атауы")),
}


def header_names(table: str, column: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(Russian names, Kazakh names) a header line may give `table`'s `column`."""
    return TABLE_HEADERS.get((table, column)) or HEADERS[column]
