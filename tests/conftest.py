"""Shared fixtures: the bundled corpus built once per session, and its store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.settings import REPO_ROOT, Settings

SHARED = REPO_ROOT.parent / "shared"
DEV_CORPUS = SHARED / "corpus" / "dev"
BUNDLED_DOCS = REPO_ROOT / "data" / "docs"


def require_dev_corpus() -> Path:
    """The dev gold lives beside the repository (../shared); CI has it. Its absence
    is a set-up error, not a reason to pass quietly."""
    if not DEV_CORPUS.is_dir():
        pytest.fail(f"{DEV_CORPUS} is missing: clone the repository next to shared/")
    return DEV_CORPUS


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(progress=False)


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory, settings):
    from kg.build import build

    out = tmp_path_factory.mktemp("bundled")
    report = build([BUNDLED_DOCS], settings, out_dir=out)
    return out, report


@pytest.fixture(scope="session")
def bundled_store(bundled_build):
    from kg.store import open_store

    out, _ = bundled_build
    return open_store(out)


@pytest.fixture(scope="session")
def extractor():
    from kg.extract import get_extractor

    return get_extractor("hankegraph.rules.v1")
