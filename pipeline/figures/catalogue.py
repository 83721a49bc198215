"""The figure catalogue: every figure name pattern, what it means, what computes it, and
which input tables feed it, as the blocks' declarations (`declarations.DECLARED`) give them;
read by the audit trail and the report's registry.

A figure glued by a notebook that no entry here matches is an error
(tests/test_audit.py: test_every_glued_figure_is_in_the_catalogue).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from pipeline.figures.declarations import DECLARED
from pipeline.figures.indicators import SCORE_QUESTIONS
from pipeline.inputs.grant import Grant
from pipeline.inputs.notes import WARNING_LABELS
from pipeline.inputs.schema import OWNERS
from pipeline.language import DEFAULT, N_, tr

#: The words a figure's meaning calls its parts by, in Russian as marked (`language.tr` gives
#: them in the report's language).
EVENT_TYPE_NAMES = {
    "conference": N_("конференции"), "training": N_("тренинги"), "meeting": N_("встречи"),
    "presentation": N_("презентации"), "round_table": N_("круглые столы"), "other": N_("другие мероприятия"),
}
OWNER_NAMES = {"own": N_("собственные каналы"), "partner": N_("партнеры"), "press": N_("СМИ"),
               "external": N_("партнеры и СМИ")}
QUESTION_NAMES = {
    "respondents": N_("анкет участников"),
    "knowledge_before": N_("средний балл знаний до тренинга"),
    "knowledge_after": N_("средний балл знаний после тренинга"),
    "trainer": N_("средняя оценка работы тренера"),
    "organisation": N_("средняя оценка организационной части"),
}
#: What the `{name}` of a figure names, by the figure name's first part: a metric's label
#: (grant.yml `metrics:`), a data note's label (`notes.WARNING_LABELS`).
_NAMED = {"metric": "metric", "warnings": "warning"}

_ANY = r"[^.]+"
_WORDS = {
    "type": r"[A-Za-z0-9][A-Za-z0-9_-]*",  # the built-in types (EVENT_TYPES) and the grant's own
    "owner": "|".join((*OWNERS, "external")),
    "measure": "|".join(("respondents", *SCORE_QUESTIONS)),
    "topic": _ANY,
    "region": _ANY,
    "name": r".+",
    "id": r".+",
}


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", pattern)
    body = "".join(f"(?P<{p[1:-1]}>{_WORDS[p[1:-1]]})" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{body}$")


#: The grant's names of the parts of figure names, by part: {"topic": {id: title}, …}.
Names = Mapping[str, Mapping[str, str]]


def grant_names(grant: Grant, topics: Mapping[str, str], language: str = DEFAULT) -> dict[str, dict[str, str]]:
    """What a figure's meaning calls its parts in this grant, in `language`: topics by their
    titles (`topics`, `Selection.topics`), regions by their names, the grant's own event types
    and its metrics by theirs, data notes by their labels (never by their ids)."""
    return {"topic": dict(topics), "region": {region: grant.region_name(region) for region in grant.region_ids()},
            "type": {kind: declared.name.lower() for kind, declared in grant.event_types.items()},
            "metric": dict(grant.metrics),
            "warning": {code: tr(language, label) for code, label in WARNING_LABELS.items()}}


@dataclass(frozen=True)
class Entry:
    """One kind of figure. `pattern` names its parts in braces, e.g. events.{type}.count."""

    pattern: str
    description: str
    function: str
    tables: tuple[str, ...]
    #: The key of the block that computes it (`declarations.Declared.key`).
    block: str = ""

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.pattern)

    def describe(self, name: str, names: Names | None = None, language: str = DEFAULT) -> str:
        """The figure's meaning in words, in `language`; with the grant's `names` (`grant_names`),
        its topics, regions, own event types, metrics and data notes by their names, not their ids."""
        match = self.regex.match(name)
        if match is None:
            raise KeyError(f"{name} is not a figure of the pattern {self.pattern}")
        found = match.groupdict()
        words = dict(found)
        names = names or {}
        for part, named in names.items():
            if part in found:
                words[part] = named.get(found[part], found[part])
        if "name" in found:
            words["name"] = names.get(_NAMED.get(name.split(".", 1)[0], ""), {}).get(found["name"], found["name"])
        for part, said in (("type", EVENT_TYPE_NAMES), ("owner", OWNER_NAMES), ("measure", QUESTION_NAMES)):
            if found.get(part) in said:
                words[part] = tr(language, said[found[part]])
        return tr(language, self.description).format(**words)


#: Every figure pattern, block by block in report order (`declarations.DECLARED`).
CATALOGUE: tuple[Entry, ...] = tuple(Entry(figure.pattern, figure.description, block.function, figure.tables, block.key)
                                     for block in DECLARED for figure in block.figures)


def lookup(name: str) -> Entry:
    """The catalogue entry of a figure name (the most specific one); KeyError if none."""
    matches = [e for e in CATALOGUE if e.regex.match(name)]
    if not matches:
        raise KeyError(name)
    return max(matches, key=lambda e: len(re.sub(r"\{\w+\}", "", e.pattern)))


def describe(name: str) -> str:
    return lookup(name).describe(name)


@dataclass(frozen=True)
class Rule:
    """How one block of figures is computed, in words: what a notebook says before computing it."""

    title: str
    text: str


#: The rule of each block, in Russian, as its notebook and docs/figures.md state it.
RULES: dict[str, Rule] = {block.key: Rule(block.title, block.rule) for block in DECLARED}


def rule_of(name: str) -> Rule:
    """The rule of the block that computes a figure."""
    return RULES[lookup(name).block]
