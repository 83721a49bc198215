"""The walls of issue 21: outputs name no folder of the machine (two builds in two folders are
the same bytes); hashing the inputs folder is bounded and never leaves it; `verify` reads only
inside its folders; text from the inputs is never printed or kept with raw control characters."""

from __future__ import annotations

import builtins
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DEMO_INPUTS, PROJECT, run_cli
from helpers_builds import write_build

from pipeline import app, disk
from pipeline.exceptions import InputError, PipelineError, printable
from pipeline.inputs import folder
from pipeline.inputs.datawarning import DataWarning
from pipeline.inputs.validation import validate
from pipeline.notebook import context

EIGHT_GB = 8 * 2 ** 30
#: A terminal's sequences for «retitle the window» and «clear the screen», in an event id.
HOSTILE_ID = "E099\x1b]0;pwned\x07\x1b[2J"
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _sparse(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk (a hole)."""
    path.touch()
    os.truncate(path, size)
    return path


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """Every path opened through `open` (pathlib's too) while the test runs (`.clear()` it once
    the test's files are made)."""
    paths: list[str] = []
    real = io.open

    def spy(file, *args, **kwargs):
        paths.append(os.fspath(file) if isinstance(file, (str, os.PathLike)) else repr(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(io, "open", spy)
    return paths


def _outside(tmp_path: Path) -> Path:
    """A folder beside the inputs, with a secret and a table of its own."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("precious", encoding="utf-8")
    shutil.copy(DEMO_INPUTS / "media.csv", outside / "media.csv")
    return outside


# ---------------------------------------------------------------- hashing: bounded, contained

def test_hashing_reads_no_unrelated_file_and_follows_no_link_out(demo_copy, tmp_path, opened):
    video = _sparse(demo_copy / "video.mp4", EIGHT_GB)
    (demo_copy / "x.csv").symlink_to(_outside(tmp_path) / "secret.txt")
    opened.clear()
    started = time.perf_counter()
    keys = folder.hashes(demo_copy)
    assert time.perf_counter() - started < 5, "a stat, not 8 GB read"
    assert keys["video.mp4"] == f"size {EIGHT_GB}, modified {video.stat().st_mtime_ns}"
    assert keys["x.csv"] == disk.LINK_OUT
    assert disk.is_digest(keys["media.csv"]) and disk.is_digest(keys["grant.yml"])
    assert disk.is_digest(keys["participants/online.csv"]) and not disk.is_digest(keys["README.md"])
    assert not [p for p in opened if "video.mp4" in p or "outside" in p], opened
    assert ("x.csv", disk.LINK_OUT) in context._signature(demo_copy), "the kernels' signature neither"
    assert not [p for p in opened if "outside" in p]


def test_a_table_file_beyond_its_size_limit_is_not_hashed(demo_copy, opened):
    big = _sparse(demo_copy / "metrics.csv", folder.MAX_FILE_BYTES + 1)
    opened.clear()
    key = folder.hashes(demo_copy)["metrics.csv"]
    assert key == f"size {folder.MAX_FILE_BYTES + 1}, modified {big.stat().st_mtime_ns}"
    assert str(big) not in opened


def test_only_what_a_run_reads_is_hashed():
    assert all(folder.is_read(p) for p in ("grant.yml", "media.csv", "plan.xlsx", "participants/a.CSV",
                                            "narratives/2022-interim/1.1.md", "narratives/p/zko/1.1.md",
                                            # a spreadsheet grant.yml's `files:` may give a table
                                            "Media.csv", "participants/sub/a.csv", "notes/media.csv"))
    assert not any(folder.is_read(p) for p in ("video.mp4", "README.md", "media.txt",
                                                "participants/~$a.xlsx", "participants/.a.csv",
                                                "narratives/a.txt", "narratives/a.csv"))


def test_validate_names_every_link_out_of_the_inputs_and_reads_none(demo_copy, tmp_path, opened):
    """A table, a table's part, a folder and a file of no table, each a link leading outside:
    a warning names each link (never where it leads), and nothing outside is opened."""
    outside = _outside(tmp_path)
    (demo_copy / "media.csv").unlink()
    (demo_copy / "media.csv").symlink_to(outside / "media.csv")
    (demo_copy / "participants" / "extra.csv").symlink_to(outside / "media.csv")
    (demo_copy / "photos").symlink_to(outside)
    (demo_copy / "x.csv").symlink_to(outside / "secret.txt")
    opened.clear()
    report = validate(demo_copy)
    assert report.ok, [str(p) for p in report.problems]
    told = [str(w) for w in report.warnings if str(w).endswith(folder.LINKED_OUT)]
    assert told == [f"{name}: {folder.LINKED_OUT}" for name in ("media.csv", "participants/extra.csv", "photos", "x.csv")]
    assert "media" in report.absent, "the table behind the link is not read"
    assert not [p for p in opened if str(outside) in p], opened
    assert not any(str(outside) in str(w) for w in report.warnings)


def test_a_grant_yml_leading_outside_the_inputs_is_one_line(demo_copy, tmp_path, opened):
    outside = _outside(tmp_path)
    shutil.move(demo_copy / "grant.yml", outside / "grant.yml")
    (demo_copy / "grant.yml").symlink_to(outside / "grant.yml")
    opened.clear()
    lines = [str(p) for p in validate(demo_copy).problems]
    assert f"grant.yml: {folder.LINKED_OUT}" in lines
    assert not [p for p in opened if str(outside) in p]


@pytest.mark.slow
def test_the_unchanged_rerun_stays_under_a_second_beside_an_8_gb_file(demo_copy, tmp_path):
    out = tmp_path / "out"
    argv = ["run", "--inputs", str(demo_copy), "--outputs", str(out), "--period", "2022-interim",
            "--region", "atyrau", "--format", "html", "--quiet"]
    assert run_cli(*argv).returncode == 0
    _sparse(demo_copy / "video.mp4", EIGHT_GB)
    (demo_copy / "x.csv").symlink_to(_outside(tmp_path) / "secret.txt")
    second = run_cli(*argv[:-1])
    # The two files are data notes of every report (docs/figures-conventions.md): it is rebuilt once.
    assert second.returncode == 0 and "(1 built, 0 unchanged)" in second.stderr, second.stderr
    assert f"warning: x.csv: {folder.LINKED_OUT}" in second.stderr and "warning: video.mp4: not read" in second.stderr
    notes = json.loads((out / "2022-interim" / "atyrau" / "figures.json").read_text(encoding="utf-8"))
    assert notes["warnings.inputs.unknown_file"] == 2
    # The unchanged rerun, timed inside its process, with the bytes it read (Linux's /proc/self/io).
    code = ("import sys, time; from pipeline.cli import main; t = time.perf_counter(); "
            f"rc = main({argv!r}); took = time.perf_counter() - t; "
            "io = dict(l.split(': ') for l in open('/proc/self/io').read().splitlines()); "
            "print(took, io['rchar']); sys.exit(rc)")
    third = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=600)
    assert third.returncode == 0, third.stderr
    took, read = third.stdout.split()
    assert float(took) < 1.0, f"the unchanged rerun took {took} s"
    assert int(read) < 2 ** 30, f"{read} bytes read: the 8 GB file was read"


# ---------------------------------------------------------------- verify: inside its folders

def _tampered(out: Path, inputs: list[dict] | None = None, named: object = "inputs") -> Path:
    folder_ = write_build(out / "2022-interim" / "all", {"consultations.count": 1})
    manifest = json.loads((folder_ / "manifest.json").read_text(encoding="utf-8"))
    manifest["parameters"]["inputs"] = named
    if inputs is not None:
        manifest["inputs"] = inputs
    (folder_ / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder_


@pytest.mark.parametrize("path", ["/etc/passwd", "../../etc/hostname", "media.csv/../../../etc/hostname",
                                  "./media.csv", "narratives//x.md", "C:\\Windows\\win.ini", "video.mp4", 3])
def test_verify_refuses_a_manifest_naming_a_file_outside_its_inputs_before_reading_any(
        path, demo_copy, tmp_path, opened, monkeypatch):
    _sparse(demo_copy / "video.mp4", 10)
    _tampered(tmp_path / "out", [{"path": "media.csv", "sha256": "0" * 64}, {"path": path, "sha256": "0" * 64}])
    monkeypatch.setattr(disk, "bounded_sha256", lambda *a: pytest.fail("an input was hashed"))
    opened.clear()
    with pytest.raises(PipelineError, match=r"inputs: path .*: (not a plain relative path|not a file a run reads)"):
        app.verify(tmp_path / "out", [], [], 1, demo_copy)
    assert not [p for p in opened if p.startswith(("/etc", str(demo_copy)))], opened


def test_verify_refuses_a_link_out_of_the_inputs_it_names(demo_copy, tmp_path):
    (demo_copy / "media.csv").unlink()
    (demo_copy / "media.csv").symlink_to(_outside(tmp_path) / "media.csv")
    _tampered(tmp_path / "out", [{"path": "media.csv", "sha256": "0" * 64}])
    with pytest.raises(PipelineError, match="leads outside"):
        app.verify(tmp_path / "out", [], [], 1, demo_copy)


@pytest.mark.parametrize("named", ["/etc", "../outside", "inputs/../../outside", None, 7])
def test_verify_takes_the_inputs_from_the_manifest_only_relative_and_inside_the_current_folder(cli, named, tmp_path):
    out = tmp_path / "out"
    manifest = _tampered(out, named=named) / "manifest.json"
    result = cli("verify", "--outputs", str(out), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"{manifest}: ") and line.endswith("--inputs"), line


def test_verify_names_an_inputs_folder_that_is_not_there_in_one_line(cli, tmp_path):
    out = tmp_path / "out"
    _tampered(out, named="inputs")
    result = cli("verify", "--outputs", str(out), cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.strip().splitlines() == [
        f"inputs: inputs folder not found (the one {out / '2022-interim' / 'all' / 'manifest.json'} is checked "
        "against); name it with --inputs"]


def test_verify_refuses_a_manifest_of_another_report_than_its_folder(tmp_path):
    folder_ = _tampered(tmp_path / "out")
    manifest = json.loads((folder_ / "manifest.json").read_text(encoding="utf-8"))
    (folder_ / "manifest.json").write_text(json.dumps({**manifest, "region": "../../x"}), encoding="utf-8")
    with pytest.raises(PipelineError, match="not its folder's 2022-interim/all"):
        app.verify(tmp_path / "out", [], [], 1, DEMO_INPUTS)


# ---------------------------------------------------------------- printable text

def test_control_characters_from_the_inputs_are_shown_escaped_in_every_message():
    assert printable(HOSTILE_ID) == "E099\\x1b]0;pwned\\x07\\x1b[2J"
    assert printable("a\tb\nc\x9bd\x7f") == "a\\tb\\nc\\x9bd\\x7f"
    assert printable("a\tb\nc\rd", keep_lines=True) == "a\tb\nc\\rd"
    error = InputError(f"участники/{HOSTILE_ID}.csv", 3, "event_id", f"{HOSTILE_ID}\nall good", "expected …")
    assert str(error) == ("участники/E099\\x1b]0;pwned\\x07\\x1b[2J.csv:3: event_id = "
                          "E099\\x1b]0;pwned\\x07\\x1b[2J\\nall good: expected …")
    assert "\x1b" not in str(PipelineError(f"one\n{HOSTILE_ID}")) and "\n" in str(PipelineError("one\ntwo"))
    assert str(DataWarning("x", f"events.csv: {HOSTILE_ID}", 1)) == "events.csv: E099\\x1b]0;pwned\\x07\\x1b[2J"


def test_json_and_text_files_are_kept_printable_and_the_data_reads_back(tmp_path):
    data = {"id": HOSTILE_ID + "\x9b2J\x7f"}
    disk.write_json(tmp_path / "a.json", data)
    text = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert not RAW_CONTROL.search(text) and json.loads(text) == data
    disk.write_text(tmp_path / "a.html", f"<p>{HOSTILE_ID}</p>\n")
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == "<p>E099\\x1b]0;pwned\\x07\\x1b[2J</p>\n"


def _with_hostile_event(inputs: Path) -> None:
    """An event with no list and no reported participants (a warning names its id), its id
    carrying terminal sequences."""
    events = inputs / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[0] = HOSTILE_ID
    events.write_text("\n".join([*lines, ",".join(cells)]) + "\n", encoding="utf-8")


def test_validate_prints_an_id_s_terminal_sequences_escaped(cli, demo_copy):
    _with_hostile_event(demo_copy)
    result = cli("validate", "--inputs", str(demo_copy))
    assert result.returncode == 0, result.stderr
    assert not RAW_CONTROL.search(result.stdout + result.stderr)
    assert "E003, E099\\x1b]0;pwned\\x07\\x1b[2J" in result.stderr


def test_what_the_command_line_prints_is_printable_whatever_it_is_given(capsys):
    from pipeline import cli

    cli._print_warnings([f"kept: {HOSTILE_ID}"])  # as read back from a tampered .inputs-checked.json
    cli._print_lines([f"a:1  {HOSTILE_ID}", "b"])
    cli._print_error(OSError(2, "No such file", f"{HOSTILE_ID}.csv"))
    printed = capsys.readouterr()
    assert not RAW_CONTROL.search(printed.out + printed.err)
    assert printed.out == "a:1  E099\\x1b]0;pwned\\x07\\x1b[2J\nb\n"


# ---------------------------------------------------------------- the same bytes anywhere

def _files(report: Path) -> dict[str, bytes]:
    return {p.relative_to(report).as_posix(): p.read_bytes() for p in sorted(report.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_two_builds_in_two_folders_are_the_same_bytes_naming_no_folder_and_printable(tmp_path):
    """The same inputs, copied to two folders (one with a Cyrillic name), built into two outputs
    folders: every file of the report folder is the same bytes but run.json (what the build
    measured: its seconds), no file names either folder, and no kept file holds a raw control
    character from the hostile event id. A `json.py` in the inputs folder, where the kernel
    runs, is never imported."""
    builds = []
    for name in ("a", "б в"):
        inputs = shutil.copytree(DEMO_INPUTS, tmp_path / name / "inputs")
        _with_hostile_event(inputs)
        (inputs / "json.py").write_text(f"open({str(tmp_path / 'imported')!r}, 'w')\n", encoding="utf-8")
        out = tmp_path / name / "out"
        result = run_cli("run", "--inputs", str(inputs), "--outputs", str(out), "--period", "2022-interim",
                         "--region", "mangystau")
        assert result.returncode == 0, result.stderr
        assert not RAW_CONTROL.search(result.stderr) and "E099\\x1b]0;pwned" in result.stderr
        builds.append(out)
    assert not (tmp_path / "imported").exists(), "nothing in the inputs folder is importable by the kernel"
    first, second = (_files(out / "2022-interim" / "mangystau") for out in builds)
    assert set(first) == set(second)
    assert [name for name in first if first[name] != second[name]] == ["run.json"]
    assert "E099\\x1b]0;pwned" in first["evidence.html"].decode("utf-8")
    for out in builds:
        for path in out.rglob("*"):
            if path.suffix in (".json", ".html", ".ipynb", ".txt"):
                text = path.read_text(encoding="utf-8")
                assert str(tmp_path) not in text and "б в" not in text and str(PROJECT) not in text, path
                assert not RAW_CONTROL.search(text), path


def test_a_build_s_keys_do_not_depend_on_where_python_is_installed(monkeypatch):
    """The keys a manifest records (`build`) are made of code and versions, not of the
    interpreter's path: the same code elsewhere writes the same manifest."""
    from pipeline.incremental import ledger

    ledger.environment_key.cache_clear()
    here = ledger.environment_key()
    monkeypatch.setattr(sys, "executable", "/elsewhere/venv/bin/python")
    ledger.environment_key.cache_clear()
    try:
        assert ledger.environment_key() == here
    finally:
        ledger.environment_key.cache_clear()


def test_a_failed_build_s_error_is_kept_printable(tmp_path):
    from pipeline.assembly import builder
    from pipeline.incremental import grid

    result = grid.ReportResult(grid.ReportJob("p1", "north"), tmp_path / "p1" / "north", error=f"boom {HOSTILE_ID}")
    kept = builder.keep_failed(tmp_path / "p1" / ".north.building", tmp_path / "p1" / "north", result)
    assert (kept / "error.txt").read_text(encoding="utf-8") == "boom E099\\x1b]0;pwned\\x07\\x1b[2J\n"
