"""`kg serve`: the dataset behind a SPARQL 1.1 Protocol endpoint and a query editor.

One call, `serve(ServeOptions(...))`. Safe by default: loopback only, read-only,
each query stopped after `timeout` seconds (the worker process running it
answers 503 and exits, and another takes its place), at most `max_rows` rows and
`max_response_bytes` bytes per answer, request bodies up to `max_request_bytes`,
each request's head and body within `request_timeout` seconds of its first byte,
at most `max_connections` connections per worker, federation (SERVICE) off. The
HTTP server is uvicorn (kg.serve.server) in forked worker processes
(kg.serve.workers).
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
    """The store (None when it is persistent: each worker opens it read-only) and
    what it holds."""
    from kg.serve.dataset import load_memory, load_persistent

    if opts.store:
        Path(opts.store).mkdir(parents=True, exist_ok=True)
        return load_persistent(opts.data, Path(opts.store))
    return load_memory(opts.data)


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

        worker_store = ox.Store.read_only(str(opts.store)) if opts.store else store
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
          f"{', store ' + str(opts.store) if opts.store else ', in memory'}) "
          f"at http://{where}:{opts.port}/ (SPARQL: /sparql)", flush=True)
    # a retiring worker lets the other queries it is running finish within their timeout
    work = functools.partial(serve_http, make_app=make_app, limits=limits,
                             drain_seconds=opts.timeout + 1)
    return Supervisor(sock, opts.workers, work).run()
