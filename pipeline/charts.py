"""Charts as static PNG images (print resolution, fixed metadata so builds are repeatable)."""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from IPython.display import Image  # noqa: E402

from pipeline import formatting  # noqa: E402

DPI = 150
SERIES = {
    "knowledge_before": "Знания до тренинга",
    "knowledge_after": "Знания после тренинга",
    "trainer": "Работа тренера",
    "organisation": "Организация",
}


def survey_chart_png(rows: pd.DataFrame) -> bytes | None:
    """Grouped bars of the four survey means per region and topic; None when there are none."""
    if rows.empty:
        return None
    labels = [f"{r.region}\n{textwrap.fill(_shorten(r.topic), 30)}" for r in rows.itertuples()]
    fig, ax = plt.subplots(figsize=(max(6.0, 2.6 * len(rows)), 4.2), dpi=DPI)
    width = 0.8 / len(SERIES)
    for i, (column, label) in enumerate(SERIES.items()):
        xs = [x + (i - 1.5) * width for x in range(len(rows))]
        values = rows[column].astype(float).fillna(0)
        bars = ax.bar(xs, values, width, label=label)
        ax.bar_label(bars, labels=[formatting.number(v) if v else "" for v in rows[column]], fontsize=7, padding=1)
    ax.set_xticks(range(len(rows)), labels, fontsize=7)
    ax.set_ylim(0, 5.6)
    ax.set_ylabel("Средний балл (1–5)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(ncols=4, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, 1.15), frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def survey_chart(rows: pd.DataFrame) -> Image | None:
    """The chart as a notebook image (nothing shown when there are no questionnaires)."""
    png = survey_chart_png(rows)
    return None if png is None else Image(data=png, format="png")
