"""The audit trail of one build: what was read (with content hashes), with what, how long."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import threading
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


def file_entries(files: list[Path], root: Path, hashes: dict[str, str] | None = None) -> list[dict]:
    """Path relative to `root`, size and SHA-256 of each file, sorted by path (`hashes`: those
    already known, by relative path, as the inputs were read)."""
    known = hashes or {}
    entries = []
    for f in files:
        name = Path(f).relative_to(root).as_posix()
        entries.append({"path": name, "size": Path(f).stat().st_size, "sha256": known.get(name) or sha256(f)})
    return sorted(entries, key=lambda e: e["path"])


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def write_text(path: Path, text: str) -> None:
    """UTF-8 text replaced whole, never half-written: a reader sees the old file or the new."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_json(path: Path, data: object) -> None:
    """JSON as people and diff tools read it: UTF-8 text, stable key order of the data, indented;
    replaced whole (`write_text`)."""
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def glue_locations(notebooks: list[Path]) -> dict[str, dict]:
    """Figure name -> the executed notebook and cell that glued it (index, execution count, id)."""
    import nbformat

    found: dict[str, dict] = {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                meta = output.get("metadata", {}).get("scrapbook", {})
                if meta.get("name") and meta.get("data"):
                    found[meta["name"]] = {"notebook": Path(path).name, "cell_index": index,
                                           "execution_count": cell.get("execution_count"), "cell_id": cell.get("id")}
    return found


def table_sources(root: Path, tables: list[str], rows: dict[str, int | None],
                  hashes: dict[str, dict]) -> list[dict]:
    """For each table: the rows of the report's scope it has and its files with their hashes."""
    from pipeline.loading import table_files

    sources = []
    for table in tables:
        files = [root / table] if table.endswith(".yml") else table_files(root, table)
        names = [Path(f).relative_to(root).as_posix() for f in files]
        sources.append({"table": table, "rows": rows.get(table),
                        "files": [{"path": n, "sha256": hashes[n]["sha256"]} for n in names if n in hashes]})
    return sources


def figure_provenance(figures: dict[str, object], locations: dict[str, dict], root: Path,
                      rows: dict[str, int | None], inputs: list[dict]) -> dict[str, dict]:
    """Every figure: value, meaning, the cell that glued it, and the inputs that fed it."""
    from pipeline import catalogue

    hashes = {entry["path"]: entry for entry in inputs}
    provenance = {}
    for name, value in figures.items():
        entry = catalogue.lookup(name)
        provenance[name] = {
            "value": value,
            "description": entry.describe(name),
            "function": entry.function,
            **locations.get(name, {}),
            "inputs": table_sources(root, list(entry.tables), rows, hashes),
        }
    return provenance
