"""The analyst's prose: Markdown with placeholders that name figures, rendered safely.

A placeholder is `{{ fig("consultations.count") }}`; it renders the figure as the report
shows it. Templates run in Jinja2's sandbox; a placeholder naming an unknown figure, or a
broken template, is a NarrativeError naming the file. A figure the grant has but this
report does not (`absent`, e.g. another region's survey in a regional report) shows as "—".
"""

from __future__ import annotations

import re
from collections.abc import Collection
from html import escape
from pathlib import Path

import mistune
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from pipeline import paths
from pipeline.exceptions import NarrativeError
from pipeline.notebook import formatting, links

SUCCESS_STORY = "success_story"
NO_SUCCESS_STORY = ("Истории успеха ожидаются к окончанию проекта, "
                    "на промежуточном этапе истории успехов нет")

class _Renderer(mistune.HTMLRenderer):
    """Markdown's HTML, with links and images only where `links.safe_href` allows them (the
    text alone otherwise) and no image fetched at all (a report embeds what it shows)."""

    def link(self, text: str, url: str, title: str | None = None) -> str:
        return super().link(text, url, title) if links.safe_href(url) else text

    def image(self, text: str, url: str, title: str | None = None) -> str:
        return escape(text)


_markdown = mistune.create_markdown(escape=True, renderer=_Renderer(escape=True))
_environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def narrative_path(inputs: Path, period: str, name: str) -> Path:
    return paths.inside(Path(inputs) / paths.NARRATIVES_DIR, period, f"{name}.md")


# Marks a filled placeholder through Markdown so that the HTML can link it to the registry.
_MARK = re.compile("\ue000([^\ue001]*)\ue001([^\ue002]*)\ue002")
_MARKERS = re.compile("[\ue000-\ue002]")


def render_text(template: str, figures: dict[str, object], source: str, mark: bool = False,
                absent: Collection[str] = ()) -> str:
    """Fill the placeholders of one narrative (Markdown out). With `mark`, each filled
    value carries its figure's name, for `link_figures` to turn into a link (an absent
    figure has no row in this report's registry to link to)."""

    def fig(name: str) -> str:
        if name in absent:
            return formatting.figure(name, None)
        if name not in figures:
            raise NarrativeError(f"{source}: placeholder names an unknown figure «{name}»")
        text = formatting.figure(name, figures[name])
        return f"\ue000{name}\ue001{text}\ue002" if mark else text

    template = _MARKERS.sub("", template)  # figure links are made from the figure list, never from text
    try:
        return _environment.from_string(template).render(fig=fig)
    except NarrativeError:
        raise
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        where = f"{source}:{line}" if line else source
        raise NarrativeError(f"{where}: narrative template error: {error.message}") from None
    except Exception as error:  # anything an analyst's template can provoke: fig(), 1/0, range(10**9)
        raise NarrativeError(f"{source}: narrative template error: {type(error).__name__}: {error}") from None


def to_html(markdown_text: str) -> str:
    """Markdown to HTML; raw HTML in the prose is shown as text, never run."""
    html = _markdown(markdown_text)
    assert isinstance(html, str)  # an HTML renderer's output (mistune types any renderer's)
    return html


def link_figures(html: str) -> str:
    """Marked values become links to their row in the report's figure registry."""
    return _MARK.sub(lambda m: f'<a class="gr-figure" href="#fig-{escape(m[1])}" data-figure="{escape(m[1])}">'
                               f"{escape(m[2])}</a>", html)


def render(inputs: Path, period: str, name: str, figures: dict[str, object],
           absent: Collection[str] = ()) -> str | None:
    """HTML of narratives/<period>/<name>.md with figures filled in, or None if there is none."""
    path = narrative_path(inputs, period, name)
    if not path.is_file():
        return None
    source = path.relative_to(Path(inputs)).as_posix()
    text = render_text(path.read_text(encoding="utf-8-sig"), figures, source, mark=True, absent=absent)
    return link_figures(to_html(text))
