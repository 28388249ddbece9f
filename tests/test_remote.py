"""`kg push` and `kg query --endpoint` against a real Oxigraph server that the
test starts (`oxigraph serve`, from the `oxigraph` package) and stops."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests

from kg.settings import REPO_ROOT
from kg.store import open_store, select
from tests.servers import VENV_BIN, oxigraph_serve

pytestmark = pytest.mark.server

DATA = REPO_ROOT / "data" / "ttl"
FIXTURE = Path(__file__).parent / "data" / "serve.trig"
HG = "https://w3id.org/hankegraph/"


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "kg"), *args], capture_output=True, text=True,
                          timeout=120)


def _rows(stdout: str) -> list[dict]:
    """SPARQL JSON results as one {variable: value} dict a row."""
    return [{k: v["value"] for k, v in b.items()}
            for b in json.loads(stdout)["results"]["bindings"]]


def _key(row: dict) -> str:
    return json.dumps(row, sort_keys=True)


def test_push_then_every_example_query_answers_as_locally(tmp_path):
    store = open_store(DATA)
    with oxigraph_serve(tmp_path / "oxi") as (base, _):
        done = kg("push", "--endpoint", f"{base}/store", "--data", str(DATA))
        assert done.returncode == 0, done.stderr
        graphs = {g.value for g in store.named_graphs()}
        assert f"pushed {len(graphs)} graphs" in done.stdout
        listed = requests.get(f"{base}/query", params={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"}).json()
        assert {b["g"]["value"] for b in listed["results"]["bindings"]} == graphs
        for rq in sorted((REPO_ROOT / "queries").glob("*.rq")):
            done = kg("query", str(rq), "--endpoint", f"{base}/query", "--format", "json")
            assert done.returncode == 0, (rq.name, done.stderr)
            expected = select(store, rq.read_text(encoding="utf-8")).as_dicts()
            # as multisets: rows that tie under ORDER BY may come in either order
            unbound = [{k: v for k, v in row.items() if v is not None} for row in expected]
            assert sorted(map(_key, _rows(done.stdout))) == sorted(map(_key, unbound)), \
                rq.name


def test_push_replaces_each_documents_graph(tmp_path):
    label = f"<{HG}organisation/rahasto> <http://www.w3.org/2000/01/rdf-schema#label>"
    with oxigraph_serve(tmp_path / "oxi") as (base, _):
        assert kg("push", "--endpoint", f"{base}/store", "--data", str(FIXTURE)).returncode == 0
        changed = tmp_path / "v2.trig"
        changed.write_text(FIXTURE.read_text(encoding="utf-8").replace(
            '"Beeta-hanke"', '"Beeta-hanke (uusi nimi)"'), encoding="utf-8")
        assert kg("push", "--endpoint", f"{base}/store", "--data", str(changed)).returncode == 0
        rows = kg("query", "--endpoint", f"{base}/query", "--format", "json", "--query",
                  f"SELECT ?g ?l WHERE {{ GRAPH ?g {{ <{HG}project/beta> "
                  "<http://www.w3.org/2000/01/rdf-schema#label> ?l } }")
        assert _rows(rows.stdout) == [
            {"g": f"{HG}graph/doc-b", "l": "Beeta-hanke (uusi nimi)"}]
        # the default graph holds the union as a set: the shared label once
        count = kg("query", "--endpoint", f"{base}/query", "--format", "json", "--query",
                   f"SELECT (COUNT(*) AS ?n) WHERE {{ {label} ?l }}")
        assert _rows(count.stdout) == [{"n": "1"}]


def test_unreachable_store_and_bad_query_are_reported(tmp_path):
    from tests.servers import free_port

    nowhere = f"http://127.0.0.1:{free_port()}"
    done = kg("push", "--endpoint", f"{nowhere}/store", "--data", str(FIXTURE))
    assert done.returncode == 2 and "cannot reach" in done.stderr
    with oxigraph_serve() as (base, _):
        done = kg("query", "--endpoint", f"{base}/query", "--query", "SELECT * WHERE {")
        assert done.returncode == 2 and base in done.stderr


def test_endpoint_answers_ask_construct_and_describe(tmp_path):
    import pyoxigraph as ox

    with oxigraph_serve(tmp_path / "oxi") as (base, _):
        assert kg("push", "--endpoint", f"{base}/store", "--data", str(FIXTURE)).returncode == 0
        ask = kg("query", "--endpoint", f"{base}/query", "--format", "json", "--query",
                 f"ASK {{ <{HG}project/beta> ?p ?o }}")
        assert ask.returncode == 0, ask.stderr
        assert json.loads(ask.stdout) == {"head": {}, "boolean": True}
        table = kg("query", "--endpoint", f"{base}/query", "--query", "ASK { <x:none> ?p ?o }")
        assert table.stdout.splitlines()[2] == "false"
        local = open_store(FIXTURE)
        beta = f"<{HG}project/beta>"
        for query in (f"DESCRIBE {beta}", f"CONSTRUCT {{ {beta} ?p ?o }} WHERE {{ {beta} ?p ?o }}"):
            done = kg("query", "--endpoint", f"{base}/query", "--format", "nt", "--query", query)
            assert done.returncode == 0, done.stderr
            got = {q.triple for q in ox.parse(done.stdout.encode(),
                                              format=ox.RdfFormat.N_TRIPLES)}
            assert got and got == set(local.query(query)), query
