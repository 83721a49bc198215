"""grant.yml's model (`pipeline/inputs/grant.py`): every rule told in one line naming its line,
YAML anchors and aliases refused before anything expands, and the model pickles."""

from __future__ import annotations

import datetime as dt
import pickle
import re
import resource
import subprocess
import sys
import time

import pydantic
import pytest
from conftest import DEMO_INPUTS, PROJECT
from helpers_inputs import GRANT_YML, make_inputs, write_grant

from pipeline import app
from pipeline.exceptions import InputError
from pipeline.ids import SEGMENT
from pipeline.inputs.grant import MAX_GRANT_BYTES, MAX_PERIODS, MAX_REGIONS, MAX_REPORTS, InputProblems, load_grant, parse_grant

DATE = "expected a date like 2022-05-23 or 23.05.2022"
ALIASES = "YAML anchors and aliases (&{0}, *{0}) are not accepted: write the value out"


def problems(text: str) -> list[str]:
    """The lines grant.yml's text is refused with (none when it is a valid grant)."""
    try:
        parse_grant(text)
    except InputProblems as error:
        assert all(isinstance(p, InputError) for p in error.problems)
        return [str(p) for p in error.problems]
    except InputError as error:
        return [str(error)]
    return []


def line_of(text: str, fragment: str, nth: int = 0) -> int:
    """The 1-based line of the `nth` line of `text` holding `fragment`."""
    return [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line][nth]


def changed(old: str, new: str) -> str:
    assert GRANT_YML.count(old) == 1, old
    return GRANT_YML.replace(old, new)


# ---------------------------------------------------------------- a valid grant

def test_the_grant_is_typed():
    grant = parse_grant(GRANT_YML)
    assert grant.agreement.number == "7" and grant.agreement.annex == "4"
    assert grant.agreement.date == dt.date(2023, 1, 10)
    assert (grant.grantee.name, grant.grantee.short_name) == ("ОО «Тест»", "Тест")
    assert grant.amount == 1_000_000.0 and grant.currency == "тенге"
    assert (grant.signatory.position, grant.signatory.name) == ("Руководитель проекта", "Имя Фамилия")
    assert grant.region_ids() == ["north", "south", "east"] and grant.period_ids() == ["p1", "p2"]
    assert grant.period("p2").start == dt.date(2023, 7, 1)  # a Russian date
    assert grant.region_name("south") == "Южная область" and grant.region_name("west") == "west"
    with pytest.raises(KeyError):
        grant.period("p3")


@pytest.mark.parametrize("written, amount", [("29 364 470", 29364470.0), ("'1 500,50'", 1500.5), ("1e6", 1e6)])
def test_an_amount_may_be_grouped_or_have_a_decimal_comma(written, amount):
    assert parse_grant(changed("amount: 1000000", f"amount: {written}")).amount == amount


@pytest.mark.parametrize("written", ["'2023-01-01 14:03:55'", "2023-01-01T14:03:55", "'01.01.2023 14:03'"])
def test_a_date_may_carry_a_time_of_day(written):
    assert parse_grant(changed("start: '2023-01-01'", f"start: {written}")).periods[0].start == dt.date(2023, 1, 1)


def test_unquoted_yaml_dates_and_numbers_become_what_the_grant_needs():
    text = changed("start: '2023-01-01'", "start: 2023-01-01").replace("{id: p1,", "{id: 2023,")
    grant = parse_grant(text)
    assert grant.periods[0].start == dt.date(2023, 1, 1) and grant.periods[0].id == "2023"


def test_the_short_name_is_optional_and_an_unknown_key_is_named():
    assert parse_grant(changed(", short_name: 'Тест'", "")).grantee.short_name is None
    with pytest.raises(InputError, match=r"^grant.yml:2: unknown key «note» under «grantee»: expected one of "
                                         r"the keys \(name, short_name\)$"):
        parse_grant(changed(", short_name: 'Тест'", ", note: 'for us'"))


def test_the_model_pickles_and_is_frozen():
    grant = parse_grant(GRANT_YML)
    assert pickle.loads(pickle.dumps(grant, protocol=pickle.HIGHEST_PROTOCOL)) == grant
    with pytest.raises(pydantic.ValidationError):
        grant.amount = 5  # type: ignore[misc]
    assert isinstance(grant.regions, tuple)


def test_load_grant_reads_the_inputs_folder(tmp_path):
    write_grant(tmp_path)
    assert load_grant(tmp_path) == parse_grant(GRANT_YML)


# ---------------------------------------------------------------- every rule, one line with its line

CASES = {
    "missing key": (changed("currency: тенге\n", ""), lambda t: ["grant.yml: missing key «currency»"]),
    "missing nested key": (
        changed("{position: 'Руководитель проекта', ", "{"),
        lambda t: [f"grant.yml:{line_of(t, 'signatory:')}: missing key «signatory.position»"]),
    "missing key of a period": (
        changed(", end: '2023-06-30'}", "}"),
        lambda t: [f"grant.yml:{line_of(t, '{id: p1,')}: missing key «periods[0].end»"]),
    "not a mapping": ("- a\n- b\n", lambda t: [
        "grant.yml: expected a mapping of keys "
        "(agreement, grantee, topic, amount, currency, signatory, regions, periods, columns, questionnaires, files, "
        "event_types, topics, metrics, targets, indicators, language)"]),
    "a part not a mapping": (
        changed("agreement: {number: 7, date: '2023-01-10', annex: 4}", "agreement: 43"),
        lambda t: ["grant.yml:1: agreement = 43: expected a mapping of keys (number, date, annex)"]),
    "an item not a mapping": (
        changed("  - {id: east, name: 'Восточная область'}", "  - east"),
        lambda t: [f"grant.yml:{line_of(t, '- east')}: regions[2] = east: expected a mapping of keys (id, name, aliases)"]),
    "an empty list": (
        changed("regions:\n  - {id: north, name: 'Северная область'}\n  - {id: south, name: 'Южная область'}\n"
                "  - {id: east, name: 'Восточная область'}\n", "regions: []\n"),
        lambda t: [f"grant.yml:{line_of(t, 'regions:')}: regions = []: expected a non-empty list"]),
    "blank values": (
        changed("topic: 'Тестовая тема'", "topic: ''").replace("title: 'Итоговый',", "title:,"),
        lambda t: [f"grant.yml:{line_of(t, 'topic:')}: topic = '': expected a value",
                   f"grant.yml:{line_of(t, 'id: p2')}: periods[1].title = '': expected a value"]),
    "a blank short name": (
        changed("short_name: 'Тест'", "short_name: ' '"),
        lambda t: ["grant.yml:2: grantee.short_name = ' ': expected a value"]),
    "a list for a text": (
        changed("topic: 'Тестовая тема'", "topic: [a, b]"),
        lambda t: ["grant.yml:3: topic = ['a', 'b']: expected a single value, not a list or mapping"]),
    "zero amount": (changed("amount: 1000000", "amount: 0"), lambda t: ["grant.yml:4: amount = 0: expected a positive number"]),
    "amount in words": (
        changed("amount: 1000000", "amount: миллион"),
        lambda t: ["grant.yml:4: amount = миллион: expected a positive number"]),
    "impossible quoted date": (
        changed("end: '2023-06-30'", "end: '31.06.2023'"),
        lambda t: [f"grant.yml:{line_of(t, '31.06.2023')}: periods[0].end = 31.06.2023: {DATE}"]),
    "impossible unquoted date": (
        changed("date: '2023-01-10'", "date: 2023-02-30"),
        lambda t: [f"grant.yml:1: agreement.date = 2023-02-30: {DATE}"]),
    "no date": (
        changed("start: '01.07.2023'", "start: "),
        lambda t: [f"grant.yml:{line_of(t, 'id: p2')}: periods[1].start = '': {DATE}"]),
    "end before start": (
        changed("end: '31.12.2023'", "end: '30.06.2023'"),
        lambda t: [f"grant.yml:{line_of(t, 'id: p2')}: periods[1].end = 30.06.2023: "
                   "expected an end on or after start (2023-07-01)"]),
    "blank id": (
        changed("{id: south,", "{id: ,"),
        lambda t: [f"grant.yml:{line_of(t, 'Южная')}: regions[1].id = '': expected a value"]),
    "id of another shape": (
        changed("{id: p1,", "{id: '../p1',"),
        lambda t: [f"grant.yml:{line_of(t, '../p1')}: periods[0].id = ../p1: {SEGMENT.expected}"]),
    "the region id all": (
        changed("{id: east,", "{id: all,"),
        lambda t: [f"grant.yml:{line_of(t, 'id: all')}: regions[2].id = all: "
                   "expected a region id other than «all» (the report on every region)"]),
    "duplicate ids": (
        changed("{id: east,", "{id: north,").replace("{id: p2,", "{id: p1,"),
        lambda t: [f"grant.yml:{line_of(t, 'id: north', 1)}: regions[2].id = north: "
                   f"expected a unique id (also on line {line_of(t, 'id: north')})",
                   f"grant.yml:{line_of(t, 'id: p1', 1)}: periods[1].id = p1: "
                   f"expected a unique id (also on line {line_of(t, 'id: p1')})"]),
    "yaml syntax": (
        changed("currency: тенге", "currency: [тенге"),
        lambda t: ["grant.yml:6: YAML error: expected ',' or ']', but got ':' "
                   "(while parsing a flow sequence that starts on line 5)"]),
    "a control character": (
        changed("topic: 'Тестовая тема'", "topic: 'Тест\x01'"),
        lambda t: ["grant.yml:3: YAML error: unacceptable character #x0001: special characters are not allowed"]),
    "a key that is a list": (
        changed("currency: тенге", "currency: тенге\n? [a]\n: b"),
        lambda t: ["grant.yml:6: YAML error: a key must be a plain word, not a list or mapping"]),
    "python tag": (
        changed("amount: 1000000", "amount: !!python/object/apply:os.system ['true']"),
        lambda t: ["grant.yml:4: YAML error: could not determine a constructor for the tag "
                   "'tag:yaml.org,2002:python/object/apply:os.system'"]),
    "a tag on a mapping": (
        changed("grantee: {", "grantee: !!python/object:pipeline.inputs.grant.Grantee {"),
        lambda t: ["grant.yml:2: YAML error: could not determine a constructor for the tag "
                   "'tag:yaml.org,2002:python/object:pipeline.inputs.grant.Grantee'"]),
    "anchor and alias": (
        changed("currency: тенге", "currency: &money тенге\nunit: *money"),
        lambda t: ["grant.yml:5: " + ALIASES.format("money")]),
    "merge key": (
        changed("signatory: {", "base: &base {name: x}\nsignatory: {<<: *base, "),
        lambda t: ["grant.yml:6: " + ALIASES.format("base")]),
    "a key written twice": (
        GRANT_YML + "amount: 2000000\n",
        lambda t: [f"grant.yml:{line_of(t, 'amount:', 1)}: key «amount» written twice (also on line 4): keep one of them"]),
    "a nested key written twice": (
        changed("{id: p2, title: 'Итоговый',", "{id: p2, title: 'Итоговый', title: 'Второй',"),
        lambda t: [f"grant.yml:{line_of(t, 'id: p2')}: key «periods[1].title» written twice "
                   f"(also on line {line_of(t, 'id: p2')}): keep one of them"]),
    "a date followed by anything but a time of day": (
        changed("end: '2023-06-30'", "end: '2023-06-30garbage'"),
        lambda t: [f"grant.yml:{line_of(t, 'garbage')}: periods[0].end = 2023-06-30garbage: {DATE}"]),
    "a non-finite amount": (
        changed("amount: 1000000", "amount: 1e400"),
        lambda t: ["grant.yml:4: amount = 1e400: expected a positive number"]),
    "nested too deeply": ("a: " + "[" * 5000 + "]" * 5000 + "\n", lambda t: ["grant.yml: YAML error: nested too deeply"]),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_every_rule_is_one_line_naming_its_line(case):
    text, expected = CASES[case]
    got = problems(text)
    assert got == expected(text)
    for line in got:
        assert "\n" not in line
        assert "Input should" not in line and "pydantic" not in line.lower() and "validation error" not in line


def test_several_problems_are_told_at_once_by_line():
    text = changed("amount: 1000000", "amount: -5").replace("end: '2023-06-30'", "end: 30.02.2023")
    assert problems(text) == ["grant.yml:4: amount = -5: expected a positive number",
                              f"grant.yml:{line_of(text, 'id: p1')}: periods[0].end = 30.02.2023: {DATE}"]


def test_a_grant_file_that_is_missing_or_not_utf8(tmp_path):
    with pytest.raises(InputError, match="^grant.yml: file not found in the inputs folder$"):
        load_grant(tmp_path)
    (tmp_path / "grant.yml").write_bytes(GRANT_YML.encode("cp1251"))
    with pytest.raises(InputError, match=r"^grant.yml: expected UTF-8 text \(save grant.yml as UTF-8\)$"):
        load_grant(tmp_path)


# ---------------------------------------------------------------- "billion laughs"

def alias_bomb(levels: int = 9, width: int = 10) -> str:
    """A grant whose topic expands to width**levels strings through nested aliases."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n" + changed("topic: 'Тестовая тема'", f"topic: *a{levels - 1}")


def _two_gigabytes() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))


@pytest.mark.slow  # validate in a process of its own, under a 2 GB limit
def test_an_alias_bomb_is_refused_at_once_in_little_memory(tmp_path):
    inputs = make_inputs(tmp_path / "inputs", grant=alias_bomb())
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pipeline", "validate", "--inputs", str(inputs)],
                            cwd=PROJECT, capture_output=True, text=True, timeout=60, preexec_fn=_two_gigabytes)
    elapsed = time.perf_counter() - start
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["grant.yml:1: " + ALIASES.format("a0")]
    assert "Traceback" not in result.stderr + result.stdout
    assert elapsed < 10, elapsed  # about 2 s, mostly Python's start (8 levels once took 68 s and 6.5 GB)


def test_an_alias_bomb_is_refused_before_anything_expands():
    start = time.perf_counter()
    assert problems(alias_bomb()) == ["grant.yml:1: " + ALIASES.format("a0")]
    assert time.perf_counter() - start < 0.5



# ---------------------------------------------------------------- the grid's limits

def with_regions(count: int, text: str = GRANT_YML) -> str:
    """`text` with `count` regions (its own three first)."""
    extra = "".join(f"  - {{id: r{n}, name: 'Район {n}'}}\n" for n in range(count - 3))
    return text.replace("periods:\n", extra + "periods:\n", 1)


def with_periods(count: int, text: str = GRANT_YML) -> str:
    """`text` with `count` periods (its own two first)."""
    extra = "".join(f"  - {{id: q{n}, title: 'Квартал {n}', start: '2024-01-01', end: '2024-03-31'}}\n"
                    for n in range(count - 2))
    return text + extra


def test_a_grid_at_its_limits_is_a_grant():
    grant = parse_grant(with_regions(MAX_REGIONS, with_periods(MAX_REPORTS // (MAX_REGIONS + 1))))
    assert len(grant.regions) == MAX_REGIONS
    assert len(grant.periods) * (len(grant.regions) + 1) <= MAX_REPORTS


@pytest.mark.parametrize("make, expected", [
    (lambda: with_regions(MAX_REGIONS + 1), f"{MAX_REGIONS + 1} regions: a grant may have at most {MAX_REGIONS} regions"),
    (lambda: with_periods(MAX_PERIODS + 1), f"{MAX_PERIODS + 1} periods: a grant may have at most {MAX_PERIODS} periods"),
    (lambda: with_regions(MAX_REGIONS, with_periods(20)),
     "20 periods × (500 regions + all) make 10 020 reports: a grant may have at most 10 000 reports "
     "(fewer periods or regions)"),
], ids=["regions", "periods", "reports"])
def test_a_grid_beyond_a_limit_is_one_line_naming_its_key(make, expected):
    text = make()
    key = "periods:" if expected.split(":")[0].endswith(" periods") else "regions:"
    start = time.perf_counter()
    assert problems(text) == [f"grant.yml:{line_of(text, key)}: {expected}"]
    assert time.perf_counter() - start < 1  # counted on the YAML's lists, before any item is validated


def test_a_grid_beyond_its_limits_and_otherwise_broken_says_the_limit_alone():
    text = with_regions(MAX_REGIONS + 1).replace("amount: 1000000", "amount: 0")
    assert problems(text) == [f"grant.yml:{line_of(text, 'regions:')}: {MAX_REGIONS + 1} regions: "
                              f"a grant may have at most {MAX_REGIONS} regions"]


def test_ten_thousand_regions_are_refused_at_once_with_a_line():
    """10 000 regions took 203 s to validate; reading grant.yml stops at MAX_VALUES values."""
    text = with_regions(10_000)
    start = time.perf_counter()
    [line] = problems(text)
    assert time.perf_counter() - start < 3, time.perf_counter() - start
    assert re.fullmatch(r"grant\.yml:\d+: more than 20 000 values \(keys, list items and scalars\): "
                        r"grant\.yml may hold at most 20 000", line), line
    assert int(line.split(":")[1]) < len(text.splitlines())


def test_a_grant_file_beyond_its_size_is_refused_unread(tmp_path):
    write_grant(tmp_path, GRANT_YML + "# " + "x" * MAX_GRANT_BYTES + "\n")
    with pytest.raises(InputError) as refused:
        load_grant(tmp_path)
    assert str(refused.value) == "grant.yml: a file of more than 1 MB: grant.yml may be at most 1 MB"


def _validate_seconds(inputs, regions: int) -> float:
    """How long validating the demo's data takes with its grant.yml given `regions` regions."""
    demo = (DEMO_INPUTS / "grant.yml").read_text(encoding="utf-8")
    extra = "".join(f"  - {{id: r{n}, name: 'Район {n}'}}\n" for n in range(regions - 7))
    (inputs / "grant.yml").write_text(demo.replace("periods:\n", extra + "periods:\n", 1), encoding="utf-8")
    start = time.perf_counter()
    checked = app.validate(inputs)
    assert checked.ok and checked.inputs is not None, [str(p) for p in checked.problems]
    assert len(checked.inputs.grant.regions) == regions
    return time.perf_counter() - start


@pytest.mark.slow  # a timing: the demo validated three times, once with 500 regions (seconds)
def test_validate_costs_little_more_with_hundreds_of_regions(demo_copy):
    """The demo's data with its 7 regions, then with 500: validate took 20 ms more a region (the
    consolidated report's survey figures filtered every event per region and topic)."""
    _validate_seconds(demo_copy, 7)  # imports, once
    few = _validate_seconds(demo_copy, 7)
    many = _validate_seconds(demo_copy, MAX_REGIONS)
    assert many < max(3 * few, few + 3), (few, many)
