"""Word documents (python-docx): paragraphs and table cells in document order,
one per line; the title and creation date from the document's properties."""

from __future__ import annotations

import io

from kg.ingest.errors import Unreadable

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: what a DOCX package may unpack to, all parts together (the zip's own account of
#: each part's size, which zipfile holds each part to as it unpacks)
MAX_UNPACKED = 100_000_000
#: XML elements in one part: python-docx holds the whole tree in memory
MAX_ELEMENTS = 1_000_000


class _TooMany(Exception):
    pass


def check_package(raw: bytes) -> None:
    """Refuse a zip bomb or an XML element bomb before python-docx unpacks it:
    the parts' sizes from the zip directory, then each XML part's elements
    counted by a streaming parser (expat, no tree) that stops at the limit."""
    import zipfile
    from xml.parsers import expat

    try:
        package = zipfile.ZipFile(io.BytesIO(raw))
        parts = package.infolist()
    except Exception as e:  # noqa: BLE001 - a damaged archive fails in many ways
        raise Unreadable(f"not a readable DOCX file (not a zip archive: {e})") from e
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_UNPACKED:
        raise Unreadable(f"the DOCX file unpacks to {unpacked} bytes, more than the limit of "
                         f"{MAX_UNPACKED} (a zip bomb?)")
    for part in parts:
        if not part.filename.endswith((".xml", ".rels")):
            continue
        count = 0

        def start(name, attrs) -> None:
            nonlocal count
            count += 1
            if count > MAX_ELEMENTS:
                raise _TooMany

        parser = expat.ParserCreate()
        parser.StartElementHandler = start
        try:
            with package.open(part) as f:
                while chunk := f.read(1 << 16):
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _TooMany:
            raise Unreadable(f"{part.filename} in the DOCX file has more than {MAX_ELEMENTS} "
                             "XML elements (an element bomb?)") from None
        except Exception as e:  # noqa: BLE001 - zipfile, zlib and expat raise many kinds
            raise Unreadable(f"not a readable DOCX file ({part.filename}: "
                             f"{type(e).__name__}: {e})") from e


def read_docx(raw: bytes) -> dict:
    import docx
    from docx.table import Table

    check_package(raw)
    try:
        doc = docx.Document(io.BytesIO(raw))
        lines: list[str] = []
        for block in doc.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    cells = [c.text.strip() for c in row.cells]
                    # merged cells repeat their text in every grid cell they span
                    lines.append(" | ".join(dict.fromkeys(c for c in cells if c)))
            else:
                lines.append(block.text)
        props = doc.core_properties
        title, created = (props.title or "").strip(), props.created
    except Exception as e:  # noqa: BLE001 - zipfile, lxml and python-docx raise many kinds
        raise Unreadable(f"not a readable DOCX file ({type(e).__name__}: {e})") from e
    text = "\n".join(lines).replace("\r\n", "\n").replace("\r", "\n")
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
    return {"text": text, "title": title or first,
            "date": created.date().isoformat() if created else None, "media_type": MEDIA_TYPE}
