"""The audit trail of one build: what was read (with content hashes), with what, how long."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from pipeline.disk import is_digest, sha256
from pipeline.language import DEFAULT
from pipeline.notebook import recording


def _as_is(path: str) -> str:
    return path


def inputs_name(root: Path) -> str | None:
    """The inputs folder as a manifest names it: a path relative to the folder the command runs
    in, when it lies inside it (`inputs`, as `verify` then finds it by default), else None. Never
    a folder of the machine: a build of the same inputs elsewhere writes the same manifest."""
    here, folder = Path.cwd().resolve(), Path(root).resolve()
    return folder.relative_to(here).as_posix() if folder.is_relative_to(here) else None


def file_entries(files: list[Path], root: Path, hashes: dict[str, str] | None = None,
                 shown: Callable[[str], str] = _as_is) -> list[dict]:
    """Path relative to `root` (as `shown` names it: a name that looks like personal data
    pseudonymised, `Inputs.shown.path`), size and SHA-256 of each file, sorted by path
    (`hashes`: those already known, by relative path, as the inputs were read; a key that is
    not a hash, of a file hashed by its size and time, is hashed here)."""
    known = hashes or {}
    entries = []
    for f in files:
        name = Path(f).relative_to(root).as_posix()
        key = known.get(name)
        entries.append({"path": shown(name), "size": Path(f).stat().st_size,
                        "sha256": key if key and is_digest(key) else sha256(f)})
    return sorted(entries, key=lambda e: e["path"])


def glue_locations(notebooks: Mapping[Path, Mapping]) -> dict[str, dict]:
    """Figure name -> the executed notebook (path → JSON) and cell that glued it (index,
    execution count, id)."""
    return {name: {"notebook": path.name, "cell_index": index,
                   "execution_count": cell.get("execution_count"), "cell_id": cell.get("id")}
            for path, notebook in notebooks.items() for index, cell, name, _value in recording.scraps(notebook)}


def table_sources(root: Path, tables: list[str], rows: Mapping[str, int],
                  hashes: dict[str, dict], shown: Callable[[str], str] = _as_is) -> list[dict]:
    """For each table: the rows of the report's scope it has and its files (as `shown` names
    them) with their hashes."""
    from pipeline.inputs.reading import table_files

    sources = []
    for table in tables:
        files = [root / table] if table.endswith(".yml") else table_files(root, table)
        names = [shown(Path(f).relative_to(root).as_posix()) for f in files]
        sources.append({"table": table, "rows": rows.get(table),
                        "files": [{"path": n, "sha256": hashes[n]["sha256"]} for n in names if n in hashes]})
    return sources


def figure_provenance(figures: dict[str, object], locations: dict[str, dict], root: Path,
                      rows: Mapping[str, int], inputs: list[dict],
                      lineage: Mapping[str, list[dict]] | None = None,
                      shown: Callable[[str], str] = _as_is,
                      names: Mapping[str, Mapping[str, str]] | None = None,
                      language: str = DEFAULT) -> dict[str, dict]:
    """Every figure: value, meaning (in the report's `language`, its parts by the grant's
    `names`, `catalogue.grant_names`)
    and rule, the cell that computed and recorded it, the inputs that fed it and the rows it was
    computed from (`lineage`, by figure)."""
    from pipeline.figures import catalogue

    hashes = {entry["path"]: entry for entry in inputs}
    sources: dict[tuple[str, ...], list[dict]] = {}  # many figures share their tables: found once
    provenance = {}
    for name, value in figures.items():
        entry = catalogue.lookup(name)
        tables = tuple(entry.tables)
        if tables not in sources:
            sources[tables] = table_sources(root, list(tables), rows, hashes, shown)
        provenance[name] = {
            "value": value,
            "description": entry.describe(name, names, language),
            "rule": catalogue.rule_of(name).text,
            "function": entry.function,
            **locations.get(name, {}),
            "inputs": sources[tables],
            "rows": list((lineage or {}).get(name, [])),
        }
    return provenance
