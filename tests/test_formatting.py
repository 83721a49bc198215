"""Russian number, money and date formats (no-break spaces between groups and before units)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pytest

from pipeline.notebook import formatting as fmt

NBSP = "\u00a0"


@pytest.mark.parametrize("value, text", [
    (29364470, f"29{NBSP}364{NBSP}470"),
    (1217, f"1{NBSP}217"),
    (854, "854"),
    (0, "0"),
    (3.07, "3,07"),
    (4.8, "4,8"),
    (4.95, "4,95"),
    (5.0, "5"),
    (12500.5, f"12{NBSP}500,5"),
    (Decimal("3.10"), "3,1"),
    (np.int64(82), "82"),
])
def test_number(value, text):
    assert fmt.number(value) == text


@pytest.mark.parametrize("value", [None, float("nan"), math.nan, np.float64("nan")])
def test_number_of_nothing_is_a_dash(value):
    assert fmt.number(value) == "—"


def test_pct():
    assert fmt.pct(90) == f"90{NBSP}%"
    assert fmt.pct(0) == f"0{NBSP}%"
    assert fmt.pct(100) == f"100{NBSP}%"
    assert fmt.pct(None) == "—"


def test_money():
    assert fmt.money(680000) == f"680{NBSP}000{NBSP}тенге"
    assert fmt.money(1877057) == f"1{NBSP}877{NBSP}057{NBSP}тенге"
    assert fmt.money(12500.5) == f"12{NBSP}500,50{NBSP}тенге"
    assert fmt.money(680000, "₸") == f"680{NBSP}000{NBSP}₸"
    assert fmt.money(0) == f"0{NBSP}тенге", "an activity that cost nothing: 0 of the currency"
    assert fmt.money(None) == "—"


def test_amount():
    assert fmt.amount(12500.5) == f"12{NBSP}500,50"
    assert fmt.amount(680000) == f"680{NBSP}000"
    assert fmt.amount(680000.0) == f"680{NBSP}000"
    assert fmt.amount(99999.25) == f"99{NBSP}999,25"
    assert fmt.amount(0) == "0"
    assert fmt.amount(0.0) == "0"
    assert fmt.amount(None) == "—"


def test_agreement_date():
    assert fmt.agreement_date(dt.date(2022, 3, 31)) == "«31» марта 2022 года"
    assert fmt.agreement_date(dt.date(2023, 1, 10)) == "«10» января 2023 года"


def test_date():
    assert fmt.date(dt.date(2022, 4, 20)) == "20 апреля 2022 г."
    assert fmt.date(dt.date(2022, 5, 1)) == "1 мая 2022 г."


@pytest.mark.parametrize("name, value, text", [
    ("feedback.satisfaction_pct", 90, f"90{NBSP}%"),
    ("budget.spent_pct", 6, f"6{NBSP}%"),
    ("activity.1.1.achieved_pct", None, "—"),
    ("activity.1.1.cost", 680000, f"680{NBSP}000"),
    ("activity.1.1.cost", 0, "0"),
    ("budget.spent", 12500.5, f"12{NBSP}500,50"),
    ("budget.spent", 0, "0"),
    ("grant.amount", 29364470, f"29{NBSP}364{NBSP}470"),
    ("survey.law.knowledge_before", 3.07, "3,07"),
    ("survey.law.trainer", None, "—"),
    ("media.reach", 1217, f"1{NBSP}217"),
    ("events.training.participants", 0, "0"),
])
def test_figure_by_name(name, value, text):
    assert fmt.figure(name, value) == text
