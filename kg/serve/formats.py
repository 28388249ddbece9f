"""Media types of SPARQL results and RDF graphs, and HTTP content negotiation.

Pure functions on strings: the web layer and the query workers both use them,
and neither needs pyoxigraph to decide what a client asked for.
"""

from __future__ import annotations

import functools

# media type → short format name, in the order of preference when the client
# accepts anything (the first is the default).
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "text/plain": "ntriples",
    "application/x-turtle": "turtle",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
}
# the media type a response carries for each format
CONTENT_TYPE = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """`Accept` as (media range, q) pairs, best first; a missing header accepts anything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        mtype = fields[0].lower()
        if not mtype:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        # more specific ranges win ties (text/csv over text/* over */*), then header order
        specificity = 0 if mtype == "*/*" else 1 if mtype.endswith("/*") else 2
        ranges.append((mtype, q, specificity, -i))
    ranges.sort(key=lambda r: (r[1], r[2], r[3]), reverse=True)
    return [(m, q) for m, q, _, _ in ranges]


# clients send the same few, short Accept headers: those are remembered; a long
# one (up to the request head's 64 KB) is worked out each time, so that the cache
# holds at most 512 short strings, not 512 × 64 KB
CACHED_ACCEPT = 512


def negotiate(accept: str | None, kind: str) -> str | None:
    """The format name to answer with for a result of `kind` ("results" for SELECT
    and ASK, "graph" for CONSTRUCT and DESCRIBE), or None when nothing the client
    accepts can be produced (HTTP 406)."""
    if accept is not None and len(accept) > CACHED_ACCEPT:
        return _negotiate(accept, kind)
    return _negotiate_cached(accept, kind)


def _negotiate(accept: str | None, kind: str) -> str | None:
    offered = RESULT_TYPES if kind == "results" else GRAPH_TYPES
    refused = {m for m, q in parse_accept(accept) if q <= 0}
    for mrange, q in parse_accept(accept):
        if q <= 0:
            continue
        if mrange in offered:
            return offered[mrange]
        if mrange.endswith("/*"):
            major = mrange[:-1]
            for mtype, name in offered.items():
                if (major == "*/" or mtype.startswith(major)) and mtype not in refused:
                    return name
    return None


_negotiate_cached = functools.lru_cache(maxsize=512)(_negotiate)
