"""Ingest of every supported format, and a clear reason for every file it cannot use."""

from __future__ import annotations

import pytest

from kg.ingest import Skipped, read_document
from kg.ingest.language import foreign_language
from kg.model import Document
from tests.documents import encrypt_pdf, make_docx, make_html, make_pdf

FINNISH = ("Hankkeen nimi on ”Älykäs Kymi”. Hanketta hallinnoi Kaakkois-Suomen "
           "ammattikorkeakoulu. Kustannukset ovat 5 000 € ja hanke päättyy vuonna 2026.")


def _read(tmp_path, name: str, data: bytes, **kw) -> Document | Skipped:
    path = tmp_path / name
    path.write_bytes(data)
    return read_document(path, **kw)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le",
                                      "cp1252", "iso8859_15"])
def test_text_in_any_common_encoding(tmp_path, encoding):
    text = FINNISH if encoding != "iso8859_15" else FINNISH.replace("”", '"')
    doc = _read(tmp_path, "a.txt", text.encode(encoding))
    assert isinstance(doc, Document), doc
    assert doc.text == text


def test_latin1_text_without_the_euro_sign(tmp_path):
    text = "Hankkeen toiminta-alue on Hämeenlinna ja Åland; päätös tehtiin kesäkuussa."
    doc = _read(tmp_path, "a.txt", text.encode("latin-1"))
    assert isinstance(doc, Document) and doc.text == text


def test_markdown_title_drops_the_heading_marks(tmp_path):
    doc = _read(tmp_path, "a.md", f"# Älykäs Kymi\n\n{FINNISH}\n".encode())
    assert doc.title == "Älykäs Kymi" and doc.media_type == "text/markdown"


def test_html_keeps_the_main_text_title_date_and_url(tmp_path):
    page = make_html("Älykäs Kymi", [FINNISH], date="2024-03-05",
                     url="https://example.fi/hankkeet/alykas-kymi")
    doc = _read(tmp_path, "a.html", page)
    assert isinstance(doc, Document), doc
    assert "Hanketta hallinnoi Kaakkois-Suomen ammattikorkeakoulu" in doc.text
    for clutter in ("evästeitä", "Etusivu", "Tietosuojaseloste"):  # banner, menu, footer
        assert clutter not in doc.text
    assert doc.title == "Älykäs Kymi"
    assert doc.date == "2024-03-05"
    assert doc.source_url == "https://example.fi/hankkeet/alykas-kymi"


def test_pdf_pages_give_each_offset_its_page(tmp_path):
    pdf = make_pdf([["Pöytäkirja 5/2024", "Kaupunginhallitus"], ["Hanketta hallinnoi Lapin "
                    "ammattikorkeakoulu."], ["Liitteet"]], title="Pöytäkirja",
                   creation_date="20240305120000")
    doc = _read(tmp_path, "a.pdf", pdf)
    assert isinstance(doc, Document), doc
    assert len(doc.page_starts) == 3 and doc.title == "Pöytäkirja" and doc.date == "2024-03-05"
    for needle, page in (("Kaupunginhallitus", 1), ("Lapin", 2), ("Liitteet", 3)):
        assert doc.page_at(doc.text.index(needle)) == page
    assert Document("x", "x", "abc", "0").page_at(1) is None


def test_docx_paragraphs_and_tables(tmp_path):
    data = make_docx(["Hankekuvaus", FINNISH], table=[["Rahoittaja", "Erasmus+"]],
                     title="Älykäs Kymi")
    doc = _read(tmp_path, "a.docx", data)
    assert isinstance(doc, Document), doc
    assert FINNISH in doc.text and "Rahoittaja | Erasmus+" in doc.text
    assert doc.title == "Älykäs Kymi"


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("empty.txt", b"", "empty file"),
    ("blank.md", b" \n\t\n", "empty file"),
    ("image.txt", bytes(range(256)) * 20, "binary"),
    ("nul.txt", b"Hanke\x00\x00\x01\x02" * 200, "binary"),
    ("truncated.pdf", make_pdf([[FINNISH]])[:200], "corrupt PDF"),
    ("notreally.pdf", b"<html>not a pdf</html>", "corrupt PDF"),
    ("encrypted.pdf", encrypt_pdf(make_pdf([[FINNISH]])), "encrypted PDF"),
    ("scanned.pdf", make_pdf([[], []]), "no text layer"),
    ("broken.docx", b"PK\x03\x04 not a zip at all", "not a readable DOCX"),
    ("nothing.html", b"<html><body><nav>Etusivu</nav></body></html>", "no main text"),
    ("english.txt", b"The project is run by the university and it is funded by the "
                    b"regional council. The aim of the project is to improve the skills "
                    b"of the people who work in the region.", "not Finnish or Swedish"),
    ("picture.jpg", b"\xff\xd8\xff", "unsupported file type .jpg"),
])
def test_bad_files_are_skipped_with_the_reason(tmp_path, name, data, reason):
    item = _read(tmp_path, name, data)
    assert isinstance(item, Skipped), item
    assert item.path.endswith(name) and reason in item.reason


def test_size_limit(tmp_path):
    item = _read(tmp_path, "big.txt", FINNISH.encode() * 100, max_bytes=1000)
    assert isinstance(item, Skipped) and "larger than the limit" in item.reason


def test_unreadable_path(tmp_path):
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "nowhere.txt")
    item = read_document(link)
    assert isinstance(item, Skipped) and "unreadable" in item.reason


@pytest.mark.parametrize(("text", "foreign"), [
    (FINNISH * 5, False),
    ("Projektet administreras av Yrkeshögskolan Novia och det finansieras av "
     "Europeiska socialfonden. Målet är att stärka samarbetet mellan kommunerna " * 3, False),
    # Finnish with an English abstract and programme names stays
    (FINNISH * 4 + " Abstract: the project is funded by the European Union and it aims "
     "to improve the skills of the workers in the region.", False),
    ("Das Projekt wird von der Hochschule geleitet und ist mit der Region verbunden. "
     "Die Kosten werden von dem Fonds getragen, und es wird nicht verlängert." * 2, True),
    ("Le projet est financé par la région et les communes, et il est géré par une "
     "université pour les entreprises qui sont dans la région." * 2, True),
    ("Projekt", False),  # too short to judge
])
def test_language_check(text, foreign):
    assert (foreign_language(text) is not None) is foreign
