"""The analyst's prose: Markdown with placeholders that name figures, rendered safely.

A placeholder is `{{ fig("consultations.count") }}`; it renders the figure as the report
shows it. Templates also see `period` (id, title, start, end) and `region` (id, name) of the
report they fill. Templates run in Jinja2's sandbox; a placeholder naming an unknown figure,
or a broken template, is a NarrativeError naming the file. A figure the grant has but this
report does not (`absent`, e.g. another region's survey in a regional report) shows as "—".

A report reads `narratives/<period>/<region>/<name>.md` when its region has one (its
override), else the period's `narratives/<period>/<name>.md`. A report in Kazakh reads the
same files under `narratives/<period>/kk/` first (`kk/<name>.md`, `kk/<region>/<name>.md`), so a
grant may keep its prose in both languages (docs/narratives.md).

`check` is what `validate` (and so `run`, before building anything) asks of every narrative
of the inputs folder: UTF-8, a template that parses, and placeholders that name figures the
period's reports have, each problem one line with its file and line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from functools import partial
from html import escape
from pathlib import Path

import mistune
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes

from pipeline import paths
from pipeline.exceptions import InputError, NarrativeError, PipelineError
from pipeline.figures import catalogue
from pipeline.figures.declarations import PeriodFigures
from pipeline.ids import ALL
from pipeline.inputs.datawarning import DataWarning
from pipeline.inputs.grant import Grant
from pipeline.inputs.loading import Inputs
from pipeline.language import DEFAULT, LANGUAGES, N_, known, tr
from pipeline.notebook import formatting, frontmatter, links
from pipeline.notebook.sandbox import BoundedSandbox, LimitError, template_line

SUCCESS_STORY = "success_story"
NO_SUCCESS_STORY = N_("Истории успеха ожидаются к окончанию проекта, "
                      "на промежуточном этапе истории успехов нет")

class _Renderer(mistune.HTMLRenderer):
    """Markdown's HTML, with links and images only where `links.safe_href` allows them (the
    text alone otherwise) and no image fetched at all (a report embeds what it shows)."""

    def link(self, text: str, url: str, title: str | None = None) -> str:
        return super().link(text, url, title) if links.safe_href(url) else text

    def image(self, text: str, url: str, title: str | None = None) -> str:
        return escape(text)


_markdown = mistune.create_markdown(escape=True, renderer=_Renderer(escape=True))
_environment = BoundedSandbox(undefined=StrictUndefined, autoescape=False)


#: What a template sees beside `fig`, and the attributes of each.
TEMPLATE_VALUES = {"period": ("id", "title", "start", "end"), "region": ("id", "name")}
#: The region name of the report on every region, as the report's title says it.
ALL_REGIONS = N_("все регионы")
#: The folders of a period's narratives in a language other than the default one: `kk/`.
LANGUAGE_FOLDERS = tuple(language for language in LANGUAGES if language != DEFAULT)


def narrative_path(inputs: Path, period: str, name: str, region: str | None = None,
                   language: str = DEFAULT) -> Path:
    """narratives/<period>/<name>.md, or with `region` that region's override
    narratives/<period>/<region>/<name>.md (never outside the narratives folder); in another
    language than the default, the same under narratives/<period>/<language>/."""
    folder = [language] if language != DEFAULT else []
    return paths.inside(Path(inputs) / paths.NARRATIVES_DIR, period, *folder, *([region] if region else []),
                        f"{name}.md")


def candidates(inputs: Path, period: str, name: str, region: str = ALL, language: str = DEFAULT) -> list[Path]:
    """Where the period x region report looks for a narrative, in order: in its language's folder
    (a `kk` report: `kk/<region>/`, `kk/`), then as written (its region's override, the period's)."""
    languages = [language, DEFAULT] if language != DEFAULT else [DEFAULT]
    return [narrative_path(inputs, period, name, where, spoken) for spoken in languages for where in (region, None)]


def find(inputs: Path, period: str, name: str, region: str = ALL, language: str = DEFAULT) -> Path | None:
    """The narrative the period x region report reads (`candidates`): its region's override,
    else the period's file, in its language's folder first; None when there is none."""
    return next((path for path in candidates(inputs, period, name, region, language) if path.is_file()), None)


def template_values(grant: Grant, period: str, region: str) -> dict[str, dict[str, str]]:
    """What a narrative of the period x region report sees beside `fig`: `period` (id, title,
    start, end as the report writes dates) and `region` (id, name; «все регионы» for `all`)."""
    about, language = grant.period(period), grant.language
    return {"period": {"id": about.id, "title": known(language, about.title), "start": formatting.date(about.start, language),
                       "end": formatting.date(about.end, language)},
            "region": {"id": region, "name": tr(language, ALL_REGIONS) if region == ALL else grant.region_name(region)}}


NOT_UTF8 = "expected UTF-8 text (save it as UTF-8)"
#: The largest narrative file read (a narrative renders to at most `sandbox.MAX_SIZE` characters).
MAX_FILE_BYTES = 1024 * 1024


def read(path: Path, source: str) -> str:
    """A narrative's text (UTF-8, with or without BOM), read no further than MAX_FILE_BYTES; an
    InputError naming it otherwise."""
    with path.open("rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(source, expected=f"a file of more than {MAX_FILE_BYTES // 2 ** 20} MB: "
                                          f"a narrative may be at most {MAX_FILE_BYTES // 2 ** 20} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(source, expected=NOT_UTF8) from None


# Marks a filled placeholder through Markdown so that the HTML can link it to the registry.
_MARK = re.compile("\ue000([^\ue001]*)\ue001([^\ue002]*)\ue002")
_MARKERS = re.compile("[\ue000-\ue002]")


class NarrativeLimit(InputError):
    """A narrative beyond a limit of the sandbox (`sandbox`): a value, a text or work too big."""


def render_text(template: str, figures: Mapping[str, object], source: str, mark: bool = False,
                absent: Collection[str] = (), values: Mapping[str, object] | None = None) -> str:
    """Fill the placeholders of one narrative (Markdown out). With `mark`, each filled
    value carries its figure's name, for `link_figures` to turn into a link (an absent
    figure has no row in this report's registry to link to). `values`: what else the
    template sees (`template_values`). Whatever stops it is a NarrativeError naming the
    file and the template's line (`_filled`)."""
    try:
        return _filled(template, figures, source, mark, absent, values)
    except InputError as error:
        raise NarrativeError(str(error)) from None


def _filled(template: str, figures: Mapping[str, object], source: str, mark: bool = False,
            absent: Collection[str] = (), values: Mapping[str, object] | None = None) -> str:
    """`render_text`'s work, in the sandbox's bounds (`sandbox`); what stops it is an
    InputError naming the file and the template's line: a placeholder naming an unknown
    figure, a limit of the sandbox, any error of the template."""

    def fig(name: str) -> str:
        if name in absent:
            return formatting.figure(name, None)
        if name not in figures:
            raise InputError(source, expected=f"placeholder names an unknown figure «{name}»")
        text = formatting.figure(name, figures[name])
        return f"\ue000{name}\ue001{text}\ue002" if mark else text

    template = _MARKERS.sub("", template)  # figure links are made from the figure list, never from text
    try:
        return _environment.render(template, {**(values or {}), "fig": fig})
    except InputError as error:
        raise InputError(source, template_line(error), expected=error.expected) from None
    except LimitError as error:
        raise NarrativeLimit(source, template_line(error), expected=str(error)) from None
    except TemplateError as error:
        raise _template_error(error, source) from None
    except Exception as error:  # anything an analyst's template can provoke: fig(), 1/0, range(10**9)
        raise InputError(source, template_line(error),
                         expected=f"narrative template error: {type(error).__name__}: {error}") from None


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
           absent: Collection[str] = (), region: str = ALL,
           values: Mapping[str, object] | None = None, language: str = DEFAULT) -> str | None:
    """HTML of the narrative `name` the period x region report reads (`find`) with figures
    and `values` filled in, or None if there is none: a regional report reads the period's
    file only when its front matter says it is true of that region (`frontmatter`)."""
    path = find(inputs, period, name, region, language)
    if path is None:
        return None
    source = path.relative_to(Path(inputs)).as_posix()
    try:
        front, template = frontmatter.split(read(path, source), source)
    except InputError as error:
        raise NarrativeError(str(error)) from None
    period_files = {narrative_path(inputs, period, name, language=spoken) for spoken in (DEFAULT, language)}
    if path in period_files and not front.true_of(region):
        return None
    return link_figures(to_html(render_text(template, figures, source, mark=True, absent=absent, values=values)))


# ---------------------------------------------------------------- checked by `validate`

#: The code of the warning about a file in the narratives folder that no report reads.
NOT_USED = "narratives.not_used"


def _template_error(error: TemplateError, source: str) -> InputError:
    line = getattr(error, "lineno", None) or template_line(error)
    return InputError(source, line, expected=f"narrative template error: {error.message}")


def closest_names(name: str, known: Collection[str]) -> str:
    """What a message says of an unknown name: the closest known ones, if any is close."""
    close = difflib.get_close_matches(name, known, n=3)
    return f" (did you mean {' or '.join(f'«{c}»' for c in close)}?)" if close else ""


def _named_figures(tree: nodes.Template) -> Iterator[tuple[str, int]]:
    """The figures a template's placeholders name in quotes, with their lines (a name computed
    in the template is checked only when a report is built)."""
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "fig":
            named = [*call.args[:1], *(k.value for k in call.kwargs if k.key == "name")]
            for arg in named:
                if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                    yield arg.value, call.lineno


def _unknown_values(tree: nodes.Template) -> Iterator[tuple[str, int]]:
    """Names the template uses that it does not see (`fig`, `period`, `region`), and
    attributes of `period` and `region` they do not have, with their lines."""
    for name in sorted(meta.find_undeclared_variables(tree) - {"fig", *TEMPLATE_VALUES}):
        line = next(n.lineno for n in tree.find_all(nodes.Name) if n.name == name)
        yield (f"unknown name «{name}» (a figure is written {{{{ fig(\"name\") }}}}; "
               f"{_seen()} are the report's)"), line
    for attribute in tree.find_all(nodes.Getattr):
        owner = attribute.node
        if isinstance(owner, nodes.Name) and owner.name in TEMPLATE_VALUES and owner.ctx == "load" \
                and attribute.attr not in TEMPLATE_VALUES[owner.name]:
            yield (f"unknown name «{owner.name}.{attribute.attr}» ({owner.name} has "
                   f"{', '.join(TEMPLATE_VALUES[owner.name])})"), attribute.lineno


def _seen() -> str:
    """`period.id`, `period.title`, …: what a template may write besides figures."""
    return ", ".join(f"{owner}.{key}" for owner, keys in TEMPLATE_VALUES.items() for key in keys)


def check_text(template: str, source: str, figures: Collection[str]) -> list[InputError]:
    """One narrative's problems: a template that does not parse (with its line), a name it
    does not see (`fig`, `period`, `region` and their attributes), a placeholder naming a
    figure not in `figures` (with the closest names)."""
    template = _MARKERS.sub("", template)
    try:
        tree = _environment.parse(template)
    except TemplateSyntaxError as error:
        return [_template_error(error, source)]
    problems = [InputError(source, line, expected=f"placeholder names an unknown figure «{name}»"
                           + closest_names(name, figures))
                for name, line in _named_figures(tree) if name not in figures]
    try:  # what parses may still not compile: an unknown filter
        problems += [InputError(source, line, expected=f"narrative template error: {what}")
                     for what, line in _unknown_values(tree)]
        _environment.compile(tree)
    except TemplateSyntaxError as error:
        problems.append(_template_error(error, source))
    return sorted(problems, key=lambda p: p.row or 0)


def without_language(relative: Path) -> Path:
    """A narrative's path relative to the narratives folder, its language's folder left out
    (`2022-final/kk/almaty/1.1.md` → `2022-final/almaty/1.1.md`)."""
    parts = relative.parts
    return Path(parts[0], *parts[2:]) if len(parts) >= 3 and parts[1] in LANGUAGE_FOLDERS else relative


def _not_used(relative: Path, periods: Collection[str], regions: Collection[str],
              names: Collection[str]) -> str | None:
    """Why no report reads a file of the narratives folder (`relative` to it, its language's
    folder left out: `without_language`), or None: its period, its region (an override's
    folder: a region id or `all`) and its name are checked."""
    if relative.suffix != ".md":
        return "a narrative is a .md file"
    if len(relative.parts) not in (2, 3):
        return (f"a narrative is {paths.NARRATIVES_DIR}/<period>/<activity_id>.md or {SUCCESS_STORY}.md, "
                f"or for one region's report {paths.NARRATIVES_DIR}/<period>/<region>/<activity_id>.md")
    if relative.parts[0] not in periods:
        return f"«{relative.parts[0]}» is not a period of grant.yml" + closest_names(relative.parts[0], periods)
    if len(relative.parts) == 3 and relative.parts[1] not in regions:
        return (f"«{relative.parts[1]}» is not a region id of grant.yml nor {ALL}"
                + closest_names(relative.parts[1], regions))
    if relative.stem not in names:
        return (f"«{relative.stem}» is neither an activity_id of the plan nor {SUCCESS_STORY}"
                + closest_names(relative.stem, names))
    return None


def _narrative_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every file of the inputs' narratives folder but an editor's or the system's (hidden, `~$`
    lock files): its path relative to the folder, and as messages name it."""
    folder = root / paths.NARRATIVES_DIR
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        if not any(part.startswith((".", "~$")) for part in relative.parts):
            yield relative, path.relative_to(root).as_posix()


def _text_problems(root: Path, relative: Path, source: str, figures: Collection[str],
                   render: Callable[[str], InputError | None], regions: Collection[str] | None = None,
                   ) -> list[InputError]:
    """One narrative's problems (`check_text` against `figures`; then what `render` of its text
    says), read through the wall a build reads it through: no link out of the narratives folder."""
    try:
        path = paths.inside(root / paths.NARRATIVES_DIR, *relative.parts)
    except PipelineError:
        return [InputError(source, expected=f"a link leading out of the {paths.NARRATIVES_DIR} folder: refused")]
    try:
        _front, text = frontmatter.split(read(path, source), source, regions)
    except InputError as error:
        return [error]
    problems = check_text(text, source, figures)
    rendered = None if problems else render(text)
    return problems + ([rendered] if rendered else [])


def _render_problem(template: str, source: str, figures: Mapping[str, object], absent: Collection[str] = (),
                    values: Mapping[str, object] | None = None) -> InputError | None:
    """What rendering a narrative says (its file and line), as a report renders it: a limit of
    the sandbox, an unknown figure whose name the template computes, any error of the template."""
    try:
        _filled(template, figures, source, absent=absent, values=values)
    except InputError as error:
        return error
    return None


def check(inputs: Inputs, figures: PeriodFigures | None = None) -> tuple[list[InputError], list[DataWarning]]:
    """Every file of the inputs' narratives folder, the periods' and the regions' overrides:
    the problems of those the reports read (`check_text`, against every figure of the period's
    `all` report, which names every figure its regional reports have), and a warning for each
    one no report reads (`figures`: the periods' figures, when the caller has them)."""
    periods, names = inputs.grant.period_ids(), {*inputs["plan"]["activity_id"], SUCCESS_STORY}
    regions = [*inputs.grant.region_ids(), ALL]
    figures = PeriodFigures(inputs) if figures is None else figures
    problems: list[InputError] = []
    warnings: list[DataWarning] = []
    for relative, source in _narrative_files(inputs.root):
        reason = _not_used(without_language(relative), periods, regions, names)
        if reason:
            warnings.append(DataWarning(NOT_USED, f"{source}: not used by any report ({reason})", 1))
            continue
        read_as = without_language(relative)
        period, region = read_as.parts[0], read_as.parts[1] if len(read_as.parts) == 3 else ALL
        values = template_values(inputs.grant, period, region)
        problems += _text_problems(inputs.root, relative, source, figures[period], partial(
            _render_problem, source=source, figures=figures[period], values=values), inputs.grant.region_ids())
    return problems, warnings


class CatalogueNames(Collection[str]):
    """Every name the catalogue's patterns match (`in` asks the catalogue), for narratives
    checked before the tables can say which figures a period has; a close match suggests the
    patterns themselves (`survey.{topic}.respondents`)."""

    def __contains__(self, name: object) -> bool:
        try:
            catalogue.lookup(str(name))
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({entry.pattern for entry in catalogue.CATALOGUE}))

    def __len__(self) -> int:
        return len(catalogue.CATALOGUE)


def check_early(root: Path) -> list[InputError]:
    """While the tables still have problems, so that one `validate` round tells everything:
    every narrative's syntax, names and placeholders, these against the catalogue's patterns
    (the figures of a period need valid tables; `check` holds them to those once they are)."""
    return [problem for relative, source in _narrative_files(root) if relative.suffix == ".md"
            for problem in _text_problems(root, relative, source, CatalogueNames(), partial(_beyond_limits, source=source))]


def _beyond_limits(template: str, source: str) -> InputError | None:
    """A limit of the sandbox a narrative goes beyond, its figures all «—» (what it does with
    their values is checked once the tables are valid, `check`)."""
    unknown = {owner: dict.fromkeys(keys, formatting.figure("", None)) for owner, keys in TEMPLATE_VALUES.items()}
    problem = _render_problem(template, source, {}, absent=CatalogueNames(), values=unknown)
    return problem if isinstance(problem, NarrativeLimit) else None
