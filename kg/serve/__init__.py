"""`kg serve`: the dataset behind a SPARQL 1.1 Protocol endpoint and a query editor.

One call, `serve(ServeOptions(...))`. Safe by default: loopback only, read-only,
each query stopped after `timeout` seconds (the worker process running it
answers 503 and exits, and another takes its place), at most `max_rows` rows and
`max_response_bytes` bytes per answer, request bodies up to `max_request_bytes`,
each request's head and body within `request_timeout` seconds of its first byte,
at most `max_connections` connections per worker, federation (SERVICE) off. The
HTTP server is uvicorn (kg.serve.server) in forked worker processes
(kg.serve.workers).

The workers open the store read-only from disk: by default a store in the
project's cache folder, loaded from the dataset once and reused while the
dataset file is unchanged (kg.serve.dataset), so that they share its pages
instead of each holding a copy; `store` names another folder, `in_memory`
keeps the store in memory instead.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from kg.settings import Settings


@dataclass(frozen=True)
class ServeOptions:
    data: Path = Settings().out_dir
    host: str = "127.0.0.1"
    port: int = 8000
    store: Path | None = None
    in_memory: bool = False
    cache_dir: Path | None = Settings().cache_dir
    timeout: float = 30.0
    max_rows: int = 100_000
    max_response_bytes: int = 50_000_000
    max_request_bytes: int = 1 << 20
    workers: int = max(4, os.cpu_count() or 1)
    allow_service: bool = False
    request_timeout: float = 30.0
    keep_alive: float = 60.0
    max_connections: int = 1000
    cors: tuple[str, ...] = ()  # origins whose pages may query the endpoint ("*": any)
    access_log: bool = True
    # the project's settings (kg.toml, --base-iri): base IRI, ontology folder
    settings: Settings = Settings()


def load(opts: ServeOptions):
    """What the workers serve, and what it holds: the folder of a store on disk
    (each worker opens it read-only), or an in-memory store (shared as the workers
    are forked). Without a cache folder (cache_dir = None) the store is in memory."""
    from kg.serve.dataset import load_cached, load_memory, load_persistent

    if opts.store:
        Path(opts.store).mkdir(parents=True, exist_ok=True)
        _, info = load_persistent(opts.data, Path(opts.store))
        return Path(opts.store), info
    if opts.in_memory or opts.cache_dir is None:
        return load_memory(opts.data)
    return load_cached(opts.data, opts.cache_dir)


def serve(opts: ServeOptions) -> int:
    from kg.serve.app import create_app, yasgui_dir
    from kg.serve.dataset import known_prefixes
    from kg.serve.server import Limits
    from kg.serve.workers import Supervisor, bind, serve_http
    from kg.store import dataset_file

    try:
        source = dataset_file(opts.data)
        prefixes = known_prefixes(opts.data, opts.settings.ontology_dir / "hankegraph.ttl")
        sock = bind(opts.host, opts.port)
        store, info = load(opts)
    except (FileNotFoundError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not (yasgui_dir() / "yasgui.min.js").is_file():
        print(f"warning: {yasgui_dir()} is missing, so / has no editor: run scripts/setup.sh "
              "(npm ci)", file=sys.stderr)

    def make_app(retire):
        import pyoxigraph as ox

        _give_back_freed_memory()

        worker_store = ox.Store.read_only(str(store)) if isinstance(store, Path) else store
        return create_app(worker_store, info, data_dir=source.parent, prefixes=prefixes,
                          timeout=opts.timeout, max_rows=opts.max_rows,
                          max_response_bytes=opts.max_response_bytes,
                          max_request_bytes=opts.max_request_bytes,
                          allow_service=opts.allow_service, retire=retire, cors=opts.cors,
                          settings=opts.settings)

    # what every worker needs, imported once before the fork: a fresh worker (one
    # replacing a retired one, too) answers its first query without building
    # rdflib's SPARQL grammar (seconds on a busy machine) or importing its server
    import rdflib.plugins.sparql.parser  # noqa: F401 - kg.serve.protocol.check_query
    import starlette.applications  # noqa: F401
    import uvicorn  # noqa: F401

    limits = Limits(max_request_bytes=opts.max_request_bytes,
                    request_timeout=opts.request_timeout, keep_alive=opts.keep_alive,
                    max_connections=opts.max_connections)
    if opts.access_log:  # one line per request on standard error (kg.serve.app.AccessLog)
        import logging

        log = logging.getLogger("kg.serve.access")
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    sock.listen(limits.backlog)
    where = f"[{opts.host}]" if ":" in opts.host else opts.host
    print(f"serving {source} ({info['triples']} triples"
          f"{', store ' + str(store) if isinstance(store, Path) else ', in memory'}) "
          f"at http://{where}:{opts.port}/ (SPARQL: /sparql)", flush=True)
    # a retiring worker lets the other queries it is running finish within their timeout
    work = functools.partial(serve_http, make_app=make_app, limits=limits,
                             drain_seconds=opts.timeout + 1)
    return Supervisor(sock, opts.workers, work).run()


# how often a worker hands the memory its finished queries freed back to the system
TRIM_SECONDS = 1.0
# glibc's thresholds, fixed (by default they grow with the largest block freed, up
# to 32 MB and 64 MB): a block this large is mapped on its own and unmapped when
# freed, and an arena keeps at most this much free memory at its top
MMAP_THRESHOLD = 4 << 20
TRIM_THRESHOLD = 16 << 20


def _give_back_freed_memory(every: float = TRIM_SECONDS) -> None:
    """In a worker: give the memory that finished queries freed back to the system.

    A large query's evaluation and answer (a join of millions of rows, a 15 MB
    result) are freed when it ends, but glibc keeps freed memory in each query
    thread's arena, so every worker's memory stayed at the size of the largest
    answer it had given (issue 14). Fixed thresholds make large blocks their own
    mappings and cap the free memory an arena keeps at its top (which
    malloc_trim does not reach outside the main arena); a thread calls
    malloc_trim every `every` seconds for the free memory between live blocks."""
    import ctypes
    import threading
    import time

    try:
        libc = ctypes.CDLL(None)
        trim, mallopt = libc.malloc_trim, libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, MMAP_THRESHOLD)
    mallopt(m_trim_threshold, TRIM_THRESHOLD)

    def loop() -> None:
        while True:
            time.sleep(every)
            trim(0)

    threading.Thread(target=loop, name="malloc_trim", daemon=True).start()
