"""Recording figures with scrapbook, null included.

scrapbook's json encoder cannot hold None (its payload schema rejects null), yet "no
answers" is a real figure value. Null figures are recorded with the `figure-null`
encoder registered here: its payload is the text "null" and it decodes to None. Import
this module before reading scraps (pipeline.build.builder does).
"""

from __future__ import annotations

import scrapbook as sb
from scrapbook.encoders import registry

NULL_ENCODER = "figure-null"


class NullFigureEncoder:
    """Stores None as the JSON text "null" and reads it back as None."""

    def name(self) -> str:
        return NULL_ENCODER

    def encodable(self, data) -> bool:
        return data is None

    def encode(self, scrap, **kwargs):
        return scrap._replace(data="null")

    def decode(self, scrap, **kwargs):
        return scrap._replace(data=None)


if NULL_ENCODER not in registry._encoders:
    registry.register(NullFigureEncoder())


def glue(name: str, value) -> None:
    """Record one figure in the running notebook (data only, nothing displayed)."""
    sb.glue(name, value, encoder=NULL_ENCODER if value is None else "json", display=False)


#: Scraps named with this prefix hold a block's row-level lineage, not a figure.
ROWS_PREFIX = "rows-of:"


def glue_rows(block: str, rows: dict[str, list[dict]]) -> None:
    """Record, for each figure of a block, the input rows it was computed from (`lineage.refs`)."""
    sb.glue(f"{ROWS_PREFIX}{block}", rows, encoder="json", display=False)


def read_scraps(path) -> tuple[dict[str, object], dict[str, list[dict]]]:
    """The figures recorded in an executed notebook, in the order they were glued, and for
    each the rows it was computed from."""
    figures: dict[str, object] = {}
    rows: dict[str, list[dict]] = {}
    for name, scrap in sb.read_notebook(str(path)).scraps.items():
        if name.startswith(ROWS_PREFIX):
            rows.update(scrap.data)
        else:
            figures[name] = scrap.data
    return figures, rows


def read_figures(path) -> dict[str, object]:
    """The figures recorded in an executed notebook, in the order they were glued."""
    return read_scraps(path)[0]
