"""The one-call API: ``build(paths, settings)`` runs ingest → extract → resolve →
RDF and writes the dataset. The CLI is a thin layer over these functions."""

from __future__ import annotations

import contextlib
import json
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

REPORT_NAME = "build-report.json"


@dataclass
class BuildReport:
    documents: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    entities_by_type: dict[str, int] = field(default_factory=dict)
    facts_by_relation: dict[str, int] = field(default_factory=dict)
    merges: int = 0
    curation: tuple[str, ...] = ()  # what each curation entry changed, or that it matched nothing
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, in order
    outputs: dict[str, Path] = field(default_factory=dict)
    extraction: Counter = field(default_factory=Counter)  # "extracted" / "reused" (cache)
    report_path: Path | None = None
    validation: ValidationReport | None = None  # None when built with validate=False
    # what the last build recorded, when nothing had changed since (kg/build_state.py)
    unchanged: dict | None = None

    @property
    def exit_status(self) -> int:
        """0 built, 3 built but some files were skipped, 1 nothing could be built,
        4 the graph breaks the shapes (nothing written)."""
        if self.documents == 0:
            return 1
        if self.validation is not None and not self.validation.conforms:
            return 4
        return 3 if self.skipped else 0

    def as_json(self, documents: list[Document], written: bool) -> bytes:
        """The machine-readable report: deterministic (no times, no cache counts), so
        that it can be committed beside the dataset it describes."""
        report = {
            "exit_status": self.exit_status,
            "dataset": "written" if written else "kept the previous one (nothing built)",
            "documents": [{"id": d.doc_id, "path": d.path, "checksum": d.checksum,
                           "media_type": d.media_type, "title": d.title, "date": d.date,
                           "source_url": d.source_url, "pages": len(d.page_starts) or None}
                          for d in documents],
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "entities": dict(sorted(self.entities_by_type.items())),
            "facts": dict(sorted(self.facts_by_relation.items())),
        }
        return (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def summary_counts(self) -> dict:
        """What :meth:`summary` prints about the graph, kept for an unchanged build."""
        return {"entities": self.entities_by_type, "facts": self.facts_by_relation,
                "merges": self.merges,
                "validation": self.validation.summary() if self.validation else None}

    def summary(self) -> str:
        lines = [f"documents: {self.documents} built, {len(self.skipped)} skipped"]
        for s in self.skipped:
            lines.append(f"  skipped {s.path}: {s.reason}")
        ents = ", ".join(f"{k} {v}" for k, v in sorted(self.entities_by_type.items()))
        facts = ", ".join(f"{k} {v}" for k, v in sorted(self.facts_by_relation.items()))
        lines.append(f"entities: {sum(self.entities_by_type.values())} ({ents})")
        lines.append(f"facts: {sum(self.facts_by_relation.values())} ({facts})")
        lines.append(f"merges across mentions: {self.merges}")
        if self.curation:
            unmatched = sum(line.startswith("no match") for line in self.curation)
            lines.append(f"curation: {len(self.curation) - unmatched} applied, "
                         f"{unmatched} matched nothing")
            lines.extend(f"  {line}" for line in self.curation)
        if self.validation is not None:
            lines.append(self.validation.summary())
        if self.unchanged and self.unchanged.get("validation"):
            lines.append(f"{self.unchanged['validation']}, when written")
        if self.extraction:
            lines.append(f"extraction: {self.extraction['extracted']} extracted, "
                         f"{self.extraction['reused']} unchanged (from the cache)")
        for _name, path in sorted(self.outputs.items()):
            lines.append(f"wrote {_relative(path)}")
        if self.unchanged:
            lines.append("unchanged: nothing to write ("
                         + ", ".join(map(_relative, self.unchanged["files"]))
                         + " are as the last build wrote them)")
        elif not self.outputs:
            lines.append("nothing built: the previous dataset is left as it was")
        if self.report_path:
            lines.append(f"report {_relative(self.report_path)}")
        stages = ", ".join(f"{k} {v:.1f}" for k, v in self.stages.items())
        lines.append(f"time: {self.seconds:.1f} s" + (f" ({stages})" if stages else ""))
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
                      skipped: list[Skipped], counts: Counter | None = None,
                      spool=None) -> list[Extraction]:
    """Extract every document not in the cache (kg/cache.py), in worker processes
    when there are many (kg/parallel.py); one that crashes the extractor is
    reported, not fatal. With ``spool`` (a kg.cache.ExtractionSpool) the
    extractions go there as they come, and the spool is returned: a large corpus'
    extractions are then on disk, not in memory; the list ``documents`` is then
    taken over (emptied), each document let go once its extraction is in the spool."""
    from kg.cache import ExtractionCache
    from kg.parallel import extract_many

    cache = ExtractionCache.for_settings(settings)
    found: dict[str, Extraction] = {}
    keep = spool.add if spool is not None else (lambda e: found.__setitem__(e.document.doc_id, e))
    todo = []
    for doc in documents:
        hit = cache.get(doc) if cache else None
        if hit is None:
            todo.append(doc)
        else:
            keep(hit)
    n_documents = len(documents)
    if spool is not None:
        documents.clear()  # what is left to extract is in `todo`, the rest in the spool
    results = extract_many(todo, settings)
    for i, (doc, result) in enumerate(zip(todo, _progress(results, len(todo), settings.progress,
                                                          "extracting"), strict=True)):
        if spool is not None:
            todo[i] = None  # its text is in the spool now (or it failed)
        if isinstance(result, str):
            skipped.append(Skipped(doc.path, result))
            print(f"skipping {doc.path}: {result}", file=sys.stderr)
            continue
        keep(result)
        if cache:
            cache.put(result)
    if counts is not None:
        counts.update(extracted=len(todo), reused=n_documents - len(todo))
    if spool is not None:
        return spool
    return [found[d.doc_id] for d in documents if d.doc_id in found]


def read_paths(paths: Iterable[str | Path], settings: Settings
               ) -> tuple[list[Document], list[Skipped]]:
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for item in read_documents(paths, settings.max_bytes, settings.check_language):
        if isinstance(item, Skipped):
            print(f"skipping {item.path}: {item.reason}", file=sys.stderr)
            skipped.append(item)
        else:
            documents.append(item)
    return documents, skipped


def resolve_paths(paths: Iterable[str | Path], settings: Settings,
                  counts: Counter | None = None) -> tuple[Resolution, list[Skipped]]:
    documents, skipped = read_paths(paths, settings)
    return resolve_documents(documents, skipped, settings, counts), skipped


def resolve_documents(documents: list[Document], skipped: list[Skipped], settings: Settings,
                      counts: Counter | None = None,
                      stages: dict[str, float] | None = None,
                      fact_spool=None) -> Resolution:
    """Extract (adding to ``skipped`` what fails), resolve and apply the curation file
    (adding the seconds of each to ``stages``, if given). The extractions wait in a
    temporary file while resolution reads them; with ``fact_spool`` (a
    kg.cache.FactSpool, which the caller closes) the facts go to one too."""
    from kg.cache import ExtractionSpool
    from kg.resolve import resolve
    from kg.resolve.curation import load_curation

    stages = {} if stages is None else stages
    t = time.perf_counter()
    curation = load_curation(settings.curation_file)  # a bad file stops before extraction
    spool = ExtractionSpool()
    try:
        extractions = extract_documents(documents, settings, skipped, counts, spool)
        stages["extract"] = time.perf_counter() - t
        t = time.perf_counter()
        resolution = resolve(extractions, load_authority(Path(settings.authority_dir)),
                             curation, fact_spool)
    finally:
        spool.close()
    stages["resolve"] = time.perf_counter() - t
    return resolution


def build(paths: Iterable[str | Path], settings: Settings | None = None,
          out_dir: str | Path | None = None, report_path: str | Path | None = None,
          validate: bool = True) -> BuildReport:
    """Build and write the dataset, and the JSON report (``report_path``, by default
    ``OUT/build-report.json``, replaced together with the dataset). When nothing
    could be built, or with ``validate`` the graph breaks ontology/shapes.ttl, the
    previous dataset is kept and only the report is written (``report.validation``
    lists the violations). When nothing the files depend on has changed since the
    last build into ``out_dir`` (kg/build_state.py), nothing is written at all
    (``report.unchanged``)."""
    from kg.build_state import BuildState
    from kg.cache import FactSpool
    from kg.graph.io import TRIG_NAME, TTL_NAME, commit_files

    settings = settings or Settings()
    t0 = time.perf_counter()
    out = Path(out_dir or settings.out_dir)
    report_path = Path(report_path) if report_path else out / REPORT_NAME
    counts: Counter = Counter()
    stages: dict[str, float] = {}
    documents, skipped = read_paths(paths, settings)
    stages["read"] = time.perf_counter() - t0
    targets = [out / TRIG_NAME, out / TTL_NAME, report_path]
    state = BuildState.for_build(documents, skipped, settings, validate, targets)
    if state and (last := state.unchanged(documents)):
        counts.update(extracted=0, reused=len(documents))
        report = BuildReport(documents=len(documents), skipped=skipped,
                             entities_by_type=last["entities"], facts_by_relation=last["facts"],
                             merges=last["merges"], extraction=counts, report_path=report_path,
                             unchanged=last)
        report.seconds = time.perf_counter() - t0
        return report
    # the facts wait on disk between resolution and the graph (kg.cache.FactSpool)
    with contextlib.closing(FactSpool()) as fact_spool:
        resolution = resolve_documents(documents, skipped, settings, counts, stages, fact_spool)
        report = BuildReport(
            documents=len(resolution.documents),
            skipped=skipped,
            entities_by_type=dict(Counter(e.type.value for e in resolution.entities
                                          if any(e.names_by_document))),
            facts_by_relation=dict(Counter(f.relation.value for f in resolution.facts)),
            merges=len(resolution.merges),
            curation=resolution.curation,
            extraction=counts,
            report_path=report_path,
            stages=stages,
        )
        if resolution.documents:
            _write_graph(resolution, settings, out, report_path, report, state, targets, validate)
        else:
            commit_files(report_path.parent, {report_path.name: report.as_json([], written=False)})
    report.seconds = time.perf_counter() - t0
    return report


def _write_graph(resolution: Resolution, settings: Settings, out: Path, report_path: Path,
                 report: BuildReport, state, targets: list[Path], validate: bool) -> None:
    """Graph, validate and write: graph by graph into the TriG and into a spill of
    their union on disk (kg/graph/spill.py), which validation and the Turtle read
    one bucket at a time, so that memory does not grow with the corpus. Nothing is
    written but the report when the graph breaks the shapes."""
    from rdflib import RDF, RDFS

    from kg.build_state import file_sha256, sha256
    from kg.graph.io import (
        TRIG_NAME,
        TTL_NAME,
        commit_files,
        stage_graphs,
        stage_union,
        workspace,
        write_dataset,
    )
    from kg.graph.rdf import PREFIXES, GraphBuilder
    from kg.graph.spill import UnionSpill, bucket_count
    from kg.graph.validate import validate_spill
    from kg.graph.vocab import HG

    stages = report.stages
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    with workspace(out) as work:
        t = time.perf_counter()
        spill = UnionSpill(work / "union", bucket_count(len(resolution.documents)),
                           keep=(RDFS.subClassOf, HG.fileName), apart=(RDF.type,))
        files, used = stage_graphs(GraphBuilder(settings.base_iri).graphs(resolution),
                                   prefixes, work, spill)
        stages["graph"] = time.perf_counter() - t
        if validate:
            t = time.perf_counter()
            report.validation = validate_spill(spill, settings)
            stages["validate"] = time.perf_counter() - t
        if report.exit_status == 4:
            commit_files(report_path.parent, {report_path.name: report.as_json([], written=False)})
            return
        t = time.perf_counter()
        files.update(stage_union(spill, prefixes, work, used))
        report_json = report.as_json(list(resolution.documents), written=True)
        together = report_path.parent.resolve() == out.resolve()
        checksums = {path: file_sha256(path) for path in files.values()}
        report.outputs = write_dataset(files, out, {report_path.name: report_json} if together
                                       else None)
        if not together:
            commit_files(report_path.parent, {report_path.name: report_json})
        if state:
            state.record(dict(zip(targets, [checksums[files[TRIG_NAME]],
                                            checksums[files[TTL_NAME]],
                                            sha256(report_json)], strict=True)),
                         report.summary_counts())
        stages["write"] = time.perf_counter() - t
