"""The three networks as networkx graphs, from :class:`GraphData`.

Node attributes: ``name``, ``type``, ``info`` (the text of the tooltip: name,
type, identifiers, projects, evidence) and ``wikidata``; edge attributes:
``relation``, ``weight``, ``info`` (the evidence), ``euros`` where known.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from kg.visualise.data import ROLES, GraphData, Link, Node

ROLE_NAMES = {"administers": "administrator", "implements": "co-implementer",
              "partnerIn": "partner"}
TYPE_NAMES = {"Organisation": "organisation", "Municipality": "municipality",
              "Region": "region", "Project": "project", "FundingScheme": "funding scheme"}
RELATION_NAMES = {"administers": "administers", "implements": "co-implements",
                  "partnerIn": "partner in", "funds": "funds",
                  "administeredBy": "administered by", "collaborates": "shared projects"}
#: Evidence sentences quoted in a node's tooltip (the details panel has them all).
TOOLTIP_EVIDENCE = 6


def _euros(value: float) -> str:
    return f"{value:,.0f} €".replace(",", " ")


def _evidence_lines(links: list[Link], data: GraphData, limit: int | None) -> list[str]:
    lines = []
    for lk in links:
        for ev in lk.evidence:
            lines.append(f"• {data.nodes[lk.source].name} — {RELATION_NAMES[lk.relation]} — "
                         f"{data.nodes[lk.target].name}: “{ev.sentence}” ({ev.document})")
    if limit is not None and len(lines) > limit:
        lines = lines[:limit] + [f"… and {len(lines) - limit} more (click the node)"]
    return lines


def node_info(node: Node, data: GraphData, links: list[Link], limit: int | None) -> str:
    """The tooltip text of a node: plain text, one fact a line."""
    lines = [node.name, f"type: {TYPE_NAMES[node.type]}"]
    lines += [f"{label}: {value}" for label, value in node.identifiers]
    if node.wikidata:
        lines.append(f"Wikidata: {node.wikidata.rsplit('/', 1)[-1]}")
    if node.aliases:
        lines.append("also: " + ", ".join(node.aliases))
    if node.type == "Project":
        if node.start or node.end:
            lines.append(f"runs: {node.start or '?'} – {node.end or '?'}")
        others = sorted({(RELATION_NAMES[lk.relation], data.nodes[lk.source].name)
                         for lk in links if lk.target == node.iri})
        lines += [f"{rel}: {name}" for rel, name in others]
    else:
        projects = sorted({(data.nodes[lk.target].name,
                            ROLE_NAMES.get(lk.relation, "funder")) for lk in links
                           if lk.source == node.iri})
        if projects:
            lines.append("projects: " + "; ".join(f"{p} ({r})" for p, r in projects))
    evidence = _evidence_lines(links, data, limit)
    if evidence:
        lines.append("evidence:")
        lines += evidence
    return "\n".join(lines)


def _add_node(g, node: Node, data: GraphData, links: list[Link]) -> None:
    g.add_node(node.iri, name=node.name, type=node.type, wikidata=node.wikidata or "",
               aliases=node.aliases,
               info=node_info(node, data, links, TOOLTIP_EVIDENCE),
               details=node_info(node, data, links, None))


def _links_by_node(links) -> dict[str, list[Link]]:
    out: dict[str, list[Link]] = defaultdict(list)
    for lk in links:
        out[lk.source].append(lk)
        out[lk.target].append(lk)
    return out


def _edge_info(title: str, links: list[Link], data: GraphData) -> str:
    return "\n".join([title, *_evidence_lines(links, data, None)])


def facets(data: GraphData) -> dict[str, dict]:
    """What the page filters on, per project: its funders' names, its regions'
    names (target areas, the regions of its target municipalities and of its
    participants, as ``--region`` does) and its first and last year."""
    funders: dict[str, set[str]] = defaultdict(set)
    regions: dict[str, set[str]] = defaultdict(set)

    def regions_of(iri: str) -> set[str]:
        node = data.nodes.get(iri)
        if node is None:
            return set()
        found = {iri} if node.type == "Region" else set()
        return found | {r for r in node.in_regions if r in data.nodes}

    for lk in data.links:
        if lk.relation == "funds":
            funders[lk.target].add(data.nodes[lk.source].name)
        elif lk.relation in ROLES:
            regions[lk.target] |= {data.nodes[r].name for r in regions_of(lk.source)}
    out = {}
    for p in sorted(data.projects()):
        node = data.nodes[p]
        for area in node.target_areas:
            regions[p] |= {data.nodes[r].name for r in regions_of(area)}
        out[p] = {"funders": sorted(funders[p]), "regions": sorted(regions[p]),
                  "start": int(node.start[:4]) if node.start else None,
                  "end": int(node.end[:4]) if node.end else None}
    return out


def _projects_of(g, data: GraphData, links) -> None:
    """Each node's projects (itself, for a project), for the page's filters."""
    mine: dict[str, set[str]] = defaultdict(set)
    for lk in links:
        mine[lk.source].add(lk.target)
    for v, a in g.nodes(data=True):
        a["projects"] = sorted({v} if a["type"] == "Project" else mine.get(v, set()))
    g.graph["facets"] = facets(data)


def collaboration(data: GraphData):
    """Actors that take part in the same project, weighted by shared projects."""
    import networkx as nx

    g = nx.Graph(name="collaboration")
    roles = [lk for lk in data.links if lk.relation in ROLES]
    by_project: dict[str, list[Link]] = defaultdict(list)
    for lk in roles:
        by_project[lk.target].append(lk)
    by_node = _links_by_node(roles)
    for iri in sorted({lk.source for lk in roles}):
        _add_node(g, data.nodes[iri], data, by_node[iri])
    shared: dict[tuple[str, str], list[tuple[Link, Link]]] = defaultdict(list)
    for _project, members in sorted(by_project.items()):
        for a, b in combinations(sorted(members, key=lambda lk: (lk.source, lk.relation)), 2):
            if a.source != b.source:
                key = tuple(sorted((a.source, b.source)))
                shared[key].append((a, b))
    for (u, v), pairs in sorted(shared.items()):
        projects = sorted({a.target for a, _ in pairs})
        lines = [f"{data.nodes[u].name} — {data.nodes[v].name}: "
                 f"{len(projects)} shared project(s)"]
        for p in projects:
            roles_here = sorted({f"{data.nodes[lk.source].name} as {ROLE_NAMES[lk.relation]}"
                                 for pair in pairs for lk in pair if lk.target == p})
            lines.append(f"{data.nodes[p].name}: " + ", ".join(roles_here))
        evidence = sorted({lk for pair in pairs for lk in pair},
                          key=lambda lk: (lk.target, lk.source, lk.relation))
        g.add_edge(u, v, relation="collaborates", weight=len(projects),
                   projects="; ".join(data.nodes[p].name for p in projects),
                   project_iris=projects,
                   info=_edge_info("\n".join(lines), evidence, data))
    _projects_of(g, data, roles)
    return g


def projects(data: GraphData):
    """Actors and projects, an edge per role (administers, implements, partner in)."""
    import networkx as nx

    g = nx.DiGraph(name="projects")
    roles = [lk for lk in data.links if lk.relation in ROLES]
    by_node = _links_by_node(roles)
    for iri in sorted(data.projects() | {lk.source for lk in roles}):
        _add_node(g, data.nodes[iri], data, by_node.get(iri, []))
    for lk in roles:
        g.add_edge(lk.source, lk.target, relation=lk.relation, weight=1,
                   info=_edge_info(f"{data.nodes[lk.source].name} — "
                                   f"{RELATION_NAMES[lk.relation]} — "
                                   f"{data.nodes[lk.target].name}", [lk], data))
    _projects_of(g, data, roles)
    return g


def funding(data: GraphData):
    """Funders → projects → administrators; edges carry euros where known."""
    import networkx as nx

    g = nx.DiGraph(name="funding")
    funds = [lk for lk in data.links if lk.relation == "funds"]
    funded = {lk.target for lk in funds}
    admins = [lk for lk in data.links if lk.relation == "administers" and lk.target in funded]
    by_node = _links_by_node(funds + admins)
    for iri in sorted(by_node):
        _add_node(g, data.nodes[iri], data, by_node[iri])
        # euros where some amount is stated; None (left out of GEXF/GraphML) otherwise
        stated = [lk.euros for lk in funds if iri in (lk.source, lk.target)
                  and lk.euros is not None]
        g.nodes[iri]["euros"] = sum(stated) if stated else None
    for lk in funds:
        amount = f", {_euros(lk.euros)}" if lk.euros else ", amount not stated"
        g.add_edge(lk.source, lk.target, relation="funds", weight=1, euros=lk.euros,
                   info=_edge_info(f"{data.nodes[lk.source].name} — funds — "
                                   f"{data.nodes[lk.target].name}{amount}", [lk], data))
    for lk in admins:
        g.add_edge(lk.target, lk.source, relation="administeredBy", weight=1, euros=None,
                   info=_edge_info(f"{data.nodes[lk.target].name} — administered by — "
                                   f"{data.nodes[lk.source].name}", [lk], data))
    _projects_of(g, data, funds + admins)
    return g


NETWORKS = {"collaboration": collaboration, "projects": projects, "funding": funding}
