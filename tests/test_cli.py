"""The command line: one clear line and exit 1 for every user error, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import DEMO_INPUTS, PROJECT, kernel_pids, new_tag, run_cli


def _one_line_error(result) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.slow  # a process of its own: Python's start, the imports
def test_the_command_in_its_own_process_exits_0_or_1_with_one_line(tmp_path):
    """The process boundary itself (the other tests call `cli.main` in-process): `python -m
    pipeline` exits with the status `main` returns and prints a user error as one line."""
    result = run_cli("validate", "--inputs", str(DEMO_INPUTS))
    assert result.returncode == 0, result.stderr
    line = _one_line_error(run_cli("run", "--period", "1999", "--outputs", str(tmp_path), "--quiet"))
    assert "period «1999» is not declared" in line and "2022-interim" in line


def test_validate_accepts_the_demo_inputs(cli):
    result = cli("validate", "--inputs", str(DEMO_INPUTS))
    assert result.returncode == 0, result.stderr


def test_unknown_period_is_one_line(cli, tmp_path):
    line = _one_line_error(cli("run", "--period", "1999", "--outputs", str(tmp_path), "--quiet"))
    assert "period «1999» is not declared" in line and "2022-interim" in line


def test_unknown_format_is_one_line(cli, tmp_path):
    line = _one_line_error(cli("run", "--format", "html,odt", "--outputs", str(tmp_path), "--quiet"))
    assert "odt" in line and "html, pdf, docx" in line  # the known formats are named


def test_an_outputs_folder_that_cannot_be_made_is_one_line(cli, tmp_path):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    line = _one_line_error(cli("run", "--period", "2022-interim", "--region", "zko",
                                   "--outputs", str(tmp_path / "file" / "out"), "--quiet"))
    assert line == f"{tmp_path / 'file' / 'out'}: the outputs folder cannot be made here ({tmp_path / 'file'} is not a folder)"


def test_a_bad_cell_names_file_row_column_value_and_expectation(cli, demo_copy, tmp_path):
    path = demo_copy / "training_surveys.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[6].split(",")
    cells[header.index("knowledge_before")] = "7"
    lines[6] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = _one_line_error(cli("run", "--inputs", str(demo_copy), "--outputs", str(tmp_path / "out"), "--quiet"))
    assert line == "training_surveys.csv:7: knowledge_before = 7: expected a score 1–5"
    assert not (tmp_path / "out").exists(), "nothing is built from invalid inputs"


@pytest.mark.slow
def test_a_run_of_one_report_with_bad_inputs_leaves_no_kernel(demo_copy, tmp_path):
    """A run of one report starts its kernel while the inputs are validated (executors.early.EarlyKernel):
    when they turn out invalid, that kernel is shut down with the one-line error."""
    (demo_copy / "media.csv").write_text(
        (demo_copy / "media.csv").read_text(encoding="utf-8").replace(",327,", ",-5,", 1), encoding="utf-8")
    tag = new_tag()
    line = _one_line_error(run_cli("run", "--inputs", str(demo_copy), "--outputs", str(tmp_path / "out"),
                                   "--period", "2022-interim", "--region", "mangystau", "--quiet", tag=tag))
    assert line == "media.csv:2: reach = -5: expected a whole number ≥ 0"
    assert not kernel_pids(tag), "the early kernel is gone with the run"
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_one_report_is_built_in_the_kernel_started_early(demo_copy, tmp_path, monkeypatch):
    """In process, to see it: the kernel started before validation is the one the notebooks
    ran in (its preloaded modules made the build), and it is shut down after the build."""
    from pipeline import cli
    from pipeline.assembly import kernels

    started = []
    real = kernels.ReportKernel.__init__

    def record(self, env=None, preload="", **kwargs):
        started.append((self, preload))
        real(self, env, preload, **kwargs)

    monkeypatch.setattr(kernels.ReportKernel, "__init__", record)
    code = cli.main(["run", "--inputs", str(demo_copy), "--outputs", str(tmp_path / "out"),
                     "--period", "2022-interim", "--region", "atyrau", "--format", "html", "--quiet"])
    assert code == 0
    assert len(started) == 1, "one kernel: the early one"
    kernel, preload = started[0]
    assert "from pipeline.notebook import" in preload
    assert kernel._down, "shut down after the build"
    assert (tmp_path / "out" / "2022-interim" / "atyrau" / "report.html").is_file()


@pytest.mark.slow
def test_a_failing_section_keeps_the_previous_build_and_the_others(demo_copy, tmp_path):
    out = tmp_path / "out"
    first = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(out), "--period", "2022-interim",
                    "--region", "turkestan", "--quiet")
    assert first.returncode == 0, first.stderr
    before = (out / "2022-interim" / "turkestan" / "report.html").read_bytes()
    narrative = demo_copy / "narratives" / "2022-interim" / "1.1.md"
    # A name computed in the template, in a branch only a regional report takes: `validate`
    # (which renders each narrative with the period's consolidated figures) cannot see it, so
    # the build fails when the report's narratives are filled (one marked true of every region).
    narrative.write_text("---\nregions: all\n---\n" + narrative.read_text(encoding="utf-8") +
                         '\n{% if region.id != "all" %}{{ fig("no.such" ~ ".figure") }}{% endif %}\n', encoding="utf-8")
    second = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(out), "--period", "2022-interim",
                     "--region", "turkestan", "almaty", "--quiet")
    assert second.returncode == 1
    assert "Traceback" not in second.stderr
    failures = [line for line in second.stderr.splitlines() if line.startswith("FAILED")]
    assert len(failures) == 2, second.stderr
    turkestan = next(line for line in failures if line.startswith("FAILED 2022-interim/turkestan: "))
    assert "no.such.figure" in turkestan and "narratives/2022-interim/1.1.md" in turkestan
    assert (out / "2022-interim" / "turkestan" / "report.html").read_bytes() == before
    assert (out / "2022-interim" / "turkestan.failed" / "notebooks" / "10_activities.ipynb").is_file()
    assert json.loads((out / "2022-interim" / "turkestan" / "figures.json").read_text(encoding="utf-8"))


def test_the_cli_imports_no_notebook_machinery_until_a_report_is_built():
    """A rerun with nothing to rebuild does not pay papermill's, nbconvert's and the Jupyter
    client's imports (about 2 s): only `_build` imports them; nor pandas' and pandera's,
    imported only when the inputs are read."""
    heavy = ("papermill", "nbconvert", "nbclient", "jupyter_client", "weasyprint", "pipeline.assembly.builder",
             "pandas", "pandera", "pipeline.inputs.loading")
    code = f"import sys, pipeline.cli; print([m for m in {heavy!r} if m in sys.modules])"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT)
    assert shown.stdout.strip() == "[]"
