"""PDF with a text layer (pypdf). Page numbers are kept: the text of the pages
is joined with a blank line and ``page_starts`` records the offset where each
page begins, so that any evidence offset gives its page (Document.page_at).

pypdf is pure Python, and a pathological content stream can keep it busy for
minutes: opening the file and the text of each page get ``PAGE_SECONDS`` of
wall-clock time each (a SIGALRM timer), after which the PDF is skipped with
the page named. The limit applies in the main thread when no other interval
timer is running (signals reach only the main thread, and someone else's
timer is not ours to take); elsewhere pypdf runs without it."""

from __future__ import annotations

import io
import logging
import re
import signal
import threading
from contextlib import contextmanager

from kg.ingest.errors import Unreadable

PAGE_SEPARATOR = "\n\n"
#: Fewer letters than this in the whole PDF means there is no text layer.
MIN_LETTERS = 20
#: Wall-clock seconds pypdf may spend opening the file, and on each page's text.
PAGE_SECONDS = 30.0


class _TooSlow(BaseException):
    """Raised by the timer; not an Exception, so that no ``except Exception``
    inside pypdf swallows it."""


@contextmanager
def _time_limit(seconds: float):
    if threading.current_thread() is not threading.main_thread() \
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield
        return

    fired = []

    def _alarm(_signum, _frame):
        fired.append(True)
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired:
        # the handler's exception was lost: raised inside a garbage-collector callback
        # or a __del__, which Python reports and drops. The time was over all the same.
        raise _TooSlow


def read_pdf(raw: bytes) -> dict:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are ours to word
    where = "opening it"
    try:
        with _time_limit(PAGE_SECONDS):
            reader = PdfReader(io.BytesIO(raw))
            if reader.is_encrypted and not reader.decrypt(""):
                raise Unreadable("encrypted PDF: it needs a password; save an unprotected copy")
            pages = list(reader.pages)
            meta = reader.metadata
            title = (meta.title or "").strip() if meta else ""
            created = meta.creation_date if meta else None
        texts = []
        for number, page in enumerate(pages, start=1):
            where = f"the text of page {number} of {len(pages)}"
            with _time_limit(PAGE_SECONDS):
                texts.append(page.extract_text() or "")
    except _TooSlow:
        raise Unreadable(f"PDF too slow to read: {where} took over {PAGE_SECONDS:g} s "
                         "(a pathological page?); print it to a new PDF, or convert it "
                         "to text, and build again") from None
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
