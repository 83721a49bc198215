"""What a problem of the tables suggests, after its line: the region of grant.yml an unknown
region is closest to («did you mean …?»), and the line of grant.yml to paste so that the word
is read next time (a region's `aliases:`, a type of the grant's own in `event_types:`).
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Collection

from pipeline.exceptions import InputError
from pipeline.inputs.grant import Grant
from pipeline.inputs.grantparts import texts_of
from pipeline.inputs.schema import word_key

#: What a region cell no region of grant.yml takes is told (`checks`' reference check).
REGION_ERROR = "expected a region listed in grant.yml"

_SHORT_WORDS = ((re.compile(r"\bобл\b\.?"), "область"), (re.compile(r"\bр-н\b\.?"), "район"),
                (re.compile(r"\bг\.\s*"), ""))


def _long_form(name: object) -> str:
    """A region's name as compared: `word_key`, with «обл.» written out (Павлодарская обл. =
    Павлодарская область) and «г.» dropped."""
    key = word_key(name)
    for short, long in _SHORT_WORDS:
        key = short.sub(long, key)
    return key.strip()


def region_hint(problem: InputError, grant: Grant | None) -> InputError:
    """An unknown region with the closest of grant.yml's ids, names and aliases: «did you mean …?»"""
    if grant is None or problem.column != "region" or not problem.expected.startswith(REGION_ERROR):
        return problem
    words = {_long_form(w): region.id for region in grant.regions for w in (region.id, *texts_of(region.name), *region.aliases)}
    key = _long_form(problem.value)
    close = [key] if key in words else difflib.get_close_matches(key, list(words), n=3, cutoff=0.6)
    # a short form of a name's first word: «Алматы» for «Алматинская область»
    close += [w for w in words if len(os.path.commonprefix([key, w.split(" ")[0]])) >= max(4, len(key) - 2)]
    ids = list(dict.fromkeys(words[w] for w in close))
    if not ids:
        return problem
    return InputError(problem.file, problem.row, problem.column, problem.value,
                      f"{problem.expected}: did you mean {' or '.join(ids)}?")


_DID_YOU_MEAN = re.compile(r": did you mean (.+)\?$")


_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
                  ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                   "t", "u", "f", "kh", "ts", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya", "a", "g", "k", "n",
                   "o", "u", "u", "h", "i"], strict=True))


def type_id(word: str) -> str:
    """An id for an event type written as `word` («семинар» → seminar): Latin letters, digits, _."""
    latin = "".join(_LATIN.get(char, char) for char in word_key(word))
    return re.sub(r"[^a-z0-9]+", "_", latin).strip("_") or "my_type"


def paste_hints(problems: Collection[InputError]) -> dict[tuple[str, str], str]:
    """By (column, value): the grant.yml line that would have an unknown region read, to paste
    under the one region it is close to (`aliases:`), or an unknown event type counted as a type
    of the grant's own (`event_types:`), told after the problem's line (`lines.grouped`)."""
    hints = {}
    for problem in problems:
        if problem.column == "type" and problem.expected.startswith("expected one of conference"):
            word = str(problem.value)
            name = json.dumps(word[:1].upper() + word[1:], ensure_ascii=False)
            hints[("type", word)] = (f"To count it as a type of its own, paste in grant.yml: event_types: "
                                     f"{{{type_id(word)}: {{name: {name}, words: [{json.dumps(word, ensure_ascii=False)}]}}}}")
        if problem.column == "region" and problem.expected.startswith(REGION_ERROR):
            meant = _DID_YOU_MEAN.search(problem.expected)
            if meant and " or " not in meant[1]:  # one region it is close to: its other spelling
                alias = json.dumps(str(problem.value), ensure_ascii=False)
                hints[("region", str(problem.value))] = f"To read it so, paste under {meant[1]} in grant.yml: aliases: [{alias}]"
    return hints
