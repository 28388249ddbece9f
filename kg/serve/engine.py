"""Queries: what one query returns (`execute`).

pyoxigraph releases the GIL while it evaluates and serialises a query, but it
has no way to stop one: a thread running a runaway query runs until the query
ends. So a worker process runs each query in a thread of its query pool, and its
event loop keeps the time (kg.serve.app); when a query outlives it, the client
gets its 503 and the worker retires (stops accepting, finishes what it has,
exits), which ends the runaway query with the process. The supervisor starts
another worker (kg.serve.workers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.serve.formats import CONTENT_TYPE, negotiate


@dataclass(frozen=True)
class Job:
    """One query, as the protocol layer understood the request."""

    query: str
    accept: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    prefixes: dict[str, str] = field(default_factory=dict)
    max_rows: int = 100_000
    max_bytes: int = 50_000_000


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def error(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode())


class TooManyRows(Exception):
    pass


class TooLarge(Exception):
    pass


# Byte patterns that start one row in oxigraph's serialisations. Each can only
# appear as a row separator (quotes inside JSON strings are escaped, `<` in XML
# text is escaped, TSV escapes newlines) except `,{}` (a row with no bound
# variable) and `\r\n` in CSV, which literal text can also contain: the count is
# exact or too high, never too low, so the cap always holds.
_ROW_MARKS = {
    "json": (b'[{"', b',{"', b"[{}", b",{}"),
    "xml": (b"<result>",),
    "csv": (b"\r\n",),
    "tsv": (b"\n",),
    "ntriples": (b"\n",),
}
_ROW_MARKS_HEADER = {"json": 0, "xml": 0, "csv": 1, "tsv": 1, "ntriples": 0}


class _CappedBuffer:
    """A binary sink for pyoxigraph's serialisers that counts rows and bytes as
    they are written and stops the serialisation (by raising) once there are too
    many, so that a huge result never has to be held whole."""

    def __init__(self, fmt: str, max_rows: int, max_bytes: int):
        self.marks = _ROW_MARKS[fmt]
        self.limit = max_rows + _ROW_MARKS_HEADER[fmt]
        self.max_bytes = max_bytes
        self.size = 0
        self.count = 0
        self.chunks: list[bytes] = []
        self.tail = b""

    def write(self, data) -> int:
        data = bytes(data)
        self.size += len(data)
        if self.size > self.max_bytes:
            raise TooLarge
        window = self.tail + data
        # a mark that straddles two chunks is counted once: only where it ends in `data`
        self.count += sum(window.count(m) - self.tail.count(m) for m in self.marks)
        self.tail = window[-8:]
        if self.count > self.limit:
            raise TooManyRows
        self.chunks.append(data)
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.chunks)


def execute(store, job: Job) -> Answer:
    """Run one query on a pyoxigraph store and serialise its answer (in a query thread)."""
    import pyoxigraph as ox

    kw = {}
    for key, param, graphs in (("default_graph", "default-graph-uri", job.default_graphs),
                               ("named_graphs", "named-graph-uri", job.named_graphs)):
        for g in graphs:
            try:
                kw.setdefault(key, []).append(ox.NamedNode(g))
            except ValueError as e:
                return error(400, f"{param} must be an absolute IRI, not {g!r} ({e})")
    try:
        result = store.query(job.query, prefixes=job.prefixes or None, **kw)
    except SyntaxError as e:
        return error(400, f"SPARQL syntax error: {e}")
    except (ValueError, RuntimeError) as e:  # e.g. SERVICE ?x with ?x unbound
        return error(400, f"query failed: {e}")
    kind = "graph" if isinstance(result, ox.QueryTriples) else "results"
    fmt = negotiate(job.accept, kind)
    if fmt is None:
        form = "CONSTRUCT/DESCRIBE" if kind == "graph" else "SELECT/ASK"
        return error(406, f"cannot answer a {form} query in any of the accepted types "
                     f"({job.accept})")
    try:
        if isinstance(result, ox.QueryBoolean):
            body = result.serialize(format=_results_format(ox, fmt))
        elif kind == "results":
            sink = _CappedBuffer(fmt, job.max_rows, job.max_bytes)
            result.serialize(sink, format=_results_format(ox, fmt))
            body = sink.value()
        else:
            sink = _CappedBuffer("ntriples", job.max_rows, job.max_bytes)
            result.serialize(sink, format=ox.RdfFormat.N_TRIPLES)
            body = sink.value()
            if fmt != "ntriples":
                triples = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
                body = ox.serialize(triples, format=_graph_format(ox, fmt),
                                    prefixes=job.prefixes if fmt == "turtle" else None)
        if len(body) > job.max_bytes:  # another graph format can be longer than N-Triples
            raise TooLarge
    except TooManyRows:
        return error(400, f"the answer has more than {job.max_rows} rows, the server's cap "
                     "(kg serve --max-rows): add LIMIT and OFFSET to read it in pages")
    except TooLarge:
        return error(503, f"the answer is larger than {job.max_bytes} bytes, the server's cap "
                     "(kg serve --max-response-bytes): select fewer or shorter values, or "
                     "read it in pages with LIMIT and OFFSET")
    except RuntimeError as e:  # e.g. SERVICE ?x with ?x unbound
        return error(400, f"query failed: {e}")
    except OSError as e:  # evaluation errors, SERVICE failures
        return error(500, f"query failed: {e}")
    return Answer(200, CONTENT_TYPE[fmt], body)


def _results_format(ox, fmt: str):
    return {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}[fmt]


def _graph_format(ox, fmt: str):
    return {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
            "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}[fmt]
