"""pydantic's validation errors of grant.yml as our lines: `grant.yml:LINE: where = value:
expected …`, in our words (never pydantic's), an unknown key named with the closest known one,
a misspelt key told once (not as missing too).

Which model each mapping of grant.yml has is `grant`'s to say (`Models`): what a mapping's
keys may be is read off its model.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic_core import ErrorDetails

from pipeline import paths
from pipeline.exceptions import InputError
from pipeline.inputs.grantparts import RULE, EventType, FileSetting, Indicator, Part, Topic
from pipeline.inputs.yamlwalk import Loc, location_text

GRANT = paths.GRANT_FILE


@dataclass(frozen=True)
class Models:
    """grant.yml's models: of each mapping, by the keys that lead to it (list positions left
    out), and those whose keys are the contract's tables (`columns:`, `questionnaires:`)."""

    mappings: Mapping[tuple[str, ...], type[Part]]
    by_table: frozenset[type[Part]]

    def at(self, loc: Loc) -> type[Part]:
        """The model of the mapping at `loc` (list positions and the keys of `files:` skipped)."""
        keys = tuple(p for p in loc if isinstance(p, str))
        if keys[:1] == ("files",) and len(keys) > 1:
            return FileSetting
        if keys[:1] == ("indicators",) and len(keys) > 1:
            return Indicator
        if keys[:1] in (("event_types",), ("topics",)) and len(keys) > 1:
            return EventType if keys[0] == "event_types" else Topic
        return self.mappings[keys]


def _fields(model: type[Part]) -> list[str]:
    """The keys a mapping of that model may have, as grant.yml writes them."""
    return ["table", "<column>"] if model is FileSetting else list(model.model_fields)


def _written(loc: Loc) -> Loc:
    """A location as grant.yml writes it: a `files:` entry's columns beside its `table:`."""
    return (*loc[:2], *loc[3:]) if loc[:1] == ("files",) and loc[2:3] == ("columns",) else loc

def _nearest_line(loc: Loc, lines: dict[Loc, int]) -> int | None:
    """The line of a location, or of the nearest one holding it (a missing key: its mapping)."""
    return next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


def _also(first: Loc | None, lines: dict[Loc, int]) -> str:
    """Where the first of repeated values is: ` (also on line 8)`."""
    if first is None:
        return ""
    return f" (also on line {lines[first]})" if first in lines else f" (also {location_text(first)})"


def _expected(error: ErrorDetails, loc: Loc, models: Models) -> str:
    """What a location should hold, for pydantic's own error types (never its words)."""
    if error["type"] in ("model_type", "model_attributes_type"):
        keys = _fields(models.at(loc))
        return f"expected a mapping of keys ({', '.join(keys)})"
    if error["type"] in ("tuple_type", "list_type", "too_short"):
        return "expected a non-empty list"
    if error["type"] == "dict_type":
        return "expected a mapping"
    return "expected a value of another kind"


def _known_keys(loc: Loc, models: Models) -> list[str]:
    """The keys the mapping holding `loc`'s last key may have."""
    return _fields(models.at(loc[:-1]))


def _closest_key(key: str, known: list[str]) -> str | None:
    close = difflib.get_close_matches(key.casefold(), known, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown_key(loc: Loc, lines: dict[Loc, int], models: Models) -> InputError:
    """`grant.yml:12: unknown key «currensy»: did you mean «currency»?`, or the keys it may have."""
    known, key = _known_keys(loc, models), str(loc[-1])
    closest = _closest_key(key, known)
    under = f" under «{location_text(loc[:-1])}»" if loc[:-1] else ""
    tables = models.at(loc[:-1]) in models.by_table
    what = "a table of the contract" if tables else "one of the keys"
    said = f"did you mean «{closest}»?" if closest else f"expected {what} ({', '.join(known)})"
    return InputError(GRANT, _nearest_line(loc, lines), expected=f"unknown key «{key}»{under}: {said}")


def misspelt(errors: list[ErrorDetails], models: Models) -> set[Loc]:
    """The missing keys an unknown key of the same mapping is close to (`currensy` for
    `currency`): told as that misspelt key alone, not as missing too."""
    found = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc: Loc = tuple(error["loc"])
            closest = _closest_key(str(loc[-1]), _known_keys(loc, models))
            if closest is not None:
                found.add((*loc[:-1], closest))
    return found


def problems(error: ErrorDetails, data: Any, lines: dict[Loc, int], models: Models) -> Iterator[InputError]:
    """One pydantic error as our lines: `grant.yml:LINE: where = value: expected …`."""
    key = "[key]" in error["loc"]  # then the key is the value shown, under its mapping's name
    loc: Loc = _written(tuple(part for part in error["loc"] if part != "[key]"))  # a mapping's key: the key's place
    if error["type"] == "missing":
        yield InputError(GRANT, _nearest_line(loc, lines), expected=f"missing key «{location_text(loc)}»")
    elif error["type"] == RULE:
        context = error.get("ctx") or {}
        for at, first in context["places"]:
            where = (*loc, *at)
            value = _value_at(data, where) if at else error["input"]
            yield InputError(GRANT, _nearest_line(where, lines), location_text(where[:-1] if key else where), value,
                             context["expected"] + _also(first, lines))
    elif error["type"] == "extra_forbidden":  # a key no model of its mapping has
        yield _unknown_key(loc, lines, models)
    elif not loc:
        yield InputError(GRANT, expected=_expected(error, loc, models))
    else:
        yield InputError(GRANT, _nearest_line(loc, lines), location_text(loc), error["input"], _expected(error, loc, models))
