"""Generate ``ontology/hankegraph.html`` from ``ontology/hankegraph.ttl`` with pyLODE.

    python -m kg.graph.ontology_doc            # rewrite the page
    python -m kg.graph.ontology_doc --check    # exit 1 when the page is stale

The page must open without the internet: pyLODE inlines its CSS, and any script or
stylesheet that would still be fetched from elsewhere is removed here.
"""

from __future__ import annotations

import argparse
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from kg.settings import REPO_ROOT

ONTOLOGY = REPO_ROOT / "ontology" / "hankegraph.ttl"
TARGET = REPO_ROOT / "ontology" / "hankegraph.html"

_REMOTE = r"""["']?(?:https?:)?//"""
_REMOTE_SCRIPT = re.compile(rf"<script\b[^>]*\bsrc={_REMOTE}[^>]*>\s*</script>\s*", re.I)
_REMOTE_LINK = re.compile(
    rf"<link\b(?=[^>]*\brel=[\"']?(?:stylesheet|preload|modulepreload|import))"
    rf"[^>]*\bhref={_REMOTE}[^>]*>\s*", re.I)
_REMOTE_IMPORT = re.compile(rf"@import\s+(?:url\()?{_REMOTE}[^;]*;", re.I)


def strip_remote_resources(html: str) -> str:
    for pattern in (_REMOTE_SCRIPT, _REMOTE_LINK, _REMOTE_IMPORT):
        html = pattern.sub("", html)
    return html


class _Fetches(HTMLParser):
    """Collects what a browser would fetch on opening the page (not what a click fetches)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "embed", "source", "audio", "video") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href") and (a.get("rel") or "").lower() != "canonical":
            self.urls.append(a["href"])


def remote_fetches(html: str) -> list[str]:
    """Scripts, styles, images and frames the page would load from another host."""
    p = _Fetches()
    p.feed(html)
    urls = [u for u in p.urls if re.match(r"(?:https?:)?//", u)]
    return urls + _REMOTE_IMPORT.findall(html)


#: The properties pyLODE takes a heading from (it copies each into dcterms:title).
LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://purl.org/dc/terms/title",
          "http://purl.org/dc/elements/1.1/title",
          "http://www.w3.org/2004/02/skos/core#prefLabel")
#: The language of the headings; the other language's label is a line under each.
HEADING_LANG, SECOND_LANG = "en", "fi"
SECOND_LINE_CSS = "p.label-second { margin: -0.6em 0 0.6em 0; color: #555; font-style: italic; }"


def one_language(ttl: str, lang: str = HEADING_LANG):
    """The ontology as pyLODE should see it, and the other language's labels.

    pyLODE writes every title a term has into its heading, one after the other
    ("administershallinnoi"), and merges a skos:ConceptScheme's metadata into the
    ontology's. So it is given a copy in which a term labelled in ``lang`` keeps
    only those labels, and no subject but the owl:Ontology is a concept scheme;
    returned with ``{IRI: label}`` of SECOND_LANG, for :func:`add_second_lines`."""
    from rdflib import OWL, RDF, SKOS, Graph, Literal, URIRef

    g = Graph().parse(data=ttl, format="turtle")
    second: dict[str, str] = {}
    props = [URIRef(p) for p in LABELS]
    for s in set(g.subjects()):
        for p in props:
            values = [o for o in g.objects(s, p) if isinstance(o, Literal)]
            if not any(o.language == lang for o in values):
                continue
            for o in values:
                if o.language == SECOND_LANG:
                    second.setdefault(str(s), str(o))
                if o.language != lang:
                    g.remove((s, p, o))
    for s in set(g.subjects(RDF.type, SKOS.ConceptScheme)):
        if (s, RDF.type, OWL.Ontology) not in g:
            g.remove((s, RDF.type, SKOS.ConceptScheme))
    return g, second


def add_second_lines(html: str, second: dict[str, str], ontology_iri: str) -> str:
    """Under the page's title and each term's heading, the term's label in
    SECOND_LANG as a line of its own (``<p class="label-second" lang="fi">``),
    found by the IRI each term's table names; parsed and written with lxml."""
    import lxml.html

    doc = lxml.html.document_fromstring(html)
    doc.set("lang", HEADING_LANG)

    def line(text: str, after):
        el = lxml.html.Element("p", {"class": "label-second", "lang": SECOND_LANG})
        el.text, el.tail = text, after.tail  # the heading's indentation, kept
        return el

    for h1 in doc.xpath('//div[@id="metadata"]/h1')[:1]:
        if ontology_iri in second:
            h1.addnext(line(second[ontology_iri], h1))
    for entity in doc.xpath('//div[contains(concat(" ", normalize-space(@class), " "), '
                            '" entity ")]'):
        iri = entity.xpath('./table/tr[th="IRI"]/td/code/text()')
        heading = entity.find("h3")
        if iri and heading is not None and iri[0].strip() in second:
            heading.addnext(line(second[iri[0].strip()], heading))
    for style in doc.xpath("//head/style")[-1:]:
        style.text = (style.text or "") + "\n" + SECOND_LINE_CSS + "\n"
    return lxml.html.tostring(doc, doctype="<!DOCTYPE html>", encoding="unicode")


def render() -> str:
    """pyLODE collects the members of an owl:unionOf in a ``set`` of HTML elements, whose
    order follows their memory addresses; in a child process (so that this process's
    pyLODE stays as shipped) its module-level ``set`` becomes an insertion-ordered one,
    which keeps the members in list order, and the hash seed is fixed. pyLODE sees
    the English labels only (:func:`one_language`); the Finnish ones are added as
    a second line under each heading (:func:`add_second_lines`)."""
    import os
    import subprocess
    import tempfile

    from rdflib import OWL, RDF

    graph, second = one_language(ONTOLOGY.read_text(encoding="utf-8"))
    ontology_iri = str(next(iter(sorted(graph.subjects(RDF.type, OWL.Ontology)))))
    code = ("import sys; import pylode.utils as u\n"
            "class InsertionOrdered(dict):\n"
            "    def add(self, item): self[item] = None\n"
            "u.set = InsertionOrdered\n"
            "from pylode import OntPub\n"
            "sys.stdout.write(OntPub(ontology=sys.argv[1], sort_subjects=True).make_html())")
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "ontology.ttl"
        source.write_bytes(graph.serialize(format="turtle", encoding="utf-8"))
        done = subprocess.run([sys.executable, "-c", code, str(source)], env=env,
                              capture_output=True, check=True)
    html = strip_remote_resources(done.stdout.decode("utf-8"))
    html = add_second_lines(html, second, ontology_iri)
    return html if html.endswith("\n") else html + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the page is out of date")
    args = ap.parse_args(argv)
    html = render()
    if args.check:
        if not TARGET.is_file() or TARGET.read_text(encoding="utf-8") != html:
            print(f"{TARGET} is out of date: run python -m kg.graph.ontology_doc",
                  file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(html, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
