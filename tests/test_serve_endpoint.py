"""What `kg serve` offers a web client besides the protocol (issue 15, item 4):
CORS, an access log, gzip, the dataset's VoID/DCAT description at /void, and
network pages that belong to the dataset served. Real servers on loopback."""

from __future__ import annotations

import gzip
import shutil
import time
from pathlib import Path

import pytest
import requests

from kg.settings import REPO_ROOT
from tests.servers import kg_serve

pytestmark = pytest.mark.server

DATA = REPO_ROOT / "data" / "ttl"
FIXTURE = Path(__file__).parent / "data" / "serve.trig"
CLIENT = 30
EVERYTHING = "SELECT * { ?s ?p ?o }"  # some 50 KB of JSON on the bundled data


@pytest.fixture(scope="module")
def server():
    with kg_serve("--workers", "1", "--cors", "https://example.org", data=DATA) as (base, proc):
        yield base, proc


def test_cors_for_the_origins_given(server):
    base, _ = server
    ok = requests.post(f"{base}/sparql", data={"query": "ASK {}"}, timeout=CLIENT,
                       headers={"Origin": "https://example.org"})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://example.org"
    preflight = requests.options(f"{base}/sparql", timeout=CLIENT, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    other = requests.post(f"{base}/sparql", data={"query": "ASK {}"}, timeout=CLIENT,
                          headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_no_cors_without_the_option():
    with kg_serve("--workers", "1", data=FIXTURE) as (base, _):
        r = requests.post(f"{base}/sparql", data={"query": "ASK {}"}, timeout=CLIENT,
                          headers={"Origin": "https://example.org"})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_gzip_when_asked_and_not_for_tiny_answers(server):
    base, _ = server
    plain = requests.post(f"{base}/sparql", data={"query": EVERYTHING}, timeout=CLIENT,
                          headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    zipped = requests.post(f"{base}/sparql", data={"query": EVERYTHING}, timeout=CLIENT,
                           headers={"Accept-Encoding": "gzip"}, stream=True)
    raw = zipped.raw.read(decode_content=False)
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) == len(raw) < len(plain.content) / 3
    assert gzip.decompress(raw) == plain.content
    tiny = requests.post(f"{base}/sparql", data={"query": "ASK {}"}, timeout=CLIENT,
                         headers={"Accept-Encoding": "gzip"})
    assert tiny.status_code == 200 and "content-encoding" not in tiny.headers


def test_void_describes_the_served_dataset(server):
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, RDF

    base, _ = server
    void = Namespace("http://rdfs.org/ns/void#")
    r = requests.get(f"{base}/void", timeout=120)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    (dataset,) = g.subjects(RDF.type, void.Dataset)
    assert (dataset, void.sparqlEndpoint, URIRef(f"{base}/sparql")) in g
    assert URIRef(f"{base}/data/hankegraph.trig") in set(g.objects(None, DCAT.downloadURL))
    count = requests.get(f"{base}/sparql", timeout=CLIENT, params={
        "query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    assert g.value(dataset, void.triples) == Literal(
        int(count["results"]["bindings"][0]["n"]["value"]))
    as_jsonld = requests.get(f"{base}/void", headers={"Accept": "application/ld+json"},
                             timeout=CLIENT)
    assert as_jsonld.status_code == 200 and "void#Dataset" in as_jsonld.text
    assert 'href="/void"' in requests.get(f"{base}/", timeout=CLIENT).text


def test_void_written_by_kg_export_beside_the_dataset_is_served(tmp_path):
    data = tmp_path / "hankegraph.trig"
    shutil.copy(FIXTURE, data)
    written = b"@prefix void: <http://rdfs.org/ns/void#> .\n<http://x/d> a void:Dataset .\n"
    (tmp_path / "hankegraph-void.ttl").write_bytes(written)
    with kg_serve("--workers", "1", data=data) as (base, _):
        r = requests.get(f"{base}/void", timeout=CLIENT)
        assert r.status_code == 200 and r.content == written


def test_the_access_log_has_a_line_per_request_and_never_the_query(server):
    base, proc = server
    secret = "SELECT ?secretVariable1234 { ?secretVariable1234 ?p ?o } LIMIT 1"
    assert requests.get(f"{base}/sparql", params={"query": secret},
                        timeout=CLIENT).status_code == 200
    assert requests.post(f"{base}/sparql", data={"query": secret},
                         timeout=CLIENT).status_code == 200
    assert requests.get(f"{base}/no/such/entity", timeout=CLIENT).status_code == 404
    expected = ("GET /sparql 200 ", "POST /sparql 200 ", "GET /no/such/entity 404 ")
    # a request's line is written once its answer has gone out, so the client may
    # have the answer a moment before the line is in the log
    deadline = time.monotonic() + 10
    while True:
        log = proc.log()
        if all(e in log for e in expected) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert "secretVariable1234" not in log
    lines = log.splitlines()
    for e in expected:
        (line,) = [x for x in lines if e in x][-1:]
        assert line.rstrip().endswith(" B") and " ms " in line


def test_network_pages_belong_to_the_dataset_served(tmp_path):
    """The bundled pages are shown with the bundled data only; another dataset
    shows the pages beside it, or says it has none."""
    bundled = sorted(p.name for p in (REPO_ROOT / "visualisations").glob("*.html"))
    assert bundled, "the committed network pages are missing"
    with kg_serve("--workers", "1", data=FIXTURE) as (base, _):
        page = requests.get(f"{base}/", timeout=CLIENT).text
        assert "/visualisations/" not in page and "none for this dataset" in page
        for name in bundled:
            assert requests.get(f"{base}/visualisations/{name}",
                                timeout=CLIENT).status_code == 404
    own = tmp_path / "other"
    (own / "visualisations").mkdir(parents=True)
    shutil.copy(FIXTURE, own / "hankegraph.trig")
    (own / "visualisations" / "funding.html").write_text("<p>drawn from the other data</p>",
                                                         encoding="utf-8")
    with kg_serve("--workers", "1", data=own) as (base, _):
        page = requests.get(f"{base}/", timeout=CLIENT).text
        assert 'href="/visualisations/funding.html"' in page
        assert "collaboration.html" not in page
        r = requests.get(f"{base}/visualisations/funding.html", timeout=CLIENT)
        assert r.status_code == 200 and "drawn from the other data" in r.text
    with kg_serve("--workers", "1", data=DATA) as (base, _):
        page = requests.get(f"{base}/", timeout=CLIENT).text
        for name in bundled:
            assert f'href="/visualisations/{name}"' in page
