"""What the network pages need, read from the built graph through SPARQL.

Every relation comes with its evidence: the ``rdf:Statement`` that the graph
writes for each shortcut triple carries the sentence (``hg:sentence``) and the
document (``prov:wasDerivedFrom``). Sentences are shown in pages, so phone
numbers and e-mail addresses are masked here, whatever the graph holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kg.privacy import redact

#: Entity classes drawn as nodes, most specific first (a municipality is also
#: an organisation in the ontology).
TYPES = ("Municipality", "Region", "Project", "FundingScheme", "Organisation")

#: Role relations between an actor and a project, as in the ontology.
ROLES = ("administers", "implements", "partnerIn")

IDENTIFIER_LABELS = {
    "municipalityCode": "municipality code",
    "regionCode": "region code",
    "subregionCode": "subregion code",
    "wellbeingCountyCode": "wellbeing county code",
    "institutionCode": "institution code",
    "businessId": "business ID",
}

PREFIXES = """PREFIX hg: <https://w3id.org/hankegraph/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
HG = "https://w3id.org/hankegraph/ontology#"

ENTITIES = PREFIXES + """SELECT ?e ?type ?label WHERE {
  VALUES ?type { hg:Municipality hg:Region hg:Project hg:FundingScheme hg:Organisation }
  ?e a ?type ; rdfs:label ?label .
}"""

ATTRIBUTES = PREFIXES + """SELECT ?e ?p ?v WHERE {
  VALUES ?p { hg:municipalityCode hg:regionCode hg:subregionCode hg:wellbeingCountyCode
              hg:institutionCode hg:businessId owl:sameAs skos:altLabel hg:inRegion
              hg:targetArea hg:startDate hg:endDate }
  ?e ?p ?v .
}"""

LINKS = PREFIXES + """SELECT ?s ?p ?o ?sentence ?file ?doc WHERE {
  VALUES ?p { hg:administers hg:implements hg:partnerIn hg:funds }
  ?s ?p ?o .
  OPTIONAL {
    ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
        hg:sentence ?sentence ; prov:wasDerivedFrom ?doc .
    OPTIONAL { ?doc hg:fileName ?file }
  }
}"""

AMOUNTS = PREFIXES + """SELECT ?funder ?project (MAX(?amount) AS ?euros) WHERE {
  ?grant a hg:Grant ; hg:funder ?funder ; hg:project ?project ; hg:amount ?amount .
} GROUP BY ?funder ?project"""

def mask_contacts(text: str) -> str:
    """Sentences are shown to anyone who opens a page: no e-mail or phone number
    (the graph's own redaction, again, whatever graph the pages are drawn from)."""
    return redact(text)


@dataclass(frozen=True)
class Evidence:
    sentence: str
    document: str  # the file name, or the document IRI when the graph has none


@dataclass(frozen=True)
class Node:
    iri: str
    name: str
    type: str  # one of TYPES
    aliases: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()  # (label, value)
    wikidata: str | None = None
    in_regions: tuple[str, ...] = ()  # region IRIs (of a municipality)
    target_areas: tuple[str, ...] = ()  # area IRIs (of a project)
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Link:
    source: str
    relation: str  # administers | implements | partnerIn | funds
    target: str
    evidence: tuple[Evidence, ...] = ()
    euros: float | None = None  # for funds, where the source gives an amount


@dataclass(frozen=True)
class GraphData:
    nodes: dict[str, Node]
    links: tuple[Link, ...]
    description: str = "all projects"

    def projects(self) -> set[str]:
        return {i for i, n in self.nodes.items() if n.type == "Project"}


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def read_graph(store) -> GraphData:
    """Nodes and links of the built graph, in a deterministic order."""
    from kg.store import select

    types: dict[str, tuple[int, str]] = {}
    labels: dict[str, str] = {}
    for row in select(store, ENTITIES).rows:
        iri, cls, label = row
        rank = TYPES.index(_local(cls))
        if iri not in types or rank < types[iri][0]:
            types[iri] = (rank, _local(cls))
        labels[iri] = min(labels.get(iri, label), label)
    attrs: dict[str, dict[str, list[str]]] = {}
    for iri, prop, value in select(store, ATTRIBUTES).rows:
        attrs.setdefault(iri, {}).setdefault(_local(prop), []).append(value)
    nodes = {}
    for iri in sorted(types):
        a = {k: sorted(set(v)) for k, v in attrs.get(iri, {}).items()}
        wikidata = next((v for v in a.get("sameAs", []) if "wikidata.org" in v), None)
        nodes[iri] = Node(
            iri=iri, name=mask_contacts(labels[iri]), type=types[iri][1],
            aliases=tuple(mask_contacts(v) for v in a.get("altLabel", []) if v != labels[iri]),
            identifiers=tuple((IDENTIFIER_LABELS[k], v) for k in IDENTIFIER_LABELS
                              for v in a.get(k, [])),
            wikidata=wikidata,
            in_regions=tuple(a.get("inRegion", [])),
            target_areas=tuple(a.get("targetArea", [])),
            start=min(a["startDate"]) if a.get("startDate") else None,
            end=max(a["endDate"]) if a.get("endDate") else None,
        )
    euros = {(f, p): float(v) for f, p, v in select(store, AMOUNTS).rows if v is not None}
    evidence: dict[tuple[str, str, str], set[Evidence]] = {}
    for s, p, o, sentence, file, doc in select(store, LINKS).rows:
        if s not in nodes or o not in nodes:
            continue
        ev = evidence.setdefault((s, _local(p), o), set())
        if sentence:
            ev.add(Evidence(mask_contacts(sentence), file or doc))
    links = tuple(
        Link(s, rel, o, tuple(sorted(ev, key=lambda e: (e.document, e.sentence))),
             euros.get((s, o)) if rel == "funds" else None)
        for (s, rel, o), ev in sorted(evidence.items()))
    return GraphData(nodes, links)


class NoMatch(ValueError):
    """A filter that matches nothing: the message lists what there is."""


@dataclass(frozen=True)
class Filters:
    region: str | None = None
    funder: str | None = None
    year: int | None = None

    def items(self) -> tuple[tuple[str, str], ...]:
        return tuple((k, str(v)) for k, v in (("region", self.region), ("funder", self.funder),
                                               ("year", self.year)) if v is not None)


def _names(node: Node) -> set[str]:
    return {node.name.casefold(), *(a.casefold() for a in node.aliases),
            *(v.casefold() for _, v in node.identifiers)}


def _matching(data: GraphData, wanted: str, kinds: set[str], what: str) -> set[str]:
    """Nodes of the given types whose name, alias or code is ``wanted``; failing
    that, whose name or alias contains it (case-insensitive)."""
    w = wanted.casefold().strip()
    candidates = [n for n in data.nodes.values() if n.type in kinds]
    exact = {n.iri for n in candidates if w in _names(n)}
    if exact:
        return exact
    partial = {n.iri for n in candidates if any(w in s for s in _names(n))}
    if partial:
        return partial
    known = ", ".join(sorted({n.name for n in candidates})[:30]) or "none in this graph"
    raise NoMatch(f"--{what} {wanted!r} matches no {what} in the graph; known: {known}")


def _active_in(node: Node, year: int) -> bool:
    """As queries/projects_active_in_year.rq: a project with at least one date whose
    span (open where a date is missing) covers the year."""
    if node.start is None and node.end is None:
        return False
    return ((node.start is None or int(node.start[:4]) <= year)
            and (node.end is None or int(node.end[:4]) >= year))


def apply_filters(data: GraphData, filters: Filters) -> GraphData:
    """Keep the projects that pass every filter, and the links that touch them."""
    keep = data.projects()
    if filters.region:
        regions = _matching(data, filters.region, {"Region"}, "region")
        in_region = {i for i, n in data.nodes.items()
                     if i in regions or regions & set(n.in_regions)}
        actors = {(lk.target, lk.source) for lk in data.links if lk.relation in ROLES}
        keep &= ({p for p in keep if in_region & set(data.nodes[p].target_areas)}
                 | {p for p, a in actors if a in in_region})
    if filters.funder:
        funders = _matching(data, filters.funder, {"FundingScheme", "Organisation",
                                                   "Municipality", "Region"}, "funder")
        keep &= {lk.target for lk in data.links
                 if lk.relation == "funds" and lk.source in funders}
    if filters.year is not None:
        keep &= {p for p in keep if _active_in(data.nodes[p], filters.year)}
    if not keep:
        raise NoMatch("no project passes " + ", ".join(f"--{k} {v}" for k, v in
                                                       filters.items()))
    links = tuple(lk for lk in data.links if lk.target in keep)
    used = keep | {lk.source for lk in links}
    nodes = {i: n for i, n in data.nodes.items() if i in used}
    desc = "projects with " + ", ".join(f"{k} {v}" for k, v in filters.items())
    return replace(data, nodes=nodes, links=links, description=desc)
