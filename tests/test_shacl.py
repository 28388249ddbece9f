"""kg.graph.shacl, the build's own SHACL checker, against pySHACL: the same
violations on the bundled graph, on the broken fixture and on one generated fault
for every kind of constraint in ontology/shapes.ttl; shapes it does not
understand go to pySHACL instead."""

import shutil

import pytest
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, PROV

from kg.graph.io import load_graph
from kg.graph.shacl import Checker, UnsupportedShape
from kg.graph.validate import load_shapes, validate_graph
from kg.settings import REPO_ROOT, Settings

HG = Namespace("https://w3id.org/hankegraph/ontology#")
BASE = "https://w3id.org/hankegraph/"
BROKEN = REPO_ROOT / "tests" / "data" / "broken.ttl"


def _found(report):
    return sorted((v.node, v.shape, v.value or "", v.documents, v.message)
                  for v in report.violations)


def _same_by_both(graph, spec_only=()):
    """Both engines' violations agree, except ``spec_only``: shapes where ours follows
    the SHACL spec and pySHACL does not (values that cannot be compared break
    sh:lessThan, per the spec; pySHACL lets them pass)."""
    ours, theirs = (validate_graph(graph, engine=e) for e in ("hankegraph", "pyshacl"))
    assert [f[:4] for f in _found(ours) if f[1] not in spec_only] == \
        [f[:4] for f in _found(theirs)]
    # where the shape has an sh:message, both report it
    theirs_messages = {f[:4]: f[4] for f in _found(theirs)}
    for *key, message in _found(ours):
        if key[1] not in spec_only and not message.startswith("breaks sh:") \
                and "values" not in message:
            assert theirs_messages[tuple(key)] == message
    return ours


def test_bundled_graph_conforms_by_both(bundled_build):
    out, _ = bundled_build
    assert _same_by_both(load_graph(out)).conforms


def test_broken_fixture_same_violations():
    report = _same_by_both(load_graph(BROKEN))
    assert len(report.violations) == 7


def _first(graph, cls):
    return sorted(graph.subjects(RDF.type, cls), key=str)[0]


PERSON = URIRef(BASE + "person/testi-henkilo")
ORPHAN = URIRef(BASE + "organisation/orpo")


def _person(g, *extra):
    doc = _first(g, HG.Document)
    g.add((PERSON, RDF.type, FOAF.Person))
    g.add((PERSON, RDFS.label, Literal("Testi Henkilö")))
    g.add((PERSON, HG.mentionedIn, doc))
    for p, o in extra:
        g.add((PERSON, p, o))


def _replace(cls, prop, value):
    def apply(g):
        node = _first(g, cls)
        g.remove((node, prop, None))
        g.add((node, prop, value))
    return apply


#: one fault of each kind of constraint the shapes use: name -> how to make it
FAULTS = {
    "no label (minCount)": lambda g: g.remove((_first(g, HG.Project), RDFS.label, None)),
    "two labels (maxCount)": lambda g: g.add((_first(g, HG.Organisation), RDFS.label,
                                              Literal("Toinen nimi"))),
    "label with a language (datatype)": _replace(HG.Organisation, RDFS.label,
                                                 Literal("Nimi", lang="fi")),
    "empty label (minLength)": _replace(HG.Organisation, RDFS.label, Literal("")),
    "takes part in a document (class)": lambda g: g.add(
        (_first(g, HG.Organisation), HG.partnerIn, _first(g, HG.Document))),
    "bad checksum (pattern)": _replace(HG.Document, HG.checksum, Literal("abc")),
    "start after end (lessThan)": _replace(HG.Participation, HG.startOffset,
                                           Literal(10**6, datatype=XSD.integer)),
    "offset not a number (ill-typed)": _replace(HG.Participation, HG.endOffset,
                                                Literal("abc", datatype=XSD.integer)),
    "negative amount (minInclusive)": _replace(HG.Grant, HG.amount,
                                               Literal("-1", datatype=XSD.decimal)),
    "share over 100 (maxInclusive)": _replace(HG.Grant, HG.sharePercent,
                                              Literal("150", datatype=XSD.decimal)),
    "unknown role (in)": _replace(HG.Participation, HG.role, HG.sponsor),
    "subject a literal (nodeKind)": _replace(RDF.Statement, RDF.subject, Literal("x")),
    "phone number in evidence (not)": _replace(HG.Participation, HG.sentence,
                                               Literal("Soita 040 123 4567")),
    "funded by a person (or of classes)": lambda g: [
        _person(g), g.add((_first(g, HG.Project), HG.fundedBy, PERSON))],
    "date as text (or of datatypes)": _replace(HG.Project, HG.startDate, Literal("keväällä")),
    "person with an e-mail (maxCount 0)": lambda g: _person(
        g, (FOAF.mbox, URIRef("mailto:testi@example.org"))),
    "no provenance (or of property shapes)": lambda g: [
        g.add((ORPHAN, RDF.type, HG.Organisation)), g.add((ORPHAN, RDFS.label, Literal("Orpo")))],
    "mentioned but untyped (or at the node)": lambda g: g.add(
        (URIRef(BASE + "thing/x"), HG.mentionedIn, _first(g, HG.Document))),
    "funded by a blank node": lambda g: g.add((_first(g, HG.Project), HG.fundedBy, BNode())),
    "derived from two sources": lambda g: g.add(
        (_first(g, HG.Grant), PROV.wasDerivedFrom, URIRef(BASE + "document/muu"))),
}


@pytest.fixture(scope="module")
def bundled_graph(bundled_build):
    out, _ = bundled_build
    return load_graph(out)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_kind_of_fault_same_violations(bundled_graph, fault):
    g = Graph()
    for t in bundled_graph:
        g.add(t)
    FAULTS[fault](g)
    spec_only = ("hgsh:startOffset",) if "ill-typed" in fault else ()
    assert not _same_by_both(g, spec_only).conforms, fault


def test_a_shape_it_does_not_understand_goes_to_pyshacl(tmp_path, capsys):
    onto = tmp_path / "ontology"
    shutil.copytree(REPO_ROOT / "ontology", onto)
    shapes = onto / "shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + """
hgsh:LabelLength a sh:NodeShape ; sh:targetClass hg:Project ;
    sh:property [ sh:path rdfs:label ; sh:maxLength 3 ] .
""", encoding="utf-8")
    with pytest.raises(UnsupportedShape, match="maxLength"):
        Checker(load_shapes(onto)[0])
    report = validate_graph(load_graph(BROKEN), Settings(ontology_dir=onto))
    assert "validating with pySHACL" in capsys.readouterr().err
    assert ("<https://w3id.org/hankegraph/project/hanke>", "hgsh:LabelLength / rdfs:label") \
        in {(v.node, v.shape) for v in report.violations}
