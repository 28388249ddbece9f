"""`kg serve`: the dataset behind a SPARQL 1.1 Protocol endpoint and a query editor.

One call, `serve(ServeOptions(...))`. Safe by default: loopback only, read-only,
each query stopped after `timeout` seconds (its worker process is killed), at
most `max_rows` rows per answer, request bodies up to `max_request_bytes`,
federation (SERVICE) off.
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
    timeout: float = 30.0
    max_rows: int = 100_000
    max_request_bytes: int = 1 << 20
    workers: int = max(4, os.cpu_count() or 1)
    allow_service: bool = False


def make_pool(opts: ServeOptions):
    """Load the data (in the zygote process) and start the query workers."""
    from kg.serve.dataset import load_memory, load_persistent
    from kg.serve.engine import WorkerPool

    if opts.store:
        Path(opts.store).mkdir(parents=True, exist_ok=True)
        load = functools.partial(load_persistent, opts.data, Path(opts.store))
    else:
        load = functools.partial(load_memory, opts.data)
    return WorkerPool(load, opts.workers, store_dir=opts.store)


def serve(opts: ServeOptions) -> int:
    import uvicorn

    from kg.serve.app import YASGUI_BUILD, create_app
    from kg.serve.dataset import known_prefixes
    from kg.store import dataset_file

    try:
        source = dataset_file(opts.data)
        prefixes = known_prefixes(opts.data, REPO_ROOT / "ontology" / "hankegraph.ttl")
        pool = make_pool(opts)
    except (FileNotFoundError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not (YASGUI_BUILD / "yasgui.min.js").is_file():
        print(f"warning: {YASGUI_BUILD} is missing, so / has no editor: run scripts/setup.sh "
              "(npm ci)", file=sys.stderr)
    app = create_app(pool, data_dir=source.parent, prefixes=prefixes, timeout=opts.timeout,
                     max_rows=opts.max_rows, max_request_bytes=opts.max_request_bytes,
                     allow_service=opts.allow_service)
    where = f"[{opts.host}]" if ":" in opts.host else opts.host
    print(f"serving {source} ({pool.info['triples']} triples"
          f"{', store ' + str(opts.store) if opts.store else ', in memory'}) "
          f"at http://{where}:{opts.port}/ (SPARQL: /sparql)", flush=True)
    try:
        uvicorn.run(app, host=opts.host, port=opts.port, log_level="warning",
                    access_log=False, timeout_graceful_shutdown=1)
    finally:
        pool.close()
    return 0
