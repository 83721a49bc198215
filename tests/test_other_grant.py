"""Another grant in the same contract, in every allowed file shape: every figure right."""

from __future__ import annotations

import json

import pytest
from conftest import OTHER_GRANT

pytestmark = pytest.mark.slow  # every test reads the other grant's build

EXPECTED = json.loads((OTHER_GRANT / "expected.json").read_text(encoding="utf-8"))


def test_other_grant_builds(other_build):
    out, result = other_build
    assert result.returncode == 0, result.stderr
    for key in EXPECTED:
        assert (out / key / "report.html").is_file(), key


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_other_grant_figures(other_build, key):
    figures = json.loads((other_build[0] / key / "figures.json").read_text(encoding="utf-8"))
    wrong = {}
    for name, value in EXPECTED[key].items():
        got = figures.get(name, "missing")
        same = got == value and type(got) is type(value)
        if isinstance(value, float) and isinstance(got, (int, float)):
            same = abs(got - value) < 0.005
        if not same:
            wrong[name] = (value, got)
    assert not wrong, f"{key}: expected vs got {wrong}"
