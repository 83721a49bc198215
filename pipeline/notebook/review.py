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
from pipeline.notebook import formatting, recording, rows
from pipeline.notebook.context import Context
from pipeline.notebook.views import render

#: Russian headers of the tables a reviewer reads: the intermediate tables' columns, and the
#: contract's columns of the rows in scope, each with its contract name on a second line (after
#: "\n", shown smaller by review_table.html.j2) to find it in the inputs.
HEADERS = {
    "list_rows": "строк в списке", "duplicates_merged": "повторов объединено", "people_on_list": "людей в списке",
    "reported_participants": "заявлено без списка\nreported_participants", "attendance": "участников учтено",
    "payments": "платежей", "amount": "сумма\namount", "counts": "счет по единице", "events": "мероприятий",
    "consultations": "консультаций", "feedback": "отзывов", "participants": "участников", "cost": "расходы",
    "target": "цель\ntarget", "achieved": "достигнуто", "achieved_pct": "достигнуто, %",
    "not_on_an_earlier_list": "новых (не было в прежних списках)", "distinct_so_far": "разных людей нарастающим итогом",
    "forms": "анкет", "figure": "показатель", "numerator": "числитель", "denominator": "знаменатель",
    "value": "значение\nvalue", "rows": "строк", "publications_blank": "без числа публикаций (= 1)",
    "publications": "публикаций\npublications", "reach_blank": "без охвата (= 0)", "reach": "охват\nreach",
    "rows_used": "строк взято",
    "file:row": "файл:строка", "files": "файлы", "code": "замечание (код)", "label": "замечание",
    "activity_id": "мероприятие плана\nactivity_id", "task_no": "№ задачи\ntask_no", "unit": "единица\nunit",
    "region": "регион\nregion", "date": "дата\ndate", "start_date": "дата начала\nstart_date",
    "event_id": "мероприятие\nevent_id", "type": "тип мероприятия\ntype", "topic": "тема\ntopic",
    "topic_id": "тема\ntopic_id", "opened": "дата открытия\nopened", "name": "название\nname",
    "memorandum_date": "дата меморандума\nmemorandum_date",
    "consultation_id": "консультация\nconsultation_id", "respondent_id": "анкета\nrespondent_id",
    "answered": "получен ответ\nanswered", "positive": "положительный отзыв\npositive",
    "satisfaction": "удовлетворенность, балл\nsatisfaction", "owner": "владелец канала\nowner",
    "platform": "платформа\nplatform",
    "knowledge_before": "знания до тренинга, балл\nknowledge_before",
    "knowledge_after": "знания после тренинга, балл\nknowledge_after",
    "trainer": "оценка тренера, балл\ntrainer", "organisation": "оценка организации, балл\norganisation",
    "knowledge_before_answered": "ответили: знания до тренинга", "knowledge_before_sum": "сумма баллов: знания до тренинга",
    "knowledge_before_mean": "среднее: знания до тренинга",
    "knowledge_after_answered": "ответили: знания после тренинга",
    "knowledge_after_sum": "сумма баллов: знания после тренинга", "knowledge_after_mean": "среднее: знания после тренинга",
    "trainer_answered": "ответили: оценка тренера", "trainer_sum": "сумма баллов: оценка тренера",
    "trainer_mean": "среднее: оценка тренера",
    "organisation_answered": "ответили: оценка организации", "organisation_sum": "сумма баллов: оценка организации",
    "organisation_mean": "среднее: оценка организации",
}


def _cell(value: object) -> str:
    """A table cell as the report shows values: «—» for nothing, Russian numbers, short dates."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return formatting.DASH
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return formatting.number(value)
    return str(value)


def table(frame: pd.DataFrame, caption: str) -> str:
    """Every row of `frame`, every value formatted, as an HTML table."""
    header = [HEADERS.get(str(c), str(c)) for c in frame.columns]
    body = [[_cell(v) for v in record] for record in frame.itertuples(index=False, name=None)]
    return render("review_table.html.j2", caption=caption, header=header, body=body).data


def rows_in_scope(ctx: Context, key: str) -> HTML:
    """The rows the block `key` counts, table by table, pseudonymised."""
    parts = []
    for name, columns in declarations.BY_KEY[key].inputs.items():
        frame = getattr(ctx.selection, SELECTION_OF_TABLE[name])
        shown = rows.view(name, frame, columns, ctx.people)
        parts.append(table(shown, f"{name}: строк в области отчета — {len(shown)}"))
    return HTML("".join(parts))


def record(ctx: Context, block: Block) -> Block:
    """Record the block's figures and the rows each was computed from (scrapbook, so that the
    manifest names this cell for them); show its intermediate table and its figures; return
    the block, whose figures the report's table then shows."""
    counted = union(*(block.rows[name] for name in block.figures))
    named, place = refs(counted, ctx.inputs.tables), {row: i for i, row in enumerate(counted)}
    places = {name: [place[row] for row in block.rows[name]] for name in block.figures}
    traced = {name: [named[i] for i in places[name]] for name in block.figures}
    names = catalogue.grant_names(ctx.grant, ctx.selection.topics)
    for name, value in block.figures.items():
        recording.glue(name, value)
    recording.glue_rows(block.key, named, places)
    parts = [] if block.steps is None else [table(block.steps, "Расчет по шагам")]
    figures = pd.DataFrame({
        "показатель": list(block.figures),
        "значение": [formatting.figure(name, value) for name, value in block.figures.items()],
        "что это": [catalogue.lookup(name).describe(name, names) for name in block.figures],
        "из строк (файл:строка, id)": [formatting.rows_text(traced[name]) for name in block.figures],
    })
    parts.append(table(figures, "Показатели"))
    display(HTML("".join(parts)))
    return block
