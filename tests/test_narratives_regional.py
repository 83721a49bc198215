"""Narratives by region: `narratives/<period>/<region>/<activity_id>.md` overrides the
period's file in that region's report (and only there), templates see `period` and `region`,
`validate` checks every override as it checks the period's files, and an override is part of
its report's key (changing it rebuilds that report, no other)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

from pipeline import app
from pipeline.assembly import diffing
from pipeline.figures.scope import make_scope, select
from pipeline.incremental.fingerprints import slice_key
from pipeline.inputs.loading import load_inputs
from pipeline.notebook import narratives

PERIOD = "2022-interim"
FIGS = {"consultations.count": 22}
VALUES = {"period": {"id": "p1", "title": "Промежуточный", "start": "1 апреля 2022 г.", "end": "15 июня 2022 г."},
          "region": {"id": "south", "name": "Южная область"}}


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_regions_file_overrides_the_periods_in_its_report_only(tmp_path):
    period_file = _write(tmp_path / "narratives" / "p1" / "1.1.md", "Весь грант")
    south = _write(tmp_path / "narratives" / "p1" / "south" / "1.1.md", "Только юг")
    everyone = _write(tmp_path / "narratives" / "p1" / "all" / "2.1.md", "Только сводный")
    assert narratives.find(tmp_path, "p1", "1.1", "south") == south
    assert narratives.find(tmp_path, "p1", "1.1", "north") == period_file
    assert narratives.find(tmp_path, "p1", "1.1") == period_file
    assert narratives.find(tmp_path, "p1", "2.1") == everyone
    assert narratives.find(tmp_path, "p1", "2.1", "south") is None
    assert narratives.render(tmp_path, "p1", "1.1", FIGS, region="south") == "<p>Только юг</p>\n"
    assert narratives.render(tmp_path, "p1", "1.1", FIGS, region="north") is None, "not marked true of every region"
    assert narratives.render(tmp_path, "p1", "1.1", FIGS) == "<p>Весь грант</p>\n"
    with pytest.raises(Exception, match="refused"):
        narratives.find(tmp_path, "p1", "1.1", "..")


def test_templates_see_the_reports_period_and_region(tmp_path):
    _write(tmp_path / "narratives" / "p1" / "south" / "1.1.md",
           "{{ region.name }} ({{ region.id }}), {{ period.title }}: {{ period.start }} – {{ period.end }}, "
           '{{ fig("consultations.count") }}.{% if region.id == "all" %} Сводный.{% endif %}')
    html = narratives.render(tmp_path, "p1", "1.1", FIGS, region="south", values=VALUES)
    assert "Южная область (south), Промежуточный: 1 апреля 2022 г. – 15 июня 2022 г., " in html
    assert ">22</a>." in html and "Сводный" not in html


def test_template_values_name_the_period_and_region_as_the_report_does():
    from conftest import DEMO_INPUTS

    grant = load_inputs(DEMO_INPUTS).grant
    assert narratives.template_values(grant, PERIOD, "almaty") == {
        "period": {"id": PERIOD, "title": "Промежуточный программный отчет", "start": "1 апреля 2022 г.",
                   "end": "15 июня 2022 г."},
        "region": {"id": "almaty", "name": "Алматинская область"}}
    assert narratives.template_values(grant, PERIOD, "all")["region"] == {"id": "all", "name": "все регионы"}


def test_check_text_knows_period_and_region_and_their_attributes_only():
    good = "{{ period.title }} {{ period.start }} {{ period.end }} {{ period.id }} {{ region.name }} {{ region.id }}"
    assert narratives.check_text(good, "n.md", FIGS) == []
    [problem] = narratives.check_text("Текст\n{{ region.nmae }}", "n.md", FIGS)
    assert str(problem) == "n.md:2: narrative template error: unknown name «region.nmae» (region has id, name)"


def test_validate_checks_every_override_and_warns_of_those_no_report_reads(demo_copy):
    folder = demo_copy / "narratives" / PERIOD
    _write(folder / "almaty" / "1.1.md", 'Алматы.\n\nИтого {{ fig("consultations.cuont") }}, {{ region.name }}.\n')
    _write(folder / "almaty" / "success_story.md", "История {{ region.name }}: {{ period.nmae }}.")
    _write(folder / "all" / "2.1.md", 'Сводный: {{ fig("consultations.count") }}.')
    _write(folder / "Almaty" / "2.1.md", "Не та папка.")
    _write(folder / "almaty" / "9.9.md", "Не та активность.")
    _write(folder / "almaty" / "deeper" / "1.1.md", "Слишком глубоко.")
    checked = app.validate(demo_copy)
    assert checked.lines() == [
        f"narratives/{PERIOD}/almaty/1.1.md:3: placeholder names an unknown figure «consultations.cuont» "
        "(did you mean «consultations.count»?)",
        f"narratives/{PERIOD}/almaty/success_story.md:1: narrative template error: unknown name «period.nmae» "
        "(period has id, title, start, end)",
    ]
    for path in ("almaty/1.1.md", "almaty/success_story.md"):
        (folder / path).unlink()
    warnings = [str(w) for w in app.validate(demo_copy).warnings]
    assert warnings[2:] == [
        f"narratives/{PERIOD}/Almaty/2.1.md: not used by any report («Almaty» is not a region id of grant.yml "
        "nor all (did you mean «almaty»?))",
        f"narratives/{PERIOD}/almaty/9.9.md: not used by any report («9.9» is neither an activity_id of the plan "
        "nor success_story)",
        f"narratives/{PERIOD}/almaty/deeper/1.1.md: not used by any report (a narrative is "
        "narratives/<period>/<activity_id>.md or success_story.md, or for one region's report "
        "narratives/<period>/<region>/<activity_id>.md)",
    ]


def test_an_override_is_part_of_its_regions_report_key_only(demo_copy):
    def keys() -> dict[str, str]:
        inputs = load_inputs(demo_copy)
        return {region: slice_key(inputs, select(inputs, make_scope(inputs.grant, PERIOD, region)))
                for region in ("almaty", "kyzylorda", "all")}

    before = keys()
    _write(demo_copy / "narratives" / PERIOD / "almaty" / "1.1.md", "Алматы.")
    after = keys()
    assert after["almaty"] != before["almaty"]
    assert (after["kyzylorda"], after["all"]) == (before["kyzylorda"], before["all"])


def test_a_success_story_of_the_consolidated_report_is_part_of_every_regional_key(demo_copy):
    """A regional report says where the period's success story is when the consolidated report
    tells one (`views.success_story`): writing it changes what every region's report shows."""
    def keys() -> dict[str, str]:
        inputs = load_inputs(demo_copy)
        return {region: slice_key(inputs, select(inputs, make_scope(inputs.grant, PERIOD, region)))
                for region in ("almaty", "kyzylorda")}

    before = keys()
    _write(demo_copy / "narratives" / PERIOD / "all" / "success_story.md", "История.")
    after = keys()
    assert after["almaty"] != before["almaty"] and after["kyzylorda"] != before["kyzylorda"]


def test_a_diff_names_the_narratives_its_report_reads_only():
    files = {"narratives/p1/1.1.md": "a", "narratives/p1/south/1.1.md": "b", "narratives/p1/north/1.1.md": "c",
             "narratives/p2/1.1.md": "d", "media.csv": "e"}
    assert sorted(diffing._narratives(files, "p1", "south")) == ["1.1.md", "south/1.1.md"]
    assert sorted(diffing._narratives(files, "p1", "all")) == ["1.1.md"]


@pytest.mark.slow
def test_a_regional_report_shows_its_override_and_the_consolidated_one_the_periods_file(demo_copy, tmp_path):
    period_text = (demo_copy / "narratives" / PERIOD / "1.1.md").read_text(encoding="utf-8")
    first_words = " ".join(period_text.split()[:4])
    _write(demo_copy / "narratives" / PERIOD / "almaty" / "1.1.md",
           'Только для {{ region.name }}: {{ fig("consultations.count") }} консультаций; {{ period.title }}.')
    outputs = tmp_path / "out"
    run = ("run", "--inputs", str(demo_copy), "--outputs", str(outputs), "--period", PERIOD,
           "--region", "almaty", "all", "--format", "html", "--quiet")
    result = run_cli(*run)
    assert result.returncode == 0, result.stderr
    almaty = (outputs / PERIOD / "almaty" / "report.html").read_text(encoding="utf-8")
    everyone = (outputs / PERIOD / "all" / "report.html").read_text(encoding="utf-8")
    assert "Только для Алматинская область: " in almaty and "Промежуточный программный отчет." in almaty
    assert first_words not in almaty
    assert "Только для" not in everyone and first_words in everyone

    _write(demo_copy / "narratives" / PERIOD / "almaty" / "1.1.md", "Новый текст для {{ region.name }}.")
    again = run_cli(*run[:-1])
    assert again.returncode == 0, again.stderr
    assert "(1 built, 1 unchanged)" in again.stderr
    assert "Новый текст для Алматинская область." in (outputs / PERIOD / "almaty" / "report.html").read_text(
        encoding="utf-8")


def test_a_periods_narrative_is_shown_in_a_regional_report_only_where_its_front_matter_says_so(tmp_path):
    """Issue 22: a period's text tells the project as a whole; a regional report shows it only
    when the file says it is true of that region (`regions: all` or a list of region ids)."""
    _write(tmp_path / "narratives" / "p1" / "1.1.md", "---\nregions: all\n---\nВерно для всех.")
    _write(tmp_path / "narratives" / "p1" / "2.1.md", "---\nregions: [north]\n---\nТолько север.")
    assert narratives.render(tmp_path, "p1", "1.1", FIGS, region="south") == "<p>Верно для всех.</p>\n"
    assert narratives.render(tmp_path, "p1", "2.1", FIGS, region="north") == "<p>Только север.</p>\n"
    assert narratives.render(tmp_path, "p1", "2.1", FIGS, region="south") is None
    assert narratives.render(tmp_path, "p1", "2.1", FIGS) == "<p>Только север.</p>\n", "the consolidated report"


def test_front_matter_keeps_the_files_line_numbers_and_is_checked():
    from pipeline.exceptions import InputError
    from pipeline.notebook import frontmatter

    front, text = frontmatter.split("---\nregions: [north, all]\n---\nТекст {{ x }}", "n.md", ["north"])
    assert front.true_of("south") and text == "\n\n\nТекст {{ x }}"
    assert frontmatter.split("Без заголовка", "n.md") == (frontmatter.FrontMatter(), "Без заголовка")
    assert not frontmatter.FrontMatter().true_of("north") and frontmatter.FrontMatter().true_of("all")
    for text, said in [("---\nregion: all\n---\nx", "n.md:1: expected front matter between two --- lines"),
                       ("---\nregions: [west]\n---\nx", "n.md:2: regions = west: expected region ids of grant.yml"),
                       ("---\nregions: {a: 1}\n---\nx", "n.md:2: regions = "),
                       ("---\n: [\n---\nx", "n.md:1: expected front matter")]:
        with pytest.raises(InputError) as caught:
            frontmatter.split(text, "n.md", ["north"])
        assert str(caught.value).startswith(said), str(caught.value)


def test_validate_names_front_matter_that_is_not_as_documented(demo_copy):
    path = demo_copy / "narratives" / PERIOD / "1.1.md"
    path.write_text("---\nregions: [almaty, nowhere]\n---\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    lines = app.validate(demo_copy).lines()
    assert len(lines) == 1 and lines[0].startswith(f"narratives/{PERIOD}/1.1.md:2: regions = nowhere: expected region ids")
