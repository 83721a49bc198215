"""An installable tool: `pip install .` (not editable) or `pipx install .`, then `pipeline run`
from any folder builds the same report as the source tree. The wheel holds the code, the
templates and the section notebooks (package data); `--inputs`/`--outputs` default to the
current folder's ./inputs and ./outputs."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import DEMO_INPUTS, PROJECT

from pipeline import cli, paths
from pipeline.incremental import ledger

#: What the wheel is built from: everything else in the repository (tests, inputs, outputs,
#: docs) stays out of it.
WHEEL_SOURCES = ("pyproject.toml", "README.md", "pipeline", "notebooks")
BUILD = ("--period", "2022-interim", "--region", "almaty", "--format", "html", "--quiet")


def _pyproject() -> dict:
    return tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("command", [["run"], ["validate"], ["figures"]])
def test_inputs_default_to_the_current_folders_inputs(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = cli.parse_args(command)
    assert not args.inputs.is_absolute() and args.inputs.resolve() == tmp_path / "inputs"


@pytest.mark.parametrize("command", [["run"], ["verify"], ["explain", "x"], ["figures"]])
def test_outputs_default_to_the_current_folders_outputs(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = cli.parse_args(command)
    assert not args.outputs.is_absolute() and args.outputs.resolve() == tmp_path / "outputs"


def test_the_help_names_the_defaults_as_the_current_folders(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["run", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "(default: ./inputs, in the current folder)" in shown
    assert "(default: ./outputs, in the current folder)" in shown
    assert str(PROJECT) not in shown


def test_a_checkout_reads_the_top_level_notebooks():
    assert paths.NOTEBOOKS_DIR == PROJECT / "notebooks"
    assert [p.parent for p in paths.section_notebooks()] == [PROJECT / "notebooks"] * 7


def test_an_installed_package_reads_the_notebooks_it_ships(tmp_path):
    package = tmp_path / "site-packages" / "pipeline"
    (package / paths.SHIPPED_NOTEBOOKS).mkdir(parents=True)
    assert paths.notebooks_dir(package) == package / paths.SHIPPED_NOTEBOOKS
    (package / paths.SHIPPED_NOTEBOOKS).rmdir()
    assert paths.notebooks_dir(package) == tmp_path / "site-packages" / "notebooks"


def test_the_wheel_lists_every_package_and_ships_the_notebooks():
    """pyproject.toml lists the packages (the notebooks' mapping rules out `find`): a package
    added under pipeline/ and not listed would be missing from an installed tool."""
    config = _pyproject()["tool"]["setuptools"]
    found = {".".join(p.parent.relative_to(PROJECT).parts) for p in (PROJECT / "pipeline").rglob("__init__.py")
             if "__pycache__" not in p.parts}
    assert set(config["packages"]) == found | {"pipeline._notebooks"}
    assert config["package-dir"] == {f"pipeline.{paths.SHIPPED_NOTEBOOKS}": "notebooks"}
    assert config["package-data"]["pipeline._notebooks"] == ["*.ipynb"]
    assert config["package-data"]["pipeline"] == ["templates/**/*", "locale/**/*"]


def test_the_environment_key_is_the_code_not_the_shipped_notebooks(tmp_path, monkeypatch):
    """An installed wheel keeps the notebooks inside the package; they are keyed by their own
    content (as in a checkout), so the package's key is the same either way."""
    package = tmp_path / "pipeline"
    shutil.copytree(paths.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "PACKAGE_DIR", package)
    ledger.environment_key.cache_clear()
    try:
        checkout = ledger.environment_key()
        shutil.copytree(PROJECT / "notebooks", package / paths.SHIPPED_NOTEBOOKS)
        ledger.environment_key.cache_clear()
        assert ledger.environment_key() == checkout
        (package / "templates" / "html" / "header.html.j2").write_text("changed", encoding="utf-8")
        ledger.environment_key.cache_clear()
        assert ledger.environment_key() != checkout  # a template is code: it is in the key
    finally:
        ledger.environment_key.cache_clear()


def _without_pythonpath() -> dict[str, str]:
    """This process's environment without PYTHONPATH: the installed tool imports its own copy."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def _wheel(tmp_path: Path) -> Path:
    """A wheel built (PEP 517, setuptools in an isolated environment: `python -m build` when it
    is installed, else `pip wheel`) from a copy of the worktree's sources, so that no build/ or
    *.egg-info is left in it."""
    source = tmp_path / "source"
    source.mkdir()
    for name in WHEEL_SOURCES:
        if (PROJECT / name).is_dir():
            shutil.copytree(PROJECT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(PROJECT / name, source / name)
    dist = tmp_path / "dist"
    builder = ["-m", "build", "--wheel", "--outdir", str(dist)] if importlib.util.find_spec("build") else \
        ["-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist)]
    subprocess.run([sys.executable, *builder, str(source)],
                   check=True, capture_output=True, text=True, env=_without_pythonpath(), timeout=120)
    [wheel] = dist.glob("*.whl")
    return wheel


def _fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed, not editable. Its dependencies are
    this interpreter's: a .pth line names its site-packages (a path line only: the .pth files
    there, among them an editable install of `pipeline`, are not processed), and their data
    files (nbconvert's base templates, which a dependency installed in the venv would put in
    its share/jupyter) are this environment's share/jupyter."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    data = Path(sys.prefix) / "share" / "jupyter"
    if data.is_dir():
        (venv / "share").mkdir(exist_ok=True)
        (venv / "share" / "jupyter").symlink_to(data, target_is_directory=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    deps = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site / "dependencies.pth").write_text("".join(f"{path}\n" for path in deps), encoding="utf-8")
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "--quiet", str(wheel)],
                   check=True, capture_output=True, text=True, env=_without_pythonpath(), timeout=120)
    return venv


def _files(folder: Path) -> dict[str, bytes]:
    """Every file of an outputs folder but run.json (a build's timings), by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "run.json"}


@pytest.mark.slow
def test_an_installed_wheel_builds_the_report_the_source_tree_builds(tmp_path):
    wheel = _wheel(tmp_path)
    shipped = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(PROJECT).as_posix() for p in (PROJECT / "pipeline").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    expected |= {f"pipeline/{paths.SHIPPED_NOTEBOOKS}/{p.name}" for p in paths.section_notebooks()}
    assert expected <= shipped, sorted(expected - shipped)
    assert "pipeline/templates/nbconvert/report/report.css" in shipped
    assert {"pipeline/locale/kk/LC_MESSAGES/pipeline.mo", "pipeline/locale/ru/LC_MESSAGES/pipeline.mo"} <= shipped
    [entry_points] = [name for name in shipped if name.endswith(".dist-info/entry_points.txt")]
    declared = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "grant_pdf = pipeline.assembly.pdf:ReportPDFExporter" in declared
    assert "grant_docx = pipeline.assembly.word:ReportDocxExporter" in declared
    assert "pipeline = pipeline.cli:main" in declared

    venv = _fresh_venv(tmp_path, wheel)
    elsewhere = {name: tmp_path / name / "somewhere" for name in ("installed", "source")}
    for folder in elsewhere.values():
        folder.mkdir(parents=True)
    where = subprocess.run([venv / "bin" / "python", "-c",
                            "import pipeline, pipeline.paths as p; print(pipeline.__file__); print(p.NOTEBOOKS_DIR)"],
                           cwd=elsewhere["installed"], env=_without_pythonpath(), check=True, capture_output=True,
                           text=True).stdout.split("\n")
    assert Path(where[0]).is_relative_to(venv), where  # the installed copy, not the worktree's
    assert Path(where[1]) == Path(where[0]).parent / paths.SHIPPED_NOTEBOOKS, where

    outputs = {name: tmp_path / name / "out" for name in elsewhere}
    runs = {
        "installed": subprocess.Popen([venv / "bin" / "pipeline", "run", "--inputs", str(DEMO_INPUTS),
                                       "--outputs", str(outputs["installed"]), *BUILD],
                                      cwd=elsewhere["installed"], env=_without_pythonpath(),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        "source": subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--inputs", str(DEMO_INPUTS),
                                    "--outputs", str(outputs["source"]), *BUILD],
                                   cwd=elsewhere["source"], env={**_without_pythonpath(), "PYTHONPATH": str(PROJECT)},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
    }
    for name, process in runs.items():
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, (name, stderr)
    assert not list(elsewhere["installed"].iterdir()), "nothing is written in the folder the run started in"

    installed, source = _files(outputs["installed"]), _files(outputs["source"])
    report = "2022-interim/almaty/"
    assert {f"{report}figures.json", f"{report}report.html", f"{report}manifest.json"} <= set(source)
    assert sorted(installed) == sorted(source)
    assert [name for name in source if installed[name] != source[name]] == []
