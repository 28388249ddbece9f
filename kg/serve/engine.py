"""Queries run in worker processes that can be killed.

pyoxigraph releases the GIL while it evaluates a query, but it has no way to
stop one: a thread running a runaway query runs until the query ends. So every
query runs in a worker process, and a query that outlives the timeout is ended
with its process (SIGKILL), after which a fresh worker takes its place.

Workers are forked from a *zygote*: a single-threaded process that loads the
dataset once and forks a worker whenever the server asks for one. An in-memory
store is so shared copy-on-write between all workers (a million triples are
loaded once, not once per worker, and a replacement starts in milliseconds);
with a persistent store each worker opens the store directory read-only. The
zygote hands each worker's end of a socket pair to the server (SCM_RIGHTS), so
the server process itself never forks and never holds the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import socket
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle
from pathlib import Path

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


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def error(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode())


class TooManyRows(Exception):
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
    """A binary sink for pyoxigraph's serialisers that counts rows as they are
    written and stops the serialisation (by raising) once there are too many, so
    that a huge result never has to be held whole."""

    def __init__(self, fmt: str, max_rows: int):
        self.marks = _ROW_MARKS[fmt]
        self.limit = max_rows + _ROW_MARKS_HEADER[fmt]
        self.count = 0
        self.chunks: list[bytes] = []
        self.tail = b""

    def write(self, data) -> int:
        data = bytes(data)
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
    """Run one query on a pyoxigraph store and serialise its answer (in a worker)."""
    import pyoxigraph as ox

    kw = {}
    if job.default_graphs:
        kw["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs:
        kw["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        result = store.query(job.query, prefixes=job.prefixes or None, **kw)
    except SyntaxError as e:
        return error(400, f"SPARQL syntax error: {e}")
    except ValueError as e:  # e.g. an invalid IRI in default-graph-uri
        return error(400, f"bad request: {e}")
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
            sink = _CappedBuffer(fmt, job.max_rows)
            result.serialize(sink, format=_results_format(ox, fmt))
            body = sink.value()
        else:
            sink = _CappedBuffer("ntriples", job.max_rows)
            result.serialize(sink, format=ox.RdfFormat.N_TRIPLES)
            body = sink.value()
            if fmt != "ntriples":
                triples = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
                body = ox.serialize(triples, format=_graph_format(ox, fmt),
                                    prefixes=job.prefixes if fmt == "turtle" else None)
    except TooManyRows:
        return error(400, f"the answer has more than {job.max_rows} rows, the server's cap "
                     "(kg serve --max-rows): add LIMIT and OFFSET to read it in pages")
    except OSError as e:  # evaluation errors, SERVICE failures
        return error(500, f"query failed: {e}")
    return Answer(200, CONTENT_TYPE[fmt], body)


def _results_format(ox, fmt: str):
    return {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}[fmt]


def _graph_format(ox, fmt: str):
    return {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
            "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}[fmt]


# ---------------------------------------------------------------- processes


def _worker_loop(conn: Connection, store) -> None:
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(execute(store, job))


def _zygote(conn: Connection, server_end: Connection, load, store_dir: str | None) -> None:
    """Load the data, report, then fork one worker per request of the server."""
    server_end.close()  # so that the server's exit reaches us as EOF
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps ended workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    try:
        store, info = load()
    except Exception as e:  # noqa: BLE001 - any failure is reported to the server, which exits
        conn.send(("error", str(e)))
        return
    conn.send(("ready", info))
    server_pid = os.getppid()
    while True:
        try:
            conn.recv()
        except (EOFError, OSError):
            return  # the server has gone: so do we, and the workers see EOF too
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            conn.close()
            ours.close()
            worker_store = store
            if store_dir is not None:
                import pyoxigraph as ox

                worker_store = ox.Store.read_only(store_dir)
            _worker_loop(Connection(theirs.detach()), worker_store)
            os._exit(0)
        theirs.close()
        conn.send(pid)
        send_handle(conn, ours.fileno(), server_pid)
        ours.close()


@dataclass
class _Worker:
    pid: int
    conn: Connection


class QueryTimeout(Exception):
    pass


class WorkerPool:
    """A fixed number of query workers, driven from the server's event loop: it
    waits for a worker's answer by watching its socket (no thread in between, so
    an answer costs as few wake-ups as the standalone server's), and a slow query
    occupies one worker, not the loop."""

    def __init__(self, load, size: int, store_dir: str | Path | None = None):
        ctx = multiprocessing.get_context("fork")
        self._zygote_conn, child_conn = ctx.Pipe()
        self._zygote = ctx.Process(target=_zygote, name="kg-serve-zygote", daemon=True,
                                   args=(child_conn, self._zygote_conn, load,
                                         str(store_dir) if store_dir else None))
        self._zygote.start()
        child_conn.close()
        status, self.info = self._zygote_conn.recv()
        if status == "error":
            self._zygote.join()
            raise ValueError(self.info)
        self._spawn_lock = threading.Lock()
        self._pids: set[int] = set()
        # last in, first out: under light load the same worker answers again, with
        # the pages of the store it has already touched (a forked worker's first
        # touch of a page costs a fault) and warm caches
        self._idle: asyncio.LifoQueue[_Worker] = asyncio.LifoQueue()
        self.size = size
        for _ in range(size):
            self._idle.put_nowait(self._spawn())

    def _spawn(self) -> _Worker:
        with self._spawn_lock:
            self._zygote_conn.send("fork")
            pid = self._zygote_conn.recv()
            fd = recv_handle(self._zygote_conn)
            self._pids.add(pid)
        return _Worker(pid, Connection(fd))

    async def run(self, job: Job, timeout: float) -> Answer:
        """Answer `job` within `timeout` seconds (waiting for a free worker included),
        or raise QueryTimeout after killing the worker that ran it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise QueryTimeout("every query worker stayed busy") from None
        answered = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, lambda: answered.done() or answered.set_result(None))
        try:
            worker.conn.send(job)
            await asyncio.wait_for(answered, max(0.0, deadline - loop.time()))
            answer = worker.conn.recv()
        except TimeoutError:
            await self._replace(worker)
            raise QueryTimeout("the query ran too long") from None
        except (EOFError, OSError):  # the worker died (out of memory, say)
            await self._replace(worker)
            return error(500, "the query worker died while answering (out of memory?)")
        except BaseException:  # the client went away: the worker may still be busy
            await self._replace(worker)
            raise
        finally:
            loop.remove_reader(fd)
        self._idle.put_nowait(worker)
        return answer

    async def _replace(self, worker: _Worker) -> None:
        self._kill(worker.pid)
        worker.conn.close()
        # forking the zygote copies its page tables: milliseconds for a big store,
        # so off the event loop
        self._idle.put_nowait(await asyncio.to_thread(self._spawn))

    def _kill(self, pid: int) -> None:
        self._pids.discard(pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def close(self) -> None:
        """End every worker, busy or not, and the zygote."""
        for pid in list(self._pids):
            self._kill(pid)
        self._zygote_conn.close()
        self._zygote.join(timeout=5)
