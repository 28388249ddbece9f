"""Resolution in numbers (issue 4): mentions → document entities → resolved entities,
merges, cross-document entities, and what the curation file did, on a corpus you name.

    .venv/bin/python benchmarks/resolution.py ../shared/corpus/dev

Extraction goes through the usual cache (.kgcache), so a second run takes seconds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kg.authority import load_authority
from kg.build import extract_documents
from kg.ingest import Skipped, read_documents
from kg.resolve import resolve
from kg.resolve.curation import load_curation
from kg.settings import Settings


def main(corpus: str) -> None:
    settings = Settings(progress=False)
    paths = sorted(Path(corpus).glob("*.txt")) if Path(corpus).is_dir() else [Path(corpus)]
    docs = [d for d in read_documents(paths, settings.max_bytes, settings.check_language)
            if not isinstance(d, Skipped)]
    extractions = extract_documents(docs, settings, [])
    t0 = time.perf_counter()
    res = resolve(extractions, load_authority(settings.authority_dir),
                  load_curation(settings.curation_file))
    seconds = time.perf_counter() - t0
    named = [e for e in res.entities if e.names_by_document]
    print(f"corpus: {corpus} ({len(extractions)} documents)")
    print(f"mentions: {sum(len(e.mentions) for e in extractions)}")
    print(f"document entities: {sum(len({m.key for m in e.mentions}) for e in extractions)}")
    print(f"resolved entities: {len(named)} named in documents, {len(res.entities)} nodes "
          "with the authority places and counties they link to")
    print(f"entities in more than one document: "
          f"{sum(len(e.names_by_document) > 1 for e in named)}")
    print(f"merges (entities made of more than one document entity): {len(res.merges)}")
    print(f"business IDs carried: {sum(bool(e.business_ids) for e in res.entities)}")
    applied = sum(not line.startswith("no match") for line in res.curation)
    print(f"curation entries: {applied} applied, {len(res.curation) - applied} matched nothing")
    print(f"resolution time: {seconds:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/docs")
