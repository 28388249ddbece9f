"""Scale benchmark of `kg visualise` pages: 100, 1 000 and 5 000 nodes.

A synthetic projects network (a quarter projects, the rest actors; each
project has an administrator and 1–5 co-implementers or partners, drawn with a
preference for busy actors, as real consortia are) goes through the same code
as the real pages: layout (kg.visualise.layout), page (kg.visualise.page.render,
pyvis generate_html), written to disk; then headless Chromium opens it and we
time until vis-network has drawn it and until a zoom-to-fit answers. Last
column: everything `kg visualise` writes for that network (page, metrics CSV
with betweenness and communities, GEXF, GraphML, PNG).

Readability (issue 16), from vis-network's own geometry at the starting view
(kg.visualise.browser.readability): the share of shown nodes whose shape or
drawn label meets another's, and the smallest on-screen label of the 20 most
connected nodes (and, in funding pages, the 10 best funded). With ``--data
DATASET`` the three pages of a built dataset are measured too (build one with
``kg build CORPUS --out DIR``).

    .venv/bin/python benchmarks/visualise_scale.py [SIZES...] [--data DATASET]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from kg.visualise import outputs
from kg.visualise.browser import open_page, readability
from kg.visualise.data import Evidence, GraphData, Link, Node
from kg.visualise.layout import layout
from kg.visualise.networks import projects
from kg.visualise.page import node_count, render

ROLES = ("implements", "partnerIn")


def synthetic(n: int, seed: int = 1) -> GraphData:
    """Exactly ``n`` nodes: every actor is in at least one project, every project
    has an administrator, and busy actors are likelier to join more."""
    rng = random.Random(seed)
    n_projects = max(1, n // 4)
    actors = [f"https://example.org/org/{i:05d}" for i in range(n - n_projects)]
    projects_ = [f"https://example.org/project/{j:05d}" for j in range(n_projects)]
    nodes = {a: Node(a, f"Organisaatio {i}", "Organisation") for i, a in enumerate(actors)}
    nodes.update({p: Node(p, f"Hanke {j}", "Project", start="2023")
                  for j, p in enumerate(projects_)})
    weights = [1.0] * len(actors)
    members: dict[tuple[int, int], str] = {}
    for j in range(n_projects):
        m = rng.choices(range(len(actors)), weights)[0]
        members[(m, j)] = "administers"
        weights[m] += 1
    for m in range(len(actors)):
        for _ in range(1 + (rng.random() < 0.3)):
            members.setdefault((m, rng.randrange(n_projects)), rng.choice(ROLES))
    links = tuple(
        Link(actors[m], rel, projects_[j],
             (Evidence(f"Organisaatio {m} osallistuu hankkeeseen Hanke {j}.", f"doc{j}.txt"),))
        for (m, j), rel in sorted(members.items()))
    return GraphData(nodes, links)


def run(size: int, out: Path) -> dict:
    graph = projects(synthetic(size))
    t0 = time.perf_counter()
    positions = layout(graph)
    t_layout = time.perf_counter() - t0
    html = render("projects", graph, "synthetic", positions)
    path = out / f"projects-{size}.html"
    path.write_text(html, encoding="utf-8")
    t_page = time.perf_counter() - t0
    seen = open_page(path, timeout=120)
    assert seen.nodes == node_count(html) == graph.number_of_nodes(), "node count differs"
    assert not seen.console_errors and not seen.outside_requests, (seen.console_errors,
                                                                   seen.outside_requests)
    seen_r = readability(path)
    t1 = time.perf_counter()
    outputs(graph, "projects", "synthetic")  # page + metrics, GEXF, GraphML, PNG
    t_all = time.perf_counter() - t1
    return {"all_s": t_all, "overlap": seen_r.overlap_share,
            "top_px": seen_r.smallest_top_label(), "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "physics": False,
            "layout_s": t_layout, "page_written_s": t_page, "mb": len(html) / 1e6,
            "drawn_s": seen.drawn_seconds, "usable_s": seen.usable_seconds}


def dataset_pages(data: Path, out: Path) -> None:
    """The three pages of a built dataset: their readability at the starting view."""
    from kg.visualise import visualise

    visualise(data, out)
    print(f"\n{data}:\n")
    print("| page | nodes shown | overlapping | smallest top label (px) | labels drawn | "
          "zoom |")
    print("|---|---|---|---|---|---|")
    for kind in ("collaboration", "projects", "funding"):
        r = readability(out / f"{kind}.html")
        print(f"| {kind} | {r.visible} | {len(r.overlapping)} ({100 * r.overlap_share:.1f} %) "
              f"| {r.smallest_top_label():.1f} | {r.labels_drawn} | {r.scale:.3f} |",
              flush=True)


def main(args: list[str]) -> None:
    data = None
    if "--data" in args:
        i = args.index("--data")
        data = Path(args[i + 1])
        args = args[:i] + args[i + 2:]
    sizes = [int(a) for a in args] or [100, 1000, 5000]
    with tempfile.TemporaryDirectory() as tmp:
        print("| nodes | edges | physics in browser | layout (s) | page written (s) | "
              "page (MB) | drawn in Chromium (s) | zoom-to-fit answered (s) | "
              "all files incl. metrics (s) | overlapping nodes | smallest top label (px) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for size in sizes:
            r = run(size, Path(tmp))
            print(f"| {r['nodes']} | {r['edges']} | {'on' if r['physics'] else 'off'} | "
                  f"{r['layout_s']:.2f} | {r['page_written_s']:.2f} | {r['mb']:.1f} | "
                  f"{r['drawn_s']:.2f} | {r['usable_s']:.2f} | {r['all_s']:.1f} | "
                  f"{100 * r['overlap']:.1f} % | {r['top_px']:.1f} |", flush=True)
        if data is not None:
            dataset_pages(data, Path(tmp) / "dataset")


if __name__ == "__main__":
    main(sys.argv[1:])
