"""Tests for kg.scoring: the yardstick must be right before anything is measured with it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from kg.scoring import fold, format_explain, format_report, load_documents, score
from tests.conftest import require_dev_corpus


def entity(key: str, type_: str, name: str, *aliases: str, **extra: object) -> dict:
    return {"key": key, "type": type_, "name": name, "aliases": list(aliases), **extra}


def doc(name: str, entities: list[dict], facts: list[dict]) -> dict:
    return {"document": name, "entities": entities, "facts": facts}


def run(gold_doc: dict, predicted_doc: dict) -> dict:
    """Score a single document and return the JSON report."""
    gold = {gold_doc["document"]: gold_doc}
    return score(gold, {predicted_doc["document"]: predicted_doc}).to_json()


def tp_fp_fn(part: dict) -> tuple[int, int, int]:
    return part["tp"], part["fp"], part["fn"]


def amounts(gold_with_amount: int, matched_with_amount: int, amount_correct: int) -> dict:
    return {
        "gold_with_amount": gold_with_amount,
        "matched_with_amount": matched_with_amount,
        "amount_correct": amount_correct,
    }


PROJECT = entity("p", "Project", "Työllisyyden palvelutori")
GOLD_ORG = entity("xamk", "Organisation", "Kaakkois-Suomen ammattikorkeakoulu", "Xamk")


# --- fold and entity matching ------------------------------------------------


def test_fold_folds_case_dashes_soft_hyphens_and_whitespace() -> None:
    assert fold("  Etelä\u2013Savon\u00a0 MAAKUNTA\u00adLIITTO\n") == "etelä-savon maakuntaliitto"
    assert fold("Blendi \u2014 Osallisuutta") == "blendi - osallisuutta"
    assert fold("Etelä-Savo") != fold("Etelä Savo")


@pytest.mark.parametrize(
    "label",
    [
        "XAMK",
        "  xamk ",
        "kaakkois\u2013suomen   AMMATTIKORKEAKOULU",
        "Kaakkois-Suo\u00admen ammattikorkeakoulu",
    ],
)
def test_entity_matches_on_name_or_alias_after_folding(label: str) -> None:
    predicted = doc("d.txt", [entity("e1", "Organisation", label)], [])
    result = run(doc("d.txt", [GOLD_ORG], []), predicted)["entities"]
    assert tp_fp_fn(result) == (1, 0, 0)


def test_predicted_alias_can_match_gold_alias() -> None:
    predicted = doc("d.txt", [entity("e1", "Organisation", "Xamk Oy", "XAMK")], [])
    result = run(doc("d.txt", [GOLD_ORG], []), predicted)["entities"]
    assert result["tp"] == 1


def test_entity_of_wrong_type_does_not_match() -> None:
    predicted = doc("d.txt", [entity("e1", "Project", "Xamk")], [])
    result = run(doc("d.txt", [GOLD_ORG], []), predicted)["entities"]
    assert tp_fp_fn(result) == (0, 1, 1)
    assert result["by_type"]["Project"]["fp"] == 1
    assert result["by_type"]["Organisation"]["fn"] == 1


def test_entity_matching_is_one_to_one() -> None:
    predicted = doc(
        "d.txt",
        [entity("e1", "Organisation", "Xamk"), entity("e2", "Organisation", "xamk")],
        [],
    )
    result = run(doc("d.txt", [GOLD_ORG], []), predicted)["entities"]
    assert tp_fp_fn(result) == (1, 1, 0)
    assert result["precision"] == 0.5 and result["recall"] == 1.0
    assert result["f1"] == pytest.approx(2 / 3)


def test_matching_is_maximum_not_greedy() -> None:
    # e1 could take either gold entity; a greedy match of e1 to "a" would leave e2 unmatched.
    gold = doc(
        "d.txt",
        [entity("a", "Organisation", "Alfa", "AB"), entity("b", "Organisation", "Beta")],
        [],
    )
    predicted = doc(
        "d.txt",
        [entity("e1", "Organisation", "AB", "Beta"), entity("e2", "Organisation", "Alfa")],
        [],
    )
    result = run(gold, predicted)["entities"]
    assert tp_fp_fn(result) == (2, 0, 0)


def test_matching_prefers_equal_names_which_decides_facts() -> None:
    # The prediction "A" could stand for gold "Alfa" (alias A) or gold "A"; it is "A",
    # although "Alfa" has the key that sorts first.
    gold = doc(
        "d.txt",
        [entity("g1", "Organisation", "Alfa", "A"), entity("g2", "Organisation", "A"), PROJECT],
        [{"relation": "administers", "subject": "g2", "object": "p"}],
    )
    predicted = doc(
        "d.txt",
        [entity("e1", "Organisation", "A"), entity("e2", "Project", "Työllisyyden palvelutori")],
        [{"relation": "administers", "subject": "e1", "object": "e2"}],
    )
    result = run(gold, predicted)
    assert result["facts"]["tp"] == 1
    assert result["entities"]["by_type"]["Organisation"] == {
        "precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "tp": 1, "fp": 0, "fn": 1,
    }


# --- facts ---------------------------------------------------------------------


def value_case(relation: str, gold_value: object, predicted_value: object) -> dict:
    gold = doc("d.txt", [PROJECT], [{"relation": relation, "subject": "p", "value": gold_value}])
    predicted = doc(
        "d.txt",
        [entity("x", "Project", "työllisyyden palvelutori")],
        [{"relation": relation, "subject": "x", "value": predicted_value}],
    )
    return run(gold, predicted)["facts"]


@pytest.mark.parametrize(
    ("gold_value", "predicted_value", "matches"),
    [
        ("2023", "2023-12-31", True),
        ("2023", "2023-05", True),
        ("2022-09", "2022-09-30", True),
        ("2022-09-30", "2022-09-30", True),
        ("2022-09-30", "2022-09", False),
        ("2022-09-30", "2022", False),
        ("2022-09", "2022-10-01", False),
        ("2023", "2024-01-01", False),
        ("2023", "20231", False),
    ],
)
def test_date_matches_to_the_precision_of_the_gold(
    gold_value: str, predicted_value: str, matches: bool
) -> None:
    for relation in ("start_date", "end_date"):
        facts = value_case(relation, gold_value, predicted_value)
        expected = (1, 0, 0) if matches else (0, 1, 1)
        assert tp_fp_fn(facts) == expected, relation


@pytest.mark.parametrize(
    ("predicted_value", "matches"),
    [(3607696, True), (3607696.4, True), (3607695.6, True), (3607696.5, False), (3607695, False)],
)
def test_total_cost_matches_within_half_a_euro(predicted_value: float, matches: bool) -> None:
    facts = value_case("total_cost", 3607696, predicted_value)
    assert facts["tp"] == (1 if matches else 0)
    assert facts["fp"] == facts["fn"] == (0 if matches else 1)


def funds_docs(
    predicted_subject: str = "e1", predicted_facts: list[dict] | None = None
) -> tuple[dict, dict]:
    gold = doc(
        "d.txt",
        [entity("esr", "Funding", "Euroopan sosiaalirahasto", "ESR"), PROJECT],
        [{"relation": "funds", "subject": "esr", "object": "p", "amount_eur": 2886158}],
    )
    predicted = doc(
        "d.txt",
        [
            entity("e1", "Funding", "ESR"),
            entity("e2", "Project", "Työllisyyden palvelutori"),
            entity("e3", "Funding", "Erasmus+"),
        ],
        predicted_facts
        if predicted_facts is not None
        else [{"relation": "funds", "subject": predicted_subject, "object": "e2"}],
    )
    return gold, predicted


def test_fact_matches_through_entity_matching() -> None:
    facts = run(*funds_docs())["facts"]
    assert tp_fp_fn(facts) == (1, 0, 0)
    assert facts["by_relation"]["funds"]["f1"] == 1.0


def test_fact_with_unmatched_subject_is_false_positive() -> None:
    facts = run(*funds_docs(predicted_subject="e3"))["facts"]
    assert tp_fp_fn(facts) == (0, 1, 1)


def test_fact_with_wrong_relation_does_not_match() -> None:
    gold, predicted = funds_docs(
        predicted_facts=[{"relation": "administers", "subject": "e1", "object": "e2"}]
    )
    facts = run(gold, predicted)["facts"]
    assert facts["by_relation"]["administers"]["fp"] == 1
    assert facts["by_relation"]["funds"]["fn"] == 1


def test_identical_predicted_facts_count_once() -> None:
    fact = {"relation": "funds", "subject": "e1", "object": "e2"}
    facts = run(*funds_docs(predicted_facts=[fact, dict(fact)]))["facts"]
    assert tp_fp_fn(facts) == (1, 0, 0)


def test_each_gold_fact_is_matched_at_most_once() -> None:
    gold = doc("d.txt", [PROJECT], [{"relation": "start_date", "subject": "p", "value": "2023"}])
    predicted = doc(
        "d.txt",
        [entity("x", "Project", "Työllisyyden palvelutori")],
        [
            {"relation": "start_date", "subject": "x", "value": "2023-01-01"},
            {"relation": "start_date", "subject": "x", "value": "2023-02-01"},
        ],
    )
    facts = run(gold, predicted)["facts"]
    assert tp_fp_fn(facts) == (1, 1, 0)


def test_amounts_are_reported_but_do_not_decide_the_match() -> None:
    wrong = [{"relation": "funds", "subject": "e1", "object": "e2", "amount_eur": 1000}]
    facts = run(*funds_docs(predicted_facts=wrong))["facts"]
    assert facts["tp"] == 1
    assert facts["amounts"] == amounts(1, 1, 0)

    right = [{"relation": "funds", "subject": "e1", "object": "e2", "amount_eur": 2886158.2}]
    facts = run(*funds_docs(predicted_facts=right))["facts"]
    assert facts["amounts"] == amounts(1, 1, 1)

    facts = run(*funds_docs(predicted_subject="e3"))["facts"]
    assert facts["amounts"] == amounts(1, 0, 0)


# --- documents and report ------------------------------------------------------


def test_missing_document_counts_everything_as_false_negative() -> None:
    gold, _ = funds_docs()
    report = score({"d.txt": gold}, {})
    result = report.to_json()
    assert tp_fp_fn(result["entities"]) == (0, 0, 2)
    assert tp_fp_fn(result["facts"]) == (0, 0, 1)
    assert result["entities"]["precision"] == result["entities"]["f1"] == 0.0
    assert result["documents"] == 1
    assert "no prediction for this document" in format_explain(report)


def test_predicted_document_without_gold_is_ignored_with_a_warning() -> None:
    gold, predicted = funds_docs()
    extra = doc("other.txt", [entity("o", "Organisation", "Diak")], [])
    report = score({"d.txt": gold}, {"d.txt": predicted, "other.txt": extra})
    result = report.to_json()
    assert result["documents"] == 1
    assert result["entities"]["by_type"]["Funding"]["fp"] == 1  # only Erasmus+ in d.txt
    assert "Organisation" not in result["entities"]["by_type"]
    assert "other.txt" in format_explain(report).splitlines()[0]


def test_to_json_shape() -> None:
    result = run(*funds_docs())
    metric_keys = {"precision", "recall", "f1", "tp", "fp", "fn"}
    assert set(result) == {"entities", "facts", "documents"}
    assert set(result["entities"]) == metric_keys | {"by_type"}
    assert set(result["facts"]) == metric_keys | {"by_relation", "amounts"}
    assert set(result["entities"]["by_type"]) == {"Funding", "Project"}
    assert set(result["facts"]["by_relation"]) == {"funds"}
    by_type, by_relation = result["entities"]["by_type"], result["facts"]["by_relation"]
    for counts in [*by_type.values(), *by_relation.values()]:
        assert set(counts) == metric_keys
    json.dumps(result)  # plain JSON data


def test_empty_score_has_zero_metrics() -> None:
    result = score({}, {}).to_json()
    assert result["entities"] == {
        "precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 0, "fn": 0, "by_type": {},
    }
    assert result["documents"] == 0


def test_format_report_has_rows_and_totals() -> None:
    text = format_report(score(*[{"d.txt": d} for d in funds_docs()]))
    lines = text.splitlines()
    funding = next(line for line in lines if line.strip().startswith("Funding"))
    assert funding.split()[1:] == ["1", "1", "0", "0.500", "1.000", "0.667"]
    assert any(line.startswith("entities (all)") and "0.667" in line for line in lines)
    assert any(line.startswith("facts (all)") and line.endswith("1.000") for line in lines)


def test_format_explain_lists_errors_with_evidence() -> None:
    gold, predicted = funds_docs(
        predicted_facts=[
            {
                "relation": "funds",
                "subject": "e3",
                "object": "e2",
                "evidence": {"sentence": "Erasmus+\nrahoittaa hanketta.", "rule": "funds-verb"},
            }
        ]
    )
    predicted["entities"][2]["evidence"] = {"sentence": "Erasmus+ ...", "rule": "ner"}
    text = format_explain(score({"d.txt": gold}, {"d.txt": predicted}))
    assert "missed fact:   funds: Euroopan sosiaalirahasto -> Työllisyyden palvelutori" in text
    false_fact = next(line for line in text.splitlines() if "false fact" in line)
    assert "Erasmus+ -> Työllisyyden palvelutori" in false_fact
    assert 'rule: funds-verb; sentence: "Erasmus+ rahoittaa hanketta."' in false_fact
    assert any("false entity" in line and "rule: ner" in line for line in text.splitlines())


# --- loading and the real gold ---------------------------------------------------


def test_load_documents_keys_by_document_field(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(json.dumps(doc("first.txt", [], [])), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not json", encoding="utf-8")
    assert list(load_documents(tmp_path)) == ["first.txt"]


def test_load_documents_names_file_with_broken_json(tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text(json.dumps(doc("good.txt", [], [])), encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"document": "b.txt", "entities": [', encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json.*not valid JSON"):
        load_documents(tmp_path)


def test_load_documents_names_file_without_facts(tmp_path: Path) -> None:
    (tmp_path / "nofacts.json").write_text(
        json.dumps({"document": "n.txt", "entities": []}), encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"nofacts\.json.*\"facts\""):
        load_documents(tmp_path)


def renamed(gold_doc: dict) -> dict:
    """The gold document with other keys, reversed lists and a folded spelling of each name.

    Scoring this against the gold tests the matching itself, not key equality.
    """
    new_key = {e["key"]: f"k{i}" for i, e in enumerate(gold_doc["entities"])}
    predicted = copy.deepcopy(gold_doc)
    for e in predicted["entities"]:
        e["key"] = new_key[e["key"]]
        e["name"] = e["name"].upper()
    for f in predicted["facts"]:
        f["subject"] = new_key[f["subject"]]
        if "object" in f:
            f["object"] = new_key[f["object"]]
    predicted["entities"].reverse()
    predicted["facts"].reverse()
    return predicted


def test_dev_gold_scored_against_itself_is_perfect() -> None:
    gold = load_documents(require_dev_corpus())
    assert gold
    for name, gold_doc in gold.items():
        for predicted_doc in (gold_doc, renamed(gold_doc)):
            result = score({name: gold_doc}, {name: predicted_doc}).to_json()
            for part in ("entities", "facts"):
                for metric in ("precision", "recall", "f1"):
                    assert result[part][metric] == 1.0, (name, part, metric)
    whole = score(gold, gold).to_json()
    assert whole["documents"] == len(gold)
    assert whole["facts"]["f1"] == whole["entities"]["f1"] == 1.0
