"""`kg serve`: the dataset behind a SPARQL 1.1 Protocol endpoint and a query editor.

One call, `serve(ServeOptions(...))`. Safe by default: loopback only, read-only,
each query stopped after `timeout` seconds (the worker process running it
answers 503 and exits, and another takes its place), at most `max_rows` rows and
`max_response_bytes` bytes per answer, request bodies up to `max_request_bytes`,
federation (SERVICE) off.

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

from kg.settings import REPO_ROOT, Settings


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
    from kg.serve.app import YASGUI_BUILD, create_app
    from kg.serve.dataset import known_prefixes
    from kg.serve.workers import Supervisor, bind, serve_http
    from kg.store import dataset_file

    try:
        source = dataset_file(opts.data)
        prefixes = known_prefixes(opts.data, REPO_ROOT / "ontology" / "hankegraph.ttl")
        sock = bind(opts.host, opts.port)
        store, info = load(opts)
    except (FileNotFoundError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not (YASGUI_BUILD / "yasgui.min.js").is_file():
        print(f"warning: {YASGUI_BUILD} is missing, so / has no editor: run scripts/setup.sh "
              "(npm ci)", file=sys.stderr)

    def make_site():
        import pyoxigraph as ox

        _give_back_freed_memory()

        worker_store = ox.Store.read_only(str(store)) if isinstance(store, Path) else store
        return create_app(worker_store, info, data_dir=source.parent, prefixes=prefixes,
                          timeout=opts.timeout, max_rows=opts.max_rows,
                          max_response_bytes=opts.max_response_bytes,
                          max_request_bytes=opts.max_request_bytes,
                          allow_service=opts.allow_service)

    sock.listen(1024)
    where = f"[{opts.host}]" if ":" in opts.host else opts.host
    print(f"serving {source} ({info['triples']} triples"
          f"{', store ' + str(store) if isinstance(store, Path) else ', in memory'}) "
          f"at http://{where}:{opts.port}/ (SPARQL: /sparql)", flush=True)
    # a retiring worker lets the other queries it is running finish within their timeout
    work = functools.partial(serve_http, make_site=make_site,
                             max_request_bytes=opts.max_request_bytes,
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
