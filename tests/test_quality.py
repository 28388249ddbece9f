"""Extraction quality on the dev gold may not silently drop below the figures
last recorded in tests/quality_floor.json (raise them when extraction improves)."""

import json

from kg.settings import REPO_ROOT
from tests.conftest import require_dev_corpus

FLOOR = json.loads((REPO_ROOT / "tests" / "quality_floor.json").read_text(encoding="utf-8"))


def test_dev_scores_hold(settings):
    from kg.evaluate import predict
    from kg.scoring import load_documents, score

    dev = require_dev_corpus()
    report = score(load_documents(dev), predict(dev, settings)).to_json()
    assert report["documents"] == FLOOR["documents"]
    for part in ("entities", "facts"):
        assert report[part]["f1"] >= FLOOR[part]["f1"] - 1e-9, (
            f"{part} F1 {report[part]['f1']:.3f} fell below {FLOOR[part]['f1']:.3f}")
