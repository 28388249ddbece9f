"""``kg visualise``: the collaboration, projects and funding networks as
self-contained HTML pages (pyvis, no CDN), with metrics, Gephi exports and a
static figure beside each. One call: :func:`visualise`.

Reads the built graph through SPARQL (kg.store), builds networkx graphs
(networks.py), lays them out in Python (layout.py) and renders pages
(page.py). Everything is computed in memory first and written afterwards, each
file atomically, so a failure leaves the previous pages as they were.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from kg.visualise.data import Filters, NoMatch

__all__ = ["Filters", "NoMatch", "VisualiseReport", "visualise", "OUT_DIR"]

#: relative, as every project default: the current directory's (kg.settings)
OUT_DIR = Path("visualisations")


@dataclass
class VisualiseReport:
    written: list[Path] = field(default_factory=list)
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind → (nodes, edges)
    metrics: dict[str, list[dict]] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"{kind}: {n} nodes, {m} edges" for kind, (n, m) in self.sizes.items()]
        lines += [f"wrote {_relative(p)}" for p in self.written]
        lines.append(f"time: {self.seconds:.1f} s")
        return "\n".join(lines)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _slug(filters: Filters) -> str:
    parts = [f"{k}-{v}" for k, v in filters.items()]
    text = "-".join(parts).casefold()
    text = text.translate(str.maketrans("äöå", "aoa"))
    return ("-" + re.sub(r"[^a-z0-9]+", "-", text).strip("-")) if parts else ""


def outputs(graph, kind: str, description: str) -> tuple[dict[str, bytes], list[dict]]:
    """Every file of one network by suffix (html, csv, gexf, graphml, png, svg),
    and its metrics rows."""
    from kg.visualise import analysis, page
    from kg.visualise.layout import layout
    from kg.visualise.networks import RELATION_NAMES, TYPE_NAMES

    planned = page.plan(kind, graph, layout(graph))
    rows = analysis.metrics(graph)
    return {
        "html": page.render(kind, graph, description, planned=planned).encode("utf-8"),
        "csv": analysis.metrics_csv(rows).encode("utf-8"),
        "gexf": analysis.gexf(graph, rows, page.vis_data(kind, graph, planned=planned)
                              ).encode("utf-8"),
        "graphml": analysis.graphml(graph, rows).encode("utf-8"),
        **{fmt: analysis.figure(kind, graph, planned, page.TITLES[kind], page.NODE_COLOURS,
                                TYPE_NAMES, page.EDGE_COLOURS, RELATION_NAMES, fmt)
           for fmt in ("png", "svg")},
    }, rows


def visualise(data: str | Path, out_dir: str | Path = OUT_DIR,
              filters: Filters | None = None) -> VisualiseReport:
    """Write the three networks of the dataset at ``data`` into ``out_dir``.

    With filters, the files are named after them (``collaboration-region-
    pohjois-savo.html``), so the full pages are not replaced. Raises
    :class:`NoMatch` when a filter matches nothing, and FileNotFoundError or
    ValueError (naming the file) for missing or unreadable data.
    """
    from kg.graph.io import _atomic_write
    from kg.store import open_store
    from kg.visualise.data import apply_filters, read_graph
    from kg.visualise.networks import NETWORKS

    t0 = time.perf_counter()
    filters = filters or Filters()
    graph_data = read_graph(open_store(data))
    if filters.items():
        graph_data = apply_filters(graph_data, filters)
    report = VisualiseReport()
    files: dict[Path, bytes] = {}
    out = Path(out_dir)
    suffix = _slug(filters)
    for kind, build in NETWORKS.items():
        graph = build(graph_data)
        report.sizes[kind] = (graph.number_of_nodes(), graph.number_of_edges())
        produced, report.metrics[kind] = outputs(graph, kind, graph_data.description)
        for ext, content in produced.items():
            files[out / f"{kind}{suffix}.{ext}"] = content
    for path, content in files.items():
        _atomic_write(path, content)
        report.written.append(path)
    report.seconds = time.perf_counter() - t0
    return report
