"""The report's tables and blocks as HTML, through autoescaping Jinja2 templates: each from the
report's Context (its rows) and the figures its notebook's cells computed and recorded (`f`,
the recorded blocks' figures), never computing one. A narrative is a slot here (`placing`),
filled with the recorded figures when the report is stitched.

Each function returns an IPython HTML object for a notebook cell to show; its `.data` is
the HTML string (what the tests read). No personal column ever reaches a template.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

import pandas as pd
from IPython.display import HTML
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import escape

from pipeline import paths
from pipeline.figures import indicators as ind
from pipeline.figures.indicators import SCORE_QUESTIONS
from pipeline.figures.scope import Scope, report_regions
from pipeline.inputs.grant import Grant
from pipeline.language import DEFAULT, N_, TITLE_IN_CAPITALS, known, tr, translations
from pipeline.notebook import accounts, formatting, formindicators, links, narratives, placing
from pipeline.notebook.context import Context


@functools.cache
def _env(language: str = DEFAULT) -> Environment:
    """The templates' environment for the report's language: Jinja2's i18n extension with that
    language's catalogue installed (`_("…")` in a template), dates in that language."""
    env = Environment(loader=FileSystemLoader(paths.HTML_TEMPLATES_DIR), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(num=formatting.number, pct=formatting.pct, money=formatting.money,
                       amount=formatting.amount, date=functools.partial(formatting.date, language=language),
                       safe_href=links.safe_href, short_url=links.short_url)
    return env


def render(template: str, language: str = DEFAULT, **values: object) -> HTML:
    return HTML(_env(language).get_template(template).render(**values))


def currency(ctx: Context) -> str:
    """The grant's currency as the report's language writes it («тенге», kk «теңге»)."""
    return known(ctx.language, ctx.grant.currency)


#: The recorded figures a view shows, by name.
Figures = Mapping[str, object]


def period_title(grant: Grant, period: str) -> str:
    """The period's title in the report's language: the grantee's own text, or the form's
    standard title in the catalogue («Итоговый программный отчет» → «Қорытынды бағдарламалық есеп»)."""
    return known(grant.language, grant.period(period).title)


def page_title(grant: Grant, scope: Scope) -> str:
    """What the report is, for whom and where, in words: the browser tab's and the PDF's title
    ("Итоговый программный отчет, 1 апреля 2022 г. – 30 ноября 2022 г. — ОЮЛ «ГАМО», все регионы")."""
    language = grant.language
    title = period_title(grant, scope.period)
    grantee = grant.grantee.short_name or grant.grantee.name
    where = tr(language, narratives.ALL_REGIONS) if scope.is_all else grant.region_name(scope.region)
    return (f"{title}, {formatting.date(scope.start.date(), language)} – {formatting.date(scope.end.date(), language)}"
            f" — {grantee}, {where}")


def header(ctx: Context, f: Figures) -> HTML:
    """Annex line, title, grantee, topic, amount, and the scope of this report."""
    grant = ctx.grant
    agreement = grant.agreement
    language = ctx.language
    return render(
        "header.html.j2", language,
        annex=agreement.annex, agreement_number=agreement.number,
        agreement_date=formatting.agreement_date(agreement.date, language),
        title=period_title(grant, ctx.scope.period), capitals=TITLE_IN_CAPITALS[language], grant=grant, f=f,
        region=None if ctx.scope.is_all else grant.region_name(ctx.scope.region),
        start=formatting.date(ctx.scope.start.date(), language), end=formatting.date(ctx.scope.end.date(), language),
        currency=currency(ctx),
    )


def _documents(ctx: Context, activity_id: str, unit: str) -> list[str]:
    """Kinds of supporting documents the records of an activity stand for."""
    sel = ctx.selection
    events = sel.events[sel.events["activity_id"] == activity_id]
    docs = []
    if sel.participants["event_id"].isin(events["event_id"]).any():
        docs.append(tr(ctx.language, "Списки участников"))
    if sel.surveys["event_id"].isin(events[events["type"] == "training"]["event_id"]).any():
        docs.append(tr(ctx.language, "Анализ анкет участников"))
    if (sel.consultations["activity_id"] == activity_id).any():
        docs.append(tr(ctx.language, "Журнал регистрации консультаций"))
    if (sel.feedback["activity_id"] == activity_id).any():
        docs.append(tr(ctx.language, "Отзывы бенефициаров"))
    if ind.unit_measure(unit) == "centres" and sel.centres["memorandum_date"].notna().any():
        docs.append(tr(ctx.language, "Меморандумы с региональными координаторами"))
    return docs


MAX_LINKS = 3


def _supporting(ctx: Context, activity_id: str, unit: str) -> tuple[list[str], list[str]]:
    """Supporting documents and publication links of an activity; many links are left to
    section 2, which lists every publication."""
    media = ctx.selection.media
    links = [u for u in dict.fromkeys(media.loc[media["activity_id"] == activity_id, "url"]) if u]
    documents = _documents(ctx, activity_id, unit)
    if len(links) > MAX_LINKS:
        return documents + [tr(ctx.language, "Ссылки на публикации (раздел 2 отчета)")], []
    return documents, links


def place(ctx: Context) -> str:
    """The report's region by its name, or the words for all regions."""
    return tr(ctx.language, narratives.ALL_REGIONS) if ctx.scope.is_all else ctx.grant.region_name(ctx.scope.region)


def activities(ctx: Context, f: Figures) -> HTML:
    """«1. Информация о выполненных работах»: one row per plan activity, grouped by task. An
    activity's description is the analyst's narrative when one is true of the report (filled at
    stitching), else the account of its own records (`accounts`); a regional report's activity
    without any record in the region is one line saying so, not zeros; a region without any
    record in the period gets one paragraph saying so instead of the table. Its indicator
    column: grant.yml's indicators of the activity (`formindicators`), else the plan's one."""
    sel = ctx.selection
    if _empty_region(ctx):
        return render("no_records.html.j2", ctx.language, region=place(ctx),
                      start=formatting.date(ctx.scope.start.date(), ctx.language),
                      end=formatting.date(ctx.scope.end.date(), ctx.language))
    rows = []
    plan = sel.plan
    for task_no, group in plan.groupby("task_no", sort=False):
        for i, (_, row) in enumerate(group.iterrows()):
            aid = row["activity_id"]
            documents, links = _supporting(ctx, aid, row["unit"])
            rows.append({
                "task_no": task_no, "task": row["task"], "first": i == 0, "span": len(group),
                "activity": row["activity"], "deadline": row["deadline"], "indicator": row["indicator"],
                "indicators": formindicators.shown(ctx.grant, ctx.scope, aid),
                "achieved": f[f"activity.{aid}.achieved"], "target": f[f"activity.{aid}.target"],
                "achieved_pct": f[f"activity.{aid}.achieved_pct"],
                "participants": f[f"activity.{aid}.participants"], "cost": f[f"activity.{aid}.cost"],
                "description": placing.slot(aid, ctx.scope.period,
                                            accounts.activity_account(sel, aid, f, place(ctx))),
                "documents": documents, "links": links, "id": aid,
                "none": None if sel.scope.is_all or accounts.has_records(sel, aid)
                else tr(ctx.language, accounts.NOTHING_IN_REGION),
            })
    return render("activities.html.j2", ctx.language, rows=rows, currency=currency(ctx))


def survey_rows(ctx: Context, f: Figures) -> pd.DataFrame:
    """Per region and topic with questionnaires: respondents and the four means."""
    topics = ctx.selection.topics
    records = []
    for region in report_regions(ctx.grant, ctx.scope):
        for topic, title in topics.items():
            n = f.get(f"survey.{topic}.{region}.respondents", 0)
            if n:
                record = {"region": ctx.grant.region_name(region), "topic": title, "respondents": n}
                record.update({q: f[f"survey.{topic}.{region}.{q}"] for q in SCORE_QUESTIONS})
                records.append(record)
    return pd.DataFrame.from_records(records, columns=["region", "topic", "respondents", *SCORE_QUESTIONS])


#: «Community-центры, консультации и отзывы бенефициаров», of the parts a grant has.
FEEDBACK_HEADING = {"centres": N_("Community-центры"), "consultations": N_("консультации"),
                    "feedback": N_("отзывы бенефициаров")}


def shown_blocks(ctx: Context) -> set[str]:
    """The optional blocks that apply to the report's grant (`indicators.optional_blocks`):
    those its plan has an activity for or whose records it has, in any period or region (every
    report of a grant shows the same blocks; one with nothing in its period shows zeros). A
    grant without community centres or feedback forms leaves their rows out, instead of «создано 0»."""
    return set(ctx.selection.blocks)


def _listed(parts: list[str], language: str = DEFAULT) -> str:
    """["a", "b", "c"] -> "A, b и c" (kk "A, b және c")."""
    last = tr(language, "%(first)s и %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}
    text = parts[0] if len(parts) == 1 else last
    return text[:1].upper() + text[1:]


def trainings(ctx: Context, f: Figures) -> HTML | None:
    """Training effectiveness: knowledge before/after, trainer and organisation scores; nothing
    for a grant without trainings."""
    if "trainings" not in shown_blocks(ctx) or _empty_region(ctx):
        return None
    return render("trainings.html.j2", ctx.language, rows=survey_rows(ctx, f).to_dict("records"), f=f,
                  nothing=_nothing(ctx, tr(ctx.language, "тренинги")) if not f["events.training.count"] else None)


#: What each part of the feedback block counts, by its count's figure.
FEEDBACK_COUNTS = {"centres": "centres.count", "consultations": "consultations.count", "feedback": "feedback.count"}


def feedback(ctx: Context, f: Figures) -> HTML | None:
    """Community centres, consultations and the beneficiaries' feedback: under a heading naming
    the parts the grant has (`shown_blocks`), the rows of those the report counts any of (no
    row of zeros for what did not happen: one line when none happened); nothing for a grant
    without any of them."""
    shown = shown_blocks(ctx)
    parts = [name for name in FEEDBACK_HEADING if name in shown]
    if not parts or _empty_region(ctx):
        return None
    counted = [name for name in parts if f[FEEDBACK_COUNTS[name]]]
    named = [tr(ctx.language, FEEDBACK_HEADING[name]) for name in parts]
    return render("feedback.html.j2", ctx.language, f=f, shown=counted,
                  nothing=_nothing(ctx, _listed(named, ctx.language).lower()), heading=_listed(named, ctx.language))


def _empty_region(ctx: Context) -> bool:
    """A regional report whose region has no record in the period: its activities section says
    so once (`activities`), the other parts of the form are left out."""
    return not ctx.scope.is_all and not accounts.any_records(ctx.selection)


def _nothing(ctx: Context, what: str) -> str:
    """The line a report shows for a part of the form with nothing in its scope."""
    line = (N_("В отчетном периоде нет записей: %(what)s.") if ctx.scope.is_all
            else N_("В регионе в отчетном периоде нет записей: %(what)s."))
    return tr(ctx.language, line) % {"what": what}


def media(ctx: Context, f: Figures) -> HTML:
    """«2. Освещение деятельности в СМИ»: own channels, then partners and press, with totals."""
    media = ctx.selection.media
    # Each row shows the count the totals counted it as (a blank count is one publication).
    table = media.assign(publications=ind.publication_counts(media)).sort_values("date", kind="stable")
    columns = ["date", "platform", "account", "owner", "title", "reach", "publications", "url"]
    own = table[table["owner"] == "own"][columns].to_dict("records")
    others = table[table["owner"] != "own"][columns].to_dict("records")
    metrics = ctx.selection.metrics.sort_values("date", kind="stable").drop_duplicates("name", keep="last")
    sources = dict(zip(metrics["name"], metrics["source"], strict=False))
    labels = ctx.grant.metrics  # a metric without one is named by its code (`notes.unlabelled_metrics`)
    shown = [{"name": labels.get(name, name), "value": v, "source": sources.get(name, ""), "figure": k}
             for k, v in f.items() if k.startswith("metric.") and v is not None
             for name in [k.removeprefix("metric.")]]
    return render("media.html.j2", ctx.language, own=own, others=others, f=f, metrics=shown,
                  nothing=_nothing(ctx, tr(ctx.language, "публикации")) if not len(media) else None)


def success_story(ctx: Context) -> HTML:
    """«3. История успеха»: the analyst's story true of the report, else, in a regional report
    whose period has a story, where it is, else the seed's sentence."""
    told = narratives.find(ctx.inputs_dir, ctx.scope.period, narratives.SUCCESS_STORY,
                           language=ctx.language) is not None
    fallback = accounts.CONSOLIDATED_STORY if told and not ctx.scope.is_all else narratives.NO_SUCCESS_STORY
    story = placing.slot(narratives.SUCCESS_STORY, ctx.scope.period, f"<p>{escape(tr(ctx.language, fallback))}</p>")
    return render("closing.html.j2", ctx.language, story=story, signatory=ctx.grant.signatory)


def data_notes(ctx: Context, f: Figures) -> HTML:
    """«Замечания к данным»: what the inputs hold that the figures count in a particular way."""
    from pipeline.inputs.notes import WARNING_LABELS

    files: dict[str, list[str]] = {}
    for warning in ctx.warnings:
        files.setdefault(warning.code, []).append(warning.message.split(":", 1)[0])
    rows = [{"code": code, "label": tr(ctx.language, label), "files": files.get(code, [])}
            for code, label in WARNING_LABELS.items() if f[f"warnings.{code}"]]
    return render("notes.html.j2", ctx.language, rows=rows, f=f)


def registry(provenance: dict[str, dict], language: str = DEFAULT) -> str:
    """«Реестр показателей»: every figure with its value, meaning and the cell that computed
    it, linked to that cell of the reviewers' notebook page, with the rows it was computed
    from (on screen; `without_row_lists` leaves them out on paper).

    Built after execution (it needs the cells), so it returns the HTML string itself."""
    rows = [{"name": name, "shown": formatting.figure(name, p["value"]), "description": p["description"],
             "notebook": p.get("notebook", ""), "cell": p.get("cell_index"),
             "href": _cell_href(p.get("notebook"), p.get("cell_id")),
             "count": len(p.get("rows", [])), "rows": _row_lines(p.get("rows", []))}
            for name, p in provenance.items()]
    return _env(language).get_template("registry.html.j2").render(rows=rows)


def _cell_href(notebook: str | None, cell_id: str | None) -> str | None:
    """The link from the report to a cell of the reviewers' page of an executed notebook."""
    if not notebook or not cell_id:
        return None
    return f"notebooks/{notebook.removesuffix('.ipynb')}.html#cell-id={cell_id}"


def _row_lines(refs: list[dict]) -> list[str]:
    """A figure's rows, one line per file (`formatting.rows_text`)."""
    return formatting.rows_text(refs).split("; ") if refs else []


_ROW_LISTS = re.compile(r'<details class="gr-rows">.*?</details>', re.S)
_SCREEN_ONLY = re.compile(r'<p class="gr-screen-only">.*?</p>', re.S)
_FIGURE_LINK = re.compile(r'href="#fig-')


_PAPER_FIGURE_LINK = re.compile(r'(<a class="gr-figure") href="[^"#]*#fig-[^"]*"')


def without_row_lists(page: str) -> str:
    """A page for paper (the PDF, the Word document): the registry without its lists of rows
    (the manifest and `explain` have them), which would only cost the PDF's layout time; no
    line meant for the screen (the report's link to its evidence page); its numbers plain text,
    read and not clicked (no link to the evidence page)."""
    return plain_figures(_SCREEN_ONLY.sub("", _ROW_LISTS.sub("", page)))


def plain_figures(page: str) -> str:
    """The page with its numbers as plain text: on paper a number is read, not clicked, so it
    carries no link (no link annotation in the PDF, no hyperlink in Word); the links to
    addresses outside the report stay."""
    return _PAPER_FIGURE_LINK.sub(r"\1", page)


def evidence_link(language: str = DEFAULT) -> str:
    """The report page's first line on screen: where its evidence is (`paths.EVIDENCE_FILES`)."""
    return _env(language).get_template("evidence_link.html.j2").render(evidence=paths.EVIDENCE_FILES["html"])


def evidence_heading(title: str, language: str = DEFAULT) -> str:
    """The evidence page's heading: what it is the evidence of, and the way back to the report."""
    return _env(language).get_template("evidence_heading.html.j2").render(title=title, report=paths.REPORT_FILES["html"])


#: The evidence page's title after the report's (`views.page_title`), by language.
EVIDENCE_TITLE = N_("%(title)s — доказательная база")


def linked_to_evidence(page: str) -> str:
    """The report page with its numbers linked to their rows of the registry, in the evidence page."""
    return _FIGURE_LINK.sub(f'href="{paths.EVIDENCE_FILES["html"]}#fig-', page)
