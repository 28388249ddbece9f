"""The union of a build's named graphs, on disk, read back one bucket at a time:
how `kg build` validates the graph and writes its Turtle without holding the
corpus in memory.

Every triple goes to the bucket of its subject (a CRC-32 of the subject's text, the
same on every run), so a bucket holds all the triples of its subjects, from every
graph: what SHACL reads to check one focus node (kg.graph.shacl.Checker.check_buckets)
and what the Turtle writer sorts (on a bucket's first reading, kg.graph.io.stage_graphs)
and merges (kg.graph.io.stage_union). A bucket is
written in pickled chunks as graphs arrive; a read removes the duplicates, and the
first one also writes the triples of the predicates asked for ``apart`` (rdf:type)
to a file of their own. Memory holds the buffers (at most :attr:`FLUSH`
triples), one bucket while it is read, and the few triples of the predicates the
caller asks to keep (the class hierarchy, the documents' file names).
"""

from __future__ import annotations

import io
import pickle
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib import Literal, URIRef

#: documents per bucket when the count is chosen from the corpus size, and the
#: most buckets (each is an open file while the Turtle is merged)
DOCUMENTS_PER_BUCKET = 40
MAX_BUCKETS = 256


def bucket_count(documents: int) -> int:
    """Buckets of some thousands of triples each, up to :data:`MAX_BUCKETS`."""
    return min(MAX_BUCKETS, max(1, documents // DOCUMENTS_PER_BUCKET))


def _uri(value: str) -> URIRef:
    return str.__new__(URIRef, value)  # checked once already, when it was made


def _literal(lexical: str, language, datatype, value, ill_typed) -> Literal:
    lit = str.__new__(Literal, lexical)  # as Literal.__new__ leaves it, without its parsing
    lit._language, lit._datatype, lit._value, lit._ill_typed = language, datatype, value, ill_typed
    return lit


class _Pickler(pickle.Pickler):
    """rdflib's terms pickled with what they already know: unpickling them is then
    a few assignments, not rdflib's checks and parsing of every IRI and literal
    again (most of the time of reading a bucket)."""

    def reducer_override(self, obj):
        kind = type(obj)
        if kind is URIRef:
            return _uri, (str(obj),)
        if kind is Literal:
            return _literal, (str(obj), obj._language, obj._datatype, obj._value,
                              obj._ill_typed)
        return NotImplemented


def _chunks(path: Path) -> Iterator[list]:
    if not path.exists():
        return
    with open(path, "rb") as f:
        while True:
            try:
                yield pickle.load(f)
            except EOFError:
                return


class UnionSpill:
    FLUSH = 50_000  # triples buffered before they go to disk
    FLUSH_BYTES = 16 << 20  # put-off records likewise (pickled)

    def __init__(self, folder: str | Path, buckets: int, keep: Iterable = (),
                 apart: Iterable = ()):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.buckets = buckets
        self._buffers: list[list] = [[] for _ in range(buckets)]
        self._put_off: list[bytearray] = [bytearray() for _ in range(buckets)]
        self._put_off_stream = io.BytesIO()
        self._put_off_bytes = 0  # held in the buffers
        self._held = 0
        self._keep = frozenset(keep)
        self._kept: dict = {p: set() for p in self._keep}
        self._apart = frozenset(apart)  # predicates a bucket's triples of are read apart
        self._read: set[int] = set()  # buckets read at least once
        self.unique = 0  # distinct triples of the buckets read so far
        # called with (bucket, its distinct triples) when a bucket is first read
        self.on_first_read = None

    # ------------------------------------------------------------------ writing
    def bucket_of(self, node) -> int:
        return zlib.crc32(str(node).encode("utf-8")) % self.buckets

    def home(self, b: int):
        """The test that a node's triples are in bucket ``b`` (a literal is never a
        subject: it has none anywhere)."""
        return lambda node: isinstance(node, Literal) or self.bucket_of(node) == b

    def add(self, triples: Iterable[tuple]) -> None:
        keep, kept, buffers, of = self._keep, self._kept, self._buffers, self.bucket_of
        n = 0
        for t in triples:
            buffers[of(t[0])].append(t)
            if t[1] in keep:
                kept[t[1]].add(t)
            n += 1
        self._held += n
        if self._held >= self.FLUSH:
            self.flush()

    def put_off(self, b: int, record: tuple) -> None:
        """Keep ``record`` until :meth:`put_off_in` ``(b)`` asks for it. It is pickled
        at once: records kept as objects would pin the memory of every bucket they
        were made from (Python's allocator frees an arena only when all of it is free)."""
        stream = self._put_off_stream
        stream.seek(0)
        stream.truncate()
        _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(record)
        self._put_off[b] += stream.getvalue()
        self._put_off_bytes += stream.tell()
        if self._put_off_bytes >= self.FLUSH_BYTES:
            self.flush_put_off()

    def flush(self) -> None:
        """Write the triples' buffers to disk."""
        for b in range(self.buckets):
            if self._buffers[b]:
                self._append(self._path("triples", b), self._buffers[b])
                self._buffers[b] = []
        self._held = 0

    def flush_put_off(self) -> None:
        for b in range(self.buckets):
            if self._put_off[b]:
                with open(self._path("put-off", b), "ab") as f:
                    f.write(self._put_off[b])
                self._put_off[b] = bytearray()
        self._put_off_bytes = 0

    def _path(self, kind: str, b: int) -> Path:
        return self.folder / f"{kind}-{b}.pickle"

    @staticmethod
    def _append(path: Path, items: list) -> None:
        with open(path, "ab") as f:
            _Pickler(f, protocol=pickle.HIGHEST_PROTOCOL).dump(items)

    # ------------------------------------------------------------------ reading
    def kept(self, predicate) -> list[tuple]:
        """The triples of a predicate given in ``keep``, in memory."""
        return sorted(self._kept[predicate])

    def bucket(self, b: int, only=None) -> list[tuple]:
        """The distinct triples of bucket ``b`` (in no particular order); with
        ``only``, a predicate given in ``apart``, those of that predicate."""
        if only is not None:
            if only not in self._apart:
                raise ValueError(f"{only} was not given apart")
            if b not in self._read:
                self.bucket(b)
            return next(_chunks(self._path(f"apart-{self._apart_number(only)}", b)), [])
        self.flush()
        unique = list(dict.fromkeys(t for chunk in _chunks(self._path("triples", b))
                                    for t in chunk))
        if b not in self._read:
            self._read.add(b)
            self.unique += len(unique)
            for predicate in self._apart:
                if some := [t for t in unique if t[1] == predicate]:
                    self._append(self._path(f"apart-{self._apart_number(predicate)}", b), some)
            if self.on_first_read is not None:
                self.on_first_read(b, unique)
        return unique

    def _apart_number(self, predicate) -> int:
        return sorted(self._apart).index(predicate)

    def read_all(self) -> None:
        """Read every bucket not read yet (for :attr:`on_first_read`)."""
        for b in range(self.buckets):
            if b not in self._read:
                self.bucket(b)

    def put_off_in(self, b: int) -> Iterator[tuple]:
        """The records put off to bucket ``b``, in the order they came; once."""
        path = self._path("put-off", b)
        data = (path.read_bytes() if path.exists() else b"") + bytes(self._put_off[b])
        path.unlink(missing_ok=True)
        self._put_off[b] = bytearray()
        stream = io.BytesIO(data)
        while stream.tell() < len(data):
            yield pickle.load(stream)

    def __len__(self) -> int:
        """The distinct triples (every bucket is read once to count them)."""
        self.read_all()
        return self.unique
