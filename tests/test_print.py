"""Numbers and links as they print: in report.pdf and report.docx a number is plain text (no
link annotation, no hyperlink, no link colour); a cost of 0 prints «0 тенге»; a long address
is shown decoded and short, its link keeping the full address."""

from __future__ import annotations

import re
import subprocess
import zlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from pipeline.assembly import pdf
from pipeline.notebook import formatting, links, views

NBSP = "\u00a0"
ADDRESS = "https://www.facebook.com/%D0%9C%D0%A1%D0%A3.%D0%93%D0%90%D0%9C%D0%9E/posts/pfbid02XyZ1234567890abcdef?__cft__=AZX"


@pytest.mark.parametrize("url, shown", [
    (ADDRESS, "facebook.com/МСУ.ГАМО/posts/pfbid02XyZ12…"),
    ("https://t.me/msugamo", "t.me/msugamo"),
    ("https://www.youtube.com/watch?v=abc", "youtube.com/watch…"),
    ("https://user:secret@Example.KZ:8080/a%20b/", "example.kz/a b"),
    ("http://xn--80ak6aa92e.com/", "xn--80ak6aa92e.com"),            # a look-alike host stays punycode
    ("https://x.kz/%E2%80%AEgpj.exe", "x.kz/%E2%80%AEgpj.exe"),       # a right-to-left override stays encoded
    ("https://x.kz/%1B%5B2J", "x.kz/%1B[2J"),
    ("https://gamo.kz/kk/%d0%be%d1%80%ad2%9b", "gamo.kz/kk/ор%AD2%9B"),    # bytes that are no UTF-8 stay encoded
    ("javascript:alert(1)", "javascript:alert(1)"),
])
def test_an_address_is_shown_decoded_and_short(url, shown):
    assert links.short_url(url) == shown
    assert len(links.short_url(url)) <= links.SHORT_URL_LENGTH + 1


def _media(url: str) -> BeautifulSoup:
    item = {"platform": "Facebook", "account": "", "title": "Пост", "reach": 10, "publications": 1,
            "date": __import__("datetime").date(2022, 5, 20), "url": url}
    figures = {name: 0 for name in ("media.own.reach", "media.own.publications", "media.external.reach",
                                    "media.external.publications", "media.reach", "media.publications",
                                    "media.partner.reach", "media.press.reach")}
    return BeautifulSoup(views.render("media.html.j2", own=[item], others=[], f=figures, metrics=[], nothing=None).data,
                         "html.parser")


def test_the_media_table_shows_an_address_short_and_links_the_whole_of_it():
    link = _media(ADDRESS).select_one("a[href^='https']")
    assert link["href"] == ADDRESS and link.get_text() == "facebook.com/МСУ.ГАМО/posts/pfbid02XyZ12…"
    assert "%D0" not in _media(ADDRESS).get_text()


def _activity(cost: object) -> dict:
    return {"id": "4.2", "first": True, "span": 1, "task_no": 4, "task": "Информационная работа",
            "activity": "Медиаплан", "deadline": "Апрель-Ноябрь", "indicator": "Публикации", "achieved": 3,
            "target": 5, "achieved_pct": 60, "participants": 0, "description": "", "documents": [],
            "links": [ADDRESS], "cost": cost, "none": None}


def test_an_activity_that_cost_nothing_prints_zero_in_the_grants_currency():
    page = BeautifulSoup(views.render("activities.html.j2", rows=[_activity(0)], currency="тенге").data,
                         "html.parser")
    assert page.select_one("td.gr-cost").get_text(" ", strip=True) == "0 тенге"
    assert page.select_one("td ol a").get_text() == "facebook.com/МСУ.ГАМО/posts/pfbid02XyZ12…"
    unknown = BeautifulSoup(views.render("activities.html.j2", rows=[_activity(None)], currency="тенге").data,
                            "html.parser")
    assert unknown.select_one("td.gr-cost").get_text(strip=True) == "—"


def test_money_and_figures_print_a_zero_as_zero():
    assert formatting.money(0) == f"0{NBSP}тенге" and formatting.money(None) == "—"
    assert formatting.figure("activity.4.2.cost", 0) == "0"


def test_on_paper_a_number_is_no_link():
    page = ('<p><a class="gr-figure" href="#fig-media.reach" data-figure="media.reach">1 217</a> '
            '<a href="https://t.me/x">t.me/x</a></p>')
    plain = BeautifulSoup(pdf.plain_figures(page), "html.parser")
    assert not plain.select_one("a.gr-figure").has_attr("href")
    assert plain.select_one("a.gr-figure").get_text() == "1 217"
    assert plain.select_one("a[href]")["href"] == "https://t.me/x"


def test_a_small_pdf_carries_no_link_annotation_over_a_number():
    page = ('<html lang="ru"><body class="gr-report"><p>Охват – <a class="gr-figure" href="#fig-media.reach" '
            'data-figure="media.reach">1 217</a>; <a href="https://t.me/msugamo">t.me/msugamo</a></p>'
            '<p id="fig-media.reach">media.reach</p></body></html>')
    annotations = link_annotations(pdf.html_to_pdf(page))
    assert [a["uri"] for a in annotations] == ["https://t.me/msugamo"]


# Reading a PDF's link annotations: neither pypdf nor pdfplumber is installed, so its objects
# (plain or in compressed object streams, as WeasyPrint writes them) are read here.

def pdf_objects(data: bytes) -> dict[int, bytes]:
    """Every object of a PDF by number, those packed in object streams (/ObjStm) included."""
    objects: dict[int, bytes] = {}
    for match in re.finditer(rb"(\d+) 0 obj(.*?)endobj", data, re.S):
        number, body = int(match[1]), match[2]
        objects[number] = body
        stream = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
        if stream and b"/ObjStm" in body:
            raw = zlib.decompress(stream[1])
            first = int(re.search(rb"/First (\d+)", body)[1])
            header = list(map(int, raw[:first].split()))
            pairs = list(zip(header[::2], header[1::2], strict=True))
            for i, (packed, offset) in enumerate(pairs):
                end = pairs[i + 1][1] if i + 1 < len(pairs) else len(raw) - first
                objects[packed] = raw[first + offset:first + end]
    return objects


def _refs(text: bytes) -> list[int]:
    return [int(n) for n in re.findall(rb"(\d+) 0 R", text)]


def link_annotations(data: bytes) -> list[dict]:
    """Each link annotation of a PDF: its page (from 1), rectangle (x0, y0, x1, y1, PDF points
    from the bottom left) and address (None for a link within the document)."""
    objects = pdf_objects(data)
    root = next(body for body in objects.values() if re.search(rb"/Type\s*/Pages\b", body)
                and b"/Parent" not in body)
    found = []
    for page_number, page in enumerate(_refs(re.search(rb"/Kids\s*\[(.*?)\]", root, re.S)[1]), start=1):
        annots = re.search(rb"/Annots\s*\[(.*?)\]", objects[page], re.S)
        for ref in _refs(annots[1]) if annots else []:
            body = objects[ref]
            if not re.search(rb"/Subtype\s*/Link", body):
                continue
            rect = [float(v) for v in re.search(rb"/Rect\s*\[([^\]]*)\]", body)[1].split()]
            uri = re.search(rb"/URI\s*\((.*?)\)", body)
            found.append({"page": page_number, "rect": (min(rect[0], rect[2]), min(rect[1], rect[3]),
                                                          max(rect[0], rect[2]), max(rect[1], rect[3])),
                          "uri": uri[1].decode("latin-1") if uri else None})
    return found


def words_under(path: Path, annotation: dict) -> list[str]:
    """The words of the PDF's page (poppler's pdftotext -bbox) whose middle lies inside the
    annotation's rectangle."""
    page = annotation["page"]
    layout = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                            capture_output=True, text=True, check=True).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', layout)[1])
    x0, y0, x1, y1 = annotation["rect"]
    words = []
    for match in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                             layout):
        left, top, right, bottom = (float(match[i]) for i in range(1, 5))
        x, y = (left + right) / 2, height - (top + bottom) / 2
        if x0 <= x <= x1 and y0 <= y <= y1:
            words.append(match[5])
    return words


_NUMBER = re.compile(r"^[\d\s\u00a0,.%]+$")


@pytest.mark.slow
@pytest.mark.parametrize("region", ["all", "atyrau"])
def test_no_link_annotation_covers_a_number_in_a_built_pdf(demo_build, region):
    path = demo_build[0] / "2022-final" / region / "report.pdf"
    annotations = link_annotations(path.read_bytes())
    assert all(a["uri"] for a in annotations), "a link within the report: a number's, to its registry entry"
    covered = [(a["uri"], words) for a in annotations for words in [words_under(path, a)]
               if any(_NUMBER.match(word) for word in words)]
    assert covered == []
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "%D0" not in text, "addresses are shown decoded"
    if region == "atyrau":
        assert "0 тенге" in text.replace(NBSP, " ")


@pytest.mark.slow
def test_a_built_docx_has_no_hyperlink_on_a_number_and_links_addresses_whole(demo_build):
    from docx import Document

    path = demo_build[0] / "2022-final" / "all" / "report.docx"
    document = Document(str(path))
    body = document.element.body
    namespace = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                 "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    hyperlinks = body.findall(".//w:hyperlink", namespace)
    assert hyperlinks, "addresses stay links"
    rels = document.part.rels
    found = [("".join(t.text or "" for t in link.findall(".//w:t", namespace)),
              rels[link.get(f"{{{namespace['r']}}}id")].target_ref) for link in hyperlinks]
    assert not [text for text, _target in found if _NUMBER.match(text)]
    assert all(target.startswith("http") for _text, target in found), found
    # decoded, but for bytes that are no UTF-8 (the demo's gamo.kz addresses hold some): those stay %XX
    assert all("%" not in text or text == links.short_url(target) for text, target in found), found
    # The media table's addresses are shown short, linked whole (an analyst's own link text in a
    # narrative is the analyst's).
    shortened = [(text, target) for text, target in found if text == links.short_url(target) != target]
    assert shortened and all(len(text) <= links.SHORT_URL_LENGTH + 1 for text, _target in shortened)
