"""Ingest: files on disk → :class:`kg.model.Document`.

A file that cannot be read is not fatal: it becomes a :class:`Skipped` record
naming the file and the reason, and the build goes on with the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.model import Document

TEXT_SUFFIXES = frozenset({".txt", ".md"})
#: A corpus folder's own documentation, passed over when a folder is walked
#: (a file named on the command line is read whatever its name).
FOLDER_NOTES = frozenset({"readme", "sources", "license", "licence", "changelog"})
DEFAULT_MAX_BYTES = 20_000_000


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every supported file below the given files and folders, in a stable order."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += [f for f in sorted(p.rglob("*"))
                      if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES
                      and f.stem.lower() not in FOLDER_NOTES and not f.name.startswith(".")]
        else:
            found.append(p)
    return found


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first; UTF-16 by its BOM; else Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Document | Skipped:
    try:
        if path.suffix.lower() not in TEXT_SUFFIXES:
            return Skipped(str(path), f"unsupported file type {path.suffix or '(none)'}")
        size = path.stat().st_size
        if size > max_bytes:
            return Skipped(str(path), f"larger than the limit ({size} > {max_bytes} bytes)")
        raw = path.read_bytes()
    except OSError as e:
        return Skipped(str(path), f"unreadable: {e.strerror or e}")
    if not raw.strip():
        return Skipped(str(path), "empty file")
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Skipped(str(path), "binary content in a text file")
    text = decode(raw).replace("\r\n", "\n").replace("\r", "\n")
    return Document(
        doc_id=path.stem,
        path=str(path),
        text=text,
        checksum=hashlib.sha256(raw).hexdigest(),
        title=next((ln.strip() for ln in text.splitlines() if ln.strip()), None),
    )


def read_documents(paths: Iterable[str | Path]) -> Iterator[Document | Skipped]:
    seen: dict[str, str] = {}
    for f in find_files(paths):
        item = read_document(f)
        if isinstance(item, Document):
            if item.doc_id in seen:
                yield Skipped(str(f), f"same file name as {seen[item.doc_id]}; rename one of them")
                continue
            seen[item.doc_id] = str(f)
        yield item
