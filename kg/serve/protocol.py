"""The SPARQL 1.1 Protocol's request side, as pure functions: which query a request
carries, over which graphs, and what the server refuses before running it."""

from __future__ import annotations

import re
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
    elif method != "GET":
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


# Strings, IRIs and comments are blanked before looking for keywords, so that a
# label containing "SERVICE" or an IRI ending in #delete trips nothing.
_OPAQUE = re.compile(r'''
    '{3}.*?'{3} | "{3}.*?"{3}                      # long strings
  | '(?:[^'\\\n]|\\.)*' | "(?:[^"\\\n]|\\.)*"     # strings
  | <[^<>"{}|^`\\\x00-\x20]*>                     # IRIs
  | \#[^\n]*                                      # comments
''', re.S | re.X)
# Each piece of white space can be matched in one way only: with nested `\s*`
# that could share a run of blanks (the IRIs are blanked), a failed match
# backtracked exponentially in the number of PREFIX lines (seconds at three).
_PROLOGUE = r"\s*(?:(?:BASE|PREFIX\s*[A-Za-z0-9_.\-]*:)\s*)*"
_UPDATE = re.compile(_PROLOGUE + r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
                     re.I)
_SERVICE = re.compile(r"\bSERVICE\b", re.I)
# every word that _UPDATE or _SERVICE looks for: a query that contains none of
# them (the usual case) needs no blanking, which takes 20 µs a request
_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
             "WITH", "SERVICE")


def _blank(query: str) -> str:
    return _OPAQUE.sub(lambda m: " " * len(m.group()), query)


def check_query(query: str, allow_service: bool) -> None:
    """Refuse updates sent as queries, and federation unless the server allows it."""
    upper = query.upper()
    if not any(k in upper for k in _KEYWORDS):
        return
    text = _blank(query)
    if _UPDATE.match(text):
        raise Refused(403, READ_ONLY)
    if not allow_service and _SERVICE.search(text):
        raise Refused(403, "SERVICE (federated query) is off on this endpoint: it would "
                      "make the server fetch from other hosts. Start it with "
                      "`kg serve --allow-service` to allow it.")


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
