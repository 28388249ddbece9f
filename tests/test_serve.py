"""`kg serve` through real HTTP clients (requests, SPARQLWrapper), in a subprocess.

Expected answers come from the same data queried in-process (kg.store), never
from today's extraction output."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests

from kg.settings import REPO_ROOT
from kg.store import open_store, select
from tests.servers import descendants, kg_serve

pytestmark = pytest.mark.server

DATA = REPO_ROOT / "data" / "ttl"
FIXTURE = Path(__file__).parent / "data" / "serve.trig"
FUNDERS = (REPO_ROOT / "queries" / "funders_of_projects.rq").read_text(encoding="utf-8")
# about a billion joined rows even on the small bundled graph: it runs until stopped
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HG = "https://w3id.org/hankegraph/"
TIMEOUT = 3


@pytest.fixture(scope="module")
def server():
    with kg_serve("--timeout", str(TIMEOUT), "--workers", "3", data=DATA) as (base, proc):
        yield base, proc


@pytest.fixture(scope="module")
def small():
    """The hand-written two-graph fixture, with a tiny row cap and request limit."""
    with kg_serve("--max-rows", "3", "--max-request-bytes", "2000", data=FIXTURE) as (base, _):
        yield base


@pytest.fixture(scope="module")
def expected_funders():
    return select(open_store(DATA), FUNDERS)


def _rows(body: bytes, fmt) -> list[list[str | None]]:
    import csv

    import pyoxigraph as ox

    if fmt == ox.QueryResultsFormat.CSV:  # lossy by design: pyoxigraph will not parse it
        return list(csv.reader(body.decode("utf-8").splitlines()))[1:]
    results = ox.parse_query_results(body, format=fmt)
    names = [v.value for v in results.variables]
    return [[None if s[n] is None else s[n].value for n in names] for s in results]


@pytest.mark.parametrize("accept,fmt_name,content_type", [
    ("application/sparql-results+json", "JSON", "application/sparql-results+json"),
    ("application/sparql-results+xml", "XML", "application/sparql-results+xml"),
    ("text/csv", "CSV", "text/csv"),
    ("text/tab-separated-values", "TSV", "text/tab-separated-values"),
])
def test_select_in_each_result_format(server, expected_funders, accept, fmt_name, content_type):
    import pyoxigraph as ox

    base, _ = server
    r = requests.post(f"{base}/sparql", data={"query": FUNDERS}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(content_type)
    rows = _rows(r.content, getattr(ox.QueryResultsFormat, fmt_name))
    expected = expected_funders.rows
    if fmt_name == "CSV":  # CSV cannot tell an unbound variable from an empty string
        expected = [[v or "" for v in row] for row in expected]
        rows = [[v or "" for v in row] for row in rows]
    assert rows == expected


def test_get_form_post_and_direct_post_agree(server, expected_funders):
    base, _ = server
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        requests.get(f"{base}/sparql", params={"query": FUNDERS}, headers=accept),
        requests.post(f"{base}/sparql", data={"query": FUNDERS}, headers=accept),
        requests.post(f"{base}/sparql", data=FUNDERS.encode(),
                      headers={**accept, "Content-Type": "application/sparql-query"}),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert len(answers[0].json()["results"]["bindings"]) == len(expected_funders.rows)


@pytest.mark.parametrize("fmt", ["JSON", "XML"])
def test_sparqlwrapper_select_and_ask(server, expected_funders, fmt):
    import SPARQLWrapper as sw

    base, _ = server
    client = sw.SPARQLWrapper(f"{base}/sparql")
    client.setQuery(FUNDERS)
    client.setReturnFormat(getattr(sw, fmt))
    answer = client.queryAndConvert()
    if fmt == "JSON":
        names = [b["projectName"]["value"] for b in answer["results"]["bindings"]]
    else:
        names = [lit.firstChild.data for b in answer.getElementsByTagName("binding")
                 if b.getAttribute("name") == "projectName"
                 for lit in b.getElementsByTagName("literal")]
    assert names == [row[1] for row in expected_funders.rows]
    client.setQuery(f"ASK {{ ?p a <{HG}ontology#Project> }}")
    client.setReturnFormat(sw.JSON)
    assert client.queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("accept,rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
])
def test_construct_in_each_graph_format(server, accept, rdflib_format):
    from rdflib import Graph
    from rdflib.compare import isomorphic

    base, _ = server
    query = "CONSTRUCT { ?p ?r ?o } WHERE { ?p a hg:Project ; ?r ?o }"
    r = requests.post(f"{base}/sparql", data={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    got = Graph().parse(data=r.content, format=rdflib_format)
    expected = Graph()
    for t in open_store(DATA).query(query, prefixes={"hg": f"{HG}ontology#"}):
        expected.parse(data=f"{t} .", format="nt")
    assert len(got) > 0
    assert isomorphic(got, expected)


def test_syntax_error_is_400_with_the_parsers_position(server):
    base, _ = server
    r = requests.post(f"{base}/sparql", data={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "syntax error" in r.text and "1:" in r.text


@pytest.mark.parametrize("how", ["update-param", "update-body", "insert-as-query"])
def test_updates_are_refused_and_change_nothing(server, how):
    base, _ = server
    update = f"INSERT DATA {{ <{HG}x> <{HG}y> <{HG}z> }}"
    if how == "update-param":
        r = requests.post(f"{base}/sparql", data={"update": update})
    elif how == "update-body":
        r = requests.post(f"{base}/sparql", data=update,
                          headers={"Content-Type": "application/sparql-update"})
    else:
        r = requests.post(f"{base}/sparql", data={"query": "# a comment\n" + update})
    assert r.status_code == 403
    assert "read-only" in r.text
    ask = requests.get(f"{base}/sparql", params={"query": f"ASK {{ <{HG}x> ?p ?o }}"})
    assert ask.json()["boolean"] is False


def test_service_is_off_by_default(server):
    base, _ = server
    r = requests.post(f"{base}/sparql", data={
        "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 403
    assert "--allow-service" in r.text
    # the word inside a string is no federation
    ok = requests.post(f"{base}/sparql", data={"query": 'SELECT ("SERVICE" AS ?x) {}'})
    assert ok.status_code == 200


def test_runaway_query_is_stopped_and_its_worker_killed(server):
    base, proc = server
    workers_before = descendants(proc.pid)
    t0 = time.monotonic()
    r = requests.post(f"{base}/sparql", data={"query": RUNAWAY})
    elapsed = time.monotonic() - t0
    assert r.status_code == 503
    assert "stopped" in r.text
    assert TIMEOUT <= elapsed < TIMEOUT + 5
    # the worker that ran it exits once its answer is sent, and a fresh one takes its place
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        after = descendants(proc.pid)
        killed = workers_before - after
        if killed and len(after) == len(workers_before):
            break
        time.sleep(0.05)
    assert len(killed) == 1
    assert len(after) == len(workers_before)
    assert all(not Path(f"/proc/{pid}").exists() for pid in killed)  # reaped, no zombie
    ok = requests.post(f"{base}/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert ok.status_code == 200 and ok.json()["boolean"] is True


def test_a_slow_query_does_not_block_a_fast_one(server):
    base, _ = server
    slow: dict = {}

    def run_slow():
        slow["response"] = requests.post(f"{base}/sparql", data={"query": RUNAWAY})
        slow["done"] = time.monotonic()

    t = threading.Thread(target=run_slow)
    t.start()
    time.sleep(0.5)
    fast = []
    for _ in range(5):
        t0 = time.monotonic()
        r = requests.post(f"{base}/sparql", data={"query": FUNDERS})
        fast.append((r.status_code, time.monotonic() - t0))
    fast_done = time.monotonic()
    t.join()
    assert all(code == 200 for code, _ in fast)
    assert max(d for _, d in fast) < 1.0
    assert fast_done < slow["done"]  # they really overlapped
    assert slow["response"].status_code == 503


def test_one_worker_answers_fast_queries_while_it_runs_a_runaway():
    """Within one worker process a query runs in a thread: the worker keeps
    answering; after the runaway's 503 a fresh worker takes its place."""
    with kg_serve("--timeout", str(TIMEOUT), "--workers", "1", data=DATA) as (base, proc):
        (worker,) = descendants(proc.pid)
        slow: dict = {}

        def run_slow():
            slow["response"] = requests.post(f"{base}/sparql", data={"query": RUNAWAY})

        t = threading.Thread(target=run_slow)
        t.start()
        time.sleep(0.5)
        fast = [requests.post(f"{base}/sparql", data={"query": FUNDERS}) for _ in range(3)]
        assert "response" not in slow  # the runaway was still running meanwhile
        assert [r.status_code for r in fast] == [200, 200, 200]
        assert descendants(proc.pid) == {worker}  # so that one process answered them
        t.join()
        assert slow["response"].status_code == 503
        after = requests.post(f"{base}/sparql", data={"query": "ASK { ?s ?p ?o }"})
        assert after.status_code == 200 and after.json()["boolean"] is True
        assert worker not in descendants(proc.pid)


def test_service_description_on_plain_get(server):
    from rdflib import Graph, Namespace, URIRef

    base, _ = server
    r = requests.get(f"{base}/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format="turtle")
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = URIRef(f"{base}/sparql")
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in g
    names = {str(n) for n in g.objects(None, sd.name)}
    expected = {str(n.value) for n in open_store(DATA).named_graphs()}
    assert names == expected


def test_unacceptable_accept_is_406(server):
    base, _ = server
    r = requests.get(f"{base}/sparql", params={"query": FUNDERS}, headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_listens_on_loopback_only_by_default(server):
    base, proc = server
    port = int(base.rsplit(":", 1)[1])
    listening = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "0A" and int(local.split(":")[1], 16) == port:  # 0A: LISTEN
            listening.append(local.split(":")[0])
    assert listening == ["0100007F"]  # 127.0.0.1


def test_page_offers_every_example_query_and_the_downloads(server):
    base, _ = server
    page = requests.get(f"{base}/").text
    for rq in (REPO_ROOT / "queries").glob("*.rq"):
        assert f'"name": "{rq.stem}"' in page
    assert 'src="/yasgui/yasgui.min.js"' in page and "//cdn" not in page
    for name in ("hankegraph.ttl", "hankegraph.trig"):
        assert f'href="/data/{name}"' in page
        r = requests.get(f"{base}/data/{name}")
        assert r.status_code == 200 and r.content == (DATA / name).read_bytes()
    assert requests.get(f"{base}/yasgui/yasgui.min.js").status_code == 200


def test_default_graph_is_the_union_as_a_set(small):
    r = requests.get(f"{small}/sparql", params={"query": (
        f'SELECT (COUNT(*) AS ?n) WHERE {{ <{HG}organisation/rahasto> rdfs:label ?l }}')})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "1"


def test_default_and_named_graph_uri(small):
    projects = f"SELECT ?p WHERE {{ ?p a <{HG}ontology#Project> }} ORDER BY ?p"
    r = requests.get(f"{small}/sparql", params={"query": projects,
                                                "default-graph-uri": f"{HG}graph/doc-a"})
    assert [b["p"]["value"] for b in r.json()["results"]["bindings"]] == [f"{HG}project/alpha"]
    in_graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = requests.post(f"{small}/sparql", data={"query": in_graphs,
                                               "named-graph-uri": f"{HG}graph/doc-b"})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [f"{HG}graph/doc-b"]


def test_row_cap(small):
    capped = requests.get(f"{small}/sparql", params={"query": "SELECT * { ?s ?p ?o }"},
                          headers={"Accept": "text/csv"})
    assert capped.status_code == 400 and "more than 3 rows" in capped.text
    fits = requests.get(f"{small}/sparql",
                        params={"query": "SELECT * { ?s ?p ?o } LIMIT 3"},
                        headers={"Accept": "text/csv"})
    assert fits.status_code == 200 and len(fits.text.strip().splitlines()) == 1 + 3
    graph = requests.get(f"{small}/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert graph.status_code == 400 and "more than 3 rows" in graph.text


def test_request_size_limit(small):
    padding = "#" + "x" * 3000 + "\n"
    r = requests.post(f"{small}/sparql", data=(padding + "ASK {}").encode(),
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert "--max-request-bytes" in r.text


def test_request_size_limit_on_a_body_sent_in_chunks(small):
    """No Content-Length to refuse early: the limit holds as the body arrives."""
    chunks = (b"#" + b"x" * 500 + b"\n" for _ in range(6))
    r = requests.post(f"{small}/sparql", data=chunks,
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_other_methods_on_the_endpoint_are_refused(small):
    assert requests.put(f"{small}/sparql", data="ASK {}").status_code == 405
    head = requests.head(f"{small}/sparql", params={"query": "ASK {}"})
    assert head.status_code == 200 and head.content == b""  # GET's headers


def test_an_idle_connection_outlives_five_seconds(small):
    """kg serve keeps an idle connection for a minute (--keep-alive; as Oxigraph's
    server does; uvicorn's default is 5 s), so a client back after a pause, for
    example while another server answered a slow query, reaches the same worker."""
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(small)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=10)

    def ask() -> int:
        conn.request("POST", "/sparql", "query=ASK%20%7B%7D",
                     {"Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        r.read()
        return r.status

    assert ask() == 200
    sock = conn.sock
    time.sleep(6)
    assert ask() == 200  # a connection closed by the server fails here
    assert conn.sock is sock
    conn.close()


def _raw(base: str, data: bytes, wait: float = 0.5) -> bytes:
    """What the server sends back on one connection for the bytes `data`."""
    import socket
    from urllib.parse import urlsplit

    where = urlsplit(base)
    with socket.create_connection((where.hostname, where.port), timeout=5) as s:
        s.sendall(data)
        time.sleep(wait)
        s.settimeout(0.5)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except TimeoutError:
            pass
        return out


def test_http_details_of_the_server(small):
    """kg serve's HTTP/1.1 (uvicorn with kg.serve.server's protocol): pipelining,
    HTTP/1.0, a bad request, HEAD, a chunked request body, Expect: 100-continue."""
    ask = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n"
    assert _raw(small, ask + ask).count(b"HTTP/1.1 200 OK") == 2
    old = _raw(small, b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\n\r\n")
    assert old.startswith(b"HTTP/1.1 200") and b"connection: close" in old
    assert _raw(small, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400")
    page = requests.head(f"{small}/")
    assert page.status_code == 200 and int(page.headers["content-length"]) > 0
    assert page.content == b""
    chunked = requests.post(f"{small}/sparql", data=(c for c in [b"ASK ", b"{}"]),
                            headers={"Content-Type": "application/sparql-query"})
    assert chunked.status_code == 200 and chunked.json()["boolean"] is True
    body = b"ASK {}"
    waiting = _raw(small, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   b"application/sparql-query\r\nExpect: 100-continue\r\nContent-Length: "
                   + str(len(body)).encode() + b"\r\n\r\n")
    assert waiting.startswith(b"HTTP/1.1 100 Continue")


def test_bad_data_is_named_and_the_server_does_not_start(tmp_path):
    import subprocess

    from tests.servers import VENV_BIN

    bad = tmp_path / "broken.trig"
    bad.write_text("<a:b> { <a:c> <a:d> . }", encoding="utf-8")
    done = subprocess.run([str(VENV_BIN / "kg"), "serve", "--data", str(bad), "--port", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert str(bad) in done.stderr and "error" in done.stderr
    assert done.stdout == ""


def test_persistent_store_is_reused_until_the_data_changes(tmp_path):
    from kg.serve.dataset import SOURCE_MARK

    data, store = tmp_path / "data.trig", tmp_path / "store"
    data.write_bytes(FIXTURE.read_bytes())
    labels = f"SELECT ?l WHERE {{ ?p a <{HG}ontology#Project> ; rdfs:label ?l }} ORDER BY ?l"

    def answer(base):
        r = requests.get(f"{base}/sparql", params={"query": labels})
        return [b["l"]["value"] for b in r.json()["results"]["bindings"]]

    with kg_serve("--store", str(store), data=data) as (base, _):
        assert answer(base) == ["Alfa-hanke", "Beeta-hanke"]
    loaded = (store / SOURCE_MARK).stat().st_mtime_ns
    with kg_serve("--store", str(store), data=data) as (base, _):
        assert answer(base) == ["Alfa-hanke", "Beeta-hanke"]
    assert (store / SOURCE_MARK).stat().st_mtime_ns == loaded  # reused, not reloaded
    data.write_text(FIXTURE.read_text(encoding="utf-8").replace("Beeta", "Gamma"),
                    encoding="utf-8")
    with kg_serve("--store", str(store), data=data) as (base, _):
        assert answer(base) == ["Alfa-hanke", "Gamma-hanke"]
