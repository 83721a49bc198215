"""`verify`: re-hash the inputs a build names and re-execute it aside; say what moved.

The build being checked is never touched: re-execution goes to a temporary folder.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from pipeline import disk
from pipeline.build import builder
from pipeline.exceptions import PipelineError
from pipeline.incremental import grid
from pipeline.inputs.loading import load_inputs


def built_reports(outputs: Path, periods: list[str], regions: list[str]) -> list[Path]:
    """Report folders with a manifest, filtered by period and region ids (empty = all)."""
    folders = [m.parent for m in sorted(Path(outputs).glob("*/*/manifest.json")) if not m.parent.name.startswith(".")]
    return [f for f in folders
            if (not periods or f.parent.name in periods) and (not regions or f.name in regions)]


def input_changes(manifest: dict) -> list[str]:
    """Input files whose content differs from the manifest, or that are gone or new. The
    manifest names a file whose name looks like personal data by its pseudonym: it is found
    by the pseudonym the inputs read now give it."""
    root = Path(manifest["parameters"]["inputs"])
    recorded = {e["path"]: e["sha256"] for e in manifest["inputs"]}
    try:
        inputs = load_inputs(root)
        now = {inputs.shown.path(name): name for name in (Path(f).relative_to(root).as_posix() for f in inputs.files)}
    except PipelineError:
        now = {path: path for path in recorded}
    changes = []
    for path, digest in recorded.items():
        current = root / now.get(path, path)
        if not current.is_file():
            changes.append(f"input removed: {path}")
        elif disk.sha256(current) != digest:
            changes.append(f"input changed: {path}")
    changes += [f"input added: {path}" for path in sorted(set(now) - set(recorded))]
    return changes


def figure_changes(old: dict, new: dict) -> list[str]:
    """Figures that moved, appeared or disappeared: `name: old → new`."""
    lines = []
    for name in list(old) + [n for n in new if n not in old]:
        before, after = old.get(name, "—"), new.get(name, "—")
        if before != after or type(before) is not type(after):
            lines.append(f"{name}: {json.dumps(before, ensure_ascii=False)} → {json.dumps(after, ensure_ascii=False)}")
    return lines


def _record(path: Path, keys: tuple[str, ...] = ()) -> dict:
    """A build's JSON file, or one line saying it cannot be verified from it."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or any(key not in record for key in keys):
            raise ValueError("not the record a build writes")
    except (OSError, ValueError) as error:
        raise PipelineError(f"{path}: cannot be read as a build's record ({type(error).__name__}: {error}); "
                            "rebuild the report with `python -m pipeline run`") from None
    return record


def verify_report(folder: Path) -> list[str]:
    """Every difference between a build and a fresh re-execution of it, one line each."""
    manifest = _record(folder / "manifest.json", ("period", "region", "parameters", "inputs"))
    job = grid.ReportJob(manifest["period"], manifest["region"])
    findings = input_changes(manifest)
    inputs = load_inputs(manifest["parameters"]["inputs"])
    with tempfile.TemporaryDirectory(prefix="grant-verify-") as scratch:
        result = builder.build_report(job, inputs, Path(scratch), formats=())
        if result.ok:
            fresh = json.loads((result.folder / "figures.json").read_text(encoding="utf-8"))
            recorded = _record(folder / "figures.json")
            findings += figure_changes(recorded, fresh)
        else:
            findings.append(f"re-execution failed: {result.error}")
    return [f"{job.label}: {line}" for line in findings]
