"""What the query editor completes: `/editor/vocabulary.json`, read by
kg/serve/static/page.js in place of YASQE's outside sources (prefix.cc, LOV).

The prefixes are the ones the server pre-declares (so the editor does not flag
them and never offers another meaning for them); the classes and properties are
the ontology's, with its Finnish and English labels, and the predicates and
classes the served dataset uses that the ontology does not declare (rdf:type,
rdfs:label, prov:wasDerivedFrom, …), without labels."""

from __future__ import annotations

import json
import threading
from pathlib import Path

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
PROPERTY_TYPES = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
                  RDF + "Property"}
LANGUAGES = ("fi", "en")  # the labels shown beside a completion, in this order
PATH = "/editor/vocabulary.json"


def vocabulary(ontology: Path, prefixes: dict[str, str], store=None) -> dict:
    """{"prefixes": {name: IRI}, "classes": [...], "properties": [...]}, each term
    {"iri": ..., "labels": {"fi": ..., "en": ...}}, sorted by IRI. `store` (a
    pyoxigraph Store, or None) adds the terms its data uses."""
    import pyoxigraph as ox

    try:
        triples = list(ox.parse(path=str(ontology), format=ox.RdfFormat.TURTLE))
    except (OSError, SyntaxError) as e:
        raise ValueError(f"{ontology}: cannot read the ontology for the editor: {e}") from e
    kinds: dict[str, str] = {}
    labels: dict[str, dict[str, str]] = {}
    for s, p, o in ((t.subject, t.predicate, t.object) for t in triples):
        if not isinstance(s, ox.NamedNode):
            continue
        if p.value == RDF + "type" and o.value in CLASS_TYPES:
            kinds[s.value] = "classes"
        elif p.value == RDF + "type" and o.value in PROPERTY_TYPES:
            kinds.setdefault(s.value, "properties")
        elif (p.value == RDFS + "label" and isinstance(o, ox.Literal)
              and o.language in LANGUAGES):
            labels.setdefault(s.value, {})[o.language] = o.value
    if store is not None:
        for kind, query in (("properties", "SELECT DISTINCT ?t { ?s ?t ?o }"),
                            ("classes", "SELECT DISTINCT ?t { ?s a ?t }")):
            for row in store.query(query):
                if isinstance(row["t"], ox.NamedNode):
                    kinds.setdefault(row["t"].value, kind)
    out: dict = {"prefixes": dict(prefixes), "classes": [], "properties": []}
    for iri in sorted(kinds):
        found = labels.get(iri, {})
        out[kinds[iri]].append({"iri": iri, "labels": {lang: found[lang] for lang in LANGUAGES
                                                       if lang in found}})
    return out


def vocabulary_route(ontology: Path, prefixes: dict[str, str], store=None):
    """The Starlette route of PATH: the vocabulary made at the first request (the
    dataset's terms take one pass over the store) and kept."""
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    made: list[bytes] = []
    lock = threading.Lock()

    def handler(request):  # a plain function: Starlette runs it in a thread
        with lock:
            if not made:
                try:
                    body = vocabulary(ontology, prefixes, store)
                except ValueError as e:
                    return PlainTextResponse(f"{e}\n", status_code=500)
                made.append(json.dumps(body, ensure_ascii=False).encode())
        return Response(made[0], media_type="application/json")

    return Route(PATH, handler)
