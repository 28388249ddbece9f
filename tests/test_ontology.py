"""The ontology says what every term means, aligns to the standard vocabularies, and its
HTML page is current and opens without the internet."""

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from kg.graph import ontology_doc
from kg.graph.vocab_gen import NS, ONTOLOGY

ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
FRAPO = "http://purl.org/cerif/frapo/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"


@pytest.fixture(scope="module")
def onto():
    return Graph().parse(ONTOLOGY, format="turtle")


def hg_terms(g, *types):
    return sorted(s for t in types for s in g.subjects(RDF.type, t)
                  if isinstance(s, URIRef) and str(s).startswith(NS))


def langs(g, s, p):
    return {o.language for o in g.objects(s, p)}


def test_every_class_and_property_has_finnish_and_english_label_and_definition(onto):
    terms = hg_terms(onto, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDFS.Datatype)
    assert len(terms) > 40
    for t in terms:
        assert {"fi", "en"} <= langs(onto, t, RDFS.label), t
        assert {"fi", "en"} <= langs(onto, t, SKOS.definition), t


def test_roles_are_a_skos_concept_scheme_with_labels(onto):
    roles = set(onto.subjects(SKOS.inScheme, URIRef(NS + "roles")))
    assert {URIRef(NS + r) for r in ("administrator", "coImplementer", "partner")} == roles
    for r in roles:
        assert (r, RDF.type, SKOS.Concept) in onto
        assert {"fi", "en"} <= langs(onto, r, SKOS.prefLabel)


def test_every_property_has_a_domain_and_a_range(onto):
    for p in hg_terms(onto, OWL.ObjectProperty, OWL.DatatypeProperty):
        assert onto.value(p, RDFS.domain) is not None, f"{p} has no rdfs:domain"
        assert onto.value(p, RDFS.range) is not None, f"{p} has no rdfs:range"


def test_version_iri_and_info_agree_and_the_export_cites_it(onto):
    from kg.export import ONTOLOGY_VERSION_IRI

    o = URIRef(NS.rstrip("#"))
    version = str(onto.value(o, OWL.versionInfo))
    assert str(onto.value(o, OWL.versionIRI)) == f"{o}/{version}" == ONTOLOGY_VERSION_IRI


@pytest.mark.parametrize("term, parents", [
    ("Organisation", [ORG + "Organization", SCHEMA + "Organization", FOAF + "Organization"]),
    ("Project", [SCHEMA + "Project", FRAPO + "Project"]),
    ("Grant", [SCHEMA + "MonetaryGrant", FRAPO + "Grant", PROV + "Entity"]),
    ("FundingScheme", [SCHEMA + "FundingScheme"]),
    ("Document", [PROV + "Entity", FOAF + "Document"]),
    ("Participation", [ORG + "Membership"]),
    ("Role", [str(SKOS.Concept), ORG + "Role"]),
])
def test_classes_align_to_standard_vocabularies(onto, term, parents):
    have = {str(o) for o in onto.objects(URIRef(NS + term), RDFS.subClassOf)}
    assert set(parents) <= have


def test_shortcut_properties_align(onto):
    def supers(p):
        return {str(o) for o in onto.objects(URIRef(NS + p), RDFS.subPropertyOf)}
    assert SCHEMA + "funder" in supers("fundedBy") and FRAPO + "funds" in supers("funds")
    assert ORG + "memberOf" in supers("memberOf")
    for p in ("administers", "implements", "partnerIn"):
        assert NS + "participatesIn" in supers(p)


def test_ontology_page_is_current():
    assert ontology_doc.main(["--check"]) == 0, "run: python -m kg.graph.ontology_doc"


def test_ontology_page_loads_nothing_from_elsewhere():
    html = ontology_doc.TARGET.read_text(encoding="utf-8")
    assert "participatesIn" in html and "Grant" in html
    assert ontology_doc.remote_fetches(html) == []


def test_remote_scripts_and_styles_are_stripped():
    html = ('<head><script src="https://cdn.example.org/x.js"></script>'
            '<link rel="stylesheet" href="//cdn.example.org/x.css">'
            '<style>@import url(https://fonts.example.org/f.css); body{}</style>'
            '<link rel="icon" href="data:image/png;base64,AA=="></head>'
            '<a href="https://schema.org/Project">a link is not a fetch</a>')
    assert len(ontology_doc.remote_fetches(html)) == 3
    stripped = ontology_doc.strip_remote_resources(html)
    assert ontology_doc.remote_fetches(stripped) == []
    assert "https://schema.org/Project" in stripped
