"""A grant reporting in both languages (issue 24): its own texts given `{ru: …, kk: …}` in
grant.yml and in the plan's `_kk` columns, printed in the report's language (the Russian where
the Kazakh is missing), named by either in the tables, listed by `validate` where a report in
Kazakh prints Russian, and part of each report's key."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import DEMO_INPUTS

from pipeline.exceptions import InputError
from pipeline.figures.scope import make_scope, select
from pipeline.incremental import fingerprints
from pipeline.inputs import untranslated
from pipeline.inputs.grant import load_grant, parse_grant
from pipeline.inputs.loading import in_language
from pipeline.inputs.validation import validated

#: The demo gives its texts in both languages (inputs/grant.yml); these leave aktobe's name in
#: Russian only ({ru: …}) and one metric's label one text for both languages.
BILINGUAL = {
    "{id: aktobe, name: {ru: 'Актюбинская область', kk: 'Ақтөбе облысы'}}": "{id: aktobe, name: {ru: 'Актюбинская область'}}",
    "  media_plans: {ru: 'Медиаплан', kk: 'Медиажоспар'}": "  media_plans: 'Медиаплан'",
}


def _bilingual(folder: Path, language: str = "kk") -> Path:
    """The demo (its texts in both languages) with aktobe's name in Russian only and the plan's
    activity in Kazakh for its first two rows."""
    inputs = folder / "inputs"
    shutil.copytree(DEMO_INPUTS, inputs)
    grant = inputs / "grant.yml"
    text = grant.read_text(encoding="utf-8")
    for russian, both in BILINGUAL.items():
        assert russian in text, russian
        text = text.replace(russian, both)
    grant.write_text(text + f"\nlanguage: {language}\n", encoding="utf-8")
    plan = pd.read_csv(inputs / "plan.csv", dtype=str)
    plan["activity_kk"] = ["Community-орталықтар құру", "Оқыту тренингтері"] + [""] * (len(plan) - 2)
    plan.to_csv(inputs / "plan.csv", index=False)
    return inputs


def test_a_grantee_text_in_both_languages_is_read_in_the_reports_language(tmp_path):
    grant = load_grant(_bilingual(tmp_path))
    assert grant.topic.startswith("Жергілікті") and grant.signatory.position == "Жоба жетекшісі"
    assert grant.region_name("almaty") == "Алматы облысы"
    assert grant.region_name("aktobe") == "Актюбинская область"  # no Kazakh: the Russian
    assert grant.metrics["announcements"] == "Анонстар" and grant.metrics["media_plans"] == "Медиаплан"
    russian = grant.in_language("ru")
    assert russian.language == "ru" and russian.region_name("almaty") == "Алматинская область"
    assert russian.topic.startswith("Организация") and russian.in_language("kk").metrics["announcements"] == "Анонстар"


def test_a_topic_and_an_event_type_may_be_named_in_both_languages():
    base = (DEMO_INPUTS / "grant.yml").read_text(encoding="utf-8")
    grant = parse_grant(base + "\nevent_types:\n  seminar: {ru: Семинар, kk: Семинар-кеңес}\n"
                               "topics:\n  budget: {ru: Бюджет для граждан, kk: Азаматтарға арналған бюджет}\n"
                               "language: kk\n")
    assert grant.event_types["seminar"].name == "Семинар-кеңес" and grant.topics["budget"].title.startswith("Азамат")
    words = grant.event_type_words()
    assert {words.get(key) for key in ("семинар", "семинар-кеңес")} == {"seminar"}  # either name reads as the type
    assert grant.in_language("ru").topics["budget"].title == "Бюджет для граждан"


def test_a_text_by_language_needs_its_russian_and_no_other_language():
    base = (DEMO_INPUTS / "grant.yml").read_text(encoding="utf-8")
    line = base.splitlines().index("currency: тенге") + 1
    for written in ("{kk: 'Тек қазақша'}", "{ru: 'Тема', en: 'Topic'}", "{}"):
        with pytest.raises(InputError) as error:
            parse_grant(re.sub(r"^topic: .*$", f"topic: {written}", base, count=1, flags=re.M))
        assert re.match(r"grant\.yml:\d+: topic = .*: expected a text, or its texts by language \(\{ru: …, kk: …\}\)",
                        str(error.value)), str(error.value)
    assert line  # grant.yml has the line the demo's topic is replaced on


def test_a_table_may_name_a_region_by_its_kazakh_name(tmp_path):
    inputs = _bilingual(tmp_path)
    centres = (inputs / "centres.csv").read_text(encoding="utf-8")
    assert "\nalmaty," in centres
    (inputs / "centres.csv").write_text(centres.replace("\nalmaty,", "\nАлматы облысы,"), encoding="utf-8")
    read = validated(inputs)
    assert "almaty" in set(read.tables["centres"]["region"])


def test_the_plans_kazakh_columns_give_a_kazakh_report_its_texts(tmp_path):
    kazakh = validated(_bilingual(tmp_path))
    assert list(kazakh.tables["plan"]["activity"][:2]) == ["Community-орталықтар құру", "Оқыту тренингтері"]
    russian_rows = pd.read_csv(DEMO_INPUTS / "plan.csv", dtype=str)
    assert kazakh.tables["plan"]["activity"].iloc[2] == russian_rows["activity"].iloc[2]  # blank: the Russian
    russian = in_language(kazakh, "ru")
    assert list(russian.tables["plan"]["activity"]) == list(russian_rows["activity"])
    assert list(in_language(russian, "kk").tables["plan"]["activity"]) == list(kazakh.tables["plan"]["activity"])
    assert russian.grant.region_name("almaty") == "Алматинская область"


def test_validate_lists_what_a_kazakh_report_prints_in_russian_one_line_a_kind(tmp_path, cli):
    inputs = _bilingual(tmp_path)
    result = cli("validate", "--inputs", str(inputs))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "Russian only" in line or "_kk is blank" in line]
    assert lines == [
        "warning: grant.yml: 1 text given in Russian only, without kk (the report in Kazakh prints it in Russian): "
        "regions[5].name",
        "warning: plan.csv:4–6 (3 rows): activity_kk is blank: the report in Kazakh prints the Russian activity there",
    ], result.stderr
    assert untranslated.lacking_kazakh(in_language(validated(inputs), "ru")) == []  # a note for Kazakh only


def test_the_kazakh_texts_are_part_of_each_reports_key(tmp_path):
    first = validated(_bilingual(tmp_path / "a"))
    inputs = _bilingual(tmp_path / "b")
    plan = pd.read_csv(inputs / "plan.csv", dtype=str).fillna("")
    plan.loc[0, "activity_kk"] = "Басқа мәтін"
    plan.to_csv(inputs / "plan.csv", index=False)
    second = validated(inputs)
    scope = make_scope(first.grant, "2022-interim", "all")
    assert fingerprints.slice_key(first, select(first, scope)) != fingerprints.slice_key(second, select(second, scope))
