"""The SPARQL 1.1 Protocol's request side, as pure functions: which query a request
carries, over which graphs, and what the server refuses before running it."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


class Refused(Exception):
    """A request the server will not run: HTTP status and a message for the person."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class QueryRequest:
    query: str | None  # None: a plain GET, answered with the service description
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


READ_ONLY = ("this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, …) "
             "is refused. Load data with `kg build`, or push it to a store with `kg push`.")


def parse_request(method: str, content_type: str | None, url_params: str,
                  body: bytes) -> QueryRequest:
    """The query and dataset of a protocol request (`url_params`: the raw query string)."""
    params = parse_qs(url_params, keep_blank_values=True)
    mtype = (content_type or "").split(";")[0].strip().lower()
    if method == "POST":
        if mtype == FORM:
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise Refused(400, "the form body is not UTF-8") from None
            for k, v in form.items():
                params.setdefault(k, []).extend(v)
        elif mtype == SPARQL_QUERY:
            try:
                params.setdefault("query", []).append(body.decode("utf-8"))
            except UnicodeDecodeError:
                raise Refused(400, "the query is not UTF-8") from None
        elif mtype == SPARQL_UPDATE:
            raise Refused(403, READ_ONLY)
        else:
            raise Refused(415, f"POST a query as {FORM} (query=…) or as {SPARQL_QUERY}, "
                          f"not as {mtype or 'a body without Content-Type'}")
    elif method not in ("GET", "HEAD"):  # HEAD: the headers GET would have
        raise Refused(405, "use GET or POST")
    if "update" in params:
        raise Refused(403, READ_ONLY)
    queries = params.get("query", [])
    if len(queries) > 1:
        raise Refused(400, "give one query, not several `query` parameters")
    query = queries[0] if queries else None
    if query is not None and not query.strip():
        raise Refused(400, "the query is empty")
    return QueryRequest(query, tuple(params.get("default-graph-uri", [])),
                        tuple(params.get("named-graph-uri", [])))


# Updates and SERVICE are found in the parsed query (rdflib's SPARQL grammar), never
# by patterns over the text: a pattern cannot know what is a string, an IRI, a
# comment or an escaped character in a prefixed name (`e:a\#` once hid a SERVICE
# from the regexes that blanked comments), and one that tries may backtrack for
# minutes. The parse runs under the query's timeout (kg.serve.app).
#
# A query whose text, once its \u escapes are expanded (as SPARQL does before
# parsing), does not contain the word cannot hold the keyword: only a query that
# mentions SERVICE is parsed as a query (rdflib takes 5-40 ms), and only one that
# mentions an update's word is tried as an update (a query fails that in about a
# millisecond; Oxigraph, which parses every query anyway, would refuse an update
# too, but with a syntax error rather than this endpoint's 403).
_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
                 "WITH")
SERVICE_OFF = ("SERVICE (federated query) is off on this endpoint: it would make the "
               "server fetch from other hosts. Start it with `kg serve --allow-service` "
               "to allow it.")
# rdflib's parser recurses deeply (about 40 frames for each nested bracket, and
# one level for each triple of a block): it parses in a thread of its own with a
# large (virtual, touched only as used) stack, under a raised recursion limit.
PARSE_STACK = 512 << 20
PARSE_RECURSION = 100_000
_stack_lock = threading.Lock()


def _parse(query: str, parser) -> tuple[object | None, str]:
    """(tree, "") or (None, the parser's message), parsed in a thread of its own."""
    done: list = [None, ""]

    def run() -> None:
        try:
            done[0] = parser(query)
        except RecursionError:
            done[1] = "the query is nested too deeply"
        except Exception as e:  # noqa: BLE001 - pyparsing's ParseException and its kin
            done[1] = str(e)

    if sys.getrecursionlimit() < PARSE_RECURSION:
        sys.setrecursionlimit(PARSE_RECURSION)
    with _stack_lock:
        before = threading.stack_size(PARSE_STACK)
        try:
            thread = threading.Thread(target=run, name="kg-parse", daemon=True)
            thread.start()
        finally:
            threading.stack_size(before)
    thread.join()
    return done[0], done[1]


def _services(tree) -> Iterator:
    """The SERVICE patterns of a parse tree, walked without recursion (trees nest deep)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                yield node
            stack.extend(dict.values(node))
        elif isinstance(node, (ParseResults, list, tuple)):
            stack.extend(node)


def check_query(query: str, allow_service: bool) -> None:
    """Refuse updates sent as queries, and federation unless the server allows it,
    from the query as rdflib's SPARQL parser reads it."""
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery, parseUpdate
    from rdflib.term import Variable

    try:
        upper = expandUnicodeEscapes(query).upper()
    except ValueError:  # an escape that is no character: Oxigraph says where
        upper = query.upper()
    if any(k in upper for k in _UPDATE_WORDS) and _parse(query, parseUpdate)[0] is not None:
        raise Refused(403, READ_ONLY)
    if "SERVICE" not in upper:
        return
    tree, problem = _parse(query, parseQuery)
    if tree is None:
        if not allow_service:
            raise Refused(400, "the query mentions SERVICE, and the server's check (rdflib's "
                          f"SPARQL parser) cannot read it, so it is refused: {problem}")
        return  # Oxigraph's parser has the last word
    for service in _services(tree):
        if not allow_service:
            raise Refused(403, SERVICE_OFF)
        if isinstance(service.get("term"), Variable):
            raise Refused(400, f"SERVICE ?{service['term']}: give the service's IRI; this "
                          "endpoint does not take the service from a variable")


def service_description(endpoint: str, named_graphs: list[str], federated: bool) -> str:
    """The SPARQL 1.1 Service Description of this endpoint, in Turtle."""
    graphs = "".join(
        f"""        sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ] ;\n""" for g in named_graphs)
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .

<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph{" , sd:BasicFederatedQuery" if federated else ""} ;
    sd:resultFormat formats:SPARQL_Results_JSON , formats:SPARQL_Results_XML ,
        formats:SPARQL_Results_CSV , formats:SPARQL_Results_TSV ,
        formats:Turtle , formats:N-Triples , formats:JSON-LD , formats:RDF_XML ;
    sd:defaultDataset [
        a sd:Dataset ;
        sd:defaultGraph [ a sd:Graph ] ;
{graphs}    ] .
"""
