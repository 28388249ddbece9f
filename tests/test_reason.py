"""HermiT (through owlready2) finds the ontology and the built data consistent, finds a
graph that breaks the ontology inconsistent, and entails no participation or funding
shortcut that the build did not already write as a plain triple."""

import pytest
from rdflib import Graph, Literal, URIRef

from kg.graph.reason import check_consistency
from kg.graph.vocab import HG
from kg.settings import Settings

from .conftest import require_dev_corpus

pytestmark = pytest.mark.reasoner

MATERIALISED = (HG.participatesIn, HG.funds, HG.fundedBy)


def test_bundled_graph_is_consistent_and_its_shortcuts_are_complete(bundled_build):
    out, _ = bundled_build
    result = check_consistency(out, infer=MATERIALISED)
    assert result.consistent
    data = Graph().parse(out / "hankegraph.ttl")
    base = Settings().base_iri
    for prop in MATERIALISED:
        written = {(str(s), str(o)) for s, o in data.subject_objects(prop)}
        # owl:sameAs makes the Wikidata aliases participate too; compare our own nodes
        entailed = {(s, o) for s, o in result.inferred[str(prop)]
                    if s.startswith(base) and o.startswith(base)}
        assert written and written == entailed, (prop, entailed ^ written)


def test_a_region_that_administers_a_project_is_inconsistent(bundled_build):
    """hg:administers has domain hg:Organisation, which is disjoint with hg:Region."""
    out, _ = bundled_build
    g = Graph().parse(out / "hankegraph.ttl")
    region = next(g.subjects(URIRef(str(HG.regionCode)), None))
    project = next(g.subjects(None, HG.Project))
    g.add((region, HG.administers, project))
    assert not check_consistency(g).consistent


def test_a_fund_with_a_municipality_code_is_inconsistent():
    g = Graph()
    fund = URIRef("https://w3id.org/hankegraph/funding/x")
    g.add((fund, URIRef(str(HG.municipalityCode)), Literal("297")))
    g.add((fund, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), HG.FundingScheme))
    assert not check_consistency(g).consistent


@pytest.mark.slow
def test_dev_corpus_conforms_and_is_consistent(tmp_path_factory):
    """The issue's acceptance: `kg build` on the dev corpus gives a graph that conforms
    to the shapes and is consistent under HermiT."""
    from kg.build import build

    out = tmp_path_factory.mktemp("dev")
    report = build([require_dev_corpus()], Settings(progress=False), out_dir=out)
    assert report.validation.conforms, [str(v) for v in report.validation.violations]
    assert report.outputs, "a conforming build writes its files"
    assert check_consistency(out).consistent


def test_ntriples_whose_first_line_is_long_load_as_ntriples(tmp_path):
    """The merged graph is N-Triples in whatever order rdflib writes it; a first
    triple with an evidence sentence over 1 000 bytes (a flattened PDF page) made
    owlready2 guess RDF/XML and fail, now and then, on the dev corpus."""
    import owlready2

    from kg.graph.reason import load_ntriples

    nt = tmp_path / "merged.nt"
    nt.write_text(f'<https://e.org/a> <https://e.org/sentence> "{"sana " * 400}" .\n'
                  "<https://e.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                  "<http://www.w3.org/2002/07/owl#Thing> .\n", encoding="utf-8")
    world = owlready2.World()
    load_ntriples(world, nt)
    assert world.search_one(iri="https://e.org/a") is not None
    world.close()
