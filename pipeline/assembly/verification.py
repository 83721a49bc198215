"""`verify`: re-hash the inputs a build names and re-execute it aside; say what moved.

The build being checked is never touched: re-execution goes to a temporary folder. A manifest
is checked before anything it names is read (`prepare`): `verify` reads only inside the outputs
folder (the report folders and their JSON files) and the inputs folder (the files a run reads,
by the paths the manifest gives, each a plain relative path inside it), which it takes from
`--inputs`, or else from the manifest when it names one relative to the current folder and
inside it. Anything else is one line (a `PipelineError`), before any file is hashed.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline import disk, paths
from pipeline.assembly import builder
from pipeline.exceptions import PipelineError
from pipeline.incremental import grid
from pipeline.inputs import folder as inputs_folder
from pipeline.inputs.loading import load_inputs
from pipeline.inputs.validation import validated

MANIFEST = "manifest.json"


def built_reports(outputs: Path, periods: list[str], regions: list[str]) -> list[Path]:
    """Report folders with a manifest, filtered by period and region ids (empty = all); a
    folder that is a link leading outside the outputs folder is refused (one line)."""
    folders = [m.parent for m in sorted(Path(outputs).glob(f"*/*/{MANIFEST}")) if not m.parent.name.startswith(".")]
    chosen = [f for f in folders
              if (not periods or f.parent.name in periods) and (not regions or f.name in regions)]
    for found in chosen:
        if not disk.leads_inside(outputs, found / MANIFEST):
            raise PipelineError(f"{found}: a link leading outside the outputs folder {outputs}: not verified")
    return chosen


@dataclass(frozen=True)
class Check:
    """One report to verify, its manifest checked: its folder, the manifest, the inputs folder
    and the input files the manifest records (relative path → SHA-256)."""

    folder: Path
    manifest: dict
    inputs: Path
    recorded: dict[str, str]


def plain_relative(text: object) -> PurePosixPath | None:
    """`text` as a plain relative path: names joined by `/`, none of them empty, `.` or `..`,
    no backslash or NUL (so not absolute either); else None."""
    if not isinstance(text, str) or "\\" in text or "\0" in text:
        return None
    return None if any(name in ("", ".", "..") for name in text.split("/")) else PurePosixPath(text)


def _inputs_folder(manifest: dict, source: Path, given: Path | None) -> Path:
    """The inputs folder to check a build against: `given` (--inputs), else the one the manifest
    names when it is a plain relative path inside the current folder."""
    if given is not None:
        return Path(given)
    named = manifest["parameters"].get("inputs") if isinstance(manifest["parameters"], dict) else None
    if named is None:
        raise PipelineError(f"{source}: names no inputs folder (the build's was outside the folder it ran in): "
                            "name it with --inputs")
    relative = PurePosixPath(".") if named == "." else plain_relative(named)  # ".": it ran in the inputs folder
    here = Path.cwd().resolve()
    if relative is None or not (here / relative).resolve().is_relative_to(here):
        raise PipelineError(f"{source}: parameters.inputs = {json.dumps(named, ensure_ascii=False)}: not a "
                            "relative path inside the current folder; name the inputs folder with --inputs")
    return Path(relative)


def _recorded(manifest: dict, source: Path, root: Path) -> dict[str, str]:
    """The manifest's input files, path → SHA-256, each path checked: plain, relative, inside
    `root` (links followed) and a file a run reads (`folder.is_read`)."""
    entries = manifest["inputs"]
    if not isinstance(entries, list):
        raise PipelineError(f"{source}: inputs: not a list of files; rebuild the report")
    recorded = {}
    for entry in entries:
        path = entry.get("path") if isinstance(entry, dict) else None
        relative = plain_relative(path)
        if relative is None or not isinstance(entry.get("sha256"), str):
            raise PipelineError(f"{source}: inputs: path {json.dumps(path, ensure_ascii=False)}: not a plain relative "
                                "path inside the inputs folder; refused, nothing verified")
        if not inputs_folder.is_read(relative.as_posix()):
            raise PipelineError(f"{source}: inputs: path «{relative}»: not a file a run reads (grant.yml, a table's "
                                "file, a narrative); refused, nothing verified")
        paths.inside(root, *relative.parts)  # no link out of the inputs folder either
        recorded[relative.as_posix()] = entry["sha256"]
    return recorded


def prepare(folder: Path, inputs: Path | None = None) -> Check:
    """A report folder's build, checked before anything it names is read: its manifest (the
    report's own period and region; every input a plain relative path inside the inputs folder)
    and the inputs folder (`inputs`, else the manifest's, relative and inside the current
    folder). A manifest that breaks any of it is a PipelineError of one line."""
    source = folder / MANIFEST
    manifest = _record(source, ("period", "region", "parameters", "inputs"))
    if (manifest["period"], manifest["region"]) != (folder.parent.name, folder.name):
        raise PipelineError(f"{source}: names the report {manifest['period']!r}/{manifest['region']!r}, "
                            f"not its folder's {folder.parent.name}/{folder.name}; refused")
    root = _inputs_folder(manifest, source, inputs)
    if not root.is_dir():
        raise PipelineError(f"{root}: inputs folder not found (the one {source} is checked against); "
                            "name it with --inputs")
    return Check(folder, manifest, root, _recorded(manifest, source, root))


def input_changes(recorded: dict[str, str], root: Path) -> list[str]:
    """Input files whose content differs from the one `recorded` (path → SHA-256), or that are
    gone or new (a file beyond a table file's size limit is not read: changed). The manifest
    names a file whose name looks like personal data by its pseudonym: it is found by the
    pseudonym the inputs read now give it."""
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
        elif disk.bounded_sha256(current, inputs_folder.MAX_FILE_BYTES) != digest:
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


def verify_report(check: Check) -> list[str]:
    """Every difference between a build (`prepare`d) and a fresh re-execution of it, one line each."""
    manifest, folder = check.manifest, check.folder
    job = grid.ReportJob(manifest["period"], manifest["region"])
    findings = input_changes(check.recorded, check.inputs)
    inputs = validated(check.inputs)  # re-executed only from inputs a run would build from
    with tempfile.TemporaryDirectory(prefix="grant-verify-") as scratch:
        result = builder.build_report(job, inputs, Path(scratch), formats=())
        if result.ok:
            fresh = json.loads((result.folder / "figures.json").read_text(encoding="utf-8"))
            recorded = _record(folder / "figures.json")
            findings += figure_changes(recorded, fresh)
        else:
            findings.append(f"re-execution failed: {result.error}")
    return [f"{job.label}: {line}" for line in findings]
