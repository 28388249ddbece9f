"""The web application: /sparql (the protocol), / (the query editor), and the
files a researcher downloads or browses (dataset, network pages, ontology).

/sparql is answered directly in the connection's thread (kg.serve.http), the rest
by a Starlette application."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.graph.io import TRIG_NAME, TTL_NAME
from kg.serve.editor import PATH as EDITOR_VOCABULARY
from kg.serve.editor import vocabulary_route
from kg.serve.engine import Job, error, execute
from kg.serve.formats import CONTENT_TYPE, GRAPH_TYPES, negotiate
from kg.serve.http import TEXT, Reply, Request
from kg.serve.protocol import Refused, check_query, parse_request, service_description
from kg.settings import REPO_ROOT, Settings

STATIC = Path(__file__).parent / "static"
YASGUI_BUILD = REPO_ROOT / "node_modules" / "@zazuko" / "yasgui" / "build"
VISUALISATIONS = REPO_ROOT / "visualisations"
ONTOLOGY = REPO_ROOT / "ontology"
QUERIES = REPO_ROOT / "queries"


def _text(status: int, message: str, headers: dict[str, str] | None = None):
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


ALLOW = ((b"allow", b"GET, HEAD, POST"),)  # the methods of /sparql


def _reply(status: int, message: str, close: bool = False) -> Reply:
    return Reply(status, TEXT, (message.rstrip() + "\n").encode(), close,
                 ALLOW if status == 405 else ())


def _static(**kw):
    """Starlette's StaticFiles, with a path it cannot look up (a symlink loop,
    ELOOP; a name too long) a 404 rather than a 500 with a traceback."""
    from starlette.staticfiles import StaticFiles

    class Static(StaticFiles):
        def lookup_path(self, path):
            try:
                return super().lookup_path(path)
            except OSError:
                return "", None

    return Static(**kw)


@dataclass(frozen=True)
class Site:
    """What a worker serves: `sparql(request, timed)` for /sparql (see
    kg.serve.http.Server.run) and the ASGI application `app` for the rest."""

    sparql: Callable[[Request, Callable], Reply | None]
    app: Callable


def create_app(store, info: dict, *, data_dir: Path, prefixes: dict[str, str], timeout: float,
               max_rows: int, max_request_bytes: int, allow_service: bool,
               max_response_bytes: int = 50_000_000) -> Site:
    from starlette.applications import Starlette
    from starlette.requests import Request as StarletteRequest
    from starlette.responses import FileResponse, HTMLResponse
    from starlette.routing import Mount, Route

    from kg.serve.entity_pages import entity_page, index_page

    base_iri = Settings().base_iri

    late = _reply(503, f"query stopped after {timeout:g} s (it ran too long; the server's "
                  "limit, kg serve --timeout)", close=True)

    def sparql(request: Request, timed) -> Reply | None:
        """/sparql: the query runs in this thread (the connection's), watched for
        the timeout; None when the watchdog answered (503) instead."""
        try:
            query_string = request.query_string.decode("latin-1")
            if len(query_string) > max_request_bytes:
                raise Refused(414, "the query string is too long: POST the query instead")
            body = request.body if request.method == "POST" else b""
            req = parse_request(request.method, request.header(b"content-type"),
                                query_string, body)
            if req.query is None:
                return describe_service(StarletteRequest(request.scope()))
        except Refused as e:
            return _reply(e.status, e.message)
        job = Job(req.query, request.header(b"accept"), req.default_graphs, req.named_graphs,
                  prefixes, max_rows, max_response_bytes)
        # the check parses the query: however long that takes, it counts against the
        # timeout like the query itself
        with timed(timeout, late) as watch:
            try:
                check_query(req.query, allow_service)
                answer = execute(store, job)
            except Refused as e:
                answer = error(e.status, e.message)
        if watch.expired:  # the client has its 503, and this worker is retiring
            return None
        return Reply(answer.status, answer.content_type, answer.body)

    def describe_service(request) -> Reply:
        fmt = negotiate(request.headers.get("accept"), "graph")
        if fmt is None:
            return _reply(406, "the service description is available as "
                          + ", ".join(sorted(set(GRAPH_TYPES))))
        endpoint = str(request.url.replace(query=""))
        body = service_description(endpoint, info["named_graphs"], allow_service).encode()
        if fmt != "turtle":
            import pyoxigraph as ox

            triples = ox.parse(body, format=ox.RdfFormat.TURTLE)
            body = ox.serialize(triples, format={
                "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
                "rdfxml": ox.RdfFormat.RDF_XML}[fmt])
        return Reply(200, CONTENT_TYPE[fmt], body)

    async def index(request):
        return HTMLResponse(render_index(data_dir, prefixes, info))

    def download(name: str, media_type: str):
        async def handler(request):
            path = data_dir / name
            if not path.is_file():
                return _text(404, f"{name} is not in {data_dir}: run `kg build`")
            return FileResponse(path, media_type=media_type, filename=name)
        return handler

    routes = [
        Route("/", index),
        vocabulary_route(Settings().ontology_dir / "hankegraph.ttl", prefixes, store),
        Route(f"/data/{TTL_NAME}", download(TTL_NAME, "text/turtle; charset=utf-8")),
        Route(f"/data/{TRIG_NAME}", download(TRIG_NAME, "application/trig; charset=utf-8")),
        Mount("/static", _static(directory=STATIC)),
        Mount("/yasgui", _static(directory=YASGUI_BUILD, check_dir=False)),
        Mount("/visualisations", _static(directory=VISUALISATIONS, check_dir=False)),
        Mount("/ontology", _static(directory=ONTOLOGY, check_dir=False)),
        # every entity's IRI path: its page (HTML, Turtle, JSON-LD; issue 16)
        Route("/entities", index_page(store, base_iri)),
        Route("/{path:path}", entity_page(store, base_iri)),
    ]
    return Site(sparql, Starlette(routes=routes))


def render_index(data_dir: Path, prefixes: dict[str, str], info: dict) -> str:
    """The editor page: YASGUI with one tab per queries/*.rq, and the links."""
    tabs = [{"name": p.stem, "query": p.read_text(encoding="utf-8")}
            for p in sorted(QUERIES.glob("*.rq"))]
    links = [(f"/data/{n}", n) for n in (TTL_NAME, TRIG_NAME) if (data_dir / n).is_file()]
    pages = [(f"/visualisations/{p.name}", p.stem.replace("_", " "))
             for p in sorted(VISUALISATIONS.glob("*.html"))] if VISUALISATIONS.is_dir() else []
    if (ONTOLOGY / "hankegraph.html").is_file():
        pages.append(("/ontology/hankegraph.html", "ontology"))
    config = {"endpoint": "/sparql", "tabs": tabs, "prefixes": prefixes,
              "vocabulary": EDITOR_VOCABULARY,  # what the editor completes (kg/serve/editor.py)
              "base": Settings().base_iri}  # entity IRIs link to their pages here

    def items(pairs):
        return " · ".join(f'<a href="{html.escape(h)}">{html.escape(t)}</a>' for h, t in pairs)

    page = (STATIC / "index.html").read_text(encoding="utf-8")
    return (page.replace("{{downloads}}", items(links) or "none yet: run <code>kg build</code>")
            .replace("{{pages}}", items(pages) or "none yet")
            .replace("{{triples}}", f"{info['triples']:,}".replace(",", " "))
            .replace("{{graphs}}", str(len(info["named_graphs"])))
            # "</" cannot end the script element early: JSON allows "<\/"
            .replace("{{config}}", json.dumps(config, ensure_ascii=False).replace("</", "<\\/")))
