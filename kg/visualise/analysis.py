"""Network analysis for papers: metrics (CSV and a table), GEXF and GraphML for
Gephi, and a static PNG figure drawn with matplotlib (headless: Agg)."""

from __future__ import annotations

import csv
import io
import re

#: Exact betweenness up to this many nodes; beyond, estimated from a seeded
#: sample of BETWEENNESS_SAMPLE sources (networkx's k): exact betweenness of
#: 5 000 nodes took over a minute here, 200 sources a few seconds.
EXACT_BETWEENNESS = 500
BETWEENNESS_SAMPLE = 200


def metrics(graph) -> list[dict]:
    """Per node: degree, weighted degree, betweenness, community (1 = largest)."""
    import networkx as nx

    und = graph.to_undirected() if graph.is_directed() else graph
    n = und.number_of_nodes()
    k = None if n <= EXACT_BETWEENNESS else BETWEENNESS_SAMPLE
    betweenness = nx.betweenness_centrality(und, k=k, seed=7) if n else {}
    communities = (nx.community.louvain_communities(und, weight="weight", seed=7)
                   if und.number_of_edges() else [{v} for v in und])
    ranked = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c[0]))
    community = {v: i for i, c in enumerate(ranked, 1) for v in c}
    rows = []
    for v, a in sorted(und.nodes(data=True), key=lambda x: x[0]):
        rows.append({"iri": v, "name": a["name"], "type": a["type"],
                     "degree": und.degree(v), "weighted_degree": und.degree(v, weight="weight"),
                     "betweenness": round(betweenness.get(v, 0.0), 6),
                     "community": community.get(v, 0)})
    rows.sort(key=lambda r: (-r["degree"], -r["betweenness"], r["name"], r["iri"]))
    return rows


def metrics_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["iri", "name", "type", "degree", "weighted_degree",
                                        "betweenness", "community"], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def metrics_table(kind: str, rows: list[dict], top: int = 15) -> str:
    head = f"{kind}: {len(rows)} nodes (top {min(top, len(rows))} by degree)"
    cols = ["name", "type", "degree", "weighted_degree", "betweenness", "community"]
    cells = [cols] + [[str(r[c]) for c in cols] for r in rows[:top]]
    widths = [min(48, max(len(row[i]) for row in cells)) for i in range(len(cols))]
    lines = [" | ".join(c[:w].ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join([head, *lines])


def _for_export(graph):
    """Gephi reads scalar attributes only: the name, type, IRI and the numbers."""
    g = graph.__class__()
    for v, a in graph.nodes(data=True):
        g.add_node(v, label=a["name"], type=a["type"], wikidata=a.get("wikidata", ""),
                   euros=float(a.get("euros", 0.0)))
    for u, v, a in graph.edges(data=True):
        g.add_edge(u, v, relation=a["relation"], weight=float(a.get("weight", 1)),
                   euros=float(a.get("euros") or 0.0))
    return g


def gexf(graph) -> str:
    """GEXF 1.2 without the writing date, so that the same graph gives the same bytes."""
    import networkx as nx

    text = "\n".join(nx.generate_gexf(_for_export(graph)))
    return re.sub(r' lastmodifieddate="[^"]*"', "", text) + "\n"


def graphml(graph) -> str:
    import networkx as nx

    return "\n".join(nx.generate_graphml(_for_export(graph))) + "\n"


def figure_png(kind: str, graph, positions, title: str, colours: dict[str, str],
               type_names: dict[str, str], labels: int = 25) -> bytes:
    """A static figure: nodes coloured by type, the most connected ones labelled."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=(10, 8), dpi=120)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    xy = {v: (p[0], -p[1]) for v, p in positions.items()}  # page y grows downwards
    segments = [(xy[u], xy[v]) for u, v in graph.edges()]
    if segments:
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(segments, colors="#999999", linewidths=0.5,
                                         alpha=0.6, zorder=1))
    nodes = sorted(graph.nodes(data=True))
    ax.scatter([xy[v][0] for v, _ in nodes], [xy[v][1] for v, _ in nodes],
               c=[colours[a["type"]] for _, a in nodes],
               s=[12 + 8 * graph.degree(v) ** 0.5 * 4 for v, _ in nodes], zorder=2,
               edgecolors="white", linewidths=0.4)
    top = sorted(nodes, key=lambda x: (-graph.degree(x[0]), x[1]["name"]))[:labels]
    for v, a in top:
        ax.annotate(a["name"], xy[v], fontsize=7, ha="center", va="bottom",
                    xytext=(0, 5), textcoords="offset points", zorder=3)
    types = sorted({a["type"] for _, a in nodes})
    ax.legend(handles=[Line2D([], [], marker="o", ls="", color=colours[t],
                              label=type_names[t]) for t in types], loc="lower right",
              fontsize=8, frameon=False)
    ax.autoscale_view()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
