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


def test_ontology_page_has_one_language_per_heading(onto):
    """Each heading (the page's title, each term) is the English label alone, and
    the Finnish label is a line of its own under it (pyLODE ran them together:
    "administershallinnoi"); the metadata is the ontology's, not the role scheme's."""
    import lxml.html
    from rdflib import Literal
    from rdflib.namespace import DCTERMS

    def label(iri, lang):
        for p in (RDFS.label, SKOS.prefLabel, DCTERMS.title):
            for o in onto.objects(URIRef(iri), p):
                if isinstance(o, Literal) and o.language == lang:
                    return str(o)
        return None

    doc = lxml.html.fromstring(ontology_doc.TARGET.read_bytes())

    def second_line(heading):
        nxt = heading.getnext()
        assert nxt is not None and nxt.tag == "p" and nxt.get("lang") == "fi", (
            heading.text_content())
        return nxt.text_content().strip()

    ontology = str(next(onto.subjects(RDF.type, OWL.Ontology)))
    (h1,) = doc.xpath('//div[@id="metadata"]/h1')
    assert h1.text_content().strip() == label(ontology, "en") == "Hankegraph ontology"
    assert second_line(h1) == label(ontology, "fi") == "Hankegraph-ontologia"
    assert doc.findtext(".//title") == "Hankegraph ontology"
    iris = doc.xpath('//div[@id="metadata"]/dl/div[dt/strong="IRI"]/dd/code/text()')
    assert iris == [ontology]
    checked = 0
    for entity in doc.xpath('//div[contains(@class, "entity")]'):
        (iri,) = entity.xpath('./table/tr[th="IRI"]/td/code/text()')
        if not iri.startswith(NS):
            continue
        heading = entity.find("h3")
        own = (heading.text or "").strip()  # without the <sup> type badge
        en, fi = label(iri, "en"), label(iri, "fi")
        assert own == en, (iri, heading.text_content())
        assert second_line(heading) == fi
        assert fi not in heading.text_content()
        checked += 1
    terms = hg_terms(onto, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    assert checked >= len(terms) > 20
    for a in doc.xpath('//a[@href="#administers"]'):  # the table of contents too
        assert a.text_content().strip() == "administers"


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
