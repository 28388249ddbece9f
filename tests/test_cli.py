"""The `kg` command as a person uses it: exit codes and messages."""

import json
import subprocess
import sys

from kg.settings import REPO_ROOT
from tests.conftest import require_dev_corpus


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
    src = require_dev_corpus()
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


def test_version_is_the_packages():
    import importlib.metadata

    import kg as package

    r = kg("--version")
    assert r.returncode == 0
    assert r.stdout.strip() == f"kg {package.__version__}"
    assert importlib.metadata.version("hankegraph") == package.__version__


def test_global_options_before_or_after_the_command():
    from kg.cli import _settings, parser

    for argv in (["--base-iri", "https://example.org/x/", "--no-progress", "query", "a.rq"],
                 ["query", "a.rq", "--base-iri", "https://example.org/x/", "--no-progress"],
                 ["--no-progress", "explain", "Kuopio", "--base-iri", "https://example.org/x/"]):
        settings = _settings(parser().parse_args(argv))
        assert settings.base_iri == "https://example.org/x/" and settings.progress is False
    untouched = _settings(parser().parse_args(["query", "a.rq"]))
    assert untouched.base_iri == "https://w3id.org/hankegraph/" and untouched.progress is True


def test_base_iri_after_the_command_reaches_the_build(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Hanketta hallinnoi Diakonia-ammattikorkeakoulu.",
                                encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(docs), "--out",
                        str(tmp_path / "out"), "--no-cache", "--base-iri",
                        "https://example.org/x/", "--no-progress"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "<https://example.org/x/organisation/" in \
        (tmp_path / "out" / "hankegraph.ttl").read_text(encoding="utf-8")


def test_every_help_shows_every_default():
    import argparse

    from kg.cli import parser

    ap = parser()
    commands = next(a for a in ap._actions if isinstance(a, argparse._SubParsersAction))
    assert set(commands.choices) >= {"build", "query", "serve", "visualise", "export"}
    for name, sub in commands.choices.items():
        text = " ".join(sub.format_help().split())
        for action in sub._actions:
            if action.default in (None, argparse.SUPPRESS) or isinstance(action.default, bool):
                continue
            assert f"default: {action.default}" in text, (name, action.dest)
        assert "(default: https://w3id.org/hankegraph/)" in text, name


def test_explain_finds_an_entity_by_acronym_and_alias():
    from kg.authority import load_authority
    from kg.settings import Settings
    from kg.store import open_store

    data = REPO_ROOT / "data" / "ttl"
    store = open_store(data)
    authority = load_authority(Settings().authority_dir)
    # an acronym only the authority data knows (no document wrote it for this entity)
    acronyms = [r for r in authority.records.values() if r.abbreviation
                and authority.lookup(r.abbreviation) is r
                and store.query(f"ASK {{ <https://w3id.org/hankegraph/{r.iri_key}> ?p ?o }}")
                and not store.query(f"""ASK {{ ?e <http://www.w3.org/2004/02/skos/core#altLabel>
                                           "{r.abbreviation}" }}""")]
    assert acronyms, "the bundled graph has an entity known by an authority acronym"
    for record in acronyms:
        r = kg("explain", record.abbreviation, "--data", str(data))
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith(record.iri_key + "  ("), record.abbreviation
    # an alias a document gave (skos:altLabel), in another case
    alias, iri = next((s["a"].value, s["e"].value) for s in store.query(
        "SELECT ?a ?e WHERE { ?e <http://www.w3.org/2004/02/skos/core#altLabel> ?a } "
        "ORDER BY ?a"))
    r = kg("explain", alias.lower(), "--data", str(data))
    assert r.returncode == 0 and iri.removeprefix("https://w3id.org/hankegraph/") in r.stdout


def test_explain_suggests_names_that_contain_the_words():
    r = kg("explain", "Savo", "--data", str(REPO_ROOT / "data" / "ttl"))
    assert r.returncode == 2 and "names containing it:" in r.stderr and "Pohjois-Savo" in r.stderr


def test_kg_toml_sets_the_folders_defaults(tmp_path):
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("Hanketta hallinnoi Diakonia-ammattikorkeakoulu.",
                                 encoding="utf-8")
    (tmp_path / "kg.toml").write_text('docs_dir = "texts"\nout_dir = "graph"\n'
                                      'cache_dir = "cache"\n'
                                      'base-iri = "https://example.org/x/"\n',
                                      encoding="utf-8")
    r = kg("build", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "wrote graph/hankegraph.trig" in r.stdout
    assert (tmp_path / "cache").is_dir() and not (tmp_path / "data").exists()
    q = kg("query", "--format", "csv", "--query", "SELECT ?o WHERE { ?o a hg:Organisation }",
           cwd=tmp_path)
    assert q.returncode == 0, q.stderr
    assert q.stdout.splitlines()[1].startswith("https://example.org/x/organisation/")
    assert "(default: texts)" in kg("build", "--help", cwd=tmp_path).stdout


def test_a_bad_kg_toml_is_one_clear_line(tmp_path):
    for text, words in (('docs = "x"\n', ("unknown setting 'docs'", "docs_dir")),
                        ("workers = 'two'\n", ("workers", "whole number")),
                        ("out_dir = \n", ("not valid TOML",))):
        (tmp_path / "kg.toml").write_text(text, encoding="utf-8")
        r = kg("query", "--query", "ASK {}", cwd=tmp_path)
        err = r.stderr.strip()
        assert r.returncode == 2 and "\n" not in err and "kg.toml" in err, err
        assert all(w in err for w in words), err


def test_init_makes_a_starter_folder_that_builds_and_keeps_what_is_there(tmp_path):
    """`kg init DIR` writes docs/, kg.toml (all defaults, commented), README.md and
    .gitignore; `kg build` in that folder reads docs/; a second init overwrites
    nothing."""
    import tomllib

    project = tmp_path / "my project"
    r = kg("init", str(project), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for name in ("docs", "kg.toml", "README.md", ".gitignore"):
        assert (project / name).exists(), name
    assert tomllib.loads((project / "kg.toml").read_text(encoding="utf-8")) == {}
    assert "kg build" in (project / "README.md").read_text(encoding="utf-8")
    (project / "docs" / "a.txt").write_text(
        "Hanketta hallinnoi Diakonia-ammattikorkeakoulu.", encoding="utf-8")
    (project / "README.md").write_text("mine\n", encoding="utf-8")
    again = kg("init", cwd=project)
    assert again.returncode == 0, again.stderr
    assert "kept README.md (already there)" in again.stdout
    assert (project / "README.md").read_text(encoding="utf-8") == "mine\n"
    built = kg("build", cwd=project)
    assert built.returncode == 0, built.stderr
    assert "documents: 1 built" in built.stdout
    assert (project / "data" / "ttl" / "hankegraph.trig").is_file()
    assert "(default: docs)" in kg("build", "--help", cwd=project).stdout


def test_init_into_a_file_is_one_clear_line(tmp_path):
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    r = kg("init", str(tmp_path / "taken"), cwd=tmp_path)
    assert r.returncode == 2 and "taken" in r.stderr and "Traceback" not in r.stderr
