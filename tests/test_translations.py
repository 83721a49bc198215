"""The report's fixed texts come from message catalogues (issue 24): one for `ru` (the source)
and one for `kk`, both complete, compiled, and holding every text the code and templates mark;
a report in Kazakh leaves no fixed Russian text (the pseudo-locale test); the language is a
setting of grant.yml and of one run, part of every report's key."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from conftest import DEMO_INPUTS, PROJECT

from pipeline import language, paths
from pipeline.figures import blocks, catalogue, declarations
from pipeline.figures.scope import make_scope, select
from pipeline.incremental import fingerprints, ledger
from pipeline.inputs.loading import in_language
from pipeline.inputs.validation import validated
from pipeline.notebook import formatting, links, narratives, placing, views
from pipeline.notebook.context import Context
from pipeline.notebook.rows import Pseudonyms

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "tr": (2,)}


def _po(spoken: str) -> Catalog:
    with (paths.LOCALE_DIR / spoken / "LC_MESSAGES" / f"{language.DOMAIN}.po").open("rb") as file:
        return read_po(file, locale=spoken)


def _ids(catalog: Catalog) -> set:
    return {message.id for message in catalog if message.id}


def _placeholders(text: str) -> list[str]:
    """A text's values: gettext's %(name)s, and a figure meaning's {part} (`catalogue.Entry.describe`)."""
    return sorted(re.findall(r"%\(\w+\)s|\{\w+\}", text))


# ---------------------------------------------------------------- the catalogues


def test_every_message_has_a_russian_and_a_kazakh_text_and_no_other():
    ru, kk = _po("ru"), _po("kk")
    assert _ids(ru) == _ids(kk), (_ids(ru) ^ _ids(kk))
    for catalog in (ru, kk):
        assert not catalog.fuzzy
        for message in catalog:
            if message.id:
                texts = message.string if isinstance(message.string, tuple) else (message.string,)
                assert all(texts), (catalog.locale, message.id)
                assert not message.fuzzy, (catalog.locale, message.id)
    for message in kk:  # a translation keeps every value it is given, and in Kazakh
        if message.id:
            assert _placeholders(message.id) == _placeholders(message.string), message.id


def test_russian_is_the_source_and_russian_plural_rules_are_its_own():
    ru = _po("ru")
    assert all(message.string == message.id for message in ru if message.id and not message.pluralizable)
    assert ru.num_plurals == 3 and _po("kk").num_plurals == 2


def test_the_compiled_catalogues_are_the_po_files_compiled(tmp_path):
    """The .mo files ship in the package (no compile step at install): each is its .po compiled."""
    for spoken in language.LANGUAGES:
        compiled = paths.LOCALE_DIR / spoken / "LC_MESSAGES" / f"{language.DOMAIN}.mo"
        with compiled.open("rb") as file:
            shipped = {message.id: message.string for message in read_mo(file) if message.id}
        assert shipped == {message.id: message.string for message in _po(spoken) if message.id}, spoken


def test_every_marked_text_of_the_code_and_templates_is_in_the_catalogues():
    """`pybabel extract` (babel.cfg) over the package finds exactly the catalogue's messages:
    a text marked and not translated, or a translation of a text no longer there, fails here."""
    with (PROJECT / "babel.cfg").open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file)
    found = {message for _file, _line, message, _comments, _context in
             extract_from_dir(str(PROJECT), method_map, options_map, keywords=KEYWORDS)}
    found = {text[0] if isinstance(text, tuple) else text for text in found}
    assert found == _ids(_po("ru")), found ^ _ids(_po("ru"))


def test_each_section_heading_of_the_notebooks_is_in_the_catalogue():
    from pipeline.assembly import stitching

    headings = []
    for path in paths.section_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.get("id") == stitching.HEADING_CELL:
                headings.append(re.sub(r"^#+\s+", "", cell.source).strip())
    assert sorted(headings) == sorted(stitching.SECTION_HEADINGS)
    assert stitching.translated_heading("## 1. Информация о выполненных работах", "kk") == \
        "## 1. Орындалған жұмыстар туралы ақпарат"


def test_the_form_texts_of_the_issue_in_kazakh():
    kk = {message.id: message.string for message in _po("kk") if message.id}
    assert kk["Промежуточный программный отчет"] == "Аралық бағдарламалық есеп"
    assert kk["Итоговый программный отчет"] == "Қорытынды бағдарламалық есеп"
    assert kk["Грантополучатель:"] == "Грант алушы:"
    assert kk["Тема гранта:"] == "Гранттың тақырыбы:"
    assert kk["Сумма гранта:"] == "Гранттың сомасы:"
    assert kk["тенге"] == "теңге"
    assert "Басшы" in kk["Должность, Ф.И.О. (при его наличии) руководителя, либо его заместителя"]


def test_a_grant_text_is_translated_only_when_it_is_one_of_the_forms_own():
    assert language.known("kk", "Итоговый программный отчет") == "Қорытынды бағдарламалық есеп"
    assert language.known("kk", "Отчет по своему образцу") == "Отчет по своему образцу"
    assert language.known("ru", "тенге") == "тенге"
    with pytest.raises(ValueError):
        language.translations("en")


# ---------------------------------------------------------------- dates and numbers


def test_dates_in_kazakh_through_babel_numbers_as_in_russian():
    assert formatting.date(dt.date(2023, 1, 12), "kk") == "2023 жылғы 12 қаңтар"
    assert formatting.agreement_date(dt.date(2022, 3, 31), "kk") == "2022 жылғы «31» наурыз"
    assert formatting.date(dt.date(2022, 4, 20)) == "20 апреля 2022 г."
    assert formatting.agreement_date(dt.date(2022, 3, 31)) == "«31» марта 2022 года"
    # numbers as Russian writes them, whatever the language: a figure has no language
    assert (formatting.number(29364470), formatting.number(3.07), formatting.pct(90)) == \
        ("29\u00a0364\u00a0470", "3,07", "90\u00a0%")


# ---------------------------------------------------------------- grant.yml and the run


def _grant_yml(folder: Path, line: str) -> Path:
    shutil.copytree(DEMO_INPUTS, folder / "inputs")
    grant = folder / "inputs" / "grant.yml"
    grant.write_text(grant.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return folder / "inputs"


def test_grant_yml_says_the_language_of_its_reports(tmp_path):
    from pipeline.inputs.grant import load_grant

    assert load_grant(DEMO_INPUTS).language == "ru"
    assert load_grant(_grant_yml(tmp_path, "language: kk")).language == "kk"


def test_a_language_the_pipeline_has_no_catalogue_for_is_one_line(tmp_path, cli):
    inputs = _grant_yml(tmp_path, "language: en")
    result = cli("validate", "--inputs", str(inputs))
    assert result.returncode == 1
    assert re.search(r"grant\.yml:\d+: language = en: expected a report language: ru or kk", result.stderr), result.stderr


def test_the_run_option_chooses_the_language_for_one_run():
    from pipeline import cli as command_line

    assert command_line.parse_args(["run", "--language", "kk"]).language == "kk"
    assert command_line.parse_args(["run"]).language is None
    with pytest.raises(SystemExit):
        command_line.parse_args(["run", "--language", "en"])


@pytest.fixture(scope="module")
def demo():
    return validated(DEMO_INPUTS)


def test_the_language_is_part_of_each_reports_key(demo):
    """Switching the language rebuilds every report: its data key differs, and so does the run's
    snapshot, so that a run in Kazakh is never settled as unchanged by a run in Russian."""
    kazakh = in_language(demo, "kk")
    assert kazakh.grant.language == "kk" and demo.grant.language == "ru" and in_language(demo, None) is demo
    scope = make_scope(demo.grant, "2022-interim", "all")
    assert fingerprints.slice_key(demo, select(demo, scope)) != fingerprints.slice_key(kazakh, select(kazakh, scope))
    notebooks = paths.section_notebooks()
    assert ledger.snapshot_key(demo.hashes, notebooks, ("html",)) != \
        ledger.snapshot_key(demo.hashes, notebooks, ("html",), "kk")


# ---------------------------------------------------------------- narratives in the report's language


def test_a_kazakh_report_reads_the_kazakh_narrative_beside_the_russian_one(tmp_path):
    folder = tmp_path / "narratives" / "p1"
    (folder / "kk" / "almaty").mkdir(parents=True)
    (folder / "1.1.md").write_text("По-русски", encoding="utf-8")
    (folder / "kk" / "1.1.md").write_text("Қазақша", encoding="utf-8")
    (folder / "kk" / "almaty" / "2.1.md").write_text("Алматы", encoding="utf-8")
    assert narratives.find(tmp_path, "p1", "1.1") == folder / "1.1.md"
    assert narratives.find(tmp_path, "p1", "1.1", language="kk") == folder / "kk" / "1.1.md"
    assert narratives.find(tmp_path, "p1", "2.1", "almaty", language="kk") == folder / "kk" / "almaty" / "2.1.md"
    (folder / "3.1.md").write_text("Только по-русски", encoding="utf-8")
    assert narratives.find(tmp_path, "p1", "3.1", language="kk") == folder / "3.1.md"  # as written, else
    assert "Қазақша" in narratives.render(tmp_path, "p1", "1.1", {}, language="kk")


def test_validate_reads_a_kk_folder_as_narratives_in_kazakh_not_a_region(tmp_path, cli):
    inputs = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, inputs)
    kazakh = inputs / "narratives" / "2022-final" / "kk"
    (kazakh / "almaty").mkdir(parents=True)
    (kazakh / "1.1.md").write_text('Орталықтар: {{ fig("activity.1.1.achieved") }}.', encoding="utf-8")
    (kazakh / "almaty" / "1.1.md").write_text("Алматы облысы.", encoding="utf-8")
    (kazakh / "9.9.md").write_text("Жоқ.", encoding="utf-8")
    result = cli("validate", "--inputs", str(inputs))
    assert result.returncode == 0, result.stderr
    assert "not a region id" not in result.stderr
    assert "narratives/2022-final/kk/9.9.md: not used by any report («9.9» is neither an activity_id" in result.stderr
    (kazakh / "2.1.md").write_text('{{ fig("no.such.figure") }}', encoding="utf-8")
    assert "narratives/2022-final/kk/2.1.md" in cli("validate", "--inputs", str(inputs)).stderr


# ---------------------------------------------------------------- the pseudo-locale


OPEN, CLOSE = "⟦", "⟧"
WORD = re.compile(r"[^\W\d_]+")
MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")


@pytest.fixture
def pseudo_kazakh(tmp_path, monkeypatch):
    """A `kk` catalogue that marks every text it translates (⟦…⟧), in place of the real one."""
    catalog = Catalog(locale="kk", domain=language.DOMAIN)
    for message in _po("ru"):
        if message.id:
            catalog.add(message.id, f"{OPEN}{message.id}{CLOSE}")
    folder = tmp_path / "locale" / "kk" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / f"{language.DOMAIN}.mo").open("wb") as file:
        write_mo(file, catalog)
    (tmp_path / "locale" / "ru").symlink_to(paths.LOCALE_DIR / "ru")
    monkeypatch.setattr(paths, "LOCALE_DIR", tmp_path / "locale")
    language.translations.cache_clear()
    views._env.cache_clear()
    yield
    language.translations.cache_clear()
    views._env.cache_clear()


def _context(inputs, period: str, region: str) -> Context:
    scope = make_scope(inputs.grant, period, region)
    selection = select(inputs, scope)
    return Context(DEMO_INPUTS, inputs, scope, selection, blocks.report_notes(inputs, selection),
                   Pseudonyms(selection.participants["full_name"]))


def _inputs_words(inputs) -> set[str]:
    """Every word the inputs themselves hold: the grant's texts and every text cell of every table
    (an address also as the report shows it, shortened: `links.short_url`)."""
    texts = [inputs.grant.model_dump_json(ensure_ascii=False)]
    for frame in inputs.tables.values():
        for column in frame.columns:
            texts += [str(value) for value in frame[column].dropna().unique()]
    texts += [links.short_url(text) for text in texts if text.startswith(("http://", "https://"))]
    return {word.casefold() for text in texts for word in WORD.findall(text)}


def _unmarked_words(html: str) -> set[str]:
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", html))
    while MARKED.search(text):
        text = MARKED.sub(" ", text)
    return {word.casefold() for word in WORD.findall(text)}


#: Words a report writes that are no fixed text: Babel's Kazakh month names and dates' «жылғы».
BABEL_WORDS = {"жылғы", "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз",
               "қыркүйек", "қазан", "қараша", "желтоқсан"}


@pytest.mark.parametrize(("period", "region"), [("2022-interim", "all"), ("2022-final", "all"),
                                                ("2022-final", "almaty"), ("2022-interim", "aktobe")])
def test_a_kazakh_report_has_no_fixed_text_outside_the_catalogue(pseudo_kazakh, demo, tmp_path, period, region):
    """With a catalogue that marks every text it gives, every view of the report (its form, the
    data notes, the registry's frame and its figures' meanings, the evidence's heading, the sections' headings, the title)
    leaves no word unmarked but the inputs' own texts (and the dates Babel writes): no fixed
    text of the form escapes the catalogue."""
    from pipeline.assembly import stitching

    inputs = in_language(demo, "kk")
    ctx = _context(inputs, period, region)
    figures = declarations.report_figures(ctx.selection, ctx.warnings)
    fill = placing.Filler(tmp_path, period, region, figures, language="kk")  # no narrative: the accounts
    parts = [views.page_title(inputs.grant, ctx.scope), views.evidence_link("kk"), views.evidence_heading("", "kk"),
             language.tr("kk", views.EVIDENCE_TITLE) % {"title": ""},
             *(stitching.translated_heading(f"## {heading}", "kk") for heading in stitching.SECTION_HEADINGS)]
    for view in (views.header, views.activities, views.trainings, views.feedback, views.media, views.data_notes):
        shown = view(ctx, figures)
        parts.append(fill(shown.data) if shown is not None else "")
    parts.append(fill(views.success_story(ctx).data))
    names = catalogue.grant_names(inputs.grant, ctx.selection.topics, "kk")
    registry = {name: {"value": value, "description": catalogue.lookup(name).describe(name, names, "kk"),
                       "notebook": "", "cell_index": 3, "cell_id": "x", "rows": []}
                for name, value in figures.items()}
    # a registry line: the figure's name (an id, as `explain` takes it) = its value · its meaning
    parts.append(re.sub(r"<b>[^<]*</b>|<pre.*?</pre>", "", views.registry(registry, "kk"), flags=re.S))
    left = set().union(*(_unmarked_words(part) for part in parts)) - _inputs_words(inputs) - BABEL_WORDS
    assert not left, sorted(left)
    assert OPEN in "".join(parts)


def test_the_pseudo_locale_test_finds_a_text_left_outside_the_catalogue(pseudo_kazakh, demo, monkeypatch):
    """The check above fails on a fixed text that does not go through the catalogue."""
    inputs = in_language(demo, "kk")
    ctx = _context(inputs, "2022-interim", "all")
    figures = declarations.report_figures(ctx.selection, ctx.warnings)
    monkeypatch.setattr(views, "tr", lambda spoken, text: text)  # as the code was: Russian written in
    left = _unmarked_words(views.activities(ctx, figures).data) - _inputs_words(inputs) - BABEL_WORDS
    assert {"списки", "журнал"} <= left, sorted(left)  # («меморандумы» is grant.yml's too: an indicator's label)


def test_a_figures_meaning_is_in_the_reports_language_and_names_no_id(demo):
    """The registry's meanings: topics, regions, metrics and data notes by their names (grant.yml's
    titles, `metrics:` labels, the notes' labels), the words around them from the catalogue."""
    scope = make_scope(demo.grant, "2022-interim", "all")
    topics = select(demo, scope).topics

    def meaning(name: str, spoken: str) -> str:
        names = catalogue.grant_names(demo.grant, topics, spoken)
        return catalogue.lookup(name).describe(name, names, spoken)

    assert meaning("survey.msu.aktobe.trainer", "kk") == \
        f"«{topics['msu']}» тақырыбы, өңір — Актюбинская область: тренер жұмысының орташа бағасы"
    assert meaning("survey.msu.aktobe.trainer", "ru") == \
        f"Тема «{topics['msu']}», регион Актюбинская область: средняя оценка работы тренера"
    assert meaning("metric.announcements", "kk") == "«Анонсы» көрсеткіші: кезең соңындағы соңғы мәні"
    assert meaning("warnings.media.no_reach", "ru") == \
        "Замечания к данным «публикаций без охвата (охват учтен как 0)»: число записей"
    assert meaning("media.own.reach", "kk") == "Қамту: өз арналары"
    assert meaning("events.training.count", "kk") == "Өткізілген іс-шаралар: тренингтер"


# ---------------------------------------------------------------- the reviewers' pages


def _page_text(html: str) -> str:
    """A page's text, without its style and script."""
    return re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)


def test_the_dashboard_of_a_kazakh_grant_has_no_fixed_text_outside_the_catalogue(pseudo_kazakh, tmp_path):
    """OUT/index.html in the language the run kept with the names (`names_of`): every word of
    the page is marked, a name of the grant's (the kept names), an id of a file or a format."""
    from helpers_builds import write_build

    from pipeline.assembly import index_page
    from pipeline.incremental import ledger

    figures = {"consultations.count": 3, "events.training.participants": 20, "activity.1.1.achieved_pct": 50,
               "budget.spent_pct": 9}
    names = {"periods": {"p1": "Аралық бағдарламалық есеп"}, "regions": {"north": "Солтүстік облысы"},
             "activities": {"1.1": "Ашылған орталықтар"}, "activity_texts": {"1.1": "Орталықтар ашу"},
             "language": "kk"}
    for region in ("all", "north"):
        write_build(tmp_path / "p1" / region, figures)
    (tmp_path / "p1" / "north" / "notebooks").mkdir()
    (tmp_path / "p1" / "north" / "notebooks" / "10_activities.html").write_text("", encoding="utf-8")
    hashes = {"grant.yml": "1" * 64}
    ledger.remember(tmp_path, hashes, ["p1"], ["north", "all"], [], {}, names=names)
    page = index_page.write_index(tmp_path, [], hashes).read_text(encoding="utf-8")
    assert '<html lang="kk">' in page
    own = {word.casefold() for text in [*names["periods"].values(), *names["regions"].values(),
                                        *names["activities"].values(), *names["activity_texts"].values()]
           for word in WORD.findall(text)}
    files = {"html", "json", "manifest", "figures", "evidence", "activities", "p", "north", "all"}
    left = _unmarked_words(_page_text(page)) - own - files
    assert not left, sorted(left)
    assert f"{OPEN}Все регионы (сводный){CLOSE}" in page and 'localeCompare(String(y), "kk"' in page


def test_the_review_tables_and_titles_of_a_kazakh_grant_come_from_the_catalogue(pseudo_kazakh):
    """What the pipeline writes on a reviewers' notebook page — every header of a review table
    (its contract name aside), yes and no, a person's pseudonym, the section's title — is
    marked: the catalogue gives each in the report's language."""
    import pandas as pd

    from pipeline.assembly import stitching
    from pipeline.notebook import review, rows

    frame = pd.DataFrame({column: [True, False] for column in review.HEADERS})
    page = review.table(frame, language.tr("kk", "Расчет по шагам"), "kk")
    page = re.sub(r'<small class="gr-contract">[^<]*</small>', "", page)
    assert not _unmarked_words(page), sorted(_unmarked_words(page))
    assert f"{OPEN}да{CLOSE}" in page and "True" not in page
    assert rows.Pseudonyms(["Айгүл Серікова"], "kk")("Айгүл Серікова") == f"{OPEN}участник{CLOSE} 1"
    notebook = {"cells": [{"cell_type": "markdown", "source": "# Шапка отчета"}]}
    assert stitching.notebook_title(notebook, "", "kk") == f"{OPEN}Шапка отчета{CLOSE}"


def test_each_notebooks_first_heading_titles_its_page_in_the_reports_language():
    from pipeline.assembly import stitching

    for path in paths.section_notebooks():
        title = stitching.notebook_title(nbformat.read(path, as_version=4), "", "kk")
        assert title in {language.tr("kk", heading) for heading in
                         (*stitching.SECTION_HEADINGS, *stitching.NOTEBOOK_HEADINGS)}, (path.name, title)
        assert title != stitching.notebook_title(nbformat.read(path, as_version=4)), title  # not the Russian


def test_each_demo_narrative_has_a_kazakh_twin_naming_the_same_figures():
    """narratives/<period>/kk/: a Kazakh text beside each Russian one, with every placeholder
    of the Russian (the same figures, nothing typed in), read by a report in Kazakh."""
    russian = sorted((DEMO_INPUTS / "narratives").glob("*/*.md"))
    assert russian
    for path in russian:
        twin = path.parent / "kk" / path.name
        assert twin.is_file(), twin
        figures = [re.findall(r'fig\("([^"]+)"\)', p.read_text(encoding="utf-8")) for p in (path, twin)]
        assert sorted(figures[0]) == sorted(figures[1]), path
        period = path.parent.name
        assert narratives.find(DEMO_INPUTS, period, path.stem, language="kk") == twin
        assert narratives.find(DEMO_INPUTS, period, path.stem) == path
        assert re.search("[әғқңөұүһі]", twin.read_text(encoding="utf-8")), twin


def test_the_hyphenation_docs_say_what_pyphen_has_for_kazakh():
    """docs/translations.md says pyphen has no Kazakh dictionary (so a Kazakh PDF is not
    hyphenated); once a pyphen with one is installed, the docs must say otherwise."""
    import pyphen

    text = (PROJECT / "docs" / "translations.md").read_text(encoding="utf-8")
    has_kazakh = pyphen.language_fallback("kk") is not None
    assert ("pyphen has\nnone for Kazakh" in text or "pyphen has none for Kazakh" in text) != has_kazakh
    assert f"({pyphen.__version__}, the\nversion installed" in text or f"({pyphen.__version__}, the version" in text
