"""The parts of grant.yml's model: its values (a text, a day, an amount, an id), each refused as
one of this module's rules (`RULE`, a place and what was expected, which `grant` turns into a
line of grant.yml), and its mappings but the whole (`grant.Grant`): the agreement, grantee,
signatory, a region, a period, a `files:` entry, an event type and a topic of the grant's own.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from pathlib import PurePosixPath
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, model_validator
from pydantic_core import PydanticCustomError

from pipeline.ids import ALL, NAME, SEGMENT, IdShape
from pipeline.inputs.schema import EVENT_TYPES, EXPECTED, ISO_DATE, NUMBER_SPACES, RUSSIAN_DATE, TABLES
from pipeline.inputs.yamlwalk import Loc
from pipeline.language import DEFAULT, LANGUAGES

EMPTY = "expected a value"


#: The error type of this module's own rules; its context says what was expected, and where.
RULE = "grant_rule"


def refuse(expected: str, *places: tuple[Loc, Loc | None]) -> PydanticCustomError:
    """A broken rule. `places`: (location, where its first occurrence is) pairs, relative to
    the error's own location (by default that location itself, with no first occurrence)."""
    return PydanticCustomError(RULE, "{expected}", {"expected": expected, "places": places or (((), None),)})


def text_of(value: object) -> str:
    if isinstance(value, (dict, list, tuple)):
        raise refuse("expected a single value, not a list or mapping")
    text = "" if value is None else str(value).strip()
    if not text:
        raise refuse(EMPTY)
    return text


def _day(value: object) -> dt.date:
    """A date as the tables accept it: 2022-05-23 or 23.05.2022, perhaps with a time of day
    (a YAML date is one already)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = "" if value is None else str(value).strip()
    try:
        if iso := re.match(ISO_DATE, text):
            return dt.date.fromisoformat(iso[1])
        if russian := re.match(RUSSIAN_DATE, text):
            day, month, year = (int(part) for part in russian[1].split("."))
            return dt.date(year, month, day)
    except ValueError:  # not a real day: 2022-02-30
        pass
    raise refuse(EXPECTED["date"])


def _amount(value: object) -> float:
    """A positive number, perhaps grouped with spaces (29 364 470) or with a decimal comma."""
    try:
        number = float(re.sub(NUMBER_SPACES, "", str(value)).replace(",", "."))
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise refuse("expected a positive number")
    return number


def _fitting(value: object, shape: IdShape) -> str:
    """A value as text, refused unless it has the id's shape."""
    text = text_of(value)
    if not shape.fits(text):
        raise refuse(shape.expected)
    return text


def _segment(value: object) -> str:
    return _fitting(value, SEGMENT)


def _region_id(value: object) -> str:
    text = _segment(value)
    if text == ALL:
        raise refuse(f"expected a region id other than «{ALL}» (the report on every region)")
    return text


Text = Annotated[str, BeforeValidator(text_of)]


class Said(str):
    """A grantee's own text (a title, a name, a label) as grant.yml gives it: one text for every
    language (`Title`), or its texts by language (`{ru: …, kk: …}`). As a str it is the text in
    the language it was last put in (`in_language`; Russian as read)."""

    texts: dict[str, str]

    def __new__(cls, text: str, texts: dict[str, str] | None = None) -> Said:
        said = super().__new__(cls, text)
        said.texts = dict(texts or {})
        return said

    def __reduce__(self) -> tuple[type[Said], tuple[str, dict[str, str]]]:  # pickled and copied whole
        return (Said, (str(self), self.texts))

    def in_language(self, language: str) -> Said:
        """The text in `language`; the Russian one where grant.yml gives none in it."""
        return Said(self.texts.get(language) or self.texts.get(DEFAULT) or str(self), self.texts)

    def lacks(self, language: str) -> bool:
        """Given by language (`{ru: …}`) but not in `language`: the report prints it in Russian."""
        return bool(self.texts) and language not in self.texts


def texts_of(text: str) -> tuple[str, ...]:
    """Every text a grantee's text has (each language's), by which a table may name its thing."""
    return tuple(dict.fromkeys((text, *getattr(text, "texts", {}).values())))


_BY_LANGUAGE = f"expected a text, or its texts by language ({{{', '.join(f'{spoken}: …' for spoken in LANGUAGES)}}})"


def _said(value: object) -> Said:
    """A grantee's text: one (`Title`), or by language (`{ru: …, kk: …}`, Russian required)."""
    if not isinstance(value, dict):
        return Said(text_of(value))
    if not value or set(value) - set(LANGUAGES) or DEFAULT not in value:
        raise refuse(_BY_LANGUAGE)
    texts = {str(spoken): text_of(value[spoken]) for spoken in LANGUAGES if spoken in value}
    return Said(texts[DEFAULT], texts)


#: A grantee's own text, which a grant reporting in both languages gives in each (`Said`).
OwnText = Annotated[str, PlainValidator(_said)]
OptionalOwnText = Annotated[str | None, PlainValidator(lambda value: None if value is None else _said(value))]


def said_in(value: Any, language: str) -> Any:
    """`value` (a part of grant.yml's model, or the whole) with every grantee's text in `language`."""
    if isinstance(value, Said):
        return value.in_language(language)
    if isinstance(value, BaseModel):
        return value.model_copy(update={name: said_in(getattr(value, name), language)
                                        for name in type(value).model_fields})
    if isinstance(value, tuple):
        return tuple(said_in(item, language) for item in value)
    if isinstance(value, dict):
        return {key: said_in(item, language) for key, item in value.items()}
    return value
Day = Annotated[dt.date, BeforeValidator(_day)]
Amount = Annotated[float, BeforeValidator(_amount)]
PeriodId = Annotated[str, BeforeValidator(_segment)]
RegionId = Annotated[str, BeforeValidator(_region_id)]
#: A list of names; one name alone may be written without the brackets; none: empty.
Aliases = Annotated[tuple[Text, ...], BeforeValidator(lambda value: () if value is None else
                                                      (value,) if isinstance(value, str) else value)]


# ---------------------------------------------------------------- the model

def _language(value: object) -> str:
    text = text_of(value)
    if text not in LANGUAGES:
        raise refuse(f"expected a report language: {' or '.join(LANGUAGES)}")
    return text


#: The language the grant's reports are written in (grant.yml `language:`).
Language = Annotated[str, BeforeValidator(_language)]


class Part(BaseModel):
    """A mapping of grant.yml. Frozen: a section notebook may not change what the next one reads.
    A key no model knows is refused (`languag:`, `currensy:`), named with the closest known key."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Agreement(Part):
    number: Text
    date: Day
    annex: Text


class Grantee(Part):
    name: OwnText
    short_name: OptionalOwnText = None


class Signatory(Part):
    position: OwnText
    name: Text


class Region(Part):
    """A region of the grant. Its id, its name and its `aliases` (other names the tables use for
    it, «ЗКО», «Батыс Қазақстан облысы») are all accepted in a table's `region` column."""

    id: RegionId
    name: OwnText
    aliases: Aliases = ()


class Period(Part):
    id: PeriodId
    title: Text
    start: Day
    end: Day

    @model_validator(mode="after")
    def _ends_on_or_after_start(self) -> Period:
        if self.end < self.start:
            raise refuse(f"expected an end on or after start ({self.start.isoformat()})", (("end",), None))
        return self


# ---------------------------------------------------------------- per-file settings

#: The key of a `files:` entry that names the table a file belongs to; its other keys are columns.
TABLE_KEY = "table"


def _glob(value: object) -> str:
    """A path pattern relative to the inputs folder, `*` and `**` as pathlib has them."""
    text = text_of(value)
    if text.startswith("/") or "\\" in text or ".." in PurePosixPath(text).parts:
        raise refuse("expected a path pattern relative to the inputs folder (`*`, `**`; no `..`, no leading /)")
    return text


def _table_name(value: object) -> str:
    text = text_of(value)
    if text not in TABLES:
        close = difflib.get_close_matches(text, list(TABLES), n=1)
        raise refuse(f"did you mean «{close[0]}»?" if close else f"expected a table of the contract ({', '.join(TABLES)})")
    return text


class FileSetting(Part):
    """One entry of `files:`: the table its files belong to (when their name does not say it)
    and the value of columns they do not have, as `columns` (column → value as written)."""

    table: Annotated[str | None, BeforeValidator(lambda value: None if value is None else _table_name(value))] = None
    columns: dict[str, Text] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _columns_beside_table(cls, data: Any) -> Any:
        """`{table: feedback, activity_id: "3.2"}`: every key but `table` is a column."""
        if not isinstance(data, dict):
            return data
        return {TABLE_KEY: data.get(TABLE_KEY), "columns": {k: v for k, v in data.items() if k != TABLE_KEY}}


Glob = Annotated[str, BeforeValidator(_glob)]


# ---------------------------------------------------------------- the grant's own event types and topics

def _name_id(value: object) -> str:
    """An id that becomes part of a figure's name (events.seminar.count, survey.msu.trainer)."""
    return _fitting(value, NAME)


def _type_id(value: object) -> str:
    text = _name_id(value)
    if text in EVENT_TYPES:
        raise refuse(f"expected a type other than the built-in ones ({', '.join(EVENT_TYPES)}): they have their words")
    return text


def _text_alone(data: Any) -> bool:
    """A mapping's one text written alone: a text, or its texts by language (`{ru: …, kk: …}`)."""
    return isinstance(data, str) or (isinstance(data, dict) and bool(data) and set(data) <= set(LANGUAGES))


class EventType(Part):
    """An event type of the grant's own (`event_types:`): its name in the report and the words
    the events table writes it with (its id and name, in each language, are accepted too).
    `seminar: Семинар` (or `seminar: {ru: Семинар, kk: Семинар}`) is its name alone."""

    name: OwnText
    words: Aliases = ()

    @model_validator(mode="before")
    @classmethod
    def _name_alone(cls, data: Any) -> Any:
        return {"name": data} if _text_alone(data) else data


class Topic(Part):
    """A topic of trainings (`topics:`, by `topic_id`): its title in the report (`msu: Title`
    is its title alone)."""

    title: OwnText

    @model_validator(mode="before")
    @classmethod
    def _title_alone(cls, data: Any) -> Any:
        return {"title": data} if _text_alone(data) else data


TypeId = Annotated[str, BeforeValidator(_type_id)]
TopicId = Annotated[str, BeforeValidator(_name_id)]
#: A key written as the user wrote it (an activity_id `1.1`, a region id under `targets:`).
Key = Annotated[str, BeforeValidator(text_of)]
#: A metric's `name` in the metrics table, the key of its label (`metrics:`).
MetricName = Annotated[str, BeforeValidator(_name_id)]


# ---------------------------------------------------------------- the form's indicators

#: A figure's name as a report records it (`centres.count`, `feedback.satisfaction_pct`):
#: which figures a period has is checked against its reports' figures (`notebook.formindicators`).
FIGURE_NAME = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")


def _figure_name(value: object) -> str:
    text = text_of(value)
    if len(text) > 200 or not FIGURE_NAME.fullmatch(text):
        raise refuse("expected a figure's name, parts joined by dots (e.g. centres.count, feedback.satisfaction_pct; "
                     "`python -m pipeline figures` lists them)")
    return text


def _indicator_target(value: object) -> float | dict[str, float] | None:
    """A number (the project's target, compared in the consolidated report only) or a mapping
    of report ids to numbers: a region id (that region's report) or `all` (the consolidated one)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return _amount(value)
    found, places = {}, []
    for key, number in value.items():
        try:
            found[text_of(key)] = _amount(number)
        except PydanticCustomError:
            places.append(((key,), None))
    if places:
        raise refuse("expected a positive number", *places)
    return found


FigureName = Annotated[str, BeforeValidator(_figure_name)]
IndicatorTarget = Annotated[float | dict[str, float] | None, BeforeValidator(_indicator_target)]


class Indicator(Part):
    """One of a plan activity's indicators in the form's indicator column (`indicators:`): a
    figure of the report, its label, and its target — a number for the consolidated report, or
    by report (`{all: 4, almaty: 1}`); a regional report compares only with its region's."""

    figure: FigureName
    label: OwnText
    target: IndicatorTarget = None

    def target_in(self, report: str) -> float | None:
        """The target a report (`all` or a region id) compares the figure with, or None."""
        if isinstance(self.target, dict):
            return self.target.get(report)
        return self.target if report == ALL else None
