"""What the last build into an output folder was made of, so that a build that
finds nothing changed writes nothing ("unchanged: nothing to write").

After writing a dataset, a build records a small state file in the cache folder
(``CACHE/builds/KEY.json``, one per output folder): a digest of everything the
written files depend on, the SHA-256 of each file it wrote (computed from the
bytes it wrote, not read back, so that a concurrent build into the same folder
can never be mistaken for this one), and the counts its summary printed. The
digest covers

- every document as ingest read it (path, checksum, text, title, date, ...) and
  every file ingest skipped, with the reason;
- the extractor's fingerprint (kg/cache.py: extractor name, ``kg/extract``,
  ``kg/model.py``, the authority CSVs, spaCy, its model and Voikko);
- the source of the whole ``kg`` package (resolution, RDF, serialisation,
  validation and the report's format all live there: any change to it is a
  full build, which is conservative but never wrong), Python's version and
  the versions of rdflib, pySHACL and pyoxigraph;
- every file in the authority and ontology folders (so shapes.ttl too), and the
  curation file;
- the settings that change the output (base IRI, extractor, size limit,
  language check) and whether the graph is validated;
- the names of the files written.

The next build reads its documents (ingest is cheap: extraction is what costs)
and skips extraction, resolution, RDF and serialisation only when the digest is
the same, every document has an entry in the extraction cache (so a document
whose extraction failed, or a deleted cache, is built again), and every written
file still has its recorded checksum (so a hand-edited or damaged file is
rewritten). The state lives in the cache, not beside the committed dataset,
because it is machine-specific (code and package versions); without a cache
(``--no-cache``) every build goes the full way. A missing, damaged or foreign
state file is simply a full build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from kg.cache import ExtractionCache, fingerprint
from kg.graph.io import JOURNAL_NAME
from kg.ingest import Skipped
from kg.model import Document
from kg.settings import REPO_ROOT, Settings

#: Bump when the state file's layout changes: older files are then ignored.
STATE_VERSION = 1
_PACKAGES = ("rdflib", "pyshacl", "pyoxigraph")
#: The settings that change what is written (workers, progress and the cache's
#: place do not).
_SETTINGS = ("base_iri", "extractor", "max_bytes", "check_language")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in pieces (a dataset can be large)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


class _Digest:
    def __init__(self) -> None:
        self._h = hashlib.sha256(f"hankegraph build state {STATE_VERSION}".encode())

    def add(self, label: str, data: bytes | str) -> None:
        """Length-prefixed, so that no two different sequences of parts collide."""
        data = data.encode("utf-8") if isinstance(data, str) else data
        for part in (label.encode("utf-8"), data):
            self._h.update(len(part).to_bytes(8, "big") + part)

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def inputs_digest(documents: list[Document], skipped: list[Skipped], settings: Settings,
                  validate: bool, outputs: list[Path]) -> str:
    d = _Digest()
    d.add("python", ".".join(map(str, sys.version_info[:3])))
    d.add("extractor fingerprint", fingerprint(settings))
    package = REPO_ROOT / "kg"
    for f in sorted(package.rglob("*.py")):
        d.add(f"code {f.relative_to(package)}", f.read_bytes())
    for name in _PACKAGES:
        try:
            d.add("package", f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            d.add("package", f"{name} absent")
    for kind, folder in (("authority", settings.authority_dir),
                         ("ontology", settings.ontology_dir)):
        for f in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            d.add(f"{kind} {f.relative_to(folder)}", f.read_bytes())
    curation = settings.curation_file
    if curation is not None and Path(curation).is_file():
        d.add("curation", Path(curation).read_bytes())  # its entries change the output
    else:
        d.add("curation", repr(curation))
    for name in _SETTINGS:
        d.add(f"setting {name}", repr(getattr(settings, name)))
    d.add("validate", repr(validate))
    for doc in documents:
        d.add("document", json.dumps(dataclasses.asdict(doc), ensure_ascii=False))
    for s in skipped:
        d.add("skipped", f"{s.path}\0{s.reason}")
    for path in outputs:
        d.add("output", str(path))
    return d.hexdigest()


class BuildState:
    """The state file of one output folder, in one cache folder."""

    def __init__(self, cache: ExtractionCache, state_file: Path, digest: str):
        self.cache = cache
        self.file = state_file
        self.digest = digest

    @classmethod
    def for_build(cls, documents: list[Document], skipped: list[Skipped],
                  settings: Settings, validate: bool, outputs: list[Path]
                  ) -> BuildState | None:
        """None without a cache (then every build goes the full way)."""
        cache = ExtractionCache.for_settings(settings)
        if cache is None:
            return None
        outputs = [Path(p).resolve() for p in outputs]
        key = sha256(str(outputs[0].parent).encode("utf-8"))[:20]
        state_file = Path(settings.cache_dir) / "builds" / f"{key}.json"
        return cls(cache, state_file,
                   inputs_digest(documents, skipped, settings, validate, outputs))

    def unchanged(self, documents: list[Document]) -> dict | None:
        """What the last build recorded (its summary counts and files), when it
        was made of exactly these inputs and its files are still as it wrote
        them; otherwise None."""
        try:
            state = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION \
                or state.get("digest") != self.digest:
            return None
        if not documents or not all(self.cache.has(doc) for doc in documents):
            return None
        files = state.get("files")
        if not isinstance(files, dict) or not files:
            return None
        # what an unchanged build reports comes from here: a state without it (an
        # older version's, or edited) is a miss, not a KeyError
        if not (isinstance(state.get("entities"), dict) and isinstance(state.get("facts"), dict)
                and isinstance(state.get("merges"), int)):
            return None
        # a killed build's commit not yet rolled forward: the files are about to change
        if any((Path(p).parent / JOURNAL_NAME).exists() for p in files):
            return None
        for path, checksum in files.items():
            try:
                if file_sha256(Path(path)) != checksum:
                    return None
            except OSError:
                return None
        return state

    def record(self, written: dict[Path, str], summary: dict) -> None:
        """Remember what was just written: ``written`` maps each file to the SHA-256
        of the bytes this build wrote there (taken before they were renamed into
        place). Failing to record costs the next build speed only."""
        state = {"version": STATE_VERSION, "digest": self.digest,
                 "files": {str(Path(p).resolve()): checksum
                           for p, checksum in written.items()},
                 **summary}
        tmp = None
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.file.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(state, f, ensure_ascii=False, indent=1)
            os.replace(tmp, self.file)
        except OSError as e:
            if tmp:
                Path(tmp).unlink(missing_ok=True)
            print(f"warning: could not record the build state in {self.file}: "
                  f"{e.strerror or e}", file=sys.stderr)
        self._forget_vanished()

    def _forget_vanished(self) -> None:
        """Remove the states of output folders whose files are all gone (temporary
        folders, a deleted checkout), so that the folder does not grow forever."""
        for other in self.file.parent.glob("*.json"):
            try:
                files = json.loads(other.read_text(encoding="utf-8")).get("files") or {}
                if other != self.file and not any(Path(p).exists() for p in files):
                    other.unlink()
            except (OSError, ValueError, AttributeError):
                continue
