"""Number, money and date formats, through Babel: numbers as Russian writes them in either
language of the report (`29 364 470`, `3,07`, `90 %`), dates in the report's language
(«20 апреля 2022 г.», «2022 жылғы 20 сәуір»)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import groupby
from typing import cast

from babel.dates import format_date
from babel.numbers import format_decimal

from pipeline.language import BABEL_LOCALE, DEFAULT

LOCALE = "ru_RU"
DASH = "—"

#: What a figure's value is: a count, a sum, a rate; None when there is nothing to count.
Number = int | float | Decimal | None


def number(value: Number) -> str:
    """29364470 -> "29 364 470", 3.07 -> "3,07", 4.8 -> "4,8"; None or NaN -> "—"."""
    if value is None or value != value:
        return DASH
    return format_decimal(value, format="#,##0.##", locale=LOCALE)


def amount(value: Number) -> str:
    """A sum of money: 680000 -> "680 000", 12500.5 -> "12 500,50", 0 -> "0"; None -> "—".
    A sum of no payment is 0, printed as such (an activity that cost nothing in the period is
    «0 тенге», not a dash that reads as «not known»: docs/figures-conventions.md)."""
    if value is None or value != value:
        return DASH
    if not value:
        return "0"
    pattern = "#,##0" if float(value).is_integer() else "#,##0.00"
    return format_decimal(value, format=pattern, locale=LOCALE)


def money(value: Number, currency: str = "тенге") -> str:
    """680000 -> "680 000 тенге", 0 -> "0 тенге"; None -> "—" (a sum that is not known)."""
    return DASH if value is None or value != value else f"{amount(value)}\u00a0{currency}"


def pct(value: Number) -> str:
    """90 -> "90 %" (with a no-break space); None or NaN -> "—"."""
    return DASH if value is None or value != value else f"{number(value)}\u00a0%"


#: A day as the report writes it, by language (Kazakh: year, «жылғы», day, month).
DATE_FORMATS = {"ru": "d MMMM y 'г.'", "kk": "y 'жылғы' d MMMM"}
#: The agreement's day in the annex line, by language.
AGREEMENT_DATE_FORMATS = {"ru": "«d» MMMM y 'года'", "kk": "y 'жылғы' «d» MMMM"}


def date(value: dt.date, language: str = DEFAULT) -> str:
    """2022-04-20 -> "20 апреля 2022 г." (kk: "2022 жылғы 20 сәуір")."""
    return format_date(value, format=DATE_FORMATS[language], locale=BABEL_LOCALE[language])


def agreement_date(value: dt.date, language: str = DEFAULT) -> str:
    """2022-03-31 -> "«31» марта 2022 года" (the annex line's form; kk: "2022 жылғы «31» наурыз")."""
    return format_date(value, format=AGREEMENT_DATE_FORMATS[language], locale=BABEL_LOCALE[language])


def figure(name: str, recorded: object) -> str:
    """A figure as the report shows it, by the kind its name says (its value as recorded: a
    number or None, read back from a notebook's scraps or figures.json)."""
    value = cast(Number, recorded)
    if name.endswith(("_pct",)):
        return pct(value)
    if name.endswith((".cost", "budget.spent", "grant.amount")):
        return amount(value)
    return number(value)


def _runs(numbers: list[int]) -> str:
    """5, 6, 7, 8, 10 -> "5–8, 10"."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(str(first) if first == last else f"{first}–{last}" for first, last in runs)


def rows_text(refs: list[dict]) -> str:
    """A figure's input rows, compactly: per file the spreadsheet rows (runs as 5–8) and the
    records' ids, "events.csv:5–8 (E004, E005, E006, E007); participants/almaty.csv:2–23"."""
    parts = []
    for file, group in groupby(refs, key=lambda ref: ref["file"]):
        listed = list(group)
        ids = list(dict.fromkeys(str(ref["id"]) for ref in listed if ref.get("id")))
        parts.append(f"{file}:{_runs(sorted({int(ref['row']) for ref in listed}))}"
                     + (f" ({', '.join(ids)})" if ids else ""))
    return "; ".join(parts) or DASH
