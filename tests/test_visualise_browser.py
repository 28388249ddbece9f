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
