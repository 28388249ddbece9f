"""One frozen Settings object with defaults and help text (as datasette's Setting)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _setting(default, help: str):  # noqa: A002 - 'help' reads best here
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    base_iri: str = _setting(
        "https://w3id.org/hankegraph/", "Base IRI of every resource the build mints."
    )
    authority_dir: Path = _setting(
        REPO_ROOT / "data" / "authority", "Folder with the authority CSV files."
    )
    ontology_dir: Path = _setting(REPO_ROOT / "ontology", "Folder with hankegraph.ttl.")
    curation_file: Path | None = _setting(
        REPO_ROOT / "data" / "curation.yaml",
        "Human corrections every build applies after resolution (kg/resolve/curation.py).",
    )
    out_dir: Path = _setting(REPO_ROOT / "data" / "ttl", "Where the dataset is written.")
    extractor: str = _setting("hankegraph.learned.v1", "Registered name of the extractor.")
    model_dir: Path = _setting(
        Path(__file__).resolve().parent / "extract" / "models" / "learned-v1",
        "The learned extractor's model folder (kg train writes one; the shipped one is "
        "trained on the annotated corpus).",
    )
    min_confidence: float | None = _setting(
        None, "The learned extractor keeps facts from this probability on (None: each "
        "relation's own threshold, chosen by cross-validation).",
    )
    progress: bool = _setting(True, "Show a progress bar on standard error.")
    max_bytes: int = _setting(20_000_000, "Files larger than this many bytes are skipped.")
    check_language: bool = _setting(
        True, "Skip documents whose text is not Finnish or Swedish (kg/ingest/language.py)."
    )
    cache_dir: Path | None = _setting(
        REPO_ROOT / ".kgcache",
        "Where extractions are kept between builds (None: no cache, extract everything).",
    )
    workers: int = _setting(2, "Extraction processes (1: extract in the build's own process).")
    parallel_min_docs: int = _setting(
        50, "Fewer documents to extract than this are extracted in-process: below it the "
        "workers' start-up (each loads the spaCy model) costs more than it saves.",
    )

    @classmethod
    def help(cls) -> dict[str, str]:
        return {f.name: f.metadata.get("help", "") for f in fields(cls)}
