"""The contract a user needs lives in the repository: docs/inputs.md names every table and
column of the schema as declared, docs/figures.md every figure pattern and block rule, and no
document points outside the repository."""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT

from pipeline.figures.catalogue import CATALOGUE, RULES
from pipeline.inputs.schema import TABLES

DOCS = PROJECT / "docs"


def _documented_columns() -> dict[str, list[tuple[str, str, str]]]:
    """Per `## \\`table\\`` section of docs/inputs.md: (column, required, filled) of its table."""
    text = (DOCS / "inputs.md").read_text(encoding="utf-8")
    found: dict[str, list[tuple[str, str, str]]] = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        title = re.match(r"`(\w+)`", section)
        if title:
            found[title.group(1)] = re.findall(r"^\| `(\w+)` \| (yes|no) \| (yes|no) \|", section, re.M)
    return found


def test_every_table_and_column_of_the_schema_is_documented_as_declared():
    documented = _documented_columns()
    for table, columns in TABLES.items():
        expected = [(c.name, "yes" if c.required else "no", "yes" if c.nonblank else "no") for c in columns]
        assert documented.get(table) == expected, f"docs/inputs.md, {table}: document it as schema.py declares it"


def test_every_figure_pattern_and_block_rule_is_documented():
    text = (DOCS / "figures.md").read_text(encoding="utf-8")
    for entry in CATALOGUE:
        assert f"| `{entry.pattern}` | {entry.description} |" in text, entry.pattern
    for rule in RULES.values():
        assert rule.text in text, rule.title


@pytest.mark.parametrize("document", sorted(p.relative_to(PROJECT).as_posix() for p in
                                            [PROJECT / "README.md", PROJECT / "ARCHITECTURE.md", *DOCS.glob("*.md")]))
def test_no_document_points_outside_the_repository(document):
    text = (PROJECT / document).read_text(encoding="utf-8")
    assert "../shared" not in text and "PRODUCT.md" not in text, document
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if not target.startswith(("http://", "https://", "mailto:")):
            assert ((PROJECT / document).parent / target).exists(), (document, target)
