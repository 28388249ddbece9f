"""Ingest: files on disk → :class:`kg.model.Document`.

One reader per format (``text``, ``html``, ``pdf``, ``docx``), each turning the
raw bytes into text and what the file says about itself (title, date, source
URL, page offsets). A file that cannot be used is not fatal: it becomes a
:class:`Skipped` record naming the file and the reason, and the build goes on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.ingest.errors import Unreadable
from kg.ingest.language import foreign_language
from kg.model import Document


def _text(raw: bytes) -> dict:
    from kg.ingest.text import read_text

    return read_text(raw)


def _markdown(raw: bytes) -> dict:
    from kg.ingest.text import read_text

    return read_text(raw, markdown=True)


def _html(raw: bytes) -> dict:
    from kg.ingest.html import read_html

    return read_html(raw)


def _pdf(raw: bytes) -> dict:
    from kg.ingest.pdf import read_pdf

    return read_pdf(raw)


def _docx(raw: bytes) -> dict:
    from kg.ingest.docx import read_docx

    return read_docx(raw)


#: The reader of each supported file name suffix.
READERS: dict[str, Callable[[bytes], dict]] = {
    ".txt": _text, ".md": _markdown, ".html": _html, ".htm": _html, ".xhtml": _html,
    ".pdf": _pdf, ".docx": _docx,
}
SUFFIXES = frozenset(READERS)
#: A corpus folder's own documentation, passed over when a folder is walked
#: (a file named on the command line is read whatever its name).
FOLDER_NOTES = frozenset({"readme", "sources", "license", "licence", "changelog"})
DEFAULT_MAX_BYTES = 20_000_000


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every supported file below the given files and folders, in a stable order.
    A dangling link with a supported suffix is listed, so that it is reported."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += [f for f in sorted(p.rglob("*"))
                      if (f.is_file() or f.is_symlink()) and f.suffix.lower() in SUFFIXES
                      and f.stem.lower() not in FOLDER_NOTES and not f.name.startswith(".")]
        else:
            found.append(p)
    return found


def read_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                  check_language: bool = True) -> Document | Skipped:
    """The document in ``path``, or the reason it cannot be used."""
    reader = READERS.get(path.suffix.lower())
    try:
        size = path.stat().st_size
        if reader is None:
            known = " ".join(sorted(SUFFIXES))
            return Skipped(str(path), f"unsupported file type {path.suffix or '(none)'} "
                                      f"(supported: {known})")
        if size > max_bytes:
            return Skipped(str(path), f"larger than the limit ({size} > {max_bytes} bytes; "
                                      "see --max-bytes)")
        raw = path.read_bytes()
    except OSError as e:
        return Skipped(str(path), f"unreadable: {e.strerror or e}")
    if not raw.strip():
        return Skipped(str(path), "empty file")
    try:
        found = reader(raw)
    except Unreadable as e:
        return Skipped(str(path), str(e))
    text = found.pop("text")
    if not text.strip():
        return Skipped(str(path), "no text in the file")
    if check_language and (why := foreign_language(text)):
        return Skipped(str(path), why)
    return Document(doc_id=path.stem, path=str(path), text=text,
                    checksum=hashlib.sha256(raw).hexdigest(), **found)


def read_documents(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES,
                   check_language: bool = True) -> Iterator[Document | Skipped]:
    seen: dict[str, str] = {}
    for f in find_files(paths):
        item = read_document(f, max_bytes, check_language)
        if isinstance(item, Document):
            if item.doc_id in seen:
                yield Skipped(str(f), f"same file name as {seen[item.doc_id]}; rename one of them")
                continue
            seen[item.doc_id] = str(f)
        yield item
