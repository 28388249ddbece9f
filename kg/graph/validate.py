"""Check a built graph against ``ontology/shapes.ttl`` with pySHACL.

The data graph is the union of all named graphs; the ontology is mixed in so that
``sh:class`` follows ``rdfs:subClassOf`` (a municipality is an organisation). Each
violation names the node, the shape it breaks and the source documents the node came
from: ``prov:wasDerivedFrom`` for a fact, ``hg:mentionedIn`` for an entity, and the
authority data for an entity that only the authority data describes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV

from kg.graph.vocab import HG
from kg.settings import Settings

SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES_NAME = "shapes.ttl"
ONTOLOGY_NAME = "hankegraph.ttl"
AUTHORITY_SOURCE = "the authority data (data/authority)"


@dataclass(frozen=True)
class Violation:
    node: str
    shape: str  # the named node shape, and the property shape's path when there is one
    message: str
    value: str | None
    documents: tuple[str, ...]  # file names of the source documents

    def __str__(self) -> str:
        where = ", ".join(self.documents) or AUTHORITY_SOURCE
        value = f" (value: {self.value})" if self.value is not None else ""
        return f"{where}: {self.node}: {self.message}{value} [shape {self.shape}]"


@dataclass(frozen=True)
class ValidationReport:
    violations: tuple[Violation, ...]
    triples: int
    shapes: int  # node shapes in shapes.ttl
    seconds: float

    @property
    def conforms(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        verdict = "conforms" if self.conforms else f"{len(self.violations)} violations"
        return (f"validation: {verdict} ({self.triples} triples, {self.shapes} node shapes, "
                f"{self.seconds:.1f} s)")


def load_shapes(ontology_dir: Path) -> tuple[Graph, Graph]:
    shapes = Graph().parse(Path(ontology_dir) / SHAPES_NAME, format="turtle")
    ontology = Graph().parse(Path(ontology_dir) / ONTOLOGY_NAME, format="turtle")
    return shapes, ontology


def validate_graph(data: Graph, settings: Settings | None = None) -> ValidationReport:
    """Validate one graph (the union of a dataset's named graphs)."""
    import pyshacl

    settings = settings or Settings()
    shapes, ontology = load_shapes(settings.ontology_dir)
    t0 = time.perf_counter()
    _conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none",
        abort_on_first=False, allow_warnings=False, meta_shacl=False, advanced=False)
    violations = sorted(_violations(results, shapes, data),
                        key=lambda v: (v.documents, v.node, v.shape, v.message, v.value or ""))
    return ValidationReport(
        violations=tuple(violations),
        triples=len(data),
        shapes=len(set(shapes.subjects(RDF.type, SH.NodeShape))),
        seconds=time.perf_counter() - t0,
    )


def validate_path(path: str | Path, settings: Settings | None = None) -> ValidationReport:
    """Validate a built dataset: a folder with hankegraph.ttl, or a .ttl/.nt/.trig file."""
    from kg.graph.io import load_graph

    return validate_graph(load_graph(path), settings)


def _violations(results: Graph, shapes: Graph, data: Graph):
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        value = results.value(r, SH.value)
        message = results.value(r, SH.resultMessage)
        yield Violation(
            node=_show(data, focus),
            shape=_shape_name(shapes, results.value(r, SH.sourceShape),
                              results.value(r, SH.resultPath)),
            message=str(message) if message is not None else "breaks the shape",
            value=None if value is None or value == focus else _show(data, value),
            documents=_documents(data, focus),
        )


def _show(data: Graph, node) -> str:
    if isinstance(node, Literal):
        return repr(str(node)) + (f"^^{data.qname(node.datatype)}" if node.datatype else "")
    if isinstance(node, BNode):
        return "a blank node"
    return f"<{node}>"


def _shape_name(shapes: Graph, shape, path) -> str:
    """A named shape by its name; an anonymous property shape by the node shape that holds
    it and its path."""
    if isinstance(shape, URIRef):
        return shapes.qname(shape)
    owner = next(iter(sorted(shapes.subjects(SH.property, shape))), None)
    name = shapes.qname(owner) if isinstance(owner, URIRef) else "an anonymous shape"
    if isinstance(path, BNode) and shapes.value(path, SH.alternativePath) is not None:
        from rdflib.collection import Collection

        alternatives = Collection(shapes, shapes.value(path, SH.alternativePath))
        return f"{name} / " + "|".join(shapes.qname(p) for p in alternatives)
    return f"{name} / {shapes.qname(path)}" if isinstance(path, URIRef) else name


def _documents(data: Graph, node) -> tuple[str, ...]:
    docs = set(data.objects(node, PROV.wasDerivedFrom)) | set(data.objects(node, HG.mentionedIn))
    if (node, RDF.type, HG.Document) in data:
        docs.add(node)
    names = {str(data.value(d, HG.fileName) or d) for d in docs}
    return tuple(sorted(names))
