"""grant.yml's YAML read in one walk: its data, each scalar as the text the user wrote, and the
line of every location (`periods[1].end`), for messages that name it.

The YAML is composed once with the safe loader, which here refuses anchors and aliases as
it meets them (a "billion laughs" file never expands) and every tag but the plain ones; a key
written twice is refused (YAML would let the second silently win).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any, Protocol

import yaml

from pipeline import paths
from pipeline.exceptions import InputError, spaced

GRANT = paths.GRANT_FILE

#: A location in grant.yml: keys and list positions, as pydantic's `loc` has them.
Loc = tuple[str | int, ...]


def location_text(loc: Loc) -> str:
    """`periods[1].end`, as messages name a location."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


_TAG = "tag:yaml.org,2002:"
_PLAIN = frozenset(_TAG + kind for kind in ("str", "int", "float", "bool", "null", "timestamp"))


class _Mark(Protocol):
    line: int  # 0-based


def _line(mark: _Mark | None) -> int | None:
    return None if mark is None else mark.line + 1


#: The most values (keys, list items and scalars) grant.yml may hold: composing them is the
#: cost of reading it (a grant at its limits, 500 regions and 50 periods, holds about 6 000).
MAX_VALUES = 20_000


class _Loader(yaml.SafeLoader):
    """The safe loader's composer, refusing an anchor or an alias before it makes any node:
    nested aliases would otherwise expand exponentially in whatever walks the tree; and
    refusing to compose more than MAX_VALUES nodes, so that reading stays bounded."""

    composed = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            name = event.anchor
            raise InputError(GRANT, _line(event.start_mark),
                             expected=f"YAML anchors and aliases (&{name}, *{name}) are not accepted: write the value out")
        self.composed += 1
        if self.composed > MAX_VALUES:
            most = spaced(MAX_VALUES)
            raise InputError(GRANT, _line(event.start_mark), expected=(
                f"more than {most} values (keys, list items and scalars): grant.yml may hold at most {most}"))
        return super().compose_node(parent, index)


def _walk(node: yaml.Node, where: Loc, lines: dict[Loc, int]) -> Any:
    """The data under `node`, every scalar as its text (None when empty); the line of every
    location goes into `lines`."""
    if isinstance(node, yaml.MappingNode) and node.tag == _TAG + "map":
        data = {}
        for key, value in node.value:
            if not (isinstance(key, yaml.ScalarNode) and key.tag in _PLAIN):
                raise InputError(GRANT, _line(key.start_mark),
                                 expected="YAML error: a key must be a plain word, not a list or mapping")
            line = key.start_mark.line + 1
            if key.value in data:  # YAML lets the second silently win: the user meant one of them
                raise InputError(GRANT, line, expected=f"key «{location_text((*where, key.value))}» written twice "
                                 f"(also on line {lines[(*where, key.value)]}): keep one of them")
            lines[(*where, key.value)] = line
            data[key.value] = _walk(value, (*where, key.value), lines)
        return data
    if isinstance(node, yaml.SequenceNode) and node.tag == _TAG + "seq":
        for i, item in enumerate(node.value):
            lines[(*where, i)] = item.start_mark.line + 1
        return [_walk(item, (*where, i), lines) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.ScalarNode) and node.tag in _PLAIN:
        return None if node.tag == _TAG + "null" else node.value
    raise InputError(GRANT, _line(node.start_mark),
                     expected=f"YAML error: could not determine a constructor for the tag '{node.tag}'")


def _yaml_error(error: yaml.YAMLError, text: str) -> InputError:
    """A YAML syntax error as one line: where, what, and where the construct it broke started."""
    mark = getattr(error, "problem_mark", None)
    line = _line(mark)
    reason = getattr(error, "problem", None) or "not valid YAML"
    if isinstance(error, yaml.reader.ReaderError):  # a control character
        line = text.count("\n", 0, error.position) + 1
        reason = f"unacceptable character #x{error.character:04x}: {error.reason}"
    context, context_line = getattr(error, "context", None), _line(getattr(error, "context_mark", None))
    if context and context_line is not None and context_line != line:
        reason += f" ({context} that starts on line {context_line})"
    return InputError(GRANT, line, expected=f"YAML error: {reason}")


def read_yaml(text: str) -> tuple[Any, dict[Loc, int]]:
    """grant.yml's data (scalars as text) and the line of every location in it: a copy of the
    text's walk, which is kept (`validate` reads the same grant.yml several times)."""
    data, lines = _read_yaml(text)
    return copy.deepcopy(data), dict(lines)


@lru_cache(maxsize=8)
def _read_yaml(text: str) -> tuple[Any, dict[Loc, int]]:
    lines: dict[Loc, int] = {}
    try:
        loader = _Loader(text)  # a control character is refused here already
        try:
            node = loader.get_single_node()
            return (None if node is None else _walk(node, (), lines)), lines
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise _yaml_error(error, text) from None
    except RecursionError:
        raise InputError(GRANT, expected="YAML error: nested too deeply") from None
