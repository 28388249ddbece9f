"""PDF with a text layer (pypdf). Page numbers are kept: the text of the pages
is joined with a blank line and ``page_starts`` records the offset where each
page begins, so that any evidence offset gives its page (Document.page_at)."""

from __future__ import annotations

import io
import logging
import re

from kg.ingest.errors import Unreadable

PAGE_SEPARATOR = "\n\n"
#: Fewer letters than this in the whole PDF means there is no text layer.
MIN_LETTERS = 20


def read_pdf(raw: bytes) -> dict:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are ours to word
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("encrypted PDF: it needs a password; save an unprotected copy")
        texts = [(page.extract_text() or "") for page in reader.pages]
        meta = reader.metadata
        title = (meta.title or "").strip() if meta else ""
        created = meta.creation_date if meta else None
    except Unreadable:
        raise
    except Exception as e:  # noqa: BLE001 - pypdf raises many kinds on a broken file
        kind = "encrypted" if "crypt" in str(e).lower() else "corrupt"
        raise Unreadable(f"{kind} PDF ({type(e).__name__}: {e})") from e
    if not texts:
        raise Unreadable("PDF without pages")
    text, starts = "", []
    for i, page_text in enumerate(texts):
        if i:
            text += PAGE_SEPARATOR
        starts.append(len(text))
        text += page_text.replace("\r\n", "\n").replace("\r", "\n")
    if len(re.findall(r"[^\W\d_]", text)) < MIN_LETTERS:
        raise Unreadable(f"no text layer in the PDF ({len(texts)} pages; scanned? "
                         "run OCR on it first)")
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
    return {"text": text, "title": title or first, "page_starts": tuple(starts),
            "date": created.date().isoformat() if created else None,
            "media_type": "application/pdf"}
