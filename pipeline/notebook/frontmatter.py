"""A narrative's front matter: which regions' reports a period's text is true of.

A period's narrative (`narratives/<period>/<name>.md`) tells the project as a whole; a regional
report shows it only when its author says it is true of that region too, in lines of YAML
between two `---` lines at the top of the file:

    ---
    regions: all            # true of every region's report
    ---

or `regions: [almaty, zko]` for some. Otherwise a regional report reads its region's own file
(`narratives/<period>/<region>/<name>.md`) or, without one, states what its region's records
show (`notebook.accounts`). The consolidated report reads the period's file whatever it says.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import yaml

from pipeline.exceptions import InputError
from pipeline.ids import ALL

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
KEY = "regions"
EXPECTED = f"expected front matter between two --- lines holding `{KEY}: all` or `{KEY}: [region ids]`"


@dataclass(frozen=True)
class FrontMatter:
    """The regions a narrative is true of (`None`: it says nothing, so only its own report's)."""

    regions: frozenset[str] | None = None

    def true_of(self, region: str) -> bool:
        return region == ALL or (self.regions is not None and (ALL in self.regions or region in self.regions))


def split(text: str, source: str, known: Collection[str] | None = None) -> tuple[FrontMatter, str]:
    """A narrative's front matter and its text without it (the lines it took kept blank, so a
    template's line numbers stay the file's); an InputError naming the file for front matter
    that is not as documented, or (with `known`) names a region grant.yml lacks."""
    match = _FRONT.match(text)
    if match is None:
        return FrontMatter(), text
    try:
        meta = yaml.safe_load(match[1])
    except yaml.YAMLError:
        raise InputError(source, 1, expected=EXPECTED) from None
    if not isinstance(meta, dict) or set(meta) != {KEY}:
        raise InputError(source, 1, expected=EXPECTED)
    value = meta[KEY]
    regions = [value] if isinstance(value, str) else value
    if not isinstance(regions, list) or not regions or not all(isinstance(r, str) for r in regions):
        raise InputError(source, 2, KEY, value, expected=EXPECTED)
    unknown = [r for r in regions if r != ALL and known is not None and r not in known]
    if unknown:
        raise InputError(source, 2, KEY, ", ".join(unknown),
                         expected=f"expected region ids of grant.yml or {ALL} ({', '.join(sorted(known or ()))})")
    return FrontMatter(frozenset(regions)), "\n" * match[0].count("\n") + text[match.end():]
