"""Contact data (issue 14, item 7): one redaction (kg.privacy.redact) for the graph,
the pages and every export, tested on a table of the forms people write e-mail
addresses and phone numbers in; and a SHACL shape, written apart from it, that
finds each of them before redaction and none after. Names of persons stay."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import SH

from kg.privacy import REDACTED, redact
from kg.settings import REPO_ROOT

HGSH = Namespace("https://w3id.org/hankegraph/shapes#")
NAME = "Matti Meikäläinen"

# each planted in a sentence that also names a person
CONTACTS = [
    'matti.meikalainen@example.fi',
    'MATTI.MEIKALAINEN@EXAMPLE.FI',
    'matti.meikalainen(at)example.fi',
    'matti.meikalainen (at) example.fi',
    'matti.meikalainen[at]example.fi',
    'matti.meikalainen [at] example.fi',
    'matti.meikalainen(a)example.fi',
    'matti.meikalainen (a) example.fi',
    'matti.meikalainen at example.fi',
    'matti.meikalainen AT example.fi',
    'matti.meikalainen＠example.fi',
    'matti.meikalainen﹫example.fi',
    'matti.meikäläinen@example.fi',
    'jörö.jöns@esimerkki.fi',
    'mailto:matti@example.fi',
    '<a href="mailto:matti@example.fi">Matti</a>',
    'matti+hanke@example.fi',
    'm_meikalainen@sub.example.co.uk',
    'matti.meikalainen @ example.fi',
    'matti.meikalainen{at}example.fi',
    'matti.meikalainen(at)example(dot)fi',
    'matti.meikalainen [at] example [dot] fi',
    'matti.meikalainen ät example.fi',
    'matti.meikalainen@ely-keskus.fi.',
    'matti.meikalainen@esimerkki-yhdistys.fi',
    'juha.pulliainen(at)ely-keskus',
    '040 123 4567',
    '0401234567',
    '040-123 4567',
    '040-1234567',
    '+358 40 123 4567',
    '+358401234567',
    '+358 (0)44 111 4444',
    '+358 (0) 40 123 4567',
    '(09) 111 2345',
    '09 111 2345',
    '09-111 2345',
    '040/111 3579',
    '040.111.2468',
    'tel:+358401234567',
    'tel:040-123-4567',
    '00358 40 123 4567',
    '+358-40-123-4567',
    '0295 024 162',
    '020 690 160',
    '044 111 44 44',
    '050 12 34 567',
    '+358 9 111 2345',
    '０４０ １２３ ４５６７',
    '040 – 123 4567',
    '040 1234 567',
    '040‑123‑4567',
    '040\xa0123\xa04567',
    '+46 70 123 45 67',
    'p. 044 074 4674',
    "0401234567/0501234567",  # two numbers joined by a slash
    # forms found in the dev corpus (numbers changed)
    "0295 3 12345",
    "+4610-22 55 111",
    "puh. 044 3719 111",
    "Puhelinnumero: (02) 620 1111",
    "Puhelinnumero: 09 88681111",
]

# text that carries neither: it must come out unchanged
NOT_CONTACTS = [
    'Matti Meikäläinen, projektipäällikkö',
    'Budjetti on 1 040 831 euroa.',
    'vuosina 2021–2023',
    'Y-tunnus 0245437-2',
    'ajalla 01.01.2021–31.12.2023',
    '01.02.2023',
    'PL 123, 00101 Helsinki',
    'Hankkeen budjetti on 719 998 € vuonna 2023',
    'kohta (a) ja (b)',
    'seuraa @ELYkeskus',
    'EU 2014–2020',
    '0,5 milj. euroa',
    'S20123 ja A12345',
    'hanke.fi',
    '1.2.2023 alkaen',
    'seuraa @ELYkeskus tai #hanke',
    # from the dev corpus: amounts, case numbers, a zoning code
    "Myönnetyn tuen määrä hanketta kohti on 20 000–50 000 euroa",
    "veden suodatukseen (150 000/ 104 000).",
    "Diaarinumero: EURA 2014/6713/09 02 01 01/2018/UML",
    "alue on tiivistä kyläaluetta (AT) sekä maaseudun kehittämisen kohdealuetta",
    "Rahoituspäätös hankehakemuksesta 2015_004/118554: LUOTSIE",
]


def _sentence(contact: str) -> str:
    return f"Lisätietoja: {NAME}, projektipäällikkö, {contact} (arkisin)."


@pytest.fixture(scope="module")
def shape_pattern() -> re.Pattern:
    shapes = Graph().parse(REPO_ROOT / "ontology" / "shapes.ttl")
    return re.compile(str(shapes.value(HGSH.ContactDetails, SH.pattern)))


def test_the_table_is_large():
    assert len(CONTACTS) >= 40 and len(set(CONTACTS)) == len(CONTACTS)


@pytest.mark.parametrize("contact", CONTACTS)
def test_contact_data_is_redacted_and_the_name_stays(contact):
    clean = redact(_sentence(contact))
    assert clean.startswith(f"Lisätietoja: {NAME}, projektipäällikkö, ")
    assert clean.endswith(" (arkisin).")
    assert REDACTED in clean
    rest = clean.replace(REDACTED, "")
    assert not any(c.isdigit() for c in rest), clean
    assert not re.search(r"[@＠﹫]|example|esimerkki|ely-keskus|matti\.|jörö|mailto|tel:",
                         rest, re.I), clean


@pytest.mark.parametrize("text", NOT_CONTACTS)
def test_other_text_stays(text, shape_pattern):
    assert redact(text) == text
    assert not shape_pattern.search(text)


@pytest.mark.parametrize("contact", CONTACTS)
def test_the_shape_finds_it_before_redaction_and_not_after(contact, shape_pattern):
    assert shape_pattern.search(_sentence(contact))
    assert not shape_pattern.search(redact(_sentence(contact)))


def test_the_shape_does_not_share_the_redactions_patterns():
    from kg import privacy

    shapes = (REPO_ROOT / "ontology" / "shapes.ttl").read_text(encoding="utf-8")
    for name in ("EMAIL", "PHONE_RUN"):
        assert getattr(privacy, name).pattern not in shapes

