"""The working records of resolution: one entity within one document
(:class:`Local`) and the group of them that becomes one :class:`~kg.model.Entity`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kg.authority import AuthorityRecord
from kg.model import EntityType


@dataclass
class Local:
    """One entity within one document: the mentions sharing a key."""

    doc_id: str
    key: str
    type: EntityType
    names: Counter = field(default_factory=Counter)  # name → how often written
    primary: Counter = field(default_factory=Counter)  # names from non-alias rules
    authority_id: str | None = None
    why: str = ""  # why these mentions are the entity they resolved to
    curated: list[str] = field(default_factory=list)  # curation entries that moved it


@dataclass
class Group:
    """The locals that are one entity, under its IRI key."""

    iri_key: str
    type: EntityType
    locals: list[Local]
    record: AuthorityRecord | None = None
    name: str | None = None  # set by curation (rename)
    curated: list[str] = field(default_factory=list)  # curation entries about the entity

    def names(self) -> set[str]:
        out = {n for loc in self.locals for n in loc.names}
        if self.record is not None:
            out.update(self.record.names)
        if self.name:
            out.add(self.name)
        return out
