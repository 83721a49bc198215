"""Writes what the blocks' declarations (`pipeline.figures.declarations`) decide: the section
notebooks (notebooks/*.ipynb) and the figure catalogue's document (docs/figures.md).

    python scripts/generate.py          # write them
    python scripts/generate.py --check  # exit 1, naming each file, when one differs (CI)

Per block a notebook gets a markdown cell with its rule, a cell that shows the rows in scope,
and the computing cell: the body of the block's declared function (`blocks.<key>`), run on
the report's rows, ending in `review.record` (so the figure the report shows is computed once,
by that cell, and the function's tests test what the cell runs). What a section shows around
its blocks (its heading, what it is, the report's table rendered from the recorded blocks) is
laid out below, in `SECTIONS`.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import sys
import textwrap
import types
from dataclasses import dataclass
from pathlib import Path

import nbformat

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from pipeline.figures import blocks, catalogue  # noqa: E402
from pipeline.figures.declarations import DECLARED, Declared, of_section  # noqa: E402

NOTEBOOKS = PROJECT / "notebooks"
FIGURES_DOC = PROJECT / "docs" / "figures.md"
REVIEW = ["review"]
#: What a computing cell starts from, by the name of its function's parameter.
ARGUMENTS = {"sel": "ctx.selection", "warnings": "ctx.warnings"}
PARAMETERS = ('period = "2022-interim"  # a period id of grant.yml\n'
              'region = "all"  # a region id of grant.yml, or "all"\n'
              'inputs = "inputs"  # the inputs folder')


@dataclass(frozen=True)
class Section:
    """One section notebook around its blocks."""

    file: str
    #: Its heading in the report (`None`: the report's table carries its own).
    heading: str | None
    #: What a reviewer reads first: the section's title (when the report shows none) and what it holds.
    intro: str
    #: The cells that render the report's part from the recorded blocks (named by their keys).
    report: tuple[str, ...]
    modules: tuple[str, ...] = ("context", "review", "views")
    #: Which page of a report folder shows it: the form (report.*) or the evidence beside it (evidence.*).
    part: str = "form"


SECTIONS: dict[str, Section] = {
    "header": Section(
        "00_header.ipynb", None,
        "# Шапка отчета\nДанные гранта из `grant.yml`; освоение бюджета за период — сумма `expenses` периода. Ниже "
        "каждый блок показателей: правило, строки в области отчета, расчет (ячейка выполняет тело функции "
        "`pipeline.figures.blocks.<блок>`) и показатели со строками, из которых они вычислены (записаны через "
        "scrapbook); затем часть отчета, показанная из записанных показателей.",
        ("views.header(ctx, budget.figures)",)),
    "activities": Section(
        "10_activities.ipynb", "## 1. Информация о выполненных работах",
        "Одна строка на мероприятие плана (`plan`). Участники — посещаемость мероприятий по спискам регистрации (или "
        "`reported_participants`) + консультации + отзывы; стоимость — расходы мероприятия за период; уровень "
        "достижения — счет по `unit` плана против `target`. Описание — текст аналитика из "
        "`narratives/<period>/<activity_id>.md` (для отчета региона — `narratives/<period>/<region>/<activity_id>.md`, "
        "если есть): он подставляется при сборке отчета, с показателями, записанными ячейками всех разделов.",
        ("views.activities(ctx, activities.figures)",)),
    "trainings": Section(
        "20_trainings.ipynb", None,
        "### Эффективность обучающих тренингов\n\nМероприятия периода по типам; разные люди на тренингах; средние по "
        "анкетам (`training_surveys`) тренингов каждой темы, по регионам, каждое — по анкетам, ответившим на вопрос.",
        ("views.trainings(ctx, events.figures | training_people.figures | surveys.figures)",
         "charts.survey_chart(views.survey_rows(ctx, surveys.figures))"),
        ("charts", "context", "review", "views")),
    "consultations": Section(
        "30_consultations.ipynb", None,
        "### Community-центры, консультации и отзывы бенефициаров\n\nЦентры, открытые к концу периода; консультации "
        "периода; отзывы периода (регион отзыва — регион его консультации).",
        ("views.feedback(ctx, centres.figures | consultations.figures)",)),
    "media": Section(
        "40_media.ipynb", "## 2. Освещение деятельности (включая рекламу) в СМИ, социальных сетях",
        "Публикации периода: собственные каналы, затем партнеры и СМИ. Показатели `metrics` — последнее значение на "
        "конец периода.",
        ("views.media(ctx, media.figures | metrics.figures)",)),
    "closing": Section(
        "50_closing.ipynb", "## 3. Напишите историю успеха по определенному действию, если имеются",
        "Текст аналитика из `narratives/<period>/success_story.md` (для отчета региона — "
        "`narratives/<period>/<region>/success_story.md`, если есть), подставляется при сборке отчета; без него — "
        "стандартная фраза.",
        ("views.success_story(ctx)",), ("context", "views")),
    "notes": Section(
        "60_notes.ipynb", "## Замечания к данным",
        "Что во входных данных учтено особым образом: пустой охват, мероприятия без списков, анкеты без списков или "
        "сверх них, записи вне периодов, файлы и строки, не прочитанные как записи (о записях — в области отчета, о "
        "файлах и папке — по всей папке). Только счетчики и имена файлов, без персональных данных.",
        ("views.data_notes(ctx, data_notes.figures)",), part="evidence"),
}


# ---------------------------------------------------------------- the computing cell


def _function(block: Declared) -> ast.FunctionDef:
    tree = ast.parse(textwrap.dedent(inspect.getsource(block.compute)))
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef), block.key
    return function


def _body(block: Declared) -> list[ast.stmt]:
    """The function's statements between its docstring and its `return block`."""
    body = _function(block).body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]
    last = body[-1]
    if not (isinstance(last, ast.Return) and isinstance(last.value, ast.Name) and last.value.id == "block"):
        raise SystemExit(f"{block.function}: a block function ends with `return block`")
    return body[:-1]


def computing_cell(block: Declared) -> str:
    """The computing cell of a block: its arguments from the report's context, the function's
    body (its comments included), and the block recorded under its key."""
    lines = textwrap.dedent(inspect.getsource(block.compute)).splitlines()
    statements = _body(block)
    body = textwrap.dedent("\n".join(lines[statements[0].lineno - 1:statements[-1].end_lineno]))
    given = [f"{name} = {ARGUMENTS[name]}" for name in block.parameters]
    return "\n".join([*given, body, f"{block.key} = review.record(ctx, block)"])


def _names_used(block: Declared) -> set[str]:
    return {node.id for statement in _body(block) for node in ast.walk(statement) if isinstance(node, ast.Name)}


def _assigned(block: Declared) -> set[str]:
    return {node.id for statement in _body(block) for node in ast.walk(statement)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


def import_cell(section: Section, declared: tuple[Declared, ...]) -> str:
    """The notebook's one import cell: what its cells call, from where the blocks' module has it."""
    used = set().union(*(_names_used(block) for block in declared)) if declared else set()
    found = {name: vars(blocks)[name] for name in used if name in vars(blocks)}
    others, ours = [], []
    for alias, module in sorted((n, m) for n, m in found.items() if isinstance(m, types.ModuleType)):
        package, _, leaf = module.__name__.rpartition(".")
        line = f"from {package} import {leaf}" if package else f"import {module.__name__}"
        (ours if module.__name__.startswith("pipeline.") else others).append(line + (f" as {alias}" if alias != leaf else ""))
    names = [name for name, value in found.items() if not isinstance(value, types.ModuleType)]
    if names:
        ours.append(f"from pipeline.figures.blocks import {', '.join(sorted(names, key=_isort_key))}")
    ours.append(f"from pipeline.notebook import {', '.join(section.modules)}")
    return "\n\n".join("\n".join(sorted(group)) for group in (others, ours) if group)


def _isort_key(name: str) -> tuple[int, str]:
    """ruff's isort order within one `from` line: constants, then classes, then the rest."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


# ---------------------------------------------------------------- the notebooks


def _markdown(cell_id: str, source: str, review: bool) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source, id=cell_id)
    if review:
        cell.metadata["tags"] = REVIEW
    return cell


def _code(cell_id: str, source: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, id=cell_id)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def notebook(name: str, section: Section) -> nbformat.NotebookNode:
    """A section notebook as the declarations make it."""
    declared = of_section(name)
    keys = {block.key for block in declared}
    for block in declared:
        clash = _assigned(block) & keys
        if clash:
            raise SystemExit(f"{block.function} assigns {', '.join(sorted(clash))}, the name a block of its notebook "
                             "is recorded under: rename it")
    cells = []
    if section.heading:
        cells.append(_markdown("heading", section.heading, review=False))
    cells += [_markdown("intro", section.intro, review=True),
              _code("parameters", PARAMETERS, ["parameters"]),
              _code("imports", import_cell(section, declared)),
              _code("context", "ctx = context.load(inputs, period, region)")]
    for block in declared:
        cells.append(_markdown(f"{block.key}-rule", f"### {block.title}\n\n{block.rule}", review=True))
        if block.inputs:
            cells.append(_code(f"{block.key}-rows", f'review.rows_in_scope(ctx, "{block.key}")', REVIEW))
        cells.append(_code(f"{block.key}-compute", computing_cell(block), REVIEW))
    cells += [_code("report" if i == 0 else f"report-{i + 1}", source) for i, source in enumerate(section.report)]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}, "grant_report": {"part": section.part}}
    nbformat.validate(nb)
    return nb


def notebook_text(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


# ---------------------------------------------------------------- docs/figures.md

FIGURES_INTRO = """# Figures

Every number of a report is a named figure, computed in one cell of its section notebook and
recorded with scrapbook (`figures.json`, `manifest.json`). This is every name pattern, what it
means and the rule of the block that computes it, as `pipeline/figures/declarations.py`
declares them (this page is written from there by `python scripts/generate.py`; so are the
notebooks' rule and computing cells; `python -m pipeline explain NAME` prints one figure of a
built report with the rows it came from). In a narrative, a placeholder names a figure:
`{{ fig("events.training.participants") }}`.

Parts in braces: `{type}` an event type (`conference`, `training`, `meeting`, `presentation`,
`round_table`, `other`); `{owner}` `own`, `partner`, `press` or `external` (partners and press);
`{topic}` a training's `topic_id`; `{region}` a region id; `{measure}` `respondents`,
`knowledge_before`, `knowledge_after`, `trainer`, `organisation`; `{id}` a plan `activity_id`;
`{name}` a metric's name or a data warning's code.
"""


def figures_doc() -> str:
    lines = [FIGURES_INTRO, "| figure | meaning | block | notebook |", "|---|---|---|---|"]
    for block in DECLARED:
        for figure in block.figures:
            lines.append(f"| `{figure.pattern}` | {figure.description} | [{block.title}](#{block.key}) | "
                         f"`{SECTIONS[block.section].file}` |")
    lines += ["", "## The rules of the blocks", ""]
    for block in DECLARED:
        lines += [f'<a id="{block.key}"></a>', f"### {block.title} (`{block.key}`)", "", block.rule, "",
                  f"Computed by `{block.function}`, the body of the cell `{block.key}-compute` of "
                  f"`notebooks/{SECTIONS[block.section].file}`.", ""]
    assert len(catalogue.CATALOGUE) == sum(len(block.figures) for block in DECLARED)
    return "\n".join(lines).rstrip("\n") + "\n"


def generated() -> dict[Path, str]:
    """Every generated file and what it holds."""
    files = {NOTEBOOKS / section.file: notebook_text(notebook(name, section)) for name, section in SECTIONS.items()}
    files[FIGURES_DOC] = figures_doc()
    return files


def _shown(path: Path) -> str:
    return str(path.relative_to(PROJECT)) if path.is_relative_to(PROJECT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file differs")
    args = parser.parse_args(argv)
    stale = [path for path, text in generated().items()
             if not path.is_file() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{_shown(path)}: differs from what scripts/generate.py writes (run it)")
        return 1 if stale else 0
    for path, text in generated().items():
        if path in stale:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {_shown(path)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
