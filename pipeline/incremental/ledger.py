"""Whether the last builds still stand, told from file hashes alone: nothing read, typed or
validated, and no pandas imported.

An unchanged rerun is the commonest run. The run that validated an inputs folder keeps,
beside the reports (CHECKED), what validating it told (the grid of periods and regions, the
data warnings: counts, never personal data) and, for each report it left up to date, the
key of the build in the report's folder with the snapshot key it was made from: the key of
every file of the inputs folder (`inputs.folder.hashes`: the SHA-256 of the files a run reads,
the size and time of the others, never opened), the pipeline's code and package versions, the
notebooks and the formats. When the folder hashes the same under the same code, and every requested
report's folder still holds the build kept for that snapshot, the run is over. Anything
else goes the long way (`fingerprints`: report by report, by the rows each reads, after
validation), which rebuilds only what a change touches.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from pipeline import disk, paths

KEY_VERSION = "1"

#: The packages whose versions a build records and its keys depend on.
PACKAGES = ("papermill", "scrapbook", "nbconvert", "nbclient", "nbformat", "ipykernel",
            "pandas", "pyarrow", "matplotlib", "openpyxl", "PyYAML", "Jinja2", "babel", "mistune",
            "weasyprint", "python-docx")  # the last two lay out report.pdf and write report.docx

#: What the last validation of the inputs told, kept in the outputs folder.
CHECKED = ".inputs-checked.json"


def digest(*parts: bytes | str) -> str:
    """SHA-256 of the parts, each length-prefixed so that no two lists of parts collide."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def versions() -> dict[str, str]:
    """The interpreter's and every recorded package's version."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def inputs_digest(hashes: dict[str, str]) -> str:
    """One hash for the whole folder: every file's path and key (`inputs.folder.hashes`)."""
    return digest(*(f"{path}:{sha}" for path, sha in sorted(hashes.items())))


@lru_cache(maxsize=1)
def environment_key() -> str:
    """The pipeline's code and templates, and the interpreter's and packages' versions: not
    where they are installed (a build's keys, in its manifest, name no folder of the machine,
    so the same code and versions elsewhere build the same bytes). The notebooks an installed
    wheel keeps in the package (`paths.SHIPPED_NOTEBOOKS`) are not code: each is keyed by its
    own content (`snapshot_key`, `fingerprints.build_keys`), as in a checkout."""
    skipped = {"__pycache__", paths.SHIPPED_NOTEBOOKS}
    files = sorted(p for p in paths.PACKAGE_DIR.rglob("*")
                   if p.is_file() and not skipped & set(p.relative_to(paths.PACKAGE_DIR).parts))
    code = [f"{p.relative_to(paths.PACKAGE_DIR).as_posix()}:{disk.sha256(p)}" for p in files]
    return digest(KEY_VERSION, json.dumps(versions(), sort_keys=True), *code)


def snapshot_key(hashes: dict[str, str], notebooks: list[Path], formats: tuple[str, ...],
                 language: str | None = None) -> str:
    """Everything a run builds its reports from, by file content: the inputs, the code and
    packages, the notebooks, the formats; and the language `run --language` chose (None:
    grant.yml's, which its hash holds), so that a run in another language is never settled as
    unchanged by one in grant.yml's."""
    chosen = [f"language:{language}"] if language else []
    return digest(inputs_digest(hashes), environment_key(), ",".join(sorted(formats)),
                  *(f"{nb.name}:{disk.sha256(nb)}" for nb in notebooks), *chosen)


def last_manifest(folder: Path) -> dict:
    """The manifest of a report's last good build (empty when there is none); its `build`
    holds the keys that build was made with."""
    manifest = Path(folder) / "manifest.json"
    if not manifest.is_file():
        return {}
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def complete(folder: Path, build: dict) -> bool:
    """Whether every file a build with these keys writes is in `folder`."""
    expected = ["figures.json", *(f"notebooks/{name}" for name in build.get("notebooks", {}))]
    expected += [paths.REPORT_FILES[f] for f in build.get("formats", []) if f in paths.REPORT_FILES]
    expected += paths.evidence_files(build.get("formats", []))
    return all((Path(folder) / name).is_file() for name in expected)


def remember(outputs: Path, hashes: dict[str, str], periods: list[str], regions: list[str],
             warnings: list[str], reports: dict[str, dict], names: dict | None = None) -> None:
    """Keep what validating these inputs told (valid; their grid; their data warnings; the
    `names` a person reads for the grid's ids, the dashboard's) and, by report label, the key
    of the build each report folder holds (`report`) with the snapshot key it stands for
    (`snapshot`); joined to what was kept for the same inputs."""
    target = Path(outputs) / CHECKED
    kept = recall(outputs, hashes) or {}
    target.parent.mkdir(parents=True, exist_ok=True)
    disk.write_json(target, {
        "inputs": inputs_digest(hashes), "environment": environment_key(),
        "periods": periods, "regions": regions, "warnings": warnings,
        "names": names if names is not None else kept.get("names", {}),
        "reports": {**kept.get("reports", {}), **reports},
    })


def recall(outputs: Path, hashes: dict[str, str]) -> dict | None:
    """What was kept for exactly these inputs under this code, if anything."""
    try:
        checked = json.loads((Path(outputs) / CHECKED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if checked.get("inputs") != inputs_digest(hashes) or checked.get("environment") != environment_key():
        return None
    return checked


def unchanged(folder: Path, kept: dict | None, snapshot: str) -> bool:
    """Whether the report folder still holds, complete, the build that `kept` (its entry in
    what was kept for these inputs) says was made from `snapshot`."""
    if not kept or kept.get("snapshot") != snapshot:
        return False
    build = last_manifest(folder).get("build", {})
    return build.get("report") == kept.get("report") and complete(folder, build)


def current(folder: Path, kept: dict | None, snapshot_of: Callable[[tuple[str, ...]], str]) -> bool:
    """Whether the report folder holds the build a run would make now of the same formats:
    `unchanged`, against the snapshot key of the formats its build was made in (`snapshot_of`)."""
    formats = last_manifest(folder).get("build", {}).get("formats", [])
    return unchanged(folder, kept, snapshot_of(tuple(sorted(formats))))
