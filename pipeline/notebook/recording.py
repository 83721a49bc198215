"""Recording figures with scrapbook, null included, and reading them back.

scrapbook's json encoder cannot hold None (its payload schema rejects null), yet "no
answers" is a real figure value. Null figures are recorded with the `figure-null`
encoder registered here: its payload is the text "null" and it decodes to None.

Reading back takes the payloads `glue` wrote straight from the executed notebook's outputs:
`scrapbook.read_notebook` checks every payload against its JSON schema, re-checking the schema
itself each time (~0.3 s a report), for payloads this module wrote and papermill validated.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import nbformat
import scrapbook as sb
from scrapbook.encoders import registry
from scrapbook.models import Scrap
from scrapbook.schemas import GLUE_PAYLOAD_PREFIX

NULL_ENCODER = "figure-null"


class NullFigureEncoder:
    """Stores None as the JSON text "null" and reads it back as None."""

    def name(self) -> str:
        return NULL_ENCODER

    def encodable(self, data: object) -> bool:
        return data is None

    def encode(self, scrap: Scrap, **kwargs: object) -> Scrap:
        return scrap._replace(data="null")

    def decode(self, scrap: Scrap, **kwargs: object) -> Scrap:
        return scrap._replace(data=None)


if NULL_ENCODER not in registry._encoders:
    registry.register(NullFigureEncoder())


def glue(name: str, value: object) -> None:
    """Record one figure in the running notebook (data only, nothing displayed)."""
    sb.glue(name, value, encoder=NULL_ENCODER if value is None else "json", display=False)


#: Scraps named with this prefix hold a block's row-level lineage, not a figure.
ROWS_PREFIX = "rows-of:"


def glue_rows(block: str, rows: list[dict], figures: Mapping[str, list[int]]) -> None:
    """Record, for each figure of a block, the input rows it was computed from: the block's rows
    once (`lineage.refs`) and each figure's as their places in that list. A block's figures
    share most of their rows (a survey's means, region by region), so each row's values are
    written once per block rather than once per figure that counts it (`read_scraps` expands)."""
    sb.glue(f"{ROWS_PREFIX}{block}", {"rows": rows, "figures": dict(figures)}, encoder="json", display=False)


def _expanded(lineage: Mapping[str, Any]) -> dict[str, list[dict]]:
    rows = lineage["rows"]
    return {name: [rows[i] for i in places] for name, places in lineage["figures"].items()}


def executed(path: Path | str) -> dict[str, Any]:
    """An executed notebook as papermill wrote (and validated) it, not validated again:
    nbformat's JSON reader, which joins multi-line sources and outputs."""
    return nbformat.v4.reads(Path(path).read_text(encoding="utf-8"))


def scraps(notebook: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any], str, object]]:
    """(cell index, cell, name, value) of every scrap of an executed notebook, in glue order."""
    for index, cell in enumerate(notebook.get("cells", ())):
        for output in cell.get("outputs", ()):
            for mime, payload in output.get("data", {}).items():
                if mime.startswith(GLUE_PAYLOAD_PREFIX) and isinstance(payload, Mapping):
                    yield index, cell, str(payload["name"]), _decoded(payload)


def _decoded(payload: Mapping[str, Any]) -> object:
    encoder = payload.get("encoder")
    if encoder == NULL_ENCODER:
        return None
    if encoder == "json":
        return payload.get("data")
    raise ValueError(f"scrap «{payload.get('name')}» was recorded with the «{encoder}» encoder, "
                     f"not by this module: only json and {NULL_ENCODER} are read")


def read_scraps(notebook: Mapping[str, Any] | Path | str) -> tuple[dict[str, object], dict[str, list[dict]]]:
    """The figures recorded in an executed notebook (its JSON or its path), in the order they
    were glued, and for each the rows it was computed from."""
    figures: dict[str, object] = {}
    rows: dict[str, list[dict]] = {}
    for _index, _cell, name, value in scraps(notebook if isinstance(notebook, Mapping) else executed(notebook)):
        if name.startswith(ROWS_PREFIX):
            rows.update(_expanded(value))  # type: ignore[arg-type]
        else:
            figures[name] = value
    return figures, rows


def read_figures(notebook: Mapping[str, Any] | Path | str) -> dict[str, object]:
    """The figures recorded in an executed notebook, in the order they were glued."""
    return read_scraps(notebook)[0]
