"""The audit trail of one build: what was read (with content hashes), with what, how long."""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

PACKAGES = ("papermill", "scrapbook", "nbconvert", "nbclient", "nbformat", "ipykernel",
            "pandas", "pyarrow", "matplotlib", "openpyxl", "PyYAML", "Jinja2", "babel", "mistune")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entries(files: list[Path], root: Path) -> list[dict]:
    """Path relative to `root`, size and SHA-256 of each file, sorted by path."""
    entries = [{"path": Path(f).relative_to(root).as_posix(), "size": Path(f).stat().st_size, "sha256": sha256(f)}
               for f in files]
    return sorted(entries, key=lambda e: e["path"])


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def write_json(path: Path, data: object) -> None:
    """JSON as people and diff tools read it: UTF-8 text, stable key order of the data, indented."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
