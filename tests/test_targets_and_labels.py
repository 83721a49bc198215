"""Issue 22: a regional report measures its region against the region's own target (grant.yml
`targets:`), never the project's; metrics are named by their labels (grant.yml `metrics:`)."""

from __future__ import annotations

import re
import shutil

from conftest import DEMO_INPUTS, report_figures

from pipeline.inputs.validation import validate
from pipeline.notebook import context, views


def test_a_regional_report_counts_against_its_regions_target_and_the_consolidated_one_the_plans():
    plan = context.load(DEMO_INPUTS, "2022-final", "all").inputs["plan"].set_index("activity_id")["target"]
    whole = report_figures(DEMO_INPUTS, "2022-final", "all")
    assert whole["activity.1.1.target"] == plan["1.1"]
    almaty = report_figures(DEMO_INPUTS, "2022-final", "almaty")
    assert almaty["activity.1.1.target"] == 1, "grant.yml's targets: 1.1 almaty"
    assert almaty["activity.1.1.achieved_pct"] == 100 * almaty["activity.1.1.achieved"]
    assert almaty["activity.3.1.target"] is None and almaty["activity.3.1.achieved_pct"] is None, "no regional target"


def test_targets_name_activities_of_the_plan_and_regions_of_the_grant(tmp_path):
    root = shutil.copytree(DEMO_INPUTS, tmp_path / "inputs")
    text = (root / "grant.yml").read_text(encoding="utf-8")
    lines = text.splitlines()
    after = lines.index("targets:") + 1  # the two entries go first under `targets:`
    lines[after:after] = ["  '9.9': {almaty: 1}", "  '3.1': {nowhere: 1}"]
    (root / "grant.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = validate(root).lines()
    assert [line.split(": expected", 1)[0] for line in found] == [f"grant.yml:{after + 1}: targets = 9.9",
                                                                 f"grant.yml:{after + 2}: targets 3.1 = nowhere"]


def test_metrics_are_named_by_their_labels_and_an_unlabelled_one_is_a_warning(tmp_path):
    ctx = context.load(DEMO_INPUTS, "2022-final", "all")
    page = views.media(ctx, report_figures(DEMO_INPUTS, "2022-final", "all")).data
    assert "Подписчики Telegram-канала" in page and ">telegram_subscribers<" not in page
    root = shutil.copytree(DEMO_INPUTS, tmp_path / "inputs")
    text = (root / "grant.yml").read_text(encoding="utf-8")
    (root / "grant.yml").write_text(re.sub(r"^  telegram_subscribers: .*\n", "", text, flags=re.M),
                                    encoding="utf-8")
    warnings = [str(w) for w in validate(root).warnings if w.code == "metrics.unlabelled"]
    assert len(warnings) == 1 and "name = telegram_subscribers: grant.yml gives the metric no label" in warnings[0]


def test_the_registry_names_topics_and_regions_by_their_names():
    from pipeline.figures import catalogue

    ctx = context.load(DEMO_INPUTS, "2022-final", "all")
    names = catalogue.grant_names(ctx.grant, ctx.selection.topics)
    meaning = catalogue.lookup("survey.msu.aktobe.trainer").describe("survey.msu.aktobe.trainer", names)
    assert meaning == f"Тема «{ctx.selection.topics['msu']}», регион Актюбинская область: средняя оценка работы тренера"
    assert catalogue.describe("survey.msu.aktobe.trainer") == "Тема «msu», регион aktobe: средняя оценка работы тренера"
