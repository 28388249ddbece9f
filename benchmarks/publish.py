"""Counts and times for the published dataset (issue 7): ontology terms, shapes, triples,
SHACL validation time and HermiT reasoning time, on a corpus you name.

    .venv/bin/python benchmarks/publish.py ../shared/corpus/dev

Builds the corpus into a temporary folder (without validation), then validates and
reasons over it three times each and prints the median.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from rdflib import OWL, RDF, Graph, Namespace

from kg.build import build
from kg.graph.reason import check_consistency
from kg.graph.validate import validate_path
from kg.graph.vocab_gen import NS, ONTOLOGY
from kg.settings import REPO_ROOT, Settings

SH = Namespace("http://www.w3.org/ns/shacl#")


def main(corpus: str) -> None:
    onto = Graph().parse(ONTOLOGY)
    ours = [s for s in set(onto.subjects()) if str(s).startswith(NS)]
    classes = [s for s in ours if (s, RDF.type, OWL.Class) in onto]
    props = [s for s in ours if (s, RDF.type, OWL.ObjectProperty) in onto
             or (s, RDF.type, OWL.DatatypeProperty) in onto]
    shapes = Graph().parse(REPO_ROOT / "ontology" / "shapes.ttl")
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    prop_shapes = set(shapes.objects(None, SH.property))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = build([corpus], Settings(progress=False), out_dir=tmp, validate=False)
        build_s = time.perf_counter() - t0
        data = Graph().parse(Path(tmp) / "hankegraph.ttl")
        v = [validate_path(tmp) for _ in range(3)]
        vp = [validate_path(tmp, engine="pyshacl") for _ in range(3)]
        r = []
        for _ in range(3):
            t0 = time.perf_counter()
            res = check_consistency(tmp)
            r.append((res, time.perf_counter() - t0))
    print(f"corpus: {corpus} ({report.documents} documents, build {build_s:.1f} s)")
    print(f"ontology: {len(classes)} classes, {len(props)} properties "
          f"({len(ours)} hg: terms), {len(onto)} triples")
    print(f"shapes: {len(node_shapes)} node shapes, {len(prop_shapes)} property shapes")
    print(f"graph: {len(data)} triples, {sum(report.entities_by_type.values())} entities")
    for name, runs in (("kg.graph.shacl", v), ("pySHACL", vp)):
        print(f"validation ({name}): {'conforms' if runs[0].conforms else 'VIOLATIONS'}, "
              f"median {statistics.median(x.seconds for x in runs):.2f} s")
    print(f"reasoning: {'consistent' if r[0][0].consistent else 'INCONSISTENT'}, median "
          f"{statistics.median(s for _, s in r):.2f} s (HermiT, JVM start-up included)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(REPO_ROOT / "data" / "docs"))
