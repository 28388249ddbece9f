"""The `kg` command as a person uses it: exit codes and messages."""

import json
import subprocess
import sys

from kg.settings import REPO_ROOT


def kg(*args, cwd=REPO_ROOT):
    return subprocess.run([sys.executable, "-m", "kg.cli", "--no-progress", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_query_formats(bundled_build):
    out, _ = bundled_build
    q = str(REPO_ROOT / "queries" / "funding_per_funder.rq")
    r = kg("query", q, "--data", str(out), "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["results"]["bindings"]  # SPARQL 1.1 JSON results
    assert any(row["name"]["value"] == "Euroopan sosiaalirahasto" for row in rows)
    r = kg("query", q, "--data", str(out), "--format", "csv")
    assert r.stdout.splitlines()[0] == "funder,name,projects,grantsWithAmount,euros"


def test_query_syntax_error_names_the_file(tmp_path, bundled_build):
    out, _ = bundled_build
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE { ?x ?y }", encoding="utf-8")
    r = kg("query", str(bad), "--data", str(out))
    assert r.returncode == 2 and "bad.rq" in r.stderr


def test_query_without_data_says_what_to_do(tmp_path):
    r = kg("query", "--query", "SELECT * WHERE { ?s ?p ?o }", "--data", str(tmp_path))
    assert r.returncode == 2 and "kg build" in r.stderr


def test_build_with_a_bad_file_goes_on_and_says_so(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("Hanketta hallinnoi Diakonia-ammattikorkeakoulu.",
                                   encoding="utf-8")
    (docs / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    r = kg("build", str(docs), "--out", str(out))
    assert r.returncode == 3  # built, with something skipped
    assert "empty.txt" in r.stderr and "empty file" in r.stderr
    assert (out / "hankegraph.ttl").is_file()


def test_evaluate_json_and_predictions(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    src = REPO_ROOT.parent / "shared" / "corpus" / "dev"
    for stem in ("003_001a1b6c210e028d",):
        for ext in (".txt", ".json"):
            (gold / f"{stem}{ext}").write_bytes((src / f"{stem}{ext}").read_bytes())
    preds = tmp_path / "preds"
    r = kg("evaluate", "--gold", str(gold), "--json", "--predictions", str(preds))
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert set(report) >= {"entities", "facts"}
    assert set(report["entities"]) >= {"precision", "recall", "f1", "by_type"}
    assert "by_relation" in report["facts"]
    written = json.loads((preds / "003_001a1b6c210e028d.json").read_text(encoding="utf-8"))
    assert written["document"] == "003_001a1b6c210e028d.txt"
    assert any(e["name"] == "Osaava työikä" for e in written["entities"])


def test_folder_notes_are_not_documents(tmp_path):
    from kg.ingest import find_files

    (tmp_path / "a.txt").write_text("teksti", encoding="utf-8")
    (tmp_path / "SOURCES.md").write_text("# lähteet", encoding="utf-8")
    (tmp_path / "README.md").write_text("# luevaminut", encoding="utf-8")
    assert [p.name for p in find_files([tmp_path])] == ["a.txt"]
    assert [p.name for p in find_files([tmp_path / "SOURCES.md"])] == ["SOURCES.md"]
