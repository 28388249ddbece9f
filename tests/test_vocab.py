"""The Python vocabulary and the ontology must not disagree."""

import ast

import pytest

from kg.graph import vocab_gen
from kg.graph.vocab import HG
from kg.settings import REPO_ROOT


def test_generated_vocabulary_is_current():
    assert vocab_gen.main(["--check"]) == 0, "run: python -m kg.graph.vocab_gen"


def test_misspelt_term_is_an_error():
    with pytest.raises(AttributeError):
        HG.adminsters  # noqa: B018


def test_code_uses_only_ontology_terms():
    """Every HG.<term> and HG["term"] in kg/ exists in ontology/hankegraph.ttl."""
    terms = set(vocab_gen.ontology_terms())
    used = set()
    for path in (REPO_ROOT / "kg").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "HG" and not node.attr.startswith("_"):
                used.add(node.attr)
    assert used and used <= terms, sorted(used - terms)


def test_authority_properties_exist():
    """Identifier and link properties named in kg/authority.py are ontology terms."""
    from kg.authority import load_authority

    terms = set(vocab_gen.ontology_terms())
    a = load_authority(REPO_ROOT / "data" / "authority")
    props = {p for r in a.records.values() for p, _ in (*r.identifiers, *r.links)}
    assert props and props <= terms, sorted(props - terms)
