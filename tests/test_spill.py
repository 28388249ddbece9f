"""kg.graph.spill and what reads it: `kg build` validates the union of its graphs and
writes its Turtle from buckets on disk. Whatever the number of buckets, the
violations and the bytes must be those of the whole graph in memory."""

import fcntl
import os
import shutil
import time

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from kg.graph.io import (
    TRIG_NAME,
    TTL_NAME,
    WORK_PREFIX,
    _graphs_of,
    commit_files,
    load_graph,
    serialise_graphs,
    stage_graphs,
    stage_union,
    workspace,
)
from kg.graph.rdf import PREFIXES
from kg.graph.spill import UnionSpill
from kg.graph.validate import validate_graph, validate_spill
from kg.graph.vocab import HG
from kg.settings import REPO_ROOT, Settings
from tests.test_shacl import BROKEN, FAULTS, _found

KEEP = dict(keep=(RDFS.subClassOf, HG.fileName), apart=(RDF.type,))


def _spill(tmp_path, triples, buckets, flush=None) -> UnionSpill:
    """The triples in a spill, given in graphs of 50 (and each graph's first triple
    twice, as a triple in two graphs is)."""
    spill = UnionSpill(tmp_path / f"spill{buckets}", buckets, **KEEP)
    if flush:
        spill.FLUSH = spill.FLUSH_BYTES = flush
    triples = list(triples)
    for i in range(0, len(triples), 50):
        spill.add(triples[i:i + 50] + triples[i:i + 1])
    return spill


def test_a_bucket_holds_each_triple_of_its_subjects_once(tmp_path):
    s1, s2, p = URIRef("http://x/1"), URIRef("http://x/2"), URIRef("http://x/p")
    triples = [(s, p, Literal(i)) for i in range(40) for s in (s1, s2)]
    spill = _spill(tmp_path, triples, 3, flush=7)  # flushed many times on the way
    got = [t for b in range(3) for t in spill.bucket(b)]
    assert sorted(got) == sorted(triples)
    assert {spill.bucket_of(s) for s, _p, _o in spill.bucket(spill.bucket_of(s1))} == \
        {spill.bucket_of(s1)}
    assert len(spill) == 80
    assert spill.bucket(spill.bucket_of(s1)) == spill.bucket(spill.bucket_of(s1))  # again


def test_kept_apart_and_put_off(tmp_path):
    c, d, x = URIRef("http://x/C"), URIRef("http://x/D"), URIRef("http://x/x")
    spill = _spill(tmp_path, [(c, RDFS.subClassOf, d), (x, RDF.type, c),
                              (x, RDFS.label, Literal("x"))], 4, flush=1)
    assert spill.kept(RDFS.subClassOf) == [(c, RDFS.subClassOf, d)]
    assert spill.bucket(spill.bucket_of(x), only=RDF.type) == [(x, RDF.type, c)]
    with pytest.raises(ValueError, match="apart"):
        spill.bucket(0, only=RDFS.label)
    spill.FLUSH_BYTES = 100  # some records to disk, the last in memory
    for i in range(5):
        spill.put_off(2, ("record", x, i))
    assert spill._path("put-off", 2).exists()
    assert list(spill.put_off_in(2)) == [("record", x, i) for i in range(5)]
    assert list(spill.put_off_in(2)) == []  # once
    assert list(spill.put_off_in(3)) == []


def _same_as_in_memory(tmp_path, graph, buckets, settings=None):
    whole = validate_graph(graph, settings)
    split = validate_spill(_spill(tmp_path, graph, buckets), settings)
    assert _found(split) == _found(whole)
    assert split.triples == whole.triples
    return split


@pytest.mark.parametrize("buckets", [1, 2, 7])
def test_broken_fixture_same_violations_in_buckets(tmp_path, buckets):
    report = _same_as_in_memory(tmp_path, load_graph(BROKEN), buckets)
    assert len(report.violations) == 7
    assert all(v.documents for v in report.violations if "hanke" in v.node)


@pytest.fixture(scope="module")
def bundled_graph(bundled_build):
    return load_graph(bundled_build[0])


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_kind_of_fault_same_violations_in_buckets(tmp_path, bundled_graph, fault):
    g = Graph()
    for t in bundled_graph:
        g.add(t)
    FAULTS[fault](g)
    assert not _same_as_in_memory(tmp_path, g, 5).conforms, fault


def _shapes_with(tmp_path, extra: str):
    onto = tmp_path / "ontology"
    shutil.copytree(REPO_ROOT / "ontology", onto)
    shapes = onto / "shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return Settings(ontology_dir=onto)


def test_a_value_read_whole_is_checked_in_its_bucket(tmp_path, bundled_graph, capsys):
    """sh:or of a property shape on a value reads the value's own triples: still one
    bucket at a time (the value's), and it finds what the whole graph shows."""
    settings = _shapes_with(tmp_path, """
hgsh:GrantProjectDated a sh:NodeShape ; sh:targetClass hg:Grant ;
    sh:property [ sh:path hg:project ; sh:or ( [ sh:path hg:startDate ; sh:minCount 1 ] ) ] .
""")
    report = _same_as_in_memory(tmp_path, bundled_graph, 5, settings)
    assert "bucket by bucket" not in capsys.readouterr().err
    assert any("GrantProjectDated" in v.shape for v in report.violations)


def test_shapes_that_need_two_buckets_at_once_are_checked_whole(tmp_path, bundled_graph,
                                                                 capsys):
    settings = _shapes_with(tmp_path, """
hgsh:GrantProjectFunder a sh:NodeShape ; sh:targetClass hg:Grant ;
    sh:property [ sh:path hg:project ;
                  sh:or ( [ sh:path hg:fundedBy ; sh:class hg:Region ] ) ] .
""")
    report = _same_as_in_memory(tmp_path, bundled_graph, 5, settings)
    assert "cannot be checked bucket by bucket" in capsys.readouterr().err
    assert any("GrantProjectFunder" in v.shape for v in report.violations)


@pytest.mark.parametrize("buckets", [1, 3, 16])
def test_files_from_buckets_are_the_bytes_of_the_whole(tmp_path, bundled_build, buckets):
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(bundled_build[0] / TRIG_NAME, format="trig")
    graphs = list(_graphs_of(ds))
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    whole = serialise_graphs(graphs, prefixes)
    spill = UnionSpill(tmp_path / "union", buckets, **KEEP)
    staged, used = stage_graphs(iter(graphs), prefixes, tmp_path, spill)
    staged.update(stage_union(spill, prefixes, tmp_path, used))
    assert staged[TRIG_NAME].read_bytes() == whole[TRIG_NAME]
    assert staged[TTL_NAME].read_bytes() == whole[TTL_NAME]
    assert not list(tmp_path.glob("*.draft")) and not list(tmp_path.glob("run-*"))


def test_a_dead_builds_workspace_goes_at_the_next_commit(tmp_path):
    out = tmp_path / "out"
    with workspace(out) as live:
        dead = out / f"{WORK_PREFIX}dead"
        dead.mkdir()
        (dead / "union").mkdir()
        young = out / f"{WORK_PREFIX}young"  # perhaps a build that has not locked it yet
        young.mkdir()
        old = time.time() - 3600
        for d in (dead, live):
            os.utime(d, (old, old))
        commit_files(out, {"a.txt": b"a"})
        assert not dead.exists()
        assert live.exists() and young.exists()  # a live build's lock keeps it
        with open(live / ".hankegraph.lock", "a") as f, pytest.raises(BlockingIOError):
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    assert not live.exists()
    assert (out / "a.txt").read_bytes() == b"a"


def test_a_build_leaves_no_workspace(bundled_build):
    out, _ = bundled_build
    assert not list(out.glob(WORK_PREFIX + "*"))
