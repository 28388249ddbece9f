"""Resolution → RDF, with ontology terms only.

Layout of the dataset:

- one named graph per document (``<base>graph/<doc_id>``) with the document's
  description, the type and names of every entity it mentions, its facts as
  direct shortcut triples (``hg:administers``, ``hg:funds``, ``hg:targetArea`` …),
  the n-ary ``hg:Participation`` and ``hg:Grant`` nodes, and for every shortcut
  triple an ``rdf:Statement`` carrying its provenance (document, sentence,
  offsets, rule, confidence). Re-ingesting or removing a document replaces
  exactly its graph.
- one graph ``<base>graph/authority`` with the identifiers and links that come
  from the authority data (codes, Wikidata, region of a municipality).

All IRIs are deterministic functions of the content.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from decimal import Decimal

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Dataset, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV

from kg.graph.vocab import HG
from kg.model import Entity, EntityType, Fact, Relation, Resolution
from kg.privacy import redact

CLASS = {
    EntityType.ORGANISATION: HG.Organisation,
    EntityType.MUNICIPALITY: HG.Municipality,
    EntityType.REGION: HG.Region,
    EntityType.PROJECT: HG.Project,
    EntityType.FUNDING: HG.FundingScheme,
    EntityType.PERSON: FOAF.Person,
}

#: The shortcut property of each relation, and whether the triple reads
#: subject → object as in the claim.
PROPERTY = {
    Relation.ADMINISTERS: HG.administers,
    Relation.IMPLEMENTS: HG.implements,
    Relation.PARTNERS: HG.partnerIn,
    Relation.FUNDS: HG.funds,
    Relation.TARGET_AREA: HG.targetArea,
    Relation.CONTACT: HG.contactFor,
    Relation.MEMBER_OF: HG.memberOf,
    Relation.PART_OF: HG.partOf,
    Relation.TOTAL_COST: HG.totalCost,
    Relation.START_DATE: HG.startDate,
    Relation.END_DATE: HG.endDate,
}
RELATION_OF = {v: k for k, v in PROPERTY.items()}

ROLE = {
    Relation.ADMINISTERS: HG.administrator,
    Relation.IMPLEMENTS: HG.coImplementer,
    Relation.PARTNERS: HG.partner,
}

AUTHORITY_GRAPH = "graph/authority"

#: e-mail addresses and phone numbers leave every text taken from a document
#: (evidence sentences, titles, names) through the one redaction, kg.privacy
redact_contact_details = redact

PREFIXES = {
    "hg": HG._NS, "owl": OWL, "rdf": RDF, "rdfs": RDFS, "skos": SKOS, "xsd": XSD,
    "dcterms": DCTERMS, "foaf": FOAF, "prov": PROV,
}


def date_literal(value: str) -> Literal:
    """A date at the precision the text gave: xsd:date, xsd:gYearMonth or xsd:gYear."""
    parts = value.split("-")
    dtype = {3: XSD.date, 2: XSD.gYearMonth, 1: XSD.gYear}[len(parts)]
    return Literal(value, datatype=dtype)


def euro_literal(value: float) -> Literal:
    """Amounts are whole euros (shared/corpus/GOLD-FORMAT.md)."""
    return Literal(Decimal(round(value)), datatype=XSD.decimal)


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


class _Triples:
    """One graph's triples in the order added, each once, with every term taken
    from ``terms`` (one object per distinct IRI or literal across graphs)."""

    def __init__(self, terms: dict):
        self.terms = terms
        self.triples: dict[tuple, None] = {}

    def add(self, triple: tuple) -> None:
        terms = self.terms
        self.triples[tuple(terms.setdefault(t, t) for t in triple)] = None


class GraphBuilder:
    def __init__(self, base_iri: str):
        self.base = Namespace(base_iri if base_iri.endswith(("/", "#")) else base_iri + "/")

    def iri(self, key: str) -> URIRef:
        return self.base[key]

    def graph_iri(self, doc_id: str) -> URIRef:
        return self.base[f"graph/{doc_id}"]

    def document_iri(self, doc_id: str) -> URIRef:
        return self.base[f"document/{doc_id}"]

    def build(self, res: Resolution) -> Dataset:
        """The whole dataset in an rdflib Dataset (for queries and tests; `kg build`
        streams :meth:`graphs` instead)."""
        ds = Dataset()
        for p, ns in PREFIXES.items():
            ds.bind(p, ns)
        ds.bind("hgr", self.base)
        for iri, triples in self.graphs(res):
            g = ds.graph(iri)
            for t in triples:
                g.add(t)
        return ds

    def graphs(self, res: Resolution) -> Iterator[tuple[URIRef, list[tuple]]]:
        """Each named graph with its triples (each once), one graph at a time, in
        the order of the graphs' IRIs; within a graph each IRI and literal is one
        object (terms are not shared between graphs: nothing keeps a corpus'
        worth of them)."""
        facts_of = getattr(res.facts, "of", None)  # a kg.cache.FactSpool reads them per document
        if facts_of is None:
            by_doc: dict[str, list[Fact]] = {}
            for f in res.facts:
                by_doc.setdefault(f.doc_id, []).append(f)
            facts_of = lambda doc_id: by_doc.get(doc_id, [])  # noqa: E731
        # each document's entities, in the resolution's order (one pass, not one per document)
        named_in: dict[str, list[tuple[Entity, tuple[str, ...]]]] = {}
        for ent in res.entities:
            for doc_id, names in ent.names_by_document:
                named_in.setdefault(doc_id, []).append((ent, names))
        entities = {e.iri_key: e for e in res.entities}
        docs = {self.graph_iri(d.doc_id): d for d in res.documents}
        authority = self.base[AUTHORITY_GRAPH]
        for iri in sorted([*docs, authority], key=str):
            g = _Triples({})
            if iri == authority:
                self._authority(g, res)
            else:
                self._document(g, docs[iri], named_in, facts_of(docs[iri].doc_id), entities)
            if g.triples:
                yield iri, list(g.triples)

    def _document(self, g, doc, named_in, facts: list[Fact], entities) -> None:
        d = self.document_iri(doc.doc_id)
        g.add((d, RDF.type, HG.Document))
        g.add((d, HG.fileName, Literal(os.path.basename(doc.path))))
        g.add((d, HG.checksum, Literal(doc.checksum)))
        if doc.title:
            g.add((d, DCTERMS.title, Literal(redact(doc.title))))
        if doc.source_url:
            g.add((d, DCTERMS.source, URIRef(doc.source_url)))
        if doc.date:
            g.add((d, DCTERMS.date, date_literal(doc.date)))
        for ent, names in named_in.get(doc.doc_id, ()):
            s = self.iri(ent.iri_key)
            g.add((s, RDF.type, CLASS[ent.type]))
            g.add((s, RDFS.label, Literal(redact(ent.name))))
            g.add((s, HG.mentionedIn, d))
            for n in names:
                if n != ent.name:
                    g.add((s, SKOS.altLabel, Literal(redact(n))))
            note = dict(ent.notes).get(doc.doc_id)
            if note:
                g.add((s, HG.resolutionNote, Literal(redact(note))))
            for bid_doc, bid in ent.business_ids:
                if bid_doc == doc.doc_id:
                    g.add((s, HG.businessId, Literal(bid)))
        for f in facts:
            self._fact(g, f, d, entities, doc.page_at(f.span.start))

    def _authority(self, g, res: Resolution) -> None:
        for ent in res.entities:
            if not (ent.identifiers or ent.links or ent.same_as or ent.organisation_type):
                continue
            s = self.iri(ent.iri_key)
            g.add((s, RDF.type, CLASS[ent.type]))
            g.add((s, RDFS.label, Literal(ent.name)))
            for prop, value in ent.identifiers:
                g.add((s, HG[prop], Literal(value)))
            for prop, target in ent.links:
                g.add((s, HG[prop], self.iri(target)))
            for iri in ent.same_as:
                g.add((s, OWL.sameAs, URIRef(iri)))
            if ent.organisation_type:
                g.add((s, HG.organisationType, Literal(ent.organisation_type)))

    def _fact(self, g, f: Fact, doc: URIRef, entities, page: int | None) -> None:
        s = self.iri(f.subject)
        prop = PROPERTY[f.relation]
        if f.relation is Relation.TOTAL_COST:
            o = euro_literal(float(f.value))
        elif f.relation in (Relation.START_DATE, Relation.END_DATE):
            o = date_literal(str(f.value))
        else:
            o = self.iri(f.object)
        g.add((s, prop, o))
        if f.relation is Relation.FUNDS:
            g.add((o, HG.fundedBy, s))
        st = self.base[f"statement/{_digest(f.doc_id, f.relation, f.subject, o, f.span.start)}"]
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.subject, s))
        g.add((st, RDF.predicate, prop))
        g.add((st, RDF.object, o))
        self._provenance(g, st, f, doc, page)
        if f.relation in ROLE:
            p = self.base[f"participation/{_digest(f.doc_id, f.subject, f.object, f.relation)}"]
            # the super-property too, so that "takes part in any role" is one pattern
            g.add((s, HG.participatesIn, o))
            g.add((p, RDF.type, HG.Participation))
            g.add((p, HG.participant, s))
            g.add((p, HG.project, o))
            g.add((p, HG.role, ROLE[f.relation]))
            self._provenance(g, p, f, doc, page)
        elif f.relation is Relation.FUNDS:
            gr = self.base[f"grant/{_digest(f.doc_id, f.subject, f.object)}"]
            g.add((gr, RDF.type, HG.Grant))
            g.add((gr, HG.funder, s))
            g.add((gr, HG.project, o))
            if f.amount_eur is not None:
                g.add((gr, HG.amount, euro_literal(f.amount_eur)))
            if f.share_percent is not None:
                g.add((gr, HG.sharePercent, Literal(Decimal(str(f.share_percent)),
                                                    datatype=XSD.decimal)))
            self._provenance(g, gr, f, doc, page)

    def _provenance(self, g, node: URIRef, f: Fact, doc: URIRef, page: int | None) -> None:
        g.add((node, PROV.wasDerivedFrom, doc))
        g.add((node, HG.sentence, Literal(redact(f.span.sentence))))
        g.add((node, HG.startOffset, Literal(f.span.start, datatype=XSD.integer)))
        g.add((node, HG.endOffset, Literal(f.span.end, datatype=XSD.integer)))
        if page is not None:
            g.add((node, HG.page, Literal(page, datatype=XSD.integer)))
        g.add((node, HG.extractedBy, Literal(f.rule)))
        if f.curation:
            g.add((node, HG.curation, Literal(f.curation)))
        g.add((node, HG.confidence, Literal(Decimal(str(round(f.confidence, 2))),
                                            datatype=XSD.decimal)))
