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
import re
import time
from contextlib import contextmanager
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing

# rdflib, tempfile, shutil and heapq are imported where they are used: `kg query`,
# which reads the dataset through here (recover), never needs them
if TYPE_CHECKING:
    from rdflib import Dataset, Graph

TTL_NAME = "hankegraph.ttl"
TRIG_NAME = "hankegraph.trig"
JOURNAL_NAME = ".commit.json"
_UMASK = os.umask(0)
os.umask(_UMASK)
LOCK_NAME = ".hankegraph.lock"
WORK_PREFIX = ".build-"  # a build's working folder inside the output folder
_STALE_SECONDS = 60  # a working folder this old and unlocked was left by a dead build


def union_graph(ds: Dataset) -> Graph:
    from rdflib import Graph

    g = Graph()
    for prefix, ns in ds.namespaces():
        g.bind(prefix, ns, override=True)
    for s, p, o, _ctx in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


# A local name written after a prefix without escapes (Turtle allows more, but
# `hgr:grant\/3f2a` is harder to read than the full IRI).
_PLAIN_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class _Terms:
    """rdflib terms → pyoxigraph terms, each converted once, noting the
    namespaces used (the prefixes worth declaring)."""

    def __init__(self, namespaces: list[tuple[str, str]]):
        import pyoxigraph as ox
        from rdflib import Literal, URIRef

        self.ox, self.uriref, self.literal = ox, URIRef, Literal
        self.namespaces = sorted(namespaces, key=lambda pn: -len(pn[1]))  # longest first
        self.cache: dict = {}
        self.used: dict[str, bool] = {}  # prefix -> every local name plain

    def _iri(self, iri: str):
        for prefix, ns in self.namespaces:
            if iri.startswith(ns):
                plain = bool(_PLAIN_LOCAL.fullmatch(iri[len(ns):]))
                self.used[prefix] = self.used.get(prefix, True) and plain
                break
        return self.ox.NamedNode(iri)

    def __call__(self, term):
        hit = self.cache.get(term)
        if hit is not None:
            return hit
        ox = self.ox
        if isinstance(term, self.uriref):
            out = self._iri(str(term))
        elif isinstance(term, self.literal):
            if term.language:
                out = ox.Literal(str(term), language=term.language)
            elif term.datatype:
                out = ox.Literal(str(term), datatype=self._iri(str(term.datatype)))
            else:
                out = ox.Literal(str(term))
        else:  # a blank node
            out = ox.BlankNode(str(term))
        self.cache[term] = out
        return out

    def forget(self, above: int = 0) -> None:
        """Drop the converted terms (when more than ``above``), keeping what was noted
        of the namespaces: memory stays bounded on a large corpus."""
        if len(self.cache) > above:
            self.cache.clear()

    def prefixes(self) -> dict[str, str]:
        """The prefixes to declare: used, and only with plain local names."""
        return {p: ns for p, ns in sorted(self.namespaces) if p and self.used.get(p)}


def _triple_order(conv):
    """Subjects in IRI order; within one, rdf:type (written `a`) first, then the
    predicates in IRI order, then the objects in N-Triples order (unique per term)."""
    from rdflib import RDF

    rdf_type = RDF.type

    def key(t):
        return (str(t[0]), t[1] != rdf_type, str(t[1]), str(conv(t[2])))
    return key


def _serialise(statements, fmt: str, prefixes: dict[str, str], used) -> bytes:
    """Oxigraph's Turtle or TriG; its @prefix lines (it does not promise an order
    for them) sorted, only those ``used()`` names once the statements are written,
    and set off from the body by a blank line."""
    import pyoxigraph as ox

    text = ox.serialize(statements, format=getattr(ox.RdfFormat, fmt), prefixes=prefixes)
    keep = used()
    head, body = [], text.split(b"\n")
    while body and body[0].startswith(b"@prefix "):
        line = body.pop(0)
        if line.split(b" ")[1].rstrip(b":").decode() in keep:
            head.append(line)
    return b"\n".join([*sorted(head), b"", *body])


def serialize_trig(ds: Dataset) -> bytes:
    """The TriG of an rdflib Dataset, as `kg build` writes it."""
    return serialise_dataset(ds)[TRIG_NAME]


def _graphs_of(ds: Dataset):
    for g in sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g.identifier)):
        yield g.identifier, list(g)


def _quads(graphs, conv: _Terms, each_graph):
    """The quads of ``graphs`` ((graph IRI, triples) pairs), each graph's triples in
    :func:`_triple_order`, handed to ``each_graph`` before they are converted."""
    import pyoxigraph as ox

    order = _triple_order(conv)
    for iri, triples in graphs:
        each_graph(triples)
        g = conv(iri)
        for s, p, o in sorted(triples, key=order):
            yield ox.Quad(conv(s), conv(p), conv(o), g)


def serialise_graphs(graphs, prefixes: dict[str, str], index=None,
                     terms: _Terms | None = None) -> dict[str, bytes]:
    """Both files from ``graphs``, an iterable of (graph IRI, triples) in IRI order
    consumed once, one graph at a time: the TriG (one named graph per document,
    each graph's triples in :func:`_triple_order`) and the Turtle (their union, each
    triple once, in the same order). ``index`` (a kg.graph.shacl.Index) collects the
    union on the way, so that validation can read it; without one, a fresh one.
    ``prefixes`` are those to use where the data has their IRIs (give only
    namespaces whose local names are plain words, or Oxigraph escapes them);
    ``terms``, a converter that has already seen the terms, is reused."""
    import pyoxigraph as ox

    from kg.graph.shacl import Index

    index = Index() if index is None else index
    conv = terms or _Terms(list(prefixes.items()))
    candidates = dict(prefixes)
    order = _triple_order(conv)

    trig = _serialise(_quads(graphs, conv, index.add_all), "TRIG", candidates,
                      lambda: set(conv.used))
    union = (ox.Triple(conv(s), conv(p), conv(o)) for s, p, o in sorted(index.triples(), key=order))
    ttl = _serialise(union, "TURTLE", candidates, lambda: set(conv.used))
    return {TRIG_NAME: trig, TTL_NAME: ttl}


def stage_graphs(graphs, prefixes: dict[str, str], work: Path, spill):
    """The TriG of ``graphs`` (as :func:`serialise_graphs` writes it) in a file in
    ``work``, one graph at a time, each graph's triples also handed to ``spill`` (a
    kg.graph.spill.UnionSpill): validation reads its buckets, and each bucket's
    first reading also writes it sorted to a run file for :func:`stage_union`.
    Returns ``{file name: path}`` and ``used()``, the prefixes the data uses (give
    it to :func:`stage_union`)."""
    import pyoxigraph as ox

    conv = _Terms(list(prefixes.items()))
    order = _triple_order(conv)

    def each_graph(triples: list[tuple]) -> None:
        spill.add(triples)
        conv.forget(above=50_000)  # memory bounded: the terms of the graphs before go

    def write_run(b: int, triples: list[tuple]) -> None:
        if triples:
            ox.serialize((ox.Triple(conv(s), conv(p), conv(o))
                          for s, p, o in sorted(triples, key=order)),
                         output=str(work / f"run-{b}.nt"), format=ox.RdfFormat.N_TRIPLES)
        conv.forget()

    def used() -> set[str]:  # the prefixes worth declaring, once all is converted
        return set(conv.used)

    spill.on_first_read = write_run
    quads = _quads(graphs, conv, each_graph)
    return {TRIG_NAME: _stage_serialised(work / TRIG_NAME, quads, "TRIG", prefixes, used)}, used


def stage_union(spill, prefixes: dict[str, str], work: Path, used) -> dict[str, Path]:
    """The Turtle (the union, each triple once, in :func:`_triple_order`) of a spill
    that :func:`stage_graphs` filled: the buckets' sorted runs merged by subject (a
    subject's triples are all in one run)."""
    import heapq

    import pyoxigraph as ox

    spill.read_all()  # the runs of the buckets validation did not read
    runs = sorted(work.glob("run-*.nt"))
    merged = heapq.merge(*((q.triple for q in ox.parse(path=str(r),
                                                       format=ox.RdfFormat.N_TRIPLES))
                           for r in runs), key=lambda t: t.subject.value)
    staged = {TTL_NAME: _stage_serialised(work / TTL_NAME, merged, "TURTLE", prefixes, used)}
    for r in runs:
        r.unlink()
    return staged


def _stage_serialised(target: Path, statements, fmt: str, prefixes: dict[str, str],
                      used) -> Path:
    """:func:`_serialise` into the file ``target``, on disk when this returns:
    Oxigraph writes a draft, the copy keeps only the @prefix lines ``used()``."""
    import shutil

    import pyoxigraph as ox

    draft = target.with_name(target.name + ".draft")
    ox.serialize(statements, output=str(draft), format=getattr(ox.RdfFormat, fmt),
                 prefixes=prefixes)
    keep = used()
    with open(draft, "rb") as src, open(target, "wb") as dst:
        head = []
        line = src.readline()
        while line.startswith(b"@prefix "):
            if line.split(b" ")[1].rstrip(b":").decode() in keep:
                head.append(line.rstrip(b"\n"))
            line = src.readline()
        dst.writelines(h + b"\n" for h in sorted(head))
        dst.write(b"\n" + line)
        shutil.copyfileobj(src, dst, 1 << 20)
        os.fchmod(dst.fileno(), 0o666 & ~_UMASK)
        dst.flush()
        os.fsync(dst.fileno())
    draft.unlink()
    return target


@contextmanager
def workspace(folder: Path):
    """A build's own working folder inside ``folder`` (on the output's file system,
    so that staged files are renamed into place), removed afterwards. It is
    flock-ed while in use; :func:`commit_files` removes those that dead builds left."""
    import shutil
    import tempfile

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=folder))
    lock = open(work / LOCK_NAME, "a")  # noqa: SIM115 - held for the whole build
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)
        lock.close()


def _remove_dead_workspaces(folder: Path) -> None:
    import shutil

    for work in folder.glob(WORK_PREFIX + "*"):
        try:
            if time.time() - work.stat().st_mtime < _STALE_SECONDS:
                continue  # perhaps a build that has not locked it yet
            with open(work / LOCK_NAME, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(work, ignore_errors=True)
        except OSError:  # BlockingIOError: a live build holds it
            continue


def _stage(target: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file beside ``target``, on disk when this returns."""
    import tempfile

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


def commit_files(folder: Path, files: dict[str, bytes | Path]) -> dict[str, Path]:
    """Replace the files ``{name: content}`` in ``folder`` as one: after a crash at
    any moment, either all are the old ones or (after :func:`recover`) all new. A
    content may be a file already written (and synced) in a :func:`workspace` of
    ``folder``: it is renamed into place."""
    folder = Path(folder)
    with _locked(folder):
        _roll_forward(folder)
        # staged files of a build that died before its commit point
        for name in [*files, JOURNAL_NAME]:
            for stale in folder.glob(f".{name}.*.tmp"):
                stale.unlink(missing_ok=True)
        _remove_dead_workspaces(folder)
        staged = {name: data if isinstance(data, Path) else _stage(folder / name, data)
                  for name, data in files.items()}
        journal = {str(tmp.resolve().relative_to(folder.resolve())): name
                   for name, tmp in staged.items()}
        _atomic_write(folder / JOURNAL_NAME, json.dumps(journal).encode("utf-8"))
        _sync_dir(folder)
        _roll_forward(folder)
    return {name: folder / name for name in files}


def serialise_dataset(ds: Dataset) -> dict[str, bytes]:
    """Both files of an rdflib Dataset, in memory: ``{file name: bytes}``, as
    :func:`serialise_graphs` writes them."""
    graphs = list(_graphs_of(ds))
    conv = _Terms([(p, str(ns)) for p, ns in ds.namespaces()])
    for iri, triples in graphs:  # which bound prefixes the data uses, with plain names
        conv(iri)
        for t in triples:
            for term in t:
                conv(term)
    return serialise_graphs(graphs, conv.prefixes(), terms=conv)


def write_dataset(ds: Dataset | dict[str, bytes | Path], out_dir: Path,
                  extra: dict[str, bytes] | None = None) -> dict[str, Path]:
    """Serialise both files in memory first (unless ``ds`` is already the files:
    what :func:`serialise_dataset` made of it, or what :func:`stage_graphs` and
    :func:`stage_union` staged in a :func:`workspace`), then replace the old ones
    together (with ``extra`` files such as the build report, if given)."""
    files = ds if isinstance(ds, dict) else serialise_dataset(ds)
    written = commit_files(Path(out_dir), {**files, **(extra or {})})
    return {"trig": written[TRIG_NAME], "ttl": written[TTL_NAME]}


def load_graph(data: str | Path | Graph) -> Graph:
    """A graph, a dataset folder (its hankegraph.ttl) or an RDF file."""
    from rdflib import Dataset, Graph

    if isinstance(data, Graph):
        return data
    path = Path(data)
    recover(path if path.is_dir() else path.parent)  # a build killed mid-commit: finish it
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
