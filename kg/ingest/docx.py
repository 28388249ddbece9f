"""Word documents (python-docx): paragraphs and table cells in document order,
one per line; the title and creation date from the document's properties."""

from __future__ import annotations

import io

from kg.ingest.errors import Unreadable

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def read_docx(raw: bytes) -> dict:
    import docx
    from docx.table import Table

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
