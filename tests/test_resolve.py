"""Resolution across documents: one node per real actor, only on evidence, with the
reason recorded; business IDs from the text, check digit verified.

The cases here are hand-built extractions (what an extractor hands over), so that
each test checks resolution alone; tests/test_resolve_pairs.py runs the real
extractor on sentences."""

from __future__ import annotations

import hashlib

import pytest

from kg.authority import load_authority
from kg.model import Claim, Document, EntityType, Extraction, Mention, Relation, Span
from kg.resolve import normalised_name, resolve
from kg.resolve.business_id import valid_business_id
from kg.settings import Settings

ORG, PERSON, PROJECT = EntityType.ORGANISATION, EntityType.PERSON, EntityType.PROJECT


@pytest.fixture(scope="module")
def authority():
    return load_authority(Settings().authority_dir)


def doc(doc_id: str, *mentions: tuple, text: str | None = None, claims=()) -> Extraction:
    """An extraction of one document: mentions as (key, type, name[, alias?[, authority_id]]);
    the text holds every name on a line of its own unless given."""
    names = [m[2] for m in mentions]
    text = text if text is not None else "\n".join(names)
    out, pos = [], 0
    for m in mentions:
        key, etype, name = m[:3]
        alias = len(m) > 3 and m[3]
        start = text.find(name, pos if not alias else 0)
        start = max(start, 0)
        out.append(Mention(key, etype, name, name, Span(start, start + len(name), text),
                           "test.alias" if alias else "test", 1.0,
                           m[4] if len(m) > 4 else None))
        if not alias:
            pos = start + len(name)
    d = Document(doc_id, f"{doc_id}.txt", text, hashlib.sha256(text.encode()).hexdigest())
    return Extraction(d, tuple(out), tuple(claims), "test")


def iri_in(res, doc_id: str, name: str) -> str:
    hits = [e.iri_key for e in res.entities
            if name in dict(e.names_by_document).get(doc_id, ())]
    assert len(hits) == 1, f"{name!r} in {doc_id}: {hits}"
    return hits[0]


def note(res, iri: str, doc_id: str) -> str:
    return dict(next(e for e in res.entities if e.iri_key == iri).notes)[doc_id]


# ------------------------------------------------------------------ business IDs

@pytest.mark.parametrize("value, valid", [
    ("1481499-6", True),    # Posintra Oy (a12 of the dev corpus)
    ("2397496-7", True),    # Novago Yrityskehitys Oy
    ("0116297-6", True),    # a check digit from 11 − remainder
    ("1000002-0", True),    # 7 + 2·2 = 11: remainder 0 → check digit 0
    ("1481499-5", False),   # wrong check digit
    ("1234567-8", False),
    ("0000001-0", False),   # 7·0…+2·1 = 2 → check digit 9, not 0
    ("1000000-0", False),   # remainder 7 → check digit 4
    ("0000004-9", False),   # 4·2 = 8 → 3
    ("148149-6", False),    # not seven digits
])
def test_business_id_check_digit(value, valid):
    assert valid_business_id(value) is valid


def test_remainder_one_is_never_a_valid_business_id():
    # digits whose weighted sum leaves 1: no check digit makes them valid
    digits = next(f"{n:07d}" for n in range(10**6, 10**7)
                  if sum(int(d) * w for d, w in zip(f"{n:07d}", (7, 9, 10, 5, 8, 4, 2),
                                                    strict=True)) % 11 == 1)
    assert not any(valid_business_id(f"{digits}-{c}") for c in range(10))


def test_business_ids_beside_names_in_the_text(authority):
    text = ("Osatoteuttajat\n\nNovago Yrityskehitys Oy, 2397496-7\n"
            "Posintra Oy (Y-tunnus 1481499-6) ja Keuke Oy\n"
            "Väärä Oy, Y-tunnus: 1481499-5\n\n"
            "2 Hakijan perustiedot\n\nHakijan virallinen nimi: Laurea-ammattikorkeakoulu Oy\n\n"
            "Organisaatiotyyppi: Ammattikorkeakoulu\n\nY-tunnus: 1046216-1\n\n"
            "Hanketta tukee Kuopion kaupunki. Numero 0116297-6 ei ole sen.")
    ex = doc("d1", ("Organisation:novago", ORG, "Novago Yrityskehitys Oy"),
             ("Organisation:posintra", ORG, "Posintra Oy"),
             ("Organisation:keuke", ORG, "Keuke Oy"),
             ("Organisation:vaara", ORG, "Väärä Oy"),
             ("org:Laurea-ammattikorkeakoulu", ORG, "Laurea-ammattikorkeakoulu Oy", False,
              "org:Laurea-ammattikorkeakoulu"),
             ("municipality:297", EntityType.MUNICIPALITY, "Kuopion kaupunki", False,
              "municipality:297"),
             text=text)
    res = resolve([ex], authority)
    ids = {e.iri_key: e.business_ids for e in res.entities}
    assert ids["organisation/novago-yrityskehitys"] == (("d1", "2397496-7"),)
    assert ids["organisation/posintra"] == (("d1", "1481499-6"),)
    assert ids["organisation/laurea-ammattikorkeakoulu"] == (("d1", "1046216-1"),)
    assert ids["organisation/keuke"] == ()  # the ID stands beside Posintra, not beside it
    assert ids["organisation/vaara"] == ()
    assert "check digit is wrong" in note(res, "organisation/vaara", "d1")
    assert ids["municipality/297"] == ()  # a number later in the sentence is not its ID


def test_conflicting_business_ids_are_not_carried(authority):
    a = doc("a", ("Organisation:posintra oy", ORG, "Posintra Oy"), text="Posintra Oy, 1481499-6")
    b = doc("b", ("Organisation:posintra oy", ORG, "Posintra Oy"), text="Posintra Oy, 2397496-7")
    res = resolve([a, b], authority)
    ent = next(e for e in res.entities if e.iri_key == "organisation/posintra")
    assert ent.business_ids == ()
    assert "2 different ones" in dict(ent.notes)["a"]


# ------------------------------------------------------------------ identity

@pytest.mark.parametrize("a, b", [
    ("LAB ammattikorkeakoulu Oy", "LAB-ammattikorkeakoulu"),
    ("Posintra Oy", "Posintra"),
    ("Oulun Ammattikorkeakoulu Oy", "Oulun ammattikorkeakoulu"),
    ("Kuopion konservatorion kannatusyhdistys ry", "Kuopion Konservatorion kannatusyhdistys"),
])
def test_normalised_names_agree(a, b):
    assert normalised_name(a) == normalised_name(b)


def test_legal_form_insensitive_match_reaches_the_authority_record(authority):
    a = doc("a", ("Organisation:lab ammattikorkeakoulu oy", ORG, "LAB ammattikorkeakoulu Oy"))
    b = doc("b", ("org:LAB-ammattikorkeakoulu", ORG, "LAB-ammattikorkeakoulu", False,
                  "org:LAB-ammattikorkeakoulu"))
    res = resolve([a, b], authority)
    iri = iri_in(res, "a", "LAB ammattikorkeakoulu Oy")
    assert iri == iri_in(res, "b", "LAB-ammattikorkeakoulu")
    assert iri == "organisation/lab-ammattikorkeakoulu"
    assert "authority record LAB-ammattikorkeakoulu" in note(res, iri, "a")


def test_a_name_defined_in_one_document_joins_another_documents_entity(authority):
    a = doc("a", ("Organisation:pkky", ORG, "Pohjois-Karjalan koulutuskuntayhtymä"),
            ("Organisation:pkky", ORG, "PKKY", True))
    b = doc("b", ("Organisation:pkky", ORG, "PKKY"))
    res = resolve([a, b], authority)
    iri = iri_in(res, "a", "Pohjois-Karjalan koulutuskuntayhtymä")
    assert iri_in(res, "b", "PKKY") == iri == "organisation/pohjois-karjalan-koulutuskuntayhtyma"
    assert "document a gives" in note(res, iri, "b") and "'PKKY'" in note(res, iri, "b")
    assert any(m.startswith(iri) for m in res.merges)


def test_a_name_two_entities_define_joins_neither(authority):
    a = doc("a", ("k", ORG, "Alfa Beta Centre"), ("k", ORG, "ABC", True))
    c = doc("c", ("k", ORG, "Another Business Cluster"), ("k", ORG, "ABC", True))
    b = doc("b", ("k", ORG, "ABC"))
    res = resolve([a, b, c], authority)
    alone = iri_in(res, "b", "ABC")
    assert alone not in {iri_in(res, "a", "Alfa Beta Centre"),
                         iri_in(res, "c", "Another Business Cluster")}
    assert "not joined" in note(res, alone, "b")


def test_no_chains_of_definitions(authority):
    # a: X is also called Yname; b: Yname is also called Zname; c: only Zname.
    a = doc("a", ("k", ORG, "Xname Group"), ("k", ORG, "Yname Group", True))
    b = doc("b", ("k", ORG, "Yname Group"), ("k", ORG, "Zname Group", True))
    c = doc("c", ("k", ORG, "Zname Group"))
    res = resolve([a, b, c], authority)
    assert iri_in(res, "a", "Xname Group") == iri_in(res, "b", "Yname Group")
    assert iri_in(res, "c", "Zname Group") != iri_in(res, "a", "Xname Group")
    assert "no chains" in note(res, iri_in(res, "c", "Zname Group"), "c")


def test_a_document_that_names_two_apart_keeps_them_apart(authority):
    a = doc("a", ("k1", ORG, "Vamos"), ("k1", ORG, "Vamos Oulu", True))
    b = doc("b", ("k1", ORG, "Vamos Oulu"), ("k2", ORG, "Vamos"))
    res = resolve([a, b], authority)
    assert iri_in(res, "b", "Vamos Oulu") != iri_in(res, "b", "Vamos")


def test_generic_names_stay_within_their_document(authority):
    a = doc("a", ("Organisation:ely-keskus", ORG, "ELY-keskus"))
    b = doc("b", ("Organisation:ely-keskus", ORG, "ELY-keskus"))
    res = resolve([a, b], authority)
    assert iri_in(res, "a", "ELY-keskus") != iri_in(res, "b", "ELY-keskus")
    assert "several authority records" in note(res, iri_in(res, "a", "ELY-keskus"), "a")


def test_namesakes_join_only_through_a_shared_organisation(authority):
    def person_doc(doc_id, org_key, org_name, authority_id=None):
        text = f"Matti Meikäläinen, {org_name}"
        return doc(doc_id, ("Person:matti", PERSON, "Matti Meikäläinen"),
                   (org_key, ORG, org_name, False, authority_id),
                   text=text, claims=(Claim(Relation.MEMBER_OF, "Person:matti", org_key, None,
                                            Span(0, len(text), text), "test"),))
    savonia = "org:Savonia-ammattikorkeakoulu"
    a = person_doc("a", savonia, "Savonia-ammattikorkeakoulu", savonia)
    b = person_doc("b", savonia, "Savonia-ammattikorkeakoulu", savonia)
    c = person_doc("c", "Organisation:posintra", "Posintra Oy")
    res = resolve([a, b, c], authority)
    assert iri_in(res, "a", "Matti Meikäläinen") == iri_in(res, "b", "Matti Meikäläinen")
    assert iri_in(res, "c", "Matti Meikäläinen") != iri_in(res, "a", "Matti Meikäläinen")
    assert "kept apart" in note(res, iri_in(res, "c", "Matti Meikäläinen"), "c")


def test_iris_that_slug_alike_stay_apart(authority):
    a = doc("a", ("k", ORG, "Ääni ry"))
    b = doc("b", ("k", ORG, "Aani ry"))
    res = resolve([a, b], authority)
    ia, ib = iri_in(res, "a", "Ääni ry"), iri_in(res, "b", "Aani ry")
    assert ia != ib and ia.startswith("organisation/aani") and ib.startswith("organisation/aani")


def test_every_entity_says_why_in_each_of_its_documents(authority):
    a = doc("a", ("municipality:297", EntityType.MUNICIPALITY, "Kuopio", False,
                  "municipality:297"), ("p", PROJECT, "Testihanke"))
    res = resolve([a], authority)
    for e in res.entities:
        for d, _names in e.names_by_document:
            assert dict(e.notes)[d].strip(), e.iri_key
    assert "municipalityCode 297" in note(res, "municipality/297", "a")


def test_a_fact_stated_twice_through_two_mentions_of_one_entity_is_one_fact(authority):
    """`Kuopio` and `Kuopion kaupunki` are one entity: their two funding claims for one
    project are one fact (one Grant node, one provenance), the more probable one, with
    the amount the other gave; a date stated twice keeps both statements."""
    text = "Kuopio\nKuopion kaupunki\nTesti\n"
    muni = EntityType.MUNICIPALITY
    ex = doc("d1", ("a", muni, "Kuopio", False, "municipality:297"),
             ("b", muni, "Kuopion kaupunki", False, "municipality:297"),
             ("p", PROJECT, "Testi"), text=text,
             claims=(Claim(Relation.FUNDS, "a", "p", None, Span(0, 6, "Kuopio"), "r1", 0.6,
                           amount_eur=1000.0),
                     Claim(Relation.FUNDS, "b", "p", None, Span(7, 23, "Kuopion kaupunki"),
                           "r2", 0.9),
                     Claim(Relation.START_DATE, "p", None, "2024", Span(0, 6, "Kuopio"), "r3",
                           0.5),
                     Claim(Relation.START_DATE, "p", None, "2024", Span(24, 29, "Testi"), "r3",
                           0.7)))
    res = resolve([ex], authority)
    funds = [f for f in res.facts if f.relation is Relation.FUNDS]
    assert len(funds) == 1
    assert (funds[0].confidence, funds[0].rule, funds[0].amount_eur) == (0.9, "r2", 1000.0)
    dates = [f for f in res.facts if f.relation is Relation.START_DATE]
    assert [f.confidence for f in dates] == [0.7, 0.7]
