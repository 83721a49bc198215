"""Charts as static PNG images (print resolution, fixed metadata so builds are repeatable).

Sized for the page they are printed on: as wide as the report's text on A4 landscape, so a
chart is printed at its own size (7 pt labels stay 7 pt on paper) whatever the number of
groups; more groups make it taller, not smaller.
"""

from __future__ import annotations

import io
import textwrap

import pandas as pd
from IPython.display import Image

# matplotlib's object API: no pyplot (its import is half of matplotlib's, in every kernel), no
# global figure to close, and the Agg canvas whatever the backend a kernel would choose.
from matplotlib.figure import Figure

from pipeline.notebook import formatting

DPI = 150
#: The text width of the printed page (A4 landscape less the margins of report.css), inches.
PAGE_WIDTH_IN = 10.0
#: Height of one region-and-topic group of bars, and of the legend and axis around them.
GROUP_HEIGHT_IN, FRAME_HEIGHT_IN = 0.42, 0.9
SERIES = {
    "knowledge_before": "Знания до тренинга",
    "knowledge_after": "Знания после тренинга",
    "trainer": "Работа тренера",
    "organisation": "Организация",
}
SCALE_MAX = 5
#: What the chart shows, for screen readers and wherever the image is not seen.
SURVEY_ALT = ("Средние баллы анкет по регионам и темам тренингов: знания до и после тренинга, "
              "работа тренера, организация (шкала от 1 до 5; значения — в таблице выше).")


def survey_chart_png(rows: pd.DataFrame) -> bytes | None:
    """Horizontal grouped bars of the four survey means per region and topic (one group per
    row of `views.survey_rows`, top to bottom in its order); None when there are none."""
    if rows.empty:
        return None
    labels = [f"{r.region}\n{textwrap.fill(_shorten(str(r.topic)), 55)}" for r in rows.itertuples()]
    height = FRAME_HEIGHT_IN + GROUP_HEIGHT_IN * len(rows)
    fig = Figure(figsize=(PAGE_WIDTH_IN, height), dpi=DPI)
    ax = fig.subplots()
    bar = 0.8 / len(SERIES)
    for i, (column, label) in enumerate(SERIES.items()):
        ys = [y + (i - (len(SERIES) - 1) / 2) * bar for y in range(len(rows))]
        values = rows[column].astype(float).fillna(0)
        bars = ax.barh(ys, values, bar, label=label)
        ax.bar_label(bars, labels=[formatting.number(v) if v else "" for v in rows[column]], fontsize=6, padding=2)
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first group on top, no padding above or below
    ax.set_xlim(0, SCALE_MAX + 0.4)
    ax.set_xticks(range(SCALE_MAX + 1))
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel("Средний балл (1–5)", fontsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(ncols=len(SERIES), fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _shorten(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def survey_chart(rows: pd.DataFrame) -> Image | None:
    """The chart as a notebook image (nothing shown when there are no questionnaires)."""
    png = survey_chart_png(rows)
    return None if png is None else Image(data=png, format="png", alt=SURVEY_ALT)
