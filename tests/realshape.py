"""A grant's inputs reshaped as coordinators really send them, from its contract-shaped twin.

`write_real_shaped(contract, target)` writes every table of a contract-shaped inputs folder
again, the way the files arrive: workbooks with title rows above a Russian header and a «№»
column, Kazakh headers, a grant-specific header (`columns:`), region names and aliases instead
of ids, event types, owners and yes/no in words, scores «5 - отлично», numbers grouped by
spaces with decimal commas, a phone column nobody asked for, a Google Forms export per
training (question texts as headers, «Отметка времени», no event or respondent id) and a
KoboToolbox export of the feedback form (group prefixes, `_submission_time`, `_id`, `_uuid`).
The twin must build with exactly the same figures. Written without `pipeline`'s typing: only
its raw reading of the contract-shaped files.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import openpyxl
import yaml

from pipeline.inputs.reading import read_table_raw
from pipeline.inputs.schema import header_names

EVENT_TYPES = {"training": "Тренинг", "conference": "конференция", "meeting": "Встреча",
               "presentation": "презентация", "round_table": "Круглый стол", "other": "другое"}
OWNERS = {"own": "Собственный", "partner": "партнёр", "press": "СМИ"}
FORMATS = {"online": "Онлайн", "offline": "офлайн"}
YES_NO_RU = {"да": "Да", "yes": "Да", "нет": "Нет", "no": "Нет"}
YES_NO_KZ = {"да": "иә", "yes": "Иә", "нет": "жоқ", "no": "Жоқ"}
SCORE_WORDS = {"1": "1 - очень плохо", "2": "2 - плохо", "3": "3 - удовлетворительно", "4": "4 - хорошо",
               "5": "5 - отлично"}
QUESTIONS = {
    "knowledge_before": "Оцените, пожалуйста, ваши знания по теме ДО тренинга",
    "knowledge_after": "Оцените, пожалуйста, ваши знания по теме ПОСЛЕ тренинга",
    "trainer": "Как вы оцениваете работу тренера?",
    "organisation": "Как вы оцениваете организацию тренинга (место, время, материалы)?",
}
FULL_NAME_HEADER = "Ф.И.О. участника"


def _russian(table: str, column: str) -> str:
    return header_names(table, column)[0][0]


def _kazakh(table: str, column: str) -> str:
    return header_names(table, column)[1][0]


def _day(text: str) -> dt.date | str:
    """A contract date as a spreadsheet holds it (a real date); other text as it is."""
    if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return dt.date(*map(int, match.groups()))
    if match := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
        day, month, year = map(int, match.groups())
        return dt.date(year, month, day)
    return text


def _grouped(text: str) -> str:
    """12500.5 → «12 500,5»: how an accountant types an amount."""
    if not re.fullmatch(r"-?\d+([.,]\d+)?", text):
        return text
    whole, _, fraction = text.replace(",", ".").partition(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    return f"{grouped},{fraction}" if fraction else grouped


def _rows(contract: Path, table: str) -> list[dict[str, str]]:
    raw, _files = read_table_raw(contract, table)
    columns = [c for c in raw.columns if not c.startswith("_")]
    return [{c: ("" if str(row[c]) == "nan" else str(row[c]).strip()) for c in columns} for _, row in raw.iterrows()]


def _workbook(path: Path, titles: list[str], header: list[str], rows: list[list[object]]) -> None:
    """A sheet as people make one: title lines, a blank line, the header, the rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    for title in titles:
        sheet.append([title])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _csv(path: Path, header: list[str], rows: list[list[object]], delimiter: str = ";",
         encoding: str = "utf-8-sig") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


class _Regions:
    """Region ids written as the grant's names (some lower-cased) or as an alias it declares."""

    def __init__(self, grant: dict):
        self.names = {r["id"]: r["name"] for r in grant["regions"]}

    @staticmethod
    def alias(name: str) -> str:
        return name.replace(" область", " обл.")

    def name(self, region: str) -> str:
        return self.names.get(region, region) if region else ""

    def alias_of(self, region: str) -> str:
        return self.alias(self.names[region]) if region in self.names else region


def _grant(contract: Path, target: Path) -> dict:
    grant = yaml.safe_load((contract / "grant.yml").read_text(encoding="utf-8"))
    for region in grant["regions"]:
        region["aliases"] = [_Regions.alias(region["name"])]
    grant["columns"] = {"participants": {FULL_NAME_HEADER: "full_name"}}
    grant["questionnaires"] = {"training_surveys": dict(QUESTIONS)}
    target.mkdir(parents=True, exist_ok=True)
    (target / "grant.yml").write_text(yaml.safe_dump(grant, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return grant


def write_real_shaped(contract: Path, target: Path) -> None:
    """Every table of `contract` (an inputs folder) written into `target` as real exports."""
    regions = _Regions(_grant(contract, target))

    def numbered(table: str, columns: list[str], rows: list[dict], value) -> tuple[list[str], list[list[object]]]:
        header = ["№", *(_russian(table, c) for c in columns)]
        return header, [[i, *(value(c, row[c]) for c in columns)] for i, row in enumerate(rows, start=1)]

    plan = _rows(contract, "plan")
    columns = list(plan[0])
    header, body = numbered("plan", columns, plan, lambda c, v: _grouped(v) if c in ("target", "budget") else v)
    _workbook(target / "plan.xlsx", ["Детальный план мероприятий", "к договору о предоставлении гранта"], header, body)

    if centres := _rows(contract, "centres"):
        columns = list(centres[0])
        _csv(target / "centres.csv", [_kazakh("centres", c) for c in columns],
             [[regions.name(r[c]).lower() if c == "region" else r[c] for c in columns] for r in centres])

    if events := _rows(contract, "events"):
        columns = list(events[0])
        words = {"type": EVENT_TYPES, "format": FORMATS}

        def event_value(column: str, text: str) -> object:
            if column in words:
                return words[column].get(text, text)
            if column == "region":
                return regions.alias_of(text)
            return _day(text) if column in ("start_date", "end_date") else text

        header, body = numbered("events", columns, events, event_value)
        _workbook(target / "events.xlsx", ["Реестр мероприятий проекта"], header, body)

    participants = _rows(contract, "participants")
    by_event: dict[str, list[dict]] = {}
    for row in participants:
        by_event.setdefault(row["event_id"], []).append(row)
    for number, (event, rows) in enumerate(sorted(by_event.items()), start=1):
        header = ["№", _russian("participants", "event_id"), FULL_NAME_HEADER, _russian("participants", "category"),
                  _russian("participants", "gender"), "Телефон"]
        body = [[i, event, r["full_name"], r.get("category", ""), r.get("gender", ""), f"+7 701 {number:03d} {i:04d}"]
                for i, r in enumerate(rows, start=1)]
        _workbook(target / "participants" / f"{event}.xlsx", [f"Список участников мероприятия {event}"], header, body)

    if consultations := _rows(contract, "consultations"):
        columns = list(consultations[0])

        def consultation_value(column: str, text: str) -> str:
            if column == "region":
                return regions.name(text).upper()
            return YES_NO_KZ.get(text.lower(), text) if column == "answered" else text

        _csv(target / "consultations.csv", [_kazakh("consultations", c) for c in columns],
             [[consultation_value(c, r[c]) for c in columns] for r in consultations], delimiter=",")

    if feedback := _rows(contract, "feedback"):
        columns = [c for c in feedback[0] if c != "date"]
        header = ["start", "end", *(f"feedback/{c}" for c in columns), "_id", "_uuid", "_submission_time",
                  "_validation_status", "_index"]
        body = []
        for i, row in enumerate(feedback, start=1):
            day = _day(row["date"])
            when = f"{day.isoformat()}T10:{i % 60:02d}:00" if isinstance(day, dt.date) else row["date"]
            values = [YES_NO_RU.get(row[c].lower(), row[c]) if c in ("answered", "positive")
                      else SCORE_WORDS.get(row[c], row[c]) if c == "satisfaction" else row[c] for c in columns]
            body.append([when, when, *values, 1000 + i, f"uuid-{i:04d}", when, "", i])
        _workbook(target / "feedback.xlsx", [], header, body)
        _drop_leading_blank(target / "feedback.xlsx")

    surveys = _rows(contract, "training_surveys")
    by_training: dict[str, list[dict]] = {}
    for row in surveys:
        by_training.setdefault(row["event_id"], []).append(row)
    for event, rows in sorted(by_training.items()):
        header = ["Отметка времени", *QUESTIONS.values(), "Ваши пожелания организаторам"]
        body = [[f"12.02.2023 14:{i % 60:02d}:55", *(SCORE_WORDS.get(r.get(q, ""), r.get(q, "")) for q in QUESTIONS), ""]
                for i, r in enumerate(rows, start=1)]
        _csv(target / "training_surveys" / f"{event}.csv", header, body, delimiter=",", encoding="utf-8")

    if media := _rows(contract, "media"):
        columns = list(media[0])

        def media_value(column: str, text: str) -> str:
            if column == "owner":
                return OWNERS.get(text, text)
            if column == "region":
                return regions.name(text)
            return _grouped(text) if column in ("reach", "publications") else text

        _csv(target / "media.csv", [_russian("media", c) for c in columns],
             [[media_value(c, r[c]) for c in columns] for r in media])

    if expenses := _rows(contract, "expenses"):
        columns = list(expenses[0])

        def expense_value(column: str, text: str) -> object:
            if column == "amount":
                return _grouped(text)
            if column == "region":
                return regions.name(text)
            return _day(text) if column == "date" else text

        header, body = numbered("expenses", columns, expenses, expense_value)
        _workbook(target / "expenses.xlsx", ["Реестр расходов по гранту", "(в тенге)"], header, body)

    if metrics := _rows(contract, "metrics"):
        columns = list(metrics[0])
        _csv(target / "metrics.csv", [_kazakh("metrics", c) for c in columns],
             [[regions.name(r[c]) if c == "region" else r[c] for c in columns] for r in metrics], delimiter="\t")

    narratives = contract / "narratives"
    if narratives.is_dir():
        for path in narratives.rglob("*"):
            if path.is_file():
                copy = target / "narratives" / path.relative_to(narratives)
                copy.parent.mkdir(parents=True, exist_ok=True)
                copy.write_bytes(path.read_bytes())


def _drop_leading_blank(path: Path) -> None:
    """A KoboToolbox download starts with its header: no title lines, no blank line."""
    book = openpyxl.load_workbook(path)
    book.active.delete_rows(1)
    book.save(path)
