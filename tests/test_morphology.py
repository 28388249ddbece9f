"""Nominatives of inflected name heads (Voikko), as real documents inflect them."""

import pytest

from kg.extract import lexicon
from kg.extract.morphology import head_nominative, legal_form


def org_head(base: str) -> bool:
    return any(base.lower().endswith(h) for h in lexicon.ORG_HEADS)


@pytest.mark.parametrize(
    "word, nominative",
    [
        ("maakuntaliitosta", "maakuntaliitto"),  # Voikko's first reading is 'maakuntaliitos'
        ("ammattikorkeakoululle", "ammattikorkeakoulu"),
        ("kuntayhtymän", "kuntayhtymä"),
        ("hyvinvointialueelta", "hyvinvointialue"),
        ("ELY-keskuksesta", "ELY-keskus"),
        ("Satakuntaliiton", "Satakuntaliitto"),
        ("Pyhäjärvi-instituuttisäätiölle", "Pyhäjärvi-instituuttisäätiö"),
        ("Savonia-ammattikorkeakoulun", "Savonia-ammattikorkeakoulu"),  # unknown compound
        ("osaamiskeskuksesta", "osaamiskeskus"),
    ],
)
def test_organisation_heads(word, nominative):
    assert head_nominative(word, org_head) == nominative


@pytest.mark.parametrize(
    "word, nominative",
    [("Kuopiossa", "Kuopio"), ("Mikkelissä", "Mikkeli"), ("Pieksämäellä", "Pieksämäki"),
     ("Kuopion", "Kuopio"), ("Kreikassa", "Kreikka")],
)
def test_places(word, nominative):
    assert head_nominative(word) == nominative


@pytest.mark.parametrize("word, form", [("ry:n", "ry"), ("Oy:lle", "Oy"), ("sr", "sr"),
                                         ("Oyj", "Oyj"), ("rya", None), ("Oyster", None)])
def test_legal_forms(word, form):
    assert legal_form(word) == form
