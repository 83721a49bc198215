"""The one allow-list of link schemes for everything a report, a notebook or a PDF links to.

A link in the inputs (a publication's `url`, a Markdown link in a narrative) becomes a live
`<a href>` only when its scheme is http, https or mailto; anything else (`javascript:`,
`data:`, `file:`, `vbscript:`, no scheme at all) is shown as plain text.
"""

from __future__ import annotations

import re

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
