"""Files hashed, written whole and read back: what every layer does with a file."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def digest_of_text(text: str) -> str:
    """SHA-256 of a text, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def folder_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file under the inputs folder, by relative path."""
    root = Path(root)
    return {p.relative_to(root).as_posix(): sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


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


def read_json_object(path: Path) -> dict | None:
    """A JSON object written by `write_json` (figures.json, say), or None when the file is
    missing, unreadable or holds something else: for pages and listings that show what was
    built, where a damaged file means "nothing to show", not an error."""
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None
