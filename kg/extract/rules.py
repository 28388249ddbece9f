"""The rule-based extractor ``hankegraph.rules.v1``: spaCy's parse and Voikko's
morphology, the authority gazetteer, and Finnish cue words and page layouts."""

from __future__ import annotations

from pathlib import Path

from kg.authority import fold, load_authority
from kg.extract import register
from kg.extract.mentions import Cand, MentionFinder
from kg.extract.nlp import parse
from kg.extract.relations import RelationReader
from kg.model import Claim, Document, Extraction, Mention, Span
from kg.settings import Settings

NAME = "hankegraph.rules.v1"


def mention_key(c: Cand) -> str:
    """Mentions of one entity in a document share a key: its authority id, or its
    type and folded nominative name."""
    if c.authority is not None:
        return c.authority.authority_id
    return f"{c.type.value}:{fold(c.name)}"


class RuleExtractor:
    name = NAME

    def __init__(self, authority_dir: Path | None = None):
        authority_dir = authority_dir or Settings().authority_dir
        self.finder = MentionFinder(load_authority(Path(authority_dir)))

    def __call__(self, document: Document) -> Extraction:
        text = document.text
        lines = parse(text)
        cands = self.finder.find(lines, text)
        raw = RelationReader(text, lines, cands).read()
        mentions = []
        for c in cands:
            line = lines[c.line]
            mentions.append(Mention(
                key=mention_key(c), type=c.type, name=c.name, surface=text[c.start:c.end],
                span=Span(c.start, c.end, line.text), rule=c.rule, confidence=c.confidence,
                authority_id=c.authority.authority_id if c.authority else None,
            ))
            for alias in c.aliases:
                if alias and fold(alias) != fold(c.name):
                    mentions.append(Mention(
                        key=mention_key(c), type=c.type, name=alias,
                        surface=text[c.start:c.end], span=Span(c.start, c.end, line.text),
                        rule=c.rule + ".alias", confidence=c.confidence,
                        authority_id=c.authority.authority_id if c.authority else None,
                    ))
        claims = []
        seen = set()
        for r in raw:
            obj = mention_key(r.object) if r.object is not None else None
            key = (r.relation, mention_key(r.subject), obj, r.value)
            if key in seen:
                continue
            seen.add(key)
            claims.append(Claim(
                relation=r.relation, subject=mention_key(r.subject), object=obj, value=r.value,
                span=r.span, rule=r.rule, confidence=r.confidence, amount_eur=r.amount_eur,
                share_percent=r.share_percent,
            ))
        return Extraction(document, tuple(mentions), tuple(claims), NAME)


@register(NAME)
def make_rule_extractor(authority_dir: Path | None = None) -> RuleExtractor:
    return RuleExtractor(authority_dir)
