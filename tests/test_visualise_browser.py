"""The pages as a person's browser shows them: headless Chromium (Debian's
package, driven by Playwright) opens each page offline."""

from __future__ import annotations

import pytest

from kg.settings import REPO_ROOT
from kg.visualise import visualise
from kg.visualise.browser import blank, open_page

pytestmark = pytest.mark.browser

FIXTURE = REPO_ROOT / "tests" / "data" / "visualise.ttl"
KINDS = ("collaboration", "projects", "funding")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages")
    report = visualise(REPO_ROOT / "data" / "ttl", out)
    return out, report


@pytest.mark.parametrize("kind", KINDS)
def test_page_draws_offline_with_every_node(pages, kind):
    out, report = pages
    seen = open_page(out / f"{kind}.html")
    assert seen.nodes == report.sizes[kind][0]
    assert seen.console_errors == []
    assert seen.outside_requests == []
    assert not blank(seen.screenshot)


def test_search_finds_a_node_and_shows_its_evidence(tmp_path):
    from playwright.sync_api import sync_playwright

    from kg.visualise.browser import FLAGS, chromium_path

    visualise(FIXTURE, tmp_path)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            page = browser.new_page()
            page.goto((tmp_path / "projects.html").as_uri())
            page.wait_for_function("window.networkDrawn === true")
            page.fill("#search", "org c")
            page.press("#search", "Enter")
            assert page.text_content("#found") == "1 match"
            assert page.evaluate("network.getSelectedNodes()") == [
                "https://w3id.org/hankegraph/organisation/org-c"]
            details = page.text_content("#details")
            assert "Kumppanina on Org C." in details and "beta.txt" in details
            page.fill("#search", "Org")
            page.press("#search", "Enter")
            assert page.text_content("#found") == "3 matches"
        finally:
            browser.close()


# --- readability, measured from vis-network's own geometry ------------------------
#: Targets of issue 16: fewer than 3 % of the shown nodes overlap another node or
#: label, and the top labels are at least 11 px on screen at the starting view.
MAX_OVERLAP = 0.03
MIN_TOP_LABEL_PX = 11


def _assert_readable(seen, kind):
    from kg.visualise.browser import Readability

    assert isinstance(seen, Readability) and seen.visible > 0
    assert seen.overlap_share < MAX_OVERLAP, (kind, seen.overlapping[:10])
    assert len(seen.top_degree) == min(20, seen.visible)
    small = [(i, px) for i, px in seen.top_degree + seen.top_funded if px < MIN_TOP_LABEL_PX]
    assert small == [], (kind, seen.scale, small)


@pytest.mark.parametrize("kind", KINDS)
def test_bundled_pages_are_readable_at_the_starting_view(pages, kind):
    from kg.visualise.browser import readability

    out, _ = pages
    seen = readability(out / f"{kind}.html")
    _assert_readable(seen, kind)
    if kind == "funding":
        assert seen.top_funded  # the best funded are measured too


def test_a_1000_node_page_is_readable_at_the_starting_view(tmp_path):
    from benchmarks.visualise_scale import synthetic
    from kg.visualise.browser import readability
    from kg.visualise.networks import projects
    from kg.visualise.page import render

    graph = projects(synthetic(1000))
    path = tmp_path / "projects-1000.html"
    path.write_text(render("projects", graph, "synthetic"), encoding="utf-8")
    seen = readability(path)
    assert seen.visible == 1000  # the generated graph has no isolated node
    _assert_readable(seen, "projects-1000")


def test_the_measure_sees_overlaps(tmp_path):
    """The measure is not blind: nodes put on one spot are counted."""
    import re

    from kg.store import open_store
    from kg.visualise.browser import readability
    from kg.visualise.data import read_graph
    from kg.visualise.networks import projects
    from kg.visualise.page import render

    graph = projects(read_graph(open_store(FIXTURE)))
    html = render("projects", graph, "stacked")
    # the page's positions are overlap-free; put every node on one spot
    html = re.sub(r'"x": -?[0-9.]+, "y": -?[0-9.]+', '"x": 0.0, "y": 0.0', html)
    path = tmp_path / "stacked.html"
    path.write_text(html, encoding="utf-8")
    seen = readability(path)
    assert len(seen.overlapping) == seen.visible == graph.number_of_nodes()
