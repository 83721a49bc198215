"""Incremental builds by content: what a report and each of its notebooks depend on, hashed.

A report depends on its notebooks, its parameters, the pipeline's own code and templates,
the package versions, and the slice of input data it reads and shows: the rows of its period
and region (fingerprinted after normalisation, with the file and row each stands at, which
the report's registry of figures shows: re-saving a file changes nothing, moving a row
changes the reports that count it), what it shows of the whole grant (its `Selection`'s
topics, metric names and optional blocks), its data notes (`blocks.report_notes`, with the
rows they name), grant.yml, its language and the narratives it reads (the period's and its
region's overrides, in its language's folder too, and, for a region, whether the consolidated
report tells a success story). The last good build of a report is its
cache: the keys are kept in its manifest, so the cache survives interrupted runs, and a result
is reused only when every key is equal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline import disk, paths
from pipeline.figures.blocks import report_notes
from pipeline.figures.lineage import refs
from pipeline.figures.scope import Selection, make_scope, select
from pipeline.incremental.grid import ReportJob
from pipeline.incremental.ledger import complete, digest, environment_key, last_manifest
from pipeline.inputs.datawarning import DataWarning
from pipeline.inputs.loading import Inputs
from pipeline.language import DEFAULT as DEFAULT_LANGUAGE
from pipeline.notebook.narratives import SUCCESS_STORY
from pipeline.notebook.narratives import find as find_narrative


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """The content of a table's rows, order included, with where each stands (`_file`, `_row`:
    the report names its rows so)."""
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes() if len(frame) else b""
    return digest(",".join(frame.columns), ",".join(str(t) for t in frame.dtypes), rows)


def notes_fingerprint(inputs: Inputs, notes: Sequence[DataWarning]) -> str:
    """A report's data notes as it shows and records them: code, message, count and the rows
    each names (file, row, id), those outside its scope included (a folder's note)."""
    return json.dumps([[w.code, w.message, w.count, refs(w.rows, inputs.tables)] for w in notes],
                      ensure_ascii=False, default=str)


def slice_key(inputs: Inputs, selection: Selection) -> str:
    """The data one report reads: its rows of every table, what it shows of the whole grant,
    its data notes, the grant and its prose (the period's narratives and its region's overrides)."""
    scope = selection.scope
    # The folder's path is not part of it: the same content elsewhere is the same data.
    parts = [f"{scope.period}|{scope.region}"]
    parts += [f"{table}:{frame_fingerprint(frame)}" for table, frame in selection.tables.items()]
    parts.append(json.dumps(selection.topics, ensure_ascii=False, sort_keys=True))
    parts.append(json.dumps(selection.metric_names, ensure_ascii=False))
    parts.append(json.dumps(sorted(selection.blocks)))
    parts.append(notes_fingerprint(inputs, report_notes(inputs, selection)))
    parts.append(disk.sha256(inputs.root / paths.GRANT_FILE))
    # The report's language (grant.yml's, or `run --language`'s): switching it rebuilds the report.
    language = inputs.grant.language
    parts.append(f"language:{language}")
    narratives = paths.inside(inputs.root / paths.NARRATIVES_DIR, scope.period)
    folders = [narratives] + ([paths.inside(narratives, language)] if language != DEFAULT_LANGUAGE else [])
    for folder in folders:
        if not folder.is_dir():
            continue
        named = "" if folder == narratives else f"{language}/"
        parts += [f"{named}{p.name}:{disk.sha256(p)}" for p in sorted(folder.glob("*.md"))]
        overrides = paths.inside(folder, scope.region)  # this region's own narratives
        if overrides.is_dir():
            parts += [f"{named}{scope.region}/{p.name}:{disk.sha256(p)}" for p in sorted(overrides.glob("*.md"))]
    if not scope.is_all:  # its success story says where the period's is when the consolidated report has one
        told = find_narrative(inputs.root, scope.period, SUCCESS_STORY, language=language)
        parts.append(f"story told:{told is not None}")
    return digest(*parts)


def build_keys(inputs: Inputs, selection: Selection, notebooks: list[Path], formats: tuple[str, ...]) -> dict:
    """The report's key and each notebook's key."""
    data = slice_key(inputs, selection)
    env = environment_key()
    notebook_keys = {nb.name: digest(data, env, disk.sha256(nb)) for nb in notebooks}
    report = digest(*(f"{k}:{v}" for k, v in sorted(notebook_keys.items())), ",".join(sorted(formats)))
    return {"report": report, "notebooks": notebook_keys, "formats": sorted(formats)}


def up_to_date(folder: Path, keys: dict, manifest: dict | None = None) -> bool:
    """True when the build in `folder` (whose manifest may be given, read once by the caller)
    was made from exactly these keys and is complete."""
    manifest = last_manifest(folder) if manifest is None else manifest
    return manifest.get("build", {}).get("report") == keys["report"] and complete(folder, keys)


def current_key(job: ReportJob, inputs: Inputs, outputs: Path, formats: tuple[str, ...]) -> str | None:
    """The key of the report's last build when it was made from exactly what it would be made
    from now (its rows, not the whole files), else None."""
    folder = paths.report_dir(outputs, job.period, job.region)
    last = last_manifest(folder)
    if not last:  # never built: no need to select and fingerprint its rows to know
        return None
    keys = build_keys(inputs, select(inputs, make_scope(inputs.grant, job.period, job.region)),
                      paths.section_notebooks(), formats)
    return keys["report"] if up_to_date(folder, keys, last) else None


def reusable_notebook(folder: Path, name: str, keys: dict, manifest: dict) -> Path | None:
    """The executed notebook of the last build (`manifest`) when it was made with the same key."""
    if manifest.get("build", {}).get("notebooks", {}).get(name) != keys["notebooks"][name]:
        return None
    path = folder / "notebooks" / name
    return path if path.is_file() else None
