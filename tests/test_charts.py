"""The survey chart: sized for the printed page whatever the number of groups (issue 3:
charts as static images at print resolution, labels readable on paper)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from PIL import Image

from pipeline.notebook import charts

REGIONS = ["Алматинская область", "Западно-Казахстанская область", "Мангистауская область",
           "Кызылординская область", "Туркестанская область", "Актюбинская область"]
TOPICS = ["Развитие и участие граждан в МСУ",
          "Повышение правовой грамотности местных сообществ в процессе принятия решений и общественном контроле"]


def _rows(groups: int) -> pd.DataFrame:
    records = [{"region": region, "topic": topic, "respondents": 10 + i,
                "knowledge_before": 3 + i / 100, "knowledge_after": 4.5, "trainer": 4.9, "organisation": None}
               for i, (region, topic) in enumerate((r, t) for r in REGIONS for t in TOPICS)]
    return pd.DataFrame.from_records(records[:groups])


def _size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


def test_no_questionnaires_no_chart():
    assert charts.survey_chart_png(_rows(0)) is None
    assert charts.survey_chart(_rows(0)) is None


@pytest.mark.parametrize("groups", [1, 2, 12])
def test_the_chart_is_as_wide_as_the_printed_text_for_any_number_of_groups(groups):
    """More groups make the chart taller, never wider: printed at its own size, its 7 pt
    labels stay 7 pt (a chart of 12 groups once came out 31 inches wide, a third size on paper)."""
    width, height = _size(charts.survey_chart_png(_rows(groups)))
    assert width == round(charts.PAGE_WIDTH_IN * charts.DPI)
    expected = (charts.FRAME_HEIGHT_IN + charts.GROUP_HEIGHT_IN * groups) * charts.DPI
    assert height == pytest.approx(expected, abs=2)


def test_the_tallest_demo_chart_fits_a_printed_page():
    """Twelve groups (six regions × two topics, the demo's consolidated report) fit the
    page's text height (A4 landscape, 183 mm between the margins of report.css) unscaled."""
    _, height = _size(charts.survey_chart_png(_rows(12)))
    assert height / charts.DPI * 25.4 < 175


def test_the_same_rows_draw_the_same_bytes():
    assert charts.survey_chart_png(_rows(3)) == charts.survey_chart_png(_rows(3))


def test_a_missing_mean_is_left_out_not_an_error():
    """`organisation` is missing in every row above: the chart is still drawn, not an error."""
    assert charts.survey_chart_png(_rows(2)).startswith(b"\x89PNG")
