"""Saved web pages: the main text only (trafilatura drops menus, cookie banners
and footers), with the page's title, date and canonical URL.

trafilatura is given the bytes, never a URL: nothing is fetched.
"""

from __future__ import annotations

import re

from kg.ingest.errors import Unreadable

#: Fewer letters than this is a page without an article (a menu, a redirect).
MIN_LETTERS = 20


def read_html(raw: bytes) -> dict:
    import trafilatura

    try:
        found = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False)
    except Exception as e:  # noqa: BLE001 - lxml and trafilatura raise many kinds
        raise Unreadable(f"not a readable HTML page ({type(e).__name__}: {e})") from e
    text = (found.text or "").strip() if found is not None else ""
    if len(re.findall(r"[^\W\d_]", text)) < MIN_LETTERS:
        # trafilatura falls back to whatever the page has, a lone menu item included
        raise Unreadable("no main text found in the HTML page")
    return {"text": text.replace("\r\n", "\n").replace("\r", "\n"),
            "title": found.title or None, "date": found.date or None,
            "source_url": found.url if found.url and found.url.startswith("http") else None,
            "media_type": "text/html"}
