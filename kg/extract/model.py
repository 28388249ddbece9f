"""The learned extractor's model: linear heads stored as JSON, no pickle.

A model is a folder:

- ``model.json``: one logistic-regression head per decision (the variant of a
  project name, whether an entity is kept, one head per relation), each as its
  feature weights and intercept, and each head's decision threshold;
- ``meta.json``: the training corpus' fingerprint, the code fingerprint, the
  cross-validated scores it reached, and the library versions it was fitted with.

Prediction is a dot product over the features present, the same arithmetic as
scikit-learn's ``LogisticRegression.decision_function`` (tests/test_learned.py
checks the parity), so building a graph needs no scikit-learn at all.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

MODEL_FILE = "model.json"
META_FILE = "meta.json"
FORMAT = "hankegraph-linear-v1"


@dataclass
class Head:
    """One binary logistic-regression decision over a dict of features."""

    weights: dict[str, float]
    intercept: float
    threshold: float = 0.5

    def score(self, features: dict) -> float:
        z = self.intercept
        for name, value in features.items():
            w = self.weights.get(name)
            if w is not None:
                z += w * float(value)
        return z

    def probability(self, features: dict) -> float:
        z = self.score(features)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def to_json(self) -> dict:
        return {"intercept": self.intercept, "threshold": self.threshold,
                "weights": {k: self.weights[k] for k in sorted(self.weights)}}

    @classmethod
    def from_json(cls, data: dict) -> Head:
        return cls({k: float(v) for k, v in data["weights"].items()},
                   float(data["intercept"]), float(data.get("threshold", 0.5)))


@dataclass
class Model:
    heads: dict[str, Head]
    meta: dict = field(default_factory=dict)

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        body = {"format": FORMAT,
                "heads": {name: self.heads[name].to_json() for name in sorted(self.heads)}}
        (folder / MODEL_FILE).write_text(_dumps(body), encoding="utf-8")
        (folder / META_FILE).write_text(_dumps(self.meta), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Model:
        folder = Path(folder)
        path = folder / MODEL_FILE
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(
                f"{path}: no model here; train one with `kg train --gold DIR --out {folder}`"
            ) from None
        except ValueError as e:
            raise ValueError(f"{path}: not a model file ({e})") from None
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} model")
        meta_path = folder / META_FILE
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        return cls({k: Head.from_json(v) for k, v in body["heads"].items()}, meta)

    def fingerprint(self) -> str:
        body = _dumps({k: self.heads[k].to_json() for k in sorted(self.heads)})
        return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def fit_head(rows: list[dict], labels: list[bool], c: float = 1.0) -> Head:
    """A logistic regression over ``rows`` (scikit-learn, L-BFGS: deterministic)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    if not rows or len(set(labels)) < 2:
        # nothing to learn from: a head that never fires (or always does)
        return Head({}, 10.0 if labels and labels[0] else -10.0)
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform(rows)
    clf = LogisticRegression(C=c, solver="lbfgs", max_iter=3000)
    clf.fit(x, labels)
    names = vec.get_feature_names_out()
    weights = {str(n): round(float(w), 6) for n, w in zip(names, clf.coef_[0], strict=True)
               if abs(w) >= 1e-6}
    return Head(weights, round(float(clf.intercept_[0]), 6))
