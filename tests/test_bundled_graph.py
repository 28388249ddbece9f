"""What researchers rely on in the graph built from the bundled documents,
asked the way they ask: with SPARQL."""

from kg.settings import REPO_ROOT
from kg.store import select

PREFIXES = """
PREFIX hg: <https://w3id.org/hankegraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def ask(store, body: str) -> bool:
    return bool(store.query(PREFIXES + "ASK { " + body + " }"))


def test_build_summary_counts(bundled_build):
    _, report = bundled_build
    assert report.documents == 5 and not report.skipped
    assert report.entities_by_type["Municipality"] >= 8
    assert report.facts_by_relation["implements"] >= 6


def test_xamk_administers_parasta_itaa(bundled_store):
    t = select(bundled_store, PREFIXES + """
      SELECT ?org WHERE { ?o hg:administers ?p . ?p rdfs:label "PARASTA ITÄÄ!" .
                          ?o rdfs:label ?org }""")
    assert [r[0] for r in t.rows] == ["Kaakkois-Suomen ammattikorkeakoulu"]


def test_parasta_itaa_consortium(bundled_store):
    t = select(bundled_store, PREFIXES + """
      SELECT ?org WHERE { ?o hg:implements ?p . ?p rdfs:label "PARASTA ITÄÄ!" .
                          ?o rdfs:label ?org } ORDER BY ?org""")
    orgs = {r[0] for r in t.rows}
    assert {"LAB-ammattikorkeakoulu", "Savon Koulutuskuntayhtymä", "Kuopio",
            "Kuopion konservatorion kannatusyhdistys ry",
            "Tohtori Matthias Ingmanin säätiö sr"} <= orgs


def test_esf_funds_palvelutori_with_amount_and_share(bundled_store):
    t = select(bundled_store, PREFIXES + """
      SELECT ?amount ?share WHERE {
        ?g a hg:Grant ; hg:funder ?f ; hg:project ?p ; hg:amount ?amount ; hg:sharePercent ?share .
        ?f rdfs:label "Euroopan sosiaalirahasto" . ?p rdfs:label "Työllisyyden palvelutori" }""")
    assert t.rows == [["2886158", "80"]]
    assert ask(bundled_store, """?p rdfs:label "Työllisyyden palvelutori" ;
                                  hg:totalCost ?cost ; hg:fundedBy ?f .
                                  ?f rdfs:label "Euroopan sosiaalirahasto" .
                                  FILTER (?cost = 3607696)""")


def test_osaava_tyoika_period_and_seven_municipalities(bundled_store):
    t = select(bundled_store, PREFIXES + """
      SELECT ?start ?end WHERE { ?p rdfs:label "Osaava työikä" ; hg:startDate ?start ;
                                  hg:endDate ?end }""")
    assert t.rows == [["2025-01-01", "2026-12-31"]]
    t = select(bundled_store, PREFIXES + """
      SELECT ?name ?code WHERE { ?p rdfs:label "Osaava työikä" ; hg:targetArea ?m .
        ?m a hg:Municipality ; rdfs:label ?name ; hg:municipalityCode ?code } ORDER BY ?name""")
    assert t.rows == [["Joroinen", "171"], ["Kaavi", "204"], ["Kuopio", "297"],
                      ["Leppävirta", "420"], ["Siilinjärvi", "749"], ["Suonenjoki", "778"],
                      ["Varkaus", "915"]]


def test_every_fact_has_provenance(bundled_store):
    """Every shortcut triple has a statement with document, sentence, offsets, rule."""
    t = select(bundled_store, PREFIXES + """
      SELECT (COUNT(*) AS ?n) WHERE {
        ?s hg:administers|hg:implements|hg:partnerIn|hg:funds|hg:targetArea|hg:contactFor
           |hg:memberOf|hg:totalCost|hg:startDate|hg:endDate ?o .
        FILTER NOT EXISTS { ?st rdf:subject ?s ; rdf:object ?o ; prov:wasDerivedFrom ?d ;
                             hg:sentence ?sent ; hg:startOffset ?a ; hg:endOffset ?b ;
                             hg:extractedBy ?rule . ?d a hg:Document } }""")
    assert t.rows == [["0"]]


def test_offsets_point_at_the_sentence(bundled_store, bundled_build):
    from kg.settings import REPO_ROOT

    t = select(bundled_store, PREFIXES + """
      SELECT ?file ?sent ?a ?b WHERE { ?st a rdf:Statement ; prov:wasDerivedFrom ?d ;
        hg:sentence ?sent ; hg:startOffset ?a ; hg:endOffset ?b . ?d hg:fileName ?file }""")
    assert t.rows
    for file, sentence, a, b in t.rows:
        text = (REPO_ROOT / "data" / "docs" / file).read_text(encoding="utf-8")
        assert text[int(a):int(b)] == sentence


def test_no_phone_numbers_or_emails_in_the_graph(bundled_build):
    import re

    out, _ = bundled_build
    for name in ("hankegraph.trig", "hankegraph.ttl"):
        body = "\n".join(ln for ln in (out / name).read_text(encoding="utf-8").splitlines()
                         if not ln.startswith("@prefix"))
        # the sources have `040 831 6536`, `0295 024 162`, `p. 044 074 4674` and
        # `satu.tynkkynen(at)esedu.fi`, `anne.surakka (at) isonet.fi` in contact blocks
        assert not re.search(r"\b0\d{2,3}[ -]?\d{3}[ -]?\d{3,4}\b", body), name
        assert not re.search(r"\w\s?(\(at\)|@)\s?\w", body), name


def test_municipality_links_to_region_and_wikidata(bundled_store):
    assert ask(bundled_store, """?m hg:municipalityCode "297" ; hg:inRegion ?r ;
        <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q162279> .
        ?r hg:regionCode "11" ; rdfs:label "Pohjois-Savo" .""")


def test_readme_tour_shows_what_a_build_of_the_bundled_documents_prints(bundled_build):
    """The README's tour quotes `kg build`'s summary: its counts are those of a real
    build of data/docs with the code and model of this commit."""
    _, report = bundled_build
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    quoted = [line for line in report.summary().splitlines()
              if line.startswith(("documents:", "entities:", "facts:", "merges across"))]
    assert len(quoted) == 4
    for line in quoted:
        assert line in readme, f"README's tour is stale: a build prints {line!r}"
