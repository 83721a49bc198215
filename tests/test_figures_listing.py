"""`figures`: every figure name a narrative of a report may use, expanded for the grant, with
its meaning, and its value as the report shows it once built; the catalogue's patterns when
the inputs cannot be read."""

from __future__ import annotations

import openpyxl
from conftest import DEMO_INPUTS
from helpers_builds import write_build
from test_init import _contract_headers

from pipeline.authoring import listing, skeleton
from pipeline.figures import catalogue

PERIOD = "2022-interim"
NBSP = "\u00a0"


def _rows(lines: list[str]) -> dict[str, str]:
    """Each line by its first word (the figure's name)."""
    return {line.split()[0]: line for line in lines}


def test_the_names_of_a_report_are_the_catalogues_patterns_expanded_for_the_grant(tmp_path):
    found = listing.list_figures(DEMO_INPUTS, tmp_path / "none", PERIOD, "almaty")
    names = [f.name for f in found.figures]
    assert not found.built and not any(f.pattern for f in found.figures), "the demo has every kind of figure"
    for name in ("grant.amount", "activity.1.1.cost", "events.training.participants", "media.press.reach",
                 "survey.msu.almaty.knowledge_after", "metric.telegram_subscribers", "warnings.media.no_reach"):
        assert name in names, name
    assert not any(".kyzylorda." in name for name in names), "another region's figures are not this report's"
    assert {f.name: f.meaning for f in found.figures}["activity.1.1.cost"] == "Мероприятие плана 1.1: расходы за период"
    assert found.notes == [
        f'figures of the report {PERIOD}/almaty (--period, --region for another); in a narrative: {{{{ fig("name") }}}}',
        f"{PERIOD}/almaty: not built in {tmp_path / 'none'}: values show once it is "
        f"(python -m pipeline run --period {PERIOD} --region almaty)"]


def test_values_come_from_the_build_as_the_report_shows_them(cli, tmp_path):
    outputs = tmp_path / "out"
    write_build(outputs / PERIOD / "all", {"grant.amount": 29364470, "feedback.satisfaction_pct": 90,
                                           "survey.msu.knowledge_before": 3.07, "consultations.count": None})
    result = cli("figures", "--inputs", str(DEMO_INPUTS), "--outputs", str(outputs), "--period", PERIOD)
    assert result.returncode == 0, result.stderr
    rows = _rows(result.stdout.splitlines())
    assert rows["grant.amount"].split("  ")[-2:] == [f"29{NBSP}364{NBSP}470", "Сумма гранта"]
    assert f" 90{NBSP}%  " in rows["feedback.satisfaction_pct"] and " 3,07  " in rows["survey.msu.knowledge_before"]
    assert " —  Консультаций за период" in rows["consultations.count"]
    assert " —  Разных людей" in rows["trainings.unique_participants"], "not in this build: shown as a dash"
    assert f"values as built in {outputs / PERIOD / 'all' / 'figures.json'}" in result.stderr


def test_a_grant_without_some_kinds_of_figures_lists_their_patterns_as_absent(tmp_path):
    folder = tmp_path / "grant"
    skeleton.write_skeleton(folder)
    _contract_headers(folder)
    plan = openpyxl.load_workbook(folder / "plan.xlsx")
    plan.active.append(["1", "Обучение", "A1", "Тренинги", "июнь", "Число тренингов", 3, "тренинг", None])
    plan.save(folder / "plan.xlsx")
    found = listing.list_figures(folder, tmp_path / "out", "final", None)
    names = {f.name: f for f in found.figures}
    assert "activity.A1.achieved_pct" in names and "events.training.count" in names
    assert names["metric.{name}"].pattern and names["survey.{topic}.{region}.{measure}"].pattern
    assert "activity.{id}.cost" not in names, "a pattern the report has names for is listed by its names"
    line = next(line for line in found.lines() if line.startswith("metric.{name}"))
    assert line.endswith("Показатель «{name}»: последнее значение на конец периода (нет в этом отчете)")


def test_without_readable_inputs_the_catalogues_patterns_are_listed(cli, tmp_path):
    result = cli("figures", "--inputs", str(tmp_path / "missing"), "--outputs", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [line for line in listing.Listing(
        [listing.Listed(e.pattern, e.description) for e in catalogue.CATALOGUE]).lines()]
    assert result.stderr.splitlines() == [f"{tmp_path / 'missing'}: the inputs cannot be read "
                                          f"({tmp_path / 'missing'}: inputs folder not found): the catalogue's name "
                                          "patterns follow"]


def test_an_unknown_period_is_one_line(cli, tmp_path):
    result = cli("figures", "--inputs", str(DEMO_INPUTS), "--period", "2030")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == ["grant.yml: period «2030» is not declared (declared: 2022-interim, 2022-final)"]
