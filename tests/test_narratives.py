"""The analyst's prose: placeholders filled with formatted figures, in a sandbox; HTML escaped."""

from __future__ import annotations

import pytest
from helpers_inputs import write_bytes

from pipeline.exceptions import NarrativeError
from pipeline.notebook import narratives

NBSP = "\u00a0"
FIGS = {
    "consultations.count": 22,
    "feedback.satisfaction_pct": 90,
    "activity.1.1.cost": 680000,
    "survey.law.knowledge_before": 3.07,
    "survey.law.trainer": None,
    "media.reach": 1217,
}
SOURCE = "narratives/p1/1.1.md"


def test_render_text_fills_placeholders_with_formatted_figures():
    template = ('Проведено {{ fig("consultations.count") }} консультаций; удовлетворённость '
                '{{ fig("feedback.satisfaction_pct") }}, расходы {{ fig("activity.1.1.cost") }} тенге, '
                "знания {{ fig('survey.law.knowledge_before') }}, тренер {{fig('survey.law.trainer')}}, "
                'охват {{ fig("media.reach") }}.')
    assert narratives.render_text(template, FIGS, SOURCE) == (
        f"Проведено 22 консультаций; удовлетворённость 90{NBSP}%, расходы 680{NBSP}000 тенге, "
        f"знания 3,07, тренер —, охват 1{NBSP}217.")


def test_render_text_without_placeholders_is_unchanged():
    text = "Просто текст, 50 % и {фигурные} скобки.\n\n- пункт\n- пункт"
    assert narratives.render_text(text, FIGS, SOURCE) == text


def test_unknown_figure_names_the_file_its_line_and_the_figure():
    with pytest.raises(NarrativeError) as excinfo:
        narratives.render_text('Первая строка.\nИтого {{ fig("consultations.cuont") }}.', FIGS, SOURCE)
    assert str(excinfo.value) == f"{SOURCE}:2: placeholder names an unknown figure «consultations.cuont»"


def test_an_absent_figure_reads_as_a_dash_and_is_not_linked():
    """Another region's survey in a regional report: known to the grant, not counted here."""
    absent = {"survey.law.south.knowledge_before"}
    template = 'Юг: {{ fig("survey.law.south.knowledge_before") }}, охват {{ fig("media.reach") }}.'
    marked = narratives.render_text(template, FIGS, SOURCE, mark=True, absent=absent)
    html = narratives.link_figures(narratives.to_html(marked))
    assert html == (f'<p>Юг: —, охват <a class="gr-figure" href="#fig-media.reach" data-figure="media.reach">'
                    f"1{NBSP}217</a>.</p>\n")
    with pytest.raises(NarrativeError, match="survey.law.sout.knowledge_before"):
        narratives.render_text('{{ fig("survey.law.sout.knowledge_before") }}', FIGS, SOURCE, absent=absent)


def test_syntax_error_names_the_file_and_line():
    template = "Первая строка.\nВторая строка.\nТретья {% if %} строка.\n"
    with pytest.raises(NarrativeError) as excinfo:
        narratives.render_text(template, FIGS, SOURCE)
    message = str(excinfo.value)
    assert message.startswith(f"{SOURCE}:3: narrative template error:")


def test_unclosed_placeholder_is_a_narrative_error():
    with pytest.raises(NarrativeError) as excinfo:
        narratives.render_text('Итого {{ fig("consultations.count") .', FIGS, SOURCE)
    assert str(excinfo.value).startswith(f"{SOURCE}:1: narrative template error:")


def test_undefined_name_is_a_narrative_error():
    with pytest.raises(NarrativeError) as excinfo:
        narratives.render_text("Итого {{ consultations }}.", FIGS, SOURCE)
    assert str(excinfo.value).startswith(SOURCE)
    assert "consultations" in str(excinfo.value)


# What a leak of Python internals looks like in text.
LEAKS = ("<function", "<class", "<module", "<built-in", "<bound method", "builtins", "'__name__'",
         "__import__", "uid=")


@pytest.mark.parametrize("template", [
    "{{ fig.__globals__ }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ fig.__code__.co_consts }}",
    "{{ fig|attr('__globals__') }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ '{0.__class__}'.format(1) }}",
    "{% set g = fig.__globals__ %}{{ g }}",
    "{{ fig('consultations.count').__class__.__base__.__subclasses__() }}",
])
def test_sandbox_blocks_attribute_escapes(template):
    try:
        out = narratives.render_text(template, FIGS, SOURCE)
    except NarrativeError as error:   # any other exception fails the test
        assert str(error).startswith(SOURCE)
        out = str(error)
    else:
        assert "__" not in out and "globals" not in out, out
    for leak in LEAKS:
        assert leak not in out, (leak, out)


@pytest.mark.parametrize("template", [
    "Итого {{ fig() }}.",
    'Итого {{ fig("consultations.count", "media.reach") }}.',
    "{{ 1 / 0 }}",
    "{% for i in range(10**9) %}{% endfor %}",
], ids=["fig-no-args", "fig-two-args", "division-by-zero", "huge-range"])
def test_any_broken_template_is_a_narrative_error(template):
    with pytest.raises(NarrativeError) as excinfo:
        narratives.render_text(template, FIGS, SOURCE)
    assert str(excinfo.value).startswith(SOURCE)


def test_to_html_escapes_raw_html():
    html = narratives.to_html("Текст <script>alert(1)</script> и <b>жирный</b>.")
    assert "&lt;script&gt;" in html
    assert "<script" not in html
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_to_html_renders_markdown_and_defuses_javascript_links():
    html = narratives.to_html("**Важно**: [ссылка](javascript:alert(1)) и [сайт](https://example.org)")
    assert "<strong>Важно</strong>" in html
    assert "javascript:" not in html
    assert 'href="https://example.org"' in html


def test_render_returns_none_when_the_file_is_absent(tmp_path):
    assert narratives.render(tmp_path, "p1", "1.1", FIGS) is None
    assert narratives.render(tmp_path, "p1", narratives.SUCCESS_STORY, FIGS) is None


def test_render_reads_the_file_fills_and_converts(tmp_path):
    write_bytes(tmp_path / "narratives" / "p1" / "1.1.md",
                b"\xef\xbb\xbf" + 'Дано **{{ fig("consultations.count") }}** консультаций <i>x</i>.\n'.encode())
    html = narratives.render(tmp_path, "p1", "1.1", FIGS)
    assert html.strip() == ('<p>Дано <strong><a class="gr-figure" href="#fig-consultations.count" '
                            'data-figure="consultations.count">22</a></strong> консультаций &lt;i&gt;x&lt;/i&gt;.</p>')


def test_render_error_names_the_file_relative_to_inputs(tmp_path):
    write_bytes(tmp_path / "narratives" / "p1" / "success_story.md",
                'История: {{ fig("nope") }}\n'.encode())
    with pytest.raises(NarrativeError) as excinfo:
        narratives.render(tmp_path, "p1", "success_story", FIGS)
    assert str(excinfo.value) == "narratives/p1/success_story.md:1: placeholder names an unknown figure «nope»"


def test_render_of_a_file_that_is_not_utf8_names_it(tmp_path):
    write_bytes(tmp_path / "narratives" / "p1" / "1.1.md", "Проведено консультаций".encode("cp1251"))
    with pytest.raises(NarrativeError) as excinfo:
        narratives.render(tmp_path, "p1", "1.1", FIGS)
    assert str(excinfo.value) == "narratives/p1/1.1.md: expected UTF-8 text (save it as UTF-8)"


# ---------------------------------------------------------------- checked by validate, before any build

def test_check_text_accepts_a_good_narrative():
    template = 'Итого {{ fig("consultations.count") }}, {{ fig(name="media.reach") }}.\n{% if 1 %}да{% endif %}'
    assert narratives.check_text(template, SOURCE, FIGS) == []


def test_check_text_names_each_unknown_figure_with_its_line_and_the_closest_names():
    template = ('Первая строка.\nИтого {{ fig("consultations.cuont") }}.\n\n'
                "Охват {{ fig('media.reahc') }}, {{ fig(\"совсем.другое\") }}.\n")
    assert [str(p) for p in narratives.check_text(template, SOURCE, FIGS)] == [
        f"{SOURCE}:2: placeholder names an unknown figure «consultations.cuont» (did you mean «consultations.count»?)",
        f"{SOURCE}:4: placeholder names an unknown figure «media.reahc» (did you mean «media.reach»?)",
        f"{SOURCE}:4: placeholder names an unknown figure «совсем.другое»",
    ]


@pytest.mark.parametrize("template, line, message", [
    ("Первая.\nВторая.\nТретья {% if %} строка.\n", 3, "narrative template error: Expected an expression"),
    ('Итого {{ fig("consultations.count") .', 1, "narrative template error: "),
    ("Итого\n{{ consultations }}.", 2, "narrative template error: unknown name «consultations» "
                                       '(a figure is written {{ fig("name") }}; period.id, period.title, '
                                       "period.start, period.end, region.id, region.name are the report's)"),
    ('Итого\n\n{{ fig("media.reach") | nofilter }}', 3, "narrative template error: No filter named 'nofilter'"),
])
def test_check_text_names_a_broken_template_with_its_line(template, line, message):
    [problem] = narratives.check_text(template, SOURCE, FIGS)
    assert str(problem).startswith(f"{SOURCE}:{line}: {message}"), str(problem)
