"""Real files of every supported format, written by hand for the tests: a PDF
with a text layer (standard Helvetica, WinAnsi encoding, one content stream per
page), a DOCX through python-docx, a saved web page with the usual clutter."""

from __future__ import annotations

import io


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(pages: list[list[str]], title: str | None = None,
             creation_date: str | None = None) -> bytes:
    """A PDF whose page i shows the lines pages[i]; an empty list is a page
    without text (as a scan is, to a text extractor)."""
    objects: list[bytes] = []
    n_pages = len(pages)
    # 1 catalog, 2 pages, 3 font, 4 info, then (page, content) pairs
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   b"/Encoding /WinAnsiEncoding >>")
    info = b"<< /Producer (hankegraph tests)"
    if title:
        info += b" /Title " + _pdf_string(title)
    if creation_date:
        info += b" /CreationDate (D:" + creation_date.encode() + b")"
    objects.append(info + b" >>")
    for i, lines in enumerate(pages):
        stream = b"BT /F1 11 Tf 50 780 Td 14 TL\n"
        for line in lines:
            stream += _pdf_string(line) + b" Tj T*\n"
        stream += b"ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {6 + 2 * i} 0 R >>".encode())
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream
                       + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 4 0 R >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def encrypt_pdf(data: bytes, password: str = "salasana") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None,
              title: str | None = None) -> bytes:
    import docx

    doc = docx.Document()
    if title:
        doc.core_properties.title = title
    for p in paragraphs:
        doc.add_paragraph(p)
    if table:
        t = doc.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def make_html(title: str, paragraphs: list[str], date: str | None = None,
              url: str | None = None) -> bytes:
    """A saved page: navigation, a cookie banner and a footer around the article."""
    head = f"<title>{title} | Esimerkkiorganisaatio</title>"
    if date:
        head += f'<meta property="article:published_time" content="{date}">'
    if url:
        head += f'<link rel="canonical" href="{url}">'
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="fi"><head><meta charset="utf-8">{head}</head>
<body><nav><ul><li><a href="/">Etusivu</a></li><li><a href="/hankkeet">Hankkeet</a></li>
<li><a href="/yhteystiedot">Ota yhteyttä</a></li></ul></nav>
<div id="cookie-consent" class="cookie-banner">Sivustolla käytetään evästeitä.
<button>Hyväksy kaikki evästeet</button></div>
<main><article><h1>{title}</h1>{body}</article></main>
<footer><p>© Esimerkkiorganisaatio 2024 · Tietosuojaseloste · Saavutettavuusseloste</p>
</footer></body></html>""".encode()
