"""Mentions in real sentence shapes: names the model cuts, inflected names,
acronyms, list layouts. Each row is a sentence and the names that must come out."""

import pytest

from kg.model import Document, EntityType


def doc(text: str) -> Document:
    return Document(doc_id="t", path="t.txt", text=text, checksum="0")


def names(extraction, etype=None):
    return {(m.type, m.name) for m in extraction.mentions
            if not m.rule.endswith(".alias") and (etype is None or m.type is etype)}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Tiedot saatiin Etelä-Savon maakuntaliitosta.",
         {(EntityType.ORGANISATION, "Etelä-Savon maakuntaliitto")}),
        ("Tuki myönnettiin Kaakkois-Suomen ammattikorkeakoululle.",
         {(EntityType.ORGANISATION, "Kaakkois-Suomen ammattikorkeakoulu")}),
        ("Mukana on Etelä-Savon sosiaali- ja terveyspalvelujen kuntayhtymä.",
         {(EntityType.ORGANISATION, "Etelä-Savon sosiaali- ja terveyspalvelujen kuntayhtymä"),
          }),
        ("Osatoteuttaja on Kuopion konservatorion kannatusyhdistys ry.",
         {(EntityType.ORGANISATION, "Kuopion konservatorion kannatusyhdistys ry")}),
        ("Hanketta toteuttaa Prizztech Oy:lle myönnetyllä tuella.",
         {(EntityType.ORGANISATION, "Prizztech Oy")}),
    ],
)
def test_organisation_names(extractor, text, expected):
    assert expected <= names(extractor(doc(text)))


def test_municipality_as_place_and_as_actor(extractor):
    e = extractor(doc("Hanke toimii Kuopiossa. Hakijana on Kuopion kaupunki."))
    munis = [m for m in e.mentions
             if m.type is EntityType.MUNICIPALITY and not m.rule.endswith(".alias")]
    assert {m.name for m in munis} == {"Kuopio"}
    assert {m.authority_id for m in munis} == {"municipality:297"}
    assert {m.surface for m in munis} == {"Kuopiossa", "Kuopion kaupunki"}


def test_person_next_to_organisation_is_not_part_of_it(extractor):
    e = extractor(doc("totesi Riitta Koskinen Etelä-Savon maakuntaliitosta."))
    assert (EntityType.PERSON, "Riitta Koskinen") in names(e)
    assert (EntityType.ORGANISATION, "Etelä-Savon maakuntaliitto") in names(e)


def test_acronym_in_brackets_stands_for_the_name_later(extractor):
    e = extractor(doc("Hanketta hallinnoi Itä-Suomen sosiaalialan osaamiskeskus (ISO).\n"
                      "Lisätietoja ISO:n verkkosivuilla."))
    iso = [m for m in e.mentions if m.surface == "ISO"]
    assert iso and all(m.key == "Organisation:itä-suomen sosiaalialan osaamiskeskus" for m in iso)


@pytest.mark.parametrize(
    "text, project",
    [
        ("PARASTA ITÄÄ! -hanke kohdistuu yhteistekemiseen.", "PARASTA ITÄÄ!"),
        ("Hankkeen nimi on ”Osaava työikä”.", "Osaava työikä"),
        ("Rauman kaupungille myönnettiin rahaa Luovien alojen verkosto-projektin "
         "rahoittamiseen.", "Luovien alojen verkosto"),
    ],
)
def test_project_names(extractor, text, project):
    assert (EntityType.PROJECT, project) in names(extractor(doc(text)))


def test_authority_acronyms_and_funds(extractor):
    e = extractor(doc("Rahoitus: ESR ja TEM. Hanke saa EAKR:n tukea."))
    found = {(m.type, m.name) for m in e.mentions}
    assert (EntityType.FUNDING, "Euroopan sosiaalirahasto") in found
    assert (EntityType.ORGANISATION, "Työ- ja elinkeinoministeriö") in found
    assert (EntityType.FUNDING, "Euroopan aluekehitysrahasto") in found


def test_ambiguous_acronym_is_not_guessed(extractor):
    # every ELY centre is "ELY": the bare acronym names none of them
    e = extractor(doc("ELY päätti asiasta."))
    assert not [m for m in e.mentions if m.authority_id and "ELY" in m.authority_id]


def test_unit_of_a_known_organisation_is_part_of_it(extractor):
    e = extractor(doc("Mukana on Helsingin yliopiston Kestävyystieteen instituutti."))
    names_found = names(e, EntityType.ORGANISATION)
    assert (EntityType.ORGANISATION, "Helsingin yliopisto") in names_found
    part = [c for c in e.claims if c.relation.value == "part_of"]
    assert [(c.subject, c.object) for c in part] == [
        ("Organisation:helsingin yliopiston kestävyystieteen instituutti",
         "org:Helsingin yliopisto")]


def test_bilingual_name_is_one_organisation(extractor):
    e = extractor(doc("• Kylien tulevaisuus, Länsi-Suomen puuklusteri ry, "
                      "Västra Finlands träkluster rf, 12 000 €"))
    keys = {m.key for m in e.mentions if m.type is EntityType.ORGANISATION}
    assert keys == {"Organisation:länsi-suomen puuklusteri ry"}


def test_english_partner_names(extractor):
    e = extractor(doc("Kumppanit: Riga Technical University, City of Tartu, "
                      "Baltic Institute of Design"))
    assert {"Riga Technical University", "City of Tartu", "Baltic Institute of Design"} <= {
        m.name for m in e.mentions if m.type is EntityType.ORGANISATION}


def test_form_contact_name_surname_first(extractor):
    e = extractor(doc("Hankkeen yhteyshenkilön nimi: Korhonen Matti"))
    assert (EntityType.PERSON, "Korhonen Matti") in names(e)


@pytest.mark.parametrize("word", ["hankkeessa", "hankkeelle", "hankkeen", "projektiin"])
def test_project_marker_in_any_case(extractor, word):
    e = extractor(doc(f"Tuki myönnettiin Kylätie 2030 -{word} viime vuonna."))
    assert (EntityType.PROJECT, "Kylätie 2030") in names(e)


def test_plural_marker_is_no_project_name(extractor):
    e = extractor(doc("Valtionavustus -hankkeiden siirto käsiteltiin."))
    assert not names(e, EntityType.PROJECT)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hanketta hallinnoi Kuopion kaupunki.", {("Municipality", "Kuopio")}),
        ("Tuki myönnettiin Kuopion kaupungille.", {("Municipality", "Kuopio")}),
        ("Rahoitus tulee Pohjois-Savon liitolta.", {("Organisation", "Pohjois-Savon liitto")}),
        ("Hanke toteutetaan Pohjois-Savon maakunnassa.", {("Region", "Pohjois-Savo")}),
        ("Tuki myönnettiin Savonia-ammattikorkeakoululle.",
         {("Organisation", "Savonia-ammattikorkeakoulu")}),
        ("Hanke saa rahoitusta Euroopan aluekehitysrahastosta.",
         {("Funding", "Euroopan aluekehitysrahasto")}),
        ("Hankkeen kumppaneina ovat Joensuun kaupunki ja Pohjois-Karjalan koulutuskuntayhtymä.",
         {("Municipality", "Joensuu"), ("Organisation", "Pohjois-Karjalan koulutuskuntayhtymä")}),
        ("Hakijana on Keski-Suomen yrittäjät ry.", {("Organisation", "Keski-Suomen yrittäjät ry")}),
        ("Mukana ovat myös Rovaniemen, Kemin ja Tornion kaupungit.",
         {("Municipality", "Rovaniemi"), ("Municipality", "Kemi"), ("Municipality", "Tornio")}),
    ],
)
def test_inflected_names_table(extractor, text, expected):
    found = {(t.value, n) for t, n in names(extractor(doc(text)))}
    assert expected == found


@pytest.mark.parametrize("text, person", [
    ("Lisätietoja antaa projektipäällikkö Torbjörn Lindqvist.", "Torbjörn Lindqvist"),
    ("Projektipäällikkö Ingmar Backlund, puh. 040 1234567", "Ingmar Backlund"),
    ("Lisätietoja: Viljo Rantakangas, projektipäällikkö", "Viljo Rantakangas"),
    ("Hankkeen vetäjänä toimii Kaija Vilppola.", "Kaija Vilppola"),
])
def test_person_names_voikko_does_not_know(extractor, text, person):
    """Surnames (and Swedish first names) outside Voikko's name classes: the
    model's recogniser, run on lines with two adjacent capitalised words,
    vouches for them."""
    assert (EntityType.PERSON, person) in names(extractor(doc(text)))


@pytest.mark.parametrize("text, person", [
    ("Projektipäällikön nimi Outi Nousi", "Outi Nousi"),  # `nousi`: rose (a verb)
    ("Lisätietoja antaa Tero Sulki, projektipäällikkö.", "Tero Sulki"),
])
def test_surname_read_only_as_a_verb_or_pronoun_stays_as_written(extractor, text, person):
    """Surnames inflect as nouns: a name Voikko reads only as a verb or a pronoun is
    not cut to that word's base form (`Nousi` is not `nousta`)."""
    assert (EntityType.PERSON, person) in names(extractor(doc(text)))


@pytest.mark.parametrize(
    "text, expected",
    [
        # a plural head shared by coordinated genitives: one organisation per conjunct
        ("Hallitus myönsi Porin ja Kokkolan Kauppakamareille tukea.",
         {"Porin Kauppakamari", "Kokkolan Kauppakamari"}),
        # a hyphen-joined plural head shared by coordinated names
        ("Matkailu ja Vesihuolto -työryhmät kokoontuivat Porissa.",
         {"Matkailu -työryhmä", "Vesihuolto -työryhmä"}),
    ],
)
def test_shared_plural_head_gives_each_conjunct_a_name(extractor, text, expected):
    assert expected <= {n for t, n in names(extractor(doc(text)), EntityType.ORGANISATION)}


def test_name_joined_to_its_head_at_a_line_start(extractor):
    # `Satamat -työryhmän` begins the line: its capital is the name's, not the sentence's
    e = extractor(doc("Lisätietoja\nSatamat -työryhmän puheenjohtaja Oona Virtanen"))
    assert (EntityType.ORGANISATION, "Satamat -työryhmä") in names(e)


def test_hyphen_named_body_with_a_longer_head_is_one_entity(extractor):
    e = extractor(doc("Satamat ja Kalastus -valmisteluryhmät kokoontuivat.\n\nLisätietoja\n"
                      "Satamat -valmistelutyöryhmän puheenjohtaja Oona Virtanen"))
    keys = {m.key for m in e.mentions if m.name.startswith("Satamat")}
    assert len(keys) == 1


def test_acronym_in_brackets_by_the_initials_of_compound_parts(extractor):
    # the name before the bracket is misspelt; the initials find the organisation
    e = extractor(doc("Hanketta hallinnoi Lapin sairaanhoitopiiri.\n"
                      "Lapin sairaanhoitopiri (LSHP) hakee rahoitusta. "
                      "LSHP:lle myönnettiin tukea."))
    lshp = [m for m in e.mentions if m.surface == "LSHP"]
    assert lshp and all(m.key == "Organisation:lapin sairaanhoitopiiri" for m in lshp)


@pytest.mark.parametrize("text, expected", [
    # a place only Voikko knows names an area where something happens
    ("Koulutuksia järjestetään Virossa ja Latviassa.", {"Viro", "Latvia"}),
    ("Kumppani sijaitsee Islannissa.", {"Islanti"}),
    # a plural place name keeps its plural nominative
    ("Vierailu tehtiin Alankomaissa.", {"Alankomaat"}),
    # in the nominative it is part of a name, or mentioned in passing
    ("Strategia Vihreä Pohjanlahti -ohjelma hyväksyttiin.", set()),
    ("Matkailuhanke Elämyksiä Päijänne kehittää reittejä.", set()),
    ("Yhteistyö ulottuu Viroon asti.", set()),
    ("Ohjelma Länsi-Suomi on päättynyt.", set()),
])
def test_places_voikko_knows_only_where_something_happens(extractor, text, expected):
    assert _regions(extractor, text) == expected


def _regions(extractor, text: str) -> set[str]:
    return {n for _t, n in names(extractor(doc(text)), EntityType.REGION)}


def test_countries_in_brackets_of_an_area_list(extractor):
    e = extractor(doc("Mukana olevat alueet ovat Tartto (Viro), Gent (Belgia) "
                      "ja Kaunas (Liettua)."))
    regions = {n for t, n in names(e, EntityType.REGION)}
    assert {"Tartto", "Viro", "Gent", "Belgia", "Kaunas", "Liettua"} <= regions
    assert not names(e, EntityType.ORGANISATION)


@pytest.mark.parametrize("text, expected", [
    ("Yhteistyö tiivistyy Pohjanlahden alueella.", {"Pohjanlahti"}),
    ("Reitit kulkevat Päijänteen alueella.", {"Päijänne"}),
    ("Sääntöjä sovelletaan EU:n alueella.", set()),
    ("Toimintaa on Xamkin alueella.", set()),
    ("Hankkeen alueella on kolme kuntaa.", set()),
])
def test_a_capitalised_genitive_before_alue_names_an_area(extractor, text, expected):
    assert _regions(extractor, text) == expected


def test_a_long_line_with_an_indicative_verb_is_no_heading(extractor):
    e = extractor(doc("Lautakunta puoltaa seuraavia hankkeita rahoitettavaksi Leader-ohjelmasta\n"
                      "Hakija: Kemin kaupunki\nToteutusaika: 1.1.2024–31.12.2025\n"))
    assert not [m for m in e.mentions if m.rule == "project.heading"]
