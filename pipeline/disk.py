"""Files hashed, written whole and read back: what every layer does with a file."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.exceptions import printable

#: The key `folder_hashes` gives a link that leads outside its folder (or nowhere): never
#: followed, so nothing of where it leads is read, not even its size.
LINK_OUT = "link leading outside the folder: not followed"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def bounded_sha256(path: Path, limit: int) -> str | None:
    """SHA-256 of a file of at most `limit` bytes, hex; None for a bigger one (of which only
    `limit` + 1 bytes are read, whatever its size said a moment before)."""
    digest = hashlib.sha256()
    read = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            read += len(block)
            if read > limit:
                return None
            digest.update(block)
    return digest.hexdigest()


def digest_of_text(text: str) -> str:
    """SHA-256 of a text, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def leads_inside(root: Path, path: Path) -> bool:
    """Whether `path` (a link followed to where it leads) lies inside `root`."""
    try:
        return Path(path).resolve().is_relative_to(Path(root).resolve())
    except (OSError, RuntimeError):  # a loop of links
        return False


def _entries(root: Path) -> Iterator[tuple[str, Path]]:
    """Every file and link under `root`, by relative path, sorted, without leaving it: folders
    that are links are listed, never walked into."""
    for folder, folders, files in os.walk(root):  # links to folders stay in `folders`, unwalked
        folders.sort()
        base = Path(folder)
        links = [name for name in folders if (base / name).is_symlink()]
        for name in sorted([*files, *links]):
            path = base / name
            yield path.relative_to(root).as_posix(), path


def folder_hashes(root: Path, limit: Callable[[str], int] = lambda relative: 0) -> dict[str, str]:
    """A key of every file under `root`, by relative path, that changes when the file does:
    its SHA-256 when `limit(relative path)` allows its size (the files a run reads, up to their
    size limit), else its size and modification time, the file never opened (a video dropped in
    costs a `stat`, whatever its size). A link is followed only to a file inside `root`; one
    leading outside (or nowhere) is `LINK_OUT`, never followed; other links to folders, and
    what is not a regular file (a pipe, a device), are left out."""
    root = Path(root)
    keys: dict[str, str] = {}
    for relative, path in _entries(root):
        if path.is_symlink() and not (leads_inside(root, path) and path.exists()):
            keys[relative] = LINK_OUT
            continue
        try:
            status = path.stat()
        except OSError:  # gone since it was listed, or not readable: as if absent
            continue
        if not stat.S_ISREG(status.st_mode):
            continue
        allowed = limit(relative)
        digest = bounded_sha256(path, allowed) if allowed and status.st_size <= allowed else None
        keys[relative] = digest or f"size {status.st_size}, modified {status.st_mtime_ns}"
    return dict(sorted(keys.items()))


def is_digest(key: str) -> bool:
    """Whether a `folder_hashes` key is a SHA-256 of the file's content."""
    return bool(_DIGEST.fullmatch(key))


_DIGEST = re.compile(r"[0-9a-f]{64}")


def write_text(path: Path, text: str) -> None:
    """UTF-8 text replaced whole, never half-written: a reader sees the old file or the new.
    Printable (`exceptions.printable`): a control character from the inputs is kept as its
    escape (`\\x1b`), never raw, whoever prints the file; tabs and newlines stay. (A JSON text
    has none left to escape: `json_text`, `safe_json`.)"""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_text(printable(text, keep_lines=True), encoding="utf-8")
    os.replace(temporary, path)


def safe_json(text: str) -> str:
    """A JSON text with DEL and the C1 control characters escaped too (`\\u009b`; JSON escapes
    the C0 ones itself): printable, and the same data read back."""
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_C1 = re.compile(r"[\x7f-\x9f]")  # only ever inside a JSON text's strings: its structure is ASCII


def json_text(data: object) -> str:
    """JSON as people and diff tools read it: UTF-8 text, stable key order of the data,
    indented; printable (`safe_json`)."""
    return safe_json(json.dumps(data, ensure_ascii=False, indent=2))


def write_json(path: Path, data: object) -> None:
    """`json_text` of `data`, replaced whole (`write_text`)."""
    write_text(path, json_text(data) + "\n")


def read_json_object(path: Path) -> dict[str, object] | None:
    """A JSON object written by `write_json` (figures.json, say), or None when the file is
    missing, unreadable or holds something else: for pages and listings that show what was
    built, where a damaged file means "nothing to show", not an error."""
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None
