"""The one-call API: ``build(paths, settings)`` runs ingest → extract → resolve →
RDF and writes the dataset. The CLI is a thin layer over these functions."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.authority import load_authority
from kg.ingest import Skipped, read_documents
from kg.model import Document, Extraction, Resolution
from kg.settings import Settings

if TYPE_CHECKING:
    from kg.graph.validate import ValidationReport


@dataclass
class BuildReport:
    documents: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    entities_by_type: dict[str, int] = field(default_factory=dict)
    facts_by_relation: dict[str, int] = field(default_factory=dict)
    merges: int = 0
    seconds: float = 0.0
    outputs: dict[str, Path] = field(default_factory=dict)
    validation: ValidationReport | None = None  # None when built with validate=False

    def summary(self) -> str:
        lines = [f"documents: {self.documents} built, {len(self.skipped)} skipped"]
        for s in self.skipped:
            lines.append(f"  skipped {s.path}: {s.reason}")
        ents = ", ".join(f"{k} {v}" for k, v in sorted(self.entities_by_type.items()))
        facts = ", ".join(f"{k} {v}" for k, v in sorted(self.facts_by_relation.items()))
        lines.append(f"entities: {sum(self.entities_by_type.values())} ({ents})")
        lines.append(f"facts: {sum(self.facts_by_relation.values())} ({facts})")
        lines.append(f"merges across mentions: {self.merges}")
        if self.validation is not None:
            lines.append(self.validation.summary())
        for _name, path in sorted(self.outputs.items()):
            lines.append(f"wrote {_relative(path)}")
        lines.append(f"time: {self.seconds:.1f} s")
        return "\n".join(lines)


def _relative(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _progress(items, total: int, enabled: bool, desc: str):
    if not enabled or total < 2:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=desc, unit="doc", file=sys.stderr, leave=False)


def extract_documents(documents: list[Document], settings: Settings,
                      skipped: list[Skipped]) -> list[Extraction]:
    """Extract every document; one that crashes the extractor is reported, not fatal."""
    from kg.extract import get_extractor

    extractor = get_extractor(settings.extractor, authority_dir=settings.authority_dir)
    out = []
    for doc in _progress(documents, len(documents), settings.progress, "extracting"):
        try:
            out.append(extractor(doc))
        except Exception as e:  # noqa: BLE001 - one bad document must not stop a build
            skipped.append(Skipped(doc.path, f"extraction failed: {type(e).__name__}: {e}"))
    return out


def resolve_paths(paths: Iterable[str | Path], settings: Settings
                  ) -> tuple[Resolution, list[Skipped]]:
    from kg.resolve import resolve

    documents: list[Document] = []
    skipped: list[Skipped] = []
    for item in read_documents(paths):
        if isinstance(item, Skipped):
            print(f"skipping {item.path}: {item.reason}", file=sys.stderr)
            skipped.append(item)
        else:
            documents.append(item)
    extractions = extract_documents(documents, settings, skipped)
    resolution = resolve(extractions, load_authority(Path(settings.authority_dir)))
    return resolution, skipped


def build(paths: Iterable[str | Path], settings: Settings | None = None,
          out_dir: str | Path | None = None, validate: bool = True) -> BuildReport:
    """With ``validate``, a graph that breaks ontology/shapes.ttl is not written (the
    previous dataset stays) and ``report.validation`` lists the violations."""
    from kg.graph.io import union_graph, write_dataset
    from kg.graph.rdf import GraphBuilder
    from kg.graph.validate import validate_graph

    settings = settings or Settings()
    t0 = time.perf_counter()
    resolution, skipped = resolve_paths(paths, settings)
    ds = GraphBuilder(settings.base_iri).build(resolution)
    validation = validate_graph(union_graph(ds), settings) if validate else None
    outputs = {}
    if validation is None or validation.conforms:
        outputs = write_dataset(ds, Path(out_dir or settings.out_dir))
    return BuildReport(
        documents=len(resolution.documents),
        skipped=skipped,
        entities_by_type=dict(Counter(e.type.value for e in resolution.entities
                                      if any(e.names_by_document))),
        facts_by_relation=dict(Counter(f.relation.value for f in resolution.facts)),
        merges=len(resolution.merges),
        seconds=time.perf_counter() - t0,
        outputs=outputs,
        validation=validation,
    )
