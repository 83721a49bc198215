"""A synthetic grant in the inputs contract, at a chosen scale (for bench/run_bench.py).

    make_grant(folder, regions=5, periods=2, rows=40, seed=0)

writes a complete, valid inputs folder: grant.yml (regions r01.., consecutive quarterly
periods), plan (6 activities with units and targets), centres (one per region), events
(per region and period: trainings with a topic_id and registration lists, a meeting with a
reported count; per period: an online conference with a list and a presentation),
participants (a folder, one file per region; people come back to later trainings, some
written differently; now and then one name twice on a list), consultations (an Excel-style
cp1251 `;` file with Russian dates, like the demo's), feedback (about half the
consultations; some questions blank), training_surveys (most participants; some questions
blank), media (own posts without a region, partner and press posts per region), expenses,
metrics (grant-wide and regional), and narratives/<period>/*.md with `{{ fig("…") }}`
placeholders naming figures that exist.

`rows` is the size of the main tables *per region and period*: `rows` consultations, about
`rows` training attendances and questionnaires, `rows // 2` feedback forms, `rows // 4`
regional media posts and so on, so every table grows with regions x periods x rows.
Everything is drawn from `random.Random(seed)`: the same arguments give the same bytes.

    change_one_region(folder, region)

edits one consultation of that region in place (its topic gains or loses a suffix), so
that exactly that region's reports (and `all`) of the periods containing its date see
different data. Calling it twice gives back the original content.

Also a command line: `python bench/synth.py OUT --regions 5 --periods 2 --rows 40`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import shutil
from pathlib import Path

TOPICS = {
    "msu": "Развитие и участие граждан в МСУ",
    "budget": "Бюджет местного самоуправления",
    "control": "Общественный контроль и участие в принятии решений",
}
CONSULTATION_TOPICS = [
    "Бюджет местного самоуправления", "Собрание местного сообщества", "Конкурс малых грантов",
    "Обращение к акиму", "Благоустройство улицы", "Ремонт дороги", "Водоснабжение села",
    "Уличное освещение", "Работа с молодежью", "Общественный совет",
]
SURNAMES_M = ["Ахметов", "Байжанов", "Ермеков", "Смагулов", "Кенжебаев", "Досмагамбетов", "Утегенов",
              "Нурланов", "Сапаров", "Жумабеков", "Тлеубаев", "Иванов", "Ковалёв", "Абдрахманов",
              "Серикбаев", "Оспанов", "Мухамедов", "Алиев", "Жаксылыков", "Есенов"]
GIVEN_M = ["Мурат", "Бекзат", "Ерлан", "Нурлан", "Болат", "Данияр", "Асхат", "Серик", "Арман", "Тимур",
           "Алексей", "Ержан", "Канат", "Айдос", "Руслан"]
GIVEN_F = ["Гаухар", "Лаура", "Молдир", "Жанар", "Камила", "Мадина", "Айгерим", "Динара", "Гульшат",
           "Алия", "Ольга", "Асель", "Карлыгаш", "Ботагоз", "Индира", "Алёна"]
PATRONYMICS = ["Ерланов", "Нурланов", "Болатов", "Канатов", "Сериков", "Муратов", ""]
CATEGORIES = ["член местного сообщества", "активный гражданин", "представитель НПО",
              "представитель местного исполнительного органа", "депутат маслихата"]
COMMENTS = ["Очень полезная консультация", "Теперь знаю, как обратиться к акиму", "Спасибо за помощь",
            "Хотелось бы больше встреч", "Узнали про конкурс малых грантов", ""]
PLATFORMS = [("Facebook", "@project.page"), ("Instagram", "@project_kz"), ("Telegram", "@project_channel")]
PARTNERS = [("Facebook", "@partner.ngo"), ("Instagram", "@akimat_news"), ("Website", "regional-news.kz")]

# The plan: id, task, activity, indicator, unit. Targets are computed from the scale.
ACTIVITIES = [
    ("1", "Создание community-центров в регионах", "1.1", "Открытие community-центров", "Открыты центры", "centres"),
    ("1", "Создание community-центров в регионах", "1.2", "Консультации жителей в community-центрах",
     "Проведены консультации", "consultations"),
    ("2", "Обучающие мероприятия в регионах", "2.1", "Однодневные обучающие тренинги", "Проведены тренинги",
     "training"),
    ("3", "Анализ удовлетворенности бенефициаров", "3.1", "Анкеты обратной связи после консультаций",
     "Собраны анкеты", "feedback"),
    ("4", "Информационная работа", "4.1", "Публичные презентации о ходе проекта", "Проведены презентации",
     "presentation"),
    ("4", "Информационная работа", "4.2", "Публикации в СМИ и социальных сетях", "Размещены публикации",
     "publications"),
]

NARRATIVES = {
    "1.1": 'Работают {{ fig("centres.count") }} community-центров; расходы по мероприятию составили '
           '{{ fig("activity.1.1.cost") }} тенге.',
    "1.2": 'За период центры провели {{ fig("consultations.count") }} консультаций '
           '({{ fig("activity.1.2.achieved_pct") }} % плана).',
    "2.1": 'Проведено {{ fig("events.training.count") }} тренингов, участников: '
           '{{ fig("events.training.participants") }} (разных людей: {{ fig("trainings.unique_participants") }}). '
           'Знания по теме МСУ: {{ fig("survey.msu.knowledge_before") }} → {{ fig("survey.msu.knowledge_after") }}.',
    "3.1": 'Собрано {{ fig("feedback.count") }} анкет ({{ fig("feedback.response_pct") }} % консультаций), '
           'удовлетворенность {{ fig("feedback.satisfaction_pct") }} %.',
    "4.1": 'Проведено презентаций: {{ fig("events.presentation.count") }}, зрителей: '
           '{{ fig("events.presentation.participants") }}.',
    "4.2": 'Публикаций: {{ fig("media.publications") }}, охват {{ fig("media.reach") }} '
           '(собственные каналы {{ fig("media.own.reach") }}); подписчиков Telegram: '
           '{{ fig("metric.telegram_subscribers") }}.',
}
SUCCESS_STORY = ('После тренинга жители провели собрание местного сообщества и добились ремонта дороги. '
                 'Всего за период израсходовано {{ fig("budget.spent") }} тенге '
                 '({{ fig("budget.spent_pct") }} % гранта).\n')


def region_ids(regions: int) -> list[str]:
    return [f"r{i:02d}" for i in range(1, regions + 1)]


def period_bounds(periods: int, first_year: int = 2023) -> list[tuple[str, dt.date, dt.date]]:
    """Consecutive quarters: 2023-q1, 2023-q2, … (disjoint, as a grant's interim periods)."""
    out = []
    for i in range(periods):
        year, quarter = first_year + i // 4, i % 4
        start = dt.date(year, 3 * quarter + 1, 1)
        end = (dt.date(year + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1) - dt.timedelta(days=1))
        out.append((f"{year}-q{quarter + 1}", start, end))
    return out


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8",
               delimiter: str = ",", newline: str = "\n") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))


def _person(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.55:
        given, surname, gender = rng.choice(GIVEN_F), rng.choice(SURNAMES_M) + "а", "ж"
        patronymic = rng.choice(PATRONYMICS)
        patronymic = patronymic[:-2] + "овна" if patronymic else ""
    else:
        given, surname, gender = rng.choice(GIVEN_M), rng.choice(SURNAMES_M), "м"
        patronymic = rng.choice(PATRONYMICS)
        patronymic = patronymic[:-2] + "ович" if patronymic else ""
    return " ".join(p for p in (surname, given, patronymic) if p), gender


def _variant(rng: random.Random, name: str) -> str:
    """The same person written differently on a later list (what de-duplication must fold)."""
    choice = rng.randrange(5)
    if choice == 0:
        surname, _, rest = name.partition(" ")
        return f"{surname.upper()} {rest}".strip()
    if choice == 1:
        return name.replace(" ", "  ", 1)
    if choice == 2:
        return f" {name} "
    if choice == 3:
        return name.lower()
    return name.replace("ё", "е") if "ё" in name else name.replace(" ", "  ")


def _score(rng: random.Random, low: int, high: int, blank: float) -> int | None:
    return None if rng.random() < blank else rng.randint(low, high)


def make_grant(folder: Path | str, regions: int = 5, periods: int = 2, rows: int = 40, seed: int = 0) -> Path:
    """Write a synthetic grant of `regions` x `periods` (tables of about `rows` rows per region
    and period) into `folder` (replaced if it exists); returns the folder."""
    if regions < 1 or periods < 1 or rows < 4:
        raise ValueError("regions and periods must be >= 1, rows >= 4")
    rng = random.Random(seed)
    root = Path(folder)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    rids = region_ids(regions)
    bounds = period_bounds(periods)
    trainings_per = max(1, rows // 20)
    topics = list(TOPICS)

    # -- events, participants, training_surveys
    events, surveys = [], []
    lists: dict[str, list[list]] = {r: [] for r in rids}
    lists["online"] = []
    pools = {r: [_person(rng) for _ in range(max(6, rows + rows // 2))] for r in rids}
    seen: dict[str, set[str]] = {r: set() for r in rids}
    n_event = 0

    def new_event(activity, kind, title, topic, region, settlement, day, fmt, reported=None) -> str:
        nonlocal n_event
        n_event += 1
        eid = f"E{n_event:05d}"
        events.append([eid, activity, kind, title, topic, region, settlement, day.isoformat(), day.isoformat(),
                       fmt, reported])
        return eid

    for p_index, (_pid, start, end) in enumerate(bounds):
        day = _day(rng, start, start + dt.timedelta(days=20))
        eid = new_event("1.1", "conference", "Онлайн-конференция с координаторами community-центров", None,
                        rids[0], None, day, "online")
        for r in rids:
            lists["online"].append([eid, f"Координатор {r.upper()}", "координатор community-центра", ""])
        new_event("4.1", "presentation", "Публичная презентация о ходе проекта", None, rids[0], None,
                  _day(rng, start + dt.timedelta(days=30), end), "online", rng.randint(60, 400))
        for r_index, r in enumerate(rids):
            for t in range(trainings_per):
                topic = topics[(r_index + p_index + t) % len(topics)]
                eid = new_event("2.1", "training", TOPICS[topic], topic, r, f"г. Центр-{r_index + 1}",
                                _day(rng, start, end), "offline")
                size = max(3, rows // trainings_per)
                people = rng.sample(pools[r], min(size, len(pools[r])))
                distinct = 0
                for name, gender in people:
                    written = _variant(rng, name) if name in seen[r] and rng.random() < 0.4 else name
                    seen[r].add(name)
                    lists[r].append([eid, written, rng.choice(CATEGORIES), gender])
                    distinct += 1
                if rng.random() < 0.3:  # the same person listed twice on one list
                    lists[r].append(list(lists[r][-1]))
                for k in range(1, int(distinct * 0.85) + 1):
                    surveys.append([eid, f"{eid}-{k:03d}",
                                    _score(rng, 1, 4, 0.15), _score(rng, 3, 5, 0.05), _score(rng, 3, 5, 0.1),
                                    _score(rng, 3, 5, 0.1),
                                    rng.choice(["", "", "Больше практики", "Провести тренинг в селах"])])
            new_event("1.1", "meeting", "Встреча с акимом сельского округа", None, r, f"с. Село-{r_index + 1}",
                      _day(rng, start, end), "offline", rng.randint(8, 40))

    _write_csv(root / "events.csv", ["event_id", "activity_id", "type", "title", "topic_id", "region", "settlement",
                                     "start_date", "end_date", "format", "reported_participants"], events)
    for name, rows_ in lists.items():
        _write_csv(root / "participants" / f"{name}.csv", ["event_id", "full_name", "category", "gender"], rows_)
    _write_csv(root / "training_surveys.csv", ["event_id", "respondent_id", "knowledge_before", "knowledge_after",
                                               "trainer", "organisation", "recommendation"], surveys)

    # -- consultations (Excel export: cp1251, ';', CRLF, Russian dates) and feedback
    consultations, feedback = [], []
    n_cons = 0
    for _pid, start, end in bounds:
        for r in rids:
            opened = start  # centres open in the first period; consultations start after that
            for _ in range(rows):
                n_cons += 1
                cid = f"C{n_cons:06d}"
                day = _day(rng, opened, end)
                consultations.append([cid, "1.2", day.strftime("%d.%m.%Y"), r, _person(rng)[0],
                                      rng.choice(CONSULTATION_TOPICS), rng.choice(["да", "да", "да", "нет"])])
                if rng.random() < 0.5:
                    back = min(end, day + dt.timedelta(days=rng.randint(0, 5)))
                    feedback.append([cid, "3.1", back.isoformat(), rng.choice(["yes", "yes", "yes", "no"]),
                                     _score(rng, 3, 5, 0.1), rng.choice(["yes", "yes", "yes", "no", ""]),
                                     rng.choice(COMMENTS)])
    _write_csv(root / "consultations.csv", ["consultation_id", "activity_id", "date", "region", "beneficiary",
                                            "topic", "answered"], consultations,
               encoding="cp1251", delimiter=";", newline="\r\n")
    _write_csv(root / "feedback.csv", ["consultation_id", "activity_id", "date", "answered", "satisfaction",
                                       "positive", "comment"], feedback)

    # -- centres
    first_start, first_end = bounds[0][1], bounds[0][2]
    centres = []
    for r_index, r in enumerate(rids):
        opened = _day(rng, first_start, min(first_end, first_start + dt.timedelta(days=20)))
        centres.append([r, f"Community-центр области {r.upper()} (г. Центр-{r_index + 1})", opened.isoformat(),
                        _person(rng)[0], (opened - dt.timedelta(days=rng.randint(3, 15))).isoformat()])
    _write_csv(root / "centres.csv", ["region", "name", "opened", "coordinator", "memorandum_date"], centres)

    # -- media
    media = []
    for _pid, start, end in bounds:
        for _ in range(max(1, rows // 2)):
            platform, account = rng.choice(PLATFORMS)
            media.append([_day(rng, start, end).isoformat(), platform, account, "own",
                          f"Пост о ходе проекта № {len(media) + 1}", rng.choice(["ru", "kk"]), rng.randint(0, 900),
                          rng.choice([1, 1, 1, 1, 2, 3]), f"https://example.org/post/{len(media) + 1}", None, "4.2"])
        for r in rids:
            for _ in range(max(1, rows // 4)):
                owner = rng.choice(["partner", "partner", "press"])
                platform, account = rng.choice(PARTNERS)
                media.append([_day(rng, start, end).isoformat(), platform, account, owner,
                              f"Публикация о тренинге в регионе {r.upper()}", "ru", rng.randint(0, 500), 1,
                              f"https://example.org/news/{len(media) + 1}", r, "4.2"])
    _write_csv(root / "media.csv", ["date", "platform", "account", "owner", "title", "language", "reach",
                                    "publications", "url", "region", "activity_id"], media)

    # -- expenses
    expenses = []
    n_doc = 0
    for _pid, start, end in bounds:
        for r in rids:
            for activity, low, high, what in (("1.1", 50, 400, "Аренда помещения community-центра"),
                                              ("2.1", 100, 900, "Организация тренинга: зал, кофе-брейк"),
                                              ("1.2", 20, 150, "Работа консультанта")):
                for _ in range(max(1, rows // 20)):
                    n_doc += 1
                    expenses.append([_day(rng, start, end).isoformat(), activity, rng.randint(low, high) * 1000,
                                     what, f"Платежное поручение № {n_doc}", r])
        for activity, what in (("4.1", "Трансляция презентации"), ("4.2", "Продвижение публикаций"),
                               ("3.1", "Печать анкет")):
            n_doc += 1
            expenses.append([_day(rng, start, end).isoformat(), activity, rng.randint(30, 300) * 1000, what,
                             f"Платежное поручение № {n_doc}", None])
    _write_csv(root / "expenses.csv", ["date", "activity_id", "amount", "description", "document", "region"],
               expenses)
    amount = int(sum(e[2] for e in expenses) * 1.25 // 1000 * 1000)

    # -- metrics
    metrics, subscribers = [], 10
    for _pid, start, end in bounds:
        subscribers += rng.randint(5, 60)
        metrics.append([end.isoformat(), "telegram_subscribers", subscribers, None,
                        f"Скриншот статистики канала от {end.strftime('%d.%m.%Y')}"])
        metrics.append([_day(rng, start, end).isoformat(), "press_releases", rng.randint(1, 4), None,
                        "Пресс-релиз (press_release.docx)"])
        for r in rids:
            metrics.append([end.isoformat(), "local_initiatives", rng.randint(0, 6), r,
                            f"Отчет координатора центра {r.upper()}"])
    _write_csv(root / "metrics.csv", ["date", "name", "value", "region", "source"], metrics)

    # -- plan
    targets = {"centres": regions, "consultations": int(regions * periods * rows * 0.9),
               "training": regions * periods * trainings_per, "feedback": regions * periods * rows // 3,
               "presentation": periods, "publications": len(media)}
    plan = []
    for task_no, task, aid, activity, indicator, unit in ACTIVITIES:
        plan.append([task_no, task, aid, activity, f"{bounds[0][1]:%m.%Y}–{bounds[-1][2]:%m.%Y}", indicator,
                     targets[unit], unit, amount // len(ACTIVITIES) // 1000 * 1000])
    _write_csv(root / "plan.csv", ["task_no", "task", "activity_id", "activity", "deadline", "indicator", "target",
                                   "unit", "budget"], plan)

    # -- narratives
    for p_index, (pid, _, _) in enumerate(bounds):
        folder_ = root / "narratives" / pid
        folder_.mkdir(parents=True)
        for aid, text in NARRATIVES.items():
            (folder_ / f"{aid}.md").write_text(text + "\n", encoding="utf-8")
        if p_index == len(bounds) - 1:
            (folder_ / "success_story.md").write_text(SUCCESS_STORY, encoding="utf-8")

    # -- grant.yml (written by hand: the key order and comments of an analyst's file)
    lines = [
        "# A synthetic grant for the benchmark (bench/synth.py); every name and number is invented.",
        "agreement:", "  number: 99", f"  date: '{bounds[0][1] - dt.timedelta(days=10)}'", "  annex: 4",
        "grantee:", "  name: 'Общественный фонд «Синтетический грант»'", "  short_name: 'ОФ «СГ»'",
        "topic: 'Развитие местного самоуправления (синтетические данные)'", f"amount: {amount}",
        "currency: тенге", "signatory:", "  position: 'Руководитель проекта'", "  name: 'Тестовый Руководитель'",
        "regions:",
        *(f"  - {{id: {r}, name: 'Область {r.upper()}'}}" for r in rids),
        "periods:",
        *(f"  - {{id: {pid}, title: 'Промежуточный программный отчет', start: '{s}', end: '{e}'}}"
          for pid, s, e in bounds),
    ]
    (root / "grant.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


# ------------------------------------------------------------------ one region's change

CHANGED = " (уточнено)"


def _consultation_files(root: Path) -> list[Path]:
    files = [root / "consultations.csv"] if (root / "consultations.csv").is_file() else []
    if (root / "consultations").is_dir():
        files += sorted((root / "consultations").glob("*.csv"))
    if not files:
        raise FileNotFoundError(f"{root}: no consultations CSV (consultations.csv or consultations/*.csv)")
    return files


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ValueError("neither UTF-8 nor cp1251")


def change_one_region(folder: Path | str, region: str) -> dict[str, str]:
    """Edit, in place, the topic of the first consultation of `region` (append or remove a
    suffix; the file keeps its encoding, separator and line ends). Returns what changed."""
    for path in _consultation_files(Path(folder)):
        data = path.read_bytes()
        text, encoding = _decode(data)
        bom = encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf")
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        newline = "\r\n" if "\r\n" in text else "\n"
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        header = [h.strip() for h in rows[0]]
        at_region, at_topic = header.index("region"), header.index("topic")
        for i, row in enumerate(rows[1:], start=1):
            if len(row) > at_region and row[at_region].strip() == region:
                old = row[at_topic]
                row[at_topic] = old[: -len(CHANGED)] if old.endswith(CHANGED) else old + CHANGED
                buffer = io.StringIO()
                csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
                out = buffer.getvalue()
                path.write_bytes(out.encode("utf-8-sig" if bom else ("utf-8" if encoding == "utf-8-sig" else encoding)))
                return {"file": str(path), "row": str(i + 1), "consultation_id": row[0],
                        "topic_before": old, "topic_after": row[at_topic]}
    raise ValueError(f"{folder}: no consultation of region «{region}»")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic grant in the inputs contract.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--regions", type=int, default=5)
    parser.add_argument("--periods", type=int, default=2)
    parser.add_argument("--rows", type=int, default=40, help="rows of the main tables per region and period")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    make_grant(args.folder, args.regions, args.periods, args.rows, args.seed)
    print(args.folder)


if __name__ == "__main__":
    main()
