"""Inputs treated as untrusted, outputs under stress (issue: hostile and broken inputs): an id
never becomes a path outside the outputs or inputs folder; a build reads only what was
validated; the swap, concurrent runs and unwritable folders leave good builds and one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
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
def test_an_id_that_would_escape_or_clash_is_refused_and_nothing_is_written(tmp_path, kind, bad):
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

    result = run_cli("run", "--inputs", str(inputs), "--outputs", str(outputs), "--quiet")
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


def test_outputs_inside_the_inputs_are_refused_before_any_work(demo_copy):
    for outputs in (demo_copy / "out", demo_copy.parent):
        result = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(outputs), "--quiet")
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines() == [
            f"{outputs}: the outputs folder may not be inside the inputs folder {demo_copy}, nor hold it "
            "(the reports would become inputs): choose another --outputs"]
    assert not (demo_copy / "out").exists()


def test_verify_on_a_truncated_manifest_is_one_line(tmp_path):
    folder = tmp_path / "out" / PERIOD / "zko"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text('{"period": "2022-int', encoding="utf-8")
    result = run_cli("verify", "--outputs", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
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
