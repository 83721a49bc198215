"""The unit a header names for a number column («Сумма (тыс. тенге)», «Охват, %»): a scale
multiplies the column's values, a unit the column cannot hold is refused; never read past.

The contract's numbers are whole units: amounts (`amount`, `budget`) in the grant's currency,
counts (`reach`, `publications`, `reported_participants`) one by one, a plan's `target` and a
metric's `value` in whatever the plan or the metric counts (a percentage too). A header naming a
scale anywhere in it (in parentheses, after a comma, or in the words the grant names it by:
тыс., мың, млн, млрд) has the file's values of that column multiplied by it, exactly; one naming
a unit its column cannot hold (a percentage or another currency on an amount, a percentage or
a currency on a count) is one line naming the file, the header and what to write. Pure
functions: no files here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.exceptions import InputError, spaced
from pipeline.inputs.schema import TABLES, header_names

_THOUSANDS = ("тыс", "тысяч", "тысяча", "тысячи", "тысячах", "мың", "thousand", "thousands")
_MILLIONS = ("млн", "миллион", "миллиона", "миллионов", "миллионах", "million", "millions", "mln")
_BILLIONS = ("млрд", "миллиард", "миллиарда", "миллиардов", "миллиардах", "billion", "billions", "bln")
#: A scale's words (casefolded), Russian, Kazakh, English → what the values are multiplied by.
SCALES: dict[str, int] = ({word: 10 ** 3 for word in _THOUSANDS} | {word: 10 ** 6 for word in _MILLIONS}
                          | {word: 10 ** 9 for word in _BILLIONS})
PERCENT = frozenset({"%", "процент", "процента", "процентов", "процентах", "пайыз", "percent"})
#: The words of the currencies a header may name, by currency.
CURRENCIES: dict[str, frozenset[str]] = {
    "KZT": frozenset({"тенге", "теңге", "тг", "₸", "kzt"}),
    "USD": frozenset({"usd", "$", "доллар", "доллара", "долларов", "долларах", "долл", "dollar", "dollars"}),
    "EUR": frozenset({"eur", "€", "евро", "euro"}),
    "RUB": frozenset({"rub", "₽", "руб", "рубль", "рубля", "рублей", "рублях"}),
}
#: Columns of amounts, in the grant's currency; columns of counts, one by one.
MONEY = frozenset({"amount", "budget"})
COUNTS = frozenset({"reach", "publications", "reported_participants"})

_UNIT = re.compile(r"[^\W\d_]+|[%₸$€₽]")


@dataclass(frozen=True)
class Scaled:
    """A column of one file whose header names a scale: its values are multiplied by `factor`."""

    column: str
    header: str  # as written
    factor: int

    def times(self) -> str:
        """values × 1 000"""
        return f"values × {spaced(self.factor)}"

    def said(self) -> str:
        """«Сумма (тыс. тенге)»: values × 1 000, as `validate`'s summary says it."""
        return f"«{self.header}»: {self.times()}"


def _currency(word: str) -> str | None:
    return next((code for code, words in CURRENCIES.items() if word in words), None)


def _holds(column: str, currency: str | None) -> str:
    if column in MONEY:
        return f"amounts in {currency}" if currency else "amounts in the grant's currency"
    return "a count" if column in COUNTS else "values"


def _what_to_write(table: str, column: str, currency: str | None) -> str:
    """Under which header the values go: the column's first Russian name, plain and in thousands."""
    name = header_names(table, column)[0][0]
    unit = f"тыс. {currency}" if column in MONEY and currency else "тыс."
    what = "amounts" + (f" in {currency}" if currency else "") if column in MONEY else \
        "count" if column in COUNTS else "values"
    return f"write the {what} under «{name}» (in thousands: «{name} ({unit})»)"


def header_scale(table: str, column: str, header: str, currency: str | None, display: str, line: int) -> int:
    """What the values under `header` (a number column's) are multiplied by: 1 unless it names
    a scale. A unit the column cannot hold, or two scales, is an InputError naming the header.
    `currency`: the grant's (grant.yml `currency`), None when grant.yml does not read."""
    units = _UNIT.findall(header)
    scales = list(dict.fromkeys(unit for unit in units if unit.casefold() in SCALES))
    own = {word.casefold() for word in _UNIT.findall(currency or "")}
    for unit in units:
        word = unit.casefold()
        code = _currency(word)
        wrong_currency = code is not None and (column in COUNTS or column in MONEY and bool(own)
                                               and not own & CURRENCIES[code])
        if (word in PERCENT and column in MONEY | COUNTS) or wrong_currency:
            raise InputError(display, line, expected=f"the header «{header}» names «{unit}», but {column} holds "
                             f"{_holds(column, currency)}: {_what_to_write(table, column, currency)}")
    if len({SCALES[unit.casefold()] for unit in scales}) > 1:
        raise InputError(display, line, expected=f"the header «{header}» names both «{scales[0]}» and «{scales[1]}»: "
                         f"{_what_to_write(table, column, currency)}")
    return SCALES[scales[0].casefold()] if scales else 1


def column_scales(table: str, cells: Sequence[str], positions: Mapping[str, int], currency: str | None,
                  display: str, line: int) -> tuple[Scaled, ...]:
    """The number columns of a matched header row (`positions`: column → its cell) whose header
    names a scale; a unit no column of its kind holds is an InputError (`header_scale`)."""
    found = []
    for column in TABLES[table]:
        if column.kind in ("number", "int") and column.name in positions:
            header = str(cells[positions[column.name]]).strip()
            factor = header_scale(table, column.name, header, currency, display, line)
            if factor != 1:
                found.append(Scaled(column.name, header, factor))
    return tuple(found)
