"""The embedded SPARQL engine: the built dataset in an Oxigraph store.

``open_store`` loads a TriG or Turtle file, or the dataset folder (TriG
preferred, so that named graphs survive). The default graph holds the union of
all named graphs *as a set*: a first query needs no GRAPH clause, and an
entity's label, written in each document's graph that mentions it, matches
once, not once per document (Oxigraph's own union-default-graph mode keeps
such duplicates, and every join would count them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.graph.io import TRIG_NAME, TTL_NAME, recover


class DataNotFound(FileNotFoundError):
    pass


def dataset_file(data: str | Path) -> Path:
    p = Path(data)
    recover(p if p.is_dir() else p.parent)  # a build killed mid-commit is finished first
    if p.is_dir():
        for name in (TRIG_NAME, TTL_NAME):
            if (p / name).is_file():
                return p / name
        raise DataNotFound(f"{p}: no {TRIG_NAME} or {TTL_NAME} here; run `kg build` first")
    if not p.is_file():
        raise DataNotFound(f"{p}: no such file; run `kg build` first or pass --data")
    return p


def open_store(data: str | Path, store_dir: str | Path | None = None):
    import pyoxigraph as ox

    path = dataset_file(data)
    store = ox.Store(str(store_dir)) if store_dir else ox.Store()
    fmt = ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE
    try:
        store.bulk_load(path=str(path), format=fmt)
    except SyntaxError as e:
        raise ValueError(f"{path}: not valid {fmt}: {e}") from e
    if fmt == ox.RdfFormat.TRIG:
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return store


@dataclass
class Table:
    variables: list[str]
    rows: list[list[str | None]]

    def as_dicts(self) -> list[dict[str, str | None]]:
        return [dict(zip(self.variables, r, strict=True)) for r in self.rows]


def _term_value(term) -> str | None:
    if term is None:
        return None
    return term.value


def select(store, query: str) -> Table:
    """Run a SELECT query; values as plain strings (IRIs and literal lexical forms)."""
    result = store.query(query)
    variables = [v.value for v in result.variables]
    rows = [[_term_value(sol[v]) for v in variables] for sol in result]
    return Table(variables, rows)
