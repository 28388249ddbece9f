"""Resolve: per-document mentions → one entity per real actor across documents.

Identity, strongest evidence first:

1. the authority record a mention was matched to (municipality and region by
   Statistics Finland code, known organisations and funds by name or acronym);
2. otherwise the type and the *normalised name*: case, white space, hyphens and
   a trailing legal form folded (``LAB ammattikorkeakoulu Oy`` =
   ``LAB-ammattikorkeakoulu``), and an alias that names an authority record.

There is no similarity chaining: two entities merge only when one of these
keys is equal, and every merge is recorded with its reason. The IRI of an
entity depends on its key only, never on the order documents are read in.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kg.authority import Authority, AuthorityRecord, fold, slug
from kg.model import Entity, EntityType, Extraction, Fact, Resolution

KIND = {
    EntityType.ORGANISATION: "organisation",
    EntityType.MUNICIPALITY: "municipality",
    EntityType.REGION: "region",
    EntityType.PROJECT: "project",
    EntityType.FUNDING: "funding",
    EntityType.PERSON: "person",
}

_LEGAL_SUFFIX = re.compile(r"\s+(oyj|oy|ab|abp|ry|rf|sr|rs|ky)$")


def normalised_name(name: str) -> str:
    """The identity key of a name: folded, hyphens as spaces, legal form dropped."""
    n = fold(name).replace("-", " ")
    n = re.sub(r"[!?.,:;\"”“«»']", "", n)
    n = re.sub(r"\s+", " ", n).strip()
    return _LEGAL_SUFFIX.sub("", n)


@dataclass
class _Local:
    """One entity within one document: the mentions sharing a key."""

    doc_id: str
    key: str
    type: EntityType
    names: Counter = field(default_factory=Counter)  # name → how often written
    primary: Counter = field(default_factory=Counter)  # names from non-alias rules
    authority_id: str | None = None


def _locals(extraction: Extraction) -> dict[str, _Local]:
    out: dict[str, _Local] = {}
    for m in extraction.mentions:
        loc = out.setdefault(m.key, _Local(extraction.document.doc_id, m.key, m.type))
        loc.names[m.name] += 1
        if not m.rule.endswith(".alias"):
            loc.primary[m.name] += 1
        loc.authority_id = loc.authority_id or m.authority_id
    return out


def _best_name(names: Counter) -> str:
    """Most often written, then longest, then alphabetical: independent of order."""
    return sorted(names.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]


def resolve(extractions: list[Extraction], authority: Authority) -> Resolution:
    locals_by_doc = {e.document.doc_id: _locals(e) for e in extractions}
    identity: dict[tuple[str, str], str] = {}  # (doc_id, local key) → identity key
    members: dict[str, list[_Local]] = defaultdict(list)
    reasons: dict[str, set[str]] = defaultdict(set)

    for doc_id in sorted(locals_by_doc):
        for key in sorted(locals_by_doc[doc_id]):
            loc = locals_by_doc[doc_id][key]
            ident, why = _identity(loc, authority)
            identity[(doc_id, key)] = ident
            members[ident].append(loc)
            reasons[ident].add(why)

    entities: dict[str, Entity] = {}
    iri_of: dict[str, str] = {}
    merges: list[str] = []
    for ident in sorted(members):
        locs = members[ident]
        record = authority.records.get(ident) if not ident.startswith("name:") else None
        entity = _entity(ident, locs, record)
        entities[entity.iri_key] = entity
        iri_of[ident] = entity.iri_key
        docs = sorted({loc.doc_id for loc in locs})
        if len(docs) > 1 or len(locs) > 1:
            written = sorted({n for loc in locs for n in loc.names})
            merges.append(f"{entity.iri_key}: {len(locs)} mentions in {len(docs)} documents "
                          f"({'; '.join(written)}) by {', '.join(sorted(reasons[ident]))}")
    # authority records that resolved entities link to (a municipality's region,
    # a council's region) become entities too, so that every link has a node
    for ent in list(entities.values()):
        for _prop, target in ent.links:
            if target not in entities:
                rec = next((r for r in authority.records.values() if r.iri_key == target), None)
                if rec is not None:
                    entities[target] = _entity(rec.authority_id, [], rec)

    facts = []
    for e in extractions:
        doc_id = e.document.doc_id
        for c in e.claims:
            subj = iri_of[identity[(doc_id, c.subject)]]
            obj = iri_of[identity[(doc_id, c.object)]] if c.object is not None else None
            facts.append(Fact(c.relation, subj, obj, c.value, doc_id, c.span, c.rule,
                              c.confidence, c.amount_eur, c.share_percent))
    facts.sort(key=lambda f: (f.doc_id, f.relation.value, f.subject, f.object or "",
                              str(f.value), f.span.start))
    return Resolution(
        documents=tuple(sorted((e.document for e in extractions), key=lambda d: d.doc_id)),
        entities=tuple(sorted(entities.values(), key=lambda x: x.iri_key)),
        facts=tuple(facts),
        merges=tuple(merges),
    )


def _identity(loc: _Local, authority: Authority) -> tuple[str, str]:
    if loc.authority_id:
        return loc.authority_id, "authority record"
    # an alias of this entity that names an authority record of the same type
    for name in sorted(loc.names):
        rec = authority.lookup(name)
        if rec is not None and rec.type is loc.type:
            return rec.authority_id, f"alias '{name}' in the authority data"
        stripped = _LEGAL_SUFFIX.sub("", fold(name))
        rec = authority.lookup(stripped) if stripped != fold(name) else None
        if rec is not None and rec.type is loc.type:
            return rec.authority_id, "authority name without the legal form"
    best = _best_name(loc.primary or loc.names)
    return f"name:{KIND[loc.type]}:{normalised_name(best)}", "normalised name"


def _entity(ident: str, locs: list[_Local], record: AuthorityRecord | None) -> Entity:
    written: Counter = Counter()
    primary: Counter = Counter()
    by_doc: dict[str, set[str]] = defaultdict(set)
    for loc in locs:
        written.update(loc.names)
        primary.update(loc.primary)
        by_doc[loc.doc_id].update(loc.names)
    if record is not None:
        name = record.name
        aliases = set(record.names[1:]) | set(written)
        links = tuple(
            (prop, _record_iri_key(target)) for prop, target in record.links
        )
        return Entity(
            iri_key=record.iri_key, type=record.type, name=name,
            aliases=tuple(sorted(a for a in aliases if a != name)),
            identifiers=record.identifiers, links=links, same_as=record.same_as,
            organisation_type=record.organisation_type,
            names_by_document=tuple((d, tuple(sorted(n))) for d, n in sorted(by_doc.items())),
        )
    etype = locs[0].type
    name = _best_name(primary or written)
    kind, _, norm = ident.removeprefix("name:").partition(":")
    return Entity(
        iri_key=f"{kind}/{slug(norm)}", type=etype, name=name,
        aliases=tuple(sorted(a for a in written if a != name)),
        names_by_document=tuple((d, tuple(sorted(n))) for d, n in sorted(by_doc.items())),
    )


def _record_iri_key(authority_id: str) -> str:
    kind, _, rest = authority_id.partition(":")
    if kind in ("municipality", "region", "subregion"):
        return f"{kind}/{rest}"
    return f"{'funding' if kind == 'funding' else 'organisation'}/{slug(rest)}"
