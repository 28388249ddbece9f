"""A build that finds nothing changed writes nothing (kg/build_state.py); any
change to what the files depend on goes the full way."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace

import pytest

from kg.build import build
from kg.settings import REPO_ROOT, Settings

FILLER = "Hankkeen tavoitteena on vahvistaa alueen yritysten ja kuntien yhteistyötä."
NAMES = ("hankegraph.trig", "hankegraph.ttl", "build-report.json")


def _doc(project: str, org: str) -> str:
    return f"{FILLER} Hankkeen nimi on ”{project}”. Hanketta hallinnoi {org}.\n"


def _files(out) -> dict[str, tuple[bytes, int]]:
    """Each output file's bytes and modification time: an untouched file keeps both."""
    return {n: ((out / n).read_bytes(), (out / n).stat().st_mtime_ns) for n in NAMES}


@pytest.fixture
def corpus(tmp_path):
    """Two documents, private copies of the authority data and ontology, and
    settings with a cache of their own."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(_doc("Koehanke A", "Centria-ammattikorkeakoulu"), "utf-8")
    (docs / "b.txt").write_text(_doc("Koehanke B", "Lapin ammattikorkeakoulu"), "utf-8")
    shutil.copytree(Settings().authority_dir, tmp_path / "authority")
    shutil.copytree(Settings().ontology_dir, tmp_path / "ontology")
    (tmp_path / "curation.yaml").write_text("# no entries\n", "utf-8")
    settings = Settings(progress=False, cache_dir=tmp_path / "cache",
                        authority_dir=tmp_path / "authority", ontology_dir=tmp_path / "ontology",
                        curation_file=tmp_path / "curation.yaml")
    return docs, tmp_path / "out", settings


def _built_twice(docs, out, settings):
    """A first build, then the same again: the second must write nothing."""
    first = build([docs], settings, out_dir=out)
    assert first.outputs and first.unchanged is None
    before = _files(out)
    again = build([docs], settings, out_dir=out)
    assert again.unchanged is not None and again.outputs == {}
    assert _files(out) == before
    return first, again


def test_an_unchanged_corpus_writes_nothing_and_says_so(corpus):
    docs, out, settings = corpus
    first, again = _built_twice(docs, out, settings)
    assert again.extraction == {"extracted": 0, "reused": 2}
    assert again.exit_status == 0 and again.documents == 2
    # the summary tells the same story as the build that wrote the files
    assert again.entities_by_type == first.entities_by_type
    assert again.facts_by_relation == first.facts_by_relation
    assert again.merges == first.merges
    summary = again.summary()
    assert "unchanged: nothing to write" in summary
    assert not any(line.startswith("wrote ") for line in summary.splitlines())
    assert "hankegraph.trig" in summary.split("unchanged: nothing to write")[1]


def test_an_unchanged_corpus_with_a_skipped_file_exits_3(corpus):
    docs, out, settings = corpus
    (docs / "empty.txt").write_bytes(b"")
    first, again = _built_twice(docs, out, settings)
    assert first.exit_status == again.exit_status == 3
    assert [s.path for s in again.skipped] == [str(docs / "empty.txt")]
    assert "skipped " + str(docs / "empty.txt") + ": empty file" in again.summary()


def _labels(out) -> str:
    return (out / "hankegraph.trig").read_text(encoding="utf-8")


def _change_document(docs, settings):
    (docs / "b.txt").write_text(_doc("Koehanke Uusi", "Kajaanin ammattikorkeakoulu"), "utf-8")
    return settings


def _add_document(docs, settings):
    (docs / "c.txt").write_text(_doc("Koehanke C", "Karelia-ammattikorkeakoulu"), "utf-8")
    return settings


def _remove_document(docs, settings):
    (docs / "b.txt").unlink()
    return settings


def _change_authority(docs, settings):
    with open(settings.authority_dir / "organisations.csv", "a", encoding="utf-8") as f:
        f.write("Koeorganisaatio,,yliopisto,,,,,,,,,test\n")
    return settings


def _change_shapes(docs, settings):
    with open(settings.ontology_dir / "shapes.ttl", "a", encoding="utf-8") as f:
        f.write("\n# a comment is a change too: the digest is of the bytes\n")
    return settings


def _change_base_iri(docs, settings):
    return replace(settings, base_iri="https://example.org/koe/")


def _skip_a_new_bad_file(docs, settings):
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    return settings


def _change_curation(docs, settings):
    curation = docs.parent / "curation.yaml"  # the same path as the fixture's, new entries
    curation.write_text("- rename: project/koehanke-a\n  name: Koehanke Alfa\n", "utf-8")
    return settings


CHANGES = {"document changed": _change_document, "document added": _add_document,
           "curation file": _change_curation,
           "document removed": _remove_document, "authority data": _change_authority,
           "shapes.ttl": _change_shapes, "base IRI": _change_base_iri,
           "a new file skipped": _skip_a_new_bad_file}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_any_change_goes_the_full_way(corpus, change):
    docs, out, settings = corpus
    _built_twice(docs, out, settings)
    before = _files(out)
    settings = change(docs, settings)
    report = build([docs], settings, out_dir=out)
    assert report.unchanged is None and report.outputs
    assert "unchanged: nothing to write" not in report.summary()
    # what was written is exactly what a build without any state makes of the inputs
    fresh = out.parent / "fresh"
    build([docs], replace(settings, cache_dir=None), out_dir=fresh)
    assert {n: (out / n).read_bytes() for n in NAMES} == \
        {n: (fresh / n).read_bytes() for n in NAMES}
    # rewritten even where the bytes came out the same (an unrelated authority row)
    assert all(_files(out)[n][1] != before[n][1] for n in NAMES)
    # and the state now describes the new inputs
    assert build([docs], settings, out_dir=out).unchanged is not None


@pytest.mark.parametrize("name", NAMES)
def test_a_hand_edited_output_file_is_rewritten(corpus, name):
    docs, out, settings = corpus
    _built_twice(docs, out, settings)
    original = (out / name).read_bytes()
    (out / name).write_bytes(original[: len(original) // 2])  # as a crashed editor leaves it
    report = build([docs], settings, out_dir=out)
    assert report.unchanged is None and report.extraction == {"extracted": 0, "reused": 2}
    assert (out / name).read_bytes() == original
    (out / name).unlink()
    assert build([docs], settings, out_dir=out).unchanged is None
    assert (out / name).read_bytes() == original


def test_extractor_code_or_other_code_changes_go_the_full_way(corpus, monkeypatch, tmp_path):
    """A copy of the package stands in for the source tree, so that a test can
    edit it: the fingerprint (kg/extract) and the digest (all of kg) read it."""
    docs, out, settings = corpus
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "kg", repo / "kg",
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr("kg.cache.REPO_ROOT", repo)
    monkeypatch.setattr("kg.build_state.REPO_ROOT", repo)
    _built_twice(docs, out, settings)

    with open(repo / "kg" / "graph" / "rdf.py", "a", encoding="utf-8") as f:
        f.write("\n# changed\n")
    report = build([docs], settings, out_dir=out)
    assert report.unchanged is None and report.outputs
    assert report.extraction == {"extracted": 0, "reused": 2}  # the extractor is the same

    with open(repo / "kg" / "extract" / "rules.py", "a", encoding="utf-8") as f:
        f.write("\n# changed\n")
    report = build([docs], settings, out_dir=out)
    assert report.unchanged is None and report.outputs
    assert report.extraction == {"extracted": 2, "reused": 0}  # a new extractor version


def test_without_the_cache_every_build_goes_the_full_way(corpus):
    docs, out, settings = corpus
    _built_twice(docs, out, settings)
    shutil.rmtree(settings.cache_dir)  # deleting the cache is how a person forces a rebuild
    report = build([docs], settings, out_dir=out)
    assert report.unchanged is None and report.extraction == {"extracted": 2, "reused": 0}
    no_cache = replace(settings, cache_dir=None)
    for _ in range(2):
        assert build([docs], no_cache, out_dir=out).unchanged is None


def test_a_report_written_elsewhere_is_checked_too(corpus, tmp_path):
    docs, out, settings = corpus
    elsewhere = tmp_path / "reports" / "r.json"
    build([docs], settings, out_dir=out, report_path=elsewhere)
    assert build([docs], settings, out_dir=out, report_path=elsewhere).unchanged is not None
    elsewhere.write_text("{}", encoding="utf-8")
    assert build([docs], settings, out_dir=out, report_path=elsewhere).unchanged is None
    assert elsewhere.read_text(encoding="utf-8").startswith('{\n  "exit_status": 0')
    # another report path is another set of outputs
    assert build([docs], settings, out_dir=out).unchanged is None


def test_the_command_says_unchanged_and_keeps_its_exit_status(corpus):
    docs, out, settings = corpus
    (docs / "empty.txt").write_bytes(b"")
    cmd = [sys.executable, "-m", "kg.cli", "--no-progress", "build", str(docs), "--out",
           str(out), "--cache-dir", str(settings.cache_dir)]
    runs = [subprocess.run(cmd, capture_output=True, text=True, timeout=300) for _ in range(2)]
    assert [r.returncode for r in runs] == [3, 3], runs[-1].stderr
    assert "\nwrote " in runs[0].stdout and "unchanged: nothing to write" not in runs[0].stdout
    assert "unchanged: nothing to write" in runs[1].stdout and "\nwrote " not in runs[1].stdout
    assert "empty.txt: empty file" in runs[1].stdout


def test_the_states_of_vanished_output_folders_are_forgotten(corpus):
    docs, out, settings = corpus
    build([docs], settings, out_dir=out)
    build([docs], settings, out_dir=out.parent / "elsewhere")
    states = settings.cache_dir / "builds"
    assert len(list(states.glob("*.json"))) == 2
    shutil.rmtree(out)
    build([docs], settings, out_dir=out.parent / "elsewhere")  # unchanged: records nothing
    assert len(list(states.glob("*.json"))) == 2
    (docs / "c.txt").write_text(_doc("Koehanke C", "Karelia-ammattikorkeakoulu"), "utf-8")
    build([docs], settings, out_dir=out.parent / "elsewhere")
    assert len(list(states.glob("*.json"))) == 1
