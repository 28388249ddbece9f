"""Every research question in queries/ states its question and answers it on
the bundled corpus."""

from pathlib import Path

import pytest

from kg.settings import REPO_ROOT
from kg.store import select

QUERIES = sorted((REPO_ROOT / "queries").glob("*.rq"))


def run(store, name: str):
    return select(store, (REPO_ROOT / "queries" / name).read_text(encoding="utf-8"))


def test_there_are_at_least_six_questions():
    assert len(QUERIES) >= 6


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_each_query_states_its_question_and_runs(path: Path, bundled_store):
    header = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("#")]
    assert header and "?" in " ".join(header), f"{path.name}: header must ask the question"
    assert select(bundled_store, path.read_text(encoding="utf-8")).rows, f"{path.name}: no rows"


def test_organisations_by_projects(bundled_store):
    t = run(bundled_store, "organisations_by_projects.rq")
    top = t.as_dicts()[0]
    # Kuopio co-implements PARASTA ITÄÄ! and applies for Työllisyyden palvelutori
    assert (top["name"], top["projects"]) == ("Kuopio", "2")
    names = [r["name"] for r in t.as_dicts()]
    assert "Kaakkois-Suomen ammattikorkeakoulu" in names
    assert "Pohjois-Savo" not in names  # regions are partners, not organisations


def test_funders_of_projects(bundled_store):
    rows = {(r["funderName"], r["projectName"]): (r["amount"], r["share"])
            for r in run(bundled_store, "funders_of_projects.rq").as_dicts()}
    assert rows[("Euroopan sosiaalirahasto", "Työllisyyden palvelutori")] == ("2886158", "80")
    assert rows[("Euroopan sosiaalirahasto", "Vetovoimaa Kansainvälisistä Osaajista")] == (
        "719998", "80")
    assert ("Työ- ja elinkeinoministeriö", "PARASTA ITÄÄ!") in rows
    assert ("Kymenlaakson liitto", "PARASTA ITÄÄ!") in rows


def test_collaboration_pairs(bundled_store):
    rows = run(bundled_store, "collaboration_pairs.rq").as_dicts()
    pairs = {(r["nameA"], r["nameB"]) for r in rows}
    assert ("Kaakkois-Suomen ammattikorkeakoulu", "LAB-ammattikorkeakoulu") in pairs
    # each unordered pair once
    assert not any((b, a) in pairs for a, b in pairs)


def test_projects_per_area(bundled_store):
    rows = {r["name"]: r for r in run(bundled_store, "projects_per_area.rq").as_dicts()}
    assert rows["Varkaus"]["code"] == "915" and rows["Varkaus"]["kind"] == "municipality"
    assert rows["Pohjois-Savo"]["code"] == "11" and rows["Pohjois-Savo"]["kind"] == "region"


def test_funding_per_funder(bundled_store):
    rows = {r["name"]: r for r in run(bundled_store, "funding_per_funder.rq").as_dicts()}
    esf = rows["Euroopan sosiaalirahasto"]
    assert esf["euros"] == str(2886158 + 719998) and esf["projects"] == "2"


def test_projects_active_in_2023(bundled_store):
    names = {r["name"] for r in run(bundled_store, "projects_active_in_year.rq").as_dicts()}
    assert "PARASTA ITÄÄ!" in names  # runs to the end of 2023
    assert "Osaava työikä" not in names  # 2025–2026
    assert "Monipaikkaisuus ja liikkuvat palvelut Etelä-Savossa" not in names  # 2022


def test_evidence(bundled_store):
    rows = run(bundled_store, "evidence.rq").as_dicts()
    r = next(r for r in rows if r["subjectName"] == "Kaakkois-Suomen ammattikorkeakoulu")
    assert r["file"] == "002_6b060d06805232de.txt"
    assert "XAMK toimii projektin hallinnoijana" in r["sentence"]
