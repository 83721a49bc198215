"""`init`: a new grant's inputs folder in one command (grant.yml explained, every table as an
.xlsx with its Russian header row, an example narrative), never over existing files; and
`validate` on it: a to-do list, one line each, no traceback, until it is filled in."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from conftest import run_cli

from pipeline import app
from pipeline.authoring import skeleton
from pipeline.figures import catalogue
from pipeline.inputs.grant import GRANT, Grant, parse_grant, read_yaml
from pipeline.inputs.schema import TABLES, header_names
from pipeline.notebook import narratives

EXAMPLE = f"narratives/{skeleton.PERIODS[0]}/{skeleton.EXAMPLE}"


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "new-grant"
    skeleton.write_skeleton(target)
    return target


def _model_keys(model: type, where: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every key of grant.yml's model, nested (list positions left out)."""
    keys = set()
    for name, info in model.model_fields.items():
        keys.add((*where, name))
        inner = getattr(info.annotation, "__args__", (info.annotation,))[0]
        if isinstance(inner, type) and hasattr(inner, "model_fields"):
            keys |= _model_keys(inner, (*where, name))
    return keys


def test_grant_yml_parses_and_explains_every_key_of_the_model(folder):
    text = (folder / GRANT).read_text(encoding="utf-8")
    grant = parse_grant(text)
    assert grant.period_ids() == list(skeleton.PERIODS)
    data, lines = read_yaml(text)
    written = {tuple(p for p in loc if isinstance(p, str)) for loc in lines}
    assert _model_keys(Grant) <= written, _model_keys(Grant) - written
    source = text.splitlines()

    def commented(line: int) -> bool:  # a comment on the key's line or right above it
        return "#" in source[line - 1] or line >= 2 and source[line - 2].lstrip().startswith("#")

    for loc in lines:
        if isinstance(loc[-1], str):  # a key, explained itself or by its mapping's comment
            assert any(commented(lines[loc[:n]]) for n in range(1, len(loc) + 1) if loc[:n] in lines), loc
    assert re.search(r"[а-я]", text) and skeleton.MARK in text


@pytest.mark.parametrize("table", list(TABLES))
def test_each_table_is_an_xlsx_with_its_russian_header_row_and_no_data(folder, table):
    workbook = openpyxl.load_workbook(folder / f"{table}.xlsx")
    sheet = workbook.active
    assert sheet.title == table and sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header == [header_names(table, column.name)[0][0] for column in TABLES[table]]
    assert sheet.max_row == 1, "no data row: validate would have to tell an example row from data"
    for i, column in enumerate(TABLES[table], start=1):
        cell = sheet.cell(row=1, column=i)
        assert cell.font.bold and column.name in cell.comment.text
        assert sheet.column_dimensions[cell.column_letter].width >= len(cell.value)


def test_the_example_narrative_shows_the_placeholders_and_how_files_are_named(folder):
    text = (folder / EXAMPLE).read_text(encoding="utf-8")
    assert "<activity_id>.md" in text and "success_story.md" in text and "<регион>" in text
    named = re.findall(r'\{\{ fig\("([a-z_.]+)"\) \}\}', text)
    assert named, "the example shows real placeholders"
    for name in named:
        catalogue.lookup(name)  # a KeyError if the example named no figure
    assert narratives.check_text(text, EXAMPLE, named) == []
    values = {"period": {"id": "interim", "title": "T", "start": "1 апреля 2022 г.", "end": "15 июня 2022 г."},
              "region": {"id": "all", "name": "все регионы"}}
    rendered = narratives.render_text(text, dict.fromkeys(named, 3), EXAMPLE, values=values)
    assert "Как называть" not in rendered, "the explanation is a template comment: never in a report"
    assert "с 1 апреля 2022 г. по 15 июня 2022 г. (все регионы) проведено 3 тренингов" in " ".join(rendered.split())


def test_init_refuses_a_folder_that_is_not_empty_and_overwrites_nothing(cli, tmp_path):
    target = tmp_path / "grant"
    target.mkdir()
    (target / "plan.csv").write_text("mine", encoding="utf-8")
    result = cli("init", str(target))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"{target}: the folder is not empty: init writes a new inputs folder "
                                          "and never overwrites a file (give a new or empty folder)"]
    assert sorted(p.name for p in target.iterdir()) == ["plan.csv"]
    assert (target / "plan.csv").read_text(encoding="utf-8") == "mine"
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    result = cli("init", str(a_file))
    assert (result.returncode, result.stderr.splitlines()) == (1, [f"{a_file}: not a folder: init writes a new inputs folder"])


def test_init_writes_into_an_empty_folder_and_never_over_a_file_made_meanwhile(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert len(app.init(empty)) == len(TABLES) + 2
    late = tmp_path / "late"
    real = skeleton.skeleton_files

    def files_and_a_rival(language: str = "ru") -> dict[str, bytes]:  # another program writes grant.yml after the check
        late.mkdir()
        (late / GRANT).write_text("theirs", encoding="utf-8")
        return real(language)

    monkeypatch.setattr(skeleton, "skeleton_files", files_and_a_rival)
    with pytest.raises(FileExistsError):
        app.init(late)
    assert (late / GRANT).read_text(encoding="utf-8") == "theirs"


# ---------------------------------------------------------------- validate on the skeleton

def _contract_headers(folder: Path) -> None:
    """The skeleton's tables with the contract's column names as their headers (what this
    branch's reader reads; Russian headers are read by the header matching)."""
    for table, columns in TABLES.items():
        path = folder / f"{table}.xlsx"
        workbook = openpyxl.load_workbook(path)
        for i, column in enumerate(columns, start=1):
            workbook.active.cell(row=1, column=i, value=column.name)
        workbook.save(path)


GRANT_TODO = [
    "grant.yml:10: agreement.number = ЗАМЕНИТЕ: номер договора: a placeholder written by init: write the agreement's number",
    "grant.yml:11: agreement.date = 1900-01-01: a placeholder written by init: write the agreement's date",
    "grant.yml:12: agreement.annex = ЗАМЕНИТЕ: номер приложения: a placeholder written by init: write the annex number",
    "grant.yml:16: grantee.name = ЗАМЕНИТЕ: полное название организации: a placeholder written by init: "
    "write the grantee's full name",
    "grant.yml:17: grantee.short_name = ЗАМЕНИТЕ: краткое название: a placeholder written by init: "
    "write its short name (or delete the line)",
    "grant.yml:20: topic = ЗАМЕНИТЕ: тема гранта: a placeholder written by init: write the grant's topic",
    "grant.yml:23: amount = 1: a placeholder written by init: write the grant's amount",
    "grant.yml:29: signatory.name = ЗАМЕНИТЕ: имя и фамилия подписанта: a placeholder written by init: "
    "write the signatory's name",
    "grant.yml:36: regions[0].name = ЗАМЕНИТЕ: название региона, например Алматинская область: "
    "a placeholder written by init: write the region's name",
    "grant.yml:45: periods[0].start = 1900-01-01: a placeholder written by init: write the period's first day",
    "grant.yml:46: periods[0].end = 1900-01-01: a placeholder written by init: write the period's last day",
    "grant.yml:49: periods[1].start = 1900-01-01: a placeholder written by init: write the period's first day",
    "grant.yml:50: periods[1].end = 1900-01-01: a placeholder written by init: write the period's last day",
]
TABLES_TODO = [
    "plan.xlsx: no rows: the plan is required, one row per activity of the grant's plan (docs/inputs.md)",
    f"{EXAMPLE}: the example narrative written by init: write one <activity_id>.md per activity of the plan "
    "as it shows, then delete it",
]


def _in_order(expected: list[str], lines: list[str]) -> bool:
    """`expected` appear in `lines` one after another (validate may say more around them)."""
    return any(lines[i:i + len(expected)] == expected for i in range(len(lines) - len(expected) + 1))


def _russian_headers_read(folder: Path) -> bool:
    """Whether this code reads the Russian header row `init` writes (tried on the plan)."""
    from pipeline.inputs.reading import read_table_raw

    raw, _ = read_table_raw(folder, "plan")
    return "activity_id" in raw.columns


def test_init_then_validate_is_a_to_do_list(cli, tmp_path):
    """As a user runs it, with the Russian headers `init` writes: read by the header matching
    of issue 13 (another change); until this code reads them, the test says so and skips."""
    target = tmp_path / "grant"
    made = cli("init", str(target))
    assert made.returncode == 0 and "validate --inputs" in made.stderr
    result = cli("validate", "--inputs", str(target))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert _in_order(GRANT_TODO, result.stderr.splitlines())
    if not _russian_headers_read(target):
        pytest.skip("Russian header rows are not read yet (the header matching of issue 13 reads them)")
    assert app.validate(target).lines() == GRANT_TODO + TABLES_TODO
    assert _in_order(GRANT_TODO + TABLES_TODO, result.stderr.splitlines())


def test_validate_on_the_skeleton_lists_what_is_missing_then_what_is_empty(cli, folder):
    _contract_headers(folder)
    assert app.validate(folder).lines() == GRANT_TODO + TABLES_TODO
    result = cli("validate", "--inputs", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert _in_order(GRANT_TODO + TABLES_TODO, result.stderr.splitlines())

    _grant_filled_in(folder, "ЗАМЕНИТЕ", "'Заполнено'", "2024-01-10", "5 000 000")
    assert app.validate(folder).lines() == TABLES_TODO

    _plan_row_and_narrative(folder, EXAMPLE, ["1", "Обучение", "1.1", "Тренинги", "июнь", "Число тренингов", 3,
                                              "тренинг", None])
    empty = [f"{table}.xlsx: no rows yet (fill it in, or delete the file if the grant has none)"
             for table in TABLES if table != "plan"]
    checked = app.validate(folder)
    assert checked.ok and [str(w) for w in checked.warnings if w.code == skeleton.EMPTY_TABLE] == empty
    result = cli("validate", "--inputs", str(folder))
    assert result.returncode == 0, result.stderr
    assert _in_order([f"warning: {line}" for line in empty], result.stderr.splitlines())


def test_a_placeholder_copied_anywhere_in_grant_yml_is_still_told(folder):
    text = (folder / GRANT).read_text(encoding="utf-8")
    text = text.replace("    name: 'ЗАМЕНИТЕ: название региона, например Алматинская область'",
                        "    name: 'Алматинская область'\n  - id: south\n    name: 'ЗАМЕНИТЕ: название'\n")
    (folder / GRANT).write_text(text, encoding="utf-8")
    lines = [str(p) for p in skeleton.grant_placeholders(folder)]
    assert "grant.yml:38: regions[1].name = ЗАМЕНИТЕ: название: a placeholder written by init: write the region's name" \
        in lines
    assert not any("regions[0]" in line for line in lines)


def _grant_filled_in(folder: Path, mark: str, value: str, date: str, amount: str) -> None:
    """A skeleton's grant.yml with its placeholders (`mark: …`) given `value`, its dates and amount."""
    text = re.sub(rf"'{mark}: [^']*'", value, (folder / GRANT).read_text(encoding="utf-8"))
    (folder / GRANT).write_text(text.replace(skeleton.PLACEHOLDER_DATE, date).replace("amount: 1 ", f"amount: {amount} "),
                                encoding="utf-8")


def _plan_row_and_narrative(folder: Path, example: str, plan_row: list) -> None:
    """One plan row, and the skeleton's example as the first period's narrative of 1.1."""
    plan = openpyxl.load_workbook(folder / "plan.xlsx")
    plan.active.append(plan_row)
    plan.save(folder / "plan.xlsx")
    (folder / example).rename(folder / "narratives" / skeleton.PERIODS[0] / "1.1.md")


def _filled_in_and_built(folder: Path, tmp_path: Path, mark: str, value: str, example: str, plan_row: list) -> str:
    """A skeleton filled in (`_grant_filled_in`, `_plan_row_and_narrative`) and built: the
    consolidated page's text."""
    _grant_filled_in(folder, mark, value, "2024-02-01", "900")
    _plan_row_and_narrative(folder, example, plan_row)
    outputs = tmp_path / "out"
    result = run_cli("run", "--inputs", str(folder), "--outputs", str(outputs), "--period", skeleton.PERIODS[0],
                     "--region", "all", "--format", "html", "--quiet")
    assert result.returncode == 0, result.stderr
    return " ".join((outputs / skeleton.PERIODS[0] / "all" / "report.html").read_text(encoding="utf-8").split())


@pytest.mark.slow
def test_a_skeleton_filled_in_builds_its_reports(folder, tmp_path):
    """init, then the grant's values, one plan row and the example copied as its narrative: a
    report is built, the narrative filled with the report's figures, period and region."""
    _contract_headers(folder)
    page = _filled_in_and_built(folder, tmp_path, "ЗАМЕНИТЕ", "'Южный регион'", EXAMPLE,
                                ["1", "Обучение", "1.1", "Тренинги", "июнь", "Число тренингов", 3, "тренинг", None])
    assert "За период с 1 февраля 2024 г. по 1 февраля 2024 г. (все регионы) проведено" in page
    assert "Как называть" not in page


# ---------------------------------------------------------------- init --language kk

KK_EXAMPLE = f"narratives/{skeleton.PERIODS[0]}/{skeleton.skeleton_kk.EXAMPLE}"


@pytest.fixture
def kazakh(tmp_path) -> Path:
    target = tmp_path / "kazakh-grant"
    skeleton.write_skeleton(target, "kk")
    return target


def test_a_kazakh_grant_yml_explains_every_key_in_kazakh_and_says_its_language(kazakh):
    text = (kazakh / GRANT).read_text(encoding="utf-8")
    grant = parse_grant(text)
    assert grant.language == "kk" and grant.period_ids() == list(skeleton.PERIODS)
    data, lines = read_yaml(text)
    written = {tuple(p for p in loc if isinstance(p, str)) for loc in lines}
    assert _model_keys(Grant) <= written, _model_keys(Grant) - written
    comments = " ".join(line.split("#", 1)[1] for line in text.splitlines() if "#" in line)
    assert re.search("[әғқңөұүһі]", comments) and skeleton.skeleton_kk.MARK in text
    assert not re.search(r"\b(Договор|Грантополучатель|Необязательно|Например)\b", comments)  # no Russian comment left
    assert [str(p).split(" = ")[0] for p in skeleton.grant_placeholders(kazakh)] == [
        line.split(" = ")[0] for line in GRANT_TODO_KK]


@pytest.mark.parametrize("table", list(TABLES))
def test_a_kazakh_skeletons_tables_have_kazakh_header_rows(kazakh, table):
    sheet = openpyxl.load_workbook(kazakh / f"{table}.xlsx").active
    header = [cell.value for cell in sheet[1]]
    assert header == [header_names(table, column.name)[1][0] for column in skeleton.columns_written(table, "kk")]
    assert sheet.max_row == 1 and all(re.search("баған", cell.comment.text) for cell in sheet[1])
    assert not any(name.endswith("_kk") for name in (c.name for c in skeleton.columns_written(table, "kk")))


def test_the_kazakh_example_narrative_renders_in_kazakh(kazakh):
    text = (kazakh / KK_EXAMPLE).read_text(encoding="utf-8")
    named = re.findall(r'\{\{ fig\("([a-z_.]+)"\) \}\}', text)
    assert named and narratives.check_text(text, KK_EXAMPLE, named) == []
    values = {"period": {"id": "interim", "title": "T", "start": "2022 жылғы 1 сәуір", "end": "2022 жылғы 15 маусым"},
              "region": {"id": "all", "name": "барлық өңірлер"}}
    rendered = " ".join(narratives.render_text(text, dict.fromkeys(named, 3), KK_EXAMPLE, values=values).split())
    assert rendered == ("Кезең: 2022 жылғы 1 сәуір – 2022 жылғы 15 маусым (барлық өңірлер). Өткізілген тренингтер — 3, "
                        "оларға қатысқан адамдар — 3; берілген консультациялар — 3.")


GRANT_TODO_KK = [
    "grant.yml:10: agreement.number = АУЫСТЫРЫҢЫЗ: шарттың нөмірі: a placeholder written by init: "
    "write the agreement's number",
    "grant.yml:11: agreement.date = 1900-01-01: a placeholder written by init: write the agreement's date",
    "grant.yml:12: agreement.annex = АУЫСТЫРЫҢЫЗ: қосымшаның нөмірі: a placeholder written by init: "
    "write the annex number",
    "grant.yml:16: grantee.name = АУЫСТЫРЫҢЫЗ: ұйымның толық атауы: a placeholder written by init: "
    "write the grantee's full name",
    "grant.yml:17: grantee.short_name = АУЫСТЫРЫҢЫЗ: қысқаша атауы: a placeholder written by init: "
    "write its short name (or delete the line)",
    "grant.yml:20: topic = АУЫСТЫРЫҢЫЗ: гранттың тақырыбы: a placeholder written by init: write the grant's topic",
    "grant.yml:23: amount = 1: a placeholder written by init: write the grant's amount",
    "grant.yml:29: signatory.name = АУЫСТЫРЫҢЫЗ: қол қоюшының аты-жөні: a placeholder written by init: "
    "write the signatory's name",
    "grant.yml:37: regions[0].name = АУЫСТЫРЫҢЫЗ: өңірдің атауы, мысалы Алматы облысы: "
    "a placeholder written by init: write the region's name",
    "grant.yml:48: periods[0].start = 1900-01-01: a placeholder written by init: write the period's first day",
    "grant.yml:49: periods[0].end = 1900-01-01: a placeholder written by init: write the period's last day",
    "grant.yml:52: periods[1].start = 1900-01-01: a placeholder written by init: write the period's first day",
    "grant.yml:53: periods[1].end = 1900-01-01: a placeholder written by init: write the period's last day",
]
TABLES_TODO_KK = [
    "plan.xlsx: no rows: the plan is required, one row per activity of the grant's plan (docs/inputs.md)",
    f"{KK_EXAMPLE}: the example narrative written by init: write one <activity_id>.md per activity of the plan "
    "as it shows, then delete it",
]


def test_init_kk_then_validate_is_the_same_to_do_list_until_the_folder_is_valid(cli, tmp_path):
    """As a user runs it: `init --language kk`, its Kazakh header rows read as they are; the
    placeholders, the empty plan and the example; filled in, a valid folder in Kazakh."""
    folder = tmp_path / "grant"
    made = cli("init", str(folder), "--language", "kk")
    assert made.returncode == 0 and "validate --inputs" in made.stderr
    result = cli("validate", "--inputs", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert app.validate(folder).lines() == GRANT_TODO_KK + TABLES_TODO_KK
    assert _in_order(GRANT_TODO_KK + TABLES_TODO_KK, result.stderr.splitlines())

    _grant_filled_in(folder, "АУЫСТЫРЫҢЫЗ", "'Толтырылды'", "2024-01-10", "5 000 000")
    assert app.validate(folder).lines() == TABLES_TODO_KK

    _plan_row_and_narrative(folder, KK_EXAMPLE, ["1", "Оқыту", "1.1", "Тренингтер", "маусым", "Тренингтер саны", 3,
                                                 "тренинг", None])
    checked = app.validate(folder)
    assert checked.ok and checked.inputs.grant.language == "kk", checked.lines()
    assert list(checked.inputs["plan"]["activity"]) == ["Тренингтер"]
    assert cli("validate", "--inputs", str(folder)).returncode == 0


@pytest.mark.slow
def test_a_kazakh_skeleton_filled_in_builds_its_report_in_kazakh(kazakh, tmp_path):
    page = _filled_in_and_built(kazakh, tmp_path, "АУЫСТЫРЫҢЫЗ", "'Оңтүстік өңір'", KK_EXAMPLE,
                                ["1", "Оқыту", "1.1", "Тренингтер", "маусым", "Тренингтер саны", 3, "тренинг", None])
    assert '<html lang="kk">' in page and "Аралық бағдарламалық есеп" in page
    assert "Кезең: 2024 жылғы 1 ақпан – 2024 жылғы 1 ақпан (барлық өңірлер). Өткізілген тренингтер —" in page
