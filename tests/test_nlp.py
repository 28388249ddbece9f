"""The model's tags do not depend on the batch a document is read in: a cached
extraction from a batch equals a fresh one read alone (kg/extract/nlp.py)."""

from kg.extract.nlp import parse, parse_many

from .conftest import BUNDLED_DOCS


def _tags(lines):
    return [(t.text, t.start, t.pos, t.ent, t.sent) for line in lines for t in line.toks]


def test_batch_and_single_document_give_the_same_tags():
    texts = [p.read_text(encoding="utf-8") for p in sorted(BUNDLED_DOCS.glob("*.txt"))]
    assert len(texts) >= 3
    alone = [_tags(parse(t)) for t in texts]
    assert [_tags(lines) for lines in parse_many(texts)] == alone
    assert any(ent for tags in alone for *_, ent, _s in tags)  # the recogniser did run
