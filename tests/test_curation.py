"""data/curation.yaml: every action round-trips through resolution and the graph,
an entry that matches nothing is reported, a broken file is refused with its
file and line, and curated facts keep their provenance and say they were curated."""

from __future__ import annotations

import textwrap

import pytest
from rdflib import Literal, URIRef

from kg.authority import load_authority
from kg.graph.rdf import GraphBuilder
from kg.graph.vocab import HG
from kg.model import Claim, EntityType, Relation, Span
from kg.resolve import resolve
from kg.resolve.curation import CurationError, load_curation
from kg.settings import REPO_ROOT, Settings
from tests.test_resolve import doc, iri_in

ORG, PROJECT = EntityType.ORGANISATION, EntityType.PROJECT
BASE = "https://w3id.org/hankegraph/"


@pytest.fixture(scope="module")
def authority():
    return load_authority(Settings().authority_dir)


def corpus():
    """Two documents: Xamk-like short name unknown to the data, a project, funding."""
    ta = "Hanketta Testihanke hallinnoi Kaakon Osaajat Oy."
    tb = "KOS toteuttaa Testihanke-hanketta. Rahoittaja: Euroopan sosiaalirahasto."
    a = doc("a", ("Organisation:kaakon osaajat oy", ORG, "Kaakon Osaajat Oy"),
            ("Project:testihanke", PROJECT, "Testihanke"), text=ta,
            claims=(Claim(Relation.ADMINISTERS, "Organisation:kaakon osaajat oy",
                          "Project:testihanke", None, Span(0, len(ta), ta), "test.rule"),))
    b = doc("b", ("Organisation:kos", ORG, "KOS"), ("Project:testihanke", PROJECT, "Testihanke"),
            ("funding:Euroopan sosiaalirahasto", EntityType.FUNDING, "Euroopan sosiaalirahasto",
             False, "funding:Euroopan sosiaalirahasto"), text=tb,
            claims=(Claim(Relation.IMPLEMENTS, "Organisation:kos", "Project:testihanke", None,
                          Span(0, 34, tb), "test.rule"),
                    Claim(Relation.FUNDS, "funding:Euroopan sosiaalirahasto",
                          "Project:testihanke", None, Span(35, len(tb), tb), "test.rule")))
    return [a, b]


def curate(tmp_path, authority, yaml_text: str):
    path = tmp_path / "curation.yaml"
    path.write_text(textwrap.dedent(yaml_text), encoding="utf-8")
    return resolve(corpus(), authority, load_curation(path))


def test_the_shipped_file_loads_and_has_no_active_entries():
    assert load_curation(REPO_ROOT / "data" / "curation.yaml") == ()
    assert "merge" in (REPO_ROOT / "data" / "curation.yaml").read_text(encoding="utf-8")


def test_without_curation_the_two_names_are_two_entities(authority):
    res = resolve(corpus(), authority)
    assert iri_in(res, "a", "Kaakon Osaajat Oy") != iri_in(res, "b", "KOS")
    assert res.curation == ()


def test_merge_keeps_the_first_iri_and_marks_the_moved_facts(tmp_path, authority):
    res = curate(tmp_path, authority, """\
        # the acronym is not defined in either text
        - merge: [Kaakon Osaajat Oy, organisation/kos]
          note: KOS is the company's own acronym
        """)
    iri = "organisation/kaakon-osaajat"
    assert iri_in(res, "a", "Kaakon Osaajat Oy") == iri_in(res, "b", "KOS") == iri
    assert res.curation[0].startswith("applied: ") and ":2 merge" in res.curation[0]
    moved = [f for f in res.facts if f.relation is Relation.IMPLEMENTS]
    assert moved[0].subject == iri and "merge" in moved[0].curation
    assert moved[0].rule == "test.rule" and moved[0].doc_id == "b"  # provenance kept
    untouched = [f for f in res.facts if f.relation is Relation.FUNDS]
    assert untouched[0].curation is None
    ent = next(e for e in res.entities if e.iri_key == iri)
    assert "curated:" in dict(ent.notes)["b"]

    ds = GraphBuilder(BASE).build(res)
    curated = set(ds.graph(URIRef(BASE + "graph/b")).subjects(HG.curation, None))
    assert curated, "the curated fact's provenance nodes carry hg:curation"
    g = ds.graph(URIRef(BASE + "graph/b"))
    for node in curated:
        assert g.value(node, HG.extractedBy) == Literal("test.rule")
        assert g.value(node, HG.sentence) is not None


def test_split_moves_a_documents_mentions_to_a_new_entity(tmp_path, authority):
    res = curate(tmp_path, authority, """\
        - split: project/testihanke
          documents: [b]
          name: Testihanke II
        """)
    assert iri_in(res, "a", "Testihanke") == "project/testihanke"
    assert iri_in(res, "b", "Testihanke") == "project/testihanke-ii"
    assert next(e for e in res.entities if e.iri_key == "project/testihanke-ii").name == \
        "Testihanke II"
    assert all(f.object == "project/testihanke-ii" and f.curation
               for f in res.facts if f.doc_id == "b")


def test_rename_keeps_the_iri(tmp_path, authority):
    res = curate(tmp_path, authority, """\
        - rename: KOS
          name: KOS Kehitys
        """)
    ent = next(e for e in res.entities if e.iri_key == "organisation/kos")
    assert ent.name == "KOS Kehitys"


def test_set_type_moves_the_iri_to_the_types_path(tmp_path, authority):
    res = curate(tmp_path, authority, """\
        - set_type: organisation/kos
          type: Funding
        """)
    ent = next(e for e in res.entities if e.iri_key == "funding/kos")
    assert ent.type is EntityType.FUNDING
    assert not any(e.iri_key == "organisation/kos" for e in res.entities)


def test_reject_by_triple_and_by_sentence(tmp_path, authority):
    res = curate(tmp_path, authority, """\
        - reject: {subject: Euroopan sosiaalirahasto, relation: funds, object: Testihanke}
        - reject: {document: a, sentence: "hallinnoi kaakon"}
        """)
    assert not any(f.relation in (Relation.FUNDS, Relation.ADMINISTERS) for f in res.facts)
    assert [f.relation for f in res.facts] == [Relation.IMPLEMENTS]
    assert all(line.startswith("applied: ") and "1 fact left out" in line
               for line in res.curation)


def test_entries_that_match_nothing_are_reported(tmp_path, authority):
    res = curate(tmp_path, authority, """\
        - rename: Nonexistent Oy
          name: X
        - merge: [KOS, KOS]
        - reject: {document: a, sentence: "no such sentence"}
        - split: KOS
          documents: [a]
        """)
    assert len(res.curation) == 4
    assert all(line.startswith("no match: ") for line in res.curation), res.curation
    assert "no entity is 'Nonexistent Oy'" in res.curation[0]
    assert "already one entity" in res.curation[1]


def test_an_ambiguous_name_is_refused_not_guessed(tmp_path, authority):
    res = curate(tmp_path, authority, """\
        - rename: Testihanke
          name: X
        """)
    # both documents call the project Testihanke, but it is one entity: that is fine
    assert res.curation[0].startswith("applied")
    res = curate(tmp_path, authority, """\
        - split: project/testihanke
          documents: [b]
        - rename: Testihanke
          name: X
        """)
    assert res.curation[1].startswith("no match") and "several entities" in res.curation[1]


@pytest.mark.parametrize("text, message", [
    ("- merge: KOS\n", ":1: merge needs a list"),
    ("- rename: KOS\n", ":1: rename needs `name:`"),
    ("- frobnicate: KOS\n", ":1: an entry needs exactly one of"),
    ("- rename: KOS\n  name: X\n- set_type: KOS\n  type: Company\n", ":3: set_type needs"),
    ("- reject: {subject: KOS}\n", ":1: reject needs"),
    ("- reject: {subject: KOS, relation: owns, object: X}\n", "unknown relation 'owns'"),
    ("merge: [a, b]\n", "must be a YAML list"),
    ("- merge: [a, b\n", "not valid YAML"),
])
def test_a_broken_file_is_refused_with_file_and_line(tmp_path, text, message):
    path = tmp_path / "curation.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CurationError) as e:
        load_curation(path)
    assert "curation.yaml" in str(e.value) and message in str(e.value)
