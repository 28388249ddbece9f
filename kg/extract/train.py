"""`kg train` and `kg evaluate --cv`: fit the learned extractor's heads on gold
folders, and measure it on documents it was not trained on.

Training is deterministic: documents are read in name order, features are
sorted by scikit-learn's DictVectorizer, L-BFGS starts from zero, and the
model is written as sorted JSON, so the same gold gives the same model bytes.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kg.authority import fold, load_authority
from kg.extract.align import Alignment, align
from kg.extract.candidates import (
    funding_proposals,
    name_variants,
    project_proposals,
    read,
    with_name,
)
from kg.extract.features import variant_features
from kg.extract.learned import (
    REVERSED,
    Featurised,
    decide,
    proposer,
    scored_funding,
    scored_places,
    scored_proposals,
    variant_chooser,
)
from kg.extract.mentions import MentionFinder
from kg.extract.model import Head, Model, fit_head
from kg.extract.nlp import Line, parse_many
from kg.model import VALUE_RELATIONS, Document, EntityType, Extraction

#: regularisation (scikit-learn's C) of the heads. C_RELATION was compared at 0.05,
#: 0.1, 0.3 and 1 by cross-validation on the dev corpus (0.3 kept); the others are
#: scikit-learn-like defaults, not tuned.
C_VARIANT = 0.5
C_ENTITY = 0.5
C_RELATION = 0.3
C_PROJECT = 0.5  # the proposal heads: project, place, funding
#: a proposal is accepted from this probability on (0.3 and 0.7 for the project and
#: place heads changed the cross-validated F1 by less than 0.005)
PROJECT_THRESHOLD = 0.5
#: the code whose change makes a shipped model stale
CODE_FILES = ("candidates.py", "features.py", "learned.py", "model.py", "train.py",
              "align.py", "mentions.py", "relations.py", "lexicon.py", "layout.py",
              "values.py", "nlp.py", "morphology.py", "spans.py")


@dataclass
class GoldDoc:
    name: str  # the text file's name
    document: Document
    gold: dict
    lines: list[Line]

    @property
    def site(self) -> str:
        """The source site, for grouping folds: one site's pages never sit on both sides."""
        src = str(self.gold.get("source", ""))
        m = re.match(r"https?://(?:www\.)?([^/]+)", src)
        return m.group(1).lower() if m else (src.strip().lower() or self.name)


def load_gold(folders: list[Path], progress: bool = False) -> list[GoldDoc]:
    """Every annotated document of the folders, parsed once."""
    from kg.ingest import read_document
    from kg.scoring import load_documents

    docs: list[tuple[str, Document, dict]] = []
    for folder in folders:
        gold = load_documents(folder)
        for name in sorted(gold):
            path = Path(folder) / name
            if not path.exists():
                raise FileNotFoundError(f"{path}: the gold file {Path(name).stem}.json names "
                                        "a text that is not there")
            docs.append((name, read_document(path), gold[name]))
    texts = [d.text for _n, d, _g in docs]
    out = []
    for (name, document, gold), lines in zip(docs, parse_many(texts), strict=True):
        out.append(GoldDoc(name, document, gold, lines))
    if progress:
        print(f"train: {len(out)} annotated documents parsed", file=sys.stderr)
    return out


def fingerprint_gold(folders: list[Path]) -> str:
    """The annotated corpus' identity: every NAME.txt and NAME.json, by name and bytes."""
    h = hashlib.sha256()
    files = sorted((p.name, p) for folder in folders for p in Path(folder).iterdir()
                   if p.suffix in (".txt", ".json"))
    for name, path in files:
        h.update(name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def fingerprint_code() -> str:
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in CODE_FILES:
        h.update(name.encode())
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------- training

def _gold_names(d: GoldDoc, etype: str) -> set[str]:
    return {fold(n) for e in d.gold["entities"] if e["type"] == etype
            for n in (e["name"], *e.get("aliases", []))}


def _variant_rows(docs: list[GoldDoc], etype: str, families):
    """Rows of a variant head: every span of every family (``families(doc)``: the
    longest candidates) that has a gold name of type ``etype`` among its variants."""
    rows, labels = [], []
    for d in docs:
        text = d.document.text
        folded = fold(text)
        names = _gold_names(d, etype)
        for c in families(d):
            line = d.lines[c.line]
            variants = name_variants(c, line)
            # a variant is right when its name or the name with its marker is gold
            # (`CADDIES` or `CADDIES-projekti`: annotators write either)
            marks = [any(fold(n) in names for n in (name, *with_name(c, name, k, line).aliases))
                     for k, name in variants]
            if not any(marks):
                continue  # no variant is a gold name: nothing to choose between
            for (k, name), mark in zip(variants, marks, strict=True):
                rows.append(variant_features(c, k, name, d.lines[c.line], text, folded))
                labels.append(mark)
    return rows, labels


def _acceptance_rows(finder: MentionFinder, docs: list[GoldDoc], model: Model, etype: str,
                     scored):
    """Rows of a proposal head: each proposal (``scored(doc, cands)``, cut to its chosen
    variant) against the finders' candidates as read() gives them, labelled by
    whether it is a gold name of type ``etype``."""
    rows, labels = [], []
    choose = variant_chooser(model)
    for d in docs:
        names = _gold_names(d, etype)
        cands = finder.find(d.lines, d.document.text)
        if choose is not None:
            cands = [_renamed(c, d, choose) for c in cands]
        for c, f in scored(d, cands):
            rows.append(f)
            labels.append(any(fold(n) in names for n in (c.name, *c.aliases)))
    return rows, labels


def _place_rows(finder: MentionFinder, docs: list[GoldDoc]):
    rows, labels = [], []
    for d in docs:
        names = {fold(n) for e in d.gold["entities"] if e["type"] == "Region"
                 for n in (e["name"], *e.get("aliases", []))}
        for c, f in scored_places(d.lines, d.document.text, finder.find(d.lines,
                                                                         d.document.text)):
            rows.append(f)
            labels.append(fold(c.name) in names)
    return rows, labels


def _renamed(c, d: GoldDoc, choose):
    if c.type is not EntityType.PROJECT:
        return c
    variants = name_variants(c, d.lines[c.line])
    dropped, name = variants[choose(c, variants, d.lines, d.document.text)]
    return with_name(c, name, dropped, d.lines[c.line])


def _decision_rows(finder: MentionFinder, docs: list[GoldDoc], choose, propose=None):
    """Each head's rows, labels and the site of the document each row comes from."""
    entity_rows, entity_labels, entity_sites = [], [], []
    pair_rows: dict[str, tuple[list, list, list]] = {}
    report = Counter()
    for d in docs:
        reading = read(finder, d.document, d.lines, choose, propose)
        feat = Featurised(reading)
        a = align(reading, d.gold)
        _tally(report, a)
        for key, f in feat.entities.items():
            entity_rows.append(f)
            entity_labels.append(key in a.gold_of)
            entity_sites.append(d.site)
        for ga, gb, rels, f in feat.pairs:
            sa, sb = a.gold_of.get(ga.key), a.gold_of.get(gb.key)
            for rel in rels:
                subj, obj = (sb, sa) if rel in REVERSED else (sa, sb)
                label = subj is not None and obj is not None and (rel, subj, obj) in a.gold_facts
                rows, labels, sites = pair_rows.setdefault(rel, ([], [], []))
                rows.append(f)
                labels.append(label)
                sites.append(d.site)
    return (entity_rows, entity_labels, entity_sites), pair_rows, report


def _tally(report: Counter, a: Alignment) -> None:
    report["entities_total"] += a.entities_total
    report["entities_aligned"] += a.entities_aligned
    report["facts_total"] += a.facts_total
    report["facts_aligned"] += a.facts_aligned
    for why, n in a.why_not.items():
        report["why: " + why] += n


def fit(docs: list[GoldDoc], authority_dir: Path) -> tuple[Model, Counter]:
    """Train every head on ``docs``; also return the alignment report."""
    finder = MentionFinder(load_authority(authority_dir))
    def projects(d: GoldDoc) -> list:
        found = finder.find(d.lines, d.document.text)
        return [c for c in found if c.type is EntityType.PROJECT] + \
            project_proposals(d.lines, d.document.text, found)

    def funding(d: GoldDoc) -> list:
        return funding_proposals(finder, d.lines, d.document.text,
                                 finder.find(d.lines, d.document.text))

    rows, labels = _variant_rows(docs, "Project", projects)
    heads: dict[str, Head] = {"variant": fit_head(rows, labels, C_VARIANT)}
    rows, labels = _acceptance_rows(
        finder, docs, Model(dict(heads)), "Project",
        lambda d, cands: scored_proposals(Model(dict(heads)), d.lines, d.document.text, cands))
    heads["project"] = fit_head(rows, labels, C_PROJECT)
    heads["project"].threshold = PROJECT_THRESHOLD
    rows, labels = _place_rows(finder, docs)
    heads["place"] = fit_head(rows, labels, C_PROJECT)
    heads["place"].threshold = PROJECT_THRESHOLD
    rows, labels = _variant_rows(docs, "Funding", funding)
    heads["funding_variant"] = fit_head(rows, labels, C_VARIANT)
    model = Model(dict(heads))
    rows, labels = _acceptance_rows(
        finder, docs, model, "Funding",
        lambda d, cands: scored_funding(model, finder, d.lines, d.document.text, cands))
    heads["funding"] = fit_head(rows, labels, C_PROJECT)
    heads["funding"].threshold = PROJECT_THRESHOLD
    model = Model(dict(heads))
    entity, pair_rows, report = _decision_rows(
        finder, docs, variant_chooser(model), proposer(model, finder))
    heads["entity"] = fit_head(entity[0], entity[1], C_ENTITY)
    for rel, (rows, labels, _sites) in sorted(pair_rows.items()):
        heads[rel] = fit_head(rows, labels, C_RELATION)
    return Model(heads), report


def train(gold_dirs: list[Path], out_dir: Path, authority_dir: Path,
          progress: bool = True) -> Model:
    docs = load_gold(gold_dirs, progress)
    model, report = fit(docs, authority_dir)
    model.meta = {
        "extractor": "hankegraph.learned.v1",
        "documents": len(docs),
        "gold_fingerprint": fingerprint_gold(gold_dirs),
        "code_fingerprint": fingerprint_code(),
        "alignment": dict(sorted(report.items())),
    }
    model.save(out_dir)
    if progress:
        print(format_alignment(report), file=sys.stderr)
    return model


def format_alignment(report: Counter) -> str:
    et, ea = report["entities_total"], report["entities_aligned"]
    ft, fa = report["facts_total"], report["facts_aligned"]
    lines = [f"alignment: entities {ea}/{et} ({ea / max(et, 1):.1%}) reached by a candidate, "
             f"facts {fa}/{ft} ({fa / max(ft, 1):.1%}) with both ends reached"]
    for why, n in sorted(((k, v) for k, v in report.items() if k.startswith("why: ")),
                         key=lambda kv: -kv[1])[:12]:
        lines.append(f"  {n:5d}  {why[5:]}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- prediction

def extraction_to_gold(extraction: Extraction) -> dict:
    """An extraction in the gold JSON shape (what kg.scoring compares)."""
    entities: dict[str, dict] = {}
    for m in extraction.mentions:
        e = entities.setdefault(m.key, {"key": m.key, "type": m.type.value, "name": m.name,
                                        "aliases": []})
        if len(m.name) > len(e["name"]) and not m.rule.endswith(".alias"):
            e["aliases"].append(e["name"])
            e["name"] = m.name
        elif fold(m.name) != fold(e["name"]) and m.name not in e["aliases"]:
            e["aliases"].append(m.name)
    facts = []
    for c in extraction.claims:
        if c.subject not in entities:
            continue
        fact = {"relation": c.relation.value, "subject": c.subject,
                "confidence": c.confidence}
        if c.relation in VALUE_RELATIONS:
            fact["value"] = c.value
        else:
            if c.object not in entities:
                continue
            fact["object"] = c.object
        if c.amount_eur is not None:
            fact["amount_eur"] = c.amount_eur
        facts.append(fact)
    name = Path(extraction.document.path).name
    return {"document": name, "entities": list(entities.values()), "facts": facts}


def predict_docs(model: Model, docs: list[GoldDoc], authority_dir: Path,
                 min_confidence: float | None = None) -> dict[str, dict]:
    finder = MentionFinder(load_authority(authority_dir))
    choose = variant_chooser(model)
    propose = proposer(model, finder)
    out = {}
    for d in docs:
        reading = read(finder, d.document, d.lines, choose, propose)
        ex = decide(model, Featurised(reading), min_confidence)
        doc = extraction_to_gold(ex)
        out[d.name] = {**doc, "document": d.name}
    return out


def folds(docs: list[GoldDoc], k: int) -> list[list[int]]:
    """Test indices of K folds grouped by source site (scikit-learn's GroupKFold)."""
    from sklearn.model_selection import GroupKFold

    groups = [d.site for d in docs]
    k = min(k, len(set(groups)))
    if k < 2:
        raise ValueError("cross-validation needs documents from at least two source sites")
    return [list(test) for _train, test in GroupKFold(n_splits=k).split(docs, groups=groups)]


def cross_validate(docs: list[GoldDoc], k: int, authority_dir: Path,
                   thresholds: tuple[float, ...] = ()):
    """Predictions for every document from a model that never saw its site, and each
    fold's own report (for the spread)."""
    from kg.scoring import score

    predicted: dict[str, dict] = {}
    fold_reports = []
    by_threshold: dict[float, dict[str, dict]] = {t: {} for t in thresholds}
    for test in folds(docs, k):
        test_set = set(test)
        train_docs = [d for i, d in enumerate(docs) if i not in test_set]
        test_docs = [d for i, d in enumerate(docs) if i in test_set]
        model, _report = fit(train_docs, authority_dir)
        fold_pred = predict_docs(model, test_docs, authority_dir)
        predicted.update(fold_pred)
        fold_reports.append(score({d.name: d.gold for d in test_docs}, fold_pred))
        for t in thresholds:
            by_threshold[t].update(predict_docs(model, test_docs, authority_dir, t))
    return predicted, fold_reports, by_threshold
