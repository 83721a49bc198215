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
from pipeline.inputs.schema import EVENT_TYPES, OWNERS

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
    "type": "|".join(EVENT_TYPES),
    "owner": "|".join((*OWNERS, "external")),
    "measure": "|".join(("respondents", *SCORE_QUESTIONS)),
    "topic": _ANY,
    "region": _ANY,
    "name": r".+",
    "id": r".+",
}


@cache
def _compiled(pattern: str) -> re.Pattern:
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
    def regex(self) -> re.Pattern:
        return _compiled(self.pattern)

    def describe(self, name: str) -> str:
        found = self.regex.match(name).groupdict()
        words = dict(found)
        words["type"] = EVENT_TYPE_NAMES.get(found.get("type", ""), found.get("type", ""))
        words["owner"] = OWNER_NAMES.get(found.get("owner", ""), found.get("owner", ""))
        words["measure"] = QUESTION_NAMES.get(found.get("measure", ""), found.get("measure", ""))
        return self.description.format(**words)


CATALOGUE: tuple[Entry, ...] = (
    Entry("grant.amount", "Сумма гранта", "grant.yml: amount", (GRANT_FILE,)),
    Entry("budget.spent", "Расходы за период (сумма платежей)", "pipeline.figures.sections.compute", ("expenses",)),
    Entry("budget.spent_pct", "Расходы за период, % от суммы гранта", "pipeline.figures.indicators.percent",
          ("expenses", GRANT_FILE)),
    Entry("centres.count", "Community-центров открыто к концу периода", "pipeline.figures.scope.select", ("centres",)),
    Entry("events.{type}.count", "Проведено мероприятий: {type}", "pipeline.figures.indicators.events_by_type",
          ("events",)),
    Entry("events.{type}.participants",
          "Участников ({type}): по спискам регистрации, без повторов в одном списке, или заявленное число",
          "pipeline.figures.indicators.events_by_type", ("events", "participants")),
    Entry("trainings.unique_participants", "Разных людей среди участников тренингов",
          "pipeline.figures.indicators.unique_people", ("events", "participants")),
    Entry("survey.{topic}.{measure}", "Тема «{topic}»: {measure}", "pipeline.figures.indicators.survey_summary",
          ("events", "training_surveys")),
    Entry("survey.{topic}.{region}.{measure}", "Тема «{topic}», регион {region}: {measure}",
          "pipeline.figures.indicators.survey_summary", ("events", "training_surveys")),
    Entry("consultations.count", "Консультаций за период", "pipeline.figures.scope.select", ("consultations",)),
    Entry("feedback.count", "Анкет обратной связи за период", "pipeline.figures.indicators.feedback_summary",
          ("feedback", "consultations")),
    Entry("feedback.response_pct", "Анкет обратной связи, % от числа консультаций",
          "pipeline.figures.indicators.feedback_summary", ("feedback", "consultations")),
    Entry("feedback.answered_pct", "Получили ответ на вопрос, % ответивших анкет",
          "pipeline.figures.indicators.feedback_summary", ("feedback", "consultations")),
    Entry("feedback.positive_pct", "Положительных отзывов, % ответивших анкет",
          "pipeline.figures.indicators.feedback_summary", ("feedback", "consultations")),
    Entry("feedback.satisfaction_pct", "Удовлетворенность: средняя оценка / 5 × 100",
          "pipeline.figures.indicators.feedback_summary", ("feedback", "consultations")),
    Entry("media.publications", "Публикаций за период (пустое количество = 1)",
          "pipeline.figures.indicators.media_totals", ("media",)),
    Entry("media.reach", "Информационный охват за период (пустой охват = 0)",
          "pipeline.figures.indicators.media_totals", ("media",)),
    Entry("media.{owner}.publications", "Публикаций: {owner}", "pipeline.figures.indicators.media_totals", ("media",)),
    Entry("media.{owner}.reach", "Охват: {owner}", "pipeline.figures.indicators.media_totals", ("media",)),
    Entry("metric.{name}", "Показатель «{name}»: последнее значение на конец периода",
          "pipeline.figures.indicators.latest_metrics", ("metrics",)),
    Entry("warnings.{name}", "Замечания к данным «{name}»: число записей", "pipeline.inputs.notes.data_warnings",
          ("media", "events", "participants", "training_surveys", "consultations", "feedback", "expenses",
           "centres", "metrics")),
    Entry("activity.{id}.participants",
          "Мероприятие плана {id}: участники мероприятий + консультации + анкеты обратной связи",
          "pipeline.figures.indicators.activity_participants", ("events", "participants", "consultations", "feedback")),
    Entry("activity.{id}.cost", "Мероприятие плана {id}: расходы за период", "pipeline.figures.indicators.activity_cost",
          ("expenses",)),
    Entry("activity.{id}.target", "Мероприятие плана {id}: целевое значение по плану", "pipeline.figures.indicators.target",
          ("plan",)),
    Entry("activity.{id}.achieved", "Мероприятие плана {id}: достигнуто (счет по единице плана)",
          "pipeline.figures.indicators.achieved",
          ("plan", "events", "participants", "consultations", "feedback", "centres", "media", "metrics")),
    Entry("activity.{id}.achieved_pct", "Мероприятие плана {id}: достигнуто, % от цели", "pipeline.figures.indicators.percent",
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
