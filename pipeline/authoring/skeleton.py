"""`init`: a new grant's inputs folder in one command, and what `validate` says of one.

`write_skeleton` writes grant.yml with every key explained in Russian comments (its values
that only the grantee knows are placeholders, marked «ЗАМЕНИТЕ»), every table of the
contract as an .xlsx with its Russian header row and no data row, and one example narrative
that shows the placeholder syntax and how narratives are named; in Kazakh with `language="kk"`
(`skeleton_kk`: comments, placeholders marked «АУЫСТЫРЫҢЫЗ», Kazakh header rows, the example
narrative, `language: kk`). It never overwrites: it refuses a folder that exists and is not
empty, and creates each file exclusively.

`todo` is what `validate` adds for such a folder until it is filled in: each placeholder
still in grant.yml (file, line, key), an empty plan, the example narrative still there; and
`empty_tables` a warning for each table file without a row yet.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pipeline import paths
from pipeline.authoring import skeleton_kk
from pipeline.exceptions import InputError, PipelineError
from pipeline.inputs.bilingual import PLAN_TEXTS, kazakh_column
from pipeline.inputs.datawarning import DataWarning
from pipeline.inputs.grant import grant_text
from pipeline.inputs.loading import Inputs
from pipeline.inputs.reading import table_files
from pipeline.inputs.schema import TABLES, Column, header_names
from pipeline.inputs.yamlwalk import Loc, location_text, read_yaml
from pipeline.language import DEFAULT

#: What marks a value of grant.yml that `init` wrote for the grantee to replace.
MARK = "ЗАМЕНИТЕ"
#: The placeholders of grant.yml values that cannot hold the mark (a date, the amount).
PLACEHOLDER_DATE = "1900-01-01"
PLACEHOLDER_AMOUNT = "1"
#: The periods the skeleton declares (their narratives' folders are named after them).
PERIODS = ("interim", "final")
#: The example narrative, in the first period's folder: a name no activity id can have.
EXAMPLE = "пример.md"
#: The code of the warning about a table file without a row.
EMPTY_TABLE = "inputs.empty_table"

GRANT_YML = f"""\
# grant.yml — описание гранта: договор, грантополучатель, сумма, регионы и отчетные периоды.
# Файл написан командой `python -m pipeline init`. Каждое значение с пометкой «{MARK}» —
# заготовка: впишите свое значение (и уберите пометку). Пока заготовки остаются,
# `python -m pipeline validate --inputs <эта папка>` перечисляет их с номерами строк.
# Текст с двоеточием, # или кавычками пишите в одинарных кавычках: '…'.
# Даты: 2022-03-31 или 31.03.2022. Полное описание: docs/inputs.md.

# Договор о предоставлении гранта; отчет — приложение к нему.
agreement:
  number: '{MARK}: номер договора'        # номер договора, например 43
  date: '{PLACEHOLDER_DATE}'                   # {MARK}: дата договора, например 2022-03-31
  annex: '{MARK}: номер приложения'       # номер приложения к договору, например 4

# Грантополучатель, как он назван в договоре.
grantee:
  name: '{MARK}: полное название организации'
  short_name: '{MARK}: краткое название'  # краткое название (можно удалить эту строку)

# Тема гранта, как в договоре (стоит в заголовке отчета).
topic: '{MARK}: тема гранта'

# Сумма гранта: положительное число, пробелы между разрядами и десятичная запятая допустимы.
amount: {PLACEHOLDER_AMOUNT}                                # {MARK}: сумма гранта, например 29 364 470
currency: тенге                          # валюта, как ее пишет отчет

# Кто подписывает отчет.
signatory:
  position: 'Руководитель проекта'       # должность
  name: '{MARK}: имя и фамилия подписанта'

# Регионы проекта: по каждому строится свой отчет (и сводный, all, по всем сразу).
# id — латинские строчные буквы, цифры, - и _ (например almaty), не «all»; столбец region
# таблиц пишет этот id. name — название в отчете. Добавьте по строке «- id: …» на регион.
regions:
  - id: region-1
    name: '{MARK}: название региона, например Алматинская область'
    aliases: []                          # другие написания региона в таблицах: ['Алматы', 'Алм. обл.']

# Отчетные периоды: по каждому строится отчет. id — латинские строчные буквы, цифры, - и _;
# он же имя папки текстов аналитика narratives/<id>/ (переименуете id — переименуйте папку).
# title — заголовок отчета; start и end — первый и последний день периода (end не раньше start).
periods:
  - id: {PERIODS[0]}
    title: 'Промежуточный программный отчет'
    start: '{PLACEHOLDER_DATE}'                # {MARK}: первый день периода
    end: '{PLACEHOLDER_DATE}'                  # {MARK}: последний день периода
  - id: {PERIODS[1]}
    title: 'Итоговый программный отчет'
    start: '{PLACEHOLDER_DATE}'                # {MARK}: первый день периода
    end: '{PLACEHOLDER_DATE}'                  # {MARK}: последний день периода

# Необязательно: свои названия столбцов, когда заголовок в файле не совпадает ни с одним
# известным (русские и казахские названия уже известны, docs/inputs.md). По таблице —
# «заголовок в файле»: столбец контракта. Например:
#   columns:
#     participants: {{'Ф.И.О. участника': full_name}}
columns: {{}}

# Необязательно: анкеты тренингов как их выгружает Google Forms или KoboToolbox. По таблице —
# столбец оценки: текст вопроса, как он стоит в заголовке выгрузки. Например:
#   questionnaires:
#     training_surveys:
#       knowledge_before: 'Оцените свои знания по теме до тренинга'
#       knowledge_after: 'Оцените свои знания по теме после тренинга'
#       trainer: 'Оцените работу тренера'
#       organisation: 'Оцените организацию тренинга'
questionnaires: {{}}

# Необязательно: что файл не говорит о себе сам. По шаблону пути (относительно этой папки;
# * — любое имя, ** — любые папки) — таблица файла (table:, когда имя файла ее не называет)
# и значения столбцов, которых в файле нет (столбец, который в файле есть, сохраняет свои
# значения; его пустые ячейки получают это). Выгрузки кладутся как скачаны, каждый период.
# Например:
#   files:
#     "consultations/zhambyl.csv": {{region: zhambyl, activity_id: "3.1"}}   # журнал юриста
#     "consultations/*.xlsx": {{activity_id: "3.1"}}
#     "feedback_kobo.xlsx": {{table: feedback, activity_id: "3.2"}}          # выгрузка KoboToolbox
#     "training_surveys/*T01*": {{event_id: T01}}                           # выгрузка Google Forms
files: {{}}

# Необязательно: свои типы мероприятий гранта (семинары, вебинары, форумы). По коду типа
# (латинские буквы, цифры, - и _) — название в отчете и слова, которыми тип пишут в таблице
# мероприятий. У каждого типа свои показатели: events.<код>.count, events.<код>.participants.
# Например:
#   event_types:
#     seminar: {{name: "Семинар", words: ["семинар", "семинары"]}}
event_types: {{}}

# Необязательно: названия тем тренингов (по topic_id таблицы мероприятий), как их пишет отчет.
# Например:
#   topics:
#     msu: {{title: "Развитие и участие граждан в МСУ"}}
topics: {{}}

# Названия показателей из таблицы metrics (по столбцу name), как их пишет отчет: без названия
# отчет назовет показатель его кодом. Например:
#   metrics:
#     telegram_subscribers: "Подписчики Telegram-канала"
metrics: {{}}

# Необязательно: цели мероприятий плана в отчетах регионов (цель в плане — цель проекта в целом;
# без цели региона его отчет показывает достигнутое без процента). По activity_id и коду региона:
#   targets:
#     "1.1": {{almaty: 1, zko: 1}}
targets: {{}}

# Необязательно: показатели мероприятия в графе «Уровень достижения целевых индикаторов» вместо
# одного показателя плана. По activity_id — список: показатель отчета (`python -m pipeline
# figures` их перечисляет), его подпись и, если есть, цель — число (цель проекта, только в сводном
# отчете) или по отчетам (all — сводный, коды регионов); отчет региона без своей цели показывает
# значение без цели и процента. Например:
#   indicators:
#     "1.1":
#       - {{figure: centres.count, label: "Созданы community-центры", target: {{all: 4, almaty: 1}}}}
#       - {{figure: feedback.satisfaction_pct, label: "Удовлетворенность бенефициаров"}}
indicators: {{}}

# Язык отчетов: ru (русский) или kk (казахский); `run --language kk` меняет его на один запуск.
# Заголовок периода и валюта стандартной формы переводятся сами; свои тексты (тема, названия)
# пишите на языке отчета.
language: ru
"""

EXAMPLE_TEXT = f"""\
{{# Пример текста аналитика. Его написала команда `python -m pipeline init`.
Текст в таких скобках (с решеткой) — комментарий: в отчет он не попадает.

Как называть файлы (Markdown, UTF-8):
- narratives/<период>/<activity_id>.md — описание мероприятия плана за период: по файлу на
  строку плана (plan), имя — ее activity_id, например narratives/{PERIODS[0]}/1.1.md;
- narratives/<период>/success_story.md — история успеха (без нее отчет пишет стандартную фразу);
- narratives/<период>/<регион>/<activity_id>.md — свой текст для отчета одного региона (id
  региона из grant.yml; all — для сводного отчета); остальные отчеты читают файл периода.

Числа руками не пишутся: их подставляют показатели, {{{{ fig("имя показателя") }}}}.
Все имена, их смысл и значения (после сборки): python -m pipeline figures --period {PERIODS[0]}
Текст видит и свой отчет: {{{{ period.title }}}}, {{{{ period.start }}}}, {{{{ period.end }}}},
{{{{ region.name }}}} (для сводного отчета — «все регионы»), {{{{ region.id }}}}.

Скопируйте этот файл под именем activity_id, напишите свой текст и удалите этот файл:
пока он здесь, validate о нем напоминает. #}}
За период с {{{{ period.start }}}} по {{{{ period.end }}}} ({{{{ region.name }}}}) проведено
{{{{ fig("events.training.count") }}}} тренингов, в них участвовали
{{{{ fig("events.training.participants") }}}} человек; дано {{{{ fig("consultations.count") }}}} консультаций.
"""

#: Each kind of column, in the words of a header's note.
KIND_WORDS = {
    "text": "текст", "id": "код", "date": "дата: 2022-05-23 или 23.05.2022", "number": "число",
    "int": "целое число, не меньше 0", "score": "оценка от 1 до 5", "bool": "да или нет",
}
#: What a placeholder of grant.yml asks for, by its key (list positions left out).
WANTED = {
    ("agreement", "number"): "the agreement's number", ("agreement", "date"): "the agreement's date",
    ("agreement", "annex"): "the annex number", ("grantee", "name"): "the grantee's full name",
    ("grantee", "short_name"): "its short name (or delete the line)", ("topic",): "the grant's topic",
    ("amount",): "the grant's amount", ("signatory", "name"): "the signatory's name",
    ("regions", "name"): "the region's name", ("periods", "start"): "the period's first day",
    ("periods", "end"): "the period's last day",
}


# ---------------------------------------------------------------- writing the skeleton

def header(table: str, column: Column, language: str = DEFAULT) -> str:
    """The header `init` writes for a column: its first Russian name (Kazakh for `kk`)."""
    russian, kazakh = header_names(table, column.name)
    return kazakh[0] if language == skeleton_kk.KAZAKH else russian[0]


def _note(column: Column, language: str = DEFAULT) -> str:
    """What a header cell's note says of its column: the contract's name, kind and rules."""
    if language == skeleton_kk.KAZAKH:
        kind = (f"{skeleton_kk.ONE_OF}: {', '.join(column.choices)}" if column.kind == "enum"
                else skeleton_kk.KIND_WORDS[column.kind])
        rules = (skeleton_kk.REQUIRED if column.required else skeleton_kk.OPTIONAL) + (
            skeleton_kk.NONBLANK if column.nonblank else "")
        return f"{column.name} ({kind}); {rules}. {skeleton_kk.SEE_DOCS}"
    kind = (f"одно из: {', '.join(column.choices)}" if column.kind == "enum" else KIND_WORDS[column.kind])
    rules = ("обязательный столбец" if column.required else "необязательный столбец") + (
        ", заполняется в каждой строке" if column.nonblank else "")
    return f"{column.name} ({kind}); {rules}. См. docs/inputs.md."


def columns_written(table: str, language: str = DEFAULT) -> tuple[Column, ...]:
    """The columns `init` writes: every column of the contract; in Kazakh, the plan without its
    `_kk` columns (a grant written in Kazakh writes its plan's texts in Kazakh in theirs)."""
    left_out = {kazakh_column(text) for text in PLAN_TEXTS} if language == skeleton_kk.KAZAKH else set()
    return tuple(column for column in TABLES[table] if column.name not in left_out)


def table_workbook(table: str, language: str = DEFAULT) -> bytes:
    """One table as an .xlsx: its header row in `language` (bold, frozen, each with a note
    naming the contract's column), columns as wide as their headers, no data row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has its sheet
    sheet.title = table
    for i, column in enumerate(columns_written(table, language), start=1):
        cell = sheet.cell(row=1, column=i, value=header(table, column, language))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.comment = Comment(_note(column, language), "pipeline init", width=300, height=90)
        sheet.column_dimensions[get_column_letter(i)].width = max(14, len(str(cell.value)) + 4)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def skeleton_files(language: str = DEFAULT) -> dict[str, bytes]:
    """Every file of a new inputs folder, by its path in it, in `language`."""
    kazakh = language == skeleton_kk.KAZAKH
    grant = skeleton_kk.grant_yml(PLACEHOLDER_DATE, PLACEHOLDER_AMOUNT, PERIODS) if kazakh else GRANT_YML
    files = {paths.GRANT_FILE: grant.encode("utf-8")}
    files |= {f"{table}.xlsx": table_workbook(table, language) for table in TABLES}
    example, text = (skeleton_kk.EXAMPLE, skeleton_kk.example_text(PERIODS[0])) if kazakh else (EXAMPLE, EXAMPLE_TEXT)
    files[f"{paths.NARRATIVES_DIR}/{PERIODS[0]}/{example}"] = text.encode("utf-8")
    return files


def write_skeleton(folder: Path, language: str = DEFAULT) -> list[Path]:
    """Write a new inputs folder in `folder` (made if it does not exist), in `language`: the
    files it wrote. A folder that exists and is not empty is refused, and no file is ever
    overwritten."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise PipelineError(f"{folder}: not a folder: init writes a new inputs folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise PipelineError(f"{folder}: the folder is not empty: init writes a new inputs folder and never "
                            "overwrites a file (give a new or empty folder)")
    written = []
    for relative, content in skeleton_files(language).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as file:  # exclusive: a file made meanwhile is never overwritten
            file.write(content)
        written.append(path)
    for period in PERIODS[1:]:
        (folder / paths.NARRATIVES_DIR / period).mkdir(exist_ok=True)
    return written


# ---------------------------------------------------------------- what validate says of it

def _scalars(data: Any, where: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every scalar of grant.yml's data (as text), with its location."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _scalars(value, (*where, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _scalars(value, (*where, i))
    elif data is not None:
        yield where, str(data)


def _is_placeholder(where: Loc, value: str) -> bool:
    marked = MARK in value or skeleton_kk.MARK in value
    return marked or value == PLACEHOLDER_DATE or (where == ("amount",) and value == PLACEHOLDER_AMOUNT)


def grant_placeholders(root: Path) -> list[InputError]:
    """Each value of grant.yml that is still a placeholder `init` wrote, with its line. A
    grant.yml that cannot be read gives none here (validating it says why)."""
    try:
        data, lines = read_yaml(grant_text(root))
    except (OSError, PipelineError):
        return []
    found = []
    for where, value in _scalars(data):
        if _is_placeholder(where, value):
            wanted = WANTED.get(tuple(p for p in where if isinstance(p, str)), "the grant's own value")
            found.append(InputError(paths.GRANT_FILE, lines.get(where), location_text(where), value,
                                    f"a placeholder written by init: write {wanted}"))
    return found


def _table_file(root: Path, table: str) -> str:
    files = table_files(root, table)
    return files[0].relative_to(root).as_posix() if files else f"{table}.xlsx"


def todo(root: Path, inputs: Inputs | None) -> list[InputError]:
    """What a skeleton still lacks before any report can be built: grant.yml's placeholders;
    with the tables read, an empty plan and the example narrative left in place."""
    problems = grant_placeholders(root)
    if inputs is None:
        return problems
    if not len(inputs["plan"]):
        problems.append(InputError(_table_file(inputs.root, "plan"), expected="no rows: the plan is required, "
                                   "one row per activity of the grant's plan (docs/inputs.md)"))
    for example in sorted(path for name in (EXAMPLE, skeleton_kk.EXAMPLE)
                          for path in (inputs.root / paths.NARRATIVES_DIR).glob(f"*/{name}")):
        problems.append(InputError(example.relative_to(inputs.root).as_posix(), expected=(
            "the example narrative written by init: write one <activity_id>.md per activity of the plan "
            "as it shows, then delete it")))
    return problems


def empty_tables(inputs: Inputs) -> list[DataWarning]:
    """A warning for each table (but the plan, which `todo` requires) whose files have no row yet."""
    return [DataWarning(EMPTY_TABLE, f"{_table_file(inputs.root, table)}: no rows yet (fill it in, or delete "
                        "the file if the grant has none)", 1)
            for table in TABLES if table != "plan" and table_files(inputs.root, table) and not len(inputs[table])]
