"""Real servers for the tests: `kg serve` and `oxigraph serve` in subprocesses on
free loopback ports, waited for until they answer, and stopped afterwards."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}: {proc.log()}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


@contextlib.contextmanager
def running(args: list[str], url: str, wait: float = 60, **popen):
    """The server's output goes to a file, never a pipe that nobody reads (a full
    pipe would stop a server that logs every request); `proc.log()` reads it."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, **popen)

        def log() -> str:
            out.flush()
            out.seek(0)
            return out.read().decode("utf-8", "replace")

        proc.log = log
        try:
            wait_until_up(url, proc, wait)
            yield proc
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def kg_serve(*extra: str, data: Path | str):
    """`kg serve` with a store in a temporary cache folder (not the checkout's
    .kgcache) unless `extra` chooses where the store is."""
    import tempfile

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [str(VENV_BIN / "kg"), "serve", "--port", str(port), "--data", str(data), *extra]
    with tempfile.TemporaryDirectory(prefix="kg-serve-cache-") as cache:
        if not {"--store", "--cache-dir", "--in-memory"} & set(extra):
            args += ["--cache-dir", cache]
        with running(args, f"{base}/sparql") as proc:
            yield base, proc


@contextlib.contextmanager
def oxigraph_serve(location: Path | None = None, *extra: str):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [str(VENV_BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}", *extra]
    if location is not None:
        args += ["--location", str(location)]
    with running(args, f"{base}/query") as proc:
        yield base, proc


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (the server's worker processes)."""
    parent_of = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent_of[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parent_of.items() if pp in frontier} - found
        found |= frontier
    return found
