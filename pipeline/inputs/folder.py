"""The inputs folder as a run sees it before reading anything: which of its files a run reads,
told by their names alone, and the key of every file (`hashes`) that says whether the folder
changed.

Only the files a run reads are hashed, and only up to a table file's size limit: grant.yml,
the tables' files (`NAME.csv`, `NAME.xlsx`, the parts in `NAME/`, as `reading.table_files`
finds them) and the narratives. Any other file (a photo, a video of the event, a README) is
never opened: its size and modification time key it, and a warning names it. A link leading
outside the folder is never followed (`disk.LINK_OUT`). So hashing the folder costs what
reading its tables costs, whatever else is dropped in, and never leaves it.

Imports no pandas: an unchanged rerun hashes the folder and stops (`app`).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from pipeline import disk, paths
from pipeline.inputs.schema import TABLES

#: A table file (a CSV as stored, an .xlsx unpacked) holds at most this many bytes
#: (`reading`); no file is hashed beyond it.
MAX_FILE_BYTES = 50 * 1024 * 1024

TABLE_SUFFIXES = (".csv", ".xlsx")

#: What is said of a link leading outside the inputs folder.
LINKED_OUT = "a link leading outside the inputs folder: not followed, not read (copy the file itself into the folder)"


def is_table_file(relative: str) -> bool:
    """Whether a run reads this file (its path relative to the inputs folder) as a table's:
    NAME.csv, NAME.xlsx, or a .csv/.xlsx part in NAME/ (not hidden, not an Office lock file)."""
    parts = PurePosixPath(relative).parts
    if len(parts) == 1:
        return any(parts[0] == f"{table}{suffix}" for table in TABLES for suffix in TABLE_SUFFIXES)
    return (len(parts) == 2 and parts[0] in TABLES and PurePosixPath(parts[1]).suffix.lower() in TABLE_SUFFIXES
            and not parts[1].startswith(("~$", ".")))


def is_spreadsheet(relative: str) -> bool:
    """Whether a file is a .csv or .xlsx grant.yml's `files:` may give a table (wherever it
    lies but under narratives/; not hidden, not an Office lock file)."""
    parts = PurePosixPath(relative).parts
    return (PurePosixPath(relative).suffix.lower() in TABLE_SUFFIXES and parts[0] != paths.NARRATIVES_DIR
            and not any(part.startswith((".", "~$")) for part in parts))


def is_read(relative: str) -> bool:
    """Whether a run may read this file: grant.yml, a table's file, a spreadsheet grant.yml's
    `files:` may name, or a narrative (`.md` under narratives/)."""
    parts = PurePosixPath(relative).parts
    return (relative == paths.GRANT_FILE or is_table_file(relative) or is_spreadsheet(relative)
            or (len(parts) > 1 and parts[0] == paths.NARRATIVES_DIR and PurePosixPath(relative).suffix == ".md"))


def hash_limit(relative: str) -> int:
    """How big a file may be for its content to be hashed: a table file's limit for the files a
    run reads, 0 (never opened) for the others."""
    return MAX_FILE_BYTES if is_read(relative) else 0


def hashes(root: Path) -> dict[str, str]:
    """The key of every file of the inputs folder, by relative path (`disk.folder_hashes` with
    `hash_limit`): what an unchanged rerun, the ledger and a build's change checks compare."""
    return disk.folder_hashes(Path(root), hash_limit)
