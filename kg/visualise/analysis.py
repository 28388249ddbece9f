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


#: The metrics written as node attributes into GEXF and GraphML (from :func:`metrics`).
METRIC_COLUMNS = ("degree", "weighted_degree", "betweenness", "community")


def _for_export(graph, rows: list[dict] | None = None, look=None):
    """Gephi reads scalar attributes only: the name, type, IRI, the numbers and,
    with ``rows`` (:func:`metrics`), each node's metrics. With ``look`` (the
    page's vis-network records, kg.visualise.page.vis_data), also the ``viz``
    data GEXF carries: each node's colour, size, shape and position and each
    line's colour and width, exactly as on the page (y negated: the page's y
    grows downwards, Gephi's upwards, so the picture is the same)."""
    g = graph.__class__()
    by_iri = {r["iri"]: r for r in rows or ()}
    nodes, edges = look if look is not None else ((), ())
    node_look = {n["id"]: n for n in nodes}
    edge_look = {(e["from"], e["to"]): e for e in edges}
    for v, a in graph.nodes(data=True):
        metrics_of = {c: by_iri[v][c] for c in METRIC_COLUMNS} if v in by_iri else {}
        viz = {}
        if v in node_look:
            n = node_look[v]
            viz = {"viz": {"color": _rgb(n["color"]), "size": float(n["size"]),
                           "shape": "square" if n["shape"] == "square" else "disc",
                           "position": {"x": float(n["x"]), "y": _flip(n["y"]),
                                        "z": 0.0}}}
        g.add_node(v, label=a["name"], type=a["type"], wikidata=a.get("wikidata", ""),
                   **_money(a), **metrics_of, **viz)
    for u, v, a in graph.edges(data=True):
        e = edge_look.get((u, v)) or (None if graph.is_directed() else edge_look.get((v, u)))
        viz = {"viz": {"color": _rgb(e["color"]), "thickness": float(e["width"])}} if e else {}
        g.add_edge(u, v, relation=a["relation"], weight=float(a.get("weight", 1)),
                   **_money(a), **viz)
    return g


def _rgb(colour: str) -> dict:
    """``#rrggbb`` → GEXF's viz:color (0–255 each, opaque)."""
    h = colour.lstrip("#")
    return {"r": int(h[0:2], 16), "g": int(h[2:4], 16), "b": int(h[4:6], 16), "a": 1.0}


def _flip(y) -> float:
    return 0.0 if not y else -float(y)  # no "-0.0" in the file


def _money(attrs: dict) -> dict:
    """``euros`` only where an amount is stated: an unknown amount is no 0.0."""
    euros = attrs.get("euros")
    return {} if euros is None else {"euros": float(euros)}


def gexf(graph, rows: list[dict] | None = None, look=None) -> str:
    """GEXF 1.2 (networkx's writer, with its ``viz`` namespace) without the writing
    date, so that the same graph gives the same bytes; ``rows`` and ``look`` as
    in :func:`_for_export`."""
    import networkx as nx

    text = "\n".join(nx.generate_gexf(_for_export(graph, rows, look)))
    return re.sub(r' lastmodifieddate="[^"]*"', "", text) + "\n"


def graphml(graph, rows: list[dict] | None = None) -> str:
    """GraphML with the metrics as node attributes (GraphML has no ``viz``)."""
    import networkx as nx

    return "\n".join(nx.generate_graphml(_for_export(graph, rows))) + "\n"


#: Figure size in inches and resolution of the PNG.
FIGURE_INCHES = (10.0, 7.0)
FIGURE_DPI = 150
#: Label size in the figure, points.
FIGURE_LABEL_PT = 7.0


def figure(kind: str, graph, view, title: str, colours: dict[str, str],
           type_names: dict[str, str], edge_colours: dict[str, str],
           relation_names: dict[str, str], fmt: str = "png",
           placed: list | None = None) -> bytes:
    """A figure for a paper, PNG or SVG, drawn from the page's own readable layout
    (``view``: kg.visualise.readable.Readable): node sizes in proportion to the
    page's, lines coloured by relation and, in the funding network, as wide as
    the euros they carry; the important nodes labelled with their short labels,
    a label left out where it would cover one already drawn or another node;
    isolated nodes left out; a legend of types, relations and (funding) euros.
    Text stays text in the SVG (editable). ``placed``, when given, receives each
    drawn label and its box and each node's box, in display pixels."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    from matplotlib import rcParams
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    rcParams["svg.hashsalt"] = "hankegraph"  # stable element ids in the SVG
    rcParams["svg.fonttype"] = "none"
    shown = sorted(v for v in graph if v not in view.isolated)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=FIGURE_INCHES, dpi=FIGURE_DPI)
    FigureCanvasAgg(fig)  # a renderer, to measure the labels
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.86))
    ax.set_axis_off()
    fig.suptitle(title, fontsize=12, y=0.985)
    xy = {v: (view.positions[v][0], -view.positions[v][1]) for v in shown}  # y grows down
    if not shown:
        return _save(fig, fmt)
    pts = np.array([xy[v] for v in shown])
    radius = np.array([view.sizes[v] for v in shown])
    lo = (pts - radius[:, None]).min(axis=0)
    hi = (pts + radius[:, None]).max(axis=0)
    pad = 0.04 * max(float((hi - lo).max()), 1.0)
    ax.set_xlim(lo[0] - pad, hi[0] + pad)
    ax.set_ylim(lo[1] - pad, hi[1] + pad)
    ax.set_aspect("equal", adjustable="box")
    fig.canvas.draw()  # fixes the data → display transform
    # points per network unit, so that node sizes are the page's, scaled
    to_px = ax.transData.transform
    unit_px = abs(to_px((1, 0))[0] - to_px((0, 0))[0])
    unit_pt = unit_px * 72 / fig.dpi
    max_euros = max((a.get("euros") or 0 for _, _, a in graph.edges(data=True)), default=0)
    edges = [(u, v, a) for u, v, a in sorted(graph.edges(data=True), key=lambda e: e[:2])
             if u in xy and v in xy]
    if edges:
        widths = [0.6 + 6 * (a.get("euros") or 0) / max_euros
                  if kind == "funding" and max_euros else 0.5 + 0.4 * (a.get("weight", 1) - 1)
                  for _, _, a in edges]
        ax.add_collection(LineCollection([(xy[u], xy[v]) for u, v, _ in edges],
                                         colors=[edge_colours[a["relation"]]
                                                 for _, _, a in edges],
                                         linewidths=widths, alpha=0.7, zorder=1))
    types = [graph.nodes[v]["type"] for v in shown]
    squares = np.array([t == "Project" for t in types])
    for marker, mask in (("o", ~squares), ("s", squares)):
        if mask.any():
            ax.scatter(pts[mask, 0], pts[mask, 1], marker=marker, zorder=2,
                       s=(2 * np.maximum(radius[mask] * unit_pt, 1.5)) ** 2,
                       c=[colours[t] for t, m in zip(types, mask, strict=True) if m],
                       edgecolors="white", linewidths=0.4)
    # labels by importance, each kept only where it covers no label already drawn
    # and no other node
    renderer = fig.canvas.get_renderer()
    node_boxes = [(p[0] - r, p[1] - r, p[0] + r, p[1] + r)
                  for p, r in zip((to_px(q) for q in pts),
                                  np.maximum(radius * unit_px, 1.5 * fig.dpi / 72),
                                  strict=True)]
    index = {v: i for i, v in enumerate(shown)}
    ranked = [v for v in sorted(shown, key=lambda v: (v not in view.top, -graph.degree(v), v))]
    drawn: list[tuple[float, float, float, float]] = []
    for v in ranked[:60]:
        label = ax.annotate(view.labels[v], xy[v], fontsize=FIGURE_LABEL_PT, ha="center",
                            va="top", xytext=(0, -(radius[index[v]] * unit_pt + 1.5)),
                            textcoords="offset points", zorder=3)
        bb = label.get_window_extent(renderer)
        box = (bb.x0, bb.y0, bb.x1, bb.y1)
        others = (b for j, b in enumerate(node_boxes) if j != index[v])
        if any(_meets(box, b) for b in drawn) or any(_meets(box, b) for b in others):
            label.remove()
            continue
        drawn.append(box)
        if placed is not None:
            placed.append(("label", view.labels[v], box))
    if placed is not None:
        placed += [("node", v, b) for v, b in zip(shown, node_boxes, strict=True)]
    handles = [Line2D([], [], marker="s" if t == "Project" else "o", ls="", color=colours[t],
                      label=type_names[t]) for t in sorted(set(types))]
    relations = sorted({a["relation"] for _, _, a in edges})
    handles += [Line2D([], [], color=edge_colours[r], lw=2, label=relation_names[r])
                for r in relations]
    if kind == "funding" and max_euros:
        for share in (1.0, 0.25):
            handles.append(Line2D([], [], color="#e15759", lw=0.6 + 6 * share,
                                  label=f"{_euros(max_euros * share)}"))
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.945),
               ncol=min(len(handles), 6), fontsize=7, frameon=False, handlelength=3)
    return _save(fig, fmt)


def _meets(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _euros(value: float) -> str:
    return f"{value:,.0f} €".replace(",", " ")


def _save(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    fig.savefig(buf, format=fmt, metadata=metadata)
    return buf.getvalue()
