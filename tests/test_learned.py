"""The learned extractor (kg/extract/learned.py, train.py, model.py, align.py):
its model format, training, cross-validation and confidence."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.extract.model import Head, Model, fit_head
from kg.settings import REPO_ROOT, Settings
from tests.conftest import require_dev_corpus

SHIPPED = Settings().model_dir


def _rows():
    rows = [{"bias": 1, "word=hallinnoi": 1, "case=Gen": 1},
            {"bias": 1, "word=rahoittaa": 1},
            {"bias": 1, "word=hallinnoi": 1},
            {"bias": 1, "case=Ela": 1, "dist=2": 1},
            {"bias": 1, "word=rahoittaa": 1, "case=Ela": 1},
            {"bias": 1, "dist=2": 1, "case=Gen": 1}]
    return rows, [True, False, True, False, False, True]


def test_head_scores_as_scikit_learn_does():
    """The JSON head is the same function as the fitted LogisticRegression."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows, labels = _rows()
    head = fit_head(rows, labels, c=1.0)
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform(rows)
    clf = LogisticRegression(C=1.0, solver="lbfgs", max_iter=3000).fit(x, labels)
    unseen = {"bias": 1, "word=hallinnoi": 1, "word=never-seen": 1}
    for row in [*rows, unseen]:
        expected = clf.predict_proba(vec.transform([row]))[0, 1]
        assert head.probability(row) == pytest.approx(expected, abs=1e-4)


def test_model_round_trips_through_json_and_refuses_other_files(tmp_path):
    rows, labels = _rows()
    model = Model({"funds": fit_head(rows, labels)}, {"documents": 6})
    model.save(tmp_path / "m")
    again = Model.load(tmp_path / "m")
    assert again.heads["funds"].to_json() == model.heads["funds"].to_json()
    assert again.fingerprint() == model.fingerprint()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "model.json").write_text('{"format": "pickle"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a hankegraph-linear-v1 model"):
        Model.load(tmp_path / "bad")
    with pytest.raises(FileNotFoundError, match="kg train"):
        Model.load(tmp_path / "nothing")


def test_a_head_with_one_class_never_fires_or_always_does():
    assert Head.probability(fit_head([{"a": 1}], [False]), {"a": 1}) < 0.001
    assert Head.probability(fit_head([{"a": 1}], [True]), {"a": 1}) > 0.999


def test_shipped_model_is_fresh_for_the_code_and_the_corpus():
    """`kg train --gold ../shared/corpus/dev` made the shipped model from this code and
    this corpus; retrain (and commit) it when either changes."""
    from kg.extract.train import fingerprint_code, fingerprint_gold

    meta = json.loads((SHIPPED / "meta.json").read_text(encoding="utf-8"))
    retrain = "run `kg train --gold ../shared/corpus/dev` and commit the model"
    assert meta["code_fingerprint"] == fingerprint_code(), f"kg/extract changed: {retrain}"
    assert meta["gold_fingerprint"] == fingerprint_gold([require_dev_corpus()]), \
        f"the dev corpus changed: {retrain}"


@pytest.mark.slow
def test_training_is_deterministic_and_gives_the_shipped_model(tmp_path):
    """The same gold gives the same model bytes: retraining on the dev corpus
    reproduces the committed model exactly."""
    from kg.cli import main

    dev = require_dev_corpus()
    assert main(["--no-progress", "train", "--gold", str(dev), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "model.json").read_bytes() == (SHIPPED / "model.json").read_bytes()
    assert (tmp_path / "meta.json").read_bytes() == (SHIPPED / "meta.json").read_bytes()


def _small_gold(tmp_path: Path, n_sites: int = 4, per_site: int = 2) -> Path:
    """A gold folder of a few dev documents from several source sites."""
    from kg.extract.train import GoldDoc

    dev = require_dev_corpus()
    by_site: dict[str, list[Path]] = {}
    for js in sorted(dev.glob("*.json")):
        gold = json.loads(js.read_text(encoding="utf-8"))
        site = GoldDoc(js.name, None, gold, []).site
        by_site.setdefault(site, []).append(js)
    out = tmp_path / "gold"
    out.mkdir()
    chosen = [s for s in sorted(by_site) if len(by_site[s]) >= per_site][:n_sites]
    assert len(chosen) == n_sites
    for site in chosen:
        for js in by_site[site][:per_site]:
            shutil.copy(js, out / js.name)
            shutil.copy(js.with_suffix(".txt"), out / js.with_suffix(".txt").name)
    return out


def test_folds_never_split_a_source_site():
    from kg.extract.train import GoldDoc, folds

    dev = require_dev_corpus()
    docs = [GoldDoc(js.name, None, json.loads(js.read_text(encoding="utf-8")), [])
            for js in sorted(dev.glob("*.json"))]
    parts = folds(docs, 5)
    assert sorted(i for part in parts for i in part) == list(range(len(docs)))
    sites = [{docs[i].site for i in part} for part in parts]
    for a in range(len(sites)):
        for b in range(a + 1, len(sites)):
            assert not sites[a] & sites[b]


def test_alignment_reports_what_candidates_could_not_reach(tmp_path):
    from kg.authority import load_authority
    from kg.extract.align import align
    from kg.extract.candidates import read
    from kg.extract.mentions import MentionFinder
    from kg.extract.nlp import parse
    from kg.model import Document

    text = ("Kaakkois-Suomen ammattikorkeakoulu hallinnoi Vihreä Kymi -hanketta.\n"
            "Hanketta rahoittaa Euroopan sosiaalirahasto.\n")
    gold = {"entities": [
        {"key": "xamk", "type": "Organisation", "name": "Kaakkois-Suomen ammattikorkeakoulu"},
        {"key": "p", "type": "Project", "name": "Vihreä Kymi"},
        {"key": "esr", "type": "Funding", "name": "Euroopan sosiaalirahasto"},
        {"key": "ghost", "type": "Organisation", "name": "Olematon Oy"}],
        "facts": [{"relation": "administers", "subject": "xamk", "object": "p"},
                  {"relation": "funds", "subject": "esr", "object": "p"},
                  {"relation": "partners", "subject": "ghost", "object": "p"}]}
    finder = MentionFinder(load_authority(Settings().authority_dir))
    doc = Document("t", "t.txt", text, "0")
    a = align(read(finder, doc, parse(text)), gold)
    assert (a.entities_total, a.facts_total) == (4, 3)
    assert a.entities_aligned == 3 and a.facts_aligned == 2
    assert a.why_not["entity Organisation: only inflected or split in the text"] == 1
    assert a.why_not["fact partners: an end not aligned"] == 1
    assert ("administers", "xamk", "p") in a.gold_facts


@pytest.fixture(scope="module")
def bundled_readings():
    from kg.authority import load_authority
    from kg.extract.candidates import read
    from kg.extract.learned import Featurised, proposer, variant_chooser
    from kg.extract.mentions import MentionFinder
    from kg.extract.nlp import parse
    from kg.ingest import read_document
    from tests.conftest import BUNDLED_DOCS

    model = Model.load(SHIPPED)
    finder = MentionFinder(load_authority(Settings().authority_dir))
    out = []
    for path in sorted(BUNDLED_DOCS.glob("*.txt")):
        doc = read_document(path)
        out.append(Featurised(read(finder, doc, parse(doc.text), variant_chooser(model),
                                   proposer(model, finder))))
    return model, out


def test_min_confidence_keeps_only_facts_that_sure(bundled_readings):
    """--min-confidence trades recall for precision: a higher floor keeps a subset,
    and every fact kept is at least that probable."""
    from kg.extract.learned import decide

    model, readings = bundled_readings
    total = {}
    for floor in (None, 0.5, 0.9):
        facts = set()
        for feat in readings:
            ex = decide(model, feat, floor)
            for c in ex.claims:
                if c.object is not None:
                    facts.add((ex.document.doc_id, c.relation, c.subject, c.object))
                    assert floor is None or c.confidence >= floor
                    assert 0.0 <= c.confidence <= 1.0
        total[floor] = facts
    assert total[0.9] <= total[0.5] <= total[None]
    assert len(total[0.9]) < len(total[None])


def test_learned_facts_cite_a_sentence_naming_an_end(bundled_readings):
    """Each fact's evidence is the sentence (or key and value) that names its
    subject or its object, never an unrelated one."""
    from kg.extract.learned import decide

    model, readings = bundled_readings
    names: dict = {}
    checked = 0
    for feat in readings:
        ex = decide(model, feat)
        names = {}
        for m in ex.mentions:
            names.setdefault(m.key, set()).add(m.surface.lower())
        for c in ex.claims:
            if c.object is None or c.rule.endswith(":pair"):
                continue
            ends = names.get(c.subject, set()) | names.get(c.object, set())
            sentence = c.span.sentence.lower()
            assert any(s and s in sentence for s in ends), (c.relation, c.span.sentence)
            checked += 1
    assert checked >= 20


def _proposed(text: str) -> list[str]:
    from kg.authority import load_authority
    from kg.extract.candidates import project_proposals
    from kg.extract.mentions import MentionFinder
    from kg.extract.nlp import parse

    finder = MentionFinder(load_authority(Settings().authority_dir))
    lines = parse(text)
    return [c.name for c in project_proposals(lines, text, finder.find(lines, text))]


def test_a_list_line_with_a_role_proposes_its_first_field_without_the_code():
    """Decision lists name each project before its applicant (`CODE NAME päähakija
    ORG`, `NAME, toteuttajana ORG`): the name is proposed, not the whole line."""
    names = _proposed("Hyväksytyt hankkeet\n\nAB1234 Metsäpolku päähakija Esimerkin "
                      "ammattiopisto Oy\n\nVesiosaaja, toteuttajana Järvialueen "
                      "kehittämisyhtiö Oy\n")
    assert "Metsäpolku" in names and "Vesiosaaja" in names
    assert not any("AB1234" in n or "päähakija" in n or "toteuttajana" in n for n in names)


def test_the_field_after_an_actor_and_a_colon_is_proposed():
    names = _proposed("Rahoitetut hankkeet\n\n- Esimerkin ammattikorkeakoulu Oy: Vihreä "
                      "siirtymä pohjoisessa (2024–2026). Haettu tuki 100 000 euroa.\n")
    assert "Vihreä siirtymä pohjoisessa" in names


def test_a_list_number_is_no_part_of_a_name_before_a_project_word():
    names = _proposed("Tuetut hankkeet ovat seuraavat:\n\n 1. Metsäpolku –koulutushanke\n"
                      " • Esimerkin metsäyhdistys ry\n")
    assert names and not any(n[:1].isdigit() for n in names)
    assert any(n.startswith("Metsäpolku") for n in names)


def test_a_shortened_name_keeps_its_marker_form_as_an_alias():
    """`Helkan CADDIES-projekti`: the finder reads `Helkan CADDIES` with the alias
    `Helkan CADDIES-projekti`; cut to `CADDIES`, the alias follows (`CADDIES-projekti`),
    since annotators and readers write the name either way."""
    from kg.authority import load_authority
    from kg.extract.candidates import name_variants, with_name
    from kg.extract.mentions import MentionFinder
    from kg.extract.nlp import parse

    text = "Hankkeessa ovat mukana myös Esimerkin Metsävoima-projekti ja muut.\n"
    finder = MentionFinder(load_authority(Settings().authority_dir))
    lines = parse(text)
    [c] = [c for c in finder.find(lines, text) if c.name.endswith("Metsävoima")]
    assert c.aliases == [f"{c.name}-projekti"]
    k, name = next((k, n) for k, n in name_variants(c, lines[c.line]) if n == "Metsävoima")
    assert with_name(c, name, k, lines[c.line]).aliases == ["Metsävoima-projekti"]
    # a proposal before a marker carries the marker form too
    assert any(p.endswith("–koulutushanke") or p.endswith("-koulutushanke")
               for p in _proposed_aliases("Tuetut hankkeet:\n\n 1. Metsäpolku "
                                          "–koulutushanke\n • Esimerkin metsäyhdistys ry\n"))


def _proposed_aliases(text: str) -> list[str]:
    """The aliases of the project proposals of ``text`` (no finder candidates)."""
    from kg.extract.candidates import project_proposals
    from kg.extract.nlp import parse

    lines = parse(text)
    return [a for c in project_proposals(lines, text, []) for a in c.aliases]


def test_accepted_proposals_never_take_a_rule_fact_away():
    """The relation rules read the finders' candidates with and without the accepted
    proposals; a proposal (here: every one accepted) adds facts, never removes one."""
    from kg.authority import load_authority
    from kg.extract.candidates import project_proposals, read
    from kg.extract.mentions import MentionFinder
    from kg.extract.nlp import parse
    from kg.ingest import read_document
    from tests.conftest import BUNDLED_DOCS

    finder = MentionFinder(load_authority(Settings().authority_dir))

    def accept_all(lines, text, cands):
        return project_proposals(lines, text, cands)

    def facts(reading):
        return {(r.relation, r.subject.name, r.object.name if r.object else r.value)
                for r in reading.claims}

    added = 0
    for path in sorted(BUNDLED_DOCS.glob("*.txt")):
        doc = read_document(path)
        lines = parse(doc.text)
        alone, proposed = read(finder, doc, lines), read(finder, doc, lines, None, accept_all)
        assert facts(alone) <= facts(proposed), path.name
        added += len(facts(proposed) - facts(alone))
    assert added > 0  # the proposals did take part


@pytest.mark.slow
def test_evaluate_cv_prints_folds_spread_and_thresholds(tmp_path):
    gold = _small_gold(tmp_path)
    r = subprocess.run([sys.executable, "-m", "kg.cli", "--no-progress", "evaluate",
                        "--gold", str(gold), "--cv", "2", "--json"],
                       capture_output=True, text=True, cwd=REPO_ROOT, timeout=600)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["documents"] == 8
    assert out["cv"]["folds"] == 2 and sum(out["cv"]["fold_sizes"]) == 8
    assert set(out["cv"]["spread"]) == {"entities", "facts"}
    at = out["cv"]["facts_at_threshold"]
    recalls = [at[t]["recall"] for t in sorted(at, key=float)]
    assert recalls == sorted(recalls, reverse=True)  # a higher floor never finds more
    text = subprocess.run([sys.executable, "-m", "kg.cli", "--no-progress", "evaluate",
                           "--gold", str(gold), "--cv", "2"],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=600)
    assert "spread over folds" in text.stdout and "threshold  precision" in text.stdout


@pytest.mark.slow
def test_evaluate_no_cache_leaves_no_extraction_behind(tmp_path):
    """Scoring a private gold set (the sealed one, a researcher's own) must not
    leave its texts' extractions in the project's cache."""
    gold = _small_gold(tmp_path, n_sites=1, per_site=1)
    for txt in gold.glob("*.txt"):  # a text no cache can already hold
        txt.write_text(txt.read_text(encoding="utf-8") + "\nTestirivi ainoa.\n",
                       encoding="utf-8")
    cache = REPO_ROOT / Settings().cache_dir  # the checkout is the project folder here

    def files():
        return sorted(p for p in cache.rglob("*") if p.is_file()) if cache.exists() else []

    before = files()
    env = {**os.environ}
    r = subprocess.run([sys.executable, "-m", "kg.cli", "--no-progress", "evaluate",
                        "--gold", str(gold), "--no-cache", "--json"],
                       capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["documents"] == 1
    assert files() == before


def test_train_refuses_a_missing_folder(tmp_path, capsys):
    from kg.cli import main

    assert main(["--no-progress", "train", "--gold", str(tmp_path / "nope"),
                 "--out", str(tmp_path / "m")]) == 2
    assert "nope: not a folder" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_build_with_a_missing_or_foreign_model_is_one_clear_line(tmp_path, capsys):
    from kg.cli import main
    from tests.conftest import BUNDLED_DOCS

    out = tmp_path / "out"
    assert main(["--no-progress", "build", str(BUNDLED_DOCS), "--out", str(out), "--no-cache",
                 "--model", str(tmp_path / "none")]) == 2
    assert "none/model.json: no model here; train one with `kg train" in capsys.readouterr().err
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "model.json").write_text("[1, 2]", encoding="utf-8")
    assert main(["--no-progress", "build", str(BUNDLED_DOCS), "--out", str(out), "--no-cache",
                 "--model", str(tmp_path / "foreign")]) == 2
    assert "not a hankegraph-linear-v1 model" in capsys.readouterr().err
    assert main(["--no-progress", "build", str(BUNDLED_DOCS), "--out", str(out),
                 "--extractor", "nope.v9"]) == 2
    assert "unknown extractor 'nope.v9'" in capsys.readouterr().err
    assert not out.exists()


def test_build_min_confidence_writes_only_facts_that_probable(tmp_path):
    """`kg build --min-confidence 0.8`: every fact between entities in the graph has
    hg:confidence 0.8 or more, and there are fewer of them than without it."""
    from kg.cli import main
    from kg.store import open_store, select
    from tests.conftest import BUNDLED_DOCS

    query = """SELECT ?c WHERE { ?s a rdf:Statement ; hg:confidence ?c ; rdf:predicate ?p .
        FILTER(?p NOT IN (hg:startDate, hg:endDate, hg:totalCost)) }"""
    counts = {}
    for floor in (None, "0.8"):
        out = tmp_path / f"out-{floor}"
        args = ["--no-progress", "build", str(BUNDLED_DOCS), "--out", str(out), "--no-cache"]
        assert main(args + (["--min-confidence", floor] if floor else [])) == 0
        prefixes = ("PREFIX hg: <https://w3id.org/hankegraph/ontology#>\n"
                    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n")
        rows = select(open_store(out), prefixes + query).as_dicts()
        confidences = [float(r["c"]) for r in rows]
        if floor:
            assert confidences and min(confidences) >= 0.8
        counts[floor] = len(confidences)
    assert counts["0.8"] < counts[None]
