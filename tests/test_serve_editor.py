"""What the query editor completes: /editor/vocabulary.json (kg/serve/editor.py)
against the ontology read independently with rdflib and the dataset's own terms.
The editor itself, in a browser: tests/test_serve_browser.py."""

from __future__ import annotations

import pytest
import requests

from kg.serve.dataset import known_prefixes
from kg.serve.editor import PATH, vocabulary
from kg.settings import REPO_ROOT, Settings
from kg.store import open_store
from tests.servers import kg_serve

DATA = REPO_ROOT / "data" / "ttl"
ONTOLOGY = Settings().ontology_dir / "hankegraph.ttl"


def _ontology_terms():
    """{IRI: "classes" | "properties"} of the ontology's named classes and
    properties, and {IRI: {lang: label}}, read with rdflib."""
    from rdflib import OWL, RDF, RDFS, Graph, URIRef

    g = Graph().parse(ONTOLOGY)
    kinds = {}
    for kind, types in (("classes", (OWL.Class, RDFS.Class)),
                        ("properties", (OWL.ObjectProperty, OWL.DatatypeProperty,
                                        OWL.AnnotationProperty, RDF.Property))):
        for t in types:
            kinds.update({str(s): kind for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)})
    labels = {}
    for s, label in g.subject_objects(RDFS.label):
        if label.language in ("fi", "en"):
            labels.setdefault(str(s), {})[label.language] = str(label)
    return kinds, labels


@pytest.mark.server
def test_vocabulary_route_gives_the_ontologys_terms_labels_and_the_servers_prefixes():
    with kg_serve(data=DATA) as (base, _):
        r = requests.get(base + PATH, timeout=30)
        again = requests.get(base + PATH, timeout=30)
        page = requests.get(base + "/", timeout=30).text
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert again.content == r.content
    assert f'"vocabulary": "{PATH}"' in page  # the editor is told where to read it
    vocab = r.json()
    # the prefixes are exactly those the server accepts without PREFIX lines
    assert vocab["prefixes"] == known_prefixes(DATA, REPO_ROOT / "ontology" / "hankegraph.ttl")
    assert vocab["prefixes"]["hg"] == "https://w3id.org/hankegraph/ontology#"

    kinds, labels = _ontology_terms()
    got = {kind: {t["iri"]: t["labels"] for t in vocab[kind]} for kind in ("classes", "properties")}
    assert not set(got["classes"]) & set(got["properties"])
    assert len(kinds) > 40
    for iri, kind in kinds.items():
        assert iri in got[kind], (iri, kind)
        assert got[kind][iri] == labels.get(iri, {}), iri
    hg = [iri for iri in got["classes"] if iri.startswith(vocab["prefixes"]["hg"])]
    assert hg and all(set(got["classes"][iri]) == {"fi", "en"} for iri in hg)
    # and every predicate and class the served data uses, declared or not
    store = open_store(DATA)
    used_p = {r["p"].value for r in store.query("SELECT DISTINCT ?p { ?s ?p ?o }")}
    used_c = {r["c"].value for r in store.query("SELECT DISTINCT ?c { ?s a ?c }")}
    assert used_p <= set(got["properties"])
    assert used_c <= set(got["classes"])
    assert "http://www.w3.org/2000/01/rdf-schema#label" in got["properties"]


def test_an_unreadable_ontology_is_named(tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix hg: <https://w3id.org/hankegraph/ontology#> .\nhg:X a ",
                   encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.ttl: cannot read the ontology"):
        vocabulary(bad, {})
    with pytest.raises(ValueError, match=r"missing\.ttl"):
        vocabulary(tmp_path / "missing.ttl", {})
