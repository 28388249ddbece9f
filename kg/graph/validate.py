"""Check a built graph against ``ontology/shapes.ttl``: with kg.graph.shacl (the
default: pySHACL's results in a fraction of its time) or with pySHACL itself.

The data graph is the union of all named graphs; the ontology's class hierarchy is
mixed in so that ``sh:class`` follows ``rdfs:subClassOf`` (a municipality is an
organisation). Each
violation names the node, the shape it breaks and the source documents the node came
from: ``prov:wasDerivedFrom`` for a fact, ``hg:mentionedIn`` for an entity, and the
authority data for an entity that only the authority data describes.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Dataset, Graph, Literal, Namespace, URIRef
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


ENGINES = ("hankegraph", "pyshacl")


def validate_graph(data: Graph | Dataset, settings: Settings | None = None,
                   engine: str = "hankegraph") -> ValidationReport:
    """Validate a graph, or the union of a dataset's named graphs (each triple once).

    ``engine`` "hankegraph" is kg.graph.shacl (the same results as pySHACL on the
    shapes it understands, many times faster; on shapes it does not understand,
    pySHACL runs instead), "pyshacl" is pySHACL."""
    from kg.graph.shacl import Index

    triples = ((s, p, o) for s, p, o, _g in data.quads((None, None, None, None))) \
        if isinstance(data, Dataset) else data
    return validate_index(Index(triples), settings, engine)


def validate_index(index, settings: Settings | None = None,
                   engine: str = "hankegraph") -> ValidationReport:
    """Validate the triples of a kg.graph.shacl.Index (what `kg build` keeps of the
    union of its graphs) against the shapes, with ``engine`` as in :func:`validate_graph`."""
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; choose from {ENGINES}")
    settings = settings or Settings()
    shapes, ontology = load_shapes(settings.ontology_dir)
    node_shapes = len(set(shapes.subjects(RDF.type, SH.NodeShape)))
    t0 = time.perf_counter()
    if engine == "hankegraph":
        from kg.graph.shacl import Checker, UnsupportedShape

        try:
            checker = Checker(shapes)
        except UnsupportedShape as e:
            print(f"note: {SHAPES_NAME} uses what kg.graph.shacl does not check ({e}); "
                  "validating with pySHACL", file=sys.stderr)
        else:
            index.add_hierarchy(ontology.triples((None, RDFS.subClassOf, None)))
            violations = [_violation(shapes, r, _documents(index, r.focus))
                          for r in checker.check(index)]
            return ValidationReport(violations=_in_order(violations), triples=len(index),
                                    shapes=node_shapes, seconds=time.perf_counter() - t0)
    import pyshacl

    graph = Graph()
    for t in index.triples():
        graph.add(t)
    triples = len(graph)
    _conforms, results, _text = pyshacl.validate(
        graph, shacl_graph=shapes, ont_graph=ontology, inference="none",
        abort_on_first=False, allow_warnings=False, meta_shacl=False, advanced=False)
    return ValidationReport(
        violations=_in_order(_violations(results, shapes, index)),
        triples=triples, shapes=node_shapes, seconds=time.perf_counter() - t0)


def validate_spill(spill, settings: Settings | None = None) -> ValidationReport:
    """Validate the union that a kg.graph.spill.UnionSpill holds on disk, one bucket
    at a time (memory does not grow with the corpus); shapes that cannot be checked
    so are checked on the whole union in memory, as :func:`validate_index` does.
    The spill must keep (``keep=``) ``rdfs:subClassOf`` and ``hg:fileName``."""
    from kg.graph.shacl import Checker, Index, NotSplittable, UnsupportedShape

    settings = settings or Settings()
    shapes, ontology = load_shapes(settings.ontology_dir)
    t0 = time.perf_counter()
    try:
        checker = Checker(shapes)
        found = checker.check_buckets(spill, _document_nodes,
                                      ontology.triples((None, RDFS.subClassOf, None)))
    except (UnsupportedShape, NotSplittable) as e:
        print(f"note: {SHAPES_NAME} cannot be checked bucket by bucket ({e}); "
              "validating the whole graph in memory", file=sys.stderr)
        return validate_index(Index(t for b in range(spill.buckets) for t in spill.bucket(b)),
                              settings)
    file_names = {d: str(name) for d, _p, name in spill.kept(HG.fileName)}
    violations = [_violation(shapes, r, tuple(sorted({file_names.get(d, str(d)) for d in docs})))
                  for r, docs in found]
    return ValidationReport(violations=_in_order(violations), triples=len(spill),
                            shapes=len(checker.node_shapes),
                            seconds=time.perf_counter() - t0)


def _violation(shapes: Graph, r, documents: tuple[str, ...]) -> Violation:
    """A kg.graph.shacl.Result as a report shows it."""
    return Violation(
        node=_show(shapes, r.focus),
        shape=_shape_name(shapes, r.source_shape, r.path),
        message=r.message,
        value=None if r.value is None or r.value == r.focus else _show(shapes, r.value),
        documents=documents,
    )


def _in_order(violations) -> tuple[Violation, ...]:
    return tuple(sorted(violations, key=lambda v: (v.documents, v.node, v.shape, v.message,
                                                   v.value or "")))


def validate_path(path: str | Path, settings: Settings | None = None,
                  engine: str = "hankegraph") -> ValidationReport:
    """Validate a built dataset: a folder with hankegraph.ttl, or a .ttl/.nt/.trig file."""
    from kg.graph.io import load_graph

    return validate_graph(load_graph(path), settings, engine)


def _violations(results: Graph, shapes: Graph, index):
    for r in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        value = results.value(r, SH.value)
        message = results.value(r, SH.resultMessage)
        yield Violation(
            node=_show(shapes, focus),
            shape=_shape_name(shapes, results.value(r, SH.sourceShape),
                              results.value(r, SH.resultPath)),
            message=str(message) if message is not None else "breaks the shape",
            value=None if value is None or value == focus else _show(shapes, value),
            documents=_documents(index, focus),
        )


def _show(names: Graph, node) -> str:
    """A node as a message shows it (``names`` gives the prefixes of datatypes)."""
    if isinstance(node, Literal):
        return repr(str(node)) + (f"^^{names.qname(node.datatype)}" if node.datatype else "")
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


def _document_nodes(node, index) -> frozenset:
    """The documents a node came from (``index``: a kg.graph.shacl.Index that has the
    node's triples)."""
    docs = set(index.values(node, (PROV.wasDerivedFrom, HG.mentionedIn)))
    if HG.Document in index.values(node, (RDF.type,)):
        docs.add(node)
    return frozenset(docs)


def _documents(index, node) -> tuple[str, ...]:
    """The file names of the documents a node came from (``index``: kg.graph.shacl.Index)."""
    docs = _document_nodes(node, index)
    names = {str(min(index.values(d, (HG.fileName,)), default=d)) for d in docs}
    return tuple(sorted(names))
