"""A page for every entity (kg.pages): HTML and Turtle for each entity type,
content negotiation on `kg serve`, and `kg site` working from disk. Expected
values come from the dataset through SPARQL, never from today's extraction."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest
import rdflib

from kg.pages import CLASSES, NotFound, describe, entities, render_html, serialize
from kg.pages.site import write_site
from kg.settings import REPO_ROOT
from kg.store import open_store, select

#: What a browser would fetch from another host (plain <a href> links a person
#: may follow, to Wikidata or Statistics Finland, are not fetched).
_RESOURCE = re.compile(r"""(?:\bsrc\s*=|<link[^>]*\bhref\s*=|url\(|@import)\s*["']?\s*"""
                       r"""(?:https?:)?//""", re.IGNORECASE)


def external_resources(page: str) -> list[str]:
    return _RESOURCE.findall(page)


DATA = REPO_ROOT / "data" / "ttl"
FIXTURE = REPO_ROOT / "tests" / "data" / "visualise.ttl"
BASE = "https://w3id.org/hankegraph/"


@pytest.fixture(scope="module")
def store():
    return open_store(DATA)


@pytest.fixture(scope="module")
def one_of_each(store):
    """The first entity of each class in the bundled dataset."""
    found = {}
    for iri, label, kind in entities(store):
        found.setdefault(kind, (iri, label))
    return found


def _own_triples(store, iri):
    rows = select(store, f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }}").rows
    return {(p, o) for p, o in rows}


@pytest.mark.parametrize("kind", list(CLASSES))
def test_every_entity_type_has_an_html_page(store, one_of_each, kind):
    assert kind in one_of_each, f"the bundled dataset has no {kind}"
    iri, label = one_of_each[kind]
    entity = describe(store, iri)
    page = render_html(entity, lambda i: "/x" if i.startswith(BASE) else None, "/", {})
    assert f"<h1>{_html(label)}</h1>" in page and CLASSES[kind] in page
    assert external_resources(page) == []
    # every identifier the graph holds is shown
    for p, o in _own_triples(store, iri):
        if p.endswith(("municipalityCode", "regionCode", "businessId")):
            assert f"<td>{_html(o)}" in page
        if "wikidata.org" in o:
            assert f'href="{o}"' in page


def _html(text: str) -> str:
    import html

    return html.escape(text)


@pytest.mark.parametrize("kind", list(CLASSES))
def test_every_entity_type_has_its_triples_and_provenance_in_turtle(store, one_of_each, kind):
    iri, _ = one_of_each[kind]
    g = rdflib.Graph().parse(data=serialize(store, iri, "turtle"), format="turtle")
    subject = rdflib.URIRef(iri)
    got = {(str(p), str(o)) for p, o in g.predicate_objects(subject)}
    assert got == _own_triples(store, iri)
    # the statements about it come with their sentence and document
    statements = select(store, f"""SELECT DISTINCT ?st WHERE {{
        ?st a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> ;
            <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <{iri}> }}""").rows
    for (st,) in statements:
        assert (rdflib.URIRef(st), rdflib.URIRef(BASE + "ontology#sentence"), None) in g


def test_project_page_has_roles_money_documents_and_evidence(store):
    rows = select(store, """SELECT ?p ?f ?amount WHERE {
        ?g a <https://w3id.org/hankegraph/ontology#Grant> ;
           <https://w3id.org/hankegraph/ontology#project> ?p ;
           <https://w3id.org/hankegraph/ontology#funder> ?f ;
           <https://w3id.org/hankegraph/ontology#amount> ?amount } ORDER BY ?p LIMIT 1""").rows
    project, funder, amount = rows[0]
    e = describe(store, project)
    assert [(lk.iri, a) for lk, a, _ in e.money_in if lk.iri == funder] == [(funder, float(amount))]
    page = render_html(e, lambda i: None, "/", {})
    assert f"{float(amount):,.0f} €".replace(",", " ") in page
    actors = select(store, f"""SELECT DISTINCT ?a WHERE {{ ?a
        <https://w3id.org/hankegraph/ontology#administers> <{project}> }}""").rows
    assert {lk.iri for role, lk in e.roles if role == "administrator"} == {a for (a,) in actors}
    assert e.documents and e.evidence


def test_sentences_are_masked_on_pages_and_in_turtle():
    store = open_store(FIXTURE)
    iri = BASE + "organisation/org-a"
    page = render_html(describe(store, iri), lambda i: None, "/", {})
    turtle = serialize(store, iri, "turtle").decode()
    for text in (page, turtle):
        assert "Org A hallinnoi Alpha-hanketta" in text
        assert "040 123 4567" not in text and "alpha@example.fi" not in text


def test_unknown_iri_is_not_found(store):
    with pytest.raises(NotFound):
        describe(store, BASE + "organisation/no-such-thing")


def test_static_site_has_every_entity_and_links_that_resolve_on_disk(tmp_path, store):
    report = write_site(DATA, tmp_path / "site", BASE)
    site = tmp_path / "site"
    items = [e for e in entities(store) if e[0].startswith(BASE)]
    assert report.pages == len(items) > 0
    for iri, _label, _kind in items:
        rel = iri[len(BASE):]
        assert (site / f"{rel}.html").is_file() and (site / f"{rel}.ttl").is_file()
    pages = sorted(site.rglob("*.html"))
    assert site / "index.html" in pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert external_resources(text) == [], page
        for href in re.findall(r'href="([^"]+)"', text):
            if href.startswith(("http://", "https://")):
                continue  # Wikidata and Statistics Finland: links a person follows
            assert (page.parent / unquote(href)).resolve().is_file(), (page, href)


def test_kg_site_command(tmp_path, capsys):
    from kg.cli import main

    assert main(["site", str(tmp_path / "out"), "--data", str(FIXTURE)]) == 0
    assert (tmp_path / "out" / "municipality" / "297.html").is_file()
    assert "entity pages" in capsys.readouterr().out
    assert main(["site", str(tmp_path / "out2"), "--data", str(tmp_path / "none")]) == 2
    assert "none" in capsys.readouterr().err


# --- on kg serve ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    from tests.servers import kg_serve

    with kg_serve("--workers", "1", data=DATA) as (base, _proc):
        yield base


@pytest.mark.server
@pytest.mark.parametrize("kind", list(CLASSES))
def test_server_answers_html_and_turtle_at_each_iri_path(server, store, one_of_each, kind):
    import requests

    iri, label = one_of_each[kind]
    url = server.rstrip("/") + "/" + iri[len(BASE):]
    browser = requests.get(url, headers={"Accept": "text/html,application/xhtml+xml,"
                                         "application/xml;q=0.9,*/*;q=0.8"}, timeout=30)
    assert browser.status_code == 200 and browser.headers["content-type"].startswith("text/html")
    assert _html(label) in browser.text
    machine = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30)
    assert machine.status_code == 200
    assert machine.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=machine.content, format="turtle")
    assert {(str(p), str(o)) for p, o in g.predicate_objects(rdflib.URIRef(iri))} == \
        _own_triples(store, iri)
    assert "Accept" in machine.headers.get("vary", "")


@pytest.mark.server
def test_server_answers_json_ld_404_and_406(server, one_of_each):
    import requests

    iri, _ = one_of_each["Municipality"]
    url = server.rstrip("/") + "/" + iri[len(BASE):]
    ld = requests.get(url, headers={"Accept": "application/ld+json"}, timeout=30)
    assert ld.status_code == 200 and ld.headers["content-type"].startswith("application/ld+json")
    assert iri in json.dumps(ld.json())
    missing = requests.get(server.rstrip("/") + "/organisation/no-such-thing", timeout=30)
    assert missing.status_code == 404 and "no-such-thing" in missing.text
    refused = requests.get(url, headers={"Accept": "image/png"}, timeout=30)
    assert refused.status_code == 406
    index = requests.get(server.rstrip("/") + "/entities", timeout=30)
    assert index.status_code == 200 and f'href="/{iri[len(BASE):]}"' in index.text


@pytest.mark.browser
def test_static_site_search_works_from_disk(tmp_path):
    from kg.visualise.browser import chromium

    write_site(FIXTURE, tmp_path / "site", BASE)
    outside = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(("file:", "data:", "about:")) else None)
        page.goto((tmp_path / "site" / "index.html").as_uri())
        page.fill("#q", "org")
        assert page.text_content("#count") == "3 matches"
        assert page.locator("li[data-name]:visible").count() == 3
        page.click("a:text-is('Org C')")
        assert page.url.endswith("/organisation/org-c.html")
        assert "Kumppanina on Org C." in page.text_content("body")
        page.click("a:text-is('Beta')")
        assert page.url.endswith("/project/beta.html")
    assert outside == []


@pytest.mark.server
@pytest.mark.browser
def test_network_pages_served_by_kg_serve_link_to_entity_pages(server):
    """Served by kg serve, a network page's details panel links to the entity's page."""
    import requests

    from kg.visualise.browser import chromium

    with chromium() as browser:
        page = browser.new_page()
        page.goto(server.rstrip("/") + "/visualisations/projects.html")
        page.wait_for_function("window.networkDrawn === true")
        page.fill("#search", "Kuopio")
        page.press("#search", "Enter")
        href = page.get_attribute("#details a.entity-page", "href")
        assert href == "/municipality/297"
        page.click("#details a.entity-page")
        assert "<h1>Kuopio</h1>" in page.content()
    assert requests.get(server.rstrip("/") + href, timeout=30).status_code == 200


@pytest.mark.server
@pytest.mark.browser
def test_query_editor_results_link_to_entity_pages(server):
    from kg.visualise.browser import chromium

    with chromium() as browser:
        page = browser.new_page()
        page.goto(server.rstrip("/") + "/")
        page.locator(".tabsList .tab").first.wait_for(timeout=20_000)
        page.evaluate("""kgYasgui.getTab().getYasqe().setValue(
            'SELECT ?project WHERE { ?project a hg:Project }')""")
        page.locator(".tabPanel.active .yasqe_queryButton").click()
        table = page.locator(".tabPanel.active .yasr table.dataTable")
        table.wait_for(timeout=20_000)
        hrefs = table.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert hrefs and not [h for h in hrefs if h.startswith(BASE)]
        project = next(h for h in hrefs if h.startswith("/project/"))
        table.locator(f'a[href="{project}"]').first.click()
        page.wait_for_load_state()
        assert page.url.endswith(project) and "<h1>" in page.content()
