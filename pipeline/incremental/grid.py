"""The grid of reports, and which of them a rerun can leave alone without reading anything.

Kept apart from `assembly` (papermill, nbconvert, the Jupyter client: about 2 s of imports)
and from pandas (`fingerprints`, which compares reports by their rows), so that a rerun with
nothing to rebuild imports none of it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import paths
from pipeline.ids import ALL
from pipeline.incremental import ledger


@dataclass(frozen=True)
class ReportJob:
    """One report of the grid."""

    period: str
    region: str

    @property
    def label(self) -> str:
        return f"{self.period}/{self.region}"


@dataclass
class ReportResult:
    job: ReportJob
    folder: Path
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    skipped: bool = False
    #: The key of the build the report's folder holds (`fingerprints.build_keys`), once known.
    key: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def plan_jobs(periods: Iterable[str], regions: Iterable[str]) -> list[ReportJob]:
    """The grid, declared: every period x every region."""
    return [ReportJob(p, r) for p in periods for r in regions]


def build_order(jobs: Iterable[ReportJob]) -> list[ReportJob]:
    """The order to start builds in: the `all` reports first, as they take longest (every
    region's rows and figures); started last, one of them would finish alone on one core."""
    return sorted(jobs, key=lambda job: job.region != ALL)


def failed_dir(final: Path) -> Path:
    return final.with_name(f"{final.name}.failed")


def swapped_out(final: Path, pid: int) -> Path:
    """Where a build is kept while its successor is swapped in (by process `pid`)."""
    return final.with_name(f".{final.name}.old-{pid}")


def unchanged(job: ReportJob, checked: dict, snapshot: str, outputs: Path) -> bool:
    """Whether the report's folder holds the build that `checked` (`ledger.recall`: what
    was kept for exactly these inputs) says was made from `snapshot`: nothing read to know."""
    folder = paths.report_dir(outputs, job.period, job.region)
    return ledger.unchanged(folder, checked.get("reports", {}).get(job.label), snapshot)


_STAGING = re.compile(r"^\..+\.(building|old|receiving)-(\d+)(?:-\d+)?$")


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie, killed but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2:][:1] != "Z"


def _dead_runs_folders(outputs: Path) -> list[tuple[Path, str]]:
    """Staging folders of runs whose process is gone, with their kind (building, old, receiving)."""
    found = []
    for folder in Path(outputs).glob("*/.*"):
        match = _STAGING.match(folder.name)
        if match and folder.is_dir() and not _alive(int(match.group(2))):
            found.append((folder, match.group(1)))
    return found


def restore_swapped(outputs: Path) -> list[Path]:
    """Put back the builds that a killed run had moved aside to swap a new one in, when no
    build took their place: the last good build is never lost between the two renames."""
    restored = []
    for folder, kind in _dead_runs_folders(outputs):
        final = folder.with_name(folder.name[1:].rsplit(".old-", 1)[0])
        if kind == "old" and not final.exists():
            folder.rename(final)
            restored.append(final)
    return restored


def clean_stale(outputs: Path) -> list[Path]:
    """Remove what runs that were killed left behind (their process is gone): staging
    folders in the outputs (a build moved aside is put back first when nothing took its
    place); kernel sockets, connection files and shared inputs in the temp folder."""
    restore_swapped(outputs)
    removed = []
    for folder, _kind in _dead_runs_folders(outputs):
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    for path in Path(tempfile.gettempdir()).glob(f"{paths.TEMP_PREFIX}*"):
        match = re.match(rf"{re.escape(paths.TEMP_PREFIX)}(\d+)-", path.name)
        if match and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
