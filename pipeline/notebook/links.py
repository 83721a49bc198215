"""The one allow-list of link schemes for everything a report, a notebook or a PDF links to.

A link in the inputs (a publication's `url`, a Markdown link in a narrative) becomes a live
`<a href>` only when its scheme is http, https or mailto; anything else (`javascript:`,
`data:`, `file:`, `vbscript:`, no scheme at all) is shown as plain text. A live link is shown
as a person reads it (`short_url`: decoded, its host and the start of its path), its `href`
the full address.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote, urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

# What browsers ignore inside a scheme (`java\tscript:`), and the scheme itself.
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def safe_href(url: object) -> str | None:
    """`url` when it may be a live link (its scheme allowed), else None: show it as text."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    scheme = _SCHEME.match(_IGNORED.sub("", text))
    if not scheme or scheme.group(1).lower() not in ALLOWED_SCHEMES or _IGNORED.search(text):
        return None
    return text


#: The most characters of a link's address shown on the page (the link keeps all of it).
SHORT_URL_LENGTH = 40
ELLIPSIS = "…"


#: Characters a decoded address keeps percent-encoded: controls, format characters (a
#: right-to-left override would reorder what follows it) and line separators.
_UNSHOWN = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _shown(ch: str) -> str:
    """A decoded character as shown: itself, or percent-encoded when it would not show as itself
    (`_UNSHOWN`) or is a byte that was no UTF-8 (kept by `surrogateescape` as U+DC80–U+DCFF)."""
    if "\udc80" <= ch <= "\udcff":
        return f"%{ord(ch) - 0xDC00:02X}"
    return quote(ch) if unicodedata.category(ch) in _UNSHOWN else ch


def _decoded(path: str) -> str:
    """A path with its percent-encoding undone, but for the characters that would not show as
    themselves and the bytes that are no UTF-8 (a mangled address shows its bytes, never «�»)."""
    return "".join(_shown(ch) for ch in unquote(path, errors="surrogateescape"))


def short_url(url: object, length: int = SHORT_URL_LENGTH) -> str:
    """An address as the page shows it: percent-encoding undone, without its scheme, «www.»,
    query and fragment, the host and as much of the path as fits in `length` characters, «…»
    where anything was left out ("https://www.facebook.com/%D0%9C%D0%A1%D0%A3/posts/1?x=1" ->
    "facebook.com/МСУ/posts/1…"). Anything that is not an http(s) address is shown as it is."""
    text = str(url).strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return text
    # The host as written (punycode stays punycode: a look-alike name must not pass for another).
    host = (parts.hostname or parts.netloc).removeprefix("www.")
    path = _decoded(parts.path).rstrip("/")
    shown = host + path
    cut = len(shown) > length
    if cut:
        shown = re.sub(r"%[0-9A-F]?$", "", shown[:max(length, len(host) + 1)]).rstrip("/")  # no half an escape
    return shown + (ELLIPSIS if cut or parts.query or parts.fragment else "")
