"""Writing the dataset: Turtle (all facts, the union of the graphs) and TriG (one
named graph per document), each written to a temporary file beside the target
and renamed into place, so that a failed or killed build never leaves half a file.

The files of one build are replaced together (:func:`commit_files`): all are
staged first, then a journal naming them is written atomically (the commit
point), then they are renamed into place and the journal removed. A build killed
before the journal exists leaves the old files; one killed after it leaves a
journal that the next writer, or reader, rolls forward (:func:`recover`), so the
TriG and the Turtle always come from the same build. A lock file serialises
writers; the kernel drops it when its holder dies, even by SIGKILL.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef

TTL_NAME = "hankegraph.ttl"
TRIG_NAME = "hankegraph.trig"
JOURNAL_NAME = ".commit.json"
_UMASK = os.umask(0)
os.umask(_UMASK)
LOCK_NAME = ".hankegraph.lock"


def union_graph(ds: Dataset) -> Graph:
    g = Graph()
    for prefix, ns in ds.namespaces():
        g.bind(prefix, ns, override=True)
    for s, p, o, _ctx in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def serialize_trig(ds: Dataset) -> bytes:
    """TriG with the named graphs in IRI order (rdflib orders them by hash, so two
    builds of the same data would differ); each graph's body is rdflib's Turtle,
    which orders subjects and predicates."""
    iris = {str(t) for q in ds.quads((None, None, None, None)) for t in q[:3]
            if isinstance(t, URIRef)}
    iris |= {str(lit.datatype) for q in ds.quads((None, None, None, None))
             if isinstance(lit := q[2], Literal) and lit.datatype}
    prefixes = sorted((p, str(ns)) for p, ns in ds.namespaces()
                      if p and any(i.startswith(str(ns)) for i in iris))
    out = [f"@prefix {p}: <{ns}> ." for p, ns in prefixes]
    out.append("")
    graphs = sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g.identifier))
    for g in graphs:
        body = Graph()
        for p, ns in prefixes:
            body.bind(p, ns, override=True, replace=True)
        for t in g:
            body.add(t)
        text = body.serialize(format="turtle")
        lines = [ln for ln in text.splitlines() if not ln.startswith("@prefix")]
        while lines and not lines[0].strip():
            lines.pop(0)
        out.append(f"<{g.identifier}> {{")
        out += [f"    {ln}" if ln.strip() else "" for ln in lines]
        while out and not out[-1].strip():
            out.pop()
        out.append("}")
        out.append("")
    return "\n".join(out).encode("utf-8")


def _stage(target: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file beside ``target``, on disk when this returns."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp's 0600 would hide a shared dataset
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(target: Path, data: bytes) -> None:
    tmp = _stage(target, data)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def _locked(folder: Path, exclusive: bool = True, wait: bool = True):
    """Hold the folder's lock; yields False when ``wait`` is off and it is taken."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_NAME, "a") as lock:
        flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(lock, flags)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _roll_forward(folder: Path) -> None:
    journal = folder / JOURNAL_NAME
    if not journal.exists():
        return
    try:
        pending = json.loads(journal.read_text(encoding="utf-8"))
    except ValueError:  # cannot happen (written atomically); the old files are then whole
        pending = {}
    for tmp, name in pending.items():
        if (folder / tmp).exists():
            os.replace(folder / tmp, folder / name)
    _sync_dir(folder)
    journal.unlink()


def recover(folder: Path) -> None:
    """Finish a commit that a killed build left half done. Safe to call from a
    reader: it does nothing while a writer holds the folder, or when the folder
    is not writable."""
    folder = Path(folder)
    if not (folder / JOURNAL_NAME).exists():
        return
    try:
        with _locked(folder, wait=False) as got:
            if got:
                _roll_forward(folder)
    except OSError:
        pass  # a read-only copy: every file in it is still whole


def commit_files(folder: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """Replace the files ``{name: content}`` in ``folder`` as one: after a crash at
    any moment, either all are the old ones or (after :func:`recover`) all new."""
    folder = Path(folder)
    with _locked(folder):
        _roll_forward(folder)
        # staged files of a build that died before its commit point
        for name in [*files, JOURNAL_NAME]:
            for stale in folder.glob(f".{name}.*.tmp"):
                stale.unlink(missing_ok=True)
        staged = {name: _stage(folder / name, data) for name, data in files.items()}
        journal = {tmp.name: name for name, tmp in staged.items()}
        _atomic_write(folder / JOURNAL_NAME, json.dumps(journal).encode("utf-8"))
        _sync_dir(folder)
        _roll_forward(folder)
    return {name: folder / name for name in files}


def serialise_dataset(ds: Dataset) -> dict[str, bytes]:
    """Both files of the dataset, in memory: ``{file name: bytes}``."""
    ttl = union_graph(ds).serialize(format="turtle", encoding="utf-8")
    return {TRIG_NAME: serialize_trig(ds), TTL_NAME: ttl}


def write_dataset(ds: Dataset | dict[str, bytes], out_dir: Path,
                  extra: dict[str, bytes] | None = None) -> dict[str, Path]:
    """Serialise both files in memory first (unless ``ds`` is already what
    :func:`serialise_dataset` made of it), then replace the old ones together
    (with ``extra`` files such as the build report, if given)."""
    files = ds if isinstance(ds, dict) else serialise_dataset(ds)
    written = commit_files(Path(out_dir), {**files, **(extra or {})})
    return {"trig": written[TRIG_NAME], "ttl": written[TTL_NAME]}


def load_graph(data: str | Path | Graph) -> Graph:
    """A graph, a dataset folder (its hankegraph.ttl) or an RDF file."""
    if isinstance(data, Graph):
        return data
    path = Path(data)
    if path.is_dir():
        path = path / TTL_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no built dataset here (run `kg build` first)")
    try:
        if path.suffix in (".trig", ".nq"):
            return union_graph(Dataset().parse(path))
        return Graph().parse(path)
    except Exception as e:  # noqa: BLE001 - rdflib's parsers raise many types
        raise ValueError(f"{path}: not readable as RDF: {e}") from e
