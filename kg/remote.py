"""Remote stores, for graphs that outgrow one laptop: push the dataset into any
SPARQL 1.1 Graph Store Protocol store, and query any SPARQL endpoint.

`push` writes one named graph per document with HTTP PUT, which replaces that
graph's old version, and (unless told not to) the union of all graphs as a set
into the default graph, so that the same queries give the same answers there as
in `kg query` and `kg serve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.store import dataset_file


class RemoteError(RuntimeError):
    pass


@dataclass(frozen=True)
class PushReport:
    graphs: int
    triples: int
    endpoint: str

    def summary(self) -> str:
        return f"pushed {self.graphs} graphs ({self.triples} triples) to {self.endpoint}"


def _auth(user: str | None, password: str | None, digest: bool):
    if not user:
        return None
    import requests.auth

    cls = requests.auth.HTTPDigestAuth if digest else requests.auth.HTTPBasicAuth
    return cls(user, password or "")


def push(data: str | Path, endpoint: str, *, default_graph: bool = True,
         user: str | None = None, password: str | None = None, digest: bool = False,
         timeout: float = 300.0) -> PushReport:
    """PUT each named graph of the dataset's TriG to `endpoint?graph=IRI`."""
    import pyoxigraph as ox
    import requests

    source = dataset_file(data)
    if source.suffix != ".trig":
        raise RemoteError(f"{source}: push needs the TriG file (one graph per document); "
                          "run `kg build` or pass --data DIR/hankegraph.trig")
    graphs: dict[str, list] = {}
    try:
        for quad in ox.parse(path=str(source), format=ox.RdfFormat.TRIG):
            graphs.setdefault(quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode)
                              else "", []).append(quad.triple)
    except SyntaxError as e:
        raise RemoteError(f"{source}: not valid TriG: {e}") from e
    union = {t for triples in graphs.values() for t in triples}
    uploads = [({"graph": g}, triples) for g, triples in sorted(graphs.items()) if g]
    if default_graph:
        uploads.append(({"default": ""}, sorted(union, key=str)))
    session = requests.Session()
    session.auth = _auth(user, password, digest)
    for params, triples in uploads:
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        name = params.get("graph", "the default graph")
        try:
            r = session.put(endpoint, params=params, data=body, timeout=timeout,
                            headers={"Content-Type": "application/n-triples"})
        except requests.RequestException as e:
            raise RemoteError(f"{endpoint}: cannot reach the store ({e})") from e
        if r.status_code >= 300:
            raise RemoteError(f"{endpoint}: writing {name} failed with HTTP {r.status_code}: "
                              f"{r.text.strip()[:500]}")
    return PushReport(sum(1 for g in graphs if g), len(union), endpoint)


def query_endpoint(endpoint: str, query: str, *, user: str | None = None,
                   password: str | None = None, timeout: float = 300.0):
    """Any query on any SPARQL endpoint, through SPARQLWrapper. The answer is read
    with pyoxigraph, as a local store's: QuerySolutions or QueryBoolean for SELECT
    and ASK (asked as SPARQL JSON), a list of triples for CONSTRUCT and DESCRIBE
    (asked as Turtle)."""
    from urllib.error import HTTPError, URLError

    import pyoxigraph as ox
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    sparql = SPARQLWrapper(endpoint)
    sparql.setMethod(POST)
    sparql.setQuery(query)
    graph = sparql.queryType in ("CONSTRUCT", "DESCRIBE")
    sparql.setReturnFormat(TURTLE if graph else JSON)
    sparql.setTimeout(int(timeout))
    if user:
        sparql.setCredentials(user, password or "")
    try:
        answer = sparql.query()
        body = answer.response.read()
        media = (answer.info().get("content-type") or "").split(";")[0].strip()
    except SPARQLWrapperException as e:
        raise RemoteError(f"{endpoint}: {' '.join(str(e).split())}") from e
    except (HTTPError, URLError, OSError) as e:
        raise RemoteError(f"{endpoint}: {e}") from e
    try:
        if graph:
            fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
            return list(ox.parse(body, format=fmt))
        fmt = ox.QueryResultsFormat.from_media_type(media) or ox.QueryResultsFormat.JSON
        return ox.parse_query_results(body, format=fmt)
    except (SyntaxError, ValueError) as e:
        raise RemoteError(f"{endpoint}: the answer ({media or 'no Content-Type'}) is not "
                          f"what was asked for: {' '.join(str(e).split())[:300]}") from e
