"""Worker processes that answer HTTP themselves, under a supervisor that replaces them.

The supervisor loads the dataset, opens the listening socket and forks the
workers; each runs uvicorn on the socket it inherited (kg.serve.server), so a
request is read, answered and written by one process, as in a standalone server,
and the kernel spreads the connections over the workers. By default each worker
opens the store on disk read-only (kg.serve.dataset loads it once into the
project's cache), so the workers share its pages; an in-memory store
(`--in-memory`) is shared copy-on-write at first, but each worker ends up with its
own copy once it has answered queries.

A worker whose query outlived the timeout retires: it answers that query 503,
stops accepting at once, sends the answers in flight and exits, which ends the
runaway query (pyoxigraph cannot stop a query, and a thread cannot be killed: a
process can). The supervisor, which never runs a query, serves nothing and never
starts a thread (so that forking it is safe), starts a worker in its place.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable

# a worker that ends this soon after it started is replaced only after a pause,
# and three such ends in a row stop the server: it would not stay up anyway
QUICK_END = 1.0
QUICK_ENDS_BEFORE_GIVING_UP = 3


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port, not yet listening (so that the port is
    ours, and clients are refused rather than kept waiting while the data loads)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError as e:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    return sock


def serve_http(sock: socket.socket, make_app: Callable[[Callable[[], None]], object],
               limits, drain_seconds: float) -> None:
    """Answer HTTP on `sock` with uvicorn (kg.serve.server) in front of the
    application `make_app(retire)` (kg.serve.app) until told to stop (SIGTERM,
    SIGINT: the requests in flight get 1 s) or until a query outlives its timeout
    (`retire()`: they get up to `drain_seconds`)."""
    from kg.serve.server import Worker

    worker: Worker | None = None

    def retire() -> None:
        worker.retire(drain_seconds)

    worker = Worker(make_app(retire), limits)
    worker.run(sock)


class Supervisor:
    """Keeps `size` workers running `work(sock)` in forked processes until SIGTERM
    or SIGINT."""

    def __init__(self, sock: socket.socket, size: int, work: Callable[[socket.socket], None]):
        self.sock = sock
        self.size = size
        self.work = work
        self.started: dict[int, float] = {}  # pid → when

    def run(self) -> int:
        """Supervise until stopped; 0, or 1 if the workers keep failing to start."""
        stopping = {signal.SIGTERM, signal.SIGINT}
        for sig in stopping:
            signal.signal(sig, _stop)
        quick_ends = 0
        try:
            for _ in range(self.size):
                self._spawn()
            while True:
                pid, status = os.wait()
                began = self.started.pop(pid, None)
                if began is None:
                    continue
                code = os.waitstatus_to_exitcode(status)
                if code < 0:
                    print(f"kg serve: worker {pid} was ended by "
                          f"{signal.Signals(-code).name} (out of memory?); starting another",
                          file=sys.stderr, flush=True)
                quick = time.monotonic() - began < QUICK_END
                quick_ends = quick_ends + 1 if quick and code != 0 else 0
                if quick_ends >= QUICK_ENDS_BEFORE_GIVING_UP:
                    print("error: the query workers keep failing as they start (see above)",
                          file=sys.stderr)
                    return 1
                if quick:
                    time.sleep(QUICK_END)
                self._spawn()
        except _Stopped:
            return 0
        finally:
            self._stop_workers()

    def _spawn(self) -> None:
        # no stop signal between the fork and the bookkeeping: every worker is known
        signals = {signal.SIGTERM, signal.SIGINT}
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        try:
            supervisor = os.getpid()
            pid = os.fork()
            if pid == 0:
                self._worker(supervisor)
            self.started[pid] = time.monotonic()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)

    def _worker(self, supervisor: int) -> None:
        code = 0
        try:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
            if _end_with_parent(supervisor):
                self.work(self.sock)
        except KeyboardInterrupt:
            pass
        except BaseException:  # noqa: BLE001 - reported, then the supervisor decides
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            # never back into the supervisor's code, and no waiting for a runaway
            # query's thread at interpreter exit
            os._exit(code)

    def _stop_workers(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C does not cut this short
        for pid in self.started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 3  # a worker's graceful stop takes at most 1 s
        while self.started and time.monotonic() < deadline:
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if pid:
                self.started.pop(pid, None)
            else:
                time.sleep(0.02)
        for pid in self.started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        self.started.clear()


class _Stopped(Exception):
    pass


def _stop(signum, frame) -> None:
    raise _Stopped


def _end_with_parent(supervisor: int) -> bool:
    """Have the kernel send this worker SIGTERM when the supervisor dies (even by
    SIGKILL), so that no orphan keeps the port; False if it is already gone."""
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    return os.getppid() == supervisor  # else it died before the prctl
