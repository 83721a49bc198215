"""Inputs treated as untrusted, outputs under stress (issue: hostile and broken inputs): an id
never becomes a path outside the outputs or inputs folder; a build reads only what was
validated; the swap, concurrent runs and unwritable folders leave good builds and one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PROJECT, run_cli
from helpers_inputs import GRANT_YML, PLAN, make_inputs

from pipeline import paths
from pipeline.exceptions import PipelineError
from pipeline.incremental import grid
from pipeline.inputs.validation import validate


def _sentinel(tmp_path: Path) -> Path:
    """A folder outside both the inputs and the outputs, with a file in it that must survive."""
    sentinel = tmp_path / "sentinel"
    sentinel.mkdir()
    (sentinel / "keep.txt").write_text("precious", encoding="utf-8")
    return sentinel


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("kind, bad", [
    ("region", "{sentinel}"),            # an absolute path to an existing folder
    ("region", "../../sentinel"),
    ("region", "all"),                   # the consolidated report's id
    ("region", "north.east"),            # figure names split on dots
    ("region", "North"),                 # two reports in one folder on a case-insensitive disk
    ("period", "../sentinel"),
    ("period", "{sentinel}/p1"),
])
def test_an_id_that_would_escape_or_clash_is_refused_and_nothing_is_written(cli, tmp_path, kind, bad):
    sentinel = _sentinel(tmp_path)
    before = _snapshot(sentinel)
    value = bad.format(sentinel=sentinel)
    grant = GRANT_YML.replace("{id: north," if kind == "region" else "{id: p1,", f"{{id: '{value}',")
    inputs = make_inputs(tmp_path / "inputs", grant)
    outputs = tmp_path / "outputs"

    report = validate(inputs)
    assert [str(p) for p in report.problems] and len(report.problems) == 1
    line = str(report.problems[0])
    row = grant[:grant.index(value)].count("\n") + 1  # the id's line in grant.yml
    assert line.startswith(f"grant.yml:{row}: {kind}s[0].id = {value}: expected ")

    result = cli("run", "--inputs", str(inputs), "--outputs", str(outputs), "--quiet")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [line]
    assert "Traceback" not in result.stderr
    assert not outputs.exists()
    assert _snapshot(sentinel) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs", "sentinel"]


@pytest.mark.parametrize("table, rows, expected", [
    ("plan", [PLAN[0], PLAN[1][:2] + ["../../x"] + PLAN[1][3:]],
     "plan.csv:2: activity_id = ../../x: expected an id of Latin letters and digits"),
    ("plan", [PLAN[0], PLAN[1][:2] + ["1..1"] + PLAN[1][3:]],
     "plan.csv:2: activity_id = 1..1: expected an id of Latin letters and digits"),
    ("metrics", [["date", "name", "value", "region", "source"], ["2023-02-01", "a.b", "1", "", "отчет"]],
     "metrics.csv:2: name = a.b: expected a name of Latin letters, digits, - and _"),
])
def test_ids_that_become_figure_names_or_file_names_have_one_shape(tmp_path, table, rows, expected):
    inputs = make_inputs(tmp_path / "inputs", **{table: rows})
    lines = [str(p) for p in validate(inputs).problems]
    assert len(lines) == 1 and lines[0].startswith(expected), lines


def test_a_topic_id_with_a_dot_is_refused(tmp_path):
    events = [["event_id", "activity_id", "type", "title", "topic_id", "region", "start_date", "format"],
              ["E1", "1.1", "training", "Тренинг", "civic.law", "north", "2023-02-01", "offline"]]
    inputs = make_inputs(tmp_path / "inputs", events=events)
    lines = [str(p) for p in validate(inputs).problems]
    assert lines == ["events.csv:2: topic_id = civic.law: expected a name of Latin letters, digits, - and _ "
                     "(e.g. civic, media_plans; at most 64 characters)"]


@pytest.mark.parametrize("segments", [("..", "x"), ("a/../../b",), ("/etc",), ("",), (".",), ("a\\b",)])
def test_the_second_wall_refuses_any_segment_that_is_not_a_plain_name(tmp_path, segments):
    with pytest.raises(PipelineError, match="refused"):
        paths.inside(tmp_path, *segments)


def test_the_second_wall_refuses_a_link_that_leads_outside(tmp_path):
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    (outputs / "p1").symlink_to(_sentinel(tmp_path))
    with pytest.raises(PipelineError, match="leads outside"):
        paths.report_dir(outputs, "p1", "north")
    assert paths.report_dir(outputs, "p2", "north") == outputs / "p2" / "north"


def test_a_narrative_is_never_read_from_outside_the_inputs(tmp_path):
    from pipeline.notebook import narratives

    with pytest.raises(PipelineError, match="refused"):
        narratives.narrative_path(tmp_path, "..", "secret")
    assert narratives.narrative_path(tmp_path, "p1", "1.1") == tmp_path / "narratives" / "p1" / "1.1.md"


def test_the_demo_and_other_grant_ids_fit_their_shapes():
    from conftest import DEMO_INPUTS, OTHER_GRANT

    for root in (DEMO_INPUTS, OTHER_GRANT / "inputs"):
        checked = validate(root)
        assert checked.ok, checked.lines()


# ---------------------------------------------------------------- the outputs folder under stress

PERIOD = "2022-interim"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _leftovers(outputs: Path) -> list[str]:
    return sorted(p.relative_to(outputs).as_posix() for p in outputs.glob("*/.*"))


def _run(inputs: Path, outputs: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_cli("run", "--inputs", str(inputs), "--outputs", str(outputs), "--period", PERIOD,
                   "--format", "html", "--quiet", *extra)


def test_a_build_moved_aside_by_a_killed_swap_is_put_back(tmp_path):
    """`kill -9` between the swap's two renames leaves the last good build only as
    `.<region>.old-<pid>`: the next run puts it back instead of deleting it."""
    outputs = tmp_path / "out"
    aside = grid.swapped_out(outputs / PERIOD / "zko", _dead_pid())
    aside.mkdir(parents=True)
    (aside / "report.html").write_text("the last good build", encoding="utf-8")
    assert grid.clean_stale(outputs) == []
    assert (outputs / PERIOD / "zko" / "report.html").read_text(encoding="utf-8") == "the last good build"
    assert _leftovers(outputs) == []


def test_a_build_moved_aside_is_dropped_once_its_successor_is_in(tmp_path):
    outputs = tmp_path / "out"
    (outputs / PERIOD / "zko").mkdir(parents=True)
    (outputs / PERIOD / "zko" / "report.html").write_text("new", encoding="utf-8")
    grid.swapped_out(outputs / PERIOD / "zko", _dead_pid()).mkdir()
    assert len(grid.clean_stale(outputs)) == 1
    assert (outputs / PERIOD / "zko" / "report.html").read_text(encoding="utf-8") == "new"
    assert _leftovers(outputs) == []


def test_outputs_inside_the_inputs_are_refused_before_any_work(cli, demo_copy):
    for outputs in (demo_copy / "out", demo_copy.parent):
        result = cli("run", "--inputs", str(demo_copy), "--outputs", str(outputs), "--quiet")
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines() == [
            f"{outputs}: the outputs folder may not be inside the inputs folder {demo_copy}, nor hold it "
            "(the reports would become inputs): choose another --outputs"]
    assert not (demo_copy / "out").exists()


def test_verify_on_a_truncated_manifest_is_one_line(cli, tmp_path):
    folder = tmp_path / "out" / PERIOD / "zko"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text('{"period": "2022-int', encoding="utf-8")
    result = cli("verify", "--outputs", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"{folder / 'manifest.json'}: cannot be read as a build's record (JSONDecodeError")


@pytest.mark.slow
def test_a_report_folder_that_cannot_be_written_fails_that_report_in_one_line(demo_copy, tmp_path):
    outputs = tmp_path / "out"
    outputs.mkdir()
    (outputs / PERIOD).write_text("a file where the period's folder goes", encoding="utf-8")
    result = _run(demo_copy, outputs, "--region", "zko")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    [line] = [x for x in result.stderr.splitlines() if x.strip()]
    assert line.startswith(f"FAILED {PERIOD}/zko: NotADirectoryError: ") and "nothing kept of the failed build" in line


@pytest.mark.slow
def test_an_index_that_cannot_be_written_is_one_line(demo_copy, tmp_path):
    outputs = tmp_path / "out"
    (outputs / "index.html").mkdir(parents=True)
    result = _run(demo_copy, outputs, "--region", "zko")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("Is a directory")
    assert (outputs / PERIOD / "zko" / "report.html").is_file(), "the built report is kept"


@pytest.mark.slow
def test_a_file_saved_during_the_build_fails_the_report_and_keeps_the_previous_one(demo_copy, tmp_path, monkeypatch):
    """The kernel is handed the validated inputs and never reads the folder again: a file that
    changes after validation fails the report with a line naming it; the previous build stays."""
    from pipeline import cli
    from pipeline.inputs import sharing

    outputs = tmp_path / "out"
    assert _run(demo_copy, outputs, "--region", "zko").returncode == 0
    before = (outputs / PERIOD / "zko" / "figures.json").read_bytes()
    media = demo_copy / "media.csv"
    real = sharing.publish

    def publish_then_save(inputs, path=None):
        published = real(inputs, path)
        media.write_text(media.read_text(encoding="utf-8").replace(",327,", ",328,", 1), encoding="utf-8")
        return published

    monkeypatch.setattr(sharing, "publish", publish_then_save)
    code = cli.main(["run", "--inputs", str(demo_copy), "--outputs", str(outputs), "--period", PERIOD,
                     "--region", "zko", "--format", "html", "--force", "--quiet"])
    assert code == 1
    assert (outputs / PERIOD / "zko" / "figures.json").read_bytes() == before
    error = (outputs / PERIOD / "zko.failed" / "error.txt").read_text(encoding="utf-8")
    assert "media.csv" in error and "a file that does not change during the run" in error


@pytest.mark.slow
def test_two_concurrent_runs_end_with_complete_reports_and_a_true_index(demo_copy, tmp_path):
    outputs = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline", "run", "--inputs", str(demo_copy), "--outputs", str(outputs),
               "--period", PERIOD, "--region", "zko", "--format", "html", "--force", "--quiet"]
    runs = [subprocess.Popen(command, cwd=PROJECT, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [run.communicate(timeout=600)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert any("another run is writing this outputs folder; waiting" in e for e in errors), errors
    assert _leftovers(outputs) == []
    assert json.loads((outputs / PERIOD / "zko" / "manifest.json").read_text(encoding="utf-8"))["region"] == "zko"
    index = (outputs / "index.html").read_text(encoding="utf-8")
    assert "ошибка сборки" not in index
    assert f"{PERIOD}/zko/report.html" in index


@pytest.mark.slow
def test_the_reviewers_pages_load_no_script_from_outside(demo_build):
    """The executed notebooks' HTML opens offline and fetches nothing from a third party."""
    import re

    pages = sorted(demo_build[0].glob("*/*/notebooks/*.html")) + sorted(demo_build[0].glob("*/*/report.html"))
    assert len(pages) > 16
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]*\bsrc=", html, re.I), page
        assert not re.search(r"""<link[^>]*href=["']?https?:""", html, re.I), page
        assert "cdnjs" not in html and "cdn.jsdelivr" not in html and "unpkg.com" not in html, page


# ---------------------------------------------------------------- links

@pytest.mark.parametrize("url, live", [
    ("https://t.me/msugamo", True), ("http://example.org/a?b=1", True), ("mailto:info@example.org", True),
    ("HTTPS://EXAMPLE.ORG", True),
    ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False), (" java\tscript:alert(1)", False),
    ("data:text/html;base64,PHNjcmlwdD4=", False), ("DATA:text/html,x", False), ("vbscript:x", False),
    ("file:///etc/passwd", False), ("www.example.org", False), ("//evil.example/x", False), ("", False),
])
def test_one_allow_list_of_link_schemes(url, live):
    from pipeline.notebook.links import safe_href

    assert (safe_href(url) is not None) is live


def test_a_narrative_link_outside_the_allow_list_is_text_and_markers_are_not_figures():
    from pipeline.notebook import narratives

    html = narratives.to_html(narratives.render_text(
        "[жми](javascript:alert(1)) и [сайт](https://example.org) ![x](https://tracker.example/p.png)", {}, "t.md"))
    assert 'href="javascript' not in html.lower() and "жми" in html
    assert '<a href="https://example.org">сайт</a>' in html
    assert "<img" not in html
    forged = "\ue000consultations.count\ue001999\ue002"
    linked = narratives.link_figures(narratives.to_html(narratives.render_text(forged, {"consultations.count": 5}, "t.md")))
    assert "gr-figure" not in linked and "999" in linked


@pytest.mark.slow
def test_no_output_links_to_a_scheme_outside_the_allow_list(demo_copy, tmp_path):
    import re

    media = demo_copy / "media.csv"
    text = media.read_text(encoding="utf-8")
    text = text.replace("https://www.instagram.com/p/CdxwOlrJJaX/?utm_source=ig_web_copy_link", "JaVaScript:alert(1)")
    text = text.replace("https://www.instagram.com/p/CdxwgyZNgzR/?utm_source=ig_web_copy_link",
                        '"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="')
    media.write_text(text, encoding="utf-8")
    narrative = demo_copy / "narratives" / PERIOD / "4.2.md"
    narrative.write_text(narrative.read_text(encoding="utf-8") + "\n\n[подробнее](javascript:alert(2))\n",
                         encoding="utf-8")
    outputs = tmp_path / "out"
    result = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(outputs), "--period", PERIOD,
                     "--region", "zko", "--quiet")
    assert result.returncode == 0, result.stderr
    folder = outputs / PERIOD / "zko"
    for page in [folder / "report.html", *sorted((folder / "notebooks").glob("*.html"))]:
        html = page.read_text(encoding="utf-8")
        hrefs = re.findall(r"""href\s*=\s*["']?([^"'\s>]+)""", html, re.I)
        schemes = {m.group(1).lower() for h in hrefs if (m := re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", h))}
        assert schemes <= {"http", "https", "mailto"}, (page, schemes)
    assert "JaVaScript:alert(1)" in (folder / "report.html").read_text(encoding="utf-8"), "shown as text"
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo is not installed (Debian package poppler-utils)")
    listed = subprocess.run(["pdfinfo", "-url", str(folder / "report.pdf")], capture_output=True, text=True,
                            check=True).stdout.splitlines()[1:]
    uris = [line.split()[-1] for line in listed if line.strip()]
    assert uris and all(u.startswith(("http://", "https://", "mailto:")) for u in uris), uris


# ---------------------------------------------------------------- bounded work on any table file

def _two_gigabytes() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))


def _validate_in_little_memory(inputs: Path) -> tuple[subprocess.CompletedProcess, float]:
    """`python -m pipeline validate` under a 2 GB address-space limit, and how long it took."""
    import time

    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pipeline", "validate", "--inputs", str(inputs)], cwd=PROJECT,
                            capture_output=True, text=True, timeout=120, preexec_fn=_two_gigabytes)
    return result, time.perf_counter() - start


def _patch_sheet(path: Path, change) -> None:
    """Rewrite the first sheet's XML inside an .xlsx (what a hand-made or hostile file holds)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = change(parts[sheet].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _declare_the_whole_sheet(xml: str) -> str:
    import re

    return re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml)


def _row(number: int, cells: str = "") -> Callable[[str], str]:
    """A change to a sheet's XML: one more row at `number` holding `cells` (XML)."""
    return lambda xml: xml.replace("</sheetData>", f'<row r="{number}">{cells}</row></sheetData>')


@pytest.fixture
def other_copy(tmp_path) -> Path:
    """A private copy of the other grant's inputs (with .xlsx parts), and what validate says of it."""
    from conftest import OTHER_GRANT

    target = tmp_path / "inputs"
    shutil.copytree(OTHER_GRANT / "inputs", target)
    return target


@pytest.mark.slow  # validate in a process of its own, under a 2 GB limit
def test_a_sheet_declaring_the_whole_grid_is_read_by_its_real_cells(other_copy):
    """A 5 KB workbook declaring `A1:XFD1048576`, with an (empty) cell stored on row 20 000:
    openpyxl padded each of those rows to 16 384 cells (a MemoryError under 2 GB). Read by the
    cells it holds, it is the same table as before."""
    import openpyxl

    clean, _ = _validate_in_little_memory(other_copy)
    kar = other_copy / "participants" / "kar.xlsx"
    _patch_sheet(kar, _declare_the_whole_sheet)
    _patch_sheet(kar, _row(20_000, '<c r="A20000" t="inlineStr"><is><t></t></is></c>'))
    assert kar.stat().st_size < 6000
    workbook = openpyxl.load_workbook(kar, read_only=True)
    assert workbook.worksheets[0].calculate_dimension() == "A1:XFD1048576"
    workbook.close()

    result, elapsed = _validate_in_little_memory(other_copy)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert (result.returncode, result.stdout, result.stderr) == (0, clean.stdout, clean.stderr)
    assert elapsed < 20, elapsed  # about 2 s: Python's start and pandas' import


@pytest.mark.slow  # validate in a process of its own, under a 2 GB limit
@pytest.mark.parametrize("row", [
    '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>',  # rows × columns
    f'<row r="30">{"<c/>" * 1_000_001}</row>',  # a million cells stored in one row
])
def test_a_sheet_beyond_a_million_cells_is_one_line(other_copy, row):
    kar = other_copy / "participants" / "kar.xlsx"
    _patch_sheet(kar, _declare_the_whole_sheet)
    _patch_sheet(kar, lambda xml: xml.replace("</sheetData>", row + "</sheetData>"))
    assert kar.stat().st_size < 20_000

    result, elapsed = _validate_in_little_memory(other_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("participants/kar.xlsx:") and line.endswith(
        ": more than 1 000 000 cells (rows × columns): a table file may hold at most 1 000 000 "
        "(split it into parts in a folder named after the table)")
    assert elapsed < 20, elapsed


def test_a_header_of_more_than_200_columns_is_one_line(tmp_path):
    inputs = make_inputs(tmp_path / "inputs", plan=[PLAN[0] + [f"extra{i}" for i in range(192)], PLAN[1]])
    assert [str(p) for p in validate(inputs).problems] == [
        "plan.csv:1: 201 columns in the header line: a table file may have at most 200"]
    from helpers_inputs import write_xlsx

    (inputs / "plan.csv").unlink()
    write_xlsx(inputs / "plan.xlsx", [PLAN[0] + [None] * 300 + ["far"], PLAN[1]])
    assert [str(p) for p in validate(inputs).problems] == [
        "plan.xlsx:1: 310 columns in the header line: a table file may have at most 200"]


def test_a_csv_of_more_than_a_million_cells_is_one_line(tmp_path):
    inputs = make_inputs(tmp_path / "inputs")
    (inputs / "metrics.csv").write_bytes(b"date,name,value,region,source\r\n" + b",,,,\r\n" * 200_001)
    assert [str(p) for p in validate(inputs).problems] == [
        "metrics.csv:200001: more than 1 000 000 cells (rows × columns): a table file may hold at most 1 000 000 "
        "(split it into parts in a folder named after the table)"]


@pytest.mark.parametrize("body, row", [
    ('2023-02-01,a,1,,"' + "x" * 40_000 + '"\r\n', 2),          # one long field
    ('2023-02-01,a,1,,"отчет\r\n2023-02-02,b,2,,отчет\r\n' + "y" * 40_000, 2),  # a quote left open
])
def test_a_csv_field_beyond_excels_limit_is_one_line(tmp_path, body, row):
    inputs = make_inputs(tmp_path / "inputs")
    (inputs / "metrics.csv").write_text("date,name,value,region,source\r\n" + body, encoding="utf-8")
    assert [str(p) for p in validate(inputs).problems] == [
        f"metrics.csv:{row}: a field of more than 32 767 characters, Excel's limit for a cell "
        "(a quote left open runs on to the end of the file)"]


def test_a_file_beyond_50_mb_is_one_line(tmp_path, monkeypatch):
    from helpers_inputs import write_xlsx

    from pipeline.inputs import tablefiles

    assert tablefiles.MAX_FILE_BYTES == 50 * 2 ** 20
    inputs = make_inputs(tmp_path / "inputs")
    with (inputs / "metrics.csv").open("wb") as file:
        file.write(b"date,name,value,region,source\r\n")
        file.truncate(51 * 2 ** 20)  # sparse: no 51 MB written
    assert [str(p) for p in validate(inputs).problems] == [
        "metrics.csv: a file of 51.0 MB: a table file may be at most 50 MB "
        "(split it into parts in a folder named after the table)"]
    (inputs / "metrics.csv").unlink()
    monkeypatch.setattr(tablefiles, "MAX_FILE_BYTES", 2 ** 20)  # the same rule on an .xlsx, unpacked
    write_xlsx(inputs / "metrics.xlsx", [["date", "name", "value", "region", "source"],
                                         *[["2023-02-01", "a", 1, "", "x" * 1000]] * 2000])
    [line] = [str(p) for p in validate(inputs).problems]
    assert line.startswith("metrics.xlsx: a workbook unpacking to ") and line.endswith(
        " MB: a table file may be at most 1 MB (split it into parts in a folder named after the table)")


# ---------------------------------------------------------------- what validate passed and run crashed on

@pytest.mark.parametrize("value", ["Infinity", "inf", "-inf", "NaN", "1e400"])
def test_a_number_that_is_not_finite_is_refused(tmp_path, value):
    inputs = make_inputs(tmp_path / "inputs", expenses=[["date", "activity_id", "amount"], ["2023-02-01", "1.1", value]],
                         media=[["date", "platform", "account", "owner", "title", "reach"],
                                ["2023-02-01", "FB", "@a", "own", "Пост", value]])
    assert [str(p) for p in validate(inputs).problems] == [
        f"expenses.csv:2: amount = {value}: expected a number",
        f"media.csv:2: reach = {value}: expected a whole number ≥ 0"]


@pytest.mark.parametrize("value", ["2023-02-01garbage", "2023-02-01 garbage", "2023-02-01T25:00", "01.02.2023x",
                                   "2023-02-01Z"])
def test_a_date_followed_by_anything_but_a_time_of_day_is_refused(tmp_path, value):
    inputs = make_inputs(tmp_path / "inputs", expenses=[["date", "activity_id", "amount"], [value, "1.1", "5"]])
    assert [str(p) for p in validate(inputs).problems] == [
        f"expenses.csv:2: date = {value}: expected a date like 2022-05-23 or 23.05.2022"]


def test_a_utf16_csv_is_read_by_its_byte_order_mark(tmp_path):
    """Excel's «Unicode text» export: UTF-16 with its mark, tab-separated."""
    from helpers_inputs import csv_text

    rows = [["date", "activity_id", "amount", "description"], ["23.05.2023", "1.1", "12 500,50", "Аренда зала"]]
    inputs = make_inputs(tmp_path / "inputs")
    for encoding in ("utf-16-le", "utf-16-be"):
        bom = "\ufeff".encode(encoding)
        (inputs / "expenses.csv").write_bytes(bom + csv_text(rows, sep="\t").encode(encoding))
        checked = validate(inputs)
        assert checked.ok, checked.lines()
        expenses = checked.inputs["expenses"]
        assert expenses[["amount", "description"]].values.tolist() == [[12500.5, "Аренда зала"]]
    (inputs / "expenses.csv").write_bytes(csv_text(rows, sep="\t").encode("utf-16-le"))  # no mark
    assert validate(inputs).lines() == [
        "expenses.csv: cannot be read as text in UTF-8 or cp1251: it holds NUL characters "
        "(UTF-16 without a byte-order mark, or not a CSV file: save it as «CSV UTF-8»)"]
    (inputs / "expenses.csv").write_bytes(b"\xff\xfe" + b"d\x00\x00\xd8")  # a broken surrogate pair
    assert validate(inputs).lines() == [
        "expenses.csv: cannot be read as text in UTF-16-LE (its byte-order mark) (save it as «CSV UTF-8»)"]


# ---------------------------------------------------------------- narratives, checked by validate

def _lines_and_warnings(inputs: Path) -> tuple[list[str], list[str]]:
    from pipeline import app

    checked = app.validate(inputs)
    return checked.lines(), [str(w) for w in checked.warnings]


def test_the_demo_and_other_grant_narratives_pass_with_the_same_warnings():
    from conftest import DEMO_INPUTS, OTHER_GRANT

    said = {root: _lines_and_warnings(root) for root in (DEMO_INPUTS, OTHER_GRANT / "inputs")}
    for root, lines_and_warnings in said.items():
        assert lines_and_warnings == ([], [str(w) for w in validate(root).warnings])
    assert len(said[DEMO_INPUTS][1]) == 2


def test_every_narrative_problem_is_one_line_with_its_file_and_line(cli, demo_copy, tmp_path):
    """What `run` met inside a notebook (a UnicodeDecodeError without the file's name, a
    template error, an unknown figure) is refused by `validate`, and so by `run` before it builds."""
    folder = demo_copy / "narratives" / PERIOD
    (folder / "1.1.md").write_bytes((folder / "1.1.md").read_text(encoding="utf-8").encode("cp1251"))
    text = (folder / "2.1.md").read_text(encoding="utf-8")
    (folder / "2.1.md").write_text(text + '\n\nИтого {{ fig("consultations.cuont") }}.\n', encoding="utf-8")
    (folder / "3.1.md").write_text("Первая.\n{% if %}\n", encoding="utf-8")
    unknown = text.count("\n") + 3
    expected = [
        f"narratives/{PERIOD}/1.1.md: expected UTF-8 text (save it as UTF-8)",
        f"narratives/{PERIOD}/2.1.md:{unknown}: placeholder names an unknown figure «consultations.cuont» "
        "(did you mean «consultations.count»?)",
        f"narratives/{PERIOD}/3.1.md:2: narrative template error: Expected an expression, got 'end of statement block'",
    ]
    assert _lines_and_warnings(demo_copy) == (expected, [])

    outputs = tmp_path / "out"
    result = cli("run", "--inputs", str(demo_copy), "--outputs", str(outputs), "--quiet")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == expected
    assert not outputs.exists()
    result = cli("validate", "--inputs", str(demo_copy))
    assert (result.returncode, result.stderr.splitlines()) == (1, expected)


def test_a_narrative_no_report_reads_is_a_warning(cli, demo_copy):
    folder = demo_copy / "narratives"
    (folder / PERIOD / "9.9.md").write_text("Не та активность.", encoding="utf-8")
    (folder / PERIOD / "1.1.txt").write_text("Не то расширение.", encoding="utf-8")
    (folder / "2021").mkdir()
    (folder / "2021" / "1.1.md").write_text("Не тот период.", encoding="utf-8")
    (folder / "1.1.md").write_text("Не в папке периода.", encoding="utf-8")
    (folder / PERIOD / ".1.1.md.swp").write_bytes(b"\x00")  # an editor's file: not a narrative, not told
    lines, warnings = _lines_and_warnings(demo_copy)
    assert lines == []
    assert warnings[2:] == [
        "narratives/1.1.md: not used by any report (a narrative is narratives/<period>/<activity_id>.md or "
        "success_story.md, or for one region's report narratives/<period>/<region>/<activity_id>.md)",
        "narratives/2021/1.1.md: not used by any report («2021» is not a period of grant.yml)",
        f"narratives/{PERIOD}/1.1.txt: not used by any report (a narrative is a .md file)",
        f"narratives/{PERIOD}/9.9.md: not used by any report («9.9» is neither an activity_id of the plan nor "
        "success_story)",
    ]
    result = cli("validate", "--inputs", str(demo_copy))
    assert result.returncode == 0
    assert result.stderr.splitlines()[2:] == [f"warning: {w}" for w in warnings[2:]]


def test_a_narrative_that_is_a_link_out_of_the_inputs_is_refused_unread(demo_copy, tmp_path):
    secret = _sentinel(tmp_path) / "keep.txt"
    narrative = demo_copy / "narratives" / PERIOD / "1.1.md"
    narrative.unlink()
    narrative.symlink_to(secret)
    assert _lines_and_warnings(demo_copy) == (
        [f"narratives/{PERIOD}/1.1.md: a link leading out of the narratives folder: refused"], [])
