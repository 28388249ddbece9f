"""The web application: /sparql (the protocol), / (the query editor), and the
files a researcher downloads or browses (dataset, network pages, ontology).

One Starlette application, served by uvicorn in each worker process
(kg.serve.server). A query runs in a thread of the worker's query pool
(pyoxigraph releases the GIL while it evaluates), watched by the event loop: when
it outlives its timeout the client is answered 503 and the worker retires
(kg.serve.workers), which ends the runaway query with the process."""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kg.graph.io import TRIG_NAME, TTL_NAME
from kg.serve.editor import PATH as EDITOR_VOCABULARY
from kg.serve.editor import vocabulary_route
from kg.serve.engine import Answer, Job, error, execute
from kg.serve.formats import CONTENT_TYPE, GRAPH_TYPES, negotiate
from kg.serve.protocol import Refused, check_query, parse_request, service_description
from kg.settings import Settings, packaged

STATIC = Path(__file__).parent / "static"
QUERIES = packaged("queries")


def yasgui_dir() -> Path:
    """The query editor's built assets (yasgui.min.js, yasgui.min.css): shipped in
    the package (`kg/resources/yasgui`, in the repository a link to the npm build
    in node_modules, which scripts/setup.sh installs; a wheel holds a copy). The
    one place that knows where they are."""
    return packaged("yasgui")


TEXT = "text/plain; charset=utf-8"
QUERY_THREADS = 64  # queries run at once by one worker; more wait for a thread


def _text(status: int, message: str, headers: dict[str, str] | None = None):
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


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


def pages_for(data_dir: Path) -> Path | None:
    """The network pages drawn from the dataset in `data_dir`: a `visualisations`
    folder beside it, or, for a project's `data/ttl`, the project's own (as `kg
    build` and `kg visualise` lay them out). None when there are none: another
    dataset's pages are never shown for this one."""
    data_dir = Path(data_dir).resolve()
    candidates = [data_dir / "visualisations"]
    if data_dir.name == "ttl" and data_dir.parent.name == "data":
        candidates.append(data_dir.parent.parent / "visualisations")
    return next((c for c in candidates if any(c.glob("*.html"))), None)


class AccessLog:
    """One line per request at INFO on the `kg.serve.access` logger: method, path
    (never the query string, which holds the query), status, time and bytes sent."""

    def __init__(self, app):
        import logging

        self.app = app
        self.log = logging.getLogger("kg.serve.access")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        import time

        t0 = time.perf_counter()
        seen = {"status": 0, "bytes": 0}

        async def counting(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                seen["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            self.log.info("%s %s %d %.1f ms %d B", scope["method"], scope["path"],
                          seen["status"] or 500, (time.perf_counter() - t0) * 1000,
                          seen["bytes"])


def _in_thread(endpoint):
    """An endpoint that awaits nothing (it queries the store and renders) run in a
    thread, so that a large page does not hold up the worker's event loop and the
    other connections it serves."""
    from starlette.concurrency import run_in_threadpool

    def finish(request):
        coroutine = endpoint(request)
        try:
            coroutine.send(None)
        except StopIteration as done:
            return done.value
        coroutine.close()
        raise RuntimeError(f"{endpoint.__qualname__} awaited something: run it in the loop")

    async def wrapped(request):
        return await run_in_threadpool(finish, request)

    return wrapped


def create_app(store, info: dict, *, data_dir: Path, prefixes: dict[str, str], timeout: float,
               max_rows: int, max_request_bytes: int, allow_service: bool,
               max_response_bytes: int = 50_000_000,
               retire: Callable[[], None] = lambda: None, cors: tuple[str, ...] = (),
               gzip: bool = True, settings: Settings | None = None):
    """The ASGI application of one worker. `retire()` is called (in the event
    loop) when a query outlived `timeout`: the worker must stop and exit.
    `cors`: the origins whose pages may query it (`*`: any)."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.requests import ClientDisconnect
    from starlette.requests import Request as StarletteRequest
    from starlette.responses import FileResponse, HTMLResponse, Response
    from starlette.routing import Mount, Route

    from kg.serve.entity_pages import entity_page, index_page

    settings = settings or Settings()
    base_iri = settings.base_iri
    pool = ThreadPoolExecutor(QUERY_THREADS, thread_name_prefix="kg-query")
    late = (f"query stopped after {timeout:g} s (it ran too long; the server's limit, "
            "kg serve --timeout)")

    def run(job: Job) -> Answer:
        # the check parses the query: however long that takes, it counts against the
        # timeout like the query itself
        try:
            check_query(job.query, allow_service)
            return execute(store, job)
        except Refused as e:
            return error(e.status, e.message)

    class Sparql:  # an ASGI app, not a function: Starlette routes every method to it
        async def __call__(self, scope, receive, send):
            response = await answer(StarletteRequest(scope, receive))
            await response(scope, receive, send)

    async def answer(request) -> Response:
        method = request.method
        if method not in ("GET", "HEAD", "POST"):
            return _text(405, "use GET or POST", {"Allow": "GET, HEAD, POST"})
        try:
            query_string = request.scope["query_string"].decode("latin-1")
            if len(query_string) > max_request_bytes:
                raise Refused(414, "the query string is too long: POST the query instead")
            try:
                body = await request.body() if method == "POST" else b""
            except ClientDisconnect:  # or cut by the server (kg.serve.server): never seen
                return _text(400, "the request body did not arrive")
            req = parse_request(method, request.headers.get("content-type"), query_string,
                                body)
            if req.query is None:
                return describe_service(request)
        except Refused as e:
            return _text(e.status, e.message)
        job = Job(req.query, request.headers.get("accept"), req.default_graphs,
                  req.named_graphs, prefixes, max_rows, max_response_bytes)
        running = pool.submit(run, job)
        try:
            done = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(running)),
                                          timeout)
        except TimeoutError:
            if not running.cancel():  # it runs and cannot be stopped: the worker retires
                retire()
            return _text(503, late, {"Connection": "close"})
        return Response(done.body, status_code=done.status, media_type=done.content_type)

    def describe_service(request) -> Response:
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

    pages = pages_for(data_dir)

    async def index(request):
        return HTMLResponse(render_index(data_dir, prefixes, info, pages, settings))

    descriptions: dict[str, bytes] = {}

    async def void(request):
        """The dataset's VoID/DCAT description: the one `kg export` wrote beside
        the dataset, else made from the served dataset (once per worker)."""
        from starlette.concurrency import run_in_threadpool

        fmt = negotiate(request.headers.get("accept"), "graph")
        if fmt is None:
            return _text(406, "the description is available as "
                         + ", ".join(sorted(set(GRAPH_TYPES))))
        endpoint = str(request.url_for("sparql"))
        if endpoint not in descriptions:
            try:
                descriptions[endpoint] = await run_in_threadpool(
                    describe_dataset, data_dir, endpoint, endpoint.rsplit("/", 1)[0] + "/data/",
                    settings)
            except (OSError, ValueError) as e:
                return _text(404, f"no description of the dataset: {e}")
        body = descriptions[endpoint]
        if fmt != "turtle":
            import pyoxigraph as ox

            body = ox.serialize(ox.parse(body, format=ox.RdfFormat.TURTLE), format={
                "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
                "rdfxml": ox.RdfFormat.RDF_XML}[fmt])
        return Response(body, media_type=CONTENT_TYPE[fmt])

    def download(name: str, media_type: str):
        async def handler(request):
            path = data_dir / name
            if not path.is_file():
                return _text(404, f"{name} is not in {data_dir}: run `kg build`")
            return FileResponse(path, media_type=media_type, filename=name)
        return handler

    routes = [
        Route("/", index),
        vocabulary_route(settings.ontology_dir / "hankegraph.ttl", prefixes, store),
        # an ASGI endpoint: every method reaches it (405 with Allow, not the entity pages)
        Route("/sparql", Sparql(), name="sparql"),
        Route("/void", void),
        Route(f"/data/{TTL_NAME}", download(TTL_NAME, "text/turtle; charset=utf-8")),
        Route(f"/data/{TRIG_NAME}", download(TRIG_NAME, "application/trig; charset=utf-8")),
        Mount("/static", _static(directory=STATIC)),
        Mount("/yasgui", _static(directory=yasgui_dir(), check_dir=False)),
        *([Mount("/visualisations", _static(directory=pages))] if pages else []),
        Mount("/ontology", _static(directory=settings.ontology_dir, check_dir=False)),
        # every entity's IRI path: its page (HTML, Turtle, JSON-LD; issue 16)
        Route("/entities", _in_thread(index_page(store, base_iri))),
        Route("/{path:path}", _in_thread(entity_page(store, base_iri))),
    ]
    middleware = [Middleware(AccessLog)]
    if cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(cors),
                                     allow_methods=["GET", "HEAD", "POST"],
                                     allow_headers=["Accept", "Content-Type"], max_age=3600))
    if gzip:  # when the client accepts it, and not for small answers
        middleware.append(Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6))
    return Starlette(routes=routes, middleware=middleware)


def describe_dataset(data_dir: Path, endpoint: str, download_url: str,
                     settings: Settings | None = None) -> bytes:
    """The VoID/DCAT Turtle `kg export` wrote beside the dataset, or one made now
    from the dataset's TriG, with this endpoint and its /data/ downloads."""
    from kg.export import DESCRIPTION_NAME

    written = Path(data_dir) / DESCRIPTION_NAME
    if written.is_file():
        return written.read_bytes()
    from kg.export import ExportOptions, describe, load_dataset, redact_dataset, union_graph

    union = union_graph(redact_dataset(load_dataset(data_dir)))
    files = {name: (Path(data_dir) / name).read_bytes() for name in (TTL_NAME, TRIG_NAME)
             if (Path(data_dir) / name).is_file()}
    options = ExportOptions(endpoint=endpoint, download_url=download_url)
    return describe(union, files, options, settings or Settings()).serialize(format="turtle",
                                                                 encoding="utf-8")


def render_index(data_dir: Path, prefixes: dict[str, str], info: dict,
                 pages_dir: Path | None = None, settings: Settings | None = None) -> str:
    """The editor page: YASGUI with one tab per queries/*.rq, and the links."""
    tabs = [{"name": p.stem, "query": p.read_text(encoding="utf-8")}
            for p in sorted(QUERIES.glob("*.rq"))]
    links = [(f"/data/{n}", n) for n in (TTL_NAME, TRIG_NAME) if (data_dir / n).is_file()]
    links.append(("/void", "description (VoID/DCAT)"))
    pages = [(f"/visualisations/{p.name}", p.stem.replace("_", " "))
             for p in sorted(pages_dir.glob("*.html"))] if pages_dir else []
    settings = settings or Settings()
    if (settings.ontology_dir / "hankegraph.html").is_file():
        ontology = [("/ontology/hankegraph.html", "ontology")]
    else:
        ontology = []
    config = {"endpoint": "/sparql", "tabs": tabs, "prefixes": prefixes,
              "vocabulary": EDITOR_VOCABULARY,  # what the editor completes (kg/serve/editor.py)
              "base": settings.base_iri}  # entity IRIs link to their pages here

    def items(pairs):
        return " · ".join(f'<a href="{html.escape(h)}">{html.escape(t)}</a>' for h, t in pairs)

    page = (STATIC / "index.html").read_text(encoding="utf-8")
    return (page.replace("{{downloads}}", items(links) or "none yet: run <code>kg build</code>")
            .replace("{{pages}}", (items(pages) or "none for this dataset (<code>kg visualise "
                     "--data DATA --out DATA_FOLDER/visualisations</code> draws them beside it)")
                     + (" · " + items(ontology) if ontology else ""))
            .replace("{{triples}}", f"{info['triples']:,}".replace(",", " "))
            .replace("{{graphs}}", str(len(info["named_graphs"])))
            # "</" cannot end the script element early: JSON allows "<\/"
            .replace("{{config}}", json.dumps(config, ensure_ascii=False).replace("</", "<\\/")))
