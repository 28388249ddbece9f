"""Typed records passed between the pipeline's stages.

ingest → :class:`Document`; extract → :class:`Mention`, :class:`Claim`
(grouped in an :class:`Extraction`); resolve → :class:`Entity`, :class:`Fact`
(grouped in a :class:`Resolution`). Only ``kg.graph`` turns these into RDF.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from enum import StrEnum


class EntityType(StrEnum):
    """The entity types of the gold format (shared/corpus/GOLD-FORMAT.md)."""

    ORGANISATION = "Organisation"
    MUNICIPALITY = "Municipality"
    REGION = "Region"
    PROJECT = "Project"
    FUNDING = "Funding"
    PERSON = "Person"


class Relation(StrEnum):
    """The fact relations of the gold format."""

    ADMINISTERS = "administers"
    IMPLEMENTS = "implements"
    PARTNERS = "partners"
    FUNDS = "funds"
    TOTAL_COST = "total_cost"
    START_DATE = "start_date"
    END_DATE = "end_date"
    TARGET_AREA = "target_area"
    CONTACT = "contact"
    MEMBER_OF = "member_of"
    PART_OF = "part_of"


#: Relations whose object is a literal value rather than an entity.
VALUE_RELATIONS = frozenset({Relation.TOTAL_COST, Relation.START_DATE, Relation.END_DATE})


@dataclass(frozen=True)
class Document:
    """One source document, as text, with where it came from."""

    doc_id: str  # stable identifier: the file stem
    path: str  # as given to the build (relative when it was relative)
    text: str
    checksum: str  # sha256 of the raw bytes
    title: str | None = None
    source_url: str | None = None
    date: str | None = None
    media_type: str = "text/plain"
    # offset where each page's text begins (PDF): page n starts at page_starts[n - 1]
    page_starts: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding character ``offset``, or None for unpaged text."""
        if not self.page_starts:
            return None
        return max(bisect_right(self.page_starts, offset), 1)


@dataclass(frozen=True)
class Span:
    """Where evidence sits in a document: character offsets and the sentence."""

    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class Mention:
    """A named entity found in one document.

    ``name`` is the canonical (nominative) name, ``surface`` the text as
    written. ``key`` is local to the document and ties mentions of the same
    entity together (``Xamk`` … ``Kaakkois-Suomen ammattikorkeakoulu``).
    ``authority_id`` is set when the mention was matched to the authority data
    (``municipality:297``, ``region:11``, ``org:Kaakkois-Suomen ammattikorkeakoulu``).
    """

    key: str
    type: EntityType
    name: str
    surface: str
    span: Span
    rule: str
    confidence: float = 1.0
    authority_id: str | None = None


@dataclass(frozen=True)
class Claim:
    """A fact stated in one document, between mention keys or with a value."""

    relation: Relation
    subject: str  # a mention key
    object: str | None  # a mention key, or None for value relations
    value: str | float | None  # euros (float) or a date string YYYY[-MM[-DD]]
    span: Span
    rule: str
    confidence: float = 1.0
    amount_eur: float | None = None  # for FUNDS: this funder's amount
    share_percent: float | None = None  # for FUNDS: the support share


@dataclass(frozen=True)
class Extraction:
    """What one extractor read from one document."""

    document: Document
    mentions: tuple[Mention, ...]
    claims: tuple[Claim, ...]
    extractor: str  # versioned name, e.g. "hankegraph.rules.v1"


@dataclass(frozen=True)
class Entity:
    """One real actor, project, place or fund, after resolution across documents."""

    iri_key: str  # the path below the base IRI, e.g. "municipality/297"
    type: EntityType
    name: str
    aliases: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()  # (ontology property local name, value)
    links: tuple[tuple[str, str], ...] = ()  # (ontology property local name, iri_key)
    same_as: tuple[str, ...] = ()  # external IRIs (Wikidata)
    organisation_type: str | None = None
    # per document: the names this entity had there (nominative)
    names_by_document: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # per document: why its mentions there are this entity (and any curation of it)
    notes: tuple[tuple[str, str], ...] = ()
    # per document: the business ID (Y-tunnus) the text gives it, check digit verified
    business_ids: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Fact:
    """A claim attached to resolved entities, with its provenance."""

    relation: Relation
    subject: str  # iri_key
    object: str | None  # iri_key
    value: str | float | None
    doc_id: str
    span: Span
    rule: str
    confidence: float
    amount_eur: float | None = None
    share_percent: float | None = None
    curation: str | None = None  # the curation entry that changed it (data/curation.yaml)


@dataclass(frozen=True)
class Resolution:
    """The resolved corpus: entities, facts, and the documents they came from."""

    documents: tuple[Document, ...]  # without their text (resolution keeps no corpus text)
    entities: tuple[Entity, ...]
    facts: tuple[Fact, ...]
    merges: tuple[str, ...] = field(default=())  # human-readable reasons, one per merge
    curation: tuple[str, ...] = field(default=())  # what each curation entry did, or not
