"""Each block of figures declared once: its name, the section notebook that computes it, the
rows it reads, its rule in words, the function whose body the computing cell runs, and the
figures it gives, each with its meaning and its input tables.

Everything else is made from these declarations: the catalogue (`catalogue.CATALOGUE`,
`catalogue.RULES`), what a notebook shows of a block (`notebook.review.rows_in_scope`), the
section notebooks' markdown and computing cells and docs/figures.md (scripts/generate.py,
whose `--check` fails CI when a notebook or the document differs from what it would write).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.figures import blocks
from pipeline.figures.indicators import SCORE_QUESTIONS
from pipeline.figures.lineage import Block
from pipeline.figures.scope import Selection, make_scope, select
from pipeline.ids import ALL
from pipeline.inputs.datawarning import DataWarning
from pipeline.inputs.loading import Inputs
from pipeline.language import N_

GRANT_FILE = "grant.yml"
#: The tables every plan activity's achieved figure may count, by its unit.
_ACHIEVED_TABLES = ("plan", "events", "participants", "consultations", "feedback", "centres", "media", "metrics")


@dataclass(frozen=True)
class Figure:
    """One kind of figure of a block. `pattern` names its parts in braces, e.g. events.{type}.count."""

    pattern: str
    description: str
    tables: tuple[str, ...]


@dataclass(frozen=True)
class Declared:
    """One block of figures, as every part of the pipeline and its documents know it."""

    key: str
    #: The section notebook whose cell computes it (notebooks/NN_<section>.ipynb).
    section: str
    title: str
    rule: str
    #: The rows its notebook shows before computing it: by table, the contract columns its rule uses.
    inputs: dict[str, tuple[str, ...]]
    figures: tuple[Figure, ...]
    #: Computes it; the body is the notebook's computing cell.
    compute: Callable[..., Block]

    @property
    def parameters(self) -> tuple[str, ...]:
        """What `compute` takes, by name: `sel` (the report's rows) or `warnings` (its data notes)."""
        return tuple(inspect.signature(self.compute).parameters)

    @property
    def function(self) -> str:
        return f"{self.compute.__module__}.{self.compute.__name__}"


DECLARED: tuple[Declared, ...] = (
    Declared(
        "budget", "header", "Бюджет",
        "Сумма гранта — из grant.yml. Освоено за период — сумма платежей (`expenses`) с датой в периоде (и в "
        "регионе отчета; без региона — только в сводном отчете); процент — освоено / сумма гранта × 100, целое, "
        "округление половина вверх.",
        {"expenses": ("date", "region", "activity_id", "amount")},
        (Figure("grant.amount", N_("Сумма гранта"), (GRANT_FILE,)),
         Figure("budget.spent", N_("Расходы за период (сумма платежей)"), ("expenses",)),
         Figure("budget.spent_pct", N_("Расходы за период, % от суммы гранта"), ("expenses", GRANT_FILE))),
        blocks.budget),
    Declared(
        "activities", "activities", "Мероприятия плана",
        "Для каждой строки плана: участники = участники его мероприятий + его консультации + его анкеты обратной "
        "связи; расходы = его платежи за период; достигнуто = счет по единице плана (`unit`: тип мероприятия, "
        "участники, консультации, отзывы, центры, публикации или metric:имя); % = достигнуто / цель × 100 (без "
        "цели — «—»). Цель плана — цель проекта в целом; в отчете региона цель — цель региона из grant.yml "
        "(targets:), а без нее показано достигнутое в регионе, без цели и процента.",
        {"plan": ("task_no", "unit", "target")},
        (Figure("activity.{id}.participants",
                N_("Мероприятие плана {id}: участники мероприятий + консультации + анкеты обратной связи"),
                ("events", "participants", "consultations", "feedback")),
         Figure("activity.{id}.cost", N_("Мероприятие плана {id}: расходы за период"), ("expenses",)),
         Figure("activity.{id}.target", N_("Мероприятие плана {id}: целевое значение по плану"), ("plan",)),
         Figure("activity.{id}.achieved", N_("Мероприятие плана {id}: достигнуто (счет по единице плана)"),
                _ACHIEVED_TABLES),
         Figure("activity.{id}.achieved_pct", N_("Мероприятие плана {id}: достигнуто, % от цели"), _ACHIEVED_TABLES)),
        blocks.activities),
    Declared(
        "events", "trainings", "Мероприятия по типам",
        "Мероприятие учитывается в периоде по дате начала и в регионе по своему региону. Участники одного "
        "мероприятия — разные люди его списка регистрации (ФИО без учета регистра и лишних пробелов, ё = е: повторы "
        "в одном списке объединяются); без списка — заявленное число `reported_participants` (пусто = 0). "
        "Участники типа — сумма по его мероприятиям.",
        {"events": ("start_date", "region", "activity_id", "type", "reported_participants"),
         "participants": ("event_id", "full_name")},
        (Figure("events.{type}.count", N_("Проведено мероприятий: {type}"), ("events",)),
         Figure("events.{type}.participants",
                N_("Участников ({type}): по спискам регистрации, без повторов в одном списке, или заявленное число"),
                ("events", "participants"))),
        blocks.events),
    Declared(
        "training_people", "trainings", "Разные люди на тренингах",
        "Разные люди (ФИО без учета регистра и пробелов, ё = е) по спискам регистрации всех тренингов периода: "
        "человек на нескольких тренингах учитывается один раз.",
        {"participants": ("event_id", "full_name")},
        (Figure("trainings.unique_participants", N_("Разных людей среди участников тренингов"), ("events", "participants")),),
        blocks.training_people),
    Declared(
        "surveys", "trainings", "Анкеты тренингов",
        "Анкеты (`training_surveys`) тренингов каждой темы (`topic_id`), в целом и по регионам тренинга. Каждое "
        "среднее — по анкетам, ответившим на этот вопрос (пустые пропускаются), до сотых, половина вверх; нет "
        "ответов — «—».",
        {"training_surveys": ("event_id", *SCORE_QUESTIONS)},
        (Figure("survey.{topic}.{measure}", N_("Тема «{topic}»: {measure}"), ("events", "training_surveys")),
         Figure("survey.{topic}.{region}.{measure}", N_("Тема «{topic}», регион {region}: {measure}"),
                ("events", "training_surveys"))),
        blocks.surveys),
    Declared(
        "centres", "consultations", "Community-центры",
        "Центры, открытые не позднее конца периода (`opened`), в регионе отчета; меморандумы — у этих центров с "
        "датой меморандума (`memorandum_date`) не позднее конца периода.",
        {"centres": ("region", "opened", "memorandum_date")},
        (Figure("centres.count", N_("Community-центров открыто к концу периода"), ("centres",)),
         Figure("centres.memoranda", N_("Меморандумов с community-центрами к концу периода"), ("centres",))),
        blocks.centres),
    Declared(
        "consultations", "consultations", "Консультации и обратная связь",
        "Консультации периода в регионе отчета. Анкеты обратной связи — по своей дате; регион анкеты — регион ее "
        "консультации. Доли — по анкетам, ответившим на вопрос; удовлетворенность — средняя оценка / 5 × 100; "
        "отклик — анкеты / консультации × 100. Проценты целые, половина вверх.",
        {"consultations": ("date", "region", "activity_id"),
         "feedback": ("date", "activity_id", "answered", "positive", "satisfaction")},
        (Figure("consultations.count", N_("Консультаций за период"), ("consultations",)),
         Figure("feedback.count", N_("Анкет обратной связи за период"), ("feedback", "consultations")),
         Figure("feedback.response_pct", N_("Анкет обратной связи, % от числа консультаций"), ("feedback", "consultations")),
         Figure("feedback.answered_pct", N_("Получили ответ на вопрос, % ответивших анкет"), ("feedback", "consultations")),
         Figure("feedback.positive_pct", N_("Положительных отзывов, % ответивших анкет"), ("feedback", "consultations")),
         Figure("feedback.satisfaction_pct", N_("Удовлетворенность: средняя оценка / 5 × 100"),
                ("feedback", "consultations"))),
        blocks.consultations),
    Declared(
        "media", "media", "Публикации и охват",
        "Публикации периода в регионе отчета (без региона — только в сводном). Пустое число публикаций считается "
        "как 1, пустой охват — как 0 (и это замечание к данным). Итоги — всего, по владельцам и для партнеров и "
        "СМИ вместе.",
        {"media": ("date", "region", "owner", "platform", "publications", "reach")},
        (Figure("media.publications", N_("Публикаций за период (пустое количество = 1)"), ("media",)),
         Figure("media.reach", N_("Информационный охват за период (пустой охват = 0)"), ("media",)),
         Figure("media.{owner}.publications", N_("Публикаций: {owner}"), ("media",)),
         Figure("media.{owner}.reach", N_("Охват: {owner}"), ("media",))),
        blocks.media),
    Declared(
        "metrics", "media", "Показатели из metrics",
        "Последнее значение на конец периода (при равных датах — последняя строка). В сводном отчете показатель, "
        "у которого есть только региональные строки, — сумма последних значений каждого региона.",
        {"metrics": ("date", "name", "region", "value")},
        (Figure("metric.{name}", N_("Показатель «{name}»: последнее значение на конец периода"), ("metrics",)),),
        blocks.metrics),
    Declared(
        "data_notes", "notes", "Замечания к данным",
        "Сколько записей входных данных учтено особым образом. Замечания о записях (пустой охват, мероприятия без "
        "списков, анкеты без списков или сверх них) — по записям периода и региона отчета; замечания о файлах и "
        "папке (записи вне всех периодов, столбцы без значений, непрочитанные файлы, строки «Итого» и подписей) — "
        "по всей папке исходных данных, одни и те же в каждом отчете.",
        {},
        (Figure("warnings.{name}", N_("Замечания к данным «{name}»: число записей"),
                ("media", "events", "participants", "training_surveys", "consultations", "feedback", "expenses",
                 "centres", "metrics")),),
        blocks.data_notes),
)

#: Each block by its key.
BY_KEY: dict[str, Declared] = {block.key: block for block in DECLARED}


def of_section(section: str) -> tuple[Declared, ...]:
    """The blocks a section notebook computes, in its order."""
    return tuple(block for block in DECLARED if block.section == section)


def report_figures(sel: Selection, warnings: Sequence[DataWarning]) -> dict[str, object]:
    """Every figure of a report by the declared functions, outside any notebook: what `validate`
    holds the narratives' placeholders to and `figures` lists before a build. A report's own
    figures are those its notebooks' cells computed and recorded (figures.json)."""
    given = {"sel": sel, "warnings": warnings}
    figures: dict[str, object] = {}
    for block in DECLARED:
        figures.update(block.compute(*(given[name] for name in block.parameters)).figures)
    return figures


class PeriodFigures(dict[str, dict[str, object]]):
    """Each period's figures as its consolidated report has them (every name its regional reports
    have too), by `report_figures`, computed when first asked and then kept: what `validate`
    holds the narratives and grant.yml's indicators to, computed once for both."""

    def __init__(self, inputs: Inputs) -> None:
        super().__init__()
        self.inputs = inputs

    def __missing__(self, period: str) -> dict[str, object]:
        figures = report_figures(select(self.inputs, make_scope(self.inputs.grant, period, ALL)), ())
        self[period] = figures
        return figures
