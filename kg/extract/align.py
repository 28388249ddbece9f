"""Alignment of gold annotations to a reading's candidates: the training labels.

Gold names are nominative and carry no offsets. The finders already give
each candidate its nominative name (Voikko's base form of the head word), so a
candidate entity aligns with a gold entity exactly as the scorer would match
them (kg.scoring: same type, a shared name or alias after folding); a proposal's
name variants are labelled the same way in kg.extract.train. What cannot be aligned is
reported with its reason, so a researcher training on their own annotations
sees how much of their gold the candidates could reach.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kg.authority import fold
from kg.extract.candidates import Reading
from kg.model import VALUE_RELATIONS
from kg.scoring import _match_entities


@dataclass
class Alignment:
    """Group key → gold entity key, and what of the gold it reaches."""

    gold_of: dict[str, str]  # reading group key -> gold entity key
    gold_facts: set[tuple[str, str, str]]  # (relation, gold subject, gold object)
    entities_total: int = 0
    entities_aligned: int = 0
    facts_total: int = 0
    facts_aligned: int = 0
    why_not: Counter = field(default_factory=Counter)


def group_dicts(reading: Reading) -> list[dict]:
    return [{"key": g.key, "type": g.type.value, "name": g.name, "aliases": g.names}
            for g in reading.groups.values()]


def align(reading: Reading, gold: dict) -> Alignment:
    predicted = sorted(group_dicts(reading), key=lambda e: (e["key"], e["type"]))
    gold_entities = sorted(gold["entities"], key=lambda e: (e["key"], e["type"]))
    matched = _match_entities(gold_entities, predicted)
    gold_of = {predicted[p]["key"]: gold_entities[g]["key"]
               for p, g in enumerate(matched) if g >= 0}
    reached = set(gold_of.values())
    # for training labels, a second candidate entity with a gold entity's name (an
    # acronym the finders kept apart) stands for it too; scoring matches one to one
    names = {}
    for e in gold_entities:
        for n in (e["name"], *e.get("aliases", [])):
            names.setdefault((e["type"], fold(n)), e["key"])
    for p in predicted:
        if p["key"] not in gold_of:
            hit = next((names[(p["type"], fold(n))] for n in p["aliases"]
                        if (p["type"], fold(n)) in names), None)
            if hit is not None:
                gold_of[p["key"]] = hit
    a = Alignment(gold_of, set())
    a.entities_total = len(gold_entities)
    a.entities_aligned = len(reached)
    text = fold(reading.document.text)
    for e in gold_entities:
        if e["key"] in reached:
            continue
        names = [e["name"], *e.get("aliases", [])]
        if any(fold(n) in {fold(x) for p in predicted if p["type"] != e["type"]
                           for x in p["aliases"]} for n in names):
            a.why_not[f"entity {e['type']}: found with another type"] += 1
        elif any(fold(n) in text for n in names):
            a.why_not[f"entity {e['type']}: in the text, no candidate has its name"] += 1
        else:
            a.why_not[f"entity {e['type']}: only inflected or split in the text"] += 1
    for fact in gold["facts"]:
        rel = fact["relation"]
        a.facts_total += 1
        if rel in VALUE_RELATIONS:
            if fact["subject"] in reached:
                a.facts_aligned += 1
            else:
                a.why_not[f"fact {rel}: subject not aligned"] += 1
            continue
        a.gold_facts.add((rel, fact["subject"], fact.get("object")))
        if fact["subject"] in reached and fact.get("object") in reached:
            a.facts_aligned += 1
        else:
            a.why_not[f"fact {rel}: an end not aligned"] += 1
    return a

