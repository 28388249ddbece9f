"""The `kg` command: a thin layer over the one-call API in kg.build and friends."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.settings import Settings


def _settings(args) -> Settings:
    kw = {}
    if getattr(args, "base_iri", None):
        kw["base_iri"] = args.base_iri
    if getattr(args, "no_progress", False):
        kw["progress"] = False
    return Settings(**kw)


def cmd_build(args) -> int:
    from kg.build import build

    report = build(args.paths or ["data/docs"], _settings(args), out_dir=args.out)
    print(report.summary())
    if report.documents == 0:
        print("error: no document could be built", file=sys.stderr)
        return 1
    return 3 if report.skipped else 0


def cmd_query(args) -> int:
    from kg.store import format_table, open_store, select

    if args.query_text:
        query = args.query_text
    elif args.file:
        try:
            query = Path(args.file).read_text(encoding="utf-8")
        except OSError as e:
            print(f"error: {args.file}: {e.strerror}", file=sys.stderr)
            return 2
    else:
        print("error: give a .rq file or --query TEXT", file=sys.stderr)
        return 2
    if args.endpoint:
        return _query_endpoint(args, query)
    try:
        store = open_store(args.data)
        table = select(store, query)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except SyntaxError as e:
        print(f"error: {args.file or 'query'}: {e}", file=sys.stderr)
        return 2
    print(format_table(table, args.format))
    return 0


def _query_endpoint(args, query: str) -> int:
    import os

    from kg.remote import RemoteError, query_endpoint
    from kg.store import format_table

    try:
        table = query_endpoint(args.endpoint, query, user=args.user,
                               password=os.environ.get("KG_ENDPOINT_PASSWORD"))
    except RemoteError as e:
        print(f"error: {args.file or 'query'}: {e}", file=sys.stderr)
        return 2
    print(format_table(table, args.format))
    return 0


def cmd_serve(args) -> int:
    from kg.serve import ServeOptions, serve

    kw = {k: getattr(args, k) for k in ("timeout", "max_rows", "max_request_bytes", "workers")
          if getattr(args, k) is not None}
    return serve(ServeOptions(data=Path(args.data), host=args.host, port=args.port,
                              store=Path(args.store) if args.store else None,
                              allow_service=args.allow_service, **kw))


def cmd_push(args) -> int:
    import os

    from kg.remote import RemoteError, push

    try:
        report = push(args.data, args.endpoint, default_graph=not args.no_default_graph,
                      user=args.user, password=os.environ.get("KG_ENDPOINT_PASSWORD"),
                      digest=args.digest)
    except (RemoteError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


def cmd_evaluate(args) -> int:
    from kg.evaluate import evaluate

    return evaluate(Path(args.gold), settings=_settings(args), as_json=args.json,
                    predictions_dir=Path(args.predictions) if args.predictions else None,
                    explain=args.explain)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="kg", description="Hankegraph: Finnish regional "
                                 "development projects as a knowledge graph.")
    ap.add_argument("--base-iri", help=Settings.help()["base_iri"])
    ap.add_argument("--no-progress", action="store_true", help="no progress bar")
    sub = ap.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="documents → data/ttl/hankegraph.{ttl,trig}")
    b.add_argument("paths", nargs="*", help="files or folders (default: data/docs)")
    b.add_argument("--out", help="output folder (default: data/ttl)")
    b.set_defaults(func=cmd_build)

    q = sub.add_parser("query", help="run a SPARQL query over the built graph")
    q.add_argument("file", nargs="?", help="a .rq file")
    q.add_argument("--query", dest="query_text", help="the query text")
    q.add_argument("--data", default=str(Settings().out_dir), help="dataset file or folder")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.add_argument("--endpoint", help="query this SPARQL endpoint (URL) instead of --data")
    q.add_argument("--user", help="user name for --endpoint (password: $KG_ENDPOINT_PASSWORD)")
    q.set_defaults(func=cmd_query)

    s = sub.add_parser("serve", help="a SPARQL endpoint (/sparql) and query editor (/)")
    s.add_argument("--data", default=str(Settings().out_dir), help="dataset file or folder")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: loopback only; 0.0.0.0 for all)")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--store", help="keep the store on disk in this folder (reloaded only "
                   "when the dataset changes); default: in memory")
    s.add_argument("--timeout", type=float, help="seconds before a query is stopped (30)")
    s.add_argument("--max-rows", type=int, help="most rows (or triples) in one answer (100000)")
    s.add_argument("--max-request-bytes", type=int, help="largest request body (1 MiB)")
    s.add_argument("--workers", type=int, help="query worker processes (at least 4)")
    s.add_argument("--allow-service", action="store_true",
                   help="allow SERVICE (federated queries to other endpoints)")
    s.set_defaults(func=cmd_serve)

    p = sub.add_parser("push", help="upload the graph to a SPARQL Graph Store Protocol store")
    p.add_argument("--endpoint", required=True,
                   help="the store's Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store")
    p.add_argument("--data", default=str(Settings().out_dir), help="dataset folder or TriG file")
    p.add_argument("--no-default-graph", action="store_true",
                   help="do not write the union of the graphs into the default graph "
                   "(for stores whose default graph already is the union)")
    p.add_argument("--user", help="user name (password: $KG_ENDPOINT_PASSWORD)")
    p.add_argument("--digest", action="store_true", help="HTTP digest auth (Virtuoso)")
    p.set_defaults(func=cmd_push)

    e = sub.add_parser("evaluate", help="score extraction against gold annotations")
    e.add_argument("--gold", required=True, help="folder with NAME.txt and NAME.json")
    e.add_argument("--json", action="store_true", help="print the scores as JSON")
    e.add_argument("--predictions", help="write the system's NAME.json files here")
    e.add_argument("--explain", action="store_true",
                   help="list missed and false items per document, with sentence and rule")
    e.set_defaults(func=cmd_evaluate)

    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
