"""Writing the dataset: Turtle (all facts, the union of the graphs) and TriG (one
named graph per document), each written to a temporary file beside the target
and renamed into place, so that a failed or killed build never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef

TTL_NAME = "hankegraph.ttl"
TRIG_NAME = "hankegraph.trig"


def union_graph(ds: Dataset) -> Graph:
    g = Graph()
    for prefix, ns in ds.namespaces():
        g.bind(prefix, ns, override=True)
    for s, p, o, _ctx in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def serialize_trig(ds: Dataset) -> bytes:
    """TriG with the named graphs in IRI order (rdflib orders them by hash, so two
    builds of the same data would differ); each graph's body is rdflib's Turtle,
    which orders subjects and predicates."""
    iris = {str(t) for q in ds.quads((None, None, None, None)) for t in q[:3]
            if isinstance(t, URIRef)}
    iris |= {str(lit.datatype) for q in ds.quads((None, None, None, None))
             if isinstance(lit := q[2], Literal) and lit.datatype}
    prefixes = sorted((p, str(ns)) for p, ns in ds.namespaces()
                      if p and any(i.startswith(str(ns)) for i in iris))
    out = [f"@prefix {p}: <{ns}> ." for p, ns in prefixes]
    out.append("")
    graphs = sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g.identifier))
    for g in graphs:
        body = Graph()
        for p, ns in prefixes:
            body.bind(p, ns, override=True, replace=True)
        for t in g:
            body.add(t)
        text = body.serialize(format="turtle")
        lines = [ln for ln in text.splitlines() if not ln.startswith("@prefix")]
        while lines and not lines[0].strip():
            lines.pop(0)
        out.append(f"<{g.identifier}> {{")
        out += [f"    {ln}" if ln.strip() else "" for ln in lines]
        while out and not out[-1].strip():
            out.pop()
        out.append("}")
        out.append("")
    return "\n".join(out).encode("utf-8")


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the dataset is for reading
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_dataset(ds: Dataset, out_dir: Path) -> dict[str, Path]:
    """Serialise both files in memory first, then replace the old ones."""
    out_dir = Path(out_dir)
    ttl = union_graph(ds).serialize(format="turtle", encoding="utf-8")
    trig = serialize_trig(ds)
    paths = {"ttl": out_dir / TTL_NAME, "trig": out_dir / TRIG_NAME}
    _atomic_write(paths["trig"], trig)
    _atomic_write(paths["ttl"], ttl)
    return paths
