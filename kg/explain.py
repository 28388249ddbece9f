"""`kg explain ENTITY`: what the built graph knows about one entity's identity —
its names in each document, its identifiers and links, why the documents'
mentions were taken to be it (``hg:resolutionNote``), and which of its facts a
curation entry changed (``hg:curation``). Read from the built dataset with SPARQL,
so it explains exactly what a researcher can query."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

PREFIXES = """PREFIX hg: <https://w3id.org/hankegraph/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

IDENTIFIERS = ("hg:municipalityCode", "hg:regionCode", "hg:subregionCode",
               "hg:wellbeingCountyCode", "hg:institutionCode", "hg:businessId",
               "hg:organisationType", "owl:sameAs")
LINKS = ("hg:inRegion", "hg:inWellbeingCounty", "hg:regionalCouncilOf")


class NotFound(LookupError):
    """No entity in the dataset has that IRI or name."""


@dataclass
class Explanation:
    iri: str
    types: list[str]
    label: str
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # property, IRI, label
    documents: dict[str, dict] = field(default_factory=dict)  # file → names, notes
    facts: int = 0
    curated: list[tuple[str, str, str, str]] = field(default_factory=list)

    def text(self, base: str) -> str:
        short = self.iri.removeprefix(base)
        lines = [f"{short}  ({', '.join(self.types)})", f"  name: {self.label}"]
        for prop, value in self.identifiers:
            lines.append(f"  {prop}: {value}")
        for prop, target, label in self.links:
            lines.append(f"  {prop}: {target.removeprefix(base)} ({label})")
        lines.append(f"  facts about it: {self.facts}")
        lines.append(f"  named in {len(self.documents)} document"
                     f"{'' if len(self.documents) == 1 else 's'}:")
        for doc, info in sorted(self.documents.items()):
            lines.append(f"    {doc}: {', '.join(sorted(info['names']))}")
            for note in sorted(info["notes"]):
                for part in note.split("; "):
                    lines.append(f"      why: {part}")
        if self.curated:
            lines.append("  curated facts:")
            for s, p, o, entry in self.curated:
                lines.append(f"    {s.removeprefix(base)} {p.rsplit('#', 1)[-1]} "
                             f"{o.removeprefix(base)}  ← {entry}")
        return "\n".join(lines)


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def find_entities(store, ref: str, base: str) -> list[str]:
    """IRIs of the entities that ``ref`` names: an IRI, an IRI path below the base
    (``municipality/297``), or a name (label, or any document's name for it: an
    alias or acronym, ``skos:altLabel``), any case."""
    iri = ref if ref.startswith(("http://", "https://")) else base + ref.strip("/")
    by_iri = (f"UNION {{ ?e rdfs:label ?n . FILTER (?e = <{iri}>) }}"
              if re.fullmatch(r"[^\s<>\"{}|\\^`]+", iri) else "")
    query = PREFIXES + f"""SELECT DISTINCT ?e WHERE {{
      {{ ?e rdfs:label|skos:altLabel ?n . FILTER (LCASE(STR(?n)) = LCASE({_literal(ref)})) }}
      {by_iri}
    }} ORDER BY ?e"""
    return [sol["e"].value for sol in store.query(query)]


def explain_entity(store, iri: str) -> Explanation:
    e = f"<{iri}>"
    sols = list(store.query(PREFIXES + f"SELECT ?c ?l WHERE {{ {e} a ?c ; rdfs:label ?l }}"))
    ex = Explanation(iri, sorted({s["c"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                                  for s in sols}), sols[0]["l"].value if sols else "")
    for s in store.query(PREFIXES + f"""SELECT ?p ?v WHERE {{ {e} ?p ?v .
            VALUES ?p {{ {' '.join(IDENTIFIERS)} }} }} ORDER BY ?p ?v"""):
        ex.identifiers.append((_curie(s["p"].value), s["v"].value))
    for s in store.query(PREFIXES + f"""SELECT ?p ?t ?tl WHERE {{ {e} ?p ?t .
            VALUES ?p {{ {' '.join(LINKS)} }} OPTIONAL {{ ?t rdfs:label ?tl }} }}
            ORDER BY ?p ?t"""):
        ex.links.append((_curie(s["p"].value), s["t"].value,
                         s["tl"].value if s["tl"] is not None else ""))
    for s in store.query(PREFIXES + f"""SELECT ?c ?cl WHERE {{ ?c hg:regionalCouncilOf {e} .
            OPTIONAL {{ ?c rdfs:label ?cl }} }} ORDER BY ?c"""):
        ex.links.append(("regional council", s["c"].value,
                         s["cl"].value if s["cl"] is not None else ""))
    for s in store.query(PREFIXES + f"""SELECT ?file ?d ?alt ?note WHERE {{ GRAPH ?g {{
            {e} hg:mentionedIn ?d .
            OPTIONAL {{ ?d hg:fileName ?file }}
            OPTIONAL {{ {e} skos:altLabel ?alt }}
            OPTIONAL {{ {e} hg:resolutionNote ?note }} }} }}"""):
        doc = s["file"].value if s["file"] is not None else s["d"].value.rsplit("/", 1)[-1]
        info = ex.documents.setdefault(doc, {"names": {ex.label}, "notes": set()})
        if s["alt"] is not None:
            info["names"].add(s["alt"].value)
        if s["note"] is not None:
            info["notes"].add(s["note"].value)
    for s in store.query(PREFIXES + f"""SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE {{
            ?st a rdf:Statement . {{ ?st rdf:subject {e} }} UNION {{ ?st rdf:object {e} }} }}"""):
        ex.facts = int(s["n"].value)
    for s in store.query(PREFIXES + f"""SELECT DISTINCT ?s ?p ?o ?c WHERE {{
            ?st hg:curation ?c ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
            FILTER (?s = {e} || ?o = {e}) }} ORDER BY ?s ?p ?o"""):
        ex.curated.append((s["s"].value, s["p"].value, s["o"].value, s["c"].value))
    return ex


def _curie(iri: str) -> str:
    if iri.startswith("http://www.w3.org/2002/07/owl#"):
        return "owl:" + iri.rsplit("#", 1)[-1]
    return iri.rsplit("#", 1)[-1]


def known_as(store, ref: str, base: str, authority_dir: Path | None) -> list[str]:
    """IRIs of the entities in the store that the authority data knows by ``ref``: an
    acronym (ESR, Xamk), a Swedish or English name, a regional council's other forms."""
    if authority_dir is None or not Path(authority_dir).is_dir():
        return []
    from kg.authority import load_authority

    record = load_authority(Path(authority_dir)).lookup(ref)
    if record is None:
        return []
    iri = base + record.iri_key
    return [iri] if store.query(f"ASK {{ <{iri}> ?p ?o }}") else []


def similar_names(store, ref: str, limit: int = 10) -> list[str]:
    """Labels and aliases that contain ``ref`` (any case), for a NotFound message."""
    query = PREFIXES + f"""SELECT DISTINCT ?l WHERE {{
      ?e rdfs:label ?l . ?e rdfs:label|skos:altLabel ?n .
      FILTER (CONTAINS(LCASE(STR(?n)), LCASE({_literal(ref)}))) }} ORDER BY ?l LIMIT {limit}"""
    return [sol["l"].value for sol in store.query(query)]


def explain(data: str | Path, ref: str, base: str,
            authority_dir: Path | None = None) -> list[Explanation]:
    """Every entity ``ref`` names in the dataset at ``data`` (by IRI, name, alias,
    or a name or acronym the authority data gives it); NotFound when none."""
    from kg.store import open_store

    base = base if base.endswith(("/", "#")) else base + "/"
    store = open_store(data)
    iris = find_entities(store, ref, base)
    iris += [i for i in known_as(store, ref, base, authority_dir) if i not in iris]
    if not iris:
        similar = similar_names(store, ref)
        hint = (f"; names containing it: {', '.join(similar)}" if similar else
                " (give a name, an alias or acronym, or an IRI path such as municipality/297)")
        raise NotFound(f"no entity in {data} is called or identified as '{ref}'{hint}")
    return [explain_entity(store, iri) for iri in iris]
