"""Russian number, money and date formats, through Babel."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "ru_RU"
DASH = "—"


def number(value) -> str:
    """29364470 -> "29 364 470", 3.07 -> "3,07", 4.8 -> "4,8"; None or NaN -> "—"."""
    if value is None or value != value:
        return DASH
    return format_decimal(value, format="#,##0.##", locale=LOCALE)


def amount(value) -> str:
    """A sum of money: 680000 -> "680 000", 12500.5 -> "12 500,50"; 0 or None -> "—"."""
    if not value:
        return DASH
    pattern = "#,##0" if float(value).is_integer() else "#,##0.00"
    return format_decimal(value, format=pattern, locale=LOCALE)


def money(value, currency: str = "тенге") -> str:
    """680000 -> "680 000 тенге"; 0 or None -> "—" (no cost, as the seed shows it)."""
    return DASH if not value else f"{amount(value)}\u00a0{currency}"


def pct(value) -> str:
    """90 -> "90 %" (with a no-break space); None or NaN -> "—"."""
    return DASH if value is None or value != value else f"{number(value)}\u00a0%"


def date(value: dt.date) -> str:
    """2022-04-20 -> "20 апреля 2022 г."."""
    return format_date(value, format="d MMMM y 'г.'", locale=LOCALE)


def agreement_date(value: dt.date) -> str:
    """2022-03-31 -> "«31» марта 2022 года" (the annex line's form)."""
    return format_date(value, format="«d» MMMM y 'года'", locale=LOCALE)


def figure(name: str, value) -> str:
    """A figure as the report shows it, by the kind its name says."""
    if name.endswith(("_pct",)):
        return pct(value)
    if name.endswith((".cost", "budget.spent", "grant.amount")):
        return amount(value)
    return number(value)
