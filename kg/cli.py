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
    if getattr(args, "curation", None):
        kw["curation_file"] = Path(args.curation)
    return Settings(**kw)


def cmd_build(args) -> int:
    from kg.build import build
    from kg.resolve.curation import CurationError

    if args.curation and not Path(args.curation).is_file():
        print(f"error: {args.curation}: no such curation file", file=sys.stderr)
        return 2
    try:
        report = build(args.paths or ["data/docs"], _settings(args), out_dir=args.out,
                       report_path=args.report, validate=not args.no_validate)
    except CurationError as e:
        print(f"error: {e}; nothing was built, the previous dataset stays", file=sys.stderr)
        return 2
    print(report.summary())
    if report.documents == 0:
        print("error: no document could be built", file=sys.stderr)
        return 1
    if report.validation is not None and not report.validation.conforms:
        _print_violations(report.validation)
        print("error: the graph breaks ontology/shapes.ttl, so nothing was written and the "
              "previous dataset stays; `kg build --no-validate` writes it anyway",
              file=sys.stderr)
        return 4
    return 3 if report.skipped else 0


def _print_violations(report) -> None:
    for v in report.violations:
        print(f"violation: {v}", file=sys.stderr)


def cmd_validate(args) -> int:
    from kg.graph.validate import validate_path

    try:
        report = validate_path(args.data, _settings(args), args.engine)
    except (FileNotFoundError, ValueError, SyntaxError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(report.summary())
    _print_violations(report)
    status = 0 if report.conforms else 4
    if args.reason:
        from kg.graph.reason import ReasonerUnavailable, check_consistency

        try:
            result = check_consistency(args.data, _settings(args))
        except (FileNotFoundError, ValueError, ReasonerUnavailable) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(result.summary())
        if not result.consistent:
            status = 4
    return status


def cmd_export(args) -> int:
    from kg.export import ExportOptions, export

    options = ExportOptions(formats=tuple(dict.fromkeys(args.format or ["ttl"])),
                            date=args.date, endpoint=args.endpoint)
    try:
        written = export(args.data, args.out, options, _settings(args))
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


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

    kw = {k: getattr(args, k) for k in ("timeout", "max_rows", "max_response_bytes",
                                         "max_request_bytes", "workers")
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


def cmd_explain(args) -> int:
    from kg.explain import NotFound, explain

    settings = _settings(args)
    try:
        found = explain(args.data, args.entity, settings.base_iri)
    except (NotFound, FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print("\n\n".join(ex.text(settings.base_iri) for ex in found))
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
    b.add_argument("--no-validate", action="store_true",
                   help="write the graph even when it breaks ontology/shapes.ttl")
    b.add_argument("--report", help="where to write the JSON build report "
                   "(default: OUT/build-report.json)")
    b.add_argument("--max-bytes", type=int, help=Settings.help()["max_bytes"]
                   + f" (default: {Settings().max_bytes})")
    b.add_argument("--any-language", action="store_true",
                   help="do not skip documents that are not in Finnish or Swedish")
    b.add_argument("--no-cache", action="store_true",
                   help="extract every document again, and do not keep the extractions "
                   "(nor skip writing when nothing changed)")
    b.add_argument("--cache-dir", help=Settings.help()["cache_dir"] + " (default: .kgcache)")
    b.add_argument("--workers", type=int, help=Settings.help()["workers"]
                   + f" (default: {Settings().workers})")
    b.add_argument("--curation", help=Settings.help()["curation_file"]
                   + " (default: data/curation.yaml)")
    b.set_defaults(func=cmd_build)

    q = sub.add_parser("query", help="run a SPARQL query over the built graph")
    q.add_argument("file", nargs="?", help="a .rq file")
    q.add_argument("--query", dest="query_text", help="the query text")
    q.add_argument("--data", default=str(Settings().out_dir), help="dataset file or folder")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.add_argument("--endpoint", help="query this SPARQL endpoint (URL) instead of --data")
    q.add_argument("--user", help="user name for --endpoint (password: $KG_ENDPOINT_PASSWORD)")
    q.set_defaults(func=cmd_query)

    v = sub.add_parser("validate", help="check the built graph against ontology/shapes.ttl")
    v.add_argument("data", nargs="?", default=str(Settings().out_dir),
                   help="dataset folder or .ttl/.nt/.trig file (default: data/ttl)")
    v.add_argument("--reason", action="store_true",
                   help="also check with the HermiT reasoner that the ontology and the "
                        "data are consistent (needs Java)")
    v.add_argument("--engine", choices=("hankegraph", "pyshacl"), default="hankegraph",
                   help="the SHACL checker: kg.graph.shacl (default; pySHACL's results, "
                        "much faster) or pySHACL itself")
    v.set_defaults(func=cmd_validate)

    x = sub.add_parser("export", help="the built dataset as Turtle, N-Triples, TriG, JSON-LD "
                       "or CSV, with a VoID/DCAT description")
    x.add_argument("--format", action="append", choices=("ttl", "nt", "trig", "jsonld", "csv"),
                   help="repeat for several (default: ttl)")
    x.add_argument("--data", default=str(Settings().out_dir),
                   help="the built dataset: folder or .trig file (default: data/ttl)")
    x.add_argument("--out", default="data/export", help="output folder (default: data/export)")
    x.add_argument("--date", help="creation date YYYY-MM-DD for the description (default: "
                   "SOURCE_DATE_EPOCH, else today)")
    x.add_argument("--endpoint", help="the SPARQL endpoint URL where the dataset is served")
    x.set_defaults(func=cmd_export)
    s = sub.add_parser("serve", help="a SPARQL endpoint (/sparql) and query editor (/)")
    s.add_argument("--data", default=str(Settings().out_dir), help="dataset file or folder")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: loopback only; 0.0.0.0 for all)")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--store", help="keep the store on disk in this folder (reloaded only "
                   "when the dataset changes); default: in memory")
    s.add_argument("--timeout", type=float, help="seconds before a query is stopped (30)")
    s.add_argument("--max-rows", type=int, help="most rows (or triples) in one answer (100000)")
    s.add_argument("--max-response-bytes", type=int,
                   help="largest answer in bytes (50 MB: 50000000)")
    s.add_argument("--max-request-bytes", type=int, help="largest request body (1 MiB)")
    s.add_argument("--workers", type=int, help="worker processes, each answering HTTP (4)")
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

    w = sub.add_parser("explain", help="one entity's names per document, identifiers, and "
                       "why its mentions were merged (and any curation)")
    w.add_argument("entity", help="a name (Xamk, Kuopio) or an IRI path (municipality/297)")
    w.add_argument("--data", default=str(Settings().out_dir), help="dataset file or folder")
    w.set_defaults(func=cmd_explain)

    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
