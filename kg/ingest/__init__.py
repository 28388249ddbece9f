"""Ingest: files on disk → :class:`kg.model.Document`.

One reader per format (``text``, ``html``, ``pdf``, ``docx``), each turning the
raw bytes into text and what the file says about itself (title, date, source
URL, page offsets). A file that cannot be used is not fatal: it becomes a
:class:`Skipped` record naming the file and the reason, and the build goes on.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
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
    A dangling link, a named pipe or a device with a supported suffix is listed,
    so that it is reported."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            # not only regular files: a named pipe or a device is listed, so that
            # it is reported (and never opened for reading)
            found += [f for f in sorted(p.rglob("*"))
                      if (f.is_symlink() or not f.is_dir()) and f.suffix.lower() in SUFFIXES
                      and f.stem.lower() not in FOLDER_NOTES and not f.name.startswith(".")]
        else:
            found.append(p)
    return found


#: A file stem that can stand in an IRI as it is (letters of any script, digits,
#: `-._~`): the document keeps it as its identifier, as it always has.
_IRI_SAFE = re.compile(r"[\w.~-]+")
_SPECIAL = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
            (stat.S_ISDIR, "a folder"))


def shown(path: Path | str) -> str:
    """The path as text, a byte of its name that is not UTF-8 shown as U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def document_id(path: Path) -> str:
    """The document's identifier, which its IRIs are made of: the file stem when it
    is IRI-safe (`001_66c3dafe.txt` → `001_66c3dafe`), else a slug of it and a short
    hash of the whole name (`Hankeraportti 2023.txt` → `Hankeraportti-2023-…`), so
    that any file name gives a valid IRI and two names never give the same one."""
    stem = path.stem
    if _IRI_SAFE.fullmatch(stem) and stem.isprintable():
        return stem
    slug = re.sub(r"[^\w.~-]+", "-", shown(stem)).strip("-.") or "document"
    digest = hashlib.sha256(os.fsencode(path.name)).hexdigest()[:8]
    return f"{slug[:80]}-{digest}"


def _read(path: Path, max_bytes: int) -> bytes | str:
    """The bytes of a regular file, at most `max_bytes`; else why not (a string).
    Opened without blocking, so that a named pipe cannot hang the build."""
    if why := _not_a_file(os.stat(path)):  # a socket cannot even be opened
        return why
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if why := _not_a_file(st):  # it was replaced in between
            return why
        if st.st_size > max_bytes:
            return f"larger than the limit ({st.st_size} > {max_bytes} bytes; see --max-bytes)"
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:  # it grew while being read
                return f"larger than the limit (> {max_bytes} bytes; see --max-bytes)"
        return b"".join(chunks)
    finally:
        os.close(fd)


def _not_a_file(st: os.stat_result) -> str | None:
    for test, kind in _SPECIAL:
        if test(st.st_mode):
            return f"not a regular file but {kind}: only files are read"
    return None


def read_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                  check_language: bool = True) -> Document | Skipped:
    """The document in ``path``, or the reason it cannot be used."""
    reader = READERS.get(path.suffix.lower())
    name = shown(path)
    if reader is None:
        try:
            path.stat()
        except OSError as e:
            return Skipped(name, f"unreadable: {e.strerror or e}")
        known = " ".join(sorted(SUFFIXES))
        return Skipped(name, f"unsupported file type {shown(path.suffix) or '(none)'} "
                             f"(supported: {known})")
    try:
        raw = _read(path, max_bytes)
    except OSError as e:
        return Skipped(name, f"unreadable: {e.strerror or e}")
    if isinstance(raw, str):
        return Skipped(name, raw)
    if not raw.strip():
        return Skipped(name, "empty file")
    try:
        found = reader(raw)
    except Unreadable as e:
        return Skipped(name, str(e))
    text = found.pop("text")
    for warning in found.pop("warnings", ()):
        print(f"warning: {name}: {warning}", file=sys.stderr)
    if not text.strip():
        return Skipped(name, "no text in the file")
    if check_language and (why := foreign_language(text)):
        return Skipped(name, why)
    return Document(doc_id=document_id(path), path=name, text=text,
                    checksum=hashlib.sha256(raw).hexdigest(), **found)


def read_documents(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES,
                   check_language: bool = True) -> Iterator[Document | Skipped]:
    seen: dict[str, str] = {}
    for f in find_files(paths):
        item = read_document(f, max_bytes, check_language)
        if isinstance(item, Document):
            if item.doc_id in seen:
                yield Skipped(item.path, f"same file name as {seen[item.doc_id]}; "
                                         "rename one of them")
                continue
            seen[item.doc_id] = item.path
        yield item
