"""`kg evaluate`: build the gold folder's texts, read each document's named graph
back into the gold shape with SPARQL, and score it (kg.scoring).

Going through the serialised graph, not the extractor's records, means the
score measures what a researcher can actually query.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kg.settings import Settings

TYPE_OF_CLASS = {
    "Organisation": "Organisation",
    "Municipality": "Municipality",
    "Region": "Region",
    "Project": "Project",
    "FundingScheme": "Funding",
    "Person": "Person",
}

ENTITY_QUERY = """
PREFIX hg: <https://w3id.org/hankegraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?e ?class ?label ?alt WHERE {{
  GRAPH <{graph}> {{ ?e a ?class ; rdfs:label ?label ; hg:mentionedIn ?doc .
             OPTIONAL {{ ?e skos:altLabel ?alt }} }}
}} ORDER BY ?e ?alt
"""

FACT_QUERY = """
PREFIX hg: <https://w3id.org/hankegraph/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?s ?p ?o ?sentence ?rule ?amount ?share WHERE {{
  GRAPH <{graph}> {{
    ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
        hg:sentence ?sentence ; hg:extractedBy ?rule .
    OPTIONAL {{ ?grant a hg:Grant ; hg:funder ?s ; hg:project ?o .
               OPTIONAL {{ ?grant hg:amount ?amount }}
               OPTIONAL {{ ?grant hg:sharePercent ?share }} }}
  }}
}} ORDER BY ?s ?p ?o
"""


def predictions_from_store(store, base_iri: str, doc_ids: list[str]) -> dict[str, dict]:
    """Each document's named graph in the gold JSON shape (with evidence)."""
    from kg.graph.rdf import RELATION_OF
    from kg.model import VALUE_RELATIONS

    relation_by_iri = {str(p): r for p, r in RELATION_OF.items()}
    base = base_iri if base_iri.endswith(("/", "#")) else base_iri + "/"
    out = {}
    for doc_id in doc_ids:
        g = f"{base}graph/{doc_id}"
        entities: dict[str, dict] = {}
        for sol in store.query(ENTITY_QUERY.format(graph=g)):
            cls = sol["class"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            if cls not in TYPE_OF_CLASS:
                continue
            key = sol["e"].value
            ent = entities.setdefault(key, {"key": key, "type": TYPE_OF_CLASS[cls],
                                            "name": sol["label"].value, "aliases": []})
            if sol["alt"] is not None and sol["alt"].value not in ent["aliases"]:
                ent["aliases"].append(sol["alt"].value)
        facts = []
        for sol in store.query(FACT_QUERY.format(graph=g)):
            rel = relation_by_iri.get(sol["p"].value)
            if rel is None:
                continue
            fact = {"relation": rel.value, "subject": sol["s"].value}
            if rel in VALUE_RELATIONS:
                v = sol["o"].value
                fact["value"] = float(v) if rel.value == "total_cost" else v
            else:
                fact["object"] = sol["o"].value
            if sol["amount"] is not None:
                fact["amount_eur"] = float(sol["amount"].value)
            if sol["share"] is not None:
                fact["share_percent"] = float(sol["share"].value)
            fact["evidence"] = {"sentence": sol["sentence"].value, "rule": sol["rule"].value}
            facts.append(fact)
        out[f"{doc_id}.txt"] = {"document": f"{doc_id}.txt", "source": "hankegraph",
                                "language": "fi", "entities": list(entities.values()),
                                "facts": facts}
    return out


def predict(gold_dir: Path, settings: Settings) -> dict[str, dict]:
    import pyoxigraph as ox

    from kg.build import resolve_paths
    from kg.graph.rdf import GraphBuilder

    texts = sorted(Path(gold_dir).glob("*.txt"))
    resolution, skipped = resolve_paths(texts, settings)
    for s in skipped:
        print(f"warning: {s.path} skipped: {s.reason}", file=sys.stderr)
    ds = GraphBuilder(settings.base_iri).build(resolution)
    store = ox.Store()
    store.load(ds.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    doc_ids = [d.doc_id for d in resolution.documents]
    return predictions_from_store(store, settings.base_iri, doc_ids)


def evaluate(gold_dir: Path, settings: Settings | None = None, as_json: bool = False,
             predictions_dir: Path | None = None, explain: bool = False) -> int:
    from kg.scoring import format_explain, format_report, load_documents, score

    settings = settings or Settings()
    try:
        gold = load_documents(gold_dir)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    predicted = predict(gold_dir, settings)
    report = score(gold, predicted)
    if predictions_dir is not None:
        predictions_dir.mkdir(parents=True, exist_ok=True)
        for name, doc in predicted.items():
            path = predictions_dir / (Path(name).stem + ".json")
            path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
    if as_json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print(format_report(report))
    if explain:
        print(format_explain(report))
    return 0


#: the thresholds `kg evaluate --cv` reports precision and recall at
CV_THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def cross_validate(gold_dir: Path, k: int, settings: Settings | None = None,
                   as_json: bool = False) -> int:
    """K-fold cross-validation of the learned extractor, folds grouped by source site.

    Each fold's model is trained on the other folds' documents and reads its own
    documents as `kg build` would (the same finders, heads and thresholds); the
    extraction is scored directly in the gold shape, without a graph per fold
    (tests/test_learned.py checks that the two paths agree on the rule extractor).
    """
    from statistics import mean, pstdev

    from kg.extract.train import cross_validate as run_cv
    from kg.extract.train import load_gold
    from kg.scoring import format_report, score

    settings = settings or Settings()
    if k < 2:
        print("error: --cv needs at least 2 folds", file=sys.stderr)
        return 2
    try:
        docs = load_gold([Path(gold_dir)], progress=settings.progress)
        predicted, reports, by_threshold = run_cv(docs, k, settings.authority_dir,
                                                  CV_THRESHOLDS)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    gold = {d.name: d.gold for d in docs}
    report = score(gold, predicted)
    folds = [r.to_json() for r in reports]
    spread = {part: {"mean": mean(f[part]["f1"] for f in folds),
                     "std": pstdev(f[part]["f1"] for f in folds),
                     "min": min(f[part]["f1"] for f in folds),
                     "max": max(f[part]["f1"] for f in folds)}
              for part in ("entities", "facts")}
    at = {}
    for t, pred in by_threshold.items():
        facts = score(gold, pred).to_json()["facts"]
        at[str(t)] = {"precision": facts["precision"], "recall": facts["recall"],
                      "f1": facts["f1"]}
    if as_json:
        out = report.to_json()
        out["cv"] = {"folds": len(folds), "spread": spread, "facts_at_threshold": at,
                     "fold_sizes": [f["documents"] for f in folds]}
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    print(f"cross-validation: {len(folds)} folds grouped by source site, "
          f"{len(docs)} documents (each scored by a model that never saw its site)")
    print(format_report(report))
    print("\nspread over folds (F1)      mean    std    min    max")
    for part, s in spread.items():
        print(f"  {part:<24}{s['mean']:6.3f} {s['std']:6.3f} {s['min']:6.3f} {s['max']:6.3f}")
    print("\nfacts at a confidence threshold (--min-confidence)")
    print("  threshold  precision  recall     f1")
    for t, s in at.items():
        print(f"  {float(t):9.2f}  {s['precision']:9.3f}  {s['recall']:6.3f}  {s['f1']:5.3f}")
    return 0
