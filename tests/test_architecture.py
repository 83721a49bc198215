"""The layout holds: the layers contract names every package, and ARCHITECTURE.md and the
README name every package and module of `pipeline/` there is. Whether the contracts are kept
is `lint-imports`' to say, in scripts/lint.sh (run by .ci/run before the tests), not a test's:
it takes seconds, and the inner loop (`pytest -m "not slow"`) is under a minute."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PROJECT

PACKAGE = PROJECT / "pipeline"


def _packages() -> list[str]:
    return sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))


def _modules(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.py") if p.stem not in ("__init__", "__main__"))


def test_the_contract_names_every_package_as_a_layer():
    layers = re.search(r"layers = \[(.*?)\]", (PROJECT / "pyproject.toml").read_text(encoding="utf-8"), re.S).group(1)
    named = set(re.findall(r"pipeline\.(\w+)", layers))
    assert set(_packages()) | {"cli", "app"} <= named
    assert set(_modules(PACKAGE)) <= named


@pytest.mark.parametrize("document", ["ARCHITECTURE.md", "README.md"])
def test_the_documents_name_every_package_and_module(document):
    text = (PROJECT / document).read_text(encoding="utf-8")
    for package in _packages():
        if package == "templates":
            continue
        assert f"`pipeline/{package}/`" in text or f"`pipeline.{package}`" in text, (document, package)
        for module in _modules(PACKAGE / package):
            assert re.search(rf"`(?:{package}[./])?{module}(?:\.py)?`", text), (document, package, module)
    for module in _modules(PACKAGE):
        assert re.search(rf"`(?:pipeline[./])?{module}(?:\.py)?`", text), (document, module)


def test_no_module_is_over_the_size_that_reads_in_one_sitting():
    long = {p.relative_to(PROJECT).as_posix(): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450}
    assert not long, long
