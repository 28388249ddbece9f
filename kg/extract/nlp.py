"""The spaCy Finnish model, applied line by line.

Lines are hard boundaries: project pages, lists and contact blocks put one
item on a line, and the model would run them together otherwise. Each line
keeps its character offset in the document, so every token knows where it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

MODEL = "spacy_fi_experimental_web_md"


@dataclass(frozen=True)
class Tok:
    i: int  # index within the line
    text: str
    start: int  # character offsets in the document
    end: int
    pos: str
    dep: str
    head: int  # index within the line
    lemma: str
    ent: str  # the model's entity label: evidence, not truth
    sent: int  # sentence number within the line
    space_after: bool

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_cap(self) -> bool:
        return self.text[:1].isupper()

    @property
    def is_punct(self) -> bool:
        return self.pos == "PUNCT" or all(not c.isalnum() for c in self.text)


@dataclass(frozen=True)
class Line:
    number: int
    start: int
    end: int
    text: str
    toks: tuple[Tok, ...]

    def sentence_bounds(self, sent: int) -> tuple[int, int]:
        """Character offsets of one sentence of this line."""
        ts = [t for t in self.toks if t.sent == sent]
        return (ts[0].start, ts[-1].end) if ts else (self.start, self.end)


@lru_cache(maxsize=1)
def load_model():
    import spacy

    try:
        return spacy.load(MODEL)
    except OSError as e:
        raise RuntimeError(
            f"the Finnish spaCy model {MODEL!r} is not installed: run `make run` "
            "or `pip install spacy-fi-experimental-web-md`"
        ) from e


def split_lines(text: str) -> list[tuple[int, str]]:
    """Non-empty lines with their start offsets (bullets and indentation kept)."""
    out, pos = [], 0
    for raw in text.split("\n"):
        if raw.strip():
            lead = len(raw) - len(raw.lstrip())
            out.append((pos + lead, raw.strip()))
        pos += len(raw) + 1
    return out


def parse(text: str, nlp=None) -> list[Line]:
    nlp = nlp or load_model()
    pieces = split_lines(text)
    lines = []
    for n, ((offset, line_text), doc) in enumerate(
        zip(pieces, nlp.pipe([p[1] for p in pieces], batch_size=64), strict=True)
    ):
        sent_of = {}
        for s_i, s in enumerate(doc.sents):
            for t in s:
                sent_of[t.i] = s_i
        toks = tuple(
            Tok(
                i=t.i, text=t.text, start=offset + t.idx, end=offset + t.idx + len(t.text),
                pos=t.pos_, dep=t.dep_, head=t.head.i, lemma=t.lemma_, ent=t.ent_type_,
                sent=sent_of.get(t.i, 0), space_after=bool(t.whitespace_),
            )
            for t in doc
        )
        lines.append(Line(n, offset, offset + len(line_text), line_text, toks))
    return lines
