"""Mangled text, HTML, PDF and DOCX bytes through ingest and extraction: every
file ends as a Document or a Skipped with a reason, never a crash or a hang.

Hypothesis bounds the time of each example (``deadline``); a real hang, which a
deadline only notices afterwards, is cut by an alarm and fails the test."""

from __future__ import annotations

import signal
import tempfile
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.ingest import Skipped, read_document
from kg.model import Document
from tests.documents import make_docx, make_html, make_pdf

pytestmark = pytest.mark.fuzz

FI = ("Hankkeen nimi on ”Älykäs Kymi”. Hanketta hallinnoi Kaakkois-Suomen ammattikorkeakoulu. "
      "Hankkeen rahoittaja on Euroopan sosiaalirahasto plus ja kokonaiskustannukset ovat "
      "1 200 000 euroa. Toiminta-alueena ovat Kotka ja Hamina 1.1.2024–31.12.2026.")
SEEDS = {
    ".txt": FI.encode("utf-8"),
    ".html": make_html("Älykäs Kymi", [FI, FI], date="2024-01-02", url="https://example.fi/a"),
    ".pdf": make_pdf([[FI[:80], FI[80:]], [FI]], title="Pöytäkirja",
                     creation_date="20240102030405"),
    ".docx": make_docx([FI], table=[["Rahoittaja", "ESR+"]]),
}
HANG_SECONDS = 60
FUZZ = settings(max_examples=30, deadline=timedelta(seconds=20), derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def extractor():
    from kg.extract import get_extractor

    return get_extractor("hankegraph.rules.v1")


@contextmanager
def no_hang(what: str):
    def alarm(_sig, _frame):
        raise AssertionError(f"{what}: no answer in {HANG_SECONDS} s (a hang)")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@st.composite
def mangled(draw, seed: bytes) -> bytes:
    """The seed file with a few bytes flipped, cut out, duplicated or inserted."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "duplicate", "truncate"]))
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i:i + draw(st.integers(1, 64))]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=64))
        elif op == "duplicate":
            data[i:i] = data[i:i + draw(st.integers(1, 256))]
        else:
            del data[i:]
    return bytes(data)


def _through_the_pipeline(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp, no_hang(f"{suffix} of {len(data)} bytes"):
        path = Path(tmp) / f"doc{suffix}"
        path.write_bytes(data)
        item = read_document(path)
        assert isinstance(item, Document | Skipped)
        if isinstance(item, Skipped):
            assert item.path == str(path) and item.reason.strip()
            return
        extraction = extractor()(item)
        for claim in extraction.claims:
            assert 0 <= claim.span.start <= claim.span.end <= len(item.text)
            item.page_at(claim.span.start)


@pytest.mark.parametrize("suffix", sorted(SEEDS))
def test_mangled_files(suffix):
    @FUZZ
    @given(mangled(SEEDS[suffix]))
    def run(data):
        _through_the_pipeline(suffix, data)

    run()


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), st.binary(max_size=4096))
def test_arbitrary_bytes(suffix, data):
    _through_the_pipeline(suffix, data)


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=2000),
       st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"]))
def test_arbitrary_text(text, encoding):
    _through_the_pipeline(".txt", text.encode(encoding, errors="replace"))
    _through_the_pipeline(".html", f"<html><body><p>{text}</p></body></html>".encode())
