"""Narratives bounded (`pipeline/notebook/sandbox.py`): a value, a text or work beyond the
sandbox's limits is refused before it is made, one line naming the file and the template's
line, in `validate` as in `run`."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest
from conftest import PROJECT

from pipeline import app
from pipeline.exceptions import NarrativeError
from pipeline.notebook import narratives, sandbox

SOURCE = "narratives/p1/1.1.md"
PERIOD = "2022-interim"
SIZE = "would make about {} characters: a narrative may make values of at most 1 000 000"
STEPS = "more than 5 000 000 steps (characters made, loop turns, calls): a narrative may take at most 5 000 000"

#: Templates that asked the kernel for gigabytes (or for hours), each written on line 2.
HOSTILE = {
    "a repeated string": '{{ ("x" * 3000000000) | length }}',
    "a repeated list": '{{ (["x"] * 3000000000) | length }}',
    "the center filter": '{{ "x" | center(3000000000) | length }}',
    "a str method's width": '{{ "x".ljust(3000000000) | length }}',
    "expandtabs": '{{ ("\\t" * 1000).expandtabs(100000000) | length }}',
    "replace": '{{ ("x" * 100000).replace("x", "y" * 100000) | length }}',
    "the replace filter": '{{ ("x" * 100000) | replace("x", "y" * 100000) | length }}',
    "the join filter": '{% set a = "x" * 999999 %}{{ [a, a, a] | join | length }}',
    "a join method": '{% set a = "x" * 999999 %}{{ "".join([a, a, a]) | length }}',
    "a list made text": '{% set a = "x" * 999999 %}{{ [a, a, a] | string | length }}',
    "a list printed": '{% set a = "x" * 999999 %}{{ [a, a, a, a] }}',
    "doubling with ~": '{% set a = "x" * 999999 %}{% set b = a ~ a %}{% set c = b ~ b %}{{ c | length }}',
    "doubling with +": '{% set a = "x" * 999999 %}{% set b = a + a %}{% set c = b + b %}{{ c | length }}',
    "a % width": '{{ "%0999999999d" % 1 }}',
    "the format filter": '{{ "%0999999999d" | format(1) }}',
    "a format width": '{{ "{:>999999999}".format(1) }}',
    "a power": "{{ 10 ** 1000000000 }}",
    "batch padding": "{{ [1] | batch(3000000000, 0) | list | length }}",
    "indent of many lines": '{{ ("a\\n" * 100000) | indent(100000) | length }}',
    "lipsum": "{{ lipsum(n=100000) | length }}",
    "a loop's output": '{% for i in range(100000) %}{{ "x" * 999999 }}{% endfor %}',
    "a loop's text in a macro": ("{% macro m() %}{% for i in range(100000) %}" + "y" * 100000
                                 + "{% endfor %}{% endmacro %}{{ m() | length }}"),
    "nested loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "a namespace filled in a loop": ('{% set ns = namespace(l=[]) %}{% for i in range(100000) %}'
                                     '{% set ns.l = [ns.l, "x" * 999999] %}{% endfor %}'),
}

#: What refuses the text as a whole, not one of its lines.
WHOLE_TEXT = {"a loop's output"}

#: Renders every HOSTILE template in a process that may not use 2 GB, with tracemalloc on:
#: what each said, how long it took, and the most memory Python held meanwhile.
PROBE = """
import json, sys, time, tracemalloc
from pipeline.exceptions import NarrativeError
from pipeline.notebook import narratives
for name, template in json.loads(sys.stdin.read()).items():
    tracemalloc.start()
    start = time.perf_counter()
    try:
        said = "rendered: " + narratives.render_text("Первая строка.\\n" + template, {}, "narratives/p1/1.1.md")[:80]
    except NarrativeError as error:
        said = str(error)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(json.dumps({"name": name, "said": said, "seconds": seconds, "peak": peak}), flush=True)
"""


def _two_gigabytes() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))


@pytest.fixture(scope="module")
def probed() -> dict[str, dict]:
    result = subprocess.run([sys.executable, "-c", PROBE], input=json.dumps(HOSTILE), cwd=PROJECT, text=True,
                            capture_output=True, timeout=300, preexec_fn=_two_gigabytes)
    assert result.returncode == 0, result.stderr[-2000:]
    return {said["name"]: said for said in map(json.loads, result.stdout.splitlines())}


@pytest.mark.slow  # every template rendered under tracemalloc, in a process of its own under a 2 GB limit (seconds)
@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_template_is_refused_on_its_line_before_its_value_is_made(probed, name):
    said = probed[name]
    where = SOURCE if name in WHOLE_TEXT else f"{SOURCE}:2"  # the text as a whole has no line
    assert said["said"].startswith(f"{where}: "), said["said"]
    assert "at most" in said["said"] and "MemoryError" not in said["said"], said["said"]
    assert said["peak"] < 150 * 2 ** 20, said  # what a refusal holds, at most a few values of 1 000 000
    assert said["seconds"] < 60, said  # 5 000 000 loop turns under tracemalloc, on a shared machine


def test_what_a_refusal_says():
    with pytest.raises(NarrativeError) as refused:
        narratives.render_text('Первая строка.\n\n{{ ("x" * 3000000000) | length }}', {}, SOURCE)
    assert str(refused.value) == f"{SOURCE}:3: «*» " + SIZE.format("3 000 000 000")
    with pytest.raises(NarrativeError) as refused:
        narratives.render_text('{{ "x" | center(3000000000) }}', {}, SOURCE)
    assert str(refused.value) == f"{SOURCE}:1: «|center» " + SIZE.format("3 000 000 001")
    with pytest.raises(NarrativeError) as refused:
        narratives.render_text("{% for i in range(10000) %}\n{% for j in range(1000) %}{% endfor %}{% endfor %}",
                               {}, SOURCE)
    assert str(refused.value) == f"{SOURCE}:2: {STEPS}"


def test_the_rendered_text_is_bounded():
    with pytest.raises(NarrativeError) as refused:
        narratives.render_text('{% for i in range(3) %}{{ "x" * 400000 }}{% endfor %}', {}, SOURCE)
    assert str(refused.value) == (f"{SOURCE}: the narrative renders to more than 1 000 000 characters: "
                                  "a narrative may be at most 1 000 000")


@pytest.mark.parametrize("template, text", [
    ('{{ "x" * 3 }}|{{ (["a", "b"] * 2) | join(",") }}|{{ "ab" ~ 1 }}|{{ "a" + "b" }}', "xxx|a,b,a,b|ab1|ab"),
    ('{{ "%s и %s" % ("a", "b") }}|{{ "%d" | format(7) }}|{{ "{} {}".format(1, 2) }}', "a и b|7|1 2"),
    ('{{ "ab".center(6) }}|{{ "x" | center(3) }}|{{ "a b" | replace(" ", "_") }}', "  ab  | x |a_b"),
    ("{% for i in range(3) %}{{ i }}{% else %}-{% endfor %}|{{ range(4) | sum }}|{{ 2 ** 10 }}", "012|6|1024"),
    ("{% set ns = namespace(n=0) %}{% for i in [1, 2] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", "3"),
    ("{% macro m(x) %}<{{ x }}>{% endmacro %}{{ m(1) }}{% set b %}блок{% endset %}{{ b }}", "<1>блок"),
    ('{% for k, v in {"a": 1}.items() %}{{ k }}={{ v }}{% endfor %}|{{ [3, 1, 2] | sort | list }}', "a=1|[1, 2, 3]"),
])
def test_what_narratives_write_renders_as_before(template, text):
    assert narratives.render_text(template, {}, SOURCE) == text


def test_sizes_are_counted_no_further_than_their_cap():
    big = ["x" * 999_999] * 10 ** 6  # a million references to one string
    assert sandbox.size(big) > sandbox.MAX_SIZE
    assert sandbox.size("x" * 10) == 10 and sandbox.size([["ab"], 7]) < 20


# ---------------------------------------------------------------- in validate as in run

HOSTILE_NARRATIVE = 'Проведено {{ fig("consultations.count") }} консультаций.\n\n{{ ("x" * 3000000000) | length }}\n'
REFUSED = f"narratives/{PERIOD}/1.1.md:3: «*» " + SIZE.format("3 000 000 000")


def test_validate_renders_each_narrative_and_names_the_refusals_line(demo_copy):
    (demo_copy / "narratives" / PERIOD / "1.1.md").write_text(HOSTILE_NARRATIVE, encoding="utf-8")
    checked = app.validate(demo_copy)
    assert [str(p) for p in checked.problems] == [REFUSED]
    with pytest.raises(NarrativeError) as refused:  # as a report's notebook renders it
        narratives.render(demo_copy, PERIOD, "1.1", {"consultations.count": 13})
    assert str(refused.value) == REFUSED


def test_validate_names_it_while_the_tables_have_problems_too(demo_copy):
    (demo_copy / "narratives" / PERIOD / "1.1.md").write_text(HOSTILE_NARRATIVE, encoding="utf-8")
    (demo_copy / "narratives" / PERIOD / "2.1.md").write_text('{{ 1 / 0 }} {{ fig("consultations.count") }}',
                                                              encoding="utf-8")
    (demo_copy / "plan.csv").write_text("activity_id\n", encoding="utf-8")
    problems = [str(p) for p in app.validate(demo_copy).problems]
    assert REFUSED in problems
    assert not any("2.1.md" in p for p in problems)  # what values do is told once the tables are valid


def test_validate_renders_an_override_and_a_computed_figure_name(demo_copy):
    folder = demo_copy / "narratives" / PERIOD
    (folder / "almaty").mkdir()
    (folder / "almaty" / "1.1.md").write_text('{{ "x" * 3 }}\n{{ fig("consultations." ~ "cuont") }}',
                                              encoding="utf-8")
    (folder / "2.1.md").write_text('{{ "x" * 3 }}\n\n{{ 1 / 0 }}', encoding="utf-8")
    assert [str(p) for p in app.validate(demo_copy).problems] == [
        f"narratives/{PERIOD}/2.1.md:3: narrative template error: ZeroDivisionError: division by zero",
        f"narratives/{PERIOD}/almaty/1.1.md:2: placeholder names an unknown figure «consultations.cuont»",
    ]


def test_a_narrative_file_beyond_its_size_is_refused_unread(demo_copy):
    (demo_copy / "narratives" / PERIOD / "1.1.md").write_bytes(b"x" * (narratives.MAX_FILE_BYTES + 1))
    assert [str(p) for p in app.validate(demo_copy).problems] == [
        f"narratives/{PERIOD}/1.1.md: a file of more than 1 MB: a narrative may be at most 1 MB"]
