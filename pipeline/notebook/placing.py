"""Where a report's narratives go, and filling them in once every figure is recorded.

A narrative may name any figure of its report, and the section notebooks record their figures
in turn: the activities table (section 1) is rendered before the surveys (section 1's trainings)
or the media (section 2) are computed. So a section notebook puts a slot where a narrative goes
(`slot`: which narrative, and what stands there when the report has none), and the builder
fills every slot of the report page and of the reviewers' notebook pages from the figures the
notebooks recorded (`Filler`, from figures.json's values): the narrative and the report's
tables show one and the same computed value.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import Path

from markupsafe import Markup

from pipeline.language import DEFAULT
from pipeline.notebook import narratives

_SLOT = re.compile(r'<div class="gr-narrative" data-narrative="([^"]*)" data-fallback="([^"]*)">.*?</div>', re.S)


def slot(name: str, period: str, fallback: str) -> Markup:
    """The place of the narrative `name` (`narratives/<period>/<name>.md`, or its region's
    override), with `fallback` (HTML) for a report without one. Until the report is stitched
    it says where its text will come from."""
    note = f"[текст из narratives/{period}/{name}.md — подставляется при сборке отчета]"
    return Markup(f'<div class="gr-narrative" data-narrative="{escape(name)}" data-fallback="{escape(str(fallback))}">'
                  f'<p class="gr-note">{escape(note)}</p></div>')


@dataclass(frozen=True)
class Filler:
    """Fills the narrative slots of one report's HTML with its narratives and recorded figures."""

    inputs_dir: Path
    period: str
    region: str
    figures: Mapping[str, object]
    #: Names of the grant's other reports' figures, shown as «—» (`blocks.elsewhere`).
    absent: Collection[str] = frozenset()
    #: What the narratives see beside `fig`: `period` and `region` (`narratives.template_values`).
    values: Mapping[str, object] = field(default_factory=dict)
    #: The report's language: a `kk` report reads `narratives/<period>/kk/…` first (`narratives.find`).
    language: str = DEFAULT

    def narrative(self, name: str) -> str | None:
        """The HTML of the narrative `name`, or None when the report has none."""
        return narratives.render(self.inputs_dir, self.period, name, dict(self.figures), absent=self.absent,
                                 region=self.region, values=self.values, language=self.language)

    def __call__(self, html: str) -> str:
        """`html` with every slot replaced by its narrative, or by its fallback."""
        rendered: dict[str, str | None] = {}

        def filled(match: re.Match[str]) -> str:
            name = unescape(match[1])
            if name not in rendered:
                rendered[name] = self.narrative(name)
            text = rendered[name]
            return text if text is not None else unescape(match[2])

        return _SLOT.sub(filled, html)
