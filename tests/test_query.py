"""`kg query`: every query form, every output format, prefixes as kg serve has them,
tables that fit, and one-line errors. Expected answers come from the same data
queried in-process with pyoxigraph."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pyoxigraph as ox
import pytest

from kg.query import column_widths, format_rows, shorten
from kg.settings import REPO_ROOT
from kg.store import open_store

DATA = REPO_ROOT / "data" / "ttl"
HG = "https://w3id.org/hankegraph/ontology#"
FUNDERS = REPO_ROOT / "queries" / "funders_of_projects.rq"


def kg(*args, cwd=REPO_ROOT):
    return subprocess.run([sys.executable, "-m", "kg.cli", "--no-progress", "query",
                           "--data", str(DATA), *args], cwd=cwd, capture_output=True,
                          timeout=120)


def ok(*args) -> bytes:
    r = kg(*args)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout


@pytest.fixture(scope="module")
def store():
    return open_store(DATA)


def _rows(store, query):
    result = store.query(query)
    names = [v.value for v in result.variables]
    return names, [[sol[n] for n in names] for sol in result]


def test_select_as_sparql_json_keeps_types(store):
    names, rows = _rows(store, FUNDERS.read_text(encoding="utf-8"))
    answer = json.loads(ok(str(FUNDERS), "--format", "json"))
    assert answer["head"]["vars"] == names
    bindings = answer["results"]["bindings"]
    assert len(bindings) == len(rows)
    amounts = [b["amount"] for b in bindings if "amount" in b]
    assert amounts, "the funders query has stated amounts on the bundled data"
    expected = {r[names.index("amount")].value for r in rows if r[names.index("amount")]}
    assert {a["value"] for a in amounts} == expected
    assert {a["datatype"] for a in amounts} == {"http://www.w3.org/2001/XMLSchema#decimal"}


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_formats_parse_back_to_the_same_solutions(store, fmt):
    query = "SELECT ?p ?name WHERE { ?p a hg:Project ; rdfs:label ?name } ORDER BY ?p"
    body = ok("--query", query, "--format", fmt)
    parsed = ox.parse_query_results(body, format={
        "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
        "tsv": ox.QueryResultsFormat.TSV}[fmt])
    got = [(s["p"], s["name"]) for s in parsed]
    prefixed = f"PREFIX hg: <{HG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    assert got == [(s["p"], s["name"]) for s in store.query(prefixed + query)]
    assert got


def test_select_csv_and_table(store):
    rows = list(csv.reader(io.StringIO(ok(str(FUNDERS), "--format", "csv").decode())))
    assert rows[0] == ["funderName", "projectName", "amount", "share"]
    names, expected = _rows(store, FUNDERS.read_text(encoding="utf-8"))
    assert len(rows) - 1 == len(expected)
    table = ok(str(FUNDERS)).decode().splitlines()
    assert table[0].split(" | ")[0].strip() == "funderName"
    assert table[-1] == f"({len(expected)} rows)"
    first = expected[0][names.index("funderName")].value
    assert table[2].startswith(first)


def test_ask_as_table_json_xml(store):
    assert ok("--query", "ASK { ?p a hg:Project }").decode().splitlines()[2] == "true"
    assert ok("--query", "ASK { ?p a hg:Nothing }").decode().splitlines()[2] == "false"
    assert json.loads(ok("--query", "ASK { ?p a hg:Project }", "--format", "json")) == \
        {"head": {}, "boolean": True}
    xml = ok("--query", "ASK { ?p a hg:Nothing }", "--format", "xml")
    assert bool(ox.parse_query_results(xml, format=ox.QueryResultsFormat.XML)) is False


@pytest.mark.parametrize("fmt,rdf", [("ttl", ox.RdfFormat.TURTLE),
                                     ("nt", ox.RdfFormat.N_TRIPLES),
                                     ("jsonld", ox.RdfFormat.JSON_LD)])
def test_construct_and_describe_as_rdf(store, fmt, rdf):
    construct = "CONSTRUCT { ?p a hg:Project ; rdfs:label ?n } WHERE { ?p a hg:Project ; " \
                "rdfs:label ?n }"
    got = {q.triple for q in ox.parse(ok("--query", construct, "--format", fmt), format=rdf)}
    prefixed = f"PREFIX hg: <{HG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    assert got == set(store.query(prefixed + construct))
    assert len(got) >= 2
    project = next(t.subject for t in got)
    described = {q.triple for q in ox.parse(
        ok("--query", f"DESCRIBE <{project.value}>", "--format", fmt), format=rdf)}
    assert described == set(store.query(f"DESCRIBE <{project.value}>"))
    assert all(t.subject == project for t in described) and len(described) > 2


def test_construct_defaults_to_turtle_with_the_known_prefixes():
    out = ok("--query", "CONSTRUCT { ?p a hg:Project } WHERE { ?p a hg:Project }").decode()
    assert f"@prefix hg: <{HG}> ." in out
    assert " a hg:Project" in out


def test_a_format_the_query_form_cannot_have_is_one_clear_line():
    r = kg("--query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "--format", "csv")
    assert r.returncode == 2
    err = r.stderr.decode().strip()
    assert "\n" not in err and "ttl" in err and "CONSTRUCT" in err
    r = kg("--query", "SELECT * WHERE { ?s ?p ?o }", "--format", "nt")
    assert r.returncode == 2 and "table" in r.stderr.decode()


def test_every_prefix_kg_serve_declares_works_without_a_prefix_line():
    from kg.serve import ServeOptions  # noqa: F401 - the serve package kg serve starts from
    from kg.serve.dataset import known_prefixes
    from kg.settings import Settings

    served = known_prefixes(DATA, Settings().ontology_dir / "hankegraph.ttl")
    assert {"hg", "rdfs", "xsd", "schema", "prov"} <= set(served)
    clauses = " ".join(f"BIND({name}:x AS ?{name})" for name in served)
    answer = json.loads(ok("--query", f"SELECT * WHERE {{ {clauses} }}", "--format", "json"))
    binding = answer["results"]["bindings"][0]
    assert {name: binding[name]["value"] for name in served} == \
        {name: ns + "x" for name, ns in served.items()}


def test_tables_shorten_iris_with_the_known_prefixes():
    out = ok("--query", "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c")
    cells = [line.split(" | ")[0].strip() for line in out.decode().splitlines()[2:-1]]
    assert "hg:Project" in cells and "hg:Organisation" in cells
    assert not any(c.startswith(HG) for c in cells)


def test_shorten_keeps_iris_no_prefix_can_write():
    known = {"hg": HG, "ex": "https://example.org/"}
    assert shorten(HG + "Project", known) == "hg:Project"
    assert shorten("https://example.org/a/b", known) == "https://example.org/a/b"
    assert shorten("https://example.org/a.", known) == "https://example.org/a."
    assert shorten("https://other.org/x", known) == "https://other.org/x"


def test_width_cuts_wide_columns_and_wrap_keeps_every_character():
    query = (REPO_ROOT / "queries" / "evidence.rq")
    full = ok(str(query), "--width", "0").decode().splitlines()
    assert max(map(len, full)) > 200  # the sentences make it wide
    cut = ok(str(query), "--width", "80").decode().splitlines()
    assert max(map(len, cut)) <= 80 and len(cut) == len(full)
    assert any("…" in line for line in cut)
    wrapped = ok(str(query), "--width", "80", "--wrap").decode().splitlines()
    assert max(map(len, wrapped)) <= 80 and len(wrapped) > len(full)
    assert wrapped[-1] == full[-1]  # the same row count


def test_column_widths_narrow_the_widest_first():
    assert column_widths([5, 10, 100], 0) == [5, 10, 100]
    assert column_widths([5, 10, 20], 100) == [5, 10, 20]
    widths = column_widths([5, 10, 100, 80], 60)
    assert sum(widths) + 3 * 3 == 60
    assert widths[:2] == [5, 10] and widths[2] >= widths[3] - 1
    lines = format_rows(["a", "b"], [["x" * 50, "y" * 50]], width=30).splitlines()
    assert max(map(len, lines)) <= 30


def test_syntax_error_is_one_line_with_line_and_column(tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?p WHERE {\n  ?p a hg:Project .\n} ORDER ?p\n", encoding="utf-8")
    r = kg(str(bad))
    err = r.stderr.decode().strip()
    assert r.returncode == 2 and "\n" not in err
    assert err.startswith(f"error: {bad}: line 3, column ") and "expected BY" in err


def test_unknown_prefix_is_named_in_one_line():
    r = kg("--query", "SELECT ?p WHERE { ?p a foo:Project }")
    err = r.stderr.decode().strip()
    assert r.returncode == 2 and "\n" not in err
    assert "line 1, column" in err and "unknown prefix foo:" in err and "hg" in err
    assert "\\u{" not in err


def test_kg_query_does_not_import_rdflib():
    """rdflib is imported where an rdflib graph is built; a query never builds one
    (the start-up figure is benchmarks/query_startup.py's)."""
    script = ("import sys\nfrom kg.cli import main\n"
              f"main(['query', '--data', {str(DATA)!r}, '--format', 'csv', '--query', "
              "'SELECT ?c WHERE { ?s a ?c } LIMIT 1'])\n"
              "heavy = sorted(m for m in ('rdflib', 'importlib.resources', 'tempfile') "
              "if m in sys.modules)\n"
              "print('heavy:', heavy)\n")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       timeout=120, cwd=REPO_ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "heavy: []"


def test_answers_with_no_variables_or_no_triples():
    assert ok("--query", "SELECT * WHERE {}").decode() == "(1 row)\n"
    assert ok("--query", "SELECT ?x WHERE { ?x a hg:Nothing }").decode().splitlines()[-1] \
        == "(0 rows)"
    assert ok("--query", "CONSTRUCT {} WHERE {}", "--format", "nt") == b""
