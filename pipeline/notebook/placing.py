"""Where a report's narratives go, and filling them in once every figure is recorded.

A narrative may name any figure of its report, and the section notebooks record their figures
in turn: the activities table (section 1) is rendered before the surveys (section 1's trainings)
or the media (section 2) are computed. So a section notebook puts a slot where a narrative goes
(`slot`: which narrative, and what stands there when the report has none), and the builder
fills every slot of the report page and of the reviewers' notebook pages from the figures the
notebooks recorded (`Filler`, from figures.json's values): the narrative and the report's
tables show one and the same computed value. Likewise a figure a section shows before its
notebook computes it (the form's indicators in the activities table: `later`), with its share of
a target (`later_share`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import Path

from markupsafe import Markup

from pipeline.figures import indicators as ind
from pipeline.language import DEFAULT
from pipeline.notebook import formatting, narratives

_SLOT = re.compile(r'<div class="gr-narrative" data-narrative="([^"]*)" data-fallback="([^"]*)">.*?</div>', re.S)
_OPTIONAL = re.compile(r'<p class="gr-optional" data-figure="([^"]*)">.*?</p>', re.S)
_LATER = re.compile(r'<span class="gr-later" data-figure="([^"]*)" data-of="([^"]*)">[^<]*</span>')
#: What a `later` slot shows until the report is stitched.
_PENDING = "…"


def slot(name: str, period: str, fallback: str) -> Markup:
    """The place of the narrative `name` (`narratives/<period>/<name>.md`, or its region's
    override), with `fallback` (HTML) for a report without one. Until the report is stitched
    it says where its text will come from."""
    note = f"[текст из narratives/{period}/{name}.md — подставляется при сборке отчета]"
    return Markup(f'<div class="gr-narrative" data-narrative="{escape(name)}" data-fallback="{escape(str(fallback))}">'
                  f'<p class="gr-note">{escape(note)}</p></div>')


def later(name: str) -> Markup:
    """The place of the figure `name`'s value, recorded by a later notebook of the report."""
    return Markup(f'<span class="gr-later" data-figure="{escape(name)}" data-of="">{_PENDING}</span>')


def later_share(name: str, target: float) -> Markup:
    """The place of « (Z %)»: the figure `name` as a share of `target` (`indicators.achieved_pct`,
    the rule of the plan's own `achieved_pct`), nothing when there is none."""
    return Markup(f'<span class="gr-later" data-figure="{escape(name)}" data-of="{target!r}">{_PENDING}</span>')


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

        return _LATER.sub(self._figure, _OPTIONAL.sub(self._kept, _SLOT.sub(filled, html)))

    def _kept(self, match: re.Match[str]) -> str:
        """An optional paragraph (a regional report's indicator without its region's target):
        kept when its figure tells something of the region, left out when it is not the
        report's, has no value, or is a count of 0 (a share of 0 % is a result: kept)."""
        name = unescape(match[1])
        value = None if name in self.absent else self.figures.get(name)
        told = value is not None and (value != 0 or name.endswith("_pct"))
        return match[0] if told else ""

    def _figure(self, match: re.Match[str]) -> str:
        """A `later` slot: the figure's value linked to its evidence (as every number of the
        report), or its share of a target; «—» for a figure of another region's report."""
        name, of = unescape(match[1]), match[2]
        value = None if name in self.absent else self.figures.get(name)
        if of:
            share = ind.achieved_pct(value, float(of)) if isinstance(value, int | float) else None
            return "" if share is None else f" ({formatting.pct(share)})"
        if name in self.absent or name not in self.figures:
            return formatting.figure(name, None)
        return (f'<a class="gr-figure" href="#fig-{escape(name)}" data-figure="{escape(name)}">'
                f'{formatting.figure(name, value)}</a>')
