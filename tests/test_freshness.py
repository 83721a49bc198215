"""What a rerun settles from file hashes alone (`pipeline.incremental.ledger`), and the hashes the
inputs are read with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.exceptions import InputError
from pipeline.incremental import ledger
from pipeline.inputs import folder, loading


def _report(folder: Path, key: str) -> Path:
    """A report folder as a build leaves it: manifest with its key, figures, notebook, HTML and its evidence."""
    (folder / "notebooks").mkdir(parents=True)
    (folder / "notebooks" / "00_x.ipynb").write_text("{}", encoding="utf-8")
    (folder / "figures.json").write_text("{}", encoding="utf-8")
    (folder / "report.html").write_text("<html></html>", encoding="utf-8")
    (folder / "evidence.html").write_text("<html></html>", encoding="utf-8")
    build = {"report": key, "notebooks": {"00_x.ipynb": "k"}, "formats": ["html"]}
    (folder / "manifest.json").write_text(json.dumps({"build": build}), encoding="utf-8")
    return folder


def test_the_folder_digest_changes_with_any_file_and_path():
    hashes = {"a.csv": "1" * 64, "b/c.md": "2" * 64}
    digest = ledger.inputs_digest(hashes)
    assert ledger.inputs_digest(dict(reversed(hashes.items()))) == digest, "order of listing does not count"
    assert ledger.inputs_digest({**hashes, "a.csv": "3" * 64}) != digest
    assert ledger.inputs_digest({"a.csv": "1" * 64, "b/d.md": "2" * 64}) != digest
    assert ledger.inputs_digest({**hashes, "new.csv": "4" * 64}) != digest


def test_what_was_kept_is_recalled_for_the_same_inputs_only(tmp_path):
    hashes = {"a.csv": "1" * 64}
    ledger.remember(tmp_path, hashes, ["p"], ["r", "all"], ["w"], {"p/r": {"snapshot": "s", "report": "k"}})
    kept = ledger.recall(tmp_path, hashes)
    assert kept["periods"] == ["p"] and kept["warnings"] == ["w"] and kept["reports"]["p/r"]["report"] == "k"
    assert ledger.recall(tmp_path, {"a.csv": "2" * 64}) is None
    assert ledger.recall(tmp_path / "elsewhere", hashes) is None


def test_what_was_kept_under_other_code_is_not_recalled(tmp_path, monkeypatch):
    hashes = {"a.csv": "1" * 64}
    ledger.remember(tmp_path, hashes, ["p"], ["r"], [], {})
    monkeypatch.setattr(ledger, "environment_key", lambda: "other code")
    assert ledger.recall(tmp_path, hashes) is None


def test_reports_kept_for_the_same_inputs_are_joined_and_for_other_inputs_dropped(tmp_path):
    one, two = {"a.csv": "1" * 64}, {"a.csv": "2" * 64}
    ledger.remember(tmp_path, one, ["p"], ["r"], [], {"p/r": {"snapshot": "s", "report": "k1"}})
    ledger.remember(tmp_path, one, ["p"], ["r"], [], {"p/all": {"snapshot": "s", "report": "k2"}})
    assert set(ledger.recall(tmp_path, one)["reports"]) == {"p/r", "p/all"}
    ledger.remember(tmp_path, two, ["p"], ["r"], [], {"p/r": {"snapshot": "s", "report": "k3"}})
    assert set(ledger.recall(tmp_path, two)["reports"]) == {"p/r"}


def test_a_report_is_unchanged_only_when_its_folder_holds_the_kept_build_complete(tmp_path):
    folder = _report(tmp_path / "p" / "r", "k1")
    kept = {"snapshot": "s", "report": "k1"}
    assert ledger.unchanged(folder, kept, "s")
    assert not ledger.unchanged(folder, kept, "other snapshot")
    assert not ledger.unchanged(folder, None, "s")
    assert not ledger.unchanged(folder, {**kept, "report": "k0"}, "s"), "another build is in the folder"
    (folder / "report.html").unlink()
    assert not ledger.unchanged(folder, kept, "s"), "a file of the build is gone"


def test_the_snapshot_key_follows_formats_and_notebooks(tmp_path):
    notebook = tmp_path / "00_x.ipynb"
    notebook.write_text("{}", encoding="utf-8")
    hashes = {"a.csv": "1" * 64}
    key = ledger.snapshot_key(hashes, [notebook], ("html", "pdf"))
    assert ledger.snapshot_key(hashes, [notebook], ("pdf", "html")) == key
    assert ledger.snapshot_key(hashes, [notebook], ("html",)) != key
    notebook.write_text('{"cells": []}', encoding="utf-8")
    assert ledger.snapshot_key(hashes, [notebook], ("html", "pdf")) != key


def test_inputs_carry_the_hashes_they_were_read_with(demo_copy):
    inputs = loading.load_inputs(demo_copy)
    assert inputs.hashes == folder.hashes(demo_copy)
    assert "media.csv" in inputs.hashes and "grant.yml" in inputs.hashes


def test_a_file_saved_while_the_inputs_are_read_is_an_error(demo_copy, monkeypatch):
    """The hashes must stand for what was read: a report's cache key is made of them."""
    real = folder.hashes
    calls = []

    def saved_meanwhile(root):
        calls.append(root)
        hashes = real(root)
        return hashes if len(calls) == 1 else {**hashes, "media.csv": "0" * 64}

    monkeypatch.setattr(folder, "hashes", saved_meanwhile)
    with pytest.raises(InputError, match=r"^media\.csv: .*changes? while it is read"):
        loading.load_inputs(demo_copy)
