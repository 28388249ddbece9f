"""Score extracted entities and facts against hand-annotated gold files.

The rules are those of ``GOLD-FORMAT.md`` in the corpus: an entity is found when
its type is right and one of its names (name or alias) equals one of the gold
names after :func:`fold`; a fact is found when its relation is right and its
subject and object are *the gold's* subject and object (through the entity
matching), or its value agrees with the gold value.

This module is deliberately standalone (standard library only, nothing from
other ``kg`` modules) so that the yardstick does not change when the extractor
it measures does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NUMERIC_RELATIONS = frozenset({"total_cost"})
DATE_RELATIONS = frozenset({"start_date", "end_date"})
VALUE_RELATIONS = NUMERIC_RELATIONS | DATE_RELATIONS

#: Euro amounts are whole euros, so anything closer than half a euro is equal.
NUMERIC_TOLERANCE = 0.5

# Hyphen and dash look-alikes all fold to ASCII '-': the texts write
# "Etelä–Savo" and "Etelä-Savo" for the same name. The soft hyphen is invisible
# in print, so it is dropped.
_FOLD_TABLE = str.maketrans(
    {
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
        "\u00ad": None,  # soft hyphen
    }
)
_WHITESPACE = re.compile(r"\s+")
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def fold(name: str) -> str:
    """Fold a name for comparison: case, dash variants and spacing do not count.

    The gold says a label is right when it equals a name "case-insensitively
    with white space folded"; dashes are folded too because the same name is
    typed with hyphens and en dashes in different texts.
    """
    return _WHITESPACE.sub(" ", name.casefold().translate(_FOLD_TABLE)).strip()


# --------------------------------------------------------------------------
# Loading


def load_documents(folder: str | Path) -> dict[str, dict]:
    """Read every ``NAME.json`` in ``folder``, keyed by its ``"document"`` field.

    Files are checked for the gold shape here, so that a broken annotation or
    extractor output fails loudly with the file's name instead of as a
    ``KeyError`` somewhere inside :func:`score`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a directory")
    documents: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
            raise ValueError(f"{path}: not valid JSON: {error}") from error
        problem = _shape_problem(data)
        if problem is not None:
            raise ValueError(f"{path}: {problem}")
        name = data["document"]
        if name in documents:
            raise ValueError(f"{path}: document {name!r} is already given by another file")
        documents[name] = data
    return documents


def _shape_problem(data: Any) -> str | None:
    """Describe what keeps ``data`` from being in the gold shape, or None."""
    if not isinstance(data, dict):
        return "the top level is not a JSON object"
    if not isinstance(data.get("document"), str):
        return 'missing "document" (a string)'
    for part in ("entities", "facts"):
        if not isinstance(data.get(part), list):
            return f'missing "{part}" (a list)'
    for index, entity in enumerate(data["entities"]):
        if not isinstance(entity, dict):
            return f"entity {index} is not an object"
        for name in ("key", "type", "name"):
            if not isinstance(entity.get(name), str):
                return f'entity {index} has no "{name}" string'
        if not isinstance(entity.get("aliases", []), list):
            return f'entity {index}: "aliases" is not a list'
    for index, fact in enumerate(data["facts"]):
        if not isinstance(fact, dict):
            return f"fact {index} is not an object"
        for name in ("relation", "subject"):
            if not isinstance(fact.get(name), str):
                return f'fact {index} has no "{name}" string'
    return None


# --------------------------------------------------------------------------
# Report


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


@dataclass
class Counts:
    """True positives, false positives and false negatives of one category."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return _ratio(2 * self.precision * self.recall, self.precision + self.recall)

    def to_json(self) -> dict[str, float | int]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def _micro(counts: Iterable[Counts]) -> Counts:
    """Micro-average: pool the counts, so frequent categories weigh more."""
    total = Counts()
    for item in counts:
        total.tp += item.tp
        total.fp += item.fp
        total.fn += item.fn
    return total


@dataclass
class AmountCounts:
    """How well ``funds`` amounts are read, apart from whether the fact matched.

    Amounts do not decide a fact's match (the gold format matches facts on
    relation, subject and object), but a wrong amount is still worth knowing.
    """

    gold_with_amount: int = 0
    matched_with_amount: int = 0
    amount_correct: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "gold_with_amount": self.gold_with_amount,
            "matched_with_amount": self.matched_with_amount,
            "amount_correct": self.amount_correct,
        }


@dataclass
class DocumentDetail:
    """The errors in one gold document, kept for :func:`format_explain`."""

    document: str
    predicted: bool
    missed_entities: list[dict] = field(default_factory=list)
    false_entities: list[dict] = field(default_factory=list)
    missed_facts: list[dict] = field(default_factory=list)
    false_facts: list[dict] = field(default_factory=list)
    gold_names: dict[str, str] = field(default_factory=dict)
    predicted_names: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    """Scores over a set of documents, with per-document errors for explaining them."""

    entities: dict[str, Counts] = field(default_factory=dict)
    facts: dict[str, Counts] = field(default_factory=dict)
    amounts: AmountCounts = field(default_factory=AmountCounts)
    documents: list[DocumentDetail] = field(default_factory=list)
    ignored_documents: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The scores as plain JSON data (the per-document detail is left out)."""
        entities = {
            **_micro(self.entities.values()).to_json(),
            "by_type": {name: self.entities[name].to_json() for name in sorted(self.entities)},
        }
        facts = {
            **_micro(self.facts.values()).to_json(),
            "by_relation": {name: self.facts[name].to_json() for name in sorted(self.facts)},
            "amounts": self.amounts.to_json(),
        }
        return {"entities": entities, "facts": facts, "documents": len(self.documents)}


# --------------------------------------------------------------------------
# Matching


def _augment(adjacency: list[list[int]], match_right: list[int]) -> list[int]:
    """Grow a matching to a maximum one with Kuhn's augmenting paths.

    ``adjacency[left]`` lists the right vertices ``left`` may take, in order of
    preference; ``match_right[right]`` is the left vertex holding ``right``, or
    -1. Starting from a given matching lets the caller first match on
    preferred edges only. Augmenting never unmatches a vertex, so the result is
    a maximum matching whatever it started from.
    """
    match_right = list(match_right)

    def take(left: int, visited: set[int]) -> bool:
        for right in adjacency[left]:
            if right in visited:
                continue
            visited.add(right)
            if match_right[right] == -1 or take(match_right[right], visited):
                match_right[right] = left
                return True
        return False

    matched = set(match_right)
    for left in range(len(adjacency)):
        if left not in matched:
            take(left, set())
    return match_right


def _labels(entity: dict) -> set[str]:
    return {fold(entity["name"]), *(fold(alias) for alias in entity.get("aliases", []))}


def _match_entities(gold: list[dict], predicted: list[dict]) -> list[int]:
    """Match predicted to gold entities one to one; return gold index per predicted (-1: none).

    The matching is of maximum size, so one good label cannot be counted
    twice and a duplicate prediction is a false positive. Edges whose names are
    equal are matched first and alias edges only then fill in, because the
    matching decides which gold key a predicted key stands for, and so whether
    its facts match. This is a preference, not an optimum: an augmenting path
    may still trade an equal-name edge for a larger matching.
    """
    gold_labels = [_labels(entity) for entity in gold]
    predicted_labels = [_labels(entity) for entity in predicted]
    exact: list[list[int]] = []
    full: list[list[int]] = []
    for g, gold_entity in enumerate(gold):
        same_type = [
            p for p, entity in enumerate(predicted) if entity["type"] == gold_entity["type"]
        ]
        named = [p for p in same_type if fold(predicted[p]["name"]) == fold(gold_entity["name"])]
        aliased = [p for p in same_type if p not in named and gold_labels[g] & predicted_labels[p]]
        exact.append(named)
        full.append(named + aliased)
    return _augment(full, _augment(exact, [-1] * len(predicted)))


def _number(value: Any) -> float | None:
    """A JSON value as a number, or None.

    Numeric strings are accepted because an extractor may serialise numbers as
    text; booleans are not numbers here although Python says they are.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _numbers_equal(gold: Any, predicted: Any) -> bool:
    gold_number, predicted_number = _number(gold), _number(predicted)
    if gold_number is None or predicted_number is None:
        return False
    return abs(gold_number - predicted_number) < NUMERIC_TOLERANCE


def _date_matches(gold: Any, predicted: Any) -> bool:
    """A date is right when it agrees with the gold to the precision the gold gives.

    "2023-12-31" is right for a gold "2023" (the extractor was more precise
    than the text needed), "2022-09" is not right for "2022-09-30" (it says
    less than the text does).
    """
    if gold == predicted:
        return True
    if not (isinstance(gold, str) and isinstance(predicted, str)):
        return False
    if not (_DATE.fullmatch(gold) and _DATE.fullmatch(predicted)):
        return False
    return predicted.startswith(gold)


@dataclass(frozen=True)
class _Fact:
    """A fact with its subject and object translated to gold keys (None: unmatched)."""

    relation: str
    subject: str | None
    object: str | None
    raw: dict

    def matches(self, gold: _Fact) -> bool:
        if self.relation != gold.relation or self.subject != gold.subject:
            return False
        if self.relation in NUMERIC_RELATIONS:
            return _numbers_equal(gold.raw.get("value"), self.raw.get("value"))
        if self.relation in DATE_RELATIONS:
            return _date_matches(gold.raw.get("value"), self.raw.get("value"))
        return self.object is not None and self.object == gold.object


def _resolve_facts(facts: list[dict], resolve: Callable[[Any], str | None]) -> list[_Fact]:
    """Translate keys, drop repeated facts and sort, so that counts are stable.

    A fact stated twice is one fact: the extractor often reads the same
    statement from two sentences. Keys that do not resolve keep their own
    identity, so two different wrong subjects stay two false positives.
    """
    unique: dict[str, _Fact] = {}
    for raw in facts:
        relation = raw["relation"]
        subject = resolve(raw["subject"])
        obj = None if relation in VALUE_RELATIONS else resolve(raw.get("object"))
        if relation in NUMERIC_RELATIONS:
            value: Any = _number(raw.get("value"))
            if value is None:
                value = raw.get("value")
        elif relation in DATE_RELATIONS:
            value = raw.get("value")
        else:
            value = None
        identity = json.dumps(
            [
                relation,
                subject if subject is not None else ["unmatched", raw["subject"]],
                obj if obj is not None else ["unmatched", raw.get("object")],
                value,
            ],
            ensure_ascii=False,
            sort_keys=True,
        )
        unique.setdefault(identity, _Fact(relation, subject, obj, raw))
    return [unique[identity] for identity in sorted(unique)]


# --------------------------------------------------------------------------
# Scoring


def _count(table: dict[str, Counts], name: str) -> Counts:
    return table.setdefault(name, Counts())


def _score_document(name: str, gold: dict, predicted: dict | None, report: Report) -> None:
    """Add one document's counts to ``report`` and record its errors."""
    gold_entities = sorted(gold["entities"], key=lambda entity: (entity["key"], entity["type"]))
    predicted_doc = predicted if predicted is not None else {"entities": [], "facts": []}
    predicted_entities = sorted(
        predicted_doc["entities"], key=lambda entity: (entity["key"], entity["type"])
    )
    detail = DocumentDetail(
        document=name,
        predicted=predicted is not None,
        gold_names={entity["key"]: entity["name"] for entity in gold_entities},
        # Reversed, so that with a repeated key the first entity names it, as in key_map.
        predicted_names={entity["key"]: entity["name"] for entity in reversed(predicted_entities)},
    )

    matched_gold = _match_entities(gold_entities, predicted_entities)
    key_map: dict[str, str] = {}
    for p, g in enumerate(matched_gold):
        entity = predicted_entities[p]
        if g == -1:
            _count(report.entities, entity["type"]).fp += 1
            detail.false_entities.append(entity)
        else:
            _count(report.entities, entity["type"]).tp += 1
            key_map.setdefault(entity["key"], gold_entities[g]["key"])
    taken = set(matched_gold)
    for g, entity in enumerate(gold_entities):
        if g not in taken:
            _count(report.entities, entity["type"]).fn += 1
            detail.missed_entities.append(entity)

    gold_facts = _resolve_facts(gold["facts"], lambda key: key)
    predicted_facts = _resolve_facts(predicted_doc["facts"], key_map.get)
    adjacency = [
        [p for p, fact in enumerate(predicted_facts) if fact.matches(gold_fact)]
        for gold_fact in gold_facts
    ]
    matched_fact = _augment(adjacency, [-1] * len(predicted_facts))
    gold_to_predicted = {g: p for p, g in enumerate(matched_fact) if g != -1}
    for p, fact in enumerate(predicted_facts):
        if matched_fact[p] == -1:
            _count(report.facts, fact.relation).fp += 1
            detail.false_facts.append(fact.raw)
        else:
            _count(report.facts, fact.relation).tp += 1
    for g, fact in enumerate(gold_facts):
        if g not in gold_to_predicted:
            _count(report.facts, fact.relation).fn += 1
            detail.missed_facts.append(fact.raw)
        if fact.relation == "funds" and _number(fact.raw.get("amount_eur")) is not None:
            report.amounts.gold_with_amount += 1
            if g in gold_to_predicted:
                report.amounts.matched_with_amount += 1
                guess = predicted_facts[gold_to_predicted[g]].raw.get("amount_eur")
                if _numbers_equal(fact.raw["amount_eur"], guess):
                    report.amounts.amount_correct += 1
    report.documents.append(detail)


def score(gold: dict[str, dict], predicted: dict[str, dict]) -> Report:
    """Score ``predicted`` against ``gold``; both are keyed by document name.

    A gold document without a prediction counts all its items as missed (an
    extractor that crashes on a document must not look better for it); a
    predicted document without gold cannot be judged and is only listed.
    """
    report = Report()
    for name in sorted(gold):
        _score_document(name, gold[name], predicted.get(name), report)
    report.ignored_documents = sorted(name for name in predicted if name not in gold)
    return report


# --------------------------------------------------------------------------
# Text output


def format_report(report: Report) -> str:
    """A plain-text table of tp, fp, fn, precision, recall and F1 per category."""
    sections = [("entities", report.entities), ("facts", report.facts)]
    totals = [(f"{title} (all)", _micro(table.values())) for title, table in sections]
    labels = [f"  {name}" for _, table in sections for name in table] + [t for t, _ in totals]
    width = max(len(label) for label in labels) + 2
    header = f"{'':<{width}}{'tp':>6}{'fp':>6}{'fn':>6}{'precision':>11}{'recall':>9}{'f1':>9}"

    def row(label: str, counts: Counts) -> str:
        return (
            f"{label:<{width}}{counts.tp:>6}{counts.fp:>6}{counts.fn:>6}"
            f"{counts.precision:>11.3f}{counts.recall:>9.3f}{counts.f1:>9.3f}"
        )

    lines = [header]
    for title, table in sections:
        lines.append(title)
        lines += [row(f"  {name}", table[name]) for name in sorted(table)]
    lines.append("-" * len(header))
    lines += [row(label, counts) for label, counts in totals]
    amounts = report.amounts
    lines += [
        "",
        f"funds amounts: {amounts.gold_with_amount} in gold, "
        f"{amounts.matched_with_amount} on matched facts, {amounts.amount_correct} correct",
        f"documents: {len(report.documents)}",
    ]
    return "\n".join(lines)


def _one_line(text: Any) -> str:
    return _WHITESPACE.sub(" ", str(text)).strip()


def _evidence(item: dict) -> str:
    """The extractor's evidence for an item, so a false positive can be traced to its rule."""
    evidence = item.get("evidence")
    if not isinstance(evidence, dict):
        return ""
    parts = []
    if evidence.get("rule") is not None:
        parts.append(f"rule: {_one_line(evidence['rule'])}")
    if evidence.get("sentence") is not None:
        parts.append(f"sentence: {json.dumps(_one_line(evidence['sentence']), ensure_ascii=False)}")
    return f"  [{'; '.join(parts)}]" if parts else ""


def _entity_text(entity: dict) -> str:
    text = f"{entity['type']} {json.dumps(entity['name'], ensure_ascii=False)}"
    aliases = entity.get("aliases") or []
    if aliases:
        text += f" (aliases: {', '.join(_one_line(alias) for alias in aliases)})"
    return text


def _fact_text(fact: dict, names: dict[str, str]) -> str:
    def label(key: Any) -> str:
        return _one_line(names.get(key, key)) if isinstance(key, str) else str(key)

    relation = fact["relation"]
    if relation in VALUE_RELATIONS:
        text = f"{relation}: {label(fact['subject'])} = {fact.get('value')}"
    else:
        text = f"{relation}: {label(fact['subject'])} -> {label(fact.get('object'))}"
    extras = [f"{name}={fact[name]}" for name in ("amount_eur", "share_percent") if name in fact]
    if extras:
        text += f" ({', '.join(extras)})"
    return text


def format_explain(report: Report) -> str:
    """List, per document, what was missed and what was wrongly extracted."""
    lines = [
        f"warning: predicted document {name!r} has no gold; ignored"
        for name in report.ignored_documents
    ]
    for detail in report.documents:
        lines.append(f"== {detail.document} ==")
        if not detail.predicted:
            lines.append("  no prediction for this document: everything in it is missed")
        lines += [f"  missed entity: {_entity_text(e)}" for e in detail.missed_entities]
        lines += [
            f"  false entity:  {_entity_text(e)}{_evidence(e)}" for e in detail.false_entities
        ]
        lines += [
            f"  missed fact:   {_fact_text(f, detail.gold_names)}" for f in detail.missed_facts
        ]
        lines += [
            f"  false fact:    {_fact_text(f, detail.predicted_names)}{_evidence(f)}"
            for f in detail.false_facts
        ]
        if not (
            detail.missed_entities
            or detail.false_entities
            or detail.missed_facts
            or detail.false_facts
        ):
            lines.append("  no errors")
    return "\n".join(lines)
