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
    out_dir: Path = _setting(REPO_ROOT / "data" / "ttl", "Where the dataset is written.")
    extractor: str = _setting("hankegraph.rules.v1", "Registered name of the extractor.")
    progress: bool = _setting(True, "Show a progress bar on standard error.")

    @classmethod
    def help(cls) -> dict[str, str]:
        return {f.name: f.metadata.get("help", "") for f in fields(cls)}
