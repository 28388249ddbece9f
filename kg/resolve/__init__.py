"""Resolve: per-document mentions → one entity per real actor across documents.

Identity, strongest evidence first:

1. the authority record a mention was matched to (municipality and region by
   Statistics Finland code, wellbeing services counties, regional councils, ELY
   centres, universities, ministries and funds by name or acronym), or that one of
   its names (an alias, or the name without its legal form) is;
2. otherwise the type and the *normalised name*: case, white space, hyphens and
   a trailing legal form folded (``LAB ammattikorkeakoulu Oy`` =
   ``LAB-ammattikorkeakoulu``);
3. a name that a document defines as another name of an entity (``Pohjois-Karjalan
   koulutuskuntayhtymä (PKKY)``) joins an entity that another document calls only by
   that name, when exactly one entity of the corpus is defined so.

Caution, because a wrong merge is worse than a missed one: there is no similarity
and no chaining (a definition only joins a name to the entity that defines it, and
not when that entity was itself joined to another); a generic name that fits many
records (``ELY-keskus``, ``ammattikorkeakoulu``) stays within its document; a
person's name joins across documents only when the persons share an organisation
or a project. Every entity records, per document, why its mentions there are it
(:attr:`Entity.notes`, written to the graph as ``hg:resolutionNote``), and every
merge is listed in :attr:`Resolution.merges`.

IRIs depend on the identity only, never on the order documents are read in:
``municipality/297``, ``organisation/kaakkois-suomen-ammattikorkeakoulu``; a name
that is only good within one document gets the document in its IRI.

After that the curation file (:mod:`kg.resolve.curation`) is applied, and business
IDs found beside organisation names (:mod:`kg.resolve.business_id`) are attached.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

from kg.authority import Authority, AuthorityRecord, fold, slug
from kg.model import Entity, EntityType, Extraction, Fact, Relation, Resolution
from kg.resolve.business_id import business_ids
from kg.resolve.curation import Entry, apply_entities, rejects, report_rejects
from kg.resolve.groups import Group, Local

KIND = {
    EntityType.ORGANISATION: "organisation",
    EntityType.MUNICIPALITY: "municipality",
    EntityType.REGION: "region",
    EntityType.PROJECT: "project",
    EntityType.FUNDING: "funding",
    EntityType.PERSON: "person",
}

_LEGAL_SUFFIX = re.compile(r"\s+(oyj|oy|ab|abp|ry|rf|sr|rs|ky)$")
#: persons are told apart by whom they work for and what they are contact for
_PERSON_CONTEXT = (Relation.MEMBER_OF, Relation.CONTACT)


def normalised_name(name: str) -> str:
    """The identity key of a name: folded, hyphens as spaces, legal form dropped."""
    n = fold(name).replace("-", " ")
    n = re.sub(r"[!?.,:;\"”“«»']", "", n)
    n = re.sub(r"\s+", " ", n).strip()
    return _LEGAL_SUFFIX.sub("", n)


def _locals(extraction: Extraction) -> dict[str, Local]:
    out: dict[str, Local] = {}
    for m in extraction.mentions:
        loc = out.setdefault(m.key, Local(extraction.document.doc_id, m.key, m.type))
        loc.names[m.name] += 1
        if not m.rule.endswith(".alias"):
            loc.primary[m.name] += 1
        loc.authority_id = loc.authority_id or m.authority_id
    return out


def _best_name(names: Counter) -> str:
    """Most often written, then longest, then alphabetical: independent of order."""
    return sorted(names.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]


def resolve(extractions: Iterable[Extraction], authority: Authority,
            curation: tuple[Entry, ...] = (), fact_spool=None) -> Resolution:
    """``extractions`` is read several times over, one at a time: a list, or an
    iterable that is ``in_document_order`` (kg.cache.ExtractionSpool, which keeps
    them on disk). The resolution's documents come without their text. With
    ``fact_spool`` (a kg.cache.FactSpool) the facts go there, document by document,
    and it is the resolution's ``facts``: a build's facts are then on disk."""
    if not getattr(extractions, "in_document_order", False):
        extractions = sorted(extractions, key=lambda e: e.document.doc_id)
    locals_by_doc = {e.document.doc_id: _locals(e) for e in extractions}
    every = [locals_by_doc[d][k] for d in sorted(locals_by_doc) for k in sorted(locals_by_doc[d])]

    identity: dict[tuple[str, str], str] = {}
    for loc in every:
        ident, loc.why = _identity(loc, authority)
        identity[(loc.doc_id, loc.key)] = ident
    _join_defined_names(every, identity)
    _scope_persons(extractions, every, identity)

    groups = _groups(every, identity, authority)
    merges = _merge_lines(groups)
    outcome = apply_entities(curation, groups, KIND, _best_name)

    iri_of = {(loc.doc_id, loc.key): g.iri_key for g in groups.values() for loc in g.locals}
    local_of = {(loc.doc_id, loc.key): loc for loc in every}
    ids = _business_ids(extractions, iri_of)

    entities: dict[str, Entity] = {}
    for iri in sorted(groups):
        entities[iri] = _entity(groups[iri], ids.get(iri, {}))
    # authority records that resolved entities link to (a municipality's region and
    # wellbeing services county, a council's region) become entities too
    by_iri = {r.iri_key: r for r in authority.records.values()}
    for ent in list(entities.values()):
        for _prop, target in ent.links:
            if target not in entities and target in by_iri:
                entities[target] = _entity(Group(target, by_iri[target].type, [],
                                                 by_iri[target]), {})

    facts: list[Fact] = []
    documents = []
    for e in extractions:  # in document order: each document's facts sorted are all sorted
        doc_id = e.document.doc_id
        documents.append(replace(e.document, text=""))
        own = []
        for c in e.claims:
            subj = iri_of[(doc_id, c.subject)]
            obj = iri_of[(doc_id, c.object)] if c.object is not None else None
            moved = [*local_of[(doc_id, c.subject)].curated,
                     *(local_of[(doc_id, c.object)].curated if c.object is not None else [])]
            fact = Fact(c.relation, subj, obj, c.value, doc_id, c.span, c.rule,
                        c.confidence, c.amount_eur, c.share_percent,
                        curation="; ".join(dict.fromkeys(moved)) or None)
            hit = next((r for r in outcome.rejects if rejects(fact, r, groups)), None)
            if hit is not None:
                outcome.rejected[hit.source] = outcome.rejected.get(hit.source, 0) + 1
                continue
            own.append(fact)
        own = _one_confidence_per_fact(own)
        own.sort(key=lambda f: (f.relation.value, f.subject, f.object or "", str(f.value),
                                f.span.start))
        if fact_spool is not None:
            fact_spool.add(doc_id, own)
        else:
            facts.extend(own)
    report_rejects(outcome)
    return Resolution(
        documents=tuple(documents),
        entities=tuple(sorted(entities.values(), key=lambda x: x.iri_key)),
        facts=fact_spool if fact_spool is not None else tuple(facts),
        merges=tuple(merges),
        curation=tuple(outcome.lines),
    )


def _one_confidence_per_fact(facts: list[Fact]) -> list[Fact]:
    """Two mentions that resolve to one entity can make one document state the same
    fact twice, with two probabilities and two sentences. A fact between entities is
    one Grant or Participation node with one provenance, so it is kept once: the
    more probable statement (the earlier on a tie), with an amount or share the other
    gave if it has none. A value fact (a date, a total) keeps each statement, with the
    higher confidence on all."""
    best: dict[tuple, Fact] = {}
    top: dict[tuple, float] = {}
    for f in facts:
        key = (f.relation, f.subject, f.object, str(f.value))
        top[key] = max(top.get(key, 0.0), f.confidence)
        if f.object is None:
            continue
        kept = best.get(key)
        if kept is None or (f.confidence, -f.span.start) > (kept.confidence, -kept.span.start):
            f = replace(f, amount_eur=f.amount_eur if f.amount_eur is not None
                        else (kept.amount_eur if kept else None),
                        share_percent=f.share_percent if f.share_percent is not None
                        else (kept.share_percent if kept else None))
            best[key] = f
        elif kept.amount_eur is None and f.amount_eur is not None or \
                kept.share_percent is None and f.share_percent is not None:
            best[key] = replace(kept, amount_eur=kept.amount_eur if kept.amount_eur is not None
                                else f.amount_eur,
                                share_percent=kept.share_percent
                                if kept.share_percent is not None else f.share_percent)
    out = []
    for f in facts:
        key = (f.relation, f.subject, f.object, str(f.value))
        if f.object is not None:
            if best.get(key) is not None:
                out.append(best.pop(key))
            continue
        out.append(f if f.confidence == top[key] else replace(f, confidence=top[key]))
    return out


# ------------------------------------------------------------------ identity

@lru_cache(maxsize=4)
def _authority_index(authority: Authority) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """The authority records by normalised name, and the *generic* names: those that
    fit several records, as an abbreviation they share (``ELY``) or as the last words
    their names end in (``ELY-keskus``, ``ammattikorkeakoulu``, ``hyvinvointialue``).
    Such a name alone says which one only within its document."""
    by_norm: dict[str, set[str]] = defaultdict(set)
    tails: Counter = Counter()
    for rec in authority.records.values():
        tails.update({normalised_name(" ".join(fold(n).split()[i:]))
                      for n in rec.names for i in range(1, len(fold(n).split()))})
        for n in rec.names:
            by_norm[normalised_name(n)].add(rec.authority_id)
    generic = {n for n, c in tails.items() if c >= 2} | {n for n, ids in by_norm.items()
                                                         if len(ids) >= 2}
    return {n: tuple(sorted(ids)) for n, ids in by_norm.items()}, frozenset(generic)


def _lookup(authority: Authority, name: str) -> AuthorityRecord | None:
    """The one record known by this name, compared as normalised names (case, hyphens
    and a legal form aside: ``LAB ammattikorkeakoulu Oy`` is ``LAB-ammattikorkeakoulu``)."""
    rec = authority.lookup(name)
    if rec is not None:
        return rec
    ids = _authority_index(authority)[0].get(normalised_name(name), ())
    return authority.records[ids[0]] if len(ids) == 1 else None


def _identity(loc: Local, authority: Authority) -> tuple[str, str]:
    if loc.authority_id:
        rec = authority.records.get(loc.authority_id)
        return loc.authority_id, ("matched in the text to the authority record "
                                  f"{_describe(rec, loc.authority_id)}")
    # a name of this entity (an alias, or without its legal form) that names an
    # authority record of the same type
    for name in sorted(loc.names):
        rec = _lookup(authority, name)
        if rec is not None and rec.type is loc.type:
            how = ("is" if fold(name) in {fold(n) for n in rec.names}
                   else "is, as a normalised name,")
            return rec.authority_id, (f"its name '{name}' {how} the authority record "
                                      f"{_describe(rec, rec.authority_id)}")
    best = _best_name(loc.primary or loc.names)
    norm = normalised_name(best)
    if norm in _authority_index(authority)[1]:
        return (f"name:{KIND[loc.type]}:{norm}@{loc.doc_id}",
                f"'{best}' fits several authority records, so it stands for one only "
                "within this document")
    return f"name:{KIND[loc.type]}:{norm}", f"the normalised name '{norm}'"


def _describe(rec: AuthorityRecord | None, authority_id: str) -> str:
    if rec is None:
        return authority_id
    codes = ", ".join(f"{p} {v}" for p, v in rec.identifiers)
    return f"{rec.name} ({codes})" if codes else f"{rec.name} ({authority_id})"


def _join_defined_names(every: list[Local], identity: dict) -> None:
    """A name that one document defines as another name of an entity (an acronym in
    brackets, a short form) joins the entities that other documents call only by it.
    Only when exactly one entity defines the name, that entity was not itself joined
    to another (no chains), and no document keeps the two apart; a refusal is noted
    on the entity, so that a reader sees what was not merged and why."""
    defined: dict[tuple[EntityType, str], set[str]] = defaultdict(set)
    where: dict[tuple[EntityType, str, str], tuple[str, str]] = {}
    for loc in every:
        ident = identity[(loc.doc_id, loc.key)]
        if loc.type is EntityType.PERSON:
            continue
        own = ident.rsplit(":", 1)[-1].partition("@")[0] if ident.startswith("name:") else None
        for name in loc.names:
            norm = normalised_name(name)
            if norm and norm != own:
                defined[(loc.type, norm)].add(ident)
                where.setdefault((loc.type, norm, ident), (loc.doc_id, name))
    docs_of: dict[str, set[str]] = defaultdict(set)
    for (doc_id, _key), ident in identity.items():
        docs_of[ident].add(doc_id)
    joins: dict[str, tuple[str, str]] = {}  # ident → (target, why) or ("", why not)
    for loc in every:
        ident = identity[(loc.doc_id, loc.key)]
        if (not ident.startswith("name:") or "@" in ident or ident in joins
                or loc.type is EntityType.PERSON):
            continue
        norm = ident.rsplit(":", 1)[-1]
        targets = sorted(defined.get((loc.type, norm), set()) - {ident})
        if len(targets) > 1:
            joins[ident] = ("", f"not joined to {', '.join(targets)}: each is given the "
                                f"name '{norm}' somewhere")
        elif targets:
            target = targets[0]
            both = sorted(docs_of[ident] & docs_of[target])
            if both:
                joins[ident] = ("", f"not joined to {target}, which gives it as a name "
                                    f"elsewhere: document {both[0]} names the two apart")
            else:
                doc_id, name = where[(loc.type, norm, target)]
                joins[ident] = (target, f"document {doc_id} gives {target} the name '{name}'")
    for loc in every:
        key = (loc.doc_id, loc.key)
        target, why = joins.get(identity[key], ("", ""))
        if target and joins.get(target, ("", ""))[0]:
            why = (f"not joined to {target}, which was itself joined to another entity "
                   "(no chains)")
            target = ""
        if why:
            loc.why = f"{loc.why}; {why}" if not target else f"{loc.why}, and {why}"
        if target:
            identity[key] = target


def _scope_persons(extractions: list[Extraction], every: list[Local], identity: dict) -> None:
    """Namesakes are not one person on their name alone: a person's name joins across
    documents only when the persons share an organisation or a project they are
    linked to; otherwise each document's person keeps its own IRI."""
    context: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in extractions:
        d = e.document.doc_id
        for c in e.claims:
            if c.relation in _PERSON_CONTEXT and c.object is not None:
                context[(d, c.subject)].add(identity.get((d, c.object), c.object))
    by_ident: dict[str, list[Local]] = defaultdict(list)
    for loc in every:
        ident = identity[(loc.doc_id, loc.key)]
        if loc.type is EntityType.PERSON and ident.startswith("name:"):
            by_ident[ident].append(loc)
    for ident, locs in by_ident.items():
        docs = sorted({loc.doc_id for loc in locs})
        if len(docs) < 2:
            continue
        # documents whose persons share an organisation or project are one person
        parent = {d: d for d in docs}
        ctx = {d: set().union(*(context[(loc.doc_id, loc.key)] for loc in locs
                                if loc.doc_id == d)) for d in docs}
        for i, a in enumerate(docs):
            for b in docs[i + 1:]:
                if ctx[a] & ctx[b]:
                    parent[_root(parent, b)] = _root(parent, a)
        roots = {_root(parent, d) for d in docs}
        if len(roots) == 1:
            for loc in locs:
                shared = sorted(set.intersection(*(ctx[d] for d in docs)) or ctx[loc.doc_id])
                loc.why = (f"{loc.why}; the same name in {len(docs)} documents, linked to "
                           f"{', '.join(s.split(':', 1)[-1] for s in shared[:3])}")
            continue
        for loc in locs:
            first = _root(parent, loc.doc_id)
            identity[(loc.doc_id, loc.key)] = f"{ident}@{first}"
            loc.why = (f"{loc.why}; a namesake in another document is linked to no shared "
                       "organisation or project, so they are kept apart")


def _root(parent: dict[str, str], d: str) -> str:
    while parent[d] != d:
        d = parent[d]
    return d


# ------------------------------------------------------------------ entities

def _groups(every: list[Local], identity: dict, authority: Authority) -> dict[str, Group]:
    members: dict[str, list[Local]] = defaultdict(list)
    for loc in every:
        members[identity[(loc.doc_id, loc.key)]].append(loc)
    iri_of = _iri_keys(sorted(members), authority)
    groups = {}
    for ident, locs in members.items():
        record = authority.records.get(ident)
        etype = record.type if record is not None else locs[0].type
        groups[iri_of[ident]] = Group(iri_of[ident], etype, locs, record)
    return groups


def _iri_keys(idents: list[str], authority: Authority) -> dict[str, str]:
    """Readable IRI paths; two identities whose names slug alike (``Ääni`` and
    ``Aani``) are told apart by a digest of the identity, never by reading order."""
    out = {}
    for ident in idents:
        rec = authority.records.get(ident)
        if rec is not None:
            out[ident] = rec.iri_key
            continue
        kind, _, norm = ident.removeprefix("name:").partition(":")
        norm, _, doc_id = norm.partition("@")
        out[ident] = f"{kind}/{slug(norm)}" + (f"-{slug(doc_id)}" if doc_id else "")
    taken = Counter(out.values())
    for ident, iri in out.items():
        if taken[iri] > 1 and ident not in authority.records:
            out[ident] = f"{iri}-{hashlib.sha1(ident.encode('utf-8')).hexdigest()[:6]}"
    return out


def _merge_lines(groups: dict[str, Group]) -> list[str]:
    lines = []
    for iri in sorted(groups):
        locs = groups[iri].locals
        if len(locs) < 2:
            continue
        docs = sorted({loc.doc_id for loc in locs})
        written = sorted({n for loc in locs for n in loc.names})
        whys = sorted({loc.why for loc in locs})
        lines.append(f"{iri}: {len(locs)} mentions in {len(docs)} documents "
                     f"({'; '.join(written)}) by {' | '.join(whys)}")
    return lines


def _business_ids(extractions: list[Extraction], iri_of: dict) -> dict[str, dict[str, set]]:
    """iri → doc_id → the check-digit-valid business IDs the text gives it there."""
    out: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for e in extractions:
        for found in business_ids(e.document, e.mentions):
            iri = iri_of[(e.document.doc_id, found.key)]
            out[iri][e.document.doc_id].add((found.value, found.valid))
    return out


def _entity(group: Group, ids: dict[str, set]) -> Entity:
    written: Counter = Counter()
    primary: Counter = Counter()
    by_doc: dict[str, set[str]] = defaultdict(set)
    notes: dict[str, list[str]] = defaultdict(list)
    for loc in sorted(group.locals, key=lambda x: (x.doc_id, x.key)):
        written.update(loc.names)
        primary.update(loc.primary)
        by_doc[loc.doc_id].update(loc.names)
        notes[loc.doc_id].append(f"{', '.join(sorted(loc.names))}: {loc.why}")
        notes[loc.doc_id].extend(f"curated: {c}" for c in loc.curated)
    for doc_id in by_doc:
        notes[doc_id].extend(f"curated: {c}" for c in group.curated
                             if f"curated: {c}" not in notes[doc_id])
    valid = {v for found in ids.values() for v, ok in found if ok}
    for doc_id, found in sorted(ids.items()):
        for v, ok in sorted(found):
            if not ok:
                notes[doc_id].append(f"business ID {v} left out: its check digit is wrong")
            elif len(valid) > 1:
                notes[doc_id].append(f"business ID {v} left out: the documents give "
                                     f"{len(valid)} different ones ({', '.join(sorted(valid))})")
    business = () if len(valid) != 1 else tuple(
        (d, v) for d, found in sorted(ids.items()) for v, ok in sorted(found) if ok)
    record = group.record
    name = group.name or (record.name if record is not None else _best_name(primary or written))
    aliases = set(written) | (set(record.names) if record is not None else set())
    common = dict(
        iri_key=group.iri_key, type=group.type, name=name,
        aliases=tuple(sorted(a for a in aliases if a != name)),
        names_by_document=tuple((d, tuple(sorted(n))) for d, n in sorted(by_doc.items())),
        notes=tuple((d, "; ".join(n)) for d, n in sorted(notes.items())),
        business_ids=business,
    )
    if record is None:
        return Entity(**common)
    return Entity(
        **common, identifiers=record.identifiers,
        links=tuple((prop, _record_iri_key(target)) for prop, target in record.links),
        same_as=record.same_as, organisation_type=record.organisation_type,
    )


def _record_iri_key(authority_id: str) -> str:
    kind, _, rest = authority_id.partition(":")
    if kind in ("municipality", "region", "subregion"):
        return f"{kind}/{rest}"
    return f"{'funding' if kind == 'funding' else 'organisation'}/{slug(rest)}"
