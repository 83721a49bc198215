"""Records that point nowhere: a feedback form or a training questionnaire whose consultation or
event id (written in its cell) names no row of its table. A beneficiary's typo in a consultation
number must not force deleting their form: such a record is left out of the figures, with a data
warning naming its rows and the closest known id (`records.unknown_id`, counted in every
report's data notes as a note about the folder). A participant of an unknown event stays a
problem (`checks`), as does a form whose whole table is missing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pandas as pd

from pipeline.inputs.datawarning import DataWarning, plural
from pipeline.inputs.lines import where_text
from pipeline.inputs.reading import Part

#: Records that name a row of another table by its id, and are left out of the figures (with a
#: warning) when no such row is there: a beneficiary's typo in a consultation number must not
#: force deleting their form. A table -> (its id column, the table that column names).
POINTING = {"feedback": ("consultation_id", "consultations"), "training_surveys": ("event_id", "events")}
_RECORD_WORDS = {"feedback": ("feedback form", "feedback forms"),
                 "training_surveys": ("questionnaire", "questionnaires")}


#: Letters typed for the digit or Latin letter they look like, in an id: Cyrillic С, О, Т, …; O for 0.
_LOOKALIKES = str.maketrans("асекорхтнвмуіo", "acek0pxthbmyi0")


def _shape(text: str) -> str:
    return text.casefold().translate(_LOOKALIKES).replace(" ", "")


def _closest(value: str, known: Iterable[str]) -> str | None:
    """The known id closest to `value`, compared case-insensitively and with look-alike letters
    as the letter or digit they look like (О for 0); None when none is close."""
    by_key = {_shape(str(k)): str(k) for k in known}
    close = difflib.get_close_matches(_shape(value), list(by_key), n=1, cutoff=0.6)
    return by_key[close[0]] if close else None


def pointing_nowhere(tables: dict[str, pd.DataFrame], parts: dict[str, list[Part]]) -> list[tuple[str, pd.Series]]:
    """For each table of `POINTING`, the mask of its rows whose id (written in a cell, not made
    from a file's name) names no row of the table it points to (which has rows)."""
    found = []
    for table, (column, target) in POINTING.items():
        frame, targets = tables.get(table), tables.get(target)
        if frame is None or not len(frame) or targets is None or not len(targets):
            continue
        made = {part.file for part in parts.get(table, []) if column in part.made}
        ids = frame[column].fillna("").astype(str)
        mask = (ids != "") & ~ids.isin(set(targets[column].dropna().astype(str))) & ~frame["_file"].isin(made)
        found.append((table, mask))
    return found


def left_out(tables: dict[str, pd.DataFrame],
             parts: dict[str, list[Part]]) -> tuple[dict[str, pd.DataFrame], list[DataWarning]]:
    """The tables without the records that point nowhere (`pointing_nowhere`), and a warning per
    file and id naming their rows and the closest known id: they are not counted anywhere."""
    kept, found = dict(tables), []
    for table, mask in pointing_nowhere(tables, parts):
        column, target = POINTING[table]
        frame = tables[table]
        known = set(tables[target][column].dropna().astype(str))
        one, many = _RECORD_WORDS[table]
        for (file, value), rows in frame[mask].groupby(["_file", column], sort=True):
            closest = _closest(str(value), known)
            hint = f": did you mean {closest}?" if closest else ""
            found.append(DataWarning(
                "records.unknown_id", f"{where_text(str(file), [int(r) for r in rows['_row']])}: {column} = {value}: "
                f"no {column} {value} in {target}{hint} ({plural(len(rows), one, many)} left out of the figures)",
                len(rows)))
        kept[table] = frame[~mask].reset_index(drop=True)
    return kept, found
