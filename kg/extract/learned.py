"""The learned extractor ``hankegraph.learned.v1``: the finders propose, a model decides.

For each document (kg/extract/candidates.py reads it with the rule layer):

1. each project name the finders read is cut to the variant (a family of
   shorter spans) the ``variant`` head prefers;
2. more candidates are proposed (project names, places, funding names) and the
   ``project``, ``place`` and ``funding`` heads accept or refuse each, after the
   ``variant`` / ``funding_variant`` heads chose its span;
3. the relation rules read the finders' and the accepted candidates, and a place
   in a project's own title is the project's target area;
4. each pair of entities whose types allow a relation is scored by that
   relation's head: a pair the rules link, or one scored ADD_THRESHOLD or more, is
   a fact, its probability the fact's confidence (``--min-confidence`` keeps only
   facts at least that probable);
5. dates and total costs are the rules' values, and a ``funds`` fact keeps the
   amount and share the rules read for that pair.

The ``entity`` head's probability is each mention's confidence; it drops nothing
(dropping by it lowered the cross-validated F1). The heads are trained by
``kg train`` (kg/extract/train.py) from gold folders.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from kg.authority import fold, load_authority
from kg.extract import register
from kg.extract.candidates import (
    Group,
    Reading,
    funding_proposals,
    name_variants,
    place_proposals,
    project_proposals,
    read,
    with_name,
)
from kg.extract.features import (
    MAX_PLACES,
    RELATION_TYPES,
    DocIndex,
    entity_features,
    pair_features,
    place_features,
    proposal_features,
    variant_features,
)
from kg.extract.mentions import MentionFinder
from kg.extract.model import Model
from kg.extract.nlp import parse_many
from kg.extract.rules import mentions_of
from kg.model import (
    VALUE_RELATIONS,
    Claim,
    Document,
    Extraction,
    Mention,
    Relation,
    Span,
)
from kg.settings import Settings

NAME = "hankegraph.learned.v1"
#: relations read with the place first (place, project), stored as (project, place)
REVERSED = frozenset({"target_area"})
#: a pair no rule links is a fact from this probability on. Cross-validated on the dev
#: corpus when it was chosen (5 folds by site, facts F1): 0.356 at 0.7, 0.358 at 0.6, 0.362
#: at 0.5, with precision 0.564 / 0.554 / 0.539; lower added about as many wrong facts as
#: right ones
ADD_THRESHOLD = 0.5


@lru_cache(maxsize=4)
def folded_text(text: str) -> str:
    """A document's text folded as names are (the variant and proposal features count
    a name's occurrences in it): once per document, not once per candidate."""
    return fold(text)


def variant_chooser(model: Model | None, head_name: str = "variant"):
    """A ``choose_name`` for kg.extract.candidates.read from the ``variant`` head
    (or another variant head: ``funding_variant`` for funding proposals)."""
    head = model.heads.get(head_name) if model else None
    if head is None:
        return None

    def choose(c, variants, lines, text):
        folded = folded_text(text)
        scores = [head.score(variant_features(c, k, name, lines[c.line], text, folded))
                  for k, name in variants]
        return max(range(len(variants)), key=lambda i: (scores[i], -i))

    return choose


def _chosen_variants(model: Model, head_name: str, proposals, lines, text: str, cands):
    """Each proposal cut to the variant the ``head_name`` head picks, with the
    features the accepting head reads."""
    choose = variant_chooser(model, head_name)
    folded = folded_text(text)
    out = []
    for p in proposals:
        variants = name_variants(p, lines[p.line])
        k = choose(p, variants, lines, text) if choose else 0
        dropped, name = variants[k]
        chosen = with_name(p, name, dropped, lines[p.line])
        out.append((chosen, proposal_features(p, dropped, name, lines, text, folded, cands)))
    return out


def scored_proposals(model: Model, lines, text: str, cands):
    """Every proposed project span, cut to its chosen variant, with its features."""
    return _chosen_variants(model, "variant", project_proposals(lines, text, cands), lines,
                            text, cands)


def scored_funding(model: Model, finder, lines, text: str, cands):
    """Every proposed funding name, cut to its chosen variant, with its features."""
    return _chosen_variants(model, "funding_variant",
                            funding_proposals(finder, lines, text, cands), lines, text, cands)


def scored_places(lines, text: str, cands):
    """Every proposed place with its features."""
    folded = folded_text(text)
    return [(c, place_features(c, lines, text, folded, cands))
            for c in place_proposals(lines, cands)]


def proposer(model: Model | None, finder=None):
    """A ``propose`` for kg.extract.candidates.read from the ``project``, ``place``
    and ``funding`` heads: the proposals each head accepts."""
    heads = {k: model.heads.get(k) for k in ("project", "place", "funding")} if model else {}
    if not any(heads.values()):
        return None

    def propose(lines, text, cands):
        out = []
        kinds = [("project", scored_proposals(model, lines, text, cands)),
                 ("place", scored_places(lines, text, cands))]
        if finder is not None and heads.get("funding") is not None:
            kinds.append(("funding", scored_funding(model, finder, lines, text, cands)))
        for kind, scored in kinds:
            head = heads.get(kind)
            if head is None:
                continue
            for c, f in scored:
                p = head.probability(f)
                if p >= head.threshold:
                    c.confidence = round(p, 4)
                    out.append(c)
        return out

    return propose


def rule_index(reading: Reading):
    """The rule claims as features: which relations link which groups."""
    between: dict[tuple[str, str], set[str]] = defaultdict(set)
    of: dict[str, Counter] = defaultdict(Counter)
    for r in reading.claims:
        s = reading.key_of.get(id(r.subject))
        o = reading.key_of.get(id(r.object)) if r.object is not None else None
        if s is None:
            continue
        of[s][r.relation.value] += 1
        if o is not None:
            of[o][r.relation.value + "_obj"] += 1
            rule = r.rule.split(".")[0] if "." in r.rule else r.rule
            between[(s, o)].add(f"{r.relation.value}|{rule}")
            if r.relation.value in REVERSED:
                between[(o, s)].add(f"{r.relation.value}|{rule}")
    return between, of


def focus_index(reading: Reading) -> dict[int, tuple[str, str] | None]:
    """For each clause unit, the project the rules put in focus there, and how."""
    out: dict[int, tuple[str, str] | None] = {}
    for i, unit in enumerate(reading.units):
        project, how = reading.reader.project_for(unit, i)
        out[i] = (reading.key_of.get(id(project)), how) if project is not None else None
    return out


def candidate_pairs(reading: Reading) -> Iterator[tuple[Group, Group, tuple[str, ...]]]:
    """Ordered pairs (a, b) of groups and the relations their types allow.
    target_area is read as (place, project): the place's context decides it."""
    groups = list(reading.groups.values())
    for a in groups:
        for b in groups:
            if a is b:
                continue
            rels = []
            for rel, (subj, obj) in RELATION_TYPES.items():
                if rel in REVERSED:
                    subj, obj = obj, subj
                if a.type.value in subj and b.type.value in obj:
                    rels.append(rel)
            if rels:
                yield a, b, tuple(rels)


class Featurised:
    """One reading with every decision's features (shared by training and prediction)."""

    def __init__(self, reading: Reading):
        self.reading = reading
        self.idx = DocIndex(reading)
        between, of = rule_index(reading)
        focus = focus_index(reading)
        self.entities = {key: entity_features(reading, self.idx, g, of.get(key, Counter()))
                         for key, g in reading.groups.items()}
        self.pairs = [(a, b, rels, pair_features(reading, self.idx, a, b, between, of, focus))
                      for a, b, rels in candidate_pairs(reading)]


def decide(model: Model, feat: Featurised, min_confidence: float | None = None) -> Extraction:
    """The model's extraction of one featurised reading.

    Entities: every candidate group the finders and the accepted proposals make
    (the ``entity`` head's probability is the mention's confidence; dropping by
    it lowered cross-validated F1, so it does not drop). Facts: a pair the
    relation rules link, or one whose head gives it ADD_THRESHOLD or more; each
    fact's confidence is its head's probability, and ``min_confidence`` keeps
    only the facts at or above it. Dates and total costs are the rules' values
    for the entities kept (no head scores them yet).
    """
    reading = feat.reading
    text = reading.document.text
    entity_head = model.heads.get("entity")
    floor = min_confidence if min_confidence is not None else 0.0
    kept = {key: (entity_head.probability(f) if entity_head else 1.0)
            for key, f in feat.entities.items()}
    mentions: list[Mention] = []
    for key, confidence in kept.items():
        for c in reading.groups[key].cands:
            mentions += mentions_of(c, key, text, reading.lines[c.line], round(confidence, 4))
    rule_claims = defaultdict(list)
    for r in reading.claims:
        s = reading.key_of.get(id(r.subject))
        o = reading.key_of.get(id(r.object)) if r.object is not None else None
        rule_claims[(r.relation.value, s, o)].append(r)
    claims: list[Claim] = []
    for a, b, rels, f in feat.pairs:
        for rel in rels:
            head = model.heads.get(rel)
            subj, obj = (b, a) if rel in REVERSED else (a, b)
            rules = rule_claims.get((rel, subj.key, obj.key), [])
            p = head.probability(f) if head is not None else (1.0 if rules else 0.0)
            if not (rules or p >= ADD_THRESHOLD) or p < floor:
                continue
            span = rules[0].span if rules else evidence(feat, a, b)
            amount = next((r.amount_eur for r in rules if r.amount_eur is not None), None)
            share = next((r.share_percent for r in rules if r.share_percent is not None), None)
            how = rules[0].rule if rules else "pair"
            claims.append(Claim(relation=Relation(rel), subject=subj.key, object=obj.key,
                                value=None, span=span, rule=f"{NAME}:{rel}:{how}",
                                confidence=round(p, 4), amount_eur=amount,
                                share_percent=share))
    seen = set()
    for r in reading.claims:
        if r.relation not in VALUE_RELATIONS:
            continue
        s = reading.key_of.get(id(r.subject))
        key = (r.relation, s, r.value)
        if s not in kept or key in seen:
            continue
        seen.add(key)
        claims.append(Claim(relation=r.relation, subject=s, object=None, value=r.value,
                            span=r.span, rule=r.rule, confidence=r.confidence))
    return Extraction(reading.document, tuple(mentions), tuple(claims), NAME)


def evidence(feat: Featurised, a: Group, b: Group) -> Span:
    """The sentence a fact rests on: the first clause unit naming both ends, else
    the unit of the subject-side mention closest to the other end."""
    units = feat.reading.units
    pa, pb = feat.idx.places[a.key][:MAX_PLACES], feat.idx.places[b.key][:MAX_PLACES]
    both = sorted({p.unit for p in pa} & {q.unit for q in pb} - {-1})
    if both:
        u = units[both[0]]
        return Span(u.start, u.end, u.text)
    best = min(((abs(p.first - q.first), p.unit) for p in pa for q in pb), default=None)
    if best is not None and 0 <= best[1] < len(units):
        u = units[best[1]]
        return Span(u.start, u.end, u.text)
    c = a.cands[0]
    line = feat.reading.lines[c.line]
    return Span(line.start, line.end, line.text)


class LearnedExtractor:
    name = NAME

    def __init__(self, model_dir: Path | None = None, authority_dir: Path | None = None,
                 min_confidence: float | None = None):
        settings = Settings()
        self.model = Model.load(Path(model_dir or settings.model_dir))
        self.finder = MentionFinder(load_authority(Path(authority_dir or settings.authority_dir)))
        self.min_confidence = min_confidence
        self._choose = variant_chooser(self.model)
        self._propose = proposer(self.model, self.finder)

    def __call__(self, document: Document) -> Extraction:
        return next(iter(self.pipe([document])))

    def pipe(self, documents: list[Document]) -> Iterator[Extraction | Exception]:
        for document, lines in zip(documents, parse_many([d.text for d in documents]),
                                   strict=True):
            try:
                reading = read(self.finder, document, lines, self._choose, self._propose)
                yield decide(self.model, Featurised(reading), self.min_confidence)
            except Exception as e:  # noqa: BLE001 - reported per document by the caller
                yield e


@register(NAME)
def make_learned_extractor(model_dir: Path | None = None, authority_dir: Path | None = None,
                           min_confidence: float | None = None) -> LearnedExtractor:
    return LearnedExtractor(model_dir, authority_dir, min_confidence)

