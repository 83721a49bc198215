"""grant.yml as one typed model, and reading it: every problem one line naming its line.

`yamlwalk` reads the YAML once: the data, each scalar as the text the user wrote, and the
line of every location (`periods[1].end`). The pydantic model types and checks that data; each
of its errors becomes `grant.yml:LINE: where = value: expected …`, never pydantic's words; a key
no part of it has, `unknown key «currensy»: did you mean «currency»?` (`grantlines`). Its values and mappings
but the whole are `grantparts`'.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, ValidationError, create_model, model_validator

from pipeline import paths
from pipeline.disk import leads_inside
from pipeline.exceptions import InputError, PipelineError, spaced
from pipeline.ids import ALL
from pipeline.inputs import folder, grantlines
from pipeline.inputs.grantparts import (
    TABLE_KEY,
    Agreement,
    Amount,
    EventType,
    FileSetting,
    Glob,
    Grantee,
    Indicator,
    Key,
    Language,
    MetricName,
    OwnText,
    Part,
    Period,
    Region,
    Signatory,
    Text,
    Topic,
    TopicId,
    TypeId,
    refuse,
    said_in,
    text_of,
    texts_of,
)
from pipeline.inputs.headers import fold
from pipeline.inputs.schema import (
    ENUM_SYNONYMS,
    EVENT_TYPES,
    TABLES,
    word_key,
)
from pipeline.inputs.yamlwalk import Loc, read_yaml
from pipeline.language import DEFAULT as DEFAULT_LANGUAGE

__all__ = ["TABLE_KEY", "FileSetting", "Grant", "InputProblems", "grant_text", "load_grant", "parse_grant"]

GRANT = paths.GRANT_FILE

class InputProblems(PipelineError):
    """Several problems in the inputs; str() gives one line per problem."""

    def __init__(self, problems: list[InputError]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# ---------------------------------------------------------------- the grant's own header names

def _column_of(table: str) -> Any:
    """A validator: a column of `table`, by its contract name."""
    names = [column.name for column in TABLES[table]]

    def column(value: object) -> str:
        text = text_of(value)
        if text not in names:
            raise refuse(f"expected a column of {table} ({', '.join(names)})")
        return text
    return BeforeValidator(column)


def _header(value: object) -> str:
    """A header as a file writes it: with a letter or a digit (matching reads only those)."""
    text = text_of(value)
    if not fold(text):
        raise refuse("expected a header with a letter or a digit")
    return text


Header = Annotated[str, BeforeValidator(_header)]

class _ByTable(Part):
    """`columns:` and `questionnaires:`: one key per table of the contract, another key refused."""


_ColumnNames = create_model(  # header as written → contract column
    "ColumnNames", __base__=_ByTable,
    **{table: (dict[Header, Annotated[str, _column_of(table)]], {}) for table in TABLES})  # type: ignore[call-overload]
_Questionnaires = create_model(  # contract column → the form's question text
    "Questionnaires", __base__=_ByTable,
    **{table: (dict[Annotated[str, _column_of(table)], Header], {}) for table in TABLES})  # type: ignore[call-overload]


def _by_table(model: type[BaseModel]) -> Any:
    """A validator: a mapping of tables, each checked by `model` (its errors keep their places)."""
    return BeforeValidator(lambda value: {table: dict(names) for table, names in
                                          model.model_validate(value).model_dump().items() if names})


#: By table: header as written → contract column (grant.yml `columns:`).
ColumnNames = Annotated[dict[str, dict[str, str]], _by_table(_ColumnNames)]
#: By table: contract column → a form's question text (grant.yml `questionnaires:`).
Questionnaires = Annotated[dict[str, dict[str, str]], _by_table(_Questionnaires)]


class Grant(Part):
    """grant.yml: the agreement, the grantee, the amount, the regions and the reporting periods;
    the names its tables' headers give columns (`columns:`, `questionnaires:`); and what files
    do not say themselves (`files:`)."""

    agreement: Agreement
    grantee: Grantee
    topic: OwnText
    amount: Amount
    currency: Text
    signatory: Signatory
    regions: tuple[Region, ...] = Field(min_length=1)
    periods: tuple[Period, ...] = Field(min_length=1)
    columns: ColumnNames = Field(default_factory=dict)
    questionnaires: Questionnaires = Field(default_factory=dict)
    files: dict[Glob, FileSetting] = Field(default_factory=dict)
    event_types: dict[TypeId, EventType] = Field(default_factory=dict)
    topics: dict[TopicId, Topic] = Field(default_factory=dict)
    #: Each metric's label in the report, by its name in the metrics table (`notes.unlabelled_metrics`).
    metrics: dict[MetricName, OwnText] = Field(default_factory=dict)
    #: A plan activity's target in a region's report, by activity_id and region id (the plan's
    #: `target` is the project's); checked against the plan and the regions by `validation`.
    targets: dict[Key, dict[Key, Amount]] = Field(default_factory=dict)
    #: A plan activity's indicators in the form's indicator column, by activity_id (each a figure,
    #: its label, its target): in place of the plan's one indicator; checked against the plan
    #: and the regions by `validation`, the figures against the period's by `notebook.formindicators`.
    indicators: dict[Key, tuple[Indicator, ...]] = Field(default_factory=dict)
    #: The language of its reports (`run --language` overrides it for one run).
    language: Language = DEFAULT_LANGUAGE

    @model_validator(mode="after")
    def _a_word_names_one_type(self) -> Grant:
        """A word (or the name) of a type of the grant's own is no other type's (a built-in one's
        either): else the events table could not tell them apart."""
        taken = {word_key(word): kind for word, kind in ENUM_SYNONYMS.items() if kind in EVENT_TYPES}
        taken |= {word_key(kind): kind for kind in EVENT_TYPES}
        places = []
        for kind, declared in self.event_types.items():
            written: list[tuple[Loc, str]] = [(("event_types", kind, "name"), name) for name in texts_of(declared.name)]
            written += [(("event_types", kind, "words", i), word) for i, word in enumerate(declared.words)]
            for where, word in written:
                if taken.setdefault(word_key(word), kind) != kind:
                    places.append((where, None))
        if places:
            raise refuse("expected a word no other event type has (each word names one type)", *places)
        return self

    @model_validator(mode="after")
    def _unique_ids(self) -> Grant:
        places: list[tuple[Loc, Loc | None]] = []
        for key, ids in (("regions", self.region_ids()), ("periods", self.period_ids())):
            first: dict[str, int] = {}
            for i, item in enumerate(ids):
                if first.setdefault(item, i) != i:
                    places.append(((key, i, "id"), (key, first[item], "id")))
        if places:
            raise refuse("expected a unique id", *places)
        return self

    def target_in(self, activity_id: str, region: str) -> float | None:
        """The activity's target in the region's report (`targets:`), or None when grant.yml gives none."""
        return self.targets.get(activity_id, {}).get(region)

    def indicators_of(self, activity_id: str) -> tuple[Indicator, ...]:
        """The activity's indicators (`indicators:`); none: the plan's one indicator is shown."""
        return self.indicators.get(activity_id, ())

    def region_ids(self) -> list[str]:
        return [region.id for region in self.regions]

    def period_ids(self) -> list[str]:
        return [period.id for period in self.periods]

    def period(self, period_id: str) -> Period:
        """The period of that id (a KeyError when grant.yml has none)."""
        for period in self.periods:
            if period.id == period_id:
                return period
        raise KeyError(period_id)

    def header_columns(self, table: str) -> dict[str, str]:
        """The grant's own headers of `table`'s columns: header as written → column."""
        return dict(self.columns.get(table, {}))

    def form_questions(self, table: str) -> dict[str, str]:
        """The question texts a form export of `table` has as headers: column → question."""
        return dict(self.questionnaires.get(table, {}))

    def event_type_ids(self) -> tuple[str, ...]:
        """Every event type: the built-in ones, then the grant's own (`event_types:`)."""
        return (*EVENT_TYPES, *self.event_types)

    def event_type_words(self) -> dict[str, str]:
        """The words of the grant's own event types (its id, name and words), by `word_key`."""
        return {word_key(word): kind for kind, declared in self.event_types.items()
                for word in (kind, *texts_of(declared.name), *declared.words)}

    def in_language(self, language: str) -> Grant:
        """The grant with its reports in `language`: each grantee's text given by language in
        it (`Said`; in Russian where grant.yml gives none)."""
        spoken: Grant = said_in(self, language).model_copy(update={"language": language})
        return spoken

    def region_name(self, region_id: str) -> str:
        """The region's name; its id when grant.yml has no such region."""
        return next((region.name for region in self.regions if region.id == region_id), region_id)


# The models of grant.yml's mappings, what its error lines name the keys of.
_MODELS = grantlines.Models({
    (): Grant, ("agreement",): Agreement, ("grantee",): Grantee, ("signatory",): Signatory,
    ("regions",): Region, ("periods",): Period, ("columns",): _ColumnNames, ("questionnaires",): _Questionnaires,
}, frozenset({_ColumnNames, _Questionnaires}))

# ---------------------------------------------------------------- the grid's limits

#: The most regions, periods and reports (periods × (regions + `all`)) a grant may declare: each
#: report is a build of its own, and `validate` and the consolidated report grow with regions.
MAX_REGIONS = 500
MAX_PERIODS = 50
MAX_REPORTS = 10_000



def _beyond_limits(data: Any, lines: dict[Loc, int]) -> InputError | None:
    """The first limit of the grid grant.yml's data goes beyond, as a line naming its key's line;
    None within them. Counted on the YAML's lists, before any of their items is validated."""
    if not isinstance(data, dict):
        return None
    counts = {key: len(data[key]) for key in ("regions", "periods") if isinstance(data.get(key), list)}
    for key, most in (("regions", MAX_REGIONS), ("periods", MAX_PERIODS)):
        if counts.get(key, 0) > most:
            return InputError(GRANT, lines.get((key,)), expected=f"{spaced(counts[key])} {key}: "
                              f"a grant may have at most {spaced(most)} {key}")
    regions, periods = counts.get("regions", 0), counts.get("periods", 0)
    if periods * (regions + 1) > MAX_REPORTS:
        return InputError(GRANT, lines.get(("regions",)), expected=(
            f"{spaced(periods)} periods × ({spaced(regions)} regions + {ALL}) make "
            f"{spaced(periods * (regions + 1))} reports: a grant may have at most {spaced(MAX_REPORTS)} reports "
            "(fewer periods or regions)"))
    return None


def parse_grant(text: str) -> Grant:
    """grant.yml's text as a Grant; an InputError, or InputProblems for several, names each problem
    (a grid beyond its limits alone, before anything else is checked)."""
    data, lines = read_yaml(text)
    beyond = _beyond_limits(data, lines)
    if beyond is not None:
        raise beyond
    try:
        grant = Grant.model_validate(data)
        return grant if grant.language == DEFAULT_LANGUAGE else grant.in_language(grant.language)
    except ValidationError as error:
        errors = error.errors()
        misspelt = grantlines.misspelt(errors, _MODELS)
        errors = [e for e in errors if not (e["type"] == "missing" and tuple(e["loc"]) in misspelt)]
        found = sorted((p for e in errors for p in grantlines.problems(e, data, lines, _MODELS)),
                       key=lambda p: (p.row or 0, p.column or ""))
    raise found[0] if len(found) == 1 else InputProblems(found)


#: The largest grant.yml read (a grant at its limits writes about a tenth of it).
MAX_GRANT_BYTES = 1024 * 1024


def grant_text(root: Path) -> str:
    """The inputs folder's grant.yml as text (UTF-8), read no further than MAX_GRANT_BYTES."""
    path = Path(root) / GRANT
    if not leads_inside(root, path):
        raise InputError(GRANT, expected=folder.LINKED_OUT)
    if not path.is_file():
        raise InputError(GRANT, expected="file not found in the inputs folder")
    with path.open("rb") as file:
        data = file.read(MAX_GRANT_BYTES + 1)
    if len(data) > MAX_GRANT_BYTES:
        raise InputError(GRANT, expected=f"a file of more than {MAX_GRANT_BYTES // 2 ** 20} MB: "
                                         f"grant.yml may be at most {MAX_GRANT_BYTES // 2 ** 20} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(GRANT, expected="expected UTF-8 text (save grant.yml as UTF-8)") from None


def load_grant(root: Path) -> Grant:
    """The inputs folder's grant.yml, read as UTF-8 and parsed (see `parse_grant`)."""
    return parse_grant(grant_text(root))
