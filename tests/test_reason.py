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
