"""What the server serves: the store, and the prefixes that queries may use
without declaring them.

By default the store is on disk, in the project's cache folder
(`.kgcache/stores/`): the dataset is loaded once into an Oxigraph (RocksDB)
store in a folder named after the dataset file's SHA-256 digest, and every
worker opens that folder read-only, so the workers share the data through the
operating system's page cache. A second `kg serve` of the same dataset opens
the folder at once; a changed dataset has another digest, so it is never
answered from an old store. (An in-memory store forked into the workers is
shared copy-on-write only until the workers read it: after a mixed query load
each worker held its own copy, 5× the memory of `oxigraph serve` on a million
quads; issue 14. `kg serve --in-memory` still does that, for small data.)

The store is loaded in a child process, so that the server's own process keeps
none of the loading's memory and starts no RocksDB threads before it forks its
workers (a forked process must not have threads).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import sys
from pathlib import Path

from kg.store import dataset_file, open_store

_PREFIX_LINE = re.compile(rb"^\s*@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*\.", re.M)
# a store remembers the digest of the file it was loaded from (and what it
# holds), written once the load is complete, so that a rebuilt dataset is
# reloaded and an unchanged one starts at once
SOURCE_MARK = "hankegraph-source.json"
#: the cached stores' folder, under the project's cache folder (Settings.cache_dir)
STORES = "stores"
# what a store holds beside the named graphs: their union, as a set, in the
# default graph (as kg.store.open_store makes it). Part of a cached store's
# name: a change here, or another pyoxigraph, loads the dataset again
STORE_FORMAT = 1
# cached stores of other datasets kept (the most recently served): switching
# between two datasets does not reload each time, and old ones do not pile up
KEEP_OTHER_STORES = 1
# the shared locks that tell other `kg serve` processes a store is in use: held
# by this process, and the workers it forks, for as long as it lives
_HELD: list[int] = []


def known_prefixes(data: str | Path, ontology: Path) -> dict[str, str]:
    """Prefixes declared by the ontology and the dataset (read from their headers)."""
    prefixes: dict[str, str] = {}
    for path in (ontology, dataset_file(data)):
        if path.is_file():
            with open(path, "rb") as f:
                head = f.read(64 * 1024)
            for name, iri in _PREFIX_LINE.findall(head):
                prefixes.setdefault(name.decode(), iri.decode())
    return prefixes


def dataset_digest(path: Path) -> str:
    """The SHA-256 of the dataset file (0.2 s for a million quads' TriG)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def store_format() -> str:
    import pyoxigraph as ox

    return f"oxigraph-{ox.__version__}-{STORE_FORMAT}"


def _describe(store) -> dict:
    graphs = sorted(g.value for g in store.named_graphs())
    triples = next(iter(store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")))["n"].value
    return {"named_graphs": graphs, "triples": int(triples)}


def load_memory(data: str | Path):
    """An in-memory store of the dataset, and what it holds."""
    store = open_store(data)
    return store, _describe(store)


def _identity(path: Path) -> tuple[int, int, int, int]:
    """What changes when the file is rewritten or replaced (a build renames the new one in)."""
    st = path.stat()
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _fill(source: Path, store_dir: Path, digest: str) -> None:
    """Load `source` into the store in `store_dir` (emptied first), compact it, close
    it, and write the mark last: a load cut short has none, so it is never used."""
    import pyoxigraph as ox

    store = ox.Store(str(store_dir))
    store.clear()
    fmt = ox.RdfFormat.TRIG if source.suffix == ".trig" else ox.RdfFormat.TURTLE
    try:
        store.bulk_load(path=str(source), format=fmt)
        if fmt == ox.RdfFormat.TRIG:
            # the union default graph as a set, as open_store makes it; a bulk
            # write, because on disk the same INSERT … WHERE runs in one
            # transaction that takes minutes at a million triples
            store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                              for q in ox.parse(path=str(source), format=fmt))
    except SyntaxError as e:
        raise ValueError(f"{source}: not valid {fmt}: {e}") from e
    store.optimize()
    info = _describe(store)
    del store  # closes the database: the workers open it read-only
    mark = {"sha256": digest, "format": store_format(), "source": str(source.resolve()), **info}
    (store_dir / SOURCE_MARK).write_text(json.dumps(mark), encoding="utf-8")


def _fill_in_child(source: Path, store_dir: Path, digest: str) -> None:
    """`_fill` in a new Python process (not a fork: a process that has opened a
    store has RocksDB's threads, and a forked copy of it can hang on their locks);
    its error, if any, raised here as ValueError."""
    import subprocess

    done = subprocess.run([sys.executable, "-m", "kg.serve.dataset", str(source.resolve()),
                           str(Path(store_dir).resolve()), digest],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode < 0:
        raise ValueError(f"loading {source} into {store_dir} was ended by "
                         f"{signal.Signals(-done.returncode).name} (out of memory?)")
    if done.returncode != 0:
        raise ValueError(done.stderr.strip() or f"loading {source} into {store_dir} failed")


def _main(argv: list[str]) -> int:
    """The loading process: `python -m kg.serve.dataset SOURCE STORE_DIR DIGEST`."""
    _die_with_parent()
    source, store_dir, digest = argv
    try:
        _fill(Path(source), Path(store_dir), digest)
    except (ValueError, OSError) as e:
        print(e, file=sys.stderr)
        return 1
    return 0


def _die_with_parent() -> None:
    """SIGTERM when the parent dies (a `kg serve` stopped while loading), so no
    loader is left running behind it."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _read_mark(store_dir: Path) -> dict | None:
    try:
        return json.loads((store_dir / SOURCE_MARK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _holds(mark: dict | None, digest: str) -> dict | None:
    """What the store holds, if its mark says it was loaded from `digest` in this format."""
    if (not isinstance(mark, dict) or mark.get("sha256") != digest
            or mark.get("format") != store_format()):
        return None
    try:
        return {"named_graphs": list(mark["named_graphs"]), "triples": int(mark["triples"])}
    except (KeyError, TypeError, ValueError):
        return None


def load_persistent(data: str | Path, store_dir: Path):
    """Bring the store in `store_dir` (`kg serve --store DIR`) up to date with the
    dataset (reload only when the file's digest changed), and say what it holds.
    Workers then open it read-only, so the returned store is None."""
    source = dataset_file(data)
    store_dir = Path(store_dir)
    for _ in range(3):
        before = _identity(source)
        digest = dataset_digest(source)
        info = _holds(_read_mark(store_dir), digest)
        if info is not None:
            return None, info
        (store_dir / SOURCE_MARK).unlink(missing_ok=True)  # no longer a complete load
        _fill_in_child(source, store_dir, digest)
        if _identity(source) == before:
            return None, _holds(_read_mark(store_dir), digest)
        (store_dir / SOURCE_MARK).unlink(missing_ok=True)  # changed while loading: again
    raise ValueError(f"{source} kept changing while it was loaded into {store_dir}: "
                     "start kg serve again once the build is done")


def load_cached(data: str | Path, cache_dir: str | Path) -> tuple[Path, dict]:
    """The store of the dataset in the cache (`CACHE/stores/DIGEST-FORMAT`), loaded
    there first if it is not yet, and what it holds. The store is marked in use
    (a shared lock, for as long as this process and the workers it forks live) so
    that another `kg serve` never removes it; the least recently used stores of
    other datasets are removed once a new one is made."""
    source = dataset_file(data)
    root = Path(cache_dir) / STORES
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OSError(f"cannot keep the store in {root} ({e.strerror or e}): pass "
                      "--cache-dir DIR, --store DIR or --in-memory") from None
    for _ in range(3):
        before = _identity(source)
        digest = dataset_digest(source)
        target = root / f"{digest[:32]}-{store_format()}"
        info = _use(target, digest)
        if info is not None:
            return target, info
        _remove_leftovers(root)
        print(f"loading {source} into a store in {root} (once for this dataset; "
              "later starts reuse it)", file=sys.stderr, flush=True)
        building = root / f".building-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            building.mkdir()
            _fill_in_child(source, building, digest)
            if _identity(source) != before:
                continue  # a build replaced the file meanwhile: its digest is not this
            _install(building, target, digest)
        finally:
            shutil.rmtree(building, ignore_errors=True)
        info = _use(target, digest)
        if info is not None:
            _prune(root, keep=target)
            return target, info
    raise ValueError(f"{source} kept changing while it was loaded into {root}: "
                     "start kg serve again once the build is done")


def _use(store_dir: Path, digest: str) -> dict | None:
    """What the store holds if it is complete and loaded from `digest`, with a
    shared lock on it taken (and kept) first, so that no one removes it meanwhile."""
    mark = store_dir / SOURCE_MARK
    try:
        fd = os.open(mark, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        if os.fstat(fd).st_ino != os.stat(mark).st_ino:  # removed while we waited
            raise FileNotFoundError(mark)
        with os.fdopen(os.dup(fd), encoding="utf-8") as f:
            info = _holds(json.loads(f.read()), digest)
    except (OSError, ValueError):
        info = None
    if info is None:
        os.close(fd)
        return None
    _HELD.append(fd)
    with contextlib.suppress(OSError):
        os.utime(store_dir)  # the most recently served
    return info


def _install(building: Path, target: Path, digest: str) -> None:
    """Move the complete store into its place; if another `kg serve` got there first
    with a complete store, keep that one, and replace an incomplete or damaged one."""
    try:
        os.rename(building, target)
        return
    except OSError:
        if _holds(_read_mark(target), digest) is not None:
            return
    aside = target.parent / f".stale-{secrets.token_hex(4)}"
    with contextlib.suppress(OSError):
        os.rename(target, aside)
    shutil.rmtree(aside, ignore_errors=True)
    os.rename(building, target)


def _remove_leftovers(root: Path) -> None:
    """Folders of loads whose `kg serve` is gone (killed while loading)."""
    for path in root.glob(".building-*"):
        try:
            pid = int(path.name.split("-")[1])
            os.kill(pid, 0)
            continue  # still loading
        except ProcessLookupError:
            pass
        except (ValueError, IndexError, PermissionError):
            continue
        shutil.rmtree(path, ignore_errors=True)
    for path in root.glob(".stale-*"):
        shutil.rmtree(path, ignore_errors=True)


def _prune(root: Path, keep: Path) -> None:
    """Remove the stores of other datasets but the `KEEP_OTHER_STORES` most recently
    served, skipping any a running `kg serve` uses."""
    others = []
    for path in root.iterdir():
        if path != keep and path.is_dir() and not path.name.startswith("."):
            with contextlib.suppress(OSError):
                others.append((path.stat().st_mtime_ns, path))
    others.sort(reverse=True)
    for _, path in others[KEEP_OTHER_STORES:]:
        try:
            fd = os.open(path / SOURCE_MARK, os.O_RDONLY)
        except FileNotFoundError:
            fd = None
        except OSError:
            continue
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            aside = root / f".stale-{secrets.token_hex(4)}"
            os.rename(path, aside)
            shutil.rmtree(aside, ignore_errors=True)
        except OSError:  # in use (BlockingIOError), or gone already
            continue
        finally:
            if fd is not None:
                os.close(fd)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
