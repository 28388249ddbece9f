"""The `kg` command: a thin layer over the one-call API in kg.build and friends."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg import __version__
from kg.query import FORMATS
from kg.settings import Settings, SettingsError, project_settings


def _settings(args) -> Settings:
    """The project folder's settings (kg.toml, if any) with the command line's on top."""
    import dataclasses

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
    if getattr(args, "model", None):
        kw["model_dir"] = Path(args.model)
        kw["extractor"] = "hankegraph.learned.v1"
    if getattr(args, "extractor", None):
        kw["extractor"] = args.extractor
    if getattr(args, "min_confidence", None) is not None:
        kw["min_confidence"] = args.min_confidence
    return dataclasses.replace(project_settings(), **kw)


def _add_extractor_options(p) -> None:
    p.add_argument("--extractor", help=Settings.help()["extractor"] + " (default: "
                   f"{Settings().extractor}; also hankegraph.rules.v1, hankegraph.learned.v1)")
    p.add_argument("--model", help="a model folder from `kg train` (implies "
                   "--extractor hankegraph.learned.v1; default: the shipped model)")
    p.add_argument("--min-confidence", type=float,
                   help=Settings.help()["min_confidence"] + " (default: None)")


def cmd_init(args) -> int:
    from kg.project import init_project

    try:
        made = init_project(args.folder)
    except OSError as e:
        print(f"error: {args.folder}: {e.strerror or e}", file=sys.stderr)
        return 2
    for path, written in made:
        print(f"{'wrote' if written else 'kept'} {path}{'/' if path.is_dir() else ''}"
              f"{'' if written else ' (already there)'}")
    where = "" if Path(args.folder) == Path(".") else f"cd {args.folder} && "
    print(f"next: put documents into {Path(args.folder) / 'docs'}, then {where}kg build")
    return 0


def cmd_build(args) -> int:
    from kg.build import build
    from kg.resolve.curation import CurationError

    if args.curation and not Path(args.curation).is_file():
        print(f"error: {args.curation}: no such curation file", file=sys.stderr)
        return 2
    settings = _settings(args)
    if _extractor_refused(settings):
        return 2
    if not args.paths and not settings.docs_dir.is_dir():
        print(f"error: no {settings.docs_dir} folder in {Path.cwd()}: kg works in the current "
              f"folder; put the documents in {settings.docs_dir}, or name files or folders "
              "(kg build FOLDER)", file=sys.stderr)
        return 2
    try:
        report = build(args.paths or [settings.docs_dir], settings, out_dir=args.out,
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

    formats = args.format or ["ttl"]
    if args.excel and "csv" not in formats:
        formats = [*(args.format or []), "csv"]
    options = ExportOptions(formats=tuple(dict.fromkeys(formats)), date=args.date,
                            endpoint=args.endpoint, excel=args.excel,
                            download_url=args.download_url, publisher=args.publisher,
                            contact=args.contact)
    try:
        written = export(args.data, args.out, options, _settings(args))
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


def cmd_query(args) -> int:
    from kg.query import QueryError, default_format, render

    name = args.file or "query"
    if args.query_text:
        query = args.query_text
    elif args.file:
        try:
            query = Path(args.file).read_text(encoding="utf-8")
        except OSError as e:
            print(f"error: {args.file}: {e.strerror}", file=sys.stderr)
            return 2
        except UnicodeDecodeError:
            print(f"error: {args.file}: not UTF-8 text", file=sys.stderr)
            return 2
    else:
        print("error: give a .rq file or --query TEXT", file=sys.stderr)
        return 2
    try:
        result, known = _answer(args, query)
        width = args.width if args.width is not None else _terminal_width()
        out = render(result, args.format or default_format(result), known, width, args.wrap)
    except QueryError as e:
        print(f"error: {name}: {e}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError, RuntimeError) as e:
        print(f"error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    except OSError as e:  # an evaluation error met while the answer is read
        print(f"error: {name}: query failed: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    sys.stdout.buffer.write(out)
    return 0


def _terminal_width() -> int:
    import os

    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns if sys.stdout.isatty() else 0
    except (OSError, ValueError):
        return 0


def _answer(args, query: str):
    """The query's answer and the prefixes known without PREFIX lines."""
    from kg.query import prefixes, run

    if args.endpoint:
        import os

        from kg.remote import query_endpoint

        known = {}  # the endpoint's own prefixes are its business; tables show full IRIs
        return query_endpoint(args.endpoint, query, user=args.user,
                              password=os.environ.get("KG_ENDPOINT_PASSWORD")), known
    from kg.store import open_store

    known = prefixes(args.data, _settings(args).ontology_dir / "hankegraph.ttl")
    return run(open_store(args.data), query, known), known


def cmd_serve(args) -> int:
    from kg.serve import ServeOptions, serve

    kw = {k: getattr(args, k) for k in ("timeout", "max_rows", "max_response_bytes",
                                         "max_request_bytes", "workers", "request_timeout",
                                         "keep_alive", "max_connections")
          if getattr(args, k) is not None}
    cache_dir = Path(args.cache_dir) if args.cache_dir else project_settings().cache_dir
    return serve(ServeOptions(data=Path(args.data), host=args.host, port=args.port,
                              store=Path(args.store) if args.store else None,
                              in_memory=args.in_memory, cache_dir=cache_dir,
                              allow_service=args.allow_service, cors=tuple(args.cors),
                              access_log=not args.no_access_log, settings=_settings(args),
                              **kw))


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


def _extractor_refused(settings: Settings) -> bool:
    from kg.extract import extractor_problem

    problem = extractor_problem(settings.extractor, settings.model_dir)
    if problem is not None:
        print(f"error: {problem}; nothing was built", file=sys.stderr)
    return problem is not None


def cmd_evaluate(args) -> int:
    from kg.evaluate import cross_validate, evaluate

    if args.cv is None and _extractor_refused(_settings(args)):
        return 2
    if args.cv is not None:
        return cross_validate(Path(args.gold), args.cv, settings=_settings(args),
                              as_json=args.json)
    return evaluate(Path(args.gold), settings=_settings(args), as_json=args.json,
                    predictions_dir=Path(args.predictions) if args.predictions else None,
                    explain=args.explain)


def cmd_train(args) -> int:
    from kg.extract.train import train

    settings = _settings(args)
    out = Path(args.out) if args.out else settings.model_dir
    for folder in args.gold:
        if not Path(folder).is_dir():
            print(f"error: {folder}: not a folder of NAME.txt and NAME.json files",
                  file=sys.stderr)
            return 2
    try:
        train([Path(g) for g in args.gold], out, settings.authority_dir,
              progress=settings.progress)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


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
        found = explain(args.data, args.entity, settings.base_iri, settings.authority_dir)
    except (NotFound, FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print("\n\n".join(ex.text(settings.base_iri) for ex in found))
    return 0


def cmd_site(args) -> int:
    from kg.pages.site import write_site

    settings = _settings(args)
    try:
        report = write_site(args.data, args.out, settings.base_iri)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's default in its help, unless the help already says it or there is
    none to say (a flag, an option that is off unless given). The width is found as
    argparse finds it, without importing shutil (3 ms of `kg query`'s start-up)."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        if width is None:
            import os

            try:
                columns = int(os.environ.get("COLUMNS", "0")) or \
                    os.get_terminal_size(sys.__stdout__.fileno()).columns
            except (AttributeError, OSError, ValueError):
                columns = 80
            width = max(columns, 40) - 2
        super().__init__(prog, indent_increment, max_help_position, width)

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or action.default is None or isinstance(action.default, bool):
            return text
        return super()._get_help_string(action)


def parser() -> argparse.ArgumentParser:
    # the global options, accepted before the command and after it (`kg build
    # --no-progress`); SUPPRESS keeps a subcommand from resetting what was given before it
    defaults = project_settings()  # the folder's kg.toml, if any, shows in --help too
    common = argparse.ArgumentParser(add_help=False, formatter_class=HelpFormatter)
    g = common.add_argument_group("global options (before or after the command)")
    g.add_argument("--base-iri", default=argparse.SUPPRESS,
                   help=Settings.help()["base_iri"] + f" (default: {defaults.base_iri})")
    g.add_argument("--no-progress", action="store_true", default=argparse.SUPPRESS,
                   help="no progress bar")
    ap = argparse.ArgumentParser(prog="kg", parents=[common], formatter_class=HelpFormatter,
                                 description="Hankegraph: Finnish regional development "
                                 "projects as a knowledge graph.")
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    from kg.serve import ServeOptions

    def add(name: str, **kw) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], formatter_class=HelpFormatter, **kw)

    i = add("init", help="a starter project folder: docs/, kg.toml, README.md")
    i.add_argument("folder", nargs="?", default=".",
                   help="the project folder, made if missing (default: ., the current one)")
    i.set_defaults(func=cmd_init)

    b = add("build", help="documents → data/ttl/hankegraph.{ttl,trig}")
    b.add_argument("paths", nargs="*", help=f"files or folders (default: {defaults.docs_dir})")
    b.add_argument("--out", help=f"output folder (default: {defaults.out_dir})")
    b.add_argument("--no-validate", action="store_true",
                   help="write the graph even when it breaks ontology/shapes.ttl")
    b.add_argument("--report", help="where to write the JSON build report "
                   "(default: OUT/build-report.json)")
    b.add_argument("--max-bytes", type=int, help=Settings.help()["max_bytes"]
                   + f" (default: {defaults.max_bytes})")
    b.add_argument("--any-language", action="store_true",
                   help="do not skip documents that are not in Finnish or Swedish")
    b.add_argument("--no-cache", action="store_true",
                   help="extract every document again, and do not keep the extractions "
                   "(nor skip writing when nothing changed)")
    b.add_argument("--cache-dir", help=Settings.help()["cache_dir"]
                   + f" (default: {defaults.cache_dir})")
    b.add_argument("--workers", type=int, help=Settings.help()["workers"]
                   + f" (default: {defaults.workers})")
    _add_extractor_options(b)
    b.add_argument("--curation", help=Settings.help()["curation_file"]
                   + f" (default: {defaults.curation_file})")
    b.set_defaults(func=cmd_build)

    q = add("query", help="run a SPARQL query over the built graph")
    q.add_argument("file", nargs="?", help="a .rq file")
    q.add_argument("--query", dest="query_text", help="the query text")
    q.add_argument("--data", default=str(defaults.out_dir), help="dataset file or folder")
    q.add_argument("--format", choices=FORMATS, help="SELECT and ASK: table, csv, tsv, json "
                   "or xml (SPARQL results); CONSTRUCT and DESCRIBE: ttl, nt or jsonld "
                   "(default: table, or ttl for CONSTRUCT and DESCRIBE)")
    q.add_argument("--width", type=int, help="widest line of a table: wider columns are cut "
                   "with … (or wrapped, --wrap); 0 for no limit (default: the terminal's "
                   "width, no limit when the output is not a terminal)")
    q.add_argument("--wrap", action="store_true",
                   help="wrap wide cells onto more lines instead of cutting them")
    q.add_argument("--endpoint", help="query this SPARQL endpoint (URL) instead of --data")
    q.add_argument("--user", help="user name for --endpoint (password: $KG_ENDPOINT_PASSWORD)")
    q.set_defaults(func=cmd_query)

    v = add("validate", help="check the built graph against ontology/shapes.ttl")
    v.add_argument("data", nargs="?", default=str(defaults.out_dir),
                   help="dataset folder or .ttl/.nt/.trig file")
    v.add_argument("--reason", action="store_true",
                   help="also check with the HermiT reasoner that the ontology and the "
                        "data are consistent (needs Java)")
    v.add_argument("--engine", choices=("hankegraph", "pyshacl"), default="hankegraph",
                   help="the SHACL checker: hankegraph (kg.graph.shacl: pySHACL's results, "
                        "much faster) or pyshacl (pySHACL itself)")
    v.set_defaults(func=cmd_validate)

    x = add("export", help="the built dataset as Turtle, N-Triples, TriG, JSON-LD "
                       "or CSV, with a VoID/DCAT description")
    x.add_argument("--format", action="append", choices=("ttl", "nt", "trig", "jsonld", "csv"),
                   help="repeat for several (default: ttl)")
    x.add_argument("--data", default=str(defaults.out_dir),
                   help="the built dataset: folder or .trig file")
    x.add_argument("--out", default="data/export", help="output folder")
    x.add_argument("--date", help="creation date YYYY-MM-DD for the description (default: "
                   "SOURCE_DATE_EPOCH, else today)")
    x.add_argument("--endpoint", help="the SPARQL endpoint URL where the dataset is served")
    x.add_argument("--excel", action="store_true",
                   help="CSV for Excel: UTF-8 with a byte-order mark, `;` between fields, "
                   "decimal comma (implies --format csv)")
    x.add_argument("--download-url", help="the URL the files will be published under, for "
                   "the description's dcat:downloadURL (default: BASE_IRI/dataset/)")
    x.add_argument("--publisher", default="Hankegraph",  # ExportOptions.publisher (rdflib-free)
                   help="the publisher's name in the description")
    x.add_argument("--contact", help="the publisher's contact: a URL or mailto: address "
                   "of the organisation, not of a person (default: the base IRI)")
    x.set_defaults(func=cmd_export)
    s = add("serve", help="a SPARQL endpoint (/sparql) and query editor (/)")
    s.add_argument("--data", default=str(defaults.out_dir), help="dataset file or folder")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (127.0.0.1: loopback only; 0.0.0.0: all)")
    s.add_argument("--port", type=int, default=8000, help="port to listen on")
    s.add_argument("--store", help="keep the store in this folder (reloaded only when the "
                   "dataset changes); default: a folder in the cache (CACHE_DIR/stores), "
                   "named after the dataset's digest")
    s.add_argument("--cache-dir", help="the project's cache folder, where the store is kept "
                   f"(default: {defaults.cache_dir})")
    s.add_argument("--in-memory", action="store_true",
                   help="hold the store in memory instead (every worker ends up with its own "
                   "copy: for small datasets)")
    served = ServeOptions()
    s.add_argument("--timeout", type=float, default=served.timeout,
                   help="seconds before a query is stopped")
    s.add_argument("--max-rows", type=int, default=served.max_rows,
                   help="most rows (or triples) in one answer")
    s.add_argument("--max-response-bytes", type=int, default=served.max_response_bytes,
                   help="largest answer, in bytes (a bigger one is refused with 503)")
    s.add_argument("--max-request-bytes", type=int, default=served.max_request_bytes,
                   help="largest request body, in bytes")
    s.add_argument("--workers", type=int, default=served.workers,
                   help="worker processes, each answering HTTP (at least 4)")
    s.add_argument("--request-timeout", type=float, default=served.request_timeout,
                   help="seconds a request's head and body may take to arrive, from its "
                   "first byte (a slower one is answered 408 and closed); also how long a "
                   "client may take no byte of its answer before it is cut off")
    s.add_argument("--keep-alive", type=float, default=served.keep_alive,
                   help="seconds an idle connection stays open")
    s.add_argument("--max-connections", type=int, default=served.max_connections,
                   help="open connections per worker; past it requests are answered 503")
    s.add_argument("--allow-service", action="store_true",
                   help="allow SERVICE (federated queries to other endpoints)")
    s.add_argument("--cors", action="append", metavar="ORIGIN", default=[],
                   help="let web pages from ORIGIN (e.g. https://example.org; * for any) "
                   "query the endpoint; repeat for more")
    s.add_argument("--no-access-log", action="store_true",
                   help="no line per request on standard error")
    s.set_defaults(func=cmd_serve)

    p = add("push", help="upload the graph to a SPARQL Graph Store Protocol store")
    p.add_argument("--endpoint", required=True,
                   help="the store's Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store")
    p.add_argument("--data", default=str(defaults.out_dir), help="dataset folder or TriG file")
    p.add_argument("--no-default-graph", action="store_true",
                   help="do not write the union of the graphs into the default graph "
                   "(for stores whose default graph already is the union)")
    p.add_argument("--user", help="user name (password: $KG_ENDPOINT_PASSWORD)")
    p.add_argument("--digest", action="store_true", help="HTTP digest auth (Virtuoso)")
    p.set_defaults(func=cmd_push)

    e = add("evaluate", help="score extraction against gold annotations")
    e.add_argument("--gold", required=True, help="folder with NAME.txt and NAME.json")
    e.add_argument("--json", action="store_true", help="print the scores as JSON")
    e.add_argument("--predictions", help="write the system's NAME.json files here")
    e.add_argument("--explain", action="store_true",
                   help="list missed and false items per document, with sentence and rule")
    e.add_argument("--cv", type=int, metavar="K",
                   help="K-fold cross-validation of the learned extractor on the gold folder, "
                   "folds grouped by source site (trains K models; prints the spread over folds "
                   "and precision/recall at several confidence thresholds)")
    e.add_argument("--no-cache", action="store_true",
                   help="read every document afresh and keep nothing in the extraction cache")
    _add_extractor_options(e)
    e.set_defaults(func=cmd_evaluate)

    t = add("train", help="train the learned extractor on gold folders "
            "(NAME.txt + NAME.json, shared/corpus/GOLD-FORMAT.md)")
    t.add_argument("--gold", nargs="+", required=True, metavar="DIR",
                   help="folders of annotated documents")
    t.add_argument("--out", metavar="MODEL_DIR",
                   help="where to write the model (default: the shipped model's folder, "
                   "kg/extract/models/learned-v1)")
    t.set_defaults(func=cmd_train)

    v = add("visualise", help="network pages → visualisations/*.html "
                       "(with metrics CSV, GEXF, GraphML, PNG)")
    v.add_argument("--data", default=str(defaults.out_dir), help="dataset file or folder")
    v.add_argument("--out", default="visualisations", help="output folder")
    v.add_argument("--region", help="only projects in this region (name or code, e.g. "
                   "Pohjois-Savo): target area or participant in it")
    v.add_argument("--funder", help="only projects this funder funds (name or alias, e.g. ESR)")
    v.add_argument("--year", type=int, help="only projects running in this year")
    v.add_argument("--metrics", action="store_true",
                   help="also print degree, betweenness and community tables")
    v.set_defaults(func=cmd_visualise)

    w = add("explain", help="one entity's names per document, identifiers, and "
                       "why its mentions were merged (and any curation)")
    w.add_argument("entity", help="a name (Xamk, Kuopio) or an IRI path (municipality/297)")
    w.add_argument("--data", default=str(defaults.out_dir), help="dataset file or folder")
    w.set_defaults(func=cmd_explain)

    s2 = add("site", help="a page for every entity (HTML and Turtle) as a static "
             "site that works from disk, with an index and a search box")
    s2.add_argument("out", help="output folder (replaced as a whole)")
    s2.add_argument("--data", default=str(defaults.out_dir), help="dataset file or folder")
    s2.set_defaults(func=cmd_site)

    return ap


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SettingsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except BrokenPipeError:  # `kg query … | head`: the reader has all it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
