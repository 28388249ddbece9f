"""The spaCy Finnish model, applied line by line.

Lines are hard boundaries: project pages, lists and contact blocks put one
item on a line, and the model would run them together otherwise. Each line
keeps its character offset in the document, so every token knows where it is.
Sentences within a line are split by punctuation, not by the model, which cuts
names such as `Uudistuva ja osaava Suomi 2021–2027 -ohjelma` in two.

Only what the rules read is computed: the part-of-speech tags (tok2vec and
morphologizer) for every token, and the model's entity labels for the lines
that may name a person. The dependency parser and the lemmatizer are not loaded
(the rules read neither; Voikko gives the base forms that matter), and the
recogniser, with its own tok2vec a third of the model's time, runs only on lines
with two adjacent capitalised words, the one place its labels are consulted
(kg.extract.mentions, persons). The extraction is the same as with the whole
pipeline, in about half the model's time (benchmarks/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

MODEL = "spacy_fi_experimental_web_md"
UNUSED_COMPONENTS = ("parser", "lemmatizer")
RECOGNISER = "ner"


@dataclass(frozen=True)
class Tok:
    i: int  # index within the line
    text: str
    start: int  # character offsets in the document
    end: int
    pos: str
    ent: str  # the model's entity label ("" on lines it is not run on): evidence, not truth
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
        return spacy.load(MODEL, exclude=UNUSED_COMPONENTS)
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
                            "milj", "mrd", "tri"})


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


def capitalised_pair(a: str, b: str) -> bool:
    """Two adjacent words that may be a person's name (kg.extract.mentions reads
    only these as one, and only for these consults the recogniser)."""
    return a[:1].isupper() and a.isalpha() and b[:1].isupper() and b[:1].isalpha()


def may_name_person(words: list[str]) -> bool:
    return any(capitalised_pair(a, b) for a, b in pairwise(words))


def entity_labels(nlp, texts: list[str]) -> list[dict[int, str]]:
    """The recogniser's label for each token start (an offset in its text) in
    ``texts``, run on these texts alone."""
    recogniser = nlp.get_pipe(RECOGNISER)
    out = []
    for doc in recogniser.pipe(nlp.make_doc(t) for t in texts):
        out.append({t.idx: t.ent_type_ for t in doc if t.ent_type_})
    return out


def parse(text: str, nlp=None) -> list[Line]:
    """One document's lines (see :func:`parse_many`)."""
    return next(parse_many([text], nlp))


#: a longer text is read in parts of at most this many characters, cut at line ends
#: (spaCy refuses texts over nlp.max_length, a million characters; lines are read
#: one by one anyway, so nothing is lost at a cut)
PART_CHARS = 100_000


def text_parts(text: str, size: int | None = None) -> list[tuple[int, str]]:
    """(offset, part) pieces of ``text``, each at most ``size`` characters, cut after a
    line break (or, in a line longer than that, after a space)."""
    size = size or PART_CHARS
    out, start = [], 0
    while start < len(text) or not out:
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.rfind(" ", start, end)
            if cut > start:
                end = cut + 1
        out.append((start, text[start:end]))
        start = end
    return out


def parse_many(texts: list[str], nlp=None) -> Iterator[list[Line]]:
    """Tag the documents in batches, one pass each (the recogniser aside), and
    give each line its own tokens, re-indexed from 0 (line breaks are whitespace
    tokens to the model; they are dropped here). Batches run the network on
    larger matrices: about 15 % faster than a call per document. A long text is
    tagged in parts (:func:`text_parts`) whose lines are put back in its offsets."""
    nlp = nlp or load_model()
    parts = [(i, offset, part) for i, text in enumerate(texts)
             for offset, part in text_parts(text)]
    docs = nlp.pipe((p for _i, _o, p in parts), batch_size=max(1, len(texts)),
                    disable=[RECOGNISER])
    current, lines = 0, []
    for (i, offset, part), doc in zip(parts, docs, strict=True):
        if i != current:
            yield lines
            current, lines = i, []
        lines += [_shifted(line, offset, len(lines)) for line in _lines(nlp, part, doc)]
    if parts:
        yield lines


def _shifted(line: Line, offset: int, first_number: int) -> Line:
    """A line of a part, numbered and placed in the whole text."""
    if not offset and not first_number:
        return line
    toks = tuple(replace(t, start=t.start + offset, end=t.end + offset) for t in line.toks)
    return Line(line.number + first_number, line.start + offset, line.end + offset, line.text,
                toks)


def _lines(nlp, text: str, doc) -> list[Line]:
    pieces = split_lines(text)
    spacy_toks = [t for t in doc if not t.is_space]
    members_by_line = []
    k = 0
    for offset, line_text in pieces:
        end = offset + len(line_text)
        while k < len(spacy_toks) and spacy_toks[k].idx < offset:
            k += 1
        members = []
        while k < len(spacy_toks) and spacy_toks[k].idx < end:
            members.append(spacy_toks[k])
            k += 1
        members_by_line.append(members)
    wanted = [n for n, members in enumerate(members_by_line)
              if may_name_person([t.text for t in members])]
    labels = dict(zip(wanted, entity_labels(nlp, [pieces[n][1] for n in wanted]), strict=True))
    lines = []
    for n, ((offset, line_text), members) in enumerate(zip(pieces, members_by_line,
                                                             strict=True)):
        starts = sentence_starts(line_text)
        ents = labels.get(n, {})
        toks = tuple(
            Tok(
                i=j, text=t.text, start=t.idx, end=t.idx + len(t.text), pos=t.pos_,
                ent=ents.get(t.idx - offset, ""),
                sent=sum(1 for st in starts if st <= t.idx - offset) - 1,
                space_after=bool(t.whitespace_),
            )
            for j, t in enumerate(members)
        )
        lines.append(Line(n, offset, offset + len(line_text), line_text, toks))
    return lines
