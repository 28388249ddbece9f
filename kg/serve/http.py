"""HTTP/1.1 in a worker process: one thread per connection, as in Oxigraph's server.

A connection's thread reads a request (parsed by httptools), answers it and reads
the next. A SPARQL query runs in that same thread (pyoxigraph releases the GIL
while it evaluates), so a request wakes one thread once. An event loop that hands
each query to a pool thread and back woke three, and on a busy machine each
wake-up waits for a CPU: 1.3 ms more per request than this at a load average of 3
on 2 cores (benchmarks/README.md). Other requests (the editor page, files) go to
the Starlette application, which asyncio runs in the connection's thread.

A query that outlives its timeout cannot be stopped: a watchdog thread answers
its client 503 and retires the worker, which stops accepting, lets the other
requests in flight finish for up to `drain_seconds`, and exits, ending the query.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

THREADS = 64  # connections served at once by one worker; more wait for a free one
# an idle client connection stays open this long (uvicorn's default was 5 s): a
# client back within a minute, say after another server answered a slow query,
# still talks to the same worker, whose store caches are warm for its queries
KEEP_ALIVE = 60.0
READ_TIMEOUT = 30.0  # a request that has begun must arrive within this, and a write
HEAD_BYTES = 64 * 1024  # a request's head may have this much besides its query string
POLL = 1.0  # how often waiting threads look whether the worker is stopping


@dataclass
class Request:
    method: str
    raw_path: bytes
    query_string: bytes
    headers: list[tuple[bytes, bytes]]  # names in lower case, as ASGI has them
    body: bytes
    http_version: str
    keep_alive: bool
    client: tuple[str, int] | None
    server: tuple[str, int] | None

    def header(self, name: bytes) -> str | None:
        """The first value of a header."""
        for k, v in self.headers:
            if k == name:
                return v.decode("latin-1")
        return None

    def scope(self) -> dict:
        """The ASGI scope of this request."""
        return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
                "http_version": self.http_version, "method": self.method,
                "scheme": "http", "path": unquote(self.raw_path.decode("latin-1")),
                "raw_path": self.raw_path, "query_string": self.query_string,
                "root_path": "", "headers": self.headers, "client": self.client,
                "server": self.server}


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    close: bool = False
    headers: tuple[tuple[bytes, bytes], ...] = ()  # more headers, e.g. Allow on a 405


class _Bad(Exception):
    """A request answered with an error before it reaches the application."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def head(status: int, headers: list[tuple[bytes, bytes]]) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    lines = [f"HTTP/1.1 {status} {phrase}".encode("latin-1")]
    lines += [k + b": " + v for k, v in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def reply_bytes(reply: Reply, head_only: bool = False) -> bytes:
    headers = [(b"content-type", reply.content_type.encode("latin-1")),
               (b"content-length", str(len(reply.body)).encode("latin-1"))]
    headers += reply.headers
    if reply.close:
        headers.append((b"connection", b"close"))
    return head(reply.status, headers) + (b"" if head_only else reply.body)


class _Connection:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.timeout: float | None = None
        self.lock = threading.Lock()
        self.expired = False  # the watchdog answered the query running on it
        self.finished = True  # no query running, or it ended before its deadline


class Watch:
    """The timeout of the query running on one connection (see Server.timed)."""

    def __init__(self, conn: _Connection, deadline: float, late: Reply):
        self.conn = conn
        self.deadline = deadline
        self.late = late

    @property
    def expired(self) -> bool:
        return self.conn.expired


class _Parser:
    """httptools callbacks: the requests of one connection, in order."""

    def __init__(self, max_body: int):
        import httptools

        self.max_body = max_body
        self.parser = httptools.HttpRequestParser(self)
        self.done: list[dict] = []
        self.current: dict | None = None
        self.fed = 0  # bytes of the current request's head so far
        self.want_continue = False  # the client waits for "100 Continue" to send its body

    def feed(self, data: bytes) -> None:
        import httptools

        if self.current is not None and not self.current["headers_done"]:
            self.fed += len(data)
            if self.fed > self.max_body + HEAD_BYTES:  # the query string: up to max_body
                raise _Bad(431, "the request head is too large")
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            raise _Bad(400, "protocol upgrades are not supported") from None
        except httptools.HttpParserError as e:
            raise _Bad(400, f"bad HTTP request: {e}") from None

    def busy(self) -> bool:
        return self.current is not None

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.fed = 0
        self.current = {"url": b"", "headers": [], "body": [], "size": 0,
                        "headers_done": False, "too_large": False}

    def on_url(self, url: bytes) -> None:
        self.current["url"] += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.current["headers"].append((name.lower(), value))

    def on_headers_complete(self) -> None:
        c = self.current
        c["headers_done"] = True
        c["method"] = self.parser.get_method().decode("latin-1")
        c["http_version"] = self.parser.get_http_version()
        c["keep_alive"] = self.parser.should_keep_alive()
        length = next((v for k, v in c["headers"] if k == b"content-length"), None)
        if length is not None and length.strip().isdigit() and int(length) > self.max_body:
            c["too_large"] = True
            self.done.append(c)  # answered now: the body is never read
            self.current = None
        elif any(k == b"expect" and v.lower() == b"100-continue" for k, v in c["headers"]):
            self.want_continue = True

    def on_body(self, body: bytes) -> None:
        c = self.current
        if c is None:  # refused at its head: the rest is not read anyway
            return
        c["size"] += len(body)
        if c["size"] > self.max_body:
            c["too_large"] = True
            self.done.append(c)
            self.current = None
        else:
            c["body"].append(body)

    def on_message_complete(self) -> None:
        if self.current is not None:
            self.done.append(self.current)
            self.current = None


class Server:
    """Serves `sock` (listening, shared with the other workers) until retired or
    signalled (SIGTERM, SIGINT)."""

    def __init__(self, sock: socket.socket, max_request_bytes: int, drain_seconds: float):
        self.sock = sock
        self.max_request_bytes = max_request_bytes
        self.drain_seconds = drain_seconds
        self.stopping = threading.Event()
        self.drain_until = 0.0
        self.free = threading.Semaphore(THREADS)
        self.count_lock = threading.Lock()
        self.active = 0  # requests being answered, runaways included
        self.runaways = 0
        self.watches: list[Watch] = []
        self.watchdog_wakes = 0.0  # when the watchdog looks at the watches next
        self.watch_changed = threading.Condition()
        self.sparql: Callable[[Request, Callable], Reply | None] | None = None
        self.app = None

    # ------------------------------------------------------------ life cycle

    def run(self, sparql: Callable[[Request, Callable], Reply | None], app) -> None:
        """`sparql(request, timed)` answers /sparql, running its query inside
        `with timed(timeout, late_reply) as watch:` (None once `watch.expired`: the
        watchdog answered); `app` (ASGI) answers the rest."""
        self.sparql, self.app = sparql, app
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda signum, frame: self.stop(1.0))
        self.sock.settimeout(POLL)  # accept() wakes up to see whether to stop
        threading.Thread(target=self._watchdog, name="kg-watchdog", daemon=True).start()
        threading.Thread(target=self._accept, name="kg-accept", daemon=True).start()
        while not self.stopping.wait(POLL):
            pass
        while time.monotonic() < self.drain_until:  # the answers in flight
            with self.count_lock:
                if self.active <= self.runaways:
                    break
            time.sleep(0.02)

    def stop(self, drain_seconds: float) -> None:
        """Stop accepting, and end once the requests in flight are answered, or
        after `drain_seconds`."""
        if not self.stopping.is_set():
            self.drain_until = time.monotonic() + drain_seconds
            self.stopping.set()

    def retire(self) -> None:
        self.stop(self.drain_seconds)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            if not self.free.acquire(timeout=POLL):
                continue  # all threads busy: the other workers accept meanwhile
            try:
                conn, client = self.sock.accept()
            except (TimeoutError, BlockingIOError, InterruptedError):
                self.free.release()
                continue
            except OSError:
                self.free.release()
                if self.stopping.is_set():
                    return
                time.sleep(0.1)  # e.g. out of file descriptors: try again soon
                continue
            threading.Thread(target=self._connection, args=(conn, client),
                             name="kg-conn", daemon=True).start()

    # ------------------------------------------------------------ timeouts

    @contextlib.contextmanager
    def timed(self, request_conn: _Connection, timeout: float, late: Reply) -> Iterator[Watch]:
        watch = Watch(request_conn, time.monotonic() + timeout, late)
        with request_conn.lock:
            request_conn.finished = False
        with self.watch_changed:
            self.watches.append(watch)
            if watch.deadline < self.watchdog_wakes:  # else waking it costs a thread switch
                self.watch_changed.notify()
        try:
            yield watch
        finally:
            with request_conn.lock:
                request_conn.finished = True
            with self.watch_changed:
                self.watches.remove(watch)

    def _watchdog(self) -> None:
        while True:
            with self.watch_changed:
                now = time.monotonic()
                live = [w for w in self.watches if not w.conn.expired]
                due = [w for w in live if w.deadline <= now]
                if not due:
                    self.watchdog_wakes = min((w.deadline for w in live), default=now + POLL)
                    self.watch_changed.wait(max(0.001, self.watchdog_wakes - now))
                    continue
            for w in due:
                self._expire(w)

    def _expire(self, watch: Watch) -> None:
        conn = watch.conn
        with conn.lock:
            if conn.finished or conn.expired:
                return
            conn.expired = True
        with self.count_lock:
            self.runaways += 1
        try:
            conn.sock.settimeout(5)
            conn.sock.sendall(reply_bytes(watch.late))
            conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.retire()

    # ------------------------------------------------------------ connections

    def _connection(self, sock: socket.socket, client) -> None:
        conn = _Connection(sock)
        try:
            self._serve(conn, client)
        except OSError:  # the client went away, or stopped reading
            pass
        except Exception:  # noqa: BLE001 - one connection's failure is reported, not fatal
            traceback.print_exc()
        finally:
            if not conn.expired:  # a runaway's thread must not touch the socket again
                with contextlib.suppress(OSError):
                    sock.close()
            self.free.release()

    def _serve(self, conn: _Connection, client) -> None:
        sock = conn.sock
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            server = sock.getsockname()[:2]
        except OSError:
            return
        parser = _Parser(self.max_request_bytes)
        idle_since = time.monotonic()
        while True:
            if parser.done:
                c = parser.done.pop(0)
                keep = self._answer(conn, c, client, server)
                if not keep or self.stopping.is_set() or conn.expired:
                    return
                idle_since = time.monotonic()
                continue
            if self.stopping.is_set() and not parser.busy():
                return
            waited = time.monotonic() - idle_since
            if not parser.busy() and waited > KEEP_ALIVE:
                return
            _timeout(conn, POLL if not parser.busy() else READ_TIMEOUT)
            try:
                data = sock.recv(65536)
            except TimeoutError:
                if parser.busy():
                    return  # a request that stopped half way
                continue
            except OSError:
                return
            if not data:
                return
            try:
                parser.feed(data)
            except _Bad as e:
                self._send(conn, reply_bytes(Reply(e.status, TEXT, _text(e.message), True)))
                return
            if parser.want_continue:
                parser.want_continue = False
                self._send(conn, b"HTTP/1.1 100 Continue\r\n\r\n")

    def _answer(self, conn: _Connection, c: dict, client, server) -> bool:
        """Answer one parsed request; False if the connection must close."""
        raw_path, _, query_string = c["url"].partition(b"?")
        request = Request(c["method"], raw_path, query_string, c["headers"],
                          b"".join(c["body"]), c["http_version"], c["keep_alive"],
                          client, server)
        head_only = request.method == "HEAD"
        if c["http_version"] not in ("1.0", "1.1"):  # "GET /path" with no version: HTTP/0.9
            self._send(conn, reply_bytes(Reply(
                400, TEXT, _text("the request line has no HTTP version (HTTP/1.0 or "
                                 "HTTP/1.1): GET /path HTTP/1.1"), close=True)))
            return False
        if c["http_version"] == "1.1" and request.header(b"host") is None:
            self._send(conn, reply_bytes(Reply(
                400, TEXT, _text("an HTTP/1.1 request needs a Host header (RFC 9112, 3.2)"),
                close=True), head_only))
            return False
        if c["too_large"]:
            self._send(conn, reply_bytes(Reply(
                413, TEXT, _text(f"the request body is larger than {self.max_request_bytes} "
                                 "bytes, the server's limit (kg serve --max-request-bytes)"),
                close=True), head_only))
            return False
        with self.count_lock:
            self.active += 1
        try:
            if raw_path == b"/sparql":
                reply = self.sparql(request, lambda timeout, late: self.timed(conn, timeout, late))
                if reply is None:  # the watchdog answered
                    return False
                close = reply.close or not request.keep_alive
                reply.close = close
                self._send(conn, reply_bytes(reply, head_only))
                return not close
            return self._asgi(conn, request, head_only)
        finally:
            with self.count_lock:
                self.active -= 1

    def _send(self, conn: _Connection, data: bytes) -> None:
        _timeout(conn, READ_TIMEOUT)
        conn.sock.sendall(data)

    def _asgi(self, conn: _Connection, request: Request, head_only: bool) -> bool:
        """Run the ASGI application for one request in this thread; False if the
        connection must close."""
        state = {"started": False, "chunked": False, "close": not request.keep_alive,
                 "body_sent": False, "complete": False}
        finished = asyncio.Event()

        async def receive() -> dict:
            if not state["body_sent"]:
                state["body_sent"] = True
                return {"type": "http.request", "body": request.body, "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["headers"] = [(k.lower(), v) for k, v in message.get("headers", [])]
                return
            if message["type"] != "http.response.body" or state["complete"]:
                return
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if not state["started"]:
                headers = state["headers"]
                names = {k for k, _ in headers}
                if b"content-length" not in names:
                    if more:
                        state["chunked"] = True
                        headers.append((b"transfer-encoding", b"chunked"))
                    else:
                        headers.append((b"content-length", str(len(body)).encode()))
                if any(k == b"connection" and v.lower() == b"close" for k, v in headers):
                    state["close"] = True
                elif state["close"]:
                    headers.append((b"connection", b"close"))
                self._send(conn, head(state["status"], headers))
                state["started"] = True
            if body and not head_only:
                self._send(conn, b"%x\r\n%s\r\n" % (len(body), body) if state["chunked"]
                           else body)
            if not more:
                if state["chunked"] and not head_only:
                    self._send(conn, b"0\r\n\r\n")
                state["complete"] = True
                finished.set()

        try:
            asyncio.run(self.app(request.scope(), receive, send))
        except Exception:  # noqa: BLE001 - the application failed: 500 if nothing was sent
            traceback.print_exc()
            if not state["started"]:
                self._send(conn, reply_bytes(Reply(500, TEXT, b"Internal Server Error\n",
                                                   True)))
            return False
        return state["complete"] and not state["close"]


TEXT = "text/plain; charset=utf-8"


def _timeout(conn: _Connection, seconds: float) -> None:
    if conn.timeout != seconds:  # a system call each time
        conn.sock.settimeout(seconds)
        conn.timeout = seconds


def _text(message: str) -> bytes:
    return (message.rstrip() + "\n").encode()
