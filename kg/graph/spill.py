"""The union of a build's named graphs, on disk, read back one bucket at a time:
how `kg build` validates the graph and writes its Turtle without holding the
corpus in memory.

Every triple goes to the bucket of its subject (a CRC-32 of the subject's text, the
same on every run), so a bucket holds all the triples of its subjects, from every
graph: what SHACL reads to check one focus node (kg.graph.shacl.Checker.check_buckets)
and what the Turtle writer sorts (on a bucket's first reading, kg.graph.io.stage_graphs)
and merges (kg.graph.io.stage_union). A bucket is
written in pickled chunks as graphs arrive; the first read removes its duplicates
and rewrites it as one chunk. Memory holds the buffers (at most :attr:`FLUSH`
triples), one bucket while it is read, and the few triples of the predicates the
caller asks to keep (the class hierarchy, the documents' file names).
"""

from __future__ import annotations

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
    FLUSH = 50_000  # triples (and put-off records) buffered before they go to disk

    def __init__(self, folder: str | Path, buckets: int, keep: Iterable = (),
                 apart: Iterable = ()):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.buckets = buckets
        self._buffers: list[list] = [[] for _ in range(buckets)]
        self._put_off: list[list] = [[] for _ in range(buckets)]
        self._held = 0
        self._keep = frozenset(keep)
        self._kept: dict = {p: set() for p in self._keep}
        self._apart = frozenset(apart)  # predicates a bucket's triples of are read apart
        self._compact: set[int] = set()  # buckets already without duplicates
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
        """Keep ``record`` until :meth:`put_off_in` ``(b)`` asks for it."""
        self._put_off[b].append(record)
        self._held += 1
        if self._held >= self.FLUSH:
            self.flush()

    def flush(self) -> None:
        for b in range(self.buckets):
            for kind, buffers in (("triples", self._buffers), ("put-off", self._put_off)):
                if buffers[b]:
                    self._append(self._path(kind, b), buffers[b])
                    buffers[b] = []
        self._held = 0

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
            if b not in self._compact:
                self.bucket(b)
            return next(_chunks(self._path(f"apart-{self._apart_number(only)}", b)), [])
        if b not in self._compact:
            self.flush()
            path = self._path("triples", b)
            unique = list(dict.fromkeys(t for chunk in _chunks(path) for t in chunk))
            path.unlink(missing_ok=True)
            if unique:
                self._append(path, unique)
            for predicate in self._apart:
                if some := [t for t in unique if t[1] == predicate]:
                    self._append(self._path(f"apart-{self._apart_number(predicate)}", b), some)
            self._compact.add(b)
            self.unique += len(unique)
            if self.on_first_read is not None:
                self.on_first_read(b, unique)
            return unique
        return next(_chunks(self._path("triples", b)), [])

    def _apart_number(self, predicate) -> int:
        return sorted(self._apart).index(predicate)

    def read_all(self) -> None:
        """Read every bucket not read yet (for :attr:`on_first_read`)."""
        for b in range(self.buckets):
            if b not in self._compact:
                self.bucket(b)

    def put_off_in(self, b: int) -> Iterator[tuple]:
        """The records put off to bucket ``b``, in the order they came; once."""
        path = self._path("put-off", b)
        for chunk in _chunks(path):
            yield from chunk
        path.unlink(missing_ok=True)
        yield from self._put_off[b]
        self._put_off[b] = []

    def __len__(self) -> int:
        """The distinct triples (every bucket is read once to count them)."""
        self.read_all()
        return self.unique
