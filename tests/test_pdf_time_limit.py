"""A PDF whose text pypdf takes too long to read is skipped with the page named,
instead of stalling the build (kg/ingest/pdf.py, PAGE_SECONDS)."""

from __future__ import annotations

import contextlib
import signal
import time

from kg.ingest import Skipped, read_document
from kg.model import Document
from tests.documents import make_pdf

FIRST_PAGE = ["Hankkeen nimi on Koehanke, ja sitä hallinnoi Centria-ammattikorkeakoulu."]
# about 1.25 s of pypdf's time on the 2-core machine (0.5 s per 10 000 lines,
# measured), against a limit of 0.3 s in the test and 0.012 s to open the file
HEAVY_PAGE = ["hanke " * 5] * 25_000


def _heavy_pdf(tmp_path):
    path = tmp_path / "raskas.pdf"
    path.write_bytes(make_pdf([FIRST_PAGE, HEAVY_PAGE]))
    return path


def test_a_page_over_the_limit_skips_the_pdf_naming_the_page(tmp_path, monkeypatch):
    path = _heavy_pdf(tmp_path)
    handler = signal.getsignal(signal.SIGALRM)
    # the limit stands aside when another timer runs: none may be left by other tests
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    # far above what opening the file takes, even on a loaded machine, and far
    # below what the heavy page takes (about a second)
    monkeypatch.setattr("kg.ingest.pdf.PAGE_SECONDS", 0.3)
    item = read_document(path)
    assert isinstance(item, Skipped) and item.path == str(path)
    assert "page 2 of 2 took over 0.3 s" in item.reason
    # nothing of the timer is left behind
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == handler


def test_the_same_pdf_within_the_default_limit_is_read(tmp_path):
    item = read_document(_heavy_pdf(tmp_path))
    assert isinstance(item, Document) and item.page_starts[1] > 0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_someone_elses_timer_is_left_alone(tmp_path, monkeypatch):
    """Under another timer (a test's hang guard) there is no limit, and that timer
    keeps running with its own handler."""
    path = _heavy_pdf(tmp_path)
    monkeypatch.setattr("kg.ingest.pdf.PAGE_SECONDS", 0.05)
    fired = []

    def guard(_signum, _frame):
        fired.append(True)

    previous = signal.signal(signal.SIGALRM, guard)
    signal.setitimer(signal.ITIMER_REAL, 600)
    try:
        item = read_document(path)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        handler = signal.getsignal(signal.SIGALRM)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert isinstance(item, Document)
    assert 0 < remaining < 600 and not fired
    assert handler is guard


def test_a_timeout_that_something_swallows_still_skips_the_pdf(tmp_path, monkeypatch):
    """The timer's exception can land in code that drops it (a garbage-collector
    callback, a __del__: it happened under hypothesis' gc callback); the page
    was over the limit all the same."""
    from pypdf import PageObject

    def swallowing(self, *args, **kwargs):
        with contextlib.suppress(BaseException):  # the point of the test
            time.sleep(0.5)
        return "hanke " * 10

    monkeypatch.setattr(PageObject, "extract_text", swallowing)
    monkeypatch.setattr("kg.ingest.pdf.PAGE_SECONDS", 0.1)
    item = read_document(_heavy_pdf(tmp_path))
    assert isinstance(item, Skipped) and "page 1 of 2 took over 0.1 s" in item.reason
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
