"""pyproject.toml (pip) and environment.yml (conda) list the same packages and bounds."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import PROJECT


def _normalise(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    name, spec = match.group(1), match.group(2).replace(" ", "")
    return re.sub(r"[-_.]+", "-", name).lower(), spec


def test_pip_and_conda_list_the_same_packages():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip = {_normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((PROJECT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_normalise(d) for d in env["dependencies"] if isinstance(d, str)}
    conda -= {_normalise(d) for d in conda_only(env)}
    assert pip == conda


def conda_only(env: dict) -> list[str]:
    """Entries conda needs that pip does not list as packages (the interpreter, pip itself)."""
    return [d for d in env["dependencies"] if isinstance(d, str) and _normalise(d)[0] in {"python", "pip"}]


def test_conda_environment_installs_the_project_itself():
    env = yaml.safe_load((PROJECT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
