"""The query editor in a real browser: Debian's headless Chromium, driven by
Playwright (never `playwright install`: the browser is the system's)."""

from __future__ import annotations

import shutil
from urllib.parse import urlparse

import pytest

from kg.settings import REPO_ROOT
from kg.store import open_store, select
from tests.servers import kg_serve

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DATA = REPO_ROOT / "data" / "ttl"


def test_editor_runs_an_example_query_without_leaving_the_machine(tmp_path):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    query_file = REPO_ROOT / "queries" / "funders_of_projects.rq"
    expected = select(open_store(DATA), query_file.read_text(encoding="utf-8"))
    requested: list[str] = []
    with kg_serve(data=DATA) as (base, _), sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
            args=FLAGS, ignore_default_args=["--headless=new", "--headless=old"])
        try:
            page = browser.new_page()
            page.on("request", lambda r: requested.append(r.url))
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/")
            tabs = page.locator(".tabsList .tab")
            tabs.first.wait_for(timeout=20_000)
            names = tabs.all_inner_texts()
            for rq in (REPO_ROOT / "queries").glob("*.rq"):
                assert any(rq.stem in n for n in names), (rq.stem, names)
            page.locator(".tabsList .tab", has_text=query_file.stem).click()
            page.locator(".tabPanel.active .yasqe_queryButton").click()
            table = page.locator(".tabPanel.active .yasr table.dataTable")
            table.wait_for(timeout=20_000)
            cells = table.locator("tbody tr").all_inner_texts()
            page.screenshot(path=str(tmp_path / "editor.png"))
        finally:
            browser.close()
    assert not errors
    assert len(cells) == len(expected.rows)
    for row, cell_text in zip(expected.rows, cells, strict=True):
        assert row[1] in cell_text  # the project's name is in its row
    hosts = {urlparse(u).hostname for u in requested if urlparse(u).scheme in ("http", "https")}
    assert hosts == {"127.0.0.1"}, requested
    assert any(u.endswith("/sparql") for u in requested)


def _launch(p, profile):
    return p.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
        ignore_default_args=["--headless=new", "--headless=old"])


def _hints(page) -> list[str]:
    hints = page.locator(".CodeMirror-hints li")
    hints.first.wait_for(timeout=10_000)
    return hints.all_inner_texts()


def _rows(page) -> int:
    table = page.locator(".tabPanel.active .yasr table.dataTable")
    table.wait_for(timeout=20_000)
    return table.locator("tbody tr").count()


def test_editor_completes_from_the_ontology_keeps_tabs_and_opens_share_links(tmp_path):
    """Type a query with class and property completion (labels from the ontology,
    no PREFIX lines, no error mark, no stranger's hg:), run it, reload and find the
    tabs, then open its share link as another user: the shared query in a tab of
    its own, run. Nothing but this server is asked."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright
    from rdflib import RDFS, Graph, URIRef

    from kg.serve.dataset import known_prefixes

    ontology = REPO_ROOT / "ontology" / "hankegraph.ttl"
    prefixes = known_prefixes(DATA, ontology)
    hg = prefixes["hg"]
    labels = Graph().parse(ontology)

    def offered_with_labels(page, name) -> bool:
        """hg:name is in the completion list with its Finnish and English labels."""
        found = {lit.language: str(lit) for lit in labels.objects(URIRef(hg + name), RDFS.label)}
        hints = _hints(page)
        return any(h.startswith(f"hg:{name}") and found["fi"] in h and found["en"] in h
                   for h in hints)

    query = "SELECT ?project ?funder WHERE { ?project a hg:Project ; hg:fundedBy ?funder }"
    expected = len(list(open_store(DATA).query(query, prefixes=prefixes)))
    assert expected > 0
    examples = sorted(p.stem for p in (REPO_ROOT / "queries").glob("*.rq"))
    requested: list[str] = []
    errors: list[str] = []

    def watch(page):
        page.on("request", lambda r: requested.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        return page

    def editor_text(page) -> str:
        return " ".join(page.evaluate("kgYasgui.getTab().getQuery()").split())

    with kg_serve(data=DATA) as (base, _), sync_playwright() as p:
        browser = _launch(p, tmp_path / "profile")
        # what YASQE's own prefix completer stored on an earlier visit (its bundled
        # list, histograph's hg: among them): the editor must not read it
        browser.add_init_script("localStorage.setItem('prefixes', JSON.stringify({"
                                "namespace: 'triply', exp: 2592000, time: Date.now() / 1000,"
                                "val: ['hg: <http://rdf.histograph.io/>']}))")
        try:
            page = watch(browser.new_page())
            page.goto(f"{base}/")
            tabs = page.locator(".tabsList .tab")
            tabs.first.wait_for(timeout=20_000)
            assert sorted(t.split("\n")[0] for t in tabs.all_inner_texts()) == examples
            page.locator(".tabsList .addTab").click()
            page.locator(".tabPanel.active .CodeMirror").click()
            page.keyboard.press("Control+a")
            page.keyboard.press("Delete")

            # a prefix declaration: only the project's hg:, whatever YASQE bundles
            page.keyboard.type("PREFIX hg")
            offered = [h for h in _hints(page) if h.startswith("hg:")]
            assert offered == [f"hg: <{hg}>"], offered
            page.keyboard.press("Escape")
            page.keyboard.press("Control+a")
            page.keyboard.press("Delete")

            page.keyboard.type("SELECT ?project ?funder WHERE {\n?project a hg:Proj")
            assert offered_with_labels(page, "Project"), _hints(page)
            page.keyboard.press("Enter")  # the first (only) hint
            page.keyboard.type(" ; hg:fundedB")
            assert offered_with_labels(page, "fundedBy"), _hints(page)
            page.keyboard.press("Enter")
            page.keyboard.type(" ?funder }")
            assert editor_text(page) == query  # no PREFIX line added, nothing else typed
            assert page.locator(".tabPanel.active .parseErrorIcon").count() == 0
            page.locator(".tabPanel.active .yasqe_queryButton").click()
            assert _rows(page) == expected

            page.locator(".tabPanel.active .yasqe_share").click()
            link = page.locator(".tabPanel.active .yasqe_sharePopup input").input_value()
            names = tabs.all_inner_texts()
            page.reload()
            tabs.first.wait_for(timeout=20_000)
            assert tabs.all_inner_texts() == names and len(names) == len(examples) + 1
            assert editor_text(page) == query  # the open tab is still the typed one
        finally:
            browser.close()

        other = _launch(p, tmp_path / "another-user")
        try:
            page = watch(other.new_page())
            page.goto(link)
            assert _rows(page) == expected  # the shared query ran
            tabs = page.locator(".tabsList .tab")
            names = [t.split("\n")[0] for t in tabs.all_inner_texts()]
            active = page.locator(".tabsList .tab.active").inner_text().split("\n")[0]
            assert editor_text(page) == query
            assert sorted(names[:-1]) == examples and active == names[-1] != names[0]
            page.screenshot(path=str(tmp_path / "shared.png"))
        finally:
            other.close()
    assert not errors
    hosts = {urlparse(u).hostname for u in requested if urlparse(u).scheme in ("http", "https")}
    assert hosts == {"127.0.0.1"}, requested
    assert "rdf.histograph.io" not in " ".join(requested)
