"""Incremental rebuilds through the extraction cache, and extraction in worker
processes: same output, less work."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Dataset, URIRef

from kg.build import build
from kg.settings import Settings

FILLER = "Hankkeen tavoitteena on vahvistaa alueen yritysten ja kuntien yhteistyötä."
GRAPH = "https://w3id.org/hankegraph/graph/"


def _doc(project: str, org: str) -> str:
    return f"{FILLER} Hankkeen nimi on ”{project}”. Hanketta hallinnoi {org}.\n"


def _graphs(out) -> dict[str, set]:
    ds = Dataset()
    ds.parse(out / "hankegraph.trig", format="trig")
    return {str(g.identifier)[len(GRAPH):]: set(g) for g in ds.graphs() if len(g)}


def _labels(triples) -> set[str]:
    return {str(o) for _s, p, o in triples if str(p).endswith("#label")}


def test_changed_removed_and_unchanged_documents(tmp_path):
    docs, out = tmp_path / "docs", tmp_path / "out"
    docs.mkdir()
    (docs / "a.txt").write_text(_doc("Koehanke A", "Centria-ammattikorkeakoulu"), "utf-8")
    (docs / "b.txt").write_text(_doc("Koehanke B", "Lapin ammattikorkeakoulu"), "utf-8")
    (docs / "c.txt").write_text(_doc("Koehanke C", "Karelia-ammattikorkeakoulu"), "utf-8")
    settings = Settings(progress=False, cache_dir=tmp_path / "cache")

    first = build([docs], settings, out_dir=out)
    assert first.extraction == {"extracted": 3, "reused": 0}
    graphs1, trig1 = _graphs(out), (out / "hankegraph.trig").read_bytes()

    again = build([docs], settings, out_dir=out)
    assert again.extraction == {"extracted": 0, "reused": 3}
    assert (out / "hankegraph.trig").read_bytes() == trig1

    (docs / "b.txt").write_text(_doc("Koehanke Uusi", "Kajaanin ammattikorkeakoulu"), "utf-8")
    changed = build([docs], settings, out_dir=out)
    assert changed.extraction == {"extracted": 1, "reused": 2}
    graphs2 = _graphs(out)
    assert graphs2["a"] == graphs1["a"] and graphs2["c"] == graphs1["c"]
    assert {"Koehanke Uusi", "Kajaanin ammattikorkeakoulu"} <= _labels(graphs2["b"])
    assert not {"Koehanke B", "Lapin ammattikorkeakoulu"} & _labels(graphs2["b"])

    (docs / "c.txt").unlink()
    removed = build([docs], settings, out_dir=out)
    assert removed.extraction == {"extracted": 0, "reused": 2}
    graphs3 = _graphs(out)
    assert "c" not in graphs3
    everything = set().union(*graphs3.values())
    assert "Koehanke C" not in _labels(everything)
    assert not any(URIRef(GRAPH.replace("graph/", "document/c")) in t for t in everything)


def test_a_new_extractor_version_invalidates_the_cache(tmp_path):
    from kg.cache import fingerprint

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(_doc("Koehanke A", "Centria-ammattikorkeakoulu"), "utf-8")
    authority = tmp_path / "authority"
    shutil.copytree(Settings().authority_dir, authority)
    settings = Settings(progress=False, cache_dir=tmp_path / "cache", authority_dir=authority)
    assert build([docs], settings, out_dir=tmp_path / "out").extraction["extracted"] == 1
    old = fingerprint(settings)
    # new reference data is a new extractor version, as a code change is
    with open(authority / "organisations.csv", "a", encoding="utf-8") as f:
        f.write("Koeorganisaatio,,yliopisto,,,,,,,,,test\n")
    assert fingerprint(settings) != old
    assert build([docs], settings, out_dir=tmp_path / "out").extraction["extracted"] == 1
    assert [p.name for p in (tmp_path / "cache" / "extractions").iterdir()] == \
        [fingerprint(settings)]  # the old version's entries are gone


def test_a_damaged_cache_entry_is_a_miss(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(_doc("Koehanke A", "Centria-ammattikorkeakoulu"), "utf-8")
    settings = Settings(progress=False, cache_dir=tmp_path / "cache")
    build([docs], settings, out_dir=tmp_path / "out")
    entries = list((tmp_path / "cache" / "extractions").rglob("*.json"))
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:20])
    # into another folder: into the same one, the unchanged build would extract nothing
    report = build([docs], settings, out_dir=tmp_path / "out2")
    assert report.extraction == {"extracted": 1, "reused": 0} and not report.skipped


@pytest.mark.slow
def test_output_does_not_depend_on_the_number_of_workers(tmp_path):
    from benchmarks.corpus import write

    write(tmp_path / "docs", 16, seed=7)
    outputs = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        settings = Settings(progress=False, cache_dir=None, workers=workers,
                            parallel_min_docs=2)
        report = build([tmp_path / "docs"], settings, out_dir=out)
        assert report.documents == 16 and not report.skipped
        outputs.append([(out / n).read_bytes() for n in
                        ("hankegraph.trig", "hankegraph.ttl", "build-report.json")])
    assert outputs[0] == outputs[1]


def test_small_corpora_stay_in_process():
    from kg.parallel import worker_count

    s = Settings(workers=2, parallel_min_docs=50)
    assert worker_count(s, 10) == 1 and worker_count(s, 500) == 2
    assert worker_count(Settings(workers=1), 500) == 1
