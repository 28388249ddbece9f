"""Resolution with the real extractor: hard pairs that must and must not merge, IRIs
that do not depend on reading order, codes on every place node, `kg explain` and
curation through `kg build`, and no duplicate node for an actor the dev gold names
in several documents."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kg.authority import fold, load_authority
from kg.model import Document
from kg.resolve import resolve
from kg.settings import Settings
from tests.conftest import require_dev_corpus

MERGE, APART = True, False

#: (sentence of document A, a name there, sentence of document B, a name there, merge?)
PAIRS = [
    ("Hanketta hallinnoi Kaakkois-Suomen ammattikorkeakoulu.", "Kaakkois-Suomen ammattikorkeakoulu",
     "XAMK toimii projektin hallinnoijana.", "XAMK", MERGE),
    ("Xamk toteuttaa hankkeen.", "Xamk", "XAMK toimii projektin hallinnoijana.", "XAMK", MERGE),
    ("Hanketta hallinnoi Kuopion kaupunki.", "Kuopion kaupunki",
     "Hanke toteutetaan Kuopiossa.", "Kuopio", MERGE),
    ("Osatoteuttajat: LAB ammattikorkeakoulu Oy, Savonia-ammattikorkeakoulu Oy.",
     "LAB ammattikorkeakoulu Oy", "Hanketta hallinnoi LAB-ammattikorkeakoulu.",
     "LAB-ammattikorkeakoulu", MERGE),
    ("Rahoittaja: Euroopan sosiaalirahasto (ESR).", "Euroopan sosiaalirahasto",
     "Hanketta rahoittaa ESR.", "ESR", MERGE),
    ("Hanketta rahoittaa Etelä-Savon liitto.", "Etelä-Savon liitto",
     "Hanketta rahoittaa Etelä-Savon maakuntaliitto.", "Etelä-Savon maakuntaliitto", MERGE),
    ("Hanketta rahoittaa TEM.", "TEM", "Hanketta rahoittaa työ- ja elinkeinoministeriö.",
     "Työ- ja elinkeinoministeriö", MERGE),
    ("Hanketta rahoittaa Pohjois-Savon liitto.", "Pohjois-Savon liitto",
     "Hankkeessa on mukana Pohjois-Savon hyvinvointialue.", "Pohjois-Savon hyvinvointialue",
     APART),
    ("Hanketta rahoittaa Etelä-Savon ELY-keskus.", "Etelä-Savon ELY-keskus",
     "Hanketta rahoittaa Pohjois-Savon ELY-keskus.", "Pohjois-Savon ELY-keskus", APART),
    ("Rahoittaja: Euroopan sosiaalirahasto (ESR).", "Euroopan sosiaalirahasto",
     "Hanketta rahoittaa Euroopan sosiaalirahasto plus.", "Euroopan sosiaalirahasto plus", APART),
    ("Hanketta rahoittaa Kymenlaakson liitto.", "Kymenlaakson liitto",
     "Hanke toteutetaan Kymenlaaksossa.", "Kymenlaakso", APART),
    ("Hanke toteutetaan Kuopiossa.", "Kuopio", "Hanke toteutetaan Pohjois-Savossa.",
     "Pohjois-Savo", APART),
    ("Osatoteuttajat: LAB ammattikorkeakoulu Oy, Savonia-ammattikorkeakoulu Oy.",
     "Savonia-ammattikorkeakoulu", "Hanketta hallinnoi LAB-ammattikorkeakoulu.",
     "LAB-ammattikorkeakoulu", APART),
]


def _document(doc_id: str, text: str) -> Document:
    return Document(doc_id, f"{doc_id}.txt", text, hashlib.sha256(text.encode()).hexdigest())


@pytest.fixture(scope="module")
def authority():
    return load_authority(Settings().authority_dir)


@pytest.mark.parametrize("text_a, name_a, text_b, name_b, merge", PAIRS,
                         ids=[f"{'merge' if p[4] else 'apart'}:{p[1]}~{p[3]}" for p in PAIRS])
def test_hard_pairs(extractor, authority, text_a, name_a, text_b, name_b, merge):
    extractions = [extractor(_document("a", text_a)), extractor(_document("b", text_b))]
    for ex, name in zip(extractions, (name_a, name_b), strict=True):
        found = {fold(m.name) for m in ex.mentions}
        assert fold(name) in found, f"extraction did not find {name!r} in {ex.document.text!r}"
    res = resolve(extractions, authority)

    def iri(doc_id, name):
        hits = {e.iri_key for e in res.entities
                if fold(name) in {fold(n) for n in dict(e.names_by_document).get(doc_id, ())}}
        assert len(hits) == 1, (doc_id, name, hits)
        return hits.pop()

    assert (iri("a", name_a) == iri("b", name_b)) is merge


# ------------------------------------------------------------------ IRI stability

DEV_SAMPLE = ("000_627cb13f61fc82fc", "001_66c3dafe070e6096", "002_6b060d06805232de",
              "a12", "b02")


@pytest.fixture(scope="module")
def dev_extractions(extractor):
    """Real extractions of a few dev documents that share actors, computed once."""
    from kg.ingest import read_documents

    dev = require_dev_corpus()
    docs = list(read_documents([dev / f"{d}.txt" for d in DEV_SAMPLE], 20_000_000, True))
    return [extractor(d) for d in docs]


@hsettings(max_examples=25, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_iris_do_not_depend_on_reading_order(dev_extractions, authority, seed):
    expected = resolve(dev_extractions, authority)
    rnd = random.Random(seed)
    shuffled = [replace(e, mentions=tuple(rnd.sample(e.mentions, len(e.mentions))),
                        claims=tuple(rnd.sample(e.claims, len(e.claims))))
                for e in rnd.sample(dev_extractions, len(dev_extractions))]
    got = resolve(shuffled, authority)
    assert got.entities == expected.entities
    assert got.facts == expected.facts
    assert got.merges == expected.merges


def test_the_sample_shares_actors_across_documents(dev_extractions, authority):
    """The order test above means something only if entities span documents."""
    res = resolve(dev_extractions, authority)
    assert sum(len(e.names_by_document) > 1 for e in res.entities) >= 5
    assert "organisation/kaakkois-suomen-ammattikorkeakoulu" in {e.iri_key for e in res.entities}


# ------------------------------------------------------------------ places and their codes

CODES = """
PREFIX hg: <https://w3id.org/hankegraph/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?e ?class ?label ?code ?region ?county ?wikidata WHERE {
  VALUES ?class { hg:Municipality hg:Region }
  ?e a ?class ; rdfs:label ?label .
  OPTIONAL { ?e hg:municipalityCode|hg:regionCode|hg:subregionCode ?code }
  OPTIONAL { ?e hg:inRegion ?region } OPTIONAL { ?e hg:inWellbeingCounty ?county }
  OPTIONAL { ?e owl:sameAs ?wikidata }
}"""


def test_every_municipality_and_finnish_region_node_has_its_code(bundled_store, authority):
    rows = list(bundled_store.query(CODES))
    assert rows
    region_names = {fold(n) for r in authority.records.values()
                    if r.authority_id.startswith(("region:", "subregion:")) for n in r.names}
    for s in rows:
        label, cls = s["label"].value, s["class"].value.rsplit("#", 1)[-1]
        if cls == "Municipality":
            assert s["code"] is not None and s["region"] is not None, label
            rec = authority.records[f"municipality:{s['code'].value}"]
            if rec.same_as:
                assert s["wikidata"] is not None, label
        elif fold(label) in region_names:  # a Finnish region or subregion by its name
            assert s["code"] is not None, f"{label} has no Statistics Finland code"


def test_regional_councils_link_to_their_region(bundled_store):
    rows = list(bundled_store.query("""
        PREFIX hg: <https://w3id.org/hankegraph/ontology#>
        SELECT ?c ?r WHERE { ?c hg:organisationType "maakunnan_liitto" .
                             OPTIONAL { ?c hg:regionalCouncilOf ?r . ?r hg:regionCode ?code } }"""))
    assert rows, "the bundled documents name regional councils"
    assert all(s["r"] is not None for s in rows), rows


# ------------------------------------------------------------------ through the CLI

DOC_A = ("Testihanke\n\nHanketta Testihanke hallinnoi Kaakkois-Suomen ammattikorkeakoulu (Xamk). "
         "Osatoteuttajana on Posintra Oy (Y-tunnus 1481499-6). Hanketta rahoittaa "
         "Kymenlaakson liitto.\n")
DOC_B = ("Toinen hanke\n\nXAMK toimii Toinen-hankkeen hallinnoijana. Hanke toteutetaan "
         "Kouvolassa ja Kotkassa.\n")


def test_build_explain_and_curation_round_trip(tmp_path, capsys):
    from kg.cli import main

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(DOC_A, encoding="utf-8")
    (docs / "b.txt").write_text(DOC_B, encoding="utf-8")
    curation = tmp_path / "curation.yaml"
    curation.write_text("- rename: organisation/posintra\n  name: Posintra Oy\n"
                        "- merge: [Nonexistent ry, Posintra]\n", encoding="utf-8")
    out = tmp_path / "ttl"
    args = ["--no-progress", "build", str(docs), "--out", str(out), "--no-cache",
            "--curation", str(curation)]
    assert main(args) == 0
    summary = capsys.readouterr().out
    assert "curation: 1 applied, 1 matched nothing" in summary
    assert "no match: " in summary and "Nonexistent ry" in summary
    first = (out / "hankegraph.trig").read_bytes()
    assert main(args) == 0  # the curation survives a rebuild, byte for byte
    assert (out / "hankegraph.trig").read_bytes() == first
    capsys.readouterr()

    assert main(["explain", "xamk", "--data", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("organisation/kaakkois-suomen-ammattikorkeakoulu")
    assert "named in 2 documents" in text and "institutionCode: 10118" in text
    assert "a.txt: " in text and "b.txt: " in text and "XAMK" in text
    assert "why: " in text

    assert main(["explain", "Posintra Oy", "--data", str(out)]) == 0
    text = capsys.readouterr().out
    assert "businessId: 1481499-6" in text and "curated: " in text and "rename" in text

    assert main(["explain", "municipality/286", "--data", str(out)]) == 0
    text = capsys.readouterr().out
    assert "municipalityCode: 286" in text and "inRegion: region/08 (Kymenlaakso)" in text

    assert main(["explain", "Nobody", "--data", str(out)]) == 2
    assert "no entity" in capsys.readouterr().err


def test_a_broken_curation_file_stops_the_build_and_keeps_the_dataset(tmp_path, capsys):
    from kg.cli import main

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(DOC_A, encoding="utf-8")
    out = tmp_path / "ttl"
    assert main(["--no-progress", "build", str(docs), "--out", str(out), "--no-cache"]) == 0
    before = (out / "hankegraph.trig").read_bytes()
    bad = tmp_path / "curation.yaml"
    bad.write_text("- rename: Posintra\n", encoding="utf-8")
    assert main(["--no-progress", "build", str(docs), "--out", str(out), "--no-cache",
                 "--curation", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "curation.yaml:1: rename needs `name:`" in err
    assert (out / "hankegraph.trig").read_bytes() == before


# ------------------------------------------------------------------ the dev corpus

def _gold_actors(dev: Path) -> list[tuple[str, set[str], set[str]]]:
    """Gold entities of several documents that are one actor: the same type and the
    same full name. An alias alone does not make one actor: `Maakunnan
    yhteistyöryhmä` is a short form of a different group in each region. Returns
    (type, names, documents) per actor."""
    parent: dict = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x
    first: dict = {}
    members = []
    for f in sorted(dev.glob("*.json")):
        for e in json.loads(f.read_text(encoding="utf-8"))["entities"]:
            node = (f.stem, e["key"])
            members.append((node, e))
            root(node)
            k = (e["type"], fold(e["name"]))
            if k in first:
                parent[root(node)] = root(first[k])
            else:
                first[k] = node
    groups: dict = defaultdict(lambda: [None, set(), set()])
    for node, e in members:
        g = groups[root(node)]
        g[0] = e["type"]
        g[1].add(fold(e["name"]))  # the full name: a bare alias may be another body
        g[2].add(node[0])
    return [tuple(g) for g in groups.values() if len(g[2]) >= 2]


def _generic_names(authority_dir: Path) -> set[str]:
    """Names that end the names of several authority records (`ELY-keskus` ends
    `Etelä-Savon ELY-keskus` and `Kainuun ELY-keskus`): alone they name no one body."""
    tails: Counter = Counter()
    for rec in load_authority(authority_dir).records.values():
        tails.update({" ".join(fold(n).split()[i:]) for n in rec.names
                      for i in range(1, len(fold(n).split()))})
    return {n for n, c in tails.items() if c >= 2}


@pytest.mark.slow
def test_no_duplicate_node_for_an_actor_the_gold_names_in_several_documents(tmp_path):
    from kg.build import build
    from kg.evaluate import predictions_from_store
    from kg.store import open_store

    dev = require_dev_corpus()
    settings = Settings(progress=False)
    report = build(sorted(dev.glob("*.txt")), settings, out_dir=tmp_path)
    assert report.documents == len(list(dev.glob("*.txt")))
    predicted = predictions_from_store(open_store(tmp_path), settings.base_iri,
                                       sorted(p.stem for p in dev.glob("*.txt")))
    actors = _gold_actors(dev)
    generic = _generic_names(settings.authority_dir)
    assert len(actors) >= 20
    checked = 0
    for etype, names, docs in actors:
        if etype == "Person":
            continue  # namesakes join only through a shared organisation (kg/resolve)
        if names & generic:
            continue  # `ELY-keskus`: one of several bodies, told apart only in its document
        iris: dict[str, set[str]] = defaultdict(set)
        for d in docs:
            for ent in predicted[f"{d}.txt"]["entities"]:
                if ent["type"] == etype and names & {fold(n) for n in
                                                     [ent["name"], *ent["aliases"]]}:
                    iris[ent["key"]].add(d)
        found_in = set().union(*iris.values()) if iris else set()
        if len(found_in) < 2:
            continue  # extraction found it in one document only: nothing to resolve
        checked += 1
        assert len(iris) == 1, f"{etype} {sorted(names)} is {len(iris)} nodes: {dict(iris)}"
    assert checked >= 20


def test_extractions_and_facts_spooled_on_disk_resolve_alike(dev_extractions, authority):
    """`kg build` keeps its extractions on disk (kg.cache.ExtractionSpool), resolution
    reads them from there several times over and writes the facts to disk too
    (kg.cache.FactSpool), and the graph reads those a document at a time: the same
    resolution and the same graph as from lists in memory."""
    from kg.cache import ExtractionSpool, FactSpool
    from kg.graph.rdf import GraphBuilder

    spool, facts = ExtractionSpool(), FactSpool()
    try:
        for e in reversed(dev_extractions):
            spool.add(e)
        assert [e.document.doc_id for e in spool] == sorted(e.document.doc_id
                                                            for e in dev_extractions)
        both = zip(spool, spool, strict=True)  # two readings at once do not disturb each other
        assert all(a == b for a, b in both)
        got = resolve(spool, authority, fact_spool=facts)
        expected = resolve(dev_extractions, authority)
        assert got.facts is facts and tuple(facts) == expected.facts
        assert len(facts) == len(expected.facts)
        some = expected.facts[0].doc_id
        assert facts.of(some) == [f for f in expected.facts if f.doc_id == some]
        assert facts.of("no such document") == []
        assert (got.entities, got.merges, got.documents) == \
            (expected.entities, expected.merges, expected.documents)
        assert all(d.text == "" for d in got.documents)  # no corpus text kept
        builder = GraphBuilder("https://w3id.org/hankegraph/")
        assert list(builder.graphs(got)) == list(builder.graphs(expected))
    finally:
        spool.close()
        facts.close()
