"""The spaCy Finnish model, applied line by line.

Lines are hard boundaries: project pages, lists and contact blocks put one
item on a line, and the model would run them together otherwise. Each line
keeps its character offset in the document, so every token knows where it is.
Sentences within a line are split by punctuation, not by the model, which cuts
names such as `Uudistuva ja osaava Suomi 2021–2027 -ohjelma` in two.
"""

from __future__ import annotations

import re
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


# A sentence ends at . ! ? followed by white space and a capital or a digit,
# except after an abbreviation (`mm.`, `esim.`, `St.`) or a date's day or month.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"”“«A-ZÅÄÖ0-9])")
_ABBREVIATIONS = frozenset({"mm", "esim", "ns", "n", "p", "puh", "vs", "st", "dr", "prof",
                            "ym", "yms", "jne", "ks", "klo", "s", "nro", "tms", "eli", "ts",
                            "milj", "mrd", "tri", "oy", "ry"})


def sentence_starts(line_text: str) -> list[int]:
    """Offsets within the line where sentences start (the first is 0)."""
    starts = [0]
    for m in _SENTENCE_END.finditer(line_text):
        before = line_text[:m.start()].rstrip(".!?")
        last = before.rsplit(None, 1)[-1] if before.split() else ""
        if last.lower() in _ABBREVIATIONS or last.isdigit() or len(last) == 1:
            continue
        starts.append(m.end())
    return starts


def parse(text: str, nlp=None) -> list[Line]:
    nlp = nlp or load_model()
    pieces = split_lines(text)
    lines = []
    for n, ((offset, line_text), doc) in enumerate(
        zip(pieces, nlp.pipe([p[1] for p in pieces], batch_size=64), strict=True)
    ):
        starts = sentence_starts(line_text)
        toks = tuple(
            Tok(
                i=t.i, text=t.text, start=offset + t.idx, end=offset + t.idx + len(t.text),
                pos=t.pos_, dep=t.dep_, head=t.head.i, lemma=t.lemma_, ent=t.ent_type_,
                sent=sum(1 for st in starts if st <= t.idx) - 1, space_after=bool(t.whitespace_),
            )
            for t in doc
        )
        lines.append(Line(n, offset, offset + len(line_text), line_text, toks))
    return lines
