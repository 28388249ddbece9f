"""The rule-based extractor ``hankegraph.rules.v1``: spaCy's parse and Voikko's
morphology, the authority gazetteer, and Finnish cue words and page layouts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.authority import fold, load_authority
from kg.extract import register
from kg.extract.mentions import Cand, MentionFinder
from kg.extract.nlp import Line, parse, parse_many
from kg.extract.relations import RelationReader
from kg.model import Claim, Document, Extraction, Mention, Span
from kg.settings import Settings

NAME = "hankegraph.rules.v1"


def mention_key(c: Cand, short_forms: dict[str, str] | None = None) -> str:
    """Mentions of one entity in a document share a key: its authority id, or its
    type and folded nominative name (a short form takes its full name's key)."""
    if c.authority is not None:
        return c.authority.authority_id
    key = f"{c.type.value}:{fold(c.name)}"
    return (short_forms or {}).get(key, key)


def mentions_of(c: Cand, key: str, text: str, line: Line, confidence: float) -> list[Mention]:
    """A candidate's mention, and one more for each alias it carries (an acronym
    defined beside it), all under the entity's key."""
    span = Span(c.start, c.end, line.text)
    authority_id = c.authority.authority_id if c.authority else None
    names = [(c.name, c.rule)] + [(a, c.rule + ".alias") for a in c.aliases
                                   if a and fold(a) != fold(c.name)]
    return [Mention(key=key, type=c.type, name=name, surface=text[c.start:c.end], span=span,
                    rule=rule, confidence=confidence, authority_id=authority_id)
            for name, rule in names]


def _short_forms(cands: list[Cand]) -> dict[str, str]:
    """Within one document, `kehittämisraha` after `maakunnan kehittämisraha`, or the
    project `Rannikon reitit` beside `Rannikon reitit verkosto`, is the same entity:
    a name that is another's alias, or a word-prefix of another project's name."""
    out: dict[str, str] = {}
    # one candidate per type and name: a long text repeats a few names thousands of
    # times, and the pairs below grow with the square of the candidates
    unique: dict[str, Cand] = {}
    aliases: dict[str, set[str]] = {}
    for c in cands:
        if c.authority is None:
            key = f"{c.type.value}:{fold(c.name)}"
            unique.setdefault(key, c)
            aliases.setdefault(key, set()).update(fold(a) for a in c.aliases)
    full = list(unique.values())
    for c in full:
        key = f"{c.type.value}:{fold(c.name)}"
        for d in full:
            if d is c or d.type is not c.type or fold(d.name) == fold(c.name):
                continue
            long_key = f"{d.type.value}:{fold(d.name)}"
            is_alias = fold(c.name) in aliases[long_key]
            is_prefix = (c.type.value == "Project" and len(c.name.split()) >= 2
                         and fold(d.name).startswith(fold(c.name) + " "))
            if (is_alias or is_prefix or _head_variant(c.name, d.name)) \
                    and len(d.name) > len(c.name):
                out[key] = long_key
    # follow chains to the longest name, deterministically
    for k in list(out):
        seen = {k}
        while out[k] in out and out[k] not in seen:
            seen.add(out[k])
            out[k] = out[out[k]]
    return out


def _head_variant(short: str, long: str) -> bool:
    """`Asuminen -valmisteluryhmä` and `Asuminen -valmistelutyöryhmä`: one
    name before a hyphen-joined head word, the longer head the shorter one with a
    part inserted in the middle (`valmistelu|työ|ryhmä`), is written two ways."""
    a, sep_a, head_a = short.rpartition(" -")
    b, sep_b, head_b = long.rpartition(" -")
    if not (sep_a and sep_b and a and fold(a) == fold(b)):
        return False
    head_a, head_b = head_a.lower(), head_b.lower()
    if len(head_b) <= len(head_a):
        return False
    return any(head_b.startswith(head_a[:k]) and head_b.endswith(head_a[k:])
               for k in range(3, len(head_a) - 2))


class RuleExtractor:
    name = NAME

    def __init__(self, authority_dir: Path | None = None):
        authority_dir = authority_dir or Settings().authority_dir
        self.finder = MentionFinder(load_authority(Path(authority_dir)))

    def __call__(self, document: Document) -> Extraction:
        return self._read(document, parse(document.text))

    def pipe(self, documents: list[Document]) -> Iterator[Extraction | Exception]:
        """The documents' extractions in order, the model run on them as one batch;
        a document the rules fail on gives its exception, and the rest go on."""
        for document, lines in zip(documents, parse_many([d.text for d in documents]),
                                   strict=True):
            try:
                yield self._read(document, lines)
            except Exception as e:  # noqa: BLE001 - reported per document by the caller
                yield e

    def _read(self, document: Document, lines: list[Line]) -> Extraction:
        text = document.text
        cands = self.finder.find(lines, text)
        raw = RelationReader(text, lines, cands).read()
        short_forms = _short_forms(cands)
        mentions = []
        for c in cands:
            mentions += mentions_of(c, mention_key(c, short_forms), text, lines[c.line],
                                    c.confidence)
        claims = []
        seen = set()
        for r in raw:
            obj = mention_key(r.object, short_forms) if r.object is not None else None
            subj = mention_key(r.subject, short_forms)
            key = (r.relation, subj, obj, r.value)
            if key in seen:
                continue
            seen.add(key)
            claims.append(Claim(
                relation=r.relation, subject=subj, object=obj, value=r.value,
                span=r.span, rule=r.rule, confidence=r.confidence, amount_eur=r.amount_eur,
                share_percent=r.share_percent,
            ))
        return Extraction(document, tuple(mentions), tuple(claims), NAME)


@register(NAME)
def make_rule_extractor(authority_dir: Path | None = None, **_unused) -> RuleExtractor:
    """(The learned extractor's options, such as ``model_dir``, mean nothing here.)"""
    return RuleExtractor(authority_dir)
