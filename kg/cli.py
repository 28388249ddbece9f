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


def cmd_visualise(args) -> int:
    from kg.visualise import Filters, NoMatch, visualise
    from kg.visualise.analysis import metrics_table

    filters = Filters(region=args.region, funder=args.funder, year=args.year)
    try:
        report = visualise(args.data, args.out, filters)
    except NoMatch as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(report.summary())
    if args.metrics:
        for kind, rows in report.metrics.items():
            print()
            print(metrics_table(kind, rows))
    return 0


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
    q.set_defaults(func=cmd_query)

    e = sub.add_parser("evaluate", help="score extraction against gold annotations")
    e.add_argument("--gold", required=True, help="folder with NAME.txt and NAME.json")
    e.add_argument("--json", action="store_true", help="print the scores as JSON")
    e.add_argument("--predictions", help="write the system's NAME.json files here")
    e.add_argument("--explain", action="store_true",
                   help="list missed and false items per document, with sentence and rule")
    e.set_defaults(func=cmd_evaluate)

    v = sub.add_parser("visualise", help="network pages → visualisations/*.html "
                       "(with metrics CSV, GEXF, GraphML, PNG)")
    v.add_argument("--data", default=str(Settings().out_dir), help="dataset file or folder")
    v.add_argument("--out", default="visualisations", help="output folder")
    v.add_argument("--region", help="only projects in this region (name or code, e.g. "
                   "Pohjois-Savo): target area or participant in it")
    v.add_argument("--funder", help="only projects this funder funds (name or alias, e.g. ESR)")
    v.add_argument("--year", type=int, help="only projects running in this year")
    v.add_argument("--metrics", action="store_true",
                   help="also print degree, betweenness and community tables")
    v.set_defaults(func=cmd_visualise)

    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
