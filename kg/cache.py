"""The extraction cache: what the extractor read from a document, kept between
builds so that an unchanged document is not extracted again.

An entry is keyed by the document's content (the checksum of its raw bytes and
of the text ingest made of them) under a folder named by the extractor's
*fingerprint*: its registered name, the source of ``kg/extract`` and
``kg/model.py``, the authority data it matches against, and the versions of
spaCy, its Finnish model and Voikko's binding. Any change to those is a new
extractor version, and the folders of other versions are removed when the cache
is opened. A changed document has a new key; a removed one is simply not asked
for. Entries are :class:`~kg.model.Extraction` records as JSON (a format that
cannot run code, unlike pickle), each naming its key and the digest of its
content, written atomically; an entry that cannot be read, or that was moved,
edited or damaged, is a miss, never an error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import shutil
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from kg.model import Claim, Document, EntityType, Extraction, Mention, Relation, Span
from kg.settings import REPO_ROOT, Settings

_PACKAGES = ("spacy", "spacy-fi-experimental-web-md", "libvoikko")


def fingerprint(settings: Settings) -> str:
    h = hashlib.sha256(settings.extractor.encode("utf-8"))
    code = sorted((REPO_ROOT / "kg" / "extract").rglob("*.py")) + [REPO_ROOT / "kg" / "model.py"]
    data = sorted(Path(settings.authority_dir).glob("*.csv"))
    for f in code + data:
        h.update(f.name.encode("utf-8") + b"\0" + f.read_bytes())
    if settings.extractor != "hankegraph.rules.v1":
        # a learned extractor's output depends on its model and threshold too
        model = sorted(Path(settings.model_dir).glob("*.json"))
        for f in model:
            h.update(f.name.encode("utf-8") + b"\0" + f.read_bytes())
        h.update(f"min_confidence={settings.min_confidence}".encode())
    for package in _PACKAGES:
        try:
            h.update(f"{package}=={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package} absent".encode())
    return h.hexdigest()[:20]


def document_key(doc: Document) -> str:
    return hashlib.sha256(f"{doc.checksum}\0{doc.text}".encode()).hexdigest()


class ExtractionCache:
    def __init__(self, root: Path, version: str):
        self.folder = Path(root) / "extractions" / version
        self.folder.mkdir(parents=True, exist_ok=True)
        for other in self.folder.parent.iterdir():
            if other != self.folder:
                shutil.rmtree(other, ignore_errors=True)
        for old in self.folder.glob("*.pickle"):  # entries of the pickle days: never read
            old.unlink(missing_ok=True)

    @classmethod
    def for_settings(cls, settings: Settings) -> ExtractionCache | None:
        if settings.cache_dir is None:
            return None
        try:
            return cls(Path(settings.cache_dir), fingerprint(settings))
        except OSError as e:
            print(f"warning: no extraction cache ({settings.cache_dir}: {e.strerror or e})",
                  file=sys.stderr)
            return None

    def _path(self, doc: Document) -> Path:
        return self.folder / f"{document_key(doc)}.json"

    def has(self, doc: Document) -> bool:
        """Whether ``doc`` has an entry (without reading it)."""
        return self._path(doc).exists()

    def get(self, doc: Document) -> Extraction | None:
        """The cached extraction of ``doc``, carrying ``doc`` itself (its path may
        have changed since), or None. An entry is JSON, which cannot run code, and
        names the key it was written under and the digest of its content: an
        entry moved to another key, edited or damaged is a miss."""
        key = document_key(doc)
        try:
            with open(self.folder / f"{key}.json", "rb") as f:
                entry = json.loads(f.read())
            if entry.get("key") != key or entry.get("format") != FORMAT:
                return None
            body = entry["extraction"]
            if entry.get("digest") != _digest(body):
                return None
            return _extraction(body, doc)
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a damaged entry is a miss
            return None

    def put(self, extraction: Extraction) -> None:
        key = document_key(extraction.document)
        body = _plain(extraction)
        data = json.dumps({"format": FORMAT, "key": key, "digest": _digest(body),
                           "extraction": body}, ensure_ascii=False).encode("utf-8")
        target = self.folder / f"{key}.json"
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
        except OSError as e:  # a full disk or a vanished folder costs speed, not the build
            if tmp:
                Path(tmp).unlink(missing_ok=True)
            print(f"warning: could not cache {extraction.document.path}: {e.strerror or e}",
                  file=sys.stderr)


#: the entry format's version: an entry of another is a miss
FORMAT = "hankegraph-extraction-1"


def _digest(body) -> str:
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True)
                          .encode("utf-8")).hexdigest()


def _plain(extraction: Extraction) -> dict:
    """An extraction without its document, as JSON values."""
    return {"extractor": extraction.extractor,
            "mentions": [dataclasses.asdict(m) for m in extraction.mentions],
            "claims": [dataclasses.asdict(c) for c in extraction.claims]}


def _extraction(body: dict, doc: Document) -> Extraction:
    """The extraction of `body` (from :func:`_plain`); a KeyError, TypeError or
    ValueError on anything else."""
    def span(d: dict) -> Span:
        return Span(int(d["start"]), int(d["end"]), str(d["sentence"]))

    mentions = tuple(Mention(**{**m, "type": EntityType(m["type"]), "span": span(m["span"])})
                     for m in body["mentions"])
    claims = tuple(Claim(**{**c, "relation": Relation(c["relation"]), "span": span(c["span"])})
                   for c in body["claims"])
    return Extraction(document=doc, mentions=mentions, claims=claims,
                      extractor=str(body["extractor"]))


class Spool:
    """Values in a temporary file, pickled one key at a time and read back by offset
    (so readings may overlap): what a build would otherwise hold for the whole
    corpus at once."""

    def __init__(self, prefix: str):
        self._file = tempfile.TemporaryFile(prefix=prefix)  # noqa: SIM115 - closed by close()
        self._end = 0
        self._at: dict[str, tuple[int, int]] = {}  # key -> (offset, length)

    def put(self, key: str, value) -> None:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        os.pwrite(self._file.fileno(), data, self._end)
        self._at[key] = (self._end, len(data))
        self._end += len(data)

    def get(self, key: str, default=None):
        if key not in self._at:
            return default
        offset, length = self._at[key]
        return pickle.loads(os.pread(self._file.fileno(), length, offset))

    def keys(self) -> list[str]:
        return sorted(self._at)

    def close(self) -> None:
        self._file.close()


class ExtractionSpool(Spool):
    """One build's extractions, read back one at a time in the order of their
    documents' ids: resolution reads the corpus several times over, and the corpus
    need not be in memory for that (``in_document_order`` tells
    :func:`kg.resolve.resolve` so)."""

    in_document_order = True

    def __init__(self):
        super().__init__("hankegraph-extractions-")

    def add(self, extraction: Extraction) -> None:
        self.put(extraction.document.doc_id, extraction)

    def __len__(self) -> int:
        return len(self._at)

    def __iter__(self):
        for doc_id in self.keys():
            yield self.get(doc_id)


class FactSpool(Spool):
    """A resolution's facts, each document's together, in document order: what
    :func:`kg.resolve.resolve` gives as ``Resolution.facts`` in a build, where the
    graph reads one document's facts at a time (:meth:`of`)."""

    def __init__(self):
        super().__init__("hankegraph-facts-")
        self._count = 0

    def add(self, doc_id: str, facts: list) -> None:
        if facts:
            self.put(doc_id, facts)
            self._count += len(facts)

    def of(self, doc_id: str) -> list:
        return self.get(doc_id, [])

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        for doc_id in self.keys():
            yield from self.get(doc_id)
