"""Each entity's IRI path answers on ``kg serve`` (``/municipality/297``,
``/organisation/…``, ``/project/…``), as Linked Data servers do: HTML for a
browser, Turtle, N-Triples, JSON-LD or RDF/XML for a machine, by the request's
``Accept`` header (or ``?format=turtle|ntriples|jsonld|rdfxml``). The pages
come from kg.pages, the same as ``kg site`` writes.
"""

from __future__ import annotations

from urllib.parse import quote

from kg.serve.formats import CONTENT_TYPE, GRAPH_TYPES, negotiate, parse_accept

HTML_TYPES = ("text/html", "application/xhtml+xml")
FORMATS = {"turtle", "ntriples", "jsonld", "rdfxml"}


def wants(accept: str | None) -> str | None:
    """"html", a graph format name, or None (nothing acceptable: 406). A browser,
    and a client that accepts anything, get HTML."""
    for mrange, q in parse_accept(accept):
        if q <= 0:
            continue
        if mrange in HTML_TYPES or mrange in ("*/*", "text/*"):
            return "html"
        if mrange in GRAPH_TYPES or mrange.endswith("/*"):
            return negotiate(accept, "graph")
    return None


def entity_page(store, base: str):
    """The Starlette endpoint for every path that is not another route's."""
    from starlette.responses import HTMLResponse, PlainTextResponse, Response

    from kg.pages import NotFound, describe, render_html, serialize

    async def endpoint(request):
        path = request.url.path
        iri = base.rstrip("/") + quote(path, safe="/%:@!$&'()*+,;=-._~")
        fmt = request.query_params.get("format") or wants(request.headers.get("accept"))
        if fmt is None or (fmt != "html" and fmt not in FORMATS):
            return PlainTextResponse(
                f"{path}: available as text/html, " + ", ".join(sorted(set(GRAPH_TYPES)))
                + " (or ?format=turtle|ntriples|jsonld|rdfxml)\n", status_code=406)
        headers = {"Vary": "Accept", "Link": f'<{iri}>; rel="canonical"'}
        try:
            if fmt == "html":
                entity = describe(store, iri)
                page = render_html(entity, lambda other: local(other, base), "/entities",
                                   {CONTENT_TYPE[f].split(";")[0]: f"{path}?format={f}"
                                    for f in ("turtle", "jsonld")})
                return HTMLResponse(page, headers=headers)
            return Response(serialize(store, iri, fmt), media_type=CONTENT_TYPE[fmt],
                            headers=headers)
        except NotFound:
            return PlainTextResponse(f"{path}: no entity of this dataset has the IRI {iri}\n",
                                     status_code=404)

    return endpoint


def local(iri: str, base: str) -> str | None:
    """The path of an entity's page on this server, or None for an outside IRI."""
    if not iri.startswith(base):
        return None
    return "/" + iri[len(base):].lstrip("/")


def index_page(store, base: str):
    """/entities: every entity with a page, by class, with a search box."""
    from starlette.responses import HTMLResponse

    from kg.pages import entities, render_index

    async def endpoint(request):
        items = [e for e in entities(store) if e[0].startswith(base)]
        return HTMLResponse(render_index(items, lambda i: local(i, base)))

    return endpoint
