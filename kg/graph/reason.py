"""OWL 2 reasoning over the ontology and a built graph: HermiT, through owlready2.

owlready2 reads RDF/XML and N-Triples, not Turtle, so the ontology and the data are
merged with rdflib and handed over as one N-Triples file. HermiT knows only the OWL 2
datatype map, which lacks ``xsd:date``, ``xsd:gYearMonth`` and ``xsd:gYear``; it is told
to ignore literals of those types (ontology/shapes.ttl checks them instead). Java
comes from Debian's ``default-jre-headless`` (scripts/setup.sh installs it).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from kg.settings import Settings

ONTOLOGY_NAME = "hankegraph.ttl"


class ReasonerUnavailable(RuntimeError):
    """Java is missing, so HermiT cannot run."""


@dataclass(frozen=True)
class ReasoningResult:
    consistent: bool
    triples: int  # ontology + data, as handed to the reasoner
    seconds: float  # loading into owlready2 and running HermiT, JVM start-up included
    #: with ``infer=...``: property IRI → the (subject, object) pairs HermiT entails
    inferred: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)

    def summary(self) -> str:
        verdict = "consistent" if self.consistent else "INCONSISTENT"
        return f"reasoning (HermiT): {verdict} ({self.triples} triples, {self.seconds:.1f} s)"


def load_ntriples(world, path: Path) -> None:
    """Load an N-Triples file into an owlready2 world, the format said, not guessed:
    owlready2 guesses from the first 1 000 bytes, and a first triple with a long
    literal (an evidence sentence of a flattened PDF page) reads as RDF/XML to it;
    which triple rdflib writes first varies from run to run."""
    world.get_ontology(Path(path).as_uri()).load(format="ntriples")


def check_consistency(data: str | Path | Graph, settings: Settings | None = None,
                      infer: tuple[URIRef, ...] = ()) -> ReasoningResult:
    """Is the ontology together with the data consistent? With ``infer``, also ask HermiT
    for every value of those object properties (slower: it computes all property values)."""
    import owlready2

    settings = settings or Settings()
    java = shutil.which("java")
    if java is None:
        raise ReasonerUnavailable(
            "java is not installed: run scripts/setup.sh, or apt-get install default-jre-headless")
    owlready2.JAVA_EXE = java
    merged = Graph()
    for t in Graph().parse(Path(settings.ontology_dir) / ONTOLOGY_NAME, format="turtle"):
        merged.add(t)
    from kg.graph.io import load_graph

    for t in load_graph(data):
        merged.add(t)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-reason-") as tmp:
        nt = Path(tmp) / "merged.nt"
        merged.serialize(nt, format="nt", encoding="utf-8")
        world = owlready2.World()
        load_ntriples(world, nt)
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=bool(infer), debug=0,
                                           ignore_unsupported_datatypes=True)
        except owlready2.OwlReadyInconsistentOntologyError:
            return ReasoningResult(False, len(merged), time.perf_counter() - t0)
        inferred = {str(p): _values(world, p) for p in infer}
        world.close()
    return ReasoningResult(True, len(merged), time.perf_counter() - t0, inferred)


def _values(world, prop: URIRef) -> frozenset[tuple[str, str]]:
    rows = world.sparql(f"SELECT ?s ?o WHERE {{ ?s <{prop}> ?o }}")
    return frozenset((s.iri, o.iri) for s, o in rows
                     if hasattr(s, "iri") and hasattr(o, "iri"))
