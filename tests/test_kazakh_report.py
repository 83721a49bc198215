"""The demo built in Kazakh (`run --language kk`, issue 24): the same figures as the Russian
build, the form's texts in Kazakh in every format, and the language declared in each."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import DEMO_INPUTS, run_cli
from helpers_builds import pdf_objects

PERIOD, REGION = "2022-final", "all"
BUILD = ("--period", PERIOD, "--region", REGION, "--quiet")
KAZAKH = ("бағдарламалық есеп", "Грант алушы", "теңге", "Гранттың сомасы", "Гранттың тақырыбы", "Басшы")
RUSSIAN = ("Грантополучатель", "Сумма гранта", "Количество участников", "Информация о выполненных работах")


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Path]:
    """The demo's final consolidated report built in Kazakh and in Russian (every format)."""
    base = tmp_path_factory.mktemp("kazakh")
    folders = {}
    for spoken in ("kk", "ru"):
        out = base / spoken
        result = run_cli("run", "--inputs", str(DEMO_INPUTS), "--outputs", str(out), "--language", spoken, *BUILD)
        assert result.returncode == 0, result.stderr
        folders[spoken] = out / PERIOD / REGION
    return folders




def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (Debian package poppler-utils)")
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.slow
def test_the_kazakh_report_has_the_russian_reports_figures(builds):
    assert (builds["kk"] / "figures.json").read_bytes() == (builds["ru"] / "figures.json").read_bytes()
    kazakh = json.loads((builds["kk"] / "manifest.json").read_text(encoding="utf-8"))
    russian = json.loads((builds["ru"] / "manifest.json").read_text(encoding="utf-8"))
    assert kazakh["build"]["report"] != russian["build"]["report"]  # the language is part of the key


@pytest.mark.slow
def test_the_kazakh_pdf_says_the_form_in_kazakh_and_no_russian_label(builds):
    text = " ".join(_pdf_text(builds["kk"] / "report.pdf").split())
    for words in KAZAKH:
        assert words in text, words
    assert re.search(r"\d{4} жылғы «?\d{1,2}»? (қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|тамыз|қыркүйек|"
                     r"қазан|қараша|желтоқсан)", text)
    assert "2022 жылғы «31» наурыз" in text  # the agreement's day, its month in Kazakh
    for words in RUSSIAN:
        assert words not in text, words
    russian = " ".join(_pdf_text(builds["ru"] / "report.pdf").split())
    assert all(words in russian for words in RUSSIAN[:2])  # what the Kazakh one must not say, the Russian one says


@pytest.mark.slow
def test_every_kazakh_page_and_file_declares_its_language(builds):
    folder = builds["kk"]
    for page in ("report.html", "evidence.html"):
        text = (folder / page).read_text(encoding="utf-8")
        assert '<html lang="kk">' in text and '<body class="gr-report" lang="kk">' in text, page
    for name in ("report.pdf", "evidence.pdf"):
        assert b"/Lang (kk)" in pdf_objects(folder / name), name
        meta = subprocess.run(["pdfinfo", "-meta", str(folder / name)], capture_output=True, text=True).stdout
        assert "<dc:language><rdf:Bag><rdf:li>kk</rdf:li></rdf:Bag></dc:language>" in meta, name
    with zipfile.ZipFile(folder / "report.docx") as docx:
        styles = docx.read("word/styles.xml").decode()
        core = docx.read("docProps/core.xml").decode()
        document = docx.read("word/document.xml").decode()
        footer = "".join(docx.read(name).decode() for name in docx.namelist() if name.startswith("word/footer"))
    assert 'w:val="kk-KZ"' in styles and "ru-RU" not in styles and "<dc:language>kk-KZ</dc:language>" in core
    assert "Грант алушы" in document and "Грантополучатель" not in document
    assert "бет " in footer and "стр." not in footer  # the page counter in Kazakh
    russian = (builds["ru"] / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in russian and "Грантополучатель" in russian


def _narrative_phrases(path: Path) -> list[str]:
    """A narrative's own words: each stretch of text between its placeholders and marks of at
    least four words (as a page shows them, white space folded)."""
    text = re.sub(r"\{\{.*?\}\}|<[^>]+>|\*\*", "|", path.read_text(encoding="utf-8"))
    return [" ".join(part.split()) for part in re.split(r"[|()\n]", text) if len(part.split()) >= 4]


@pytest.mark.slow
def test_the_kazakh_demo_report_tells_its_narratives_in_kazakh(builds):
    """`run --language kk` reads narratives/<period>/kk/: the report holds the Kazakh prose and
    none of the Russian narratives' sentences (the Russian build holds them)."""
    kazakh = " ".join((builds["kk"] / "report.html").read_text(encoding="utf-8").split())
    russian = " ".join((builds["ru"] / "report.html").read_text(encoding="utf-8").split())
    folder = DEMO_INPUTS / "narratives" / PERIOD
    for path in sorted(folder.glob("*.md")):
        phrases = _narrative_phrases(path)
        assert phrases and all(phrase in russian for phrase in phrases), path.name
        assert not [phrase for phrase in phrases if phrase in kazakh], path.name
        told = _narrative_phrases(folder / "kk" / path.name)
        assert told and all(phrase in kazakh for phrase in told), path.name
