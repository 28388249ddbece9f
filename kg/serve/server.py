"""HTTP in a worker process: uvicorn (httptools) on the listening socket the
worker inherited, in front of the Starlette application (kg.serve.app).

uvicorn brings the connection handling: one event loop per worker (an idle or
slow connection costs a few kilobytes, not a thread), keep-alive, pipelining,
`Expect: 100-continue`, a cap on connections (`limit_concurrency`: past it a
request is answered 503) and a graceful shutdown. Its httptools protocol only
times out an idle keep-alive connection, so `Protocol` below adds what a public
server needs on top:

- a whole-request deadline: a request's head and body must have arrived within
  `request_timeout` seconds of its first byte (a slowloris sending a byte every
  few seconds, or a slow body, is answered 408 and closed), and a connection that
  never sends anything is closed after the keep-alive time;
- limits on what is read: a head larger than the query-string limit and 64 KiB,
  a body larger than `max_request_bytes` (by Content-Length, or as it arrives
  in chunks) is answered 431 or 413 and closed, without buffering the rest;
- HTTP/1.1 without Host, and a request line without a version, are 400;
- a reader that stops taking its answer for `request_timeout` seconds is cut
  off (its connection aborted) instead of holding the answer forever; one that
  reads slowly gets all of it;
- when the worker retires (a query outlived its timeout: kg.serve.workers), a
  connection that was accepted but has not yet sent its request, or is half way
  through one, is still answered (with `Connection: close`) instead of closed
  unanswered; idle keep-alive connections get a short grace for the same reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import logging
import resource
import socket
from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_BYTES = 64 * 1024  # a request's head may have this much besides its query string
SHUTDOWN_GRACE = 1.0  # a retiring worker's idle connections may still send one request


@dataclass(frozen=True)
class Limits:
    """What one worker's HTTP server allows."""

    max_request_bytes: int = 1 << 20
    request_timeout: float = 30.0  # head and body, from the request's first byte
    keep_alive: float = 60.0  # an idle connection is closed after this
    max_connections: int = 1000  # per worker; past it requests are answered 503
    backlog: int = 2048


def _response(status: int, message: str) -> bytes:
    body = (message.rstrip() + "\n").encode()
    phrase = http.HTTPStatus(status).phrase
    return (f"HTTP/1.1 {status} {phrase}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


def protocol_class(limits: Limits):
    """The httptools protocol of uvicorn with the deadlines and limits above."""

    class Protocol(HttpToolsProtocol):
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            self._deadline: asyncio.TimerHandle | None = None
            self._stall: asyncio.TimerHandle | None = None
            self._in_head = True  # reading a request's head (or waiting for one)
            self._head_bytes = 0
            self._body_bytes = 0
            self._requests = 0  # requests begun on this connection
            self._refused = False  # answered by the protocol: the rest is discarded
            self._last = False  # the worker is stopping: answer one more, then close
            self._buffered = 0

        # ------------------------------------------------------------ reading

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            with contextlib.suppress(OSError, AttributeError):
                transport.get_extra_info("socket").setsockopt(
                    socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # a connection that never sends a byte is closed like an idle one
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self.timeout_keep_alive_handler)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if self._in_head:
                self._head_bytes += len(data)
                if self._head_bytes > limits.max_request_bytes + HEAD_BYTES:
                    self._refuse(431, "the request head is too large")
                    return
            super().data_received(data)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._requests += 1
            self._in_head = True
            self._body_bytes = 0
            self._cancel_deadline()
            self._deadline = self.loop.call_later(limits.request_timeout, self._too_slow)

        def on_headers_complete(self) -> None:
            self._in_head = False
            self._head_bytes = 0
            headers = self.headers
            version = self.parser.get_http_version()
            super().on_headers_complete()
            if self._refused or self.cycle is None:
                return
            if self._last:
                self.cycle.keep_alive = False
            if version not in ("1.0", "1.1"):  # "GET /path" with no version: HTTP/0.9
                self._refuse(400, "the request line has no HTTP version (HTTP/1.0 or "
                                  "HTTP/1.1): GET /path HTTP/1.1")
            elif version == "1.1" and not any(k == b"host" for k, _ in headers):
                self._refuse(400, "an HTTP/1.1 request needs a Host header (RFC 9112, 3.2)")
            else:
                length = next((v for k, v in headers if k == b"content-length"), b"")
                if length.strip().isdigit() and int(length) > limits.max_request_bytes:
                    self._refuse_too_large()

        def on_body(self, body: bytes) -> None:
            if self._refused:
                return
            self._body_bytes += len(body)
            if self._body_bytes > limits.max_request_bytes:
                self._refuse_too_large()
                return
            super().on_body(body)

        def on_message_complete(self) -> None:
            self._cancel_deadline()
            self._in_head = True
            if not self._refused:
                super().on_message_complete()

        def connection_lost(self, exc) -> None:
            self._cancel_deadline()
            if self._stall is not None:
                self._stall.cancel()
            super().connection_lost(exc)

        def _cancel_deadline(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            self._refuse(408, f"the request did not arrive within {limits.request_timeout:g} s "
                              "of its first byte")

        def _refuse_too_large(self) -> None:
            self._refuse(413, f"the request body is larger than {limits.max_request_bytes} "
                              "bytes, the server's limit (kg serve --max-request-bytes)")

        def _refuse(self, status: int, message: str) -> None:
            """Answer `status` (unless an answer has begun) and close: the
            application, if it runs, sees a disconnected client."""
            if self._refused or self.transport.is_closing():
                return
            self._refused = True
            cycle = self.cycle
            started = cycle is not None and cycle.response_started
            if cycle is not None and not cycle.response_complete:
                cycle.disconnected = True  # its sends are dropped, its receive ends
                cycle.message_event.set()
            self.pipeline.clear()
            if not started or (cycle is not None and cycle.response_complete):
                self.transport.write(_response(status, message))
                scope = self.scope or {}
                logging.getLogger("kg.serve.access").info(
                    "%s %s %d (refused while reading: %s)", scope.get("method", "-"),
                    scope.get("path", "-"), status, message)
            # a lingering close: the client can read the answer before it sees the
            # end, even while it is still sending (a close with unread data resets)
            self.flow.resume_reading()
            if self.transport.can_write_eof():
                with contextlib.suppress(OSError, RuntimeError):
                    self.transport.write_eof()
            self.loop.call_later(2.0, self.transport.close)

        # ------------------------------------------------------------ writing

        def pause_writing(self) -> None:
            super().pause_writing()
            self._watch_writes()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self.transport.get_write_buffer_size():
                self._watch_writes()

        def _watch_writes(self) -> None:
            """Abort a connection whose client takes no byte of its answer for
            `request_timeout` seconds; one that reads slowly gets all of it."""
            if self._stall is None and not self.transport.is_closing():
                self._buffered = self.transport.get_write_buffer_size()
                self._stall = self.loop.call_later(limits.request_timeout, self._check_writes)

        def _check_writes(self) -> None:
            self._stall = None
            left = self.transport.get_write_buffer_size()
            if not left:  # all taken: an idle connection again
                idle = self.cycle is None or self.cycle.response_complete
                if idle and self.timeout_keep_alive_task is None \
                        and not self.transport.is_closing():
                    self.timeout_keep_alive_task = self.loop.call_later(
                        self.timeout_keep_alive, self.timeout_keep_alive_handler)
                return
            if left >= self._buffered:
                self.transport.abort()
                return
            self._watch_writes()

        def timeout_keep_alive_handler(self) -> None:
            self.timeout_keep_alive_task = None
            if self.transport.get_write_buffer_size():
                self._watch_writes()  # still sending: that time is kept there
                return
            super().timeout_keep_alive_handler()

        # ------------------------------------------------------------ stopping

        def shutdown(self) -> None:
            """The worker stops: a request being answered is answered (then the
            connection closes); one being received, or one that arrives within
            SHUTDOWN_GRACE on a connection with none, is answered too."""
            if self._refused:
                return
            self._last = True
            cycle = self.cycle
            if cycle is not None and not cycle.response_complete:
                cycle.keep_alive = False
                return
            if not self._in_head or self._deadline is not None or self._waiting():
                return  # a request is arriving: it gets its answer (and the close)
            self._unset_keepalive_if_required()
            self.timeout_keep_alive_task = self.loop.call_later(
                SHUTDOWN_GRACE, self._close_if_idle)

        def _waiting(self) -> bool:
            """Whether bytes of a request wait in the socket, not yet read."""
            sock = self.transport.get_extra_info("socket")
            try:
                return bool(sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
            except (BlockingIOError, InterruptedError):
                return False
            except (OSError, AttributeError):
                return False

        def _close_if_idle(self) -> None:
            self.timeout_keep_alive_task = None
            cycle = self.cycle
            if (cycle is None or cycle.response_complete) and self._deadline is None \
                    and not self._waiting() and not self.transport.is_closing():
                self.transport.close()

    return Protocol


def raise_file_limit() -> None:
    """Each connection is a file descriptor: allow as many as the system lets us."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft != resource.RLIM_INFINITY and soft < want:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, 65536), hard))


class Worker:
    """One worker's uvicorn server on the shared socket; `retire(drain)` stops it
    accepting, lets the answers in flight finish for up to `drain` seconds, and
    ends `run()`."""

    def __init__(self, app, limits: Limits):
        import uvicorn

        self.limits = limits
        self.config = uvicorn.Config(
            app, http=protocol_class(limits), loop="asyncio", lifespan="off",
            interface="asgi3", log_config=None, access_log=False, proxy_headers=False,
            server_header=False, timeout_keep_alive=limits.keep_alive,
            limit_concurrency=limits.max_connections, backlog=limits.backlog,
            timeout_graceful_shutdown=1)  # after a signal; a retirement sets its own
        self.server = uvicorn.Server(self.config)

    def run(self, sock: socket.socket) -> None:
        raise_file_limit()
        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
        self.server.run(sockets=[sock])

    def retire(self, drain: float) -> None:
        """Called in the event loop. Stops accepting at once (the other workers
        take the new connections); uvicorn's main loop sees should_exit within
        0.1 s and shuts down gracefully."""
        if not self.server.should_exit:
            self.config.timeout_graceful_shutdown = drain
            self.server.should_exit = True
            for listener in getattr(self.server, "servers", ()):
                listener.close()
