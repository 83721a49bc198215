"""Builds written by hand, for tests of what reads a build (history, diff, the reviewers'
index) without running one: a report folder with figures.json and manifest.json as a build
writes them, and a headless Chromium page to open what a run wrote."""

from __future__ import annotations

import contextlib
import json
import os
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeline import paths
from pipeline.figures import catalogue

CHROMIUM = Path("/usr/bin/chromium")
#: The demo's inputs as a manifest lists them (path → hash), for hand-written builds.
INPUTS = {"grant.yml": "g1", "media.csv": "m1", "consultations.csv": "c1",
          "narratives/p1/1.1.md": "n1", "narratives/p2/1.1.md": "n2"}


def write_build(folder: Path, figures: dict, inputs: dict[str, str] | None = None, when: float | None = None,
                formats: tuple[str, ...] = ("html",), timings: float = 1.0) -> Path:
    """A report folder (or staging folder) holding a build of `figures`: figures.json, a
    manifest naming `inputs` ({path: sha256}) and each figure's meaning, and the report in
    `formats`; its manifest written at `when` (seconds since the epoch), if given."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    period, region = folder.parent.name, folder.name
    (folder / "figures.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    manifest = {
        "period": period, "region": region, "parameters": {"inputs": "/somewhere/inputs"},
        "inputs": [{"path": path, "size": 1, "sha256": digest} for path, digest in (inputs or INPUTS).items()],
        "timings_seconds": {"00_header.ipynb": timings},
        "figures": {name: {"value": value, "description": _meaning(name)} for name, value in figures.items()},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    for kind in formats:
        (folder / f"report.{kind}").write_text(f"<p>{region}</p>", encoding="utf-8")
    for name in paths.evidence_files(formats):
        (folder / name).write_text(f"<p>{region}: evidence</p>", encoding="utf-8")
    if when is not None:
        os.utime(folder / "manifest.json", (when, when))
    return folder


def _meaning(name: str) -> str:
    try:
        return catalogue.describe(name)
    except KeyError:
        return f"meaning of {name}"


@contextmanager
def chromium_page(width: int = 1400, height: int = 900) -> Iterator:
    """A page of Debian's headless Chromium through Playwright (the test is skipped without them)."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/env.sh installs it)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def file_links(page) -> list[Path]:
    """Every link of the page open in `page`, as the file it leads to (each must be a file:// link)."""
    hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
    assert all(href.startswith("file://") for href in hrefs), hrefs
    from urllib.parse import unquote, urlsplit

    return [Path(unquote(urlsplit(href).path)) for href in hrefs]


def pdf_objects(path: Path) -> bytes:
    """A PDF's objects as text: its plain objects and its compressed streams, inflated."""
    data = path.read_bytes()
    inflated = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        with contextlib.suppress(zlib.error):
            inflated.append(zlib.decompress(match.group(1)))
    return b"\n".join(inflated)
