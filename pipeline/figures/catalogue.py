"""The figure catalogue: every figure name pattern, what it means, what computes it, and
which input tables feed it. One place, read by the audit trail and the report's registry.

A figure glued by a notebook that no entry here matches is an error
(tests/test_audit.py: test_every_glued_figure_is_in_the_catalogue).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pipeline.figures.indicators import SCORE_QUESTIONS
from pipeline.inputs.schema import OWNERS

EVENT_TYPE_NAMES = {
    "conference": "конференции", "training": "тренинги", "meeting": "встречи",
    "presentation": "презентации", "round_table": "круглые столы", "other": "другие мероприятия",
}
OWNER_NAMES = {"own": "собственные каналы", "partner": "партнеры", "press": "СМИ",
               "external": "партнеры и СМИ"}
QUESTION_NAMES = {
    "respondents": "анкет участников",
    "knowledge_before": "средний балл знаний до тренинга",
    "knowledge_after": "средний балл знаний после тренинга",
    "trainer": "средняя оценка работы тренера",
    "organisation": "средняя оценка организационной части",
}
GRANT_FILE = "grant.yml"

_ANY = r"[^.]+"
_WORDS = {
    "type": r"[A-Za-z0-9][A-Za-z0-9_-]*",  # the built-in types (EVENT_TYPES) and the grant's own
    "owner": "|".join((*OWNERS, "external")),
    "measure": "|".join(("respondents", *SCORE_QUESTIONS)),
    "topic": _ANY,
    "region": _ANY,
    "name": r".+",
    "id": r".+",
}


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", pattern)
    body = "".join(f"(?P<{p[1:-1]}>{_WORDS[p[1:-1]]})" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{body}$")


@dataclass(frozen=True)
class Entry:
    """One kind of figure. `pattern` names its parts in braces, e.g. events.{type}.count."""

    pattern: str
    description: str
    function: str
    tables: tuple[str, ...]

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.pattern)

    def describe(self, name: str) -> str:
        match = self.regex.match(name)
        if match is None:
            raise KeyError(f"{name} is not a figure of the pattern {self.pattern}")
        found = match.groupdict()
        words = dict(found)
        words["type"] = EVENT_TYPE_NAMES.get(found.get("type", ""), found.get("type", ""))
        words["owner"] = OWNER_NAMES.get(found.get("owner", ""), found.get("owner", ""))
        words["measure"] = QUESTION_NAMES.get(found.get("measure", ""), found.get("measure", ""))
        return self.description.format(**words)


CATALOGUE: tuple[Entry, ...] = (
    Entry("grant.amount", "Сумма гранта", "pipeline.figures.blocks.budget", (GRANT_FILE,)),
    Entry("budget.spent", "Расходы за период (сумма платежей)", "pipeline.figures.blocks.budget", ("expenses",)),
    Entry("budget.spent_pct", "Расходы за период, % от суммы гранта", "pipeline.figures.blocks.budget",
          ("expenses", GRANT_FILE)),
    Entry("centres.count", "Community-центров открыто к концу периода", "pipeline.figures.blocks.centres", ("centres",)),
    Entry("events.{type}.count", "Проведено мероприятий: {type}", "pipeline.figures.blocks.events",
          ("events",)),
    Entry("events.{type}.participants",
          "Участников ({type}): по спискам регистрации, без повторов в одном списке, или заявленное число",
          "pipeline.figures.blocks.events", ("events", "participants")),
    Entry("trainings.unique_participants", "Разных людей среди участников тренингов",
          "pipeline.figures.blocks.training_people", ("events", "participants")),
    Entry("survey.{topic}.{measure}", "Тема «{topic}»: {measure}", "pipeline.figures.blocks.surveys",
          ("events", "training_surveys")),
    Entry("survey.{topic}.{region}.{measure}", "Тема «{topic}», регион {region}: {measure}",
          "pipeline.figures.blocks.surveys", ("events", "training_surveys")),
    Entry("consultations.count", "Консультаций за период", "pipeline.figures.blocks.consultations", ("consultations",)),
    Entry("feedback.count", "Анкет обратной связи за период", "pipeline.figures.blocks.consultations",
          ("feedback", "consultations")),
    Entry("feedback.response_pct", "Анкет обратной связи, % от числа консультаций",
          "pipeline.figures.blocks.consultations", ("feedback", "consultations")),
    Entry("feedback.answered_pct", "Получили ответ на вопрос, % ответивших анкет",
          "pipeline.figures.blocks.consultations", ("feedback", "consultations")),
    Entry("feedback.positive_pct", "Положительных отзывов, % ответивших анкет",
          "pipeline.figures.blocks.consultations", ("feedback", "consultations")),
    Entry("feedback.satisfaction_pct", "Удовлетворенность: средняя оценка / 5 × 100",
          "pipeline.figures.blocks.consultations", ("feedback", "consultations")),
    Entry("media.publications", "Публикаций за период (пустое количество = 1)",
          "pipeline.figures.blocks.media", ("media",)),
    Entry("media.reach", "Информационный охват за период (пустой охват = 0)",
          "pipeline.figures.blocks.media", ("media",)),
    Entry("media.{owner}.publications", "Публикаций: {owner}", "pipeline.figures.blocks.media", ("media",)),
    Entry("media.{owner}.reach", "Охват: {owner}", "pipeline.figures.blocks.media", ("media",)),
    Entry("metric.{name}", "Показатель «{name}»: последнее значение на конец периода",
          "pipeline.figures.blocks.metrics", ("metrics",)),
    Entry("warnings.{name}", "Замечания к данным «{name}»: число записей", "pipeline.figures.blocks.data_notes",
          ("media", "events", "participants", "training_surveys", "consultations", "feedback", "expenses",
           "centres", "metrics")),
    Entry("activity.{id}.participants",
          "Мероприятие плана {id}: участники мероприятий + консультации + анкеты обратной связи",
          "pipeline.figures.blocks.activities", ("events", "participants", "consultations", "feedback")),
    Entry("activity.{id}.cost", "Мероприятие плана {id}: расходы за период", "pipeline.figures.blocks.activities",
          ("expenses",)),
    Entry("activity.{id}.target", "Мероприятие плана {id}: целевое значение по плану", "pipeline.figures.blocks.activities",
          ("plan",)),
    Entry("activity.{id}.achieved", "Мероприятие плана {id}: достигнуто (счет по единице плана)",
          "pipeline.figures.blocks.activities",
          ("plan", "events", "participants", "consultations", "feedback", "centres", "media", "metrics")),
    Entry("activity.{id}.achieved_pct", "Мероприятие плана {id}: достигнуто, % от цели", "pipeline.figures.blocks.activities",
          ("plan", "events", "participants", "consultations", "feedback", "centres", "media", "metrics")),
)


def lookup(name: str) -> Entry:
    """The catalogue entry of a figure name (the most specific one); KeyError if none."""
    matches = [e for e in CATALOGUE if e.regex.match(name)]
    if not matches:
        raise KeyError(name)
    return max(matches, key=lambda e: len(re.sub(r"\{\w+\}", "", e.pattern)))


def describe(name: str) -> str:
    return lookup(name).describe(name)


@dataclass(frozen=True)
class Rule:
    """How one block of figures is computed, in words: what a notebook says before computing it."""

    title: str
    text: str


#: The rule of each block (`pipeline.figures.blocks`), in Russian, as docs/figures-conventions.md states it.
RULES: dict[str, Rule] = {
    "budget": Rule("Бюджет", "Сумма гранта — из grant.yml. Освоено за период — сумма платежей (`expenses`) "
                   "с датой в периоде (и в регионе отчета; без региона — только в сводном отчете); процент — "
                   "освоено / сумма гранта × 100, целое, округление половина вверх."),
    "events": Rule("Мероприятия по типам", "Мероприятие учитывается в периоде по дате начала и в регионе по "
                   "своему региону. Участники одного мероприятия — разные люди его списка регистрации "
                   "(ФИО без учета регистра и лишних пробелов, ё = е: повторы в одном списке объединяются); "
                   "без списка — заявленное число `reported_participants` (пусто = 0). Участники типа — сумма "
                   "по его мероприятиям."),
    "centres": Rule("Community-центры", "Центры, открытые не позднее конца периода (`opened`), в регионе отчета."),
    "activities": Rule("Мероприятия плана", "Для каждой строки плана: участники = участники его мероприятий + "
                       "его консультации + его анкеты обратной связи; расходы = его платежи за период; "
                       "достигнуто = счет по единице плана (`unit`: тип мероприятия, участники, консультации, "
                       "отзывы, центры, публикации или metric:имя); % = достигнуто / цель × 100 (без цели — «—»)."),
    "training_people": Rule("Разные люди на тренингах", "Разные люди (ФИО без учета регистра и пробелов, ё = е) "
                            "по спискам регистрации всех тренингов периода: человек на нескольких тренингах "
                            "учитывается один раз."),
    "surveys": Rule("Анкеты тренингов", "Анкеты (`training_surveys`) тренингов каждой темы (`topic_id`), в целом "
                    "и по регионам тренинга. Каждое среднее — по анкетам, ответившим на этот вопрос (пустые "
                    "пропускаются), до сотых, половина вверх; нет ответов — «—»."),
    "consultations": Rule("Консультации и обратная связь", "Консультации периода в регионе отчета. Анкеты "
                          "обратной связи — по своей дате; регион анкеты — регион ее консультации. Доли — по "
                          "анкетам, ответившим на вопрос; удовлетворенность — средняя оценка / 5 × 100; отклик — "
                          "анкеты / консультации × 100. Проценты целые, половина вверх."),
    "media": Rule("Публикации и охват", "Публикации периода в регионе отчета (без региона — только в сводном). "
                  "Пустое число публикаций считается как 1, пустой охват — как 0 (и это замечание к данным). "
                  "Итоги — всего, по владельцам и для партнеров и СМИ вместе."),
    "metrics": Rule("Показатели из metrics", "Последнее значение на конец периода (при равных датах — последняя "
                    "строка). В сводном отчете показатель, у которого есть только региональные строки, — сумма "
                    "последних значений каждого региона."),
    "data_notes": Rule("Замечания к данным", "Сколько записей входных данных учтено особым образом. Замечания "
                       "о записях (пустой охват, мероприятия без списков, анкеты без списков или сверх них) — по "
                       "записям периода и региона отчета; замечания о файлах и папке (записи вне всех периодов, "
                       "столбцы без значений, непрочитанные файлы, строки «Итого» и подписей) — по всей папке "
                       "исходных данных, одни и те же в каждом отчете."),
}


def rule_of(name: str) -> Rule:
    """The rule of the block that computes a figure."""
    return RULES[lookup(name).function.rsplit(".", 1)[1]]
