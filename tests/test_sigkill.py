"""A build killed with SIGKILL at any moment leaves the previous dataset intact
and loadable: real `kg build` processes killed at several moments, and a commit
killed between its two renames."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.settings import REPO_ROOT

NAMES = ("hankegraph.trig", "hankegraph.ttl", "build-report.json")


def _snapshot(out: Path) -> tuple[bytes, ...]:
    return tuple((out / n).read_bytes() for n in NAMES)


def _documents_in(out: Path) -> int:
    from kg.store import open_store, select

    store = open_store(out)  # finishes a commit a killed build left half done
    rows = select(store, "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a "
                         "<https://w3id.org/hankegraph/ontology#Document> }").rows
    return int(rows[0][0])


def _build(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg.cli", "--no-progress", "build", *args],
                            cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.sigkill
def test_killed_builds_leave_a_whole_dataset(tmp_path):
    from benchmarks.corpus import write

    old_docs, new_docs, cache = tmp_path / "old", tmp_path / "new", tmp_path / "cache"
    write(new_docs, 40, seed=3)
    old_docs.mkdir()
    for f in sorted(new_docs.iterdir())[:10]:
        shutil.copy(f, old_docs / f.name)
    # the previous dataset (10 documents) and, for comparison, the next one (40);
    # the second build also fills the cache, so that the killed builds below spend
    # their time resolving, building and writing the graph, where a kill hurts
    old_out, new_out = tmp_path / "old_out", tmp_path / "new_out"
    assert _build(str(old_docs), "--out", str(old_out), "--cache-dir", str(cache)).wait() == 0
    assert _build(str(new_docs), "--out", str(new_out), "--cache-dir", str(cache)).wait() == 0
    old, new = _snapshot(old_out), _snapshot(new_out)
    # timed over the old dataset, as the killed builds run: into new_out again it
    # would be an unchanged build, which writes nothing and takes a fraction of it
    timed_out = tmp_path / "timed_out"
    shutil.copytree(old_out, timed_out)
    t0 = time.perf_counter()
    assert _build(str(new_docs), "--out", str(timed_out), "--cache-dir", str(cache)).wait() == 0
    cached_run = time.perf_counter() - t0
    assert _snapshot(timed_out) == new

    def staged(out: Path) -> bool:
        return any(out.glob(".hankegraph.*.tmp")) or (out / ".commit.json").exists()

    moments = [("uncached, while extracting", 2.0, None, ["--no-cache"])]
    moments += [(f"{frac:.0%} into a cached build", frac * cached_run, None, [])
                for frac in (0.2, 0.4, 0.6, 0.75, 0.9)]
    moments += [("as soon as a new file is staged", 60.0, staged, [])]
    killed = 0
    for what, after, trigger, extra in moments:
        out = tmp_path / "out"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(old_out, out)
        proc = _build(str(new_docs), "--out", str(out), "--cache-dir", str(cache), *extra)
        deadline = time.perf_counter() + after
        while proc.poll() is None and time.perf_counter() < deadline:
            if trigger and trigger(out):
                break
            time.sleep(0.0005 if trigger else 0.005)
        proc.send_signal(signal.SIGKILL)
        code = proc.wait()
        killed += code == -signal.SIGKILL
        n = _documents_in(out)  # loadable, by the store a user queries it with
        state = _snapshot(out)
        assert state in (old, new), f"killed {what}: the dataset files are from mixed builds"
        assert n == (10 if state == old else 40), what
        if code == 0:
            assert state == new, what
    assert killed >= 4, f"only {killed} of {len(moments)} builds were still running when killed"


def test_a_commit_killed_between_its_renames_is_finished_by_the_next_reader(tmp_path):
    """SIGKILL after the first file of the pair is renamed into place: the journal
    lets the next reader (or writer) complete the pair."""
    out = tmp_path / "out"
    from kg.graph.io import commit_files, recover

    commit_files(out, {"a.txt": b"old a", "b.txt": b"old b"})
    script = f"""
import os, signal
import kg.graph.io as io
real = os.replace
def replace(src, dst):
    real(src, dst)
    if str(dst).endswith("a.txt"):
        os.kill(os.getpid(), signal.SIGKILL)
io.os.replace = replace
io.commit_files(io.Path({str(out)!r}), {{"a.txt": b"new a", "b.txt": b"new b"}})
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT)
    assert proc.returncode == -signal.SIGKILL
    assert (out / "a.txt").read_bytes() == b"new a" and (out / "b.txt").read_bytes() == b"old b"
    assert (out / ".commit.json").exists()
    recover(out)
    assert (out / "a.txt").read_bytes() == b"new a" and (out / "b.txt").read_bytes() == b"new b"
    assert not (out / ".commit.json").exists()
    assert not list(out.glob(".*.tmp"))


def test_a_commit_killed_before_its_journal_leaves_the_old_files(tmp_path):
    out = tmp_path / "out"
    from kg.graph.io import commit_files, recover

    commit_files(out, {"a.txt": b"old a", "b.txt": b"old b"})
    script = f"""
import os, signal
import kg.graph.io as io
def journal(target, data):
    os.kill(os.getpid(), signal.SIGKILL)  # both new files are staged, no journal yet
io._atomic_write = journal
io.commit_files(io.Path({str(out)!r}), {{"a.txt": b"new a", "b.txt": b"new b"}})
"""
    assert subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT).returncode == -9
    assert len(list(out.glob(".*.tmp"))) == 2
    assert (out / "a.txt").read_bytes() == b"old a" and (out / "b.txt").read_bytes() == b"old b"
    recover(out)  # nothing to finish: the commit point was never reached
    assert (out / "a.txt").read_bytes() == b"old a" and (out / "b.txt").read_bytes() == b"old b"
    commit_files(out, {"a.txt": b"next a", "b.txt": b"next b"})
    assert not list(out.glob(".*.tmp"))  # the next writer clears what the dead one staged
