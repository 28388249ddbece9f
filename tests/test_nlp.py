"""The model's tags do not depend on the batch a document is read in: a cached
extraction from a batch equals a fresh one read alone (kg/extract/nlp.py)."""

import pytest

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


def test_text_parts_cut_at_line_ends_and_cover_the_text():
    from kg.extract.nlp import text_parts

    text = "Ensimmäinen rivi.\nToinen rivi on pidempi.\n\nKolmas.\n" * 7
    parts = text_parts(text, 40)
    assert "".join(p for _o, p in parts) == text
    assert all(len(p) <= 40 for _o, p in parts)
    assert all(p.endswith("\n") for _o, p in parts[:-1])
    assert [o for o, _p in parts] == [sum(len(p) for _o, p in parts[:k]) for k in range(len(parts))]
    assert text_parts("") == [(0, "")]


def test_a_text_read_in_parts_gives_the_lines_of_one_reading(monkeypatch):
    """Parts are put back where they belong: the same lines and offsets as when the
    text is read at once."""
    import kg.extract.nlp as nlp

    text = (BUNDLED_DOCS / sorted(p.name for p in BUNDLED_DOCS.glob("*.txt"))[0]).read_text(
        encoding="utf-8")
    whole = next(parse_many([text, "Toinen teksti."]))
    # parts as small as the longest line allows (a longer line is cut at a space)
    monkeypatch.setattr(nlp, "PART_CHARS", max(len(t) for t in text.split("\n")) + 1)
    assert len(nlp.text_parts(text)) >= 3
    parted, other = list(parse_many([text, "Toinen teksti."]))
    assert [(line.number, line.start, line.end, line.text) for line in parted] == \
        [(line.number, line.start, line.end, line.text) for line in whole]
    assert all(text[t.start:t.end] == t.text for line in parted for t in line.toks)
    assert [line.text for line in other] == ["Toinen teksti."]


@pytest.mark.slow
def test_a_document_over_spacys_limit_is_built_not_skipped(tmp_path):
    """spaCy refuses texts over a million characters; a long report is read in parts."""
    from kg.build import build
    from kg.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    para = ("Kaakkois-Suomen ammattikorkeakoulu hallinnoi Vihreä satama -hanketta, jota "
            "Euroopan aluekehitysrahasto rahoittaa. Hanke toimii Kotkassa ja Haminassa.\n")
    (docs / "raportti.txt").write_text(para * (1_050_000 // len(para) + 1), encoding="utf-8")
    assert (docs / "raportti.txt").stat().st_size > 1_000_000
    report = build([docs], Settings(progress=False, cache_dir=None), out_dir=tmp_path / "out")
    assert report.documents == 1 and not report.skipped
    assert "administers" in report.summary()
