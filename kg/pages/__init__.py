"""A page for every entity: HTML for a person, Turtle or JSON-LD for a machine.

Read from the built dataset with SPARQL (any pyoxigraph store: kg.store's, or
kg serve's), so a page shows exactly what a researcher can query. Used by
``kg serve`` (each entity's IRI path answers, with content negotiation) and by
``kg site OUT`` (the same pages as static files that work from disk).

Sections of the HTML page: names and types; identifiers, with links to
Wikidata and to Statistics Finland's classifications for municipality and
region codes; roles in projects (or, for a project, its actors); money in and
out (grants with amounts and shares of the total); the documents; every fact's
evidence sentence with its document; and the neighbourhood (every entity it is
linked to). Sentences are masked for phone numbers and e-mail addresses, as in
the network pages.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field

from kg.visualise.data import HG, mask_contacts
from kg.visualise.data import PREFIXES as NETWORK_PREFIXES

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#: the network pages' prefixes, and FOAF for persons
PREFIXES = NETWORK_PREFIXES + "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"

#: Classes that get a page, most specific first, and their names on the page.
CLASSES = {"Municipality": "municipality", "Region": "region", "Project": "project",
           "FundingScheme": "funding scheme", "Organisation": "organisation",
           "Person": "person", "Document": "document"}
_CLASS_IRI = {k: ("http://xmlns.com/foaf/0.1/Person" if k == "Person" else HG + k)
              for k in CLASSES}

IDENTIFIERS = {"municipalityCode": "municipality code", "regionCode": "region code",
               "subregionCode": "subregion code",
               "wellbeingCountyCode": "wellbeing county code",
               "institutionCode": "institution code", "businessId": "business ID",
               "organisationType": "organisation type", "fileName": "file",
               "startDate": "starts", "endDate": "ends"}
#: Statistics Finland's classification pages for the codes that have one.
CLASSIFICATIONS = {"municipalityCode": "https://www.stat.fi/en/luokitukset/kunta/",
                   "regionCode": "https://www.stat.fi/en/luokitukset/maakunta/",
                   "subregionCode": "https://www.stat.fi/en/luokitukset/seutukunta/",
                   "wellbeingCountyCode": "https://www.stat.fi/en/luokitukset/hyvinvointialue/"}
ROLE_NAMES = {"administers": "administrator", "implements": "co-implementer",
              "partnerIn": "partner"}
PROPERTY_NAMES = {"administers": "administers", "implements": "co-implements",
                  "partnerIn": "partner in", "funds": "funds", "fundedBy": "funded by",
                  "targetArea": "target area", "inRegion": "in region",
                  "memberOf": "member of", "contactFor": "contact for",
                  "mentionedIn": "mentioned in", "participatesIn": "participates in",
                  "inWellbeingCounty": "in wellbeing county",
                  "regionalCouncilOf": "regional council of"}


class NotFound(LookupError):
    """No entity of the dataset has that IRI."""


@dataclass
class Link:
    iri: str
    label: str


@dataclass
class Entity:
    iri: str
    label: str
    types: list[str]  # names from CLASSES
    aliases: list[str] = field(default_factory=list)
    # name, value, and the classification's page where it has one
    identifiers: list[tuple[str, str, str | None]] = field(default_factory=list)
    wikidata: list[str] = field(default_factory=list)
    roles: list[tuple[str, Link]] = field(default_factory=list)  # role, project or actor
    money_in: list[tuple[Link, float | None, float | None]] = field(default_factory=list)
    money_out: list[tuple[Link, float | None, float | None]] = field(default_factory=list)
    documents: list[Link] = field(default_factory=list)
    evidence: list[tuple[str, str, str]] = field(default_factory=list)  # fact, sentence, doc
    neighbours: list[tuple[str, Link]] = field(default_factory=list)  # relation, entity
    totals: tuple[float, float] = (0.0, 0.0)  # euros in and out, where stated


def _is_iri(value: str | None) -> bool:
    return bool(value) and value.startswith(("http://", "https://")) and \
        not any(c in value for c in ' <>"{}|^`\\')


def _words(name: str) -> str:
    """coImplementer → co-implementer."""
    out = "".join(f"-{c.lower()}" if c.isupper() else c for c in name)
    return out


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _select(store, query: str) -> list[list[str | None]]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    variables = result.variables
    return [[None if row[v] is None else row[v].value for v in variables] for row in result]


def _labels(store, iris) -> dict[str, str]:
    iris = sorted(set(iris))
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in iris)
    found: dict[str, str] = {}
    for iri, label in _select(store, f"""SELECT DISTINCT ?e ?l WHERE {{
            VALUES ?e {{ {values} }}
            {{ ?e rdfs:label ?l }} UNION {{ ?e hg:fileName ?l }} }}"""):
        found[iri] = min(found.get(iri, label), label)
    return {i: found.get(i, _local(i)) for i in iris}


def entities(store) -> list[tuple[str, str, str]]:
    """Every entity with a page: (IRI, label, class name), sorted by class and label."""
    out: dict[str, tuple[int, str, str]] = {}
    classes = " ".join(f"<{c}>" for c in _CLASS_IRI.values())
    rows = _select(store, f"""SELECT DISTINCT ?e ?c WHERE {{
        VALUES ?c {{ {classes} }} ?e a ?c }}""")
    names = list(CLASSES)
    for iri, cls in rows:
        kind = "Person" if cls.endswith("/Person") else _local(cls)
        rank = names.index(kind)
        if iri not in out or rank < out[iri][0]:
            out[iri] = (rank, kind, "")
    labels = _labels(store, out)
    return sorted(((i, labels[i], k) for i, (_, k, _) in out.items()),
                  key=lambda e: (names.index(e[2]), e[1].casefold(), e[0]))


def describe(store, iri: str) -> Entity:
    """What the dataset says about ``iri``; NotFound when it is no entity's."""
    types = [k for k, c in _CLASS_IRI.items()
             if store.query(f"ASK {{ <{iri}> a <{c}> }}", use_default_graph_as_union=True)]
    if not types:
        raise NotFound(f"{iri} is not an entity of this dataset")
    facts = _select(store, f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }}")
    incoming = _select(store, f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> }}")
    own = defaultdict(list)
    for p, o in facts:
        own[p].append(o)
    label = min(own.get("http://www.w3.org/2000/01/rdf-schema#label", [])
                or own.get(HG + "fileName", []) or [_local(iri)])
    e = Entity(iri, label, [CLASSES[t] for t in types])
    e.aliases = sorted(set(own.get("http://www.w3.org/2004/02/skos/core#altLabel", [])) - {label})
    for key, name in IDENTIFIERS.items():
        for value in sorted(set(own.get(HG + key, []))):
            e.identifiers.append((name, value, CLASSIFICATIONS.get(key)))
    same = own.get("http://www.w3.org/2002/07/owl#sameAs", []) + \
        own.get("http://www.w3.org/2004/02/skos/core#exactMatch", [])
    e.wikidata = sorted({v for v in same if "wikidata.org" in v})
    # roles: from participations, which carry the role
    for other, role, direction in _select(store, f"""SELECT DISTINCT ?other ?role ?d WHERE {{
            ?x a hg:Participation ; hg:role ?role .
            {{ ?x hg:participant <{iri}> ; hg:project ?other . BIND("out" AS ?d) }}
            UNION {{ ?x hg:project <{iri}> ; hg:participant ?other . BIND("in" AS ?d) }} }}"""):
        e.roles.append((direction, role, other))
    grants = _select(store, f"""SELECT DISTINCT ?g ?funder ?project ?amount ?share WHERE {{
            ?g a hg:Grant ; hg:funder ?funder ; hg:project ?project .
            FILTER(?funder = <{iri}> || ?project = <{iri}>)
            OPTIONAL {{ ?g hg:amount ?amount }} OPTIONAL {{ ?g hg:sharePercent ?share }} }}""")
    evidence = _select(store, f"""SELECT DISTINCT ?s ?p ?o ?sentence ?doc WHERE {{
            {{ ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
               FILTER(?s = <{iri}> || ?o = <{iri}>) }}
            UNION {{ ?st a hg:Grant ; hg:funder ?s ; hg:project ?o . BIND(hg:funds AS ?p)
               FILTER(?s = <{iri}> || ?o = <{iri}>) }}
            ?st hg:sentence ?sentence . OPTIONAL {{ ?st prov:wasDerivedFrom ?doc }} }}""")
    documents = {o for p, o in facts if p == HG + "mentionedIn"}
    documents |= {d for *_, d in evidence if d}
    neighbours = {(p, o) for p, o in facts if _is_iri(o)
                  and p not in (RDF + "type",) and not o.startswith(HG)}
    neighbours |= {(p, s) for s, p in incoming}
    linked = {o for _, o in neighbours} | {x for r in e.roles for x in r[2:]} | documents
    linked |= {x for g in grants for x in g[1:3]} | {x for ev in evidence for x in ev[:3:2]}
    linked = {i for i in linked if _is_iri(i)}
    kinds = {i: k for i, _, k in _entities_of(store, linked)}
    labels = _labels(store, linked)

    def link(i: str) -> Link:
        return Link(i, labels.get(i, _local(i)))

    roles = []
    for direction, role, other in e.roles:
        name = _words(_local(role))
        # an actor's page: "administrator of PROJECT"; a project's: "administrator: ACTOR"
        roles.append((f"{name} of" if direction == "out" else name, link(other)))
    e.roles = sorted(roles, key=lambda x: (x[0], x[1].label))
    totals_in = sum(float(a) for _, _, p, a, _ in grants if p == iri and a)
    totals_out = sum(float(a) for _, f, _, a, _ in grants if f == iri and a)
    for _, funder, project, amount, share in sorted(grants, key=lambda g: g[1:3]):
        row = (float(amount) if amount else None, float(share) if share else None)
        if project == iri:
            e.money_in.append((link(funder), *row))
        if funder == iri:
            e.money_out.append((link(project), *row))
    e.money_in.sort(key=lambda m: (-(m[1] or 0), m[0].label))
    e.money_out.sort(key=lambda m: (-(m[1] or 0), m[0].label))
    e.totals = (totals_in, totals_out)
    e.documents = sorted((link(d) for d in documents), key=lambda lk: lk.label)
    for s, p, o, sentence, doc in sorted(evidence, key=lambda r: (r[4] or "", r[3], r[1])):
        name = PROPERTY_NAMES.get(_local(p), ROLE_NAMES.get(_local(p), _local(p)))
        e.evidence.append((f"{link(s).label} — {name} — {link(o).label}",
                           mask_contacts(sentence), link(doc).label if doc else ""))
    e.neighbours = sorted(
        ((PROPERTY_NAMES.get(_local(p), _local(p)) if (p, o) in {(q, x) for q, x in facts}
          else "← " + PROPERTY_NAMES.get(_local(p), _local(p)), link(o))
         for p, o in neighbours if o in kinds and o != iri),
        key=lambda x: (x[0], x[1].label))
    return e


def _entities_of(store, iris) -> list[tuple[str, str, str]]:
    """The entities (with a page) among ``iris``."""
    iris = sorted(set(iris))
    if not iris:
        return []
    values = " ".join(f"<{i}>" for i in iris)
    classes = " ".join(f"<{c}>" for c in _CLASS_IRI.values())
    rows = _select(store, f"""SELECT DISTINCT ?e ?c WHERE {{
        VALUES ?e {{ {values} }} VALUES ?c {{ {classes} }} ?e a ?c }}""")
    return [(i, "", c) for i, c in rows]


CONSTRUCT = """CONSTRUCT { ?s ?p ?o } WHERE {
  { BIND(<IRI> AS ?s) ?s ?p ?o }
  UNION { ?s ?p <IRI> . BIND(<IRI> AS ?o) }
  UNION { ?s a rdf:Statement ; ?r <IRI> . FILTER(?r IN (rdf:subject, rdf:object)) ?s ?p ?o }
  UNION { ?s a hg:Grant ; ?r <IRI> . ?s ?p ?o }
  UNION { ?s a hg:Participation ; ?r <IRI> . ?s ?p ?o }
}"""


def triples(store, iri: str):
    """The entity's triples, the triples that point at it, and their provenance
    (the statements, grants and participations about it, with their sentences,
    offsets, documents and rules); NotFound when it is no entity's."""
    describe_types = [k for k, c in _CLASS_IRI.items()
                      if store.query(f"ASK {{ <{iri}> a <{c}> }}",
                                     use_default_graph_as_union=True)]
    if not describe_types:
        raise NotFound(f"{iri} is not an entity of this dataset")
    import pyoxigraph as ox

    result = store.query(PREFIXES + CONSTRUCT.replace("IRI", iri),
                         use_default_graph_as_union=True)
    out = set()
    for t in result:
        if t.predicate.value == HG + "sentence" and isinstance(t.object, ox.Literal):
            # as on the pages: no phone number or e-mail address, whatever the graph holds
            t = ox.Triple(t.subject, t.predicate, ox.Literal(mask_contacts(t.object.value)))
        out.add(t)
    return sorted(out, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


#: Prefixes of the Turtle answers.
TURTLE_PREFIXES = {"hg": HG, "rdf": RDF, "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                   "owl": "http://www.w3.org/2002/07/owl#",
                   "skos": "http://www.w3.org/2004/02/skos/core#",
                   "prov": "http://www.w3.org/ns/prov#", "dcterms": "http://purl.org/dc/terms/",
                   "foaf": "http://xmlns.com/foaf/0.1/",
                   "xsd": "http://www.w3.org/2001/XMLSchema#"}


def serialize(store, iri: str, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """``fmt``: turtle, ntriples, jsonld or rdfxml (kg.serve.formats' names)."""
    import pyoxigraph as ox

    formats = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
               "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
    return ox.serialize(triples(store, iri), format=formats[fmt],
                        prefixes=(prefixes or TURTLE_PREFIXES) if fmt == "turtle" else None)


# --- HTML ---------------------------------------------------------------------

STYLE = """body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 1rem auto;
  padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; }
.types { color: #666; } table { border-collapse: collapse; }
td, th { padding: 2px 10px 2px 0; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
blockquote { margin: 0.2rem 0 0.6rem 1rem; color: #333; }
.fact { font-size: 0.9rem; color: #555; } nav { font-size: 0.9rem; margin-bottom: 1rem; }
#q { width: 22rem; padding: 3px 6px; } li.hidden { display: none; }"""


def _euros(value: float | None) -> str:
    return "amount not stated" if value is None else f"{value:,.0f} €".replace(",", " ")


def render_html(e: Entity, href, index_href: str, alternates: dict[str, str]) -> str:
    """The entity's page. ``href(iri)`` is the link to another entity's page (or
    None when it has none); ``alternates`` maps a media type to the link of the
    same data in that format."""
    esc = html.escape

    def a(lk: Link) -> str:
        target = href(lk.iri)
        return f'<a href="{esc(target)}">{esc(lk.label)}</a>' if target else esc(lk.label)

    parts = [f"<nav><a href=\"{esc(index_href)}\">all entities</a> · "
             + " · ".join(f'<a href="{esc(h)}" type="{esc(t)}">{esc(t)}</a>'
                          for t, h in alternates.items()) + "</nav>",
             f"<h1>{esc(e.label)}</h1>",
             f'<div class="types">{esc(", ".join(e.types))} · <code>{esc(e.iri)}</code></div>']
    if e.aliases:
        parts.append(f"<p>Also: {esc(', '.join(e.aliases))}</p>")
    rows = [(name, esc(value) if not link else
             f'{esc(value)} (<a href="{esc(link)}">Statistics Finland</a>)')
            for name, value, link in e.identifiers]
    rows += [("Wikidata", f'<a href="{esc(w)}">{esc(_local(w))}</a>') for w in e.wikidata]
    if rows:
        parts.append("<h2>Identifiers</h2><table>" + "".join(
            f"<tr><th>{esc(n)}</th><td>{v}</td></tr>" for n, v in rows) + "</table>")
    if e.roles:
        parts.append("<h2>Roles in projects</h2><ul>" + "".join(
            f"<li>{esc(role)} {a(lk)}</li>" if role.endswith(" of") else
            f"<li>{esc(role)}: {a(lk)}</li>" for role, lk in e.roles) + "</ul>")
    for title, items, total in (("Money in", e.money_in, e.totals[0]),
                                ("Money out", e.money_out, e.totals[1])):
        if not items:
            continue
        body = []
        for lk, amount, share in items:
            of_total = (f"{100 * amount / total:.1f} %" if amount and total else "")
            stated = f"{share:g} % (stated)" if share is not None else ""
            body.append(f"<tr><td>{a(lk)}</td><td class=\"num\">{esc(_euros(amount))}</td>"
                        f"<td class=\"num\">{of_total}</td><td>{esc(stated)}</td></tr>")
        parts.append(f"<h2>{title}</h2><table><tr><th>{'from' if title == 'Money in' else 'to'}"
                     "</th><th>amount</th><th>share of the total</th><th>funding rate</th></tr>"
                     + "".join(body)
                     + f"<tr><th>total stated</th><td class=\"num\">"
                       f"{esc(_euros(total)) if total else 'none stated'}</td></tr></table>")
    if e.documents:
        parts.append("<h2>Documents</h2><ul>" + "".join(
            f"<li>{a(d)}</li>" for d in e.documents) + "</ul>")
    if e.evidence:
        parts.append("<h2>Evidence</h2>" + "".join(
            f'<div class="fact">{esc(fact)}</div><blockquote>“{esc(sentence)}”'
            f"{' — ' + esc(doc) if doc else ''}</blockquote>"
            for fact, sentence, doc in e.evidence))
    if e.neighbours:
        parts.append("<h2>Neighbourhood</h2><ul>" + "".join(
            f"<li>{esc(rel)}: {a(lk)}</li>" for rel, lk in e.neighbours) + "</ul>")
    return _document(e.label, "\n".join(parts))


def _document(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def render_index(items: list[tuple[str, str, str]], href) -> str:
    """Every entity by class, with a search box (plain script, no network)."""
    esc = html.escape
    groups: dict[str, list] = defaultdict(list)
    for iri, label, kind in items:
        groups[kind].append((iri, label))
    parts = ["<h1>Entities</h1>",
             '<p><label>Search <input id="q" autocomplete="off" placeholder="name…">'
             '</label> <span id="count"></span></p>']
    for kind in CLASSES:
        if kind not in groups:
            continue
        parts.append(f"<h2>{esc(CLASSES[kind])} ({len(groups[kind])})</h2><ul>")
        parts += [f'<li data-name="{esc(label.casefold())}"><a href="{esc(href(iri))}">'
                  f"{esc(label)}</a></li>" for iri, label in groups[kind]]
        parts.append("</ul>")
    parts.append("""<script>
var q = document.getElementById("q"), count = document.getElementById("count");
q.addEventListener("input", function () {
  var text = q.value.trim().toLowerCase(), n = 0;
  document.querySelectorAll("li[data-name]").forEach(function (li) {
    var show = !text || li.dataset.name.indexOf(text) >= 0;
    li.classList.toggle("hidden", !show); if (show) { n += 1; } });
  count.textContent = text ? n + (n === 1 ? " match" : " matches") : "";
});
</script>""")
    return _document("Entities", "\n".join(parts))
