"""What the server serves: the store (in memory, or persistent in a folder) and
the prefixes that queries may use without declaring them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kg.store import dataset_file, open_store

_PREFIX_LINE = re.compile(rb"^\s*@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*\.", re.M)
# the persistent store remembers which file it was loaded from, so that a
# rebuilt dataset is reloaded and an unchanged one starts at once
SOURCE_MARK = "hankegraph-source.json"


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


def _source_stamp(path: Path) -> dict:
    st = path.stat()
    return {"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _describe(store) -> dict:
    graphs = sorted(g.value for g in store.named_graphs())
    triples = next(iter(store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")))["n"].value
    return {"named_graphs": graphs, "triples": int(triples)}


def load_memory(data: str | Path):
    """An in-memory store of the dataset, and what it holds."""
    store = open_store(data)
    return store, _describe(store)


def load_persistent(data: str | Path, store_dir: Path):
    """Bring the store in `store_dir` up to date with the dataset (reload only when
    the dataset file changed), close it, and say what it holds. Workers then open
    it read-only, so the returned store is None."""
    import pyoxigraph as ox

    source = dataset_file(data)
    mark = store_dir / SOURCE_MARK
    stamp = _source_stamp(source)
    current = json.loads(mark.read_text()) if mark.is_file() else None
    if current != stamp:
        mark.unlink(missing_ok=True)  # a load cut short must not pass as complete
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
        mark.write_text(json.dumps(stamp))
    else:
        store = ox.Store.read_only(str(store_dir))
        info = _describe(store)
        del store
    return None, info
