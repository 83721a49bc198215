"""Issue 23's acceptance case, built in a test's folder: a grant of three regions and two
periods whose folder holds the raw exports as they are downloaded, none edited —

* lawyers' consultation journals without a region or an activity column
  (`consultations/zhambyl.csv`, `consultations/pavlodar.csv`, `consultations/almaty.xlsx`);
* Google Forms exports of the trainings' questionnaires under their own long names
  (`training_surveys/Анкета участника тренинга T01 (Ответы) - Ответы на форму (1).csv`);
* a KoboToolbox export of the beneficiaries' feedback named as it downloads (`feedback_kobo.xlsx`),
  one form of which mistypes its consultation's number (`pvl-7` for `PVL-7`);
* seminars in the events sheet, and region spellings with «обл.»;

and a grant.yml written with `files:`, `event_types:`, `topics:` and `aliases:`. `EXPECTED`
holds figures recounted by hand from these rows (the comments say how).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from helpers_inputs import write_bytes, write_csv, write_xlsx

GRANT = """\
agreement: {number: 12, date: '2024-01-10', annex: 4}
grantee: {name: 'ОФ «Право и участие»', short_name: 'Право и участие'}
topic: 'Правовая поддержка местных сообществ'
amount: 15000000
currency: тенге
signatory: {position: 'Руководитель проекта', name: 'Айгуль Садыкова'}
regions:
  - {id: zhambyl, name: 'Жамбылская область', aliases: ["Жамбылская обл."]}
  - {id: pavlodar, name: 'Павлодарская область', aliases: ["Павлодарская обл."]}
  - {id: almaty, name: 'Алматинская область', aliases: ["Алматинская обл."]}
periods:
  - {id: 2024-interim, title: 'Промежуточный программный отчет', start: '2024-01-01', end: '2024-06-30'}
  - {id: 2024-final, title: 'Итоговый программный отчет', start: '2024-01-01', end: '2024-12-31'}
questionnaires:
  training_surveys:
    knowledge_before: 'Оцените свои знания по теме ДО тренинга'
    knowledge_after: 'Оцените свои знания по теме ПОСЛЕ тренинга'
    trainer: 'Оцените работу тренера'
    organisation: 'Оцените организацию тренинга'
  feedback:
    answered: 'Получили ли вы ответ на свой вопрос?'
    satisfaction: 'Оцените качество консультации'
files:
  "consultations/zhambyl.csv": {region: zhambyl, activity_id: "3.1"}
  "consultations/pavlodar.csv": {region: pavlodar, activity_id: "3.1"}
  "consultations/*.xlsx": {region: almaty, activity_id: "3.1"}
  "feedback_kobo.xlsx": {table: feedback, activity_id: "3.2"}
event_types:
  seminar: {name: "Семинар", words: ["семинар", "семинары"]}
topics:
  msu: {title: "Развитие и участие граждан в МСУ"}
"""

PLAN = [
    ["Номер задачи", "Задача", "Код мероприятия плана", "Мероприятие", "Срок", "Показатель", "Плановое значение",
     "Единица измерения", "Бюджет"],
    ["1", "Обучение", "1.1", "Тренинги по МСУ", "2024", "Проведены тренинги", "3", "тренинг", "3000000"],
    ["1", "Обучение", "2.1", "Семинары для акимов", "2024", "Проведены семинары", "2", "семинары", "2000000"],
    ["2", "Правовая помощь", "3.1", "Консультации юристов", "2024", "Даны консультации", "10", "консультации",
     "5000000"],
    ["2", "Правовая помощь", "3.2", "Обратная связь", "2024", "Собраны отзывы", "5", "отзывы", "500000"],
]

EVENTS = [
    ["Код мероприятия", "Мероприятие плана", "Тип мероприятия", "Название мероприятия", "Код темы", "Регион",
     "Дата проведения", "Формат", "Число участников"],
    ["T01", "1.1", "Тренинг", "Бюджет местного самоуправления", "msu", "Павлодарская обл.", dt.datetime(2024, 3, 15),
     "офлайн", None],
    ["T02", "1.1", "Тренинг", "Участие граждан в МСУ", "msu", "Жамбылская обл.", dt.datetime(2024, 4, 20), "офлайн",
     None],
    ["T03", "1.1", "тренинг", "Бюджет местного самоуправления", "msu", "Алматинская обл.", dt.datetime(2024, 9, 10),
     "онлайн", None],
    ["S01", "2.1", "Семинар", "Семинар для акимов сельских округов", None, "Павлодарская обл.",
     dt.datetime(2024, 5, 5), "офлайн", 25],
    ["S02", "2.1", "семинар", "Семинар для маслихатов", None, "Жамбылская обл.", dt.datetime(2024, 10, 12), "офлайн",
     18],
]

LIST = ["ФИО участника", "Пол"]
PARTICIPANTS = {
    "T01.csv": [LIST, ["Ахметов Ержан", "м"], ["Сулейменова Дана", "ж"], ["ахметов  ержан", "м"]],  # 2 people
    "T02.csv": [LIST, ["Жумабаев Арман", "м"], ["Ким Ольга", "ж"]],
    "T03.csv": [LIST, ["Омарова Асель", "ж"], ["Петров Иван", "м"], ["Абенов Нурлан", "м"]],
}

FORM = ["Отметка времени", "Адрес электронной почты", "Оцените свои знания по теме ДО тренинга",
        "Оцените свои знания по теме ПОСЛЕ тренинга", "Оцените работу тренера", "Оцените организацию тренинга",
        "Ваши пожелания"]
FORMS_NAME = "Анкета участника тренинга {} (Ответы) - Ответы на форму (1).csv"
FORMS = {
    "T01": [FORM, ["2024/03/15 5:02:11 PM GMT+5", "a@example.kz", "2", "4", "5", "4", "Спасибо"],
            ["2024/03/15 5:05:40 PM GMT+5", "b@example.kz", "3", "5", "4", "5", ""]],
    "T02": [FORM, ["2024/04/20 4:10:00 PM GMT+5", "c@example.kz", "1", "4", "5", "5", ""],
            ["2024/04/20 4:12:31 PM GMT+5", "d@example.kz", "2", "4", "5", "4", "Больше практики"]],
    "T03": [FORM, ["2024/09/10 1:00:00 PM GMT+5", "e@example.kz", "3", "5", "3", "4", ""]],
}

JOURNAL = ["Код консультации", "Дата", "Получатель консультации", "Тема", "Получен ответ"]
JOURNALS = {
    "zhambyl.csv": [JOURNAL, ["ZH-1", "01.02.2024", "Иванова Мария", "Земельный вопрос", "да"],
                    ["ZH-2", "05.03.2024", "Сейтов Болат", "Пенсия", "да"],
                    ["ZH-3", "01.08.2024", "Калиева Гульнар", "Бюджет аула", "нет"]],
    "pavlodar.csv": [JOURNAL, ["PVL-1", "10.05.2024", "Смирнов Олег", "Трудовой договор", "да"],
                     ["PVL-2", "12.05.2024", "Исаева Жанна", "Алименты", "да"],
                     ["PVL-7", "01.09.2024", "Турсынов Ержан", "Наследство", "да"]],
}
ALMATY_JOURNAL = [JOURNAL, ["AL-1", dt.datetime(2024, 7, 15), "Нуржанова Айым", "Жилье", "да"]]

KOBO = ["start", "end", "Код консультации", "Получили ли вы ответ на свой вопрос?", "Оцените качество консультации",
        "_id", "_uuid", "_submission_time", "_index"]
FEEDBACK = [
    KOBO,
    ["2024-02-02T10:00:00", "2024-02-02T10:03:00", "ZH-1", "да", "5", 101, "u1", "2024-02-02T10:03:05", 1],
    ["2024-05-11T09:00:00", "2024-05-11T09:02:00", "PVL-1", "да", "4", 102, "u2", "2024-05-11T09:02:09", 2],
    ["2024-09-02T12:00:00", "2024-09-02T12:01:00", "pvl-7", "да", "5", 103, "u3", "2024-09-02T12:01:30", 3],
    ["2024-07-16T15:00:00", "2024-07-16T15:04:00", "AL-1", "нет", "3", 104, "u4", "2024-07-16T15:04:44", 4],
]

#: Figures recounted by hand from the rows above, by `<period>/<region>`.
EXPECTED: dict[str, dict[str, object]] = {
    "2024-interim/all": {
        "events.training.count": 2,  # T01 (15.03), T02 (20.04); T03 is in September
        "events.training.participants": 4,  # T01: 2 people (one written twice), T02: 2
        "events.seminar.count": 1,  # S01 (05.05); S02 is in October
        "events.seminar.participants": 25,  # S01's reported number
        "consultations.count": 4,  # ZH-1, ZH-2, PVL-1, PVL-2
        "feedback.count": 2,  # ZH-1, PVL-1
        "feedback.satisfaction_pct": 90,  # (5 + 4) / 2 / 5
        "survey.msu.respondents": 4,  # T01's two forms, T02's two
        "survey.msu.trainer": 4.75,  # (5 + 4 + 5 + 5) / 4
        "activity.2.1.achieved": 1,
        "activity.3.1.achieved": 4,
        "warnings.records.unknown_id": 1,  # pvl-7: a note about the folder, the same in every report
    },
    "2024-final/all": {
        "events.training.count": 3,
        "events.training.participants": 7,  # + T03's 3 people
        "events.seminar.count": 2,
        "events.seminar.participants": 43,  # 25 + 18
        "consultations.count": 7,  # ZH-1..3, PVL-1, PVL-2, PVL-7, AL-1
        "feedback.count": 3,  # ZH-1, PVL-1, AL-1: pvl-7 points nowhere, left out
        "feedback.answered_pct": 67,  # 2 of 3
        "feedback.satisfaction_pct": 80,  # (5 + 4 + 3) / 3 / 5
        "survey.msu.respondents": 5,
        "survey.msu.knowledge_after": 4.4,  # (4 + 5 + 4 + 4 + 5) / 5
        "activity.1.1.achieved": 3,
        "activity.2.1.achieved": 2,
        "activity.2.1.achieved_pct": 100,
        "activity.3.2.achieved": 3,
        "warnings.records.unknown_id": 1,
    },
    "2024-final/pavlodar": {
        "events.training.count": 1, "events.seminar.count": 1, "events.seminar.participants": 25,
        "consultations.count": 3, "feedback.count": 1, "survey.msu.pavlodar.respondents": 2,
    },
    "2024-final/zhambyl": {
        "events.training.count": 1, "events.seminar.count": 1, "events.seminar.participants": 18,
        "consultations.count": 3, "feedback.count": 1,
    },
    "2024-final/almaty": {
        "events.training.count": 1, "events.seminar.count": 0, "events.training.participants": 3,
        "consultations.count": 1, "feedback.count": 1, "feedback.satisfaction_pct": 60,
    },
}


def write_raw_exports(root: Path) -> Path:
    """The acceptance case's inputs folder, as downloaded: see the module's docstring."""
    write_bytes(root / "grant.yml", GRANT.encode("utf-8"))
    write_csv(root / "plan.csv", PLAN, bom=True)
    write_xlsx(root / "events.xlsx", EVENTS)
    for name, rows in PARTICIPANTS.items():
        write_csv(root / "participants" / name, rows, sep=";", encoding="cp1251")
    for event, rows in FORMS.items():
        write_csv(root / "training_surveys" / FORMS_NAME.format(event), rows)
    for name, rows in JOURNALS.items():
        write_csv(root / "consultations" / name, rows, sep=";", encoding="cp1251")
    write_xlsx(root / "consultations" / "almaty.xlsx", ALMATY_JOURNAL)
    write_xlsx(root / "feedback_kobo.xlsx", FEEDBACK)
    return root
