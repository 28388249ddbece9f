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
    if getattr(args, "max_bytes", None) is not None:
        kw["max_bytes"] = args.max_bytes
    if getattr(args, "any_language", False):
        kw["check_language"] = False
    if getattr(args, "no_cache", False):
        kw["cache_dir"] = None
    elif getattr(args, "cache_dir", None):
        kw["cache_dir"] = Path(args.cache_dir)
    if getattr(args, "workers", None) is not None:
        kw["workers"] = args.workers
    return Settings(**kw)


def cmd_build(args) -> int:
    from kg.build import build

    report = build(args.paths or ["data/docs"], _settings(args), out_dir=args.out,
                   report_path=args.report)
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
    b.add_argument("--report", help="where to write the JSON build report "
                   "(default: OUT/build-report.json)")
    b.add_argument("--max-bytes", type=int, help=Settings.help()["max_bytes"]
                   + f" (default: {Settings().max_bytes})")
    b.add_argument("--any-language", action="store_true",
                   help="do not skip documents that are not in Finnish or Swedish")
    b.add_argument("--no-cache", action="store_true",
                   help="extract every document again, and do not keep the extractions")
    b.add_argument("--cache-dir", help=Settings.help()["cache_dir"] + " (default: .kgcache)")
    b.add_argument("--workers", type=int, help=Settings.help()["workers"]
                   + f" (default: {Settings().workers})")
    b.set_defaults(func=cmd_build)

    q = sub.add_parser("query", help="run a SPARQL query over the built graph")
    q.add_argument("file", nargs="?", help="a .rq file")
    q.add_argument("--query", dest="query_text", help="the query text")
    q.add_argument("--data", default=str(Settings().out_dir), help="dataset file or folder")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.set_defaults(func=cmd_query)

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
