"""The web application: /sparql (the protocol), / (the query editor), and the
files a researcher downloads or browses (dataset, network pages, ontology)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from kg.graph.io import TRIG_NAME, TTL_NAME
from kg.serve.engine import Job, QueryRunner, QueryTimeout
from kg.serve.formats import CONTENT_TYPE, GRAPH_TYPES, negotiate
from kg.serve.protocol import Refused, check_query, parse_request, service_description
from kg.settings import REPO_ROOT

STATIC = Path(__file__).parent / "static"
YASGUI_BUILD = REPO_ROOT / "node_modules" / "@zazuko" / "yasgui" / "build"
VISUALISATIONS = REPO_ROOT / "visualisations"
ONTOLOGY = REPO_ROOT / "ontology"
QUERIES = REPO_ROOT / "queries"


def _text(status: int, message: str, headers: dict[str, str] | None = None):
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


TEXT = "text/plain; charset=utf-8"


async def _respond(send, status: int, content_type: str, body: bytes,
                   close: bool = False) -> None:
    headers = [(b"content-type", content_type.encode("latin-1")),
               (b"content-length", str(len(body)).encode("latin-1"))]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _ClientGone(Exception):
    pass


def create_app(runner: QueryRunner, info: dict, *, data_dir: Path, prefixes: dict[str, str],
               timeout: float, max_rows: int, max_request_bytes: int, allow_service: bool):
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    too_large = (f"the request body is larger than {max_request_bytes} bytes, the server's "
                 "limit (kg serve --max-request-bytes)")

    async def read_body(receive, declared: str | None) -> bytes:
        if declared and declared.isdigit() and int(declared) > max_request_bytes:
            raise Refused(413, too_large)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_request_bytes:
                raise Refused(413, too_large)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def sparql(scope, receive, send) -> None:
        """/sparql as a plain ASGI application: every query goes through here, so
        it skips Starlette's routing and middleware (a tenth of a millisecond per
        request, measured), and Starlette serves the rest."""
        # the first of repeated headers, as Starlette's Request.headers gives it
        headers = {k: v for k, v in reversed(scope["headers"])}
        accept = headers.get(b"accept")
        accept = accept.decode("latin-1") if accept is not None else None
        method = scope["method"]
        try:
            query_string = scope["query_string"].decode("latin-1")
            if len(query_string) > max_request_bytes:
                raise Refused(414, "the query string is too long: POST the query instead")
            body = b""
            if method == "POST":
                declared = headers.get(b"content-length")
                body = await read_body(receive, declared and declared.decode("latin-1"))
            ctype = headers.get(b"content-type")
            req = parse_request(method, ctype and ctype.decode("latin-1"), query_string, body)
            if req.query is None:
                await describe_service(Request(scope, receive))(scope, receive, send)
                return
            check_query(req.query, allow_service)
        except Refused as e:
            await _respond(send, e.status, TEXT, (e.message.rstrip() + "\n").encode())
            return
        except _ClientGone:
            return
        job = Job(req.query, accept, req.default_graphs, req.named_graphs, prefixes, max_rows)
        try:
            answer = await runner.run(job, timeout)
        except QueryTimeout as e:
            # this worker is retiring: the client's next request goes to another
            await _respond(send, 503, TEXT, (
                f"query stopped after {timeout:g} s ({e}; the server's limit, "
                "kg serve --timeout)\n").encode(), close=True)
            return
        await _respond(send, answer.status, answer.content_type, answer.body)

    def describe_service(request):
        fmt = negotiate(request.headers.get("accept"), "graph")
        if fmt is None:
            return _text(406, "the service description is available as "
                         + ", ".join(sorted(set(GRAPH_TYPES))))
        endpoint = str(request.url.replace(query=""))
        body = service_description(endpoint, info["named_graphs"], allow_service).encode()
        if fmt != "turtle":
            import pyoxigraph as ox

            triples = ox.parse(body, format=ox.RdfFormat.TURTLE)
            body = ox.serialize(triples, format={
                "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
                "rdfxml": ox.RdfFormat.RDF_XML}[fmt])
        return Response(body, media_type=CONTENT_TYPE[fmt])

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
        # other methods (HEAD, PUT, …) on /sparql: Starlette answers 405, or the
        # protocol layer does (HEAD: "use GET or POST")
        Route("/sparql", _Asgi(sparql), methods=["GET", "POST"]),
        Route(f"/data/{TTL_NAME}", download(TTL_NAME, "text/turtle; charset=utf-8")),
        Route(f"/data/{TRIG_NAME}", download(TRIG_NAME, "application/trig; charset=utf-8")),
        Mount("/static", StaticFiles(directory=STATIC)),
        Mount("/yasgui", StaticFiles(directory=YASGUI_BUILD, check_dir=False)),
        Mount("/visualisations", StaticFiles(directory=VISUALISATIONS, check_dir=False)),
        Mount("/ontology", StaticFiles(directory=ONTOLOGY, check_dir=False)),
    ]
    site = Starlette(routes=routes)

    async def app(scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] == "/sparql" and scope["method"] in (
                "GET", "POST"):
            await sparql(scope, receive, send)
        else:
            await site(scope, receive, send)

    return app


class _Asgi:
    """A plain ASGI function as a Starlette endpoint (Starlette wraps plain
    functions as request handlers, but calls other callables as applications)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


def render_index(data_dir: Path, prefixes: dict[str, str], info: dict) -> str:
    """The editor page: YASGUI with one tab per queries/*.rq, and the links."""
    tabs = [{"name": p.stem, "query": p.read_text(encoding="utf-8")}
            for p in sorted(QUERIES.glob("*.rq"))]
    links = [(f"/data/{n}", n) for n in (TTL_NAME, TRIG_NAME) if (data_dir / n).is_file()]
    pages = [(f"/visualisations/{p.name}", p.stem.replace("_", " "))
             for p in sorted(VISUALISATIONS.glob("*.html"))] if VISUALISATIONS.is_dir() else []
    if (ONTOLOGY / "hankegraph.html").is_file():
        pages.append(("/ontology/hankegraph.html", "ontology"))
    config = {"endpoint": "/sparql", "tabs": tabs, "prefixes": prefixes}

    def items(pairs):
        return " · ".join(f'<a href="{html.escape(h)}">{html.escape(t)}</a>' for h, t in pairs)

    page = (STATIC / "index.html").read_text(encoding="utf-8")
    return (page.replace("{{downloads}}", items(links) or "none yet: run <code>kg build</code>")
            .replace("{{pages}}", items(pages) or "none yet")
            .replace("{{triples}}", f"{info['triples']:,}".replace(",", " "))
            .replace("{{graphs}}", str(len(info["named_graphs"])))
            # "</" cannot end the script element early: JSON allows "<\/"
            .replace("{{config}}", json.dumps(config, ensure_ascii=False).replace("</", "<\\/")))
