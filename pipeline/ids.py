"""The shapes an id may take, declared once.

Ids become path segments (a period's and a region's report folder, a narrative's file),
parts of figure names (split on dots), HTML ids and file names. So an id is a short run
of Latin letters and digits, never a path: no `/`, no `..`, nothing absolute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The region id of the report on every region together: no region may take it.
ALL = "all"


@dataclass(frozen=True)
class IdShape:
    """One kind of id: the pattern it must match whole, and how a message explains it."""

    pattern: re.Pattern[str]
    expected: str

    def fits(self, value: object) -> bool:
        return isinstance(value, str) and len(value) <= MAX_LENGTH and self.pattern.fullmatch(value) is not None


MAX_LENGTH = 64

#: Period and region ids: folder names in the outputs (lower case, so that no two of them
#: fall into one folder on a case-insensitive disk), and parts of figure names (no dots).
SEGMENT = IdShape(re.compile(r"[a-z0-9][a-z0-9_-]*"),
                  f"expected an id of lower-case Latin letters, digits, - and _ (e.g. almaty, 2022-final; "
                  f"at most {MAX_LENGTH} characters)")

#: Topic ids and metric names: parts of figure names (`survey.<topic>.<region>.…`, `metric.<name>`).
NAME = IdShape(re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*"),
               f"expected a name of Latin letters, digits, - and _ (e.g. civic, media_plans; "
               f"at most {MAX_LENGTH} characters)")

#: Plan activity ids: the seed numbers them 1.1, 2.3 (`activity.<id>.<measure>`, and the
#: narrative `narratives/<period>/<id>.md`): dots only between letters or digits.
ACTIVITY = IdShape(re.compile(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*"),
                   f"expected an id of Latin letters and digits, joined by . - or _ (e.g. 1.1, A2; "
                   f"at most {MAX_LENGTH} characters)")
