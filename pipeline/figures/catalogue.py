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
from pipeline.inputs.schema import OWNERS

EVENT_TYPE_NAMES = {
    "conference": "конференции", "training": "тренинги", "meeting": "встречи",
    "presentation": "презентации", "round_table": "круглые столы", "other": "другие мероприятия",
}
OWNER_NAMES = {"own": "собственные каналы", "partner": "партнеры", "press": "СМИ",
               "external": "партнеры и СМИ"}
QUESTION_NAMES = {
    "respondents": "анкет участников",
    "knowledge_before": "средний балл знаний до тренинга",
    "knowledge_after": "средний балл знаний после тренинга",
    "trainer": "средняя оценка работы тренера",
    "organisation": "средняя оценка организационной части",
}

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


def grant_names(grant: Grant, topics: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """What a figure's meaning calls its parts in this grant: topics by their titles (`topics`,
    `Selection.topics`), regions by their names, the grant's own event types by theirs."""
    return {"topic": dict(topics), "region": {region: grant.region_name(region) for region in grant.region_ids()},
            "type": {kind: declared.name.lower() for kind, declared in grant.event_types.items()}}


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

    def describe(self, name: str, names: Names | None = None) -> str:
        """The figure's meaning in words; with the grant's `names` (`grant_names`), its topics,
        regions and own event types by their names, not their ids."""
        match = self.regex.match(name)
        if match is None:
            raise KeyError(f"{name} is not a figure of the pattern {self.pattern}")
        found = match.groupdict()
        words = dict(found)
        for part, named in (names or {}).items():
            if part in found:
                words[part] = named.get(found[part], found[part])
        words["type"] = EVENT_TYPE_NAMES.get(found.get("type", ""), words.get("type", ""))
        words["owner"] = OWNER_NAMES.get(found.get("owner", ""), found.get("owner", ""))
        words["measure"] = QUESTION_NAMES.get(found.get("measure", ""), found.get("measure", ""))
        return self.description.format(**words)


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
