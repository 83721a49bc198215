"""What a reviewer reads in an executed notebook, block by block: the rows in scope, the block
computed step by step, and its figures, each with the rows it came from.

`rows_in_scope` shows the rows a block counts (through the pseudonymising `rows.view`);
`record` records the block its computing cell computed (figures and their rows, with
scrapbook), shows its intermediate table and its figures as the report formats them, and
hands the block back for the report's table to render from. Tables are never truncated.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from IPython.display import HTML, display

from pipeline.figures import catalogue, declarations
from pipeline.figures.lineage import Block, refs, union
from pipeline.figures.scope import SELECTION_OF_TABLE
from pipeline.inputs.schema import TABLES
from pipeline.language import DEFAULT, N_, tr
from pipeline.notebook import formatting, recording, rows
from pipeline.notebook.context import Context
from pipeline.notebook.views import render

#: The headers of the tables a reviewer reads (Russian as marked, in the report's language as
#: shown): the intermediate tables' columns, and the contract's columns of the rows in scope,
#: each with its contract name on a second line (after "\n", shown smaller by
#: review_table.html.j2) to find it in the inputs.
_HEADERS = {
    "list_rows": N_("строк в списке"), "duplicates_merged": N_("повторов объединено"),
    "people_on_list": N_("людей в списке"), "reported_participants": N_("заявлено без списка"),
    "attendance": N_("участников учтено"), "payments": N_("платежей"), "amount": N_("сумма"),
    "counts": N_("счет по единице"), "events": N_("мероприятий"), "consultations": N_("консультаций"),
    "feedback": N_("отзывов"), "participants": N_("участников"), "cost": N_("расходы"), "target": N_("цель"),
    "achieved": N_("достигнуто"), "achieved_pct": N_("достигнуто, %"),
    "not_on_an_earlier_list": N_("новых (не было в прежних списках)"),
    "distinct_so_far": N_("разных людей нарастающим итогом"), "forms": N_("анкет"), "figure": N_("показатель"),
    "numerator": N_("числитель"), "denominator": N_("знаменатель"), "value": N_("значение"), "rows": N_("строк"),
    "publications_blank": N_("без числа публикаций (= 1)"), "publications": N_("публикаций"),
    "reach_blank": N_("без охвата (= 0)"), "reach": N_("охват"), "rows_used": N_("строк взято"),
    "file:row": N_("файл:строка"), "files": N_("файлы"), "code": N_("замечание (код)"), "label": N_("замечание"),
    "activity_id": N_("мероприятие плана"), "task_no": N_("№ задачи"), "unit": N_("единица"), "region": N_("регион"),
    "date": N_("дата"), "start_date": N_("дата начала"), "event_id": N_("мероприятие"), "type": N_("тип мероприятия"),
    "topic": N_("тема"), "topic_id": N_("тема"), "opened": N_("дата открытия"), "name": N_("название"),
    "memorandum_date": N_("дата меморандума"),
    "consultation_id": N_("консультация"), "respondent_id": N_("анкета"), "answered": N_("получен ответ"),
    "positive": N_("положительный отзыв"), "satisfaction": N_("удовлетворенность, балл"),
    "owner": N_("владелец канала"), "platform": N_("платформа"), "knowledge_before": N_("знания до тренинга, балл"),
    "knowledge_after": N_("знания после тренинга, балл"), "trainer": N_("оценка тренера, балл"),
    "organisation": N_("оценка организации, балл"), "knowledge_before_answered": N_("ответили: знания до тренинга"),
    "knowledge_before_sum": N_("сумма баллов: знания до тренинга"),
    "knowledge_before_mean": N_("среднее: знания до тренинга"),
    "knowledge_after_answered": N_("ответили: знания после тренинга"),
    "knowledge_after_sum": N_("сумма баллов: знания после тренинга"),
    "knowledge_after_mean": N_("среднее: знания после тренинга"), "trainer_answered": N_("ответили: оценка тренера"),
    "trainer_sum": N_("сумма баллов: оценка тренера"), "trainer_mean": N_("среднее: оценка тренера"),
    "organisation_answered": N_("ответили: оценка организации"),
    "organisation_sum": N_("сумма баллов: оценка организации"),
    "organisation_mean": N_("среднее: оценка организации"),
    rows.PERSON: rows.PERSON,  # a person's pseudonym, marked where it is written
}
#: The contract's columns among them (`schema.TABLES`), whose name a header shows on its second line.
_CONTRACT_NAMED = frozenset(key for key in _HEADERS if key in {c.name for columns in TABLES.values() for c in columns})
HEADERS = {key: f"{text}\n{key}" if key in _CONTRACT_NAMED else text for key, text in _HEADERS.items()}


def _cell(value: object, language: str = DEFAULT) -> str:
    """A table cell as the report shows values: «—» for nothing, Russian numbers, short dates,
    yes and no in the report's language."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return formatting.DASH
    if isinstance(value, bool):
        return tr(language, YES if value else NO)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return formatting.number(value)
    return str(value)


YES, NO = N_("да"), N_("нет")


def header(column: str, language: str = DEFAULT) -> str:
    """A column's header in the report's language, with its contract name on a second line."""
    text, _, contract = HEADERS.get(column, column).partition("\n")
    return f"{tr(language, text)}\n{contract}" if contract else tr(language, text)


def table(frame: pd.DataFrame, caption: str, language: str = DEFAULT) -> str:
    """Every row of `frame`, every value formatted, as an HTML table (headers in `language`)."""
    shown_header = [header(str(c), language) for c in frame.columns]
    body = [[_cell(v, language) for v in record] for record in frame.itertuples(index=False, name=None)]
    return render("review_table.html.j2", language, caption=caption, header=shown_header, body=body).data


def rows_in_scope(ctx: Context, key: str) -> HTML:
    """The rows the block `key` counts, table by table, pseudonymised."""
    parts = []
    for name, columns in declarations.BY_KEY[key].inputs.items():
        frame = getattr(ctx.selection, SELECTION_OF_TABLE[name])
        shown = rows.view(name, frame, columns, ctx.people)
        caption = tr(ctx.language, "%(table)s: строк в области отчета — %(n)s") % {"table": name, "n": len(shown)}
        parts.append(table(shown, caption, ctx.language))
    return HTML("".join(parts))


def record(ctx: Context, block: Block) -> Block:
    """Record the block's figures and the rows each was computed from (scrapbook, so that the
    manifest names this cell for them); show its intermediate table and its figures; return
    the block, whose figures the report's table then shows."""
    counted = union(*(block.rows[name] for name in block.figures))
    named, place = refs(counted, ctx.inputs.tables), {row: i for i, row in enumerate(counted)}
    places = {name: [place[row] for row in block.rows[name]] for name in block.figures}
    traced = {name: [named[i] for i in places[name]] for name in block.figures}
    names = catalogue.grant_names(ctx.grant, ctx.selection.topics, ctx.language)
    for name, value in block.figures.items():
        recording.glue(name, value)
    recording.glue_rows(block.key, named, places)
    spoken = ctx.language
    parts = [] if block.steps is None else [table(block.steps, tr(spoken, "Расчет по шагам"), spoken)]
    figures = pd.DataFrame({
        tr(spoken, "показатель"): list(block.figures),
        tr(spoken, "значение"): [formatting.figure(name, value) for name, value in block.figures.items()],
        tr(spoken, "что это"): [catalogue.lookup(name).describe(name, names, spoken) for name in block.figures],
        tr(spoken, "из строк (файл:строка, id)"): [formatting.rows_text(traced[name]) for name in block.figures],
    })
    parts.append(table(figures, tr(spoken, "Показатели"), spoken))
    display(HTML("".join(parts)))
    return block
