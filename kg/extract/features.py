"""Features of the learned extractor: plain dicts of strings and numbers.

Three kinds of decision, each with its own feature function:

- :func:`variant_features`: is this variant of a project candidate its name?
- :func:`entity_features`: is this document-level entity one the text names?
- :func:`pair_features`: how are two entities of a document related?

Every feature is general: word base forms (Voikko), cases, part-of-speech tags,
distances, layout keys, which rules fired, document shape. None names a
particular organisation, project or document.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from kg.authority import fold
from kg.extract.candidates import Group, Reading, tokens_of
from kg.extract.layout import line_key
from kg.extract.mentions import Cand
from kg.extract.morphology import analyses, cases_of
from kg.extract.nlp import Line, Tok
from kg.model import EntityType

#: words around a mention that are read as its context
WINDOW = 4
#: mentions of a group that pair features read (its first ones)
MAX_PLACES = 40
_LAST = "\U0010ffff"  # sorts after every group key


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """Voikko's first base form, lower case; the word itself when Voikko does not know it."""
    for a in analyses(word):
        base = a.get("BASEFORM")
        if base:
            return base.lower()
    return word.lower()


@lru_cache(maxsize=200_000)
def word_shape(word: str) -> str:
    if word.isdigit():
        return "digits"
    if word.isupper() and len(word) > 1:
        return "upper"
    if word[:1].isupper():
        return "cap"
    if word[:1].isalpha():
        return "lower"
    return "other"


@lru_cache(maxsize=200_000)
def case_tags(word: str) -> tuple[str, ...]:
    if word.endswith((":n", "'n")):
        return ("Gen",)
    return tuple(sorted(cases_of(word)))


def _bucket(n: float) -> str:
    """A count as a small set of buckets: 0, 1, 2, 3-4, 5-8, 9+."""
    if n <= 2:
        return str(int(n))
    return str(min(int(math.log2(n)) + 1, 4))


@dataclass(frozen=True)
class Place:
    """Where one mention sits: its line, sentence, tokens and clause unit."""

    line: int
    sent: int
    first: int  # index of its first token in the document's token list
    last: int
    unit: int
    key_group: str | None


class DocIndex:
    """Positions of tokens and mentions in one reading, for distances and context."""

    def __init__(self, reading: Reading):
        self.reading = reading
        self.toks: list[Tok] = []
        self.tok_line: list[int] = []
        for line in reading.lines:
            for t in line.toks:
                self.toks.append(t)
                self.tok_line.append(line.number)
        self._starts = [t.start for t in self.toks]
        self.unit_of_line: dict[int, int] = {}
        for u_i, u in enumerate(reading.units):
            for n in u.lines:
                self.unit_of_line.setdefault(n, u_i)
        self.line_keys = {line.number: (line_key(line.text) or (None,))[0]
                          for line in reading.lines}
        self.places: dict[str, list[Place]] = {}
        for key, g in reading.groups.items():
            self.places[key] = [self.place(c) for c in g.cands]
        self.intro_end = _list_intros(reading.lines)
        projects = [g for g in reading.groups.values() if g.type is EntityType.PROJECT]
        self.projects = sorted(projects, key=lambda g: min(p.first for p in self.places[g.key]))
        #: each project's rank by first mention (0: the first named), read for every pair
        self.project_rank = {g.key: i for i, g in enumerate(self.projects)}
        #: (first token, group key) of every project mention, in text order
        self.project_marks = sorted((p.first, g.key) for g in projects
                                    for p in self.places[g.key])
        self.n_lines = max(len(reading.lines), 1)

    def place(self, c: Cand) -> Place:
        from bisect import bisect_left

        first = bisect_left(self._starts, c.start)
        last = max(first, bisect_left(self._starts, c.end) - 1)
        first = min(first, len(self.toks) - 1) if self.toks else 0
        last = min(last, len(self.toks) - 1) if self.toks else 0
        sent = self.toks[first].sent if self.toks else 0
        unit = self.unit_of_line.get(c.line, -1)
        # a unit of several lines (key + value) is found by its lines; a sentence unit
        # of a line with several sentences, by offsets
        for u_i in range(max(unit, 0), len(self.reading.units)):
            u = self.reading.units[u_i]
            if u.start <= c.start < u.end or (u.start <= c.start and c.line in u.lines):
                unit = u_i
                break
            if u.start > c.start:
                break
        key = self.reading.units[unit].key if 0 <= unit < len(self.reading.units) else None
        return Place(c.line, sent, first, last, unit, key or self.line_keys.get(c.line))

    def context(self, p: Place, before: int = WINDOW, after: int = WINDOW) -> tuple[list, list]:
        """The words before and after a mention, on its line."""
        left = [self.toks[i] for i in range(max(0, p.first - before), p.first)
                if self.tok_line[i] == p.line]
        right = [self.toks[i] for i in range(p.last + 1, min(len(self.toks), p.last + 1 + after))
                 if self.tok_line[i] == p.line]
        return left, right


_ITEM = re.compile(r"^\s*(?:[•*·▪◦‣\-–]|\d{1,3}[.)])\s+")


def _list_intros(lines: list[Line]) -> dict[int, int]:
    """Lines ending in a colon, or headings, followed by list items: line -> last item."""
    out = {}
    for n, line in enumerate(lines):
        if not line.text.rstrip().endswith(":"):
            continue
        last = n
        for m in range(n + 1, min(len(lines), n + 60)):
            t = lines[m].text
            if _ITEM.match(t) or (len(t.split()) <= 14 and not t.rstrip().endswith(":")):
                last = m
            else:
                break
        if last > n:
            out[n] = last
    return out


def _words(toks: list[Tok]) -> list[str]:
    return [t.text for t in toks if not t.is_punct]


def _head(name: str) -> str:
    words = re.findall(r"[\wÅÄÖåäö:.-]+", name)
    return words[-1].lower() if words else ""


def _head_feats(prefix: str, name: str, out: dict) -> None:
    head = _head(name)
    base = lemma(head.split(":")[0]) if head else ""
    out[f"{prefix}head={base}"] = 1
    for n in (4, 6):
        if len(base) > n:
            out[f"{prefix}suf{n}={base[-n:]}"] = 1
    out[f"{prefix}words={_bucket(len(name.split()))}"] = 1
    out[f"{prefix}shape0={word_shape(name.split()[0]) if name.split() else ''}"] = 1


# ---------------------------------------------------------------------- variants

def variant_features(c: Cand, dropped: int, name: str, line: Line, text: str,
                     doc_folded: str) -> dict:
    """Is `name` (the candidate with `dropped` leading words cut) a project's name?"""
    f: dict = {"bias": 1, f"dropped={min(dropped, 4)}": 1, f"rule={c.rule}": 1}
    words = c.name.split(" ")
    kept = name.split(" ")
    f[f"kept={_bucket(len(kept))}"] = 1
    f[f"first_shape={word_shape(kept[0])}"] = 1
    for case in case_tags(kept[0]) or ("none",):
        f[f"first_case={case}"] = 1
    if dropped:
        cut = words[dropped - 1]
        f[f"cut_shape={word_shape(cut)}"] = 1
        for case in case_tags(cut) or ("none",):
            f[f"cut_case={case}"] = 1
        f[f"cut_lemma={lemma(cut.strip(',:;'))}"] = 1
        if cut.endswith((",", ":", ";")):
            f["cut_punct"] = 1
        dropped_words = words[:dropped]
        if any(lemma(w) in ("ja", "sekä") for w in dropped_words):
            f["dropped_has_and"] = 1
        if any(w[:1].isupper() for w in dropped_words[1:]):
            f["dropped_caps_inside"] = 1
    else:
        before = [t for t in line.toks if t.end <= c.start][-1:]
        for t in before:
            f[f"before_shape={word_shape(t.text)}"] = 1
            for case in case_tags(t.text) or ("none",):
                f[f"before_case={case}"] = 1
    # the variant written again elsewhere in the document is a strong sign of a name
    n = doc_folded.count(fold(name))
    f[f"occurs={_bucket(n)}"] = 1
    if len(kept) > 1 and n > doc_folded.count(fold(c.name)):
        f["occurs_more_than_full"] = 1
    # the parts of speech left out and kept: a verb or participle, an adposition inside
    # the span is a preamble's (`Metropolian kanssa toteutettavaa Vyyhti`)
    words_toks = [t for t in tokens_of(c, line) if not t.is_punct]
    for t in words_toks[:dropped]:
        f[f"dropped_pos={t.pos}"] = 1
    for t in words_toks[dropped:-1]:
        if t.pos in ("VERB", "AUX", "ADP"):
            f[f"kept_has={t.pos}"] = 1
    if dropped:
        # written without the dropped words elsewhere (`Helkan CADDIES` … `CADDIES-projekti`)
        alone = n - doc_folded.count(fold(c.name))
        f[f"occurs_alone={_bucket(alone)}|kept={min(len(kept), 3)}"] = 1
    return f


# ---------------------------------------------------------------------- entities

def _neighbourhood(f: dict, prefix: str, reading: Reading, idx: DocIndex, g: Group,
                   mentions: int, window: int) -> None:
    """Where a group's first mentions sit: their layout keys, the base forms of the
    words around them, and the cases of their last words."""
    for p in idx.places[g.key][:mentions]:
        if p.key_group:
            f[f"{prefix}key={p.key_group}"] = 1
        left, right = idx.context(p, window, window)
        for w in _words(left):
            f[f"{prefix}left={lemma(w)}"] = 1
        for w in _words(right):
            f[f"{prefix}right={lemma(w)}"] = 1
    for c in g.cands[:mentions]:
        surface = reading.document.text[c.start:c.end].split()
        if surface:
            for case in case_tags(surface[-1]) or ("none",):
                f[f"{prefix}case={case}"] = 1


def entity_features(reading: Reading, idx: DocIndex, g: Group, rule_relations: Counter) -> dict:
    f: dict = {"bias": 1, f"type={g.type.value}": 1}
    t = g.type.value
    for c in g.cands:
        f[f"{t}:rule={c.rule}"] = 1
        if c.authority is not None:
            f[f"{t}:authority={c.authority.authority_id.split(':')[0]}"] = 1
    name = g.name
    _head_feats(f"{t}:", name, f)
    f[f"{t}:mentions={_bucket(len(g.cands))}"] = 1
    f[f"{t}:names={_bucket(len(g.names))}"] = 1
    places = idx.places[g.key]
    first_line = min(p.line for p in places)
    f[f"{t}:first_line={_bucket(first_line)}"] = 1
    _neighbourhood(f, f"{t}:", reading, idx, g, 6, 2)
    for rel in rule_relations:
        f[f"{t}:in_rule={rel}"] = 1
    if not rule_relations:
        f[f"{t}:in_no_rule"] = 1
    f[f"doc_projects={_bucket(len(idx.projects))}"] = 1
    return f


# ---------------------------------------------------------------------- pairs

#: which entity types may stand in each relation: (subject types, object types)
RELATION_TYPES = {
    "administers": ({"Organisation", "Municipality"}, {"Project"}),
    "implements": ({"Organisation", "Municipality"}, {"Project"}),
    "partners": ({"Organisation", "Municipality", "Region"}, {"Project"}),
    "funds": ({"Organisation", "Municipality", "Funding"}, {"Project"}),
    "target_area": ({"Project"}, {"Municipality", "Region"}),
    "contact": ({"Person"}, {"Project", "Organisation", "Municipality"}),
    "member_of": ({"Person"}, {"Organisation", "Municipality"}),
    "part_of": ({"Organisation"}, {"Organisation", "Municipality"}),
}


def pair_features(reading: Reading, idx: DocIndex, a: Group, b: Group,
                  rules_between: dict[tuple[str, str], set[str]],
                  rules_of: dict[str, Counter], focus: dict[int, str | None]) -> dict:
    """Features of the ordered pair (a, b): a is the subject side (an actor, a
    person, a project for target_area), b the object side."""
    f: dict = {"bias": 1, f"types={a.type.value}>{b.type.value}": 1}
    for rel_rule in rules_between.get((a.key, b.key), ()):
        f[f"rule={rel_rule}"] = 1
        f[f"rule_rel={rel_rule.split('|')[0]}"] = 1
    for rel_rule in rules_between.get((b.key, a.key), ()):
        f[f"rule_rev={rel_rule.split('|')[0]}"] = 1
    for rel, _n in rules_of.get(a.key, Counter()).items():
        f[f"a_any_rule={rel}"] = 1
    if not rules_between.get((a.key, b.key)) and not rules_between.get((b.key, a.key)):
        f["no_rule"] = 1
    _head_feats("a_", a.name, f)
    _head_feats("b_", b.name, f)
    for c in a.cands[:1]:
        if c.authority is not None:
            f[f"a_authority={c.authority.authority_id.split(':')[0]}"] = 1
    # the first mentions only: a long report names its project thousands of times,
    # and the pairs of two groups' mentions would grow with the square of that
    pa, pb = idx.places[a.key][:MAX_PLACES], idx.places[b.key][:MAX_PLACES]
    same_unit = sum(1 for p in pa for q in pb if p.unit == q.unit and p.unit >= 0)
    same_sent = sum(1 for p in pa for q in pb if p.line == q.line and p.sent == q.sent)
    same_line = sum(1 for p in pa for q in pb if p.line == q.line)
    f[f"same_unit={_bucket(same_unit)}"] = 1
    f[f"same_sent={_bucket(same_sent)}"] = 1
    f[f"same_line={_bucket(same_line)}"] = 1
    dist = min((abs(p.first - q.first) for p in pa for q in pb), default=999)
    f[f"tok_dist={_bucket(dist)}"] = 1
    line_dist = min((abs(p.line - q.line) for p in pa for q in pb), default=999)
    f[f"line_dist={_bucket(line_dist)}"] = 1
    # b is the project the rules put in focus where a is mentioned
    for p in pa:
        how = focus.get(p.unit)
        if how is not None and how[0] == b.key:
            f[f"focus={how[1]}"] = 1
    # a's neighbourhood: words, cases, layout keys (where its mentions sit)
    _neighbourhood(f, "a_", reading, idx, a, 8, WINDOW)
    for p in pb[:8]:
        if p.key_group:
            f[f"b_key={p.key_group}"] = 1
    # the words between the two where they share a sentence, and the sentence's verbs
    for p in pa:
        for q in pb:
            if p.line != q.line or p.sent != q.sent:
                continue
            lo, hi = (p.last + 1, q.first) if p.first < q.first else (q.last + 1, p.first)
            f["a_first" if p.first < q.first else "b_first"] = 1
            between = [idx.toks[i] for i in range(lo, min(hi, lo + 12))]
            for t in between:
                if not t.is_punct:
                    f[f"between={lemma(t.text)}"] = 1
                elif t.text in ",;:()":
                    f[f"between_punct={t.text}"] = 1
            for i in range(lo, hi):
                if idx.toks[i].pos in ("VERB", "AUX"):
                    f[f"verb_between={lemma(idx.toks[i].text)}"] = 1
    # b's standing among the document's projects
    if b.type is EntityType.PROJECT:
        f[f"b_project_rank={min(idx.project_rank.get(b.key, 9), 3)}"] = 1
        f[f"doc_projects={_bucket(len(idx.projects))}"] = 1
        f[f"b_mentions={_bucket(len(b.cands))}"] = 1
        if len(idx.projects) == 1:
            f["b_only_project"] = 1
        # the closest project mention before each of a's mentions is b
        nearest = 0
        for p in pa:
            k = bisect_right(idx.project_marks, (p.first, _LAST)) - 1
            if k >= 0 and idx.project_marks[k][1] == b.key:
                nearest += 1
        f[f"b_nearest_before={_bucket(nearest)}"] = 1
    if a.type is EntityType.PROJECT:
        f[f"a_project_rank={min(idx.project_rank.get(a.key, 9), 3)}"] = 1
        f[f"doc_projects={_bucket(len(idx.projects))}"] = 1
    f[f"a_mentions={_bucket(len(a.cands))}"] = 1
    # document layout: a in the title or lead; a introducing a list (`… hankkeille:`)
    # whose items name b; a named in the lead while b is the only project
    lead = min(p.line for p in pa) < 3
    if lead:
        f["a_in_lead"] = 1
    if min(q.line for q in pb) < 3:
        f["b_in_lead"] = 1
    intro = [p.line for p in pa if idx.intro_end.get(p.line)]
    if any(p <= q.line <= idx.intro_end[p] for p in intro for q in pb):
        f["a_introduces_list_of_b"] = 1
    if b.type is EntityType.PROJECT and len(idx.projects) == 1:
        # what a single-project document says of an actor is said of its project
        for k in [k for k in f if k.startswith(("a_left=", "a_right=", "a_case=", "a_key=",
                                                "a_head="))]:
            f["solo:" + k] = 1
    # one head scores a relation for every type it allows (a fund, an organisation and a
    # municipality all fund): the structure's weight differs by type, which a linear
    # head learns only from conjoined features
    for k in [k for k in f if k.startswith(_BY_TYPE)]:
        f[f"{a.type.value}|{k}"] = 1
    return f


#: pair features also read in conjunction with the subject side's type
_BY_TYPE = ("same_unit=", "same_sent=", "same_line=", "tok_dist=", "line_dist=", "focus=",
            "b_only_project", "doc_projects=", "b_nearest_before=", "b_project_rank=",
            "no_rule", "rule_rel=", "a_in_lead", "b_in_lead", "a_introduces_list_of_b",
            "a_mentions=")


# ---------------------------------------------------------------------- proposals

_MONEY = re.compile(r"\d\s?(?:€|eur)|euro", re.IGNORECASE)
_ACTORS = (EntityType.ORGANISATION, EntityType.MUNICIPALITY)


def proposal_features(c: Cand, dropped: int, name: str, lines: list[Line], text: str,
                      doc_folded: str, others: list[Cand]) -> dict:
    """Is a proposed span (kg.extract.candidates.project_proposals), cut to its
    chosen variant, a project's name?"""
    line = lines[c.line]
    f = {f"v:{k}": v for k, v in variant_features(c, dropped, name, line, text,
                                                    doc_folded).items()}
    f["bias"] = 1
    words = name.split()
    f[f"words={_bucket(len(words))}"] = 1
    f[f"shape={'upper' if name.isupper() else word_shape(words[0])}"] = 1
    caps = sum(1 for w in words if w[:1].isupper())
    f[f"caps_share={round(caps / max(len(words), 1), 1)}"] = 1
    last = words[-1] if words else ""
    for case in case_tags(last) or ("none",):
        f[f"last_case={case}"] = 1
    f[f"last_pos={next((t.pos for t in reversed(tokens_of(c, line))), '')}"] = 1
    if _MONEY.search(line.text):
        f["line_money"] = 1
    on_line = _by_line(others)
    if any(o.type in _ACTORS for o in on_line.get(c.line, ())):
        f["line_actor"] = 1
    if any(o.type is EntityType.PROJECT for o in on_line.get(c.line, ())):
        f["line_project"] = 1
    rest = line.text[c.end - line.start:].strip()
    f[f"rest_len={_bucket(len(rest.split()))}"] = 1
    if rest[:1] in ",(:-–/":
        f[f"rest_starts={rest[:1]}"] = 1
    before = line.text[:max(c.start - line.start, 0)].strip()
    f[f"before_len={_bucket(len(before.split()))}"] = 1
    for w in before.split()[-2:]:
        f[f"before_lemma={lemma(w.strip(',.:;'))}"] = 1
    for w in rest.split()[:2]:
        f[f"after_lemma={lemma(w.strip(',.:;'))}"] = 1
    nxt = lines[c.line + 1].text if c.line + 1 < len(lines) else ""
    prev = lines[c.line - 1].text if c.line > 0 else ""
    f[f"next_words={_bucket(len(nxt.split()))}"] = 1
    if prev.rstrip().endswith(":"):
        f["prev_colon"] = 1
        for w in prev.split()[-3:]:
            f[f"prev_lemma={lemma(w.strip(',.:;'))}"] = 1
    f[f"line_pos={_bucket(c.line)}"] = 1
    f.update(_structure_features(c, lines, others))
    return f


_PROJECT_WORD = re.compile(r"hank|projekt|pilot", re.IGNORECASE)
_LINE_INDEX: dict = {}


def _by_line(cands: list[Cand]) -> dict[int, list[Cand]]:
    """The candidates of each line, made once per candidate list (every proposal of a
    document reads the same list; a scan of it per proposal grew with the square of a
    long report's length)."""
    key = (id(cands), len(cands))
    if key not in _LINE_INDEX:
        _LINE_INDEX.clear()
        index: dict[int, list[Cand]] = {}
        for o in cands:
            index.setdefault(o.line, []).append(o)
        _LINE_INDEX[key] = index
    return _LINE_INDEX[key]


def _structure_features(c: Cand, lines: list[Line], others: list[Cand]) -> dict:
    """Where a proposal sits in the document's structure, beyond its own line: how much
    of it the finders already read as actors or places (a list item naming the
    implementers is no project), whether the lines next to it name actors (a list of
    projects with their implementers under each), and whether the list it belongs to
    is introduced by a line about projects (`Tuetut hankkeet ovat seuraavat:`)."""
    f: dict = {}
    on_line = _by_line(others)
    span = max(c.end - c.start, 1)
    covered = sum(max(0, min(o.end, c.end) - max(o.start, c.start))
                  for o in on_line.get(c.line, ()) if o.type is not EntityType.PROJECT)
    f[f"covered={min(round(covered / span, 1), 1.0)}"] = 1
    for step, label in ((1, "next"), (-1, "prev")):
        k = c.line + step
        while 0 <= k < len(lines) and not lines[k].text.strip():
            k += step
        if not 0 <= k < len(lines):
            continue
        neighbour = lines[k].text
        if any(o.type in _ACTORS for o in on_line.get(k, ())):
            f[f"{label}_line_actor"] = 1
            if _ITEM.match(neighbour):
                f[f"{label}_item_actor"] = 1
        if _MONEY.search(neighbour):
            f[f"{label}_line_money"] = 1
        if _ITEM.match(neighbour):
            f[f"{label}_line_item"] = 1
    # the list's introduction: the nearest line above that ends with a colon, within a
    # few lines (a list item's own sub-lines sit between)
    for k in range(c.line - 1, max(c.line - 12, -1), -1):
        t = lines[k].text.rstrip()
        if t.endswith(":"):
            f["intro_colon"] = 1
            if _PROJECT_WORD.search(t):
                f["intro_project"] = 1
            break
    return f


def place_features(c: Cand, lines: list[Line], text: str, doc_folded: str,
                   others: list[Cand]) -> dict:
    """Is a proposed place (kg.extract.candidates.place_proposals) a mention of a
    region or wider area, rather than part of a name or a word in passing?"""
    from kg.extract.morphology import word_classes

    line = lines[c.line]
    toks = tokens_of(c, line)
    first = toks[0] if toks else None
    f: dict = {"bias": 1, f"rule={c.rule}": 1}
    word = text[c.start:c.end].split()[0] if text[c.start:c.end].split() else ""
    for case in case_tags(word) or ("none",):
        f[f"case={case}"] = 1
    classes = word_classes(word)
    f[f"classes={'+'.join(sorted(classes - {''}))[:40]}"] = 1
    f[f"shape={word_shape(word)}"] = 1
    if "-" in word:
        f["hyphenated"] = 1
    if first is not None:
        f[f"position={min(first.i, 3)}"] = 1
        before = [t for t in line.toks if t.i < first.i][-2:]
        after = [t for t in line.toks if t.i > toks[-1].i][:2]
        for t in before:
            f[f"before={lemma(t.text) if not t.is_punct else t.text}"] = 1
            f[f"before_shape={word_shape(t.text)}"] = 1
        for k, t in enumerate(after):
            f[f"after={lemma(t.text) if not t.is_punct else t.text}"] = 1
            if k == 0:
                f[f"next_shape={word_shape(t.text)}"] = 1
                if t.text.startswith("-"):
                    f["next_hyphen_word"] = 1
    key = line_key(line.text)
    if key:
        f[f"key={key[0]}"] = 1
    if _ITEM.match(line.text):
        f["list_item"] = 1
    if len(line.toks) <= 3:
        f["short_line"] = 1
    n = doc_folded.count(fold(c.name))
    f[f"occurs={_bucket(n)}"] = 1
    if any(o.type is EntityType.REGION and o.line == c.line for o in others):
        f["line_has_region"] = 1
    if any(o.type is EntityType.MUNICIPALITY and o.line == c.line for o in others):
        f["line_has_municipality"] = 1
    return f
