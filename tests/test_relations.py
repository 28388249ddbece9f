"""Relations in real sentence shapes; each row a sentence and the facts that must
come out (invented names, Finnish as it is written)."""

from kg.model import Document, Relation


def doc(text: str) -> Document:
    return Document(doc_id="t", path="t.txt", text=text, checksum="0")


def facts(extraction):
    return {(c.relation, c.subject, c.object or c.value) for c in extraction.claims}


def test_agent_participle_names_the_administrator(extractor):
    e = extractor(doc("Kylätalo ry:n vetämä Kulje kanssa -hanke alkoi keväällä."))
    assert (Relation.ADMINISTERS, "Organisation:kylätalo ry", "Project:kulje kanssa") in facts(e)


def test_coordinated_co_implementers_each_get_a_fact(extractor):
    e = extractor(doc("Sisu-hanketta hallinnoi Diakonia-ammattikorkeakoulu ja sen "
                      "osatoteuttajia ovat Lapin ammattikorkeakoulu ja Kuopion kaupunki."))
    f = facts(e)
    assert (Relation.ADMINISTERS, "org:Diakonia-ammattikorkeakoulu", "Project:sisu") in f
    assert (Relation.IMPLEMENTS, "org:Lapin ammattikorkeakoulu", "Project:sisu") in f
    assert (Relation.IMPLEMENTS, "municipality:297", "Project:sisu") in f


def test_stacked_key_values_and_amounts(extractor):
    e = extractor(doc("Road to Data\nHakija: Kajaanin ammattikorkeakoulu Oy\n"
                      "Toteutusaika: 1.1.2024–31.8.2026\nKokonaiskustannukset: 571 734 €\n"))
    f = facts(e)
    p = "Project:road to data"
    assert (Relation.ADMINISTERS, "org:Kajaanin ammattikorkeakoulu", p) in f
    assert (Relation.START_DATE, p, "2024-01-01") in f
    assert (Relation.END_DATE, p, "2026-08-31") in f
    assert (Relation.TOTAL_COST, p, 571734) in f


def test_granter_and_passive_grants(extractor):
    e = extractor(doc("Satakuntaliiton maakuntahallitus myönsi tukea hankkeille. "
                      "Alfa Oy:lle myönnettiin maakunnan kehittämisrahaa 40 000 euroa "
                      "Satama 2030 -projektiin."))
    f = facts(e)
    p = "Project:satama 2030"
    assert (Relation.FUNDS, "org:Satakuntaliitto", p) in f
    assert (Relation.ADMINISTERS, "Organisation:alfa oy", p) in f
    grant = [c for c in e.claims if c.relation is Relation.FUNDS
             and c.subject == "org:Satakuntaliitto"]
    assert grant and grant[0].amount_eur == 40000


def test_person_title_organisation(extractor):
    e = extractor(doc("– Hyvä alku, toteaa KEHYKin toimitusjohtaja Anna Lind."))
    assert (Relation.MEMBER_OF, "Person:anna lind", "Organisation:kehyk") in facts(e)


def test_later_sentences_of_a_paragraph_speak_of_its_project(extractor):
    e = extractor(doc("Tukea saivat kaksi hanketta.\n\nKylämaisemat kuntoon -hankkeelle "
                      "myönnettiin tukea 20 000 euroa. "
                      "Toteutusaika on tammikuusta 2025 kesäkuuhun 2026."))
    p = "Project:kylämaisemat kuntoon"
    assert (Relation.END_DATE, p, "2026-06") in facts(e)
    assert (Relation.START_DATE, p, "2025-01") in facts(e)


def test_share_of_the_total_cost_is_no_total(extractor):
    e = extractor(doc("Kylämaisemat kuntoon -hankkeelle myönnettiin tukea. Määrä on "
                      "60 prosenttia kokonaiskustannuksista, kuitenkin enintään 30 000 euroa."))
    assert not [c for c in e.claims if c.relation is Relation.TOTAL_COST]


def test_organisation_money_was_allocated_to_grants_it(extractor):
    e = extractor(doc("Maakuntahallitus myönsi rahoitusta kahdelle hankkeelle. Rantareitit "
                      "-hanke rahoitetaan ministeriön Lapin liitolle osoittamasta "
                      "AIKO-rahoituksesta. Tunturitaide -hankkeelle myönnettiin niin ikään "
                      "AIKO-rahoitusta 12 000 euroa."))
    f = facts(e)
    assert (Relation.FUNDS, "org:Lapin liitto", "Project:rantareitit") in f
    assert (Relation.FUNDS, "org:Lapin liitto", "Project:tunturitaide") in f


def test_coordinated_genitive_owners_implement_the_project(extractor):
    e = extractor(doc("ELY-keskus myönsi rahoitusta 40 hankkeelle. Rahoitus osoitettiin "
                      "Lapin ammattikorkeakoulun ja Oulun ammattikorkeakoulun yhteiselle "
                      "Metsät, vedet ja ilmasto -hankkeelle."))
    f = facts(e)
    p = "Project:metsät, vedet ja ilmasto"
    assert (Relation.IMPLEMENTS, "org:Lapin ammattikorkeakoulu", p) in f
    assert (Relation.IMPLEMENTS, "org:Oulun ammattikorkeakoulu", p) in f
    assert (Relation.FUNDS, "Organisation:ely-keskus", p) in f


def test_one_genitive_owner_administers_but_not_through_a_participle(extractor):
    e = extractor(doc("Kuopion kaupungin uusi Torimarkkinat-hanke alkaa. Pohjois-Savon "
                      "liiton rahoittama Kalaretki-hanke jatkuu."))
    f = facts(e)
    assert (Relation.ADMINISTERS, "municipality:297", "Project:torimarkkinat") in f
    assert not [x for x in f if x[0] is Relation.ADMINISTERS and x[2] == "Project:kalaretki"]


def test_fund_named_as_the_source_is_the_instrument_of_later_grants(extractor):
    e = extractor(doc("Euroopan sosiaalirahastosta myönnettiin yhteensä 500 000 euroa "
                      "kahdeksalle eri hankkeelle. Suurin rahoitus osoitettiin "
                      "Kylätalo ry:n Tuvat auki -hankkeelle."))
    f = facts(e)
    p = "Project:tuvat auki"
    assert (Relation.FUNDS, "funding:Euroopan sosiaalirahasto", p) in f
    assert (Relation.ADMINISTERS, "Organisation:kylätalo ry", p) in f
    # `kahdeksalle eri hankkeelle` is many projects, not the one named later
    assert [c for c in e.claims if c.relation is Relation.FUNDS and c.amount_eur == 500000] == []


def test_paragraph_under_a_listed_project_speaks_of_it(extractor):
    e = extractor(doc("Kuntayhtymä hakee suostumusta seuraavien hankkeiden siirtämiseksi.\n\n"
                      " 1. Ikäihmisten kotikuntoutuksen kehittäminen\n\n"
                      "Ministeriö on myöntänyt Alfa Oy:lle avustusta 200 000 euroa "
                      "käytettäväksi 1.3.2024-28.2.2026 kotikuntoutuksen kehittämiseen."))
    f = facts(e)
    p = "Project:ikäihmisten kotikuntoutuksen kehittäminen"
    assert (Relation.ADMINISTERS, "Organisation:alfa oy", p) in f
    assert (Relation.START_DATE, p, "2024-03-01") in f
    assert (Relation.END_DATE, p, "2026-02-28") in f


def test_form_flattened_onto_one_line(extractor):
    # a PDF form read as one line: keys and values without colons
    e = extractor(doc(
        "HAKEMUS Hakemusnumero 123 VIRANOMAINEN, JOLLE HAKEMUS OSOITETAAN Lapin liitto "
        "Hakemustyyppi Uusi Tila Jätetty Käsittelijä Puhelinnumero Diaarinumero Saapumispvm "
        "Projektin nimi Revontulet - matkailuhanke Toimintalinja 2 Projektityyppi "
        "Kehittämisprojekti Aloituspäivämäärä PROJEKTIN HAKIJAN TIEDOT Hakijan nimi "
        "Tunturi Palvelut Oy Hakijatyyppi Muu Y-tunnus Lähiosoite Postinumero "
        "Projektin vastuuhenkilön nimi Outi Niemelä Asema organisaatiossa Kehityspäällikkö "
        "Sähköpostiosoite Puhelinnumero"))
    f = facts(e)
    p = "Project:revontulet"
    assert (Relation.ADMINISTERS, "Organisation:tunturi palvelut oy", p) in f
    assert (Relation.CONTACT, "Person:outi niemelä", p) in f
    assert not [x for x in f if x[0] is Relation.ADMINISTERS and x[1] == "org:Lapin liitto"]


def test_evidence_ends_before_phone_numbers_and_e_mail_addresses(extractor):
    e = extractor(doc("Lisätietoja\nSatamat -työryhmän puheenjohtaja Oona Virtanen, "
                      "puh. 0295 123 456, oona.virtanen(at)esimerkki.fi"))
    contacts = [c for c in e.claims if c.relation is Relation.CONTACT]
    assert contacts
    for c in e.claims:
        assert c.span.sentence.endswith("Oona Virtanen")
        assert "0295" not in c.span.sentence and "(at)" not in c.span.sentence


def test_acronym_genitive_right_before_a_person_is_their_employer(extractor):
    e = extractor(doc("Kuvassa Bruno Kvist ja Liisa Virtanen. Asiasta kertoo TALKOn "
                      "toimitusjohtaja Liisa Virtanen. – Hienoa, iloitsee TALKOn Bruno Kvist."))
    f = facts(e)
    assert (Relation.MEMBER_OF, "Person:liisa virtanen", "Organisation:talko") in f
    assert (Relation.MEMBER_OF, "Person:bruno kvist", "Organisation:talko") in f


def test_place_genitive_before_a_person_is_no_employer(extractor):
    e = extractor(doc("Asiasta kertoo Kuopion Liisa Virtanen."))
    assert not [c for c in e.claims if c.relation is Relation.MEMBER_OF]


def test_amount_key_naming_a_fund_keeps_the_introductions_programme(extractor):
    from kg.extract.layout import key_group
    assert key_group("Haettu EAKR- ja valtion rahoitus") == "amount"
    assert key_group("Rahoitus") == "funder"
    e = extractor(doc(
        "Sihteeristö puoltaa seuraavia hankkeita rahoitettavaksi Uudistuva ja osaava "
        "Suomi 2021–2027 -ohjelmasta\n\n"
        "Alfan satamaterminaali\nHakija: Kemin kaupunki\nToteutusaika: 1.1.2024–31.12.2025\n"
        "Kokonaiskustannusarvio: 900 000 €\nHaettu EAKR- ja valtion rahoitus: 630 000 €\n\n"
        "Beetan kylätiet\nHakija: Torniojokilaakson kehitys ry\n"
        "Kokonaiskustannusarvio: 100 000 €\nHaettu tuki: 70 000 €\n"))
    grants = [c for c in e.claims if c.relation is Relation.FUNDS
              and c.object == "Project:alfan satamaterminaali"]
    by_funder = {c.subject: c.amount_eur for c in grants}
    assert by_funder.get("funding:Uudistuva ja osaava Suomi 2021–2027") == 630000


def test_a_grant_of_its_own_kind_of_money_does_not_inherit_the_instrument(extractor):
    e = extractor(doc("Pohjanmaan liiton maakuntahallitus myönsi maakunnan kehittämisrahaa "
                      "hankkeille. Alfa Oy:lle myönnettiin 30 000 euroa Satama 2030 -projektiin. "
                      "Beeta ry:lle myönnettiin EU-tukea 20 000 euroa Kylätie 2040 -projektiin."))
    f = facts(e)
    fund = "Funding:maakunnan kehittämisraha"
    assert (Relation.FUNDS, fund, "Project:satama 2030") in f
    assert (Relation.FUNDS, fund, "Project:kylätie 2040") not in f
    assert (Relation.FUNDS, "org:Pohjanmaan liitto", "Project:kylätie 2040") in f
