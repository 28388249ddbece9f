"""kg visualise: networks, evidence, filters, privacy, offline pages, exports,
byte-stable output. Facts are certain on the hand-written tests/data/visualise.ttl;
on the bundled graph, expectations are derived from the graph by SPARQL."""

from __future__ import annotations

import csv
import io
import re

import networkx as nx
import pytest

from kg.cli import main
from kg.privacy import REDACTED
from kg.settings import REPO_ROOT
from kg.visualise import Filters, NoMatch, visualise
from kg.visualise.data import apply_filters, mask_contacts, read_graph
from kg.visualise.layout import layout
from kg.visualise.networks import collaboration, funding, projects
from kg.visualise.page import external_resources, node_count

FIXTURE = REPO_ROOT / "tests" / "data" / "visualise.ttl"
KINDS = ("collaboration", "projects", "funding")
T = "https://w3id.org/hankegraph/"


@pytest.fixture(scope="module")
def fixture_data():
    from kg.store import open_store

    return read_graph(open_store(FIXTURE))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("vis")
    report = visualise(FIXTURE, out)
    return out, report


def test_collaboration_links_actors_of_the_same_project(fixture_data):
    g = collaboration(fixture_data)
    names = {frozenset((g.nodes[u]["name"], g.nodes[v]["name"])) for u, v in g.edges}
    assert names == {frozenset(p) for p in [("Org A", "Org B"), ("Org A", "Kuopio"),
                                            ("Org B", "Kuopio"), ("Org B", "Org C")]}
    ab = g.edges[T + "organisation/org-a", T + "organisation/org-b"]
    assert ab["weight"] == 1 and "Alpha" in ab["info"]
    assert "Org A as administrator" in ab["info"] and "Org B as co-implementer" in ab["info"]


def test_projects_network_has_an_edge_per_role(fixture_data):
    g = projects(fixture_data)
    roles = sorted((g.nodes[u]["name"], a["relation"], g.nodes[v]["name"])
                   for u, v, a in g.edges(data=True))
    assert roles == [("Kuopio", "implements", "Alpha"), ("Org A", "administers", "Alpha"),
                     ("Org B", "administers", "Beta"), ("Org B", "implements", "Alpha"),
                     ("Org C", "partnerIn", "Beta")]


def test_funding_flows_from_funder_to_project_to_administrator(fixture_data):
    g = funding(fixture_data)
    esr, alpha = T + "funding/esr", T + "project/alpha"
    assert g.edges[esr, alpha]["euros"] == 1_000_000
    assert "1 000 000 €" in g.edges[esr, alpha]["info"]
    assert g.edges[alpha, T + "organisation/org-a"]["relation"] == "administeredBy"
    assert g.edges[T + "funding/x", T + "project/beta"]["euros"] is None  # not stated
    assert g.nodes[esr]["euros"] == 1_000_000


def test_tooltip_has_identifiers_projects_and_evidence(fixture_data):
    g = projects(fixture_data)
    kuopio = g.nodes[T + "municipality/297"]["info"]
    for expected in ("Kuopio", "type: municipality", "municipality code: 297",
                     "Wikidata: Q162279", "Alpha (co-implementer)",
                     "“Osatoteuttajat: Org B ja Kuopion kaupunki.” (alpha.txt)"):
        assert expected in kuopio
    edge = g.edges[T + "organisation/org-c", T + "project/beta"]["info"]
    assert "“Kumppanina on Org C.” (beta.txt)" in edge


def test_phone_numbers_and_emails_never_reach_the_outputs(written):
    out, report = written
    assert report.written
    for path in report.written:
        if path.suffix == ".png":
            continue
        text = path.read_text(encoding="utf-8")
        assert "040 123 4567" not in text and "alpha@example.fi" not in text, path
    page = (out / "projects.html").read_text(encoding="utf-8")
    assert f"Org A hallinnoi Alpha-hanketta (puh. {REDACTED}, {REDACTED})" in page


@pytest.mark.parametrize("text, masked", [
    ("puh. 0295 024 162, juha.pulliainen(at)ely-keskus", f"puh. {REDACTED}, {REDACTED}"),
    ("+358 40 123 4567", REDACTED),
    ("Hankkeen budjetti on 719 998 € vuonna 2023", "Hankkeen budjetti on 719 998 € vuonna 2023"),
])
def test_mask_contacts(text, masked):
    assert mask_contacts(text) == masked


@pytest.mark.parametrize("filters, expected_projects", [
    (Filters(region="Pohjois-Savo"), {"Alpha"}),  # via Kuopio's region
    (Filters(region="10"), {"Beta"}),  # by region code
    (Filters(funder="ESR"), {"Alpha"}),  # by alias
    (Filters(funder="fund x"), {"Beta"}),
    (Filters(year=2023), {"Alpha"}),
    (Filters(year=2030), {"Beta"}),  # open end
    (Filters(region="Etelä-Savo", year=2024), {"Beta"}),
])
def test_filters(fixture_data, filters, expected_projects):
    filtered = apply_filters(fixture_data, filters)
    assert {filtered.nodes[p].name for p in filtered.projects()} == expected_projects
    assert all(lk.target in filtered.projects() for lk in filtered.links)


def test_filter_that_matches_nothing_names_the_choices(fixture_data):
    with pytest.raises(NoMatch, match="Lappi.*Etelä-Savo, Pohjois-Savo"):
        apply_filters(fixture_data, Filters(region="Lappi"))
    with pytest.raises(NoMatch, match="no project passes --year 2019"):
        apply_filters(fixture_data, Filters(year=2019))


def test_cli_bad_filter_exits_2_and_keeps_existing_pages(tmp_path, capsys):
    assert main(["visualise", "--data", str(FIXTURE), "--out", str(tmp_path)]) == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert main(["visualise", "--data", str(FIXTURE), "--out", str(tmp_path),
                 "--region", "Lappi"]) == 2
    assert "error: --region 'Lappi' matches no region" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_cli_missing_data_names_the_file(tmp_path, capsys):
    assert main(["visualise", "--data", str(tmp_path / "none.ttl"),
                 "--out", str(tmp_path)]) == 2
    assert "none.ttl: no such file" in capsys.readouterr().err


def test_filtered_pages_do_not_replace_the_full_ones(tmp_path):
    report = visualise(FIXTURE, tmp_path, Filters(region="Pohjois-Savo", year=2023))
    names = sorted(p.name for p in report.written)
    assert "collaboration-region-pohjois-savo-year-2023.html" in names
    assert not (tmp_path / "collaboration.html").exists()


def test_cli_metrics_table(tmp_path, capsys):
    assert main(["visualise", "--data", str(FIXTURE), "--out", str(tmp_path),
                 "--metrics"]) == 0
    out = capsys.readouterr().out
    assert "collaboration: 4 nodes (top 4 by degree)" in out
    first = out.split("collaboration: 4 nodes (top 4 by degree)")[1].splitlines()[3]
    assert first.startswith("Org B ")  # the bridge between the two projects


def test_metrics_csv_beside_each_page(written):
    out, _ = written
    for kind in KINDS:
        rows = list(csv.DictReader(io.StringIO((out / f"{kind}.csv").read_text("utf-8"))))
        assert len(rows) == node_count((out / f"{kind}.html").read_text("utf-8"))
        assert set(rows[0]) == {"iri", "name", "type", "degree", "weighted_degree",
                                "betweenness", "community"}
    collab = {r["name"]: r for r in csv.DictReader(
        io.StringIO((out / "collaboration.csv").read_text("utf-8")))}
    assert float(collab["Org B"]["betweenness"]) > 0
    assert float(collab["Org A"]["betweenness"]) == 0
    assert collab["Org A"]["community"] == collab["Kuopio"]["community"]


def test_gexf_and_graphml_open_in_networkx(written, fixture_data):
    out, _ = written
    for kind, build in (("collaboration", collaboration), ("projects", projects),
                        ("funding", funding)):
        g = build(fixture_data)
        for reader, ext in ((nx.read_gexf, "gexf"), (nx.read_graphml, "graphml")):
            back = reader(out / f"{kind}.{ext}")
            assert back.number_of_nodes() == g.number_of_nodes()
            assert back.number_of_edges() == g.number_of_edges()
        assert "lastmodifieddate" not in (out / f"{kind}.gexf").read_text("utf-8")


def _page_records(html: str) -> tuple[dict, dict]:
    """The nodes (by id) and edges (by ends) a written page draws."""
    import json

    nodes = re.search(r"var nodes = new vis\.DataSet\((\[.*?\])\);\n", html, re.DOTALL)
    edges = re.search(r"var edges = new vis\.DataSet\((\[.*?\])\);\n", html, re.DOTALL)
    return ({n["id"]: n for n in json.loads(nodes.group(1))},
            {(e["from"], e["to"]): e for e in json.loads(edges.group(1))})


@pytest.mark.parametrize("kind", KINDS)
def test_gexf_has_the_pages_colours_sizes_positions_and_the_metrics(written, kind):
    """Opened in Gephi, a network looks as on its page: each node's viz:color,
    viz:size and viz:position (y up, as Gephi draws it) are the page's, each
    line's colour and width too; the metrics of the CSV are node attributes."""
    import xml.etree.ElementTree as ET

    out, _ = written
    ns = {"g": "http://www.gexf.net/1.2draft", "viz": "http://www.gexf.net/1.2draft/viz"}
    root = ET.parse(out / f"{kind}.gexf").getroot()
    page_nodes, page_edges = _page_records((out / f"{kind}.html").read_text("utf-8"))
    rows = {r["iri"]: r for r in csv.DictReader(io.StringIO(
        (out / f"{kind}.csv").read_text("utf-8")))}
    titles = {a.get("id"): a.get("title") for a in root.iterfind(
        ".//g:attributes[@class='node']/g:attribute", ns)}
    assert {"degree", "weighted_degree", "betweenness", "community"} <= set(titles.values())
    nodes = root.findall(".//g:node", ns)
    assert len(nodes) == len(page_nodes) == len(rows) > 0
    colours = set()
    for node in nodes:
        page = page_nodes[node.get("id")]
        c = node.find("viz:color", ns)
        colour = "#{:02x}{:02x}{:02x}".format(*(int(c.get(k)) for k in "rgb"))
        assert colour == page["color"]
        colours.add(colour)
        assert float(node.find("viz:size", ns).get("value")) == page["size"]
        pos = node.find("viz:position", ns)
        assert (float(pos.get("x")), -float(pos.get("y"))) == (page["x"], page["y"])
        assert node.find("viz:shape", ns).get("value") == (
            "square" if page["shape"] == "square" else "disc")
        values = {titles[v.get("for")]: v.get("value") for v in node.iterfind(".//g:attvalue", ns)}
        row = rows[node.get("id")]
        for metric in ("degree", "weighted_degree", "community"):
            assert int(values[metric]) == int(float(row[metric])), (metric, node.get("id"))
        assert float(values["betweenness"]) == float(row["betweenness"])
    assert len(colours) == len({n["type"] for n in page_nodes.values()})  # a colour per type
    for edge in root.iterfind(".//g:edge", ns):
        page = page_edges.get((edge.get("source"), edge.get("target"))) or (
            page_edges[(edge.get("target"), edge.get("source"))])
        c = edge.find("viz:color", ns)
        assert "#{:02x}{:02x}{:02x}".format(*(int(c.get(k)) for k in "rgb")) == page["color"]
        assert float(edge.find("viz:thickness", ns).get("value")) == page["width"]
    # networkx's reader (as Gephi's) takes the viz data and the metrics back
    back = nx.read_gexf(out / f"{kind}.gexf")
    some = next(iter(page_nodes))
    assert back.nodes[some]["viz"]["position"]["x"] == page_nodes[some]["x"]
    assert back.nodes[some]["viz"]["size"] == page_nodes[some]["size"]
    assert back.nodes[some]["degree"] == int(rows[some]["degree"])


def test_graphml_carries_the_metrics(written):
    out, _ = written
    back = nx.read_graphml(out / "collaboration.graphml")
    rows = {r["iri"]: r for r in csv.DictReader(io.StringIO(
        (out / "collaboration.csv").read_text("utf-8")))}
    assert set(back.nodes) == set(rows)
    for v, a in back.nodes(data=True):
        assert a["degree"] == int(rows[v]["degree"])
        assert a["betweenness"] == float(rows[v]["betweenness"])


def test_static_figures_are_png_and_svg(written):
    out, _ = written
    for kind in KINDS:
        assert (out / f"{kind}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        svg = (out / f"{kind}.svg").read_text("utf-8")
        assert "<svg" in svg and TITLES_TEXT[kind] in svg  # text stays text


TITLES_TEXT = {"collaboration": "Collaboration network", "projects": "Projects and their actors",
               "funding": "Funding flows"}


@pytest.mark.parametrize("kind", KINDS)
def test_figure_labels_cover_no_label_and_no_node(kind):
    """On the bundled graph: the figure's labels are the page's short labels, the
    most important first, and none covers another label or a node."""
    from kg.store import open_store
    from kg.visualise import analysis, page
    from kg.visualise.networks import NETWORKS, RELATION_NAMES, TYPE_NAMES

    graph = NETWORKS[kind](read_graph(open_store(REPO_ROOT / "data" / "ttl")))
    view = page.plan(kind, graph)
    placed: list = []
    svg = analysis.figure(kind, graph, view, page.TITLES[kind], page.NODE_COLOURS,
                          TYPE_NAMES, page.EDGE_COLOURS, RELATION_NAMES, "svg", placed)
    labels = [(text, box) for what, text, box in placed if what == "label"]
    nodes = {v: box for what, v, box in placed if what == "node"}
    assert labels and len(nodes) == graph.number_of_nodes() - len(view.isolated)
    for i, (text, box) in enumerate(labels):
        import html

        assert all(html.escape(line, quote=False) in svg.decode("utf-8")
                   for line in text.split("\n")), text
        for _, other in labels[i + 1:]:
            assert not analysis._meets(box, other), text
    own = {view.labels[v]: v for v in nodes}
    for text, box in labels:
        assert not any(analysis._meets(box, b) for v, b in nodes.items() if v != own[text])
    if kind == "funding":  # line widths by money, and their legend
        top = max(a.get("euros") or 0 for _, _, a in graph.edges(data=True))
        assert f"{top:,.0f} €".replace(",", " ") in svg.decode("utf-8")


def test_pages_load_nothing_from_outside(written):
    out, _ = written
    for kind in KINDS:
        html = (out / f"{kind}.html").read_text("utf-8")
        assert external_resources(html) == []
        assert "vis.Network" in html and "<script src" not in html


def test_the_check_catches_pyvis_own_cdn_links():
    """pyvis's in_line mode still links Bootstrap from a CDN: the check must see it."""
    from pyvis.network import Network

    net = Network(cdn_resources="in_line")
    net.add_node(1)
    leaks = external_resources(net.generate_html())
    assert any("bootstrap" in leak for leak in leaks)


def test_same_input_gives_the_same_bytes(tmp_path):
    a = visualise(FIXTURE, tmp_path / "a")
    visualise(FIXTURE, tmp_path / "b")
    for path in a.written:
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_committed_pages_are_what_kg_visualise_writes(tmp_path):
    """visualisations/ is rebuilt by `make run` from data/ttl and committed. The PNG
    and SVG figures are left out: their pixels and paths depend on matplotlib and
    FreeType versions."""
    visualise(REPO_ROOT / "data" / "ttl", tmp_path)
    committed = REPO_ROOT / "visualisations"
    for path in sorted(tmp_path.iterdir()):
        if path.suffix in (".png", ".svg"):
            assert (committed / path.name).is_file()
            continue
        assert (committed / path.name).read_bytes() == path.read_bytes(), (
            f"visualisations/{path.name} is stale: run `make run` (or `kg visualise`)")


def test_bundled_pages_hold_every_participant_and_project(bundled_build, bundled_store, tmp_path):
    from kg.store import select

    out, _ = bundled_build
    visualise(out, tmp_path)
    rows = select(bundled_store, """PREFIX hg: <https://w3id.org/hankegraph/ontology#>
        SELECT DISTINCT ?x WHERE {
          { ?x hg:administers|hg:implements|hg:partnerIn ?p } UNION { ?x a hg:Project } }""")
    html = (tmp_path / "projects.html").read_text("utf-8")
    assert node_count(html) == len(rows.rows)


def test_layout_is_seeded_and_separates_nodes():
    g = nx.relabel_nodes(nx.barabasi_albert_graph(800, 2, seed=1), str)
    g.add_edge("lone-a", "lone-b")
    first, second = layout(g), layout(g)
    assert first == second
    assert set(first) == set(g)
    assert len(set(first.values())) == len(first)  # no two nodes on the same spot
    xs = [p[0] for p in first.values()]
    assert max(xs) - min(xs) > 500  # spread over the page, not collapsed


def test_written_node_count_matches_graph(written, fixture_data):
    out, report = written
    for kind, (n, _m) in report.sizes.items():
        assert node_count((out / f"{kind}.html").read_text("utf-8")) == n
    # positions from Python are final: physics would undo the overlap removal
    assert re.search(r'"physics": \{"enabled": false', (out / "projects.html").read_text("utf-8"))


# --- readable layouts (kg/visualise/readable.py) ---------------------------------


def test_project_labels_are_short_names():
    from kg.visualise.readable import short_name

    assert short_name("Kestävää kasvua ja työtä Pohjois-Savoon", ("KASVU",)) == "KASVU"
    assert short_name("Digitaalisten palvelujen kehittäminen (DIGIPA)") == "DIGIPA"
    long = short_name("Työllisyyden ja osaamisen edistäminen Etelä-Savossa")
    assert long.endswith("…") and len(long) <= 22
    assert "Työllisyyden ja osaamisen edistäminen Etelä-Savossa".startswith(long[:-1])
    assert short_name("Landemia") == "Landemia"


def _boxes_of(view, graph):
    import numpy as np

    from kg.visualise.readable import MARGIN, _boxes

    nodes = sorted(graph)
    pos = np.array([view.positions[v] for v in nodes])
    centre, hw, hh, _ = _boxes(nodes, pos, view.sizes, view.labels, view.fonts, 0.0)
    assert MARGIN > 0
    return nodes, centre, hw, hh


@pytest.mark.parametrize("kind", KINDS)
def test_no_two_node_boxes_overlap_on_the_bundled_graph(kind):
    from kg.store import open_store
    from kg.visualise.networks import NETWORKS
    from kg.visualise.page import plan
    from kg.visualise.readable import overlapping_pairs

    graph = NETWORKS[kind](read_graph(open_store(REPO_ROOT / "data" / "ttl")))
    view = plan(kind, graph)
    nodes, centre, hw, hh = _boxes_of(view, graph)
    pairs, _, _ = overlapping_pairs(centre, hw, hh)
    assert [(nodes[a], nodes[b]) for a, b in pairs] == []
    # the planned starting zoom makes the top labels at least 11 px
    assert all(view.fonts[v] * view.scale >= 11 for v in view.top)
    assert view.top  # and there are some


def test_projects_show_a_short_label_and_the_full_name_in_the_tooltip(fixture_data):
    from kg.visualise.page import vis_data

    graph = projects(fixture_data)
    nodes, _ = vis_data("projects", graph)
    for n in nodes:
        assert n["name"] in n["title"]
        if n["type"] == "Project":
            assert len(n["label"]) <= 22 and n["shape"] == "square"


def test_isolated_nodes_are_hidden_in_a_strip_under_the_network():
    from kg.visualise.page import vis_data

    g = nx.Graph()
    for i, name in enumerate(["A", "B", "C", "Lone one", "Lone two"]):
        g.add_node(f"n{i}", name=name, type="Organisation", info=name, details=name,
                   wikidata="")
    g.add_edge("n0", "n1", relation="collaborates", weight=1, info="")
    g.add_edge("n1", "n2", relation="collaborates", weight=1, info="")
    nodes, _ = vis_data("collaboration", g)
    by_id = {n["id"]: n for n in nodes}
    assert {i for i, n in by_id.items() if n.get("hidden")} == {"n3", "n4"}
    lowest = max(by_id[i]["y"] for i in ("n0", "n1", "n2"))
    assert all(by_id[i]["y"] > lowest for i in ("n3", "n4"))


def test_a_dataset_without_funding_still_gets_its_pages(tmp_path):
    """A corpus whose documents state no funding: the funding page is empty, the
    other pages are drawn, and nothing crashes (found by the issue-14 probe)."""
    from rdflib import Dataset, Namespace, URIRef

    hg = Namespace("https://w3id.org/hankegraph/ontology#")
    ds = Dataset()
    ds.parse(FIXTURE, format="turtle")
    funding = {hg.funds, hg.fundedBy, hg.funder, hg.amount, hg.sharePercent}
    drop = [q for q in ds.quads((None, None, None, None))
            if q[1] in funding or q[2] == hg.Grant
            or (isinstance(q[2], URIRef) and "/grant/" in str(q[0]))]
    for q in drop:
        ds.remove(q)
    data = tmp_path / "nofunding.trig"
    ds.serialize(data, format="trig")
    report = visualise(data, tmp_path / "pages")
    assert report.sizes["funding"][0] == 0
    assert report.sizes["collaboration"][0] > 0
    assert (tmp_path / "pages" / "funding.html").is_file()


def test_gexf_leaves_an_unknown_amount_empty_and_keeps_a_stated_one(tmp_path):
    """Gephi users sum and size by `euros`: a funding link whose source states no
    amount has no `euros` value (it used to be 0.0), one that states it keeps it."""
    import xml.etree.ElementTree as ET

    visualise(REPO_ROOT / "data" / "ttl", tmp_path)
    ns = {"g": "http://www.gexf.net/1.2draft"}
    root = ET.parse(tmp_path / "funding.gexf").getroot()
    key = next(a.get("id") for a in root.iterfind(".//g:attributes[@class='edge']/g:attribute",
                                                  ns) if a.get("title") == "euros")
    relation = next(a.get("id") for a in root.iterfind(
        ".//g:attributes[@class='edge']/g:attribute", ns) if a.get("title") == "relation")
    funds = [e for e in root.iterfind(".//g:edge", ns)
             if any(v.get("for") == relation and v.get("value") == "funds"
                    for v in e.iterfind(".//g:attvalue", ns))]
    amounts = [next((float(v.get("value")) for v in e.iterfind(".//g:attvalue", ns)
                     if v.get("for") == key), None) for e in funds]
    assert funds and None in amounts, amounts  # the bundled data has links without amounts
    assert 0.0 not in amounts
