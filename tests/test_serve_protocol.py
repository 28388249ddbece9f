"""The protocol's pure parts: content negotiation, request parsing, refusals."""

from __future__ import annotations

import pytest

from kg.serve.formats import negotiate
from kg.serve.protocol import Refused, check_query, parse_request


@pytest.mark.parametrize("accept,kind,expected", [
    (None, "results", "json"),
    ("*/*", "graph", "turtle"),
    ("text/csv", "results", "csv"),
    ("text/tab-separated-values;q=0.9, text/csv;q=0.5", "results", "tsv"),
    ("application/sparql-results+xml, */*;q=0.1", "results", "xml"),
    ("text/*", "results", "csv"),
    ("application/n-triples", "graph", "ntriples"),
    ("application/ld+json", "graph", "jsonld"),
    ("application/rdf+xml;q=1, text/turtle;q=0.2", "graph", "rdfxml"),
    ("text/html", "results", None),
    ("text/csv;q=0", "results", None),
    ("text/*, text/csv;q=0", "results", "tsv"),
])
def test_negotiate(accept, kind, expected):
    assert negotiate(accept, kind) == expected


def test_parse_request_shapes():
    r = parse_request("GET", None, "query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fa&"
                      "named-graph-uri=http%3A%2F%2Fb&named-graph-uri=http%3A%2F%2Fc", b"")
    assert (r.query, r.default_graphs, r.named_graphs) == ("ASK{}", ("http://a",),
                                                           ("http://b", "http://c"))
    r = parse_request("POST", "application/x-www-form-urlencoded; charset=UTF-8", "",
                      b"query=SELECT+%2A+%7B%7D")
    assert r.query == "SELECT * {}"
    r = parse_request("POST", "application/sparql-query", "default-graph-uri=http%3A%2F%2Fa",
                      "SELECT ?ä {}".encode())
    assert (r.query, r.default_graphs) == ("SELECT ?ä {}", ("http://a",))
    assert parse_request("GET", None, "", b"").query is None  # the service description


@pytest.mark.parametrize("method,ctype,params,body,status", [
    ("POST", "application/sparql-update", "", b"CLEAR ALL", 403),
    ("POST", "application/x-www-form-urlencoded", "", b"update=CLEAR+ALL", 403),
    ("POST", "text/plain", "", b"ASK {}", 415),
    ("GET", None, "query=ASK%7B%7D&query=ASK%7B%7D", b"", 400),
    ("GET", None, "query=+", b"", 400),
    ("PUT", None, "", b"", 405),
])
def test_parse_request_refusals(method, ctype, params, body, status):
    with pytest.raises(Refused) as e:
        parse_request(method, ctype, params, body)
    assert e.value.status == status


@pytest.mark.parametrize("query", [
    "INSERT DATA { <a:b> <a:c> <a:d> }",
    "PREFIX x: <http://x/> # note\n DELETE WHERE { ?s x:p ?o }",
    "BASE <http://x/> drop all",
    "LOAD <http://example.org/data.ttl>",
])
def test_updates_are_refused(query):
    with pytest.raises(Refused) as e:
        check_query(query, allow_service=True)
    assert e.value.status == 403


def test_service_only_outside_strings_iris_and_comments():
    with pytest.raises(Refused):
        check_query("SELECT * { service <http://x/sparql> { ?s ?p ?o } }", allow_service=False)
    check_query("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", allow_service=True)
    check_query('SELECT * { ?s <http://x/SERVICE> "SERVICE" } # SERVICE\n', allow_service=False)
    check_query('SELECT ?insert { ?s ?p ?insert }', allow_service=False)



def test_many_prefixes_are_checked_at_once():
    """The update check once backtracked exponentially in the number of PREFIX lines
    (40 s at four), before the query and its timeout. A regex holds the GIL, so the
    check runs in a subprocess, bounded at 30 s (it takes a millisecond)."""
    import subprocess
    import sys

    script = """
from kg.serve.protocol import Refused, check_query
prologue = "".join(f"PREFIX p{i}: <https://example.org/namespace/number/{i}#>\\n"
                   for i in range(30))
# ?insert: a query with none of the keywords skips the regexes altogether
check_query(prologue + "SELECT ?insert { ?s p1:x ?insert }", allow_service=False)
try:
    check_query(prologue + "BASE <http://x/>\\nINSERT DATA { <a:b> <a:c> <a:d> }", False)
except Refused as e:
    print(e.status)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "403"
