"""A report's build history: the figures and manifest of its earlier builds, kept in
`OUT/<period>/<region>/history/<build time, UTC>/` (e.g. `history/20261128T053012Z/`), and
each report against its previous build (`previous`, `against_history`: `diff --outputs`).

When a new build is swapped in (`builder.swap_in`), the folder it replaces is read, never
changed: its history is carried into the new build's staging folder, and its own
`figures.json` and `manifest.json` become the newest entry, named by when that build was
written, when what the report says changed (a figure, or its period's narratives: see
`diffing.ReportDiff.content_changed`); so a forced, identical or code-only rebuild adds
nothing, and each entry differs from the build after it. The last `KEEP` entries are kept.
Files are hard links where the disk allows (entries are never rewritten in place), else
copies; all of it happens in the staging folder before the swap, so a run killed at any
point loses no history and leaves the last good build as it was.

History is not part of a build: `verify` does not compare it and the up-to-date check does
not require it (`ledger.complete`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

from pipeline.assembly import diffing
from pipeline.exceptions import PipelineError

HISTORY = "history"
KEEP = 20
#: What an entry holds of a build.
KEPT = ("figures.json", "manifest.json")
STAMP = "%Y%m%dT%H%M%SZ"
_ENTRY = re.compile(r"^(\d{8}T\d{6}Z)(?:-(\d+))?$")


def entries(report: Path) -> list[Path]:
    """A report folder's history entries, oldest first."""
    folder = Path(report) / HISTORY
    if not folder.is_dir():
        return []
    found = [((match.group(1), int(match.group(2) or 1)), p) for p in folder.iterdir()
             if p.is_dir() and (match := _ENTRY.match(p.name))]
    return [p for _, p in sorted(found)]


def latest(report: Path) -> Path | None:
    """The entry of the build before the report's current one, if any is kept."""
    kept = entries(report)
    return kept[-1] if kept else None


def stamp(build: Path) -> str:
    """When a build was written, UTC, sortable: its manifest's time."""
    written = (Path(build) / "manifest.json").stat().st_mtime
    return dt.datetime.fromtimestamp(written, tz=dt.UTC).strftime(STAMP)


def carry(previous: Path, staging: Path) -> Path | None:
    """Before `staging` replaces `previous`: carry `previous`'s history into `staging`, add
    `previous` itself as the newest entry when it differs from `staging`, and keep the last
    `KEEP`. Returns the entry added (None when nothing was). `previous` is left as it was."""
    previous, staging = Path(previous), Path(staging)
    target = staging / HISTORY
    if (previous / HISTORY).is_dir():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(previous / HISTORY, target, copy_function=_link_or_copy)
    added = None
    if all((previous / name).is_file() for name in KEPT) and differs(previous, staging):
        added = _free_name(target, stamp(previous))
        added.mkdir(parents=True)
        for name in KEPT:
            _link_or_copy(previous / name, added / name)
    for old in entries(staging)[:-KEEP]:
        shutil.rmtree(old)
    return added


def differs(old: Path, new: Path) -> bool:
    """Whether what the report says differs between two builds of it (a report folder and a
    staging folder beside it, both in their period's folder); False when either is unreadable."""
    try:
        before, after = (diffing.read_build(build, build.parent.name, build.name) for build in (old, new))
    except PipelineError:
        return False
    return diffing.compare(before, after).content_changed


def previous(report: Path, period: str, region: str) -> diffing.ReportDiff | None:
    """A report's build against the one before it (the newest entry of its history), if kept."""
    entry = latest(report)
    if entry is None:
        return None
    return diffing.compare(diffing.read_build(entry, period, region), diffing.read_build(report, period, region),
                           (f"build {entry.name}", f"со сборкой {entry.name}"))


def against_history(outputs: Path) -> diffing.Comparison:
    """Each report of `outputs` against its previous build."""
    reports, first = [], []
    for period, region in diffing.built(outputs):
        found = previous(Path(outputs) / period / region, period, region)
        if found is None:
            first.append(f"{period}/{region}")
        else:
            reports.append(found)
    return diffing.Comparison(f"{outputs}: каждый отчет в сравнении с предыдущей сборкой", reports,
                              [("first", "", first)])


def _free_name(folder: Path, name: str) -> Path:
    """`folder/name`, or `name-2`, `name-3`… when builds were written within one second."""
    candidate, n = folder / name, 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{name}-{n}"
    return candidate


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
