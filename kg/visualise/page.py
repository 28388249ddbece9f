"""networkx graph → one self-contained HTML page, through pyvis's generate_html().

pyvis's own template links Bootstrap (and, unless ``in_line``, vis-network) from
CDNs, so pages are blank offline; ours (templates/page.html) inlines
vis-network from the pyvis package and needs nothing else. Nodes and edges are
set as lists in one go: ``Network.add_edge`` checks for duplicates edge by edge,
which grows quadratically (2.65 s for a 5 000-node network here).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from kg.settings import Settings
from kg.visualise.layout import layout
from kg.visualise.networks import RELATION_NAMES, TYPE_NAMES
from kg.visualise.readable import BASE_FONT, HIDDEN_BELOW_PX, MAX_VISIBLE_PX, readable

#: Beyond this many nodes the browser hides edges while the view is dragged.
#: (Physics is off at every size: the positions computed in Python are final.)
PHYSICS_LIMIT = 300

NODE_COLOURS = {"Organisation": "#4e79a7", "Municipality": "#59a14f", "Region": "#9c755f",
                "Project": "#f28e2b", "FundingScheme": "#e15759"}
EDGE_COLOURS = {"administers": "#b07aa1", "implements": "#76b7b2", "partnerIn": "#bab0ac",
                "funds": "#e15759", "administeredBy": "#b07aa1", "collaborates": "#7f7f7f"}
TITLES = {"collaboration": "Collaboration network", "projects": "Projects and their actors",
          "funding": "Funding flows"}
HELP = {
    "collaboration": "Organisations (and municipalities and regions acting as such) are "
                     "linked when they take part in the same project; line width is the "
                     "number of shared projects.",
    "projects": "Actors and projects: who administers, co-implements or is a partner in "
                "which project.",
    "funding": "Funders and funding schemes → projects → administrators; line width by "
               "euros where the source states an amount, node size by money.",
}
TEMPLATE_DIR = Path(__file__).with_name("templates")

#: A resource the browser would fetch from outside: src/href of script, link,
#: img, iframe…, CSS url() and @import. (Plain links a person may follow, such
#: as Wikidata in the details panel, are built in script on click and are not
#: resources.)
_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|srcset|data|poster)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?\s*(?:https?:)?//)""", re.IGNORECASE)


def external_resources(html: str) -> list[str]:
    """Every place in ``html`` that would load something from another host."""
    return [html[max(0, m.start() - 40):m.end() + 60] for m in _EXTERNAL.finditer(html)]


@dataclass(frozen=True)
class PageInfo:
    title: str
    summary: str
    help: str
    names: list[str]
    node_legend: list[tuple[str, str, str]]  # type, its name, colour
    edge_legend: list[tuple[str, str]]
    facets: dict  # per project: funders, regions, start and end year (networks.facets)
    funders: list[str]
    regions: list[str]
    years: list[int]
    isolated: int  # nodes without links, hidden until the toggle shows them
    base_iri: str  # served by kg serve, an entity's page is at its IRI's path


def _node_size(kind: str, graph, node: str, attrs: dict, max_euros: float) -> float:
    if kind == "funding" and max_euros > 0 and attrs.get("euros"):
        return 12 + 28 * math.sqrt(attrs["euros"] / max_euros)
    degree = graph.degree(node, weight="weight")
    return round(6 + 4 * math.sqrt(degree), 1)


def _edge_width(kind: str, attrs: dict, max_euros: float) -> float:
    if kind == "funding" and max_euros > 0 and attrs.get("euros"):
        return round(1.5 + 10 * attrs["euros"] / max_euros, 1)
    return round(1 + math.log2(attrs.get("weight", 1)) * 1.5, 1)


def plan(kind: str, graph, positions=None):
    """The readable layout of ``graph`` (kg.visualise.readable), from ``positions``
    (the force layout; computed when not given)."""
    positions = positions if positions is not None else layout(graph)
    max_node_euros = max((a.get("euros") or 0 for _, a in graph.nodes(data=True)), default=0)
    sizes = {n: round(_node_size(kind, graph, n, a, max_node_euros), 1)
             for n, a in graph.nodes(data=True)}
    return readable(graph, kind, positions, sizes)


def vis_data(kind: str, graph, positions=None, planned=None) -> tuple[list[dict], list[dict]]:
    """vis-network's node and edge records, sorted so that pages are byte-stable."""
    max_euros = max((a.get("euros") or 0 for _, _, a in graph.edges(data=True)), default=0)
    view = planned if planned is not None else plan(kind, graph, positions)
    nodes = []
    for n, a in sorted(graph.nodes(data=True)):
        x, y = view.positions[n]
        nodes.append({"id": n, "label": view.labels[n], "name": a["name"],
                      "aliases": list(a.get("aliases", ())), "type": a["type"],
                      "color": NODE_COLOURS[a["type"]], "title": a["info"],
                      "details": a["details"], "wikidata": a["wikidata"],
                      "shape": "square" if a["type"] == "Project" else "dot",
                      "size": view.sizes[n], "font": {"size": view.fonts[n]},
                      "degree": graph.degree(n), "euros": a.get("euros") or 0,
                      "top": n in view.top, "isolated": n in view.isolated,
                      "projects": list(a.get("projects", ())),
                      **({"hidden": True} if n in view.isolated else {}),
                      "x": x, "y": y})
    edges = []
    for i, (u, v, a) in enumerate(sorted(graph.edges(data=True), key=lambda e: e[:2])):
        edges.append({"id": i, "from": u, "to": v, "title": a["info"], "info": a["info"],
                      "color": EDGE_COLOURS[a["relation"]],
                      "width": _edge_width(kind, a, max_euros),
                      "projects": list(a.get("project_iris", ())),
                      **({"arrows": "to"} if graph.is_directed() else {})})
    return nodes, edges


def options(n_nodes: int) -> dict:
    """The positions from Python are final (physics would undo the overlap
    removal); labels smaller than HIDDEN_BELOW_PX on screen are not drawn."""
    return {
        "physics": {"enabled": False, "stabilization": {"enabled": False}},
        "layout": {"randomSeed": 7, "improvedLayout": False},
        "edges": {"smooth": False},
        "nodes": {"font": {"size": BASE_FONT},
                  "scaling": {"label": {"enabled": False, "drawThreshold": HIDDEN_BELOW_PX + 1,
                                        "maxVisible": MAX_VISIBLE_PX}}},
        "interaction": {"hover": True, "tooltipDelay": 150,
                        "hideEdgesOnDrag": n_nodes > PHYSICS_LIMIT,
                        "navigationButtons": False},
    }


def _years(facets) -> list[int]:
    """Every year some project of the page runs in (open ends stop at the others)."""
    bounds = [y for x in facets for y in (x["start"], x["end"]) if y is not None]
    return list(range(min(bounds), max(bounds) + 1)) if bounds else []


def render(kind: str, graph, description: str, positions=None, planned=None) -> str:
    """The page's HTML; raises if it would load anything from outside."""
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader
    from pyvis.network import Network

    net = Network(height="100%", width="100%", directed=graph.is_directed(),
                  cdn_resources="in_line", heading=TITLES[kind])
    planned = planned if planned is not None else plan(kind, graph, positions)
    net.nodes, net.edges = vis_data(kind, graph, positions, planned)
    net.node_ids = [n["id"] for n in net.nodes]
    net.options = options(len(net.nodes))
    pyvis_templates = Path(net.template_dir)
    net.templateEnv = Environment(loader=ChoiceLoader([FileSystemLoader(TEMPLATE_DIR),
                                                       FileSystemLoader(pyvis_templates)]),
                                  autoescape=True)
    net.path = "page.html"
    types = sorted({a["type"] for _, a in graph.nodes(data=True)})
    in_page = {p for _, a in graph.nodes(data=True) for p in a.get("projects", ())}
    shown_facets = {p: x for p, x in graph.graph.get("facets", {}).items() if p in in_page}
    relations = sorted({a["relation"] for _, _, a in graph.edges(data=True)})
    net.templateEnv.globals["page"] = PageInfo(
        title=TITLES[kind],
        summary=f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; "
                f"{description}",
        help=HELP[kind] + "\n\nHover for a summary, click a node or a line for all of its "
                          "evidence (the sentence and the document); a click on a node "
                          "also dims everything but its neighbours. Filter by type (the "
                          "legend's boxes), funder, region or year above; Find searches "
                          "names, aliases and acronyms.",
        names=sorted({name for _, a in graph.nodes(data=True)
                      for name in (a["name"], *a.get("aliases", ()))}),
        node_legend=[(t, TYPE_NAMES[t], NODE_COLOURS[t]) for t in types],
        edge_legend=[(RELATION_NAMES[r], EDGE_COLOURS[r]) for r in relations],
        facets=shown_facets,
        funders=sorted({f for x in shown_facets.values() for f in x["funders"]}),
        regions=sorted({r for x in shown_facets.values() for r in x["regions"]}),
        years=_years(shown_facets.values()),
        isolated=len(planned.isolated),
        base_iri=Settings().base_iri,
    )
    html = net.generate_html()
    leaks = external_resources(html)
    if leaks:
        raise RuntimeError(f"page {kind} would load outside resources: {leaks[:3]}")
    return html


def node_count(html: str) -> int:
    """The number of nodes in a written page's network data."""
    m = re.search(r"var nodes = new vis\.DataSet\((\[.*?\])\);\n", html, re.DOTALL)
    return len(json.loads(m.group(1))) if m else 0
