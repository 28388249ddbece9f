"""Shared fixtures: the bundled corpus built once per session, and its store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.settings import REPO_ROOT, Settings

SHARED = REPO_ROOT.parent / "shared"
DEV_CORPUS = SHARED / "corpus" / "dev"
BUNDLED_DOCS = REPO_ROOT / "data" / "docs"


def require_dev_corpus() -> Path:
    """The annotated dev corpus, which lives beside the clone (../shared/corpus/dev).
    CI has it (`.ci/run` sets CI=true), so there its absence fails the test; on a
    machine without it the test is skipped, and the skip says why."""
    if not DEV_CORPUS.is_dir():
        why = (f"{DEV_CORPUS} is missing: this test scores against the annotated dev "
               "corpus, which lives in ../shared beside the clone (CI has it)")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why + "; CI=true, so its absence is an error")
        pytest.skip(why + "; put shared/ next to the repository to run it")
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
