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
