"""What a report says of a plan activity when no narrative of the analyst's is true of it: a
plain account of its own records, never another report's prose.

A regional report without its region's narrative (and without a period narrative marked true of
every region, `frontmatter`) describes each activity by what its rows show — which events took
place, when, where, how many consultations, forms and publications — and its figures (the
participants the activities block recorded), with one line pointing to the consolidated report
for the project as a whole. An activity with no record in the report's scope says so in one line.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from markupsafe import Markup, escape

from pipeline.figures.blocks import activity_records
from pipeline.figures.scope import Selection
from pipeline.language import DEFAULT, N_, tr
from pipeline.notebook import formatting

#: An event of each type, in a sentence (a grant's own types are named by grant.yml).
EVENT_TYPE_NAME = {"conference": N_("конференция"), "training": N_("тренинг"), "meeting": N_("встреча"),
                   "presentation": N_("презентация"), "round_table": N_("круглый стол"), "other": N_("мероприятие")}
FORMAT_NAME = {"online": N_("онлайн"), "offline": N_("офлайн")}
NOTHING = N_("В отчетном периоде не проводилось.")
NOTHING_IN_REGION = N_("В регионе в отчетном периоде не проводилось.")
CONSOLIDATED = N_("О проекте в целом — в сводном отчете за период.")
CONSOLIDATED_STORY = N_("История успеха проекта — в сводном отчете за период.")


def has_records(sel: Selection, activity_id: str) -> bool:
    """Whether the report's scope holds any record of the activity: an event, a consultation,
    a feedback form, a payment or a publication."""
    own = activity_records(sel, activity_id)
    return bool(len(own.events) or len(own.consultations) or len(own.feedback) or own.payments
                or (sel.media["activity_id"] == activity_id).any())


def any_records(sel: Selection) -> bool:
    """Whether the report's scope holds any record at all (a region may have none in a period)."""
    return any(len(getattr(sel, table)) for table in
               ("events", "consultations", "feedback", "media", "expenses", "centres"))


def _event_line(event: pd.Series, place: str, own_types: Mapping[str, str], language: str = DEFAULT) -> str:
    built_in = EVENT_TYPE_NAME.get(str(event["type"]))
    kind = tr(language, built_in) if built_in else own_types.get(str(event["type"]), str(event["type"])).lower()
    where = str(event.get("settlement") or "") or place
    how = FORMAT_NAME.get(str(event.get("format") or ""), "")
    return (f"{formatting.date(event['start_date'].date(), language)}, {where}: {kind} «{event['title']}»"
            + (f" ({tr(language, how)})" if how else ""))


def activity_account(sel: Selection, activity_id: str, figures: Mapping[str, object], place: str,
                     language: str | None = None) -> Markup:
    """The account of one activity in the report's scope (`place`: its region's name, or the
    words for all regions), as HTML, in the report's language (the grant's, unless given)."""
    language = language or sel.grant.language
    regional = not sel.scope.is_all
    if not has_records(sel, activity_id):
        return Markup(f"<p>{escape(tr(language, NOTHING_IN_REGION if regional else NOTHING))}</p>")
    own = activity_records(sel, activity_id)
    parts = []
    events = own.events.sort_values("start_date", kind="stable")
    if len(events):
        own_types = {kind: declared.name for kind, declared in sel.grant.event_types.items()}
        items = "".join(f"<li>{escape(_event_line(event, place, own_types, language))}</li>"
                        for _, event in events.iterrows())
        held = tr(language, "Проведено в отчетном периоде:")
        parts.append(f"<p>{escape(held)}</p><ul>{items}</ul>")
    media = sel.media[sel.media["activity_id"] == activity_id]
    counts = [(len(own.consultations), N_("консультаций")), (len(own.feedback), N_("анкет обратной связи")),
              (len(media), N_("публикаций"))]
    said = [f"{escape(tr(language, label))} — {formatting.number(count)}" for count, label in counts if count]
    participants = figures.get(f"activity.{activity_id}.participants")
    if isinstance(participants, int | float) and participants:
        people = tr(language, "участников")
        said.append(f'{escape(people)} — <a class="gr-figure" '
                    f'href="#fig-activity.{escape(activity_id)}.participants" '
                    f'data-figure="activity.{escape(activity_id)}.participants">{formatting.number(participants)}</a>')
    if said:
        text = "; ".join(said)
        parts.append(f"<p>{text[:1].upper()}{text[1:]}.</p>")
    if regional:
        parts.append(f'<p class="gr-note">{escape(tr(language, CONSOLIDATED))}</p>')
    return Markup("".join(parts))
