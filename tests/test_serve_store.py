"""The store `kg serve` serves by default (issue 14, memory): loaded once into a
folder of the project's cache named after the dataset's digest, opened read-only
by every worker, never answered from a dataset's older version.

Expected answers come from the same data served from memory (`--in-memory`, the
former default) or queried in-process (kg.store)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest
import requests

from kg.serve import ServeOptions, load
from kg.serve.dataset import SOURCE_MARK, STORES, load_cached, load_persistent
from kg.settings import REPO_ROOT
from tests.servers import VENV_BIN, descendants, free_port, running

DATA = REPO_ROOT / "data" / "ttl"
FIXTURE = Path(__file__).parent / "data" / "serve.trig"
QUERIES = sorted((REPO_ROOT / "queries").glob("*.rq"))
HG = "https://w3id.org/hankegraph/"
LABELS = f"SELECT ?l WHERE {{ ?p a <{HG}ontology#Project> ; rdfs:label ?l }} ORDER BY ?l"


@contextlib.contextmanager
def serve_in(project: Path, data: Path, *extra: str):
    """`kg serve` started in the project folder `project` (so its cache is
    project/.kgcache, as for a researcher's own folder)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [str(VENV_BIN / "kg"), "serve", "--port", str(port), "--data", str(data), *extra]
    with running(args, f"{base}/sparql", cwd=project) as proc:
        yield base, proc


def _stores(project: Path) -> list[Path]:
    root = project / ".kgcache" / STORES
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def _labels(base: str) -> list[str]:
    r = requests.get(f"{base}/sparql", params={"query": LABELS}, timeout=30)
    r.raise_for_status()
    return [b["l"]["value"] for b in r.json()["results"]["bindings"]]


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def _open_files(pid: int) -> dict[str, int]:
    """The files process `pid` has open, with their open flags (from /proc)."""
    out = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            info = Path(f"/proc/{pid}/fdinfo/{fd}").read_text()
        except OSError:
            continue
        flags = next(int(line.split()[1], 8) for line in info.splitlines()
                     if line.startswith("flags:"))
        out[target] = flags
    return out


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """kg serve with its defaults on the bundled dataset, in an empty project folder."""
    project = tmp_path_factory.mktemp("project")
    beside = sorted(p.name for p in DATA.iterdir())
    with serve_in(project, DATA, "--workers", "3") as (base, proc):
        yield project, base, proc
    assert sorted(p.name for p in DATA.iterdir()) == beside  # nothing written beside the data


@pytest.mark.server
def test_the_store_is_in_the_project_cache_not_beside_the_data(served):
    project, base, proc = served
    assert _labels(base)  # it answers
    (store,) = _stores(project)
    mark = json.loads((store / SOURCE_MARK).read_text(encoding="utf-8"))
    import hashlib

    source = DATA / "hankegraph.trig"
    assert mark["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert store.name.startswith(mark["sha256"][:32])
    assert REPO_ROOT not in store.resolve().parents  # the project folder, not the checkout


@pytest.mark.server
def test_workers_open_the_shared_store_read_only(served):
    project, base, proc = served
    (store,) = _stores(project)
    before = _files(store)
    workers = descendants(proc.pid)
    assert len(workers) == 3
    # enough queries, on new connections, that every worker answers some
    for _ in range(5):
        for q in QUERIES:
            r = requests.post(f"{base}/sparql", data={"query": q.read_text(encoding="utf-8")},
                              headers={"Connection": "close"}, timeout=30)
            assert r.status_code == 200, r.text
    prefix = str(store.resolve()) + os.sep
    readers = 0
    for pid in workers:
        in_store = {path: flags for path, flags in _open_files(pid).items()
                    if path.startswith(prefix)}
        sst = [p for p in in_store if p.endswith(".sst")]
        readers += bool(sst)
        for path, flags in in_store.items():
            assert flags & os.O_ACCMODE == os.O_RDONLY, (pid, path, oct(flags))
    assert readers == len(workers)  # each worker reads the store's tables itself
    # the supervisor never opens the database (it holds the mark, locked, and no table)
    assert not [p for p in _open_files(proc.pid) if p.startswith(prefix) and p.endswith(".sst")]
    assert _files(store) == before  # serving wrote nothing into the store
    r = requests.post(f"{base}/sparql", data={"update": f"INSERT DATA {{ <{HG}a> <{HG}b> 1 }}"},
                      timeout=30)
    assert r.status_code in (400, 403)


def _rows(r: requests.Response):
    if r.headers["content-type"].startswith("application/sparql-results+json"):
        data = r.json()
        if "boolean" in data:
            return data["boolean"]
        return sorted(json.dumps(b, sort_keys=True) for b in data["results"]["bindings"])
    return sorted(r.text.splitlines())


@pytest.mark.server
def test_served_answers_match_the_in_memory_store(served, tmp_path):
    project, base, _ = served
    queries = [q.read_text(encoding="utf-8") for q in QUERIES] + [
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",  # the union default graph, as a set
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        f"ASK {{ ?p a <{HG}ontology#Project> }}",
        f"CONSTRUCT {{ ?p ?x ?y }} WHERE {{ ?p a <{HG}ontology#Project> ; ?x ?y }}",
    ]
    with serve_in(tmp_path, DATA, "--in-memory", "--workers", "1") as (memory, _):
        for query in queries:
            answers = [requests.post(f"{b}/sparql", data={"query": query}, timeout=30,
                                     headers={"Accept": "application/sparql-results+json, "
                                              "application/n-triples"})
                       for b in (base, memory)]
            assert [a.status_code for a in answers] == [200, 200], query
            disk, mem = (_rows(a) for a in answers)
            assert disk == mem, query
            assert mem, query  # every query has an answer on the bundled data
    assert not (tmp_path / ".kgcache").exists()  # --in-memory keeps no store


@pytest.mark.server
def test_a_rebuilt_dataset_is_not_served_from_an_old_store(tmp_path):
    """Same size, same modification time, other content: the digest tells them apart."""
    data = tmp_path / "data.trig"
    data.write_bytes(FIXTURE.read_bytes())
    with serve_in(tmp_path, data) as (base, _):
        assert _labels(base) == ["Alfa-hanke", "Beeta-hanke"]
    (first,) = _stores(tmp_path)
    loaded = (first / SOURCE_MARK).stat().st_mtime_ns
    with serve_in(tmp_path, data) as (base, _):  # unchanged: the same store, not reloaded
        assert _labels(base) == ["Alfa-hanke", "Beeta-hanke"]
    assert _stores(tmp_path) == [first]
    assert (first / SOURCE_MARK).stat().st_mtime_ns == loaded

    st = data.stat()
    data.write_bytes(FIXTURE.read_bytes().replace(b"Beeta", b"Gamma"))
    os.utime(data, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (data.stat().st_size, data.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    with serve_in(tmp_path, data) as (base, _):
        assert _labels(base) == ["Alfa-hanke", "Gamma-hanke"]
    assert len(_stores(tmp_path)) == 2  # the last other one is kept, for switching back

    data.write_bytes(FIXTURE.read_bytes().replace(b"Beeta", b"Delta"))
    with serve_in(tmp_path, data) as (base, _):
        assert _labels(base) == ["Alfa-hanke", "Delta-hanke"]
    stores = _stores(tmp_path)
    assert len(stores) == 2 and first not in stores  # the least recently served went


def test_an_incomplete_or_foreign_store_is_loaded_again(tmp_path):
    data = tmp_path / "data.trig"
    data.write_bytes(FIXTURE.read_bytes())
    cache = tmp_path / "cache"
    store, info = load_cached(data, cache)
    assert info["triples"] == 8 and len(info["named_graphs"]) == 2
    mark = store / SOURCE_MARK

    mark.unlink()  # a load cut short has no mark
    again, info2 = load_cached(data, cache)
    assert again == store and mark.is_file() and info2 == info
    # a mark that names another dataset (or another format) is not trusted
    text = json.loads(mark.read_text(encoding="utf-8"))
    mark.write_text(json.dumps({**text, "sha256": "0" * 64}), encoding="utf-8")
    _, info3 = load_cached(data, cache)
    assert json.loads(mark.read_text(encoding="utf-8"))["sha256"] == text["sha256"]
    assert info3 == info
    # the folder of a load whose server was killed is removed by the next load
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    leftover = cache / STORES / f".building-{dead}-0000"
    leftover.mkdir()
    shutil.rmtree(store)
    load_cached(data, cache)
    assert not leftover.exists()


def test_loading_starts_no_thread_in_the_serving_process(tmp_path):
    """The supervisor forks its workers, so it must have no threads (RocksDB starts
    some when a store is opened, and they outlive it): the store is loaded in a
    child process. Checked in a fresh interpreter, where no store was opened before."""
    import subprocess
    import sys

    data = tmp_path / "data.trig"
    data.write_bytes(FIXTURE.read_bytes())
    script = (
        "import os, sys\n"
        "from kg.serve.dataset import load_cached, load_persistent\n"
        "def threads(): return len(os.listdir('/proc/self/task'))\n"
        "before = threads()\n"
        "load_cached(sys.argv[1], sys.argv[2])\n"
        "os.mkdir(sys.argv[3]); load_persistent(sys.argv[1], sys.argv[3])\n"
        "print(before, threads())\n"
        "import pyoxigraph as ox\n"
        "s = ox.Store.read_only(sys.argv[3]); bool(s.query('ASK {}')); del s\n"
        "print(threads())\n")
    out = subprocess.run([sys.executable, "-c", script, str(data), str(tmp_path / "cache"),
                          str(tmp_path / "store")], capture_output=True, text=True,
                         check=True, cwd=REPO_ROOT).stdout.split()
    before, after, opened = map(int, out)
    assert after == before
    assert opened > before  # what loading in this process would have left behind


def test_a_persistent_store_follows_the_digest_not_the_modification_time(tmp_path):
    data, folder = tmp_path / "data.trig", tmp_path / "store"
    data.write_bytes(FIXTURE.read_bytes())
    folder.mkdir()
    load_persistent(data, folder)
    st = data.stat()
    data.write_bytes(FIXTURE.read_bytes().replace(b"Beeta", b"Gamma"))
    os.utime(data, ns=(st.st_atime_ns, st.st_mtime_ns))
    load_persistent(data, folder)
    import pyoxigraph as ox

    store = ox.Store.read_only(str(folder))
    labels = sorted(s["l"].value for s in store.query(
        f"SELECT ?l WHERE {{ ?p a <{HG}ontology#Project> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"))
    assert labels == ["Alfa-hanke", "Gamma-hanke"]


def test_bad_data_in_the_store_load_names_the_file(tmp_path):
    bad = tmp_path / "broken.trig"
    bad.write_text("<a:b> { <a:c> <a:d> . }", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.trig"):
        load_cached(bad, tmp_path / "cache")
    assert not [p for p in (tmp_path / "cache" / STORES).iterdir()]  # nothing half-made kept


def test_a_cache_that_cannot_be_made_is_a_clear_error(tmp_path):
    data = tmp_path / "data.trig"
    data.write_bytes(FIXTURE.read_bytes())
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(OSError, match="--in-memory") as e:
        load_cached(data, blocked)
    assert str(blocked) in str(e.value)


def test_without_a_cache_folder_the_store_is_in_memory(tmp_path):
    data = tmp_path / "data.trig"
    data.write_bytes(FIXTURE.read_bytes())
    store, info = load(ServeOptions(data=data, cache_dir=None))
    assert not isinstance(store, Path) and info["triples"] == 8
    folder, _ = load(ServeOptions(data=data, cache_dir=tmp_path / "c"))
    assert isinstance(folder, Path) and folder.parent == tmp_path / "c" / STORES


@pytest.mark.server
def test_a_worker_gives_back_the_memory_of_a_large_answer():
    """glibc keeps what a query thread freed in its arena: without the fixed
    thresholds and the trimming, each worker stayed as large as the largest answer
    it had given (here about 55 MB more after three 28 MB answers)."""
    from tests.servers import kg_serve

    def anon_kb(pid: int) -> int:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        return next(int(line.split()[1]) for line in rollup.splitlines()
                    if line.startswith("Pss_Anon:"))

    large = "SELECT ?a ?c ?d ?f WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 80000"
    with kg_serve("--workers", "1", data=DATA) as (base, proc):
        (worker,) = descendants(proc.pid)
        requests.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=30).raise_for_status()
        time.sleep(2)
        before = anon_kb(worker)
        for _ in range(3):
            r = requests.post(f"{base}/sparql", data={"query": large}, timeout=60)
            assert r.status_code == 200 and len(r.content) > 20_000_000
        deadline = time.monotonic() + 10  # the worker trims every second
        while anon_kb(worker) - before >= 20_000 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert anon_kb(worker) - before < 20_000
