"""The inputs read once per run and handed to every kernel (`pipeline.inputs.sharing`)."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli, temp_files_of

from pipeline.assembly import builder
from pipeline.exceptions import InputError, PipelineError
from pipeline.inputs import sharing
from pipeline.inputs.loading import load_inputs

PERIOD, REGION = "2022-interim", "almaty"


def _publish(folder: Path, monkeypatch) -> Path:
    path = sharing.publish(load_inputs(folder))
    monkeypatch.setenv(sharing.ENV, str(path))
    return path


def test_shared_inputs_are_the_inputs_as_read(demo_copy, monkeypatch):
    path = _publish(demo_copy, monkeypatch)
    try:
        shared, fresh = sharing.shared(demo_copy), load_inputs(demo_copy)
        assert shared is not None and shared.grant == fresh.grant and list(shared.tables) == list(fresh.tables)
        for name, frame in fresh.tables.items():
            pd.testing.assert_frame_equal(shared.tables[name], frame)
    finally:
        path.unlink()


CHANGED = "a file that does not change during the run"


def test_a_file_changed_since_validation_is_refused_even_with_same_size_and_time(demo_copy, monkeypatch):
    """A run's kernel never reads the folder again: a file saved after validation is an error
    naming it (the report would otherwise not be what its manifest describes)."""
    path = _publish(demo_copy, monkeypatch)
    try:
        media = demo_copy / "media.csv"
        stat, data = media.stat(), media.read_bytes()
        media.write_bytes(data.replace(b",ru,327,1,", b",ru,328,1,", 1))
        assert media.stat().st_size == stat.st_size
        os.utime(media, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        with pytest.raises(InputError, match=CHANGED) as excinfo:
            sharing.shared(demo_copy)
        assert excinfo.value.file == "media.csv"
        media.write_bytes(data)
        os.utime(media, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert sharing.shared(demo_copy) is not None
        (demo_copy / "narratives" / PERIOD / "new.md").write_text("Новый текст", encoding="utf-8")
        with pytest.raises(InputError, match=CHANGED):
            sharing.shared(demo_copy)
    finally:
        path.unlink()


def test_shared_inputs_are_for_their_own_folder_only(demo_copy, tmp_path, monkeypatch):
    path = _publish(demo_copy, monkeypatch)
    try:
        other = tmp_path / "elsewhere"
        other.mkdir()
        assert sharing.shared(other) is None
        monkeypatch.delenv(sharing.ENV)
        assert sharing.shared(demo_copy) is None
        monkeypatch.setenv(sharing.ENV, str(tmp_path / "missing.pickle"))
        with pytest.raises(PipelineError, match="cannot be read back"):
            sharing.shared(demo_copy)
    finally:
        path.unlink()


@pytest.mark.slow
def test_the_kernel_computes_from_the_shared_inputs(demo_copy, tmp_path):
    """The kernel takes what the orchestrator read: shown by a shared copy whose media table
    was altered after reading (same folder, same hashes), which only the kernel can see."""
    inputs = load_inputs(demo_copy)
    path = sharing.publish(inputs)
    try:
        record = pickle.loads(path.read_bytes())
        record["inputs"].tables["media"] = record["inputs"].tables["media"].iloc[0:0]
        path.write_bytes(pickle.dumps(record))
        job = builder.ReportJob(PERIOD, REGION)
        shared = builder.build_report(job, inputs, tmp_path / "shared", ("html",), shared_inputs=path)
        alone = builder.build_report(job, inputs, tmp_path / "alone", ("html",))
    finally:
        path.unlink()
    assert shared.ok and alone.ok, (shared.error, alone.error)
    figures = [json.loads((r.folder / "figures.json").read_text(encoding="utf-8")) for r in (shared, alone)]
    assert figures[0]["media.publications"] == 0 < figures[1]["media.publications"]


@pytest.mark.slow
def test_a_run_leaves_no_shared_inputs_behind(demo_copy, tmp_path):
    """A run of one report shares its inputs from its own process (named with its pid)."""
    result = run_cli("run", "--inputs", str(demo_copy), "--outputs", str(tmp_path / "out"),
                     "--period", PERIOD, "--region", REGION, "--format", "html", "--quiet")
    assert result.returncode == 0, result.stderr
    assert not [name for name in temp_files_of({result.pid}) if "-inputs.pickle" in name]


def test_shared_inputs_are_readable_by_their_owner_only(demo_copy):
    path = sharing.publish(load_inputs(demo_copy))
    try:
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        path.unlink()
