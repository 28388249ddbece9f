"""A folder of good documents in every format mixed with every kind of bad file
builds: each good document's facts are in the graph, each bad file is named with
its reason (standard error, summary, JSON report), and no earlier dataset is lost."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kg.settings import REPO_ROOT
from tests.documents import encrypt_pdf, make_docx, make_html, make_pdf

FILLER = "Hankkeen tavoitteena on vahvistaa alueen yritysten ja kuntien yhteistyötä."
GOOD_ORGS = ["Centria-ammattikorkeakoulu", "Diakonia-ammattikorkeakoulu",
             "Hämeen ammattikorkeakoulu", "Jyväskylän ammattikorkeakoulu",
             "Kaakkois-Suomen ammattikorkeakoulu", "Kajaanin ammattikorkeakoulu",
             "Karelia-ammattikorkeakoulu", "LAB-ammattikorkeakoulu", "Lapin ammattikorkeakoulu"]


def _fact(project: str, org: str, quote: str = "”") -> str:
    return f"Hankkeen nimi on {quote}{project}{quote}. Hanketta hallinnoi {org}."


def good_documents() -> dict[str, tuple[bytes, str, str]]:
    """file name → (bytes, project, administering organisation), each format once."""
    plain = ["utf8.txt", "bom.txt", "utf16.txt", "cp1252.txt", "latin9.txt", "notes.md",
             "page.html", "minutes.pdf", "plan.docx"]
    out = {}
    for i, (name, org) in enumerate(zip(plain, GOOD_ORGS, strict=True)):
        project = f"Koehanke {'ABCDEFGHI'[i]}"
        text = f"{FILLER} {_fact(project, org)}"
        data = {
            "utf8.txt": lambda t: t.encode("utf-8"),
            "bom.txt": lambda t: t.encode("utf-8-sig"),
            "utf16.txt": lambda t: t.encode("utf-16"),
            "cp1252.txt": lambda t: t.encode("cp1252"),
            "latin9.txt": lambda t, p=project, o=org: f"{FILLER} {_fact(p, o, chr(34))} "
                                                       "Kustannukset 5 000 €.".encode("iso8859_15"),
            "notes.md": lambda t, p=project: f"# {p}\n\n{t}\n".encode(),
            "page.html": lambda t, p=project: make_html(p, [FILLER, t.replace(FILLER, "")]),
            "minutes.pdf": lambda t, p=project, o=org: make_pdf(
                [["Pöytäkirja", FILLER], [_fact(p, o)]]),
            "plan.docx": lambda t: make_docx(["Hankesuunnitelma", t]),
        }[name](text)
        out[name] = (data, project, org)
    return out


def bad_documents() -> dict[str, tuple[bytes, str]]:
    """file name → (bytes, the reason's words)."""
    fi = f"{FILLER} {_fact('Kadonnut hanke', 'Laurea-ammattikorkeakoulu')}"
    return {
        "empty.txt": (b"", "empty file"),
        "binary.txt": (bytes(range(256)) * 40, "binary"),
        "corrupt.pdf": (make_pdf([[fi]])[:250], "corrupt PDF"),
        "locked.pdf": (encrypt_pdf(make_pdf([[fi]])), "encrypted PDF"),
        "scan.pdf": (make_pdf([[], [], []]), "no text layer"),
        "huge.txt": ((fi + "\n") * 2000, "larger than the limit"),
        "english.txt": (b"The project is run by the university and it is funded by the "
                        b"regional council, and the aim of the project is to improve the "
                        b"skills of the people who work in the region.", "not Finnish"),
        "broken.docx": (b"PK\x03\x04garbage", "not a readable DOCX"),
    }


def kg(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "kg.cli", "--no-progress", *args],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)


def write_corpus(folder):
    folder.mkdir()
    good, bad = good_documents(), bad_documents()
    for name, (data, *_rest) in good.items():
        (folder / name).write_bytes(data)
    for name, (data, _why) in bad.items():
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    (folder / "moved.txt").symlink_to(folder / "elsewhere.txt")  # an unreadable path
    return good, {**bad, "moved.txt": (b"", "unreadable")}


def test_mixed_folder_builds_and_names_every_bad_file(tmp_path):
    from kg.store import open_store, select

    good, bad = write_corpus(tmp_path / "docs")
    out, report_path = tmp_path / "out", tmp_path / "report.json"
    r = kg("build", str(tmp_path / "docs"), "--out", str(out), "--max-bytes", "50000",
           "--cache-dir", str(tmp_path / "cache"), "--report", str(report_path))
    assert r.returncode == 3, r.stderr  # built, with something skipped
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["exit_status"] == 3 and report["dataset"] == "written"
    skipped = {s["path"].rsplit("/", 1)[-1]: s["reason"] for s in report["skipped"]}
    assert set(skipped) == set(bad)
    for name, (_data, why) in bad.items():
        assert why in skipped[name], (name, skipped[name])
        line = next(ln for ln in r.stderr.splitlines() if name in ln)  # one line each
        assert why in line
        assert f"skipped {tmp_path / 'docs' / name}: " in r.stdout  # in the summary too
    assert {d["path"].rsplit("/", 1)[-1] for d in report["documents"]} == set(good)

    store = open_store(out)
    for name, (_data, project, org) in good.items():
        graph = f"https://w3id.org/hankegraph/graph/{name.rsplit('.', 1)[0]}"
        rows = select(store, f"""
            PREFIX hg: <https://w3id.org/hankegraph/ontology#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?o WHERE {{ GRAPH <{graph}> {{
                ?o hg:administers ?p . ?o rdfs:label "{org}" . ?p rdfs:label "{project}" }} }}
        """).rows
        assert rows, f"{name}: {org} administers {project} is not in its graph"
    # the PDF's fact is on its second page, and its provenance says so
    pages = select(store, """
        PREFIX hg: <https://w3id.org/hankegraph/ontology#>
        SELECT DISTINCT ?page WHERE { GRAPH <https://w3id.org/hankegraph/graph/minutes> {
            ?st a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> ; hg:page ?page } }
    """).rows
    assert pages == [["2"]]
    dated = select(store, """SELECT ?t WHERE { GRAPH <https://w3id.org/hankegraph/graph/page> {
        ?d <http://purl.org/dc/terms/title> ?t } }""").rows
    assert dated == [["Koehanke G"]]


def test_nothing_built_keeps_the_previous_dataset(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(f"{FILLER} {_fact('Koehanke A', GOOD_ORGS[0])}",
                                   encoding="utf-8")
    out = tmp_path / "out"
    assert kg("build", str(docs), "--out", str(out), "--no-cache").returncode == 0
    before = {p.name: p.read_bytes() for p in out.glob("hankegraph.*")}
    (docs / "good.txt").write_bytes(b"")
    (docs / "other.pdf").write_bytes(b"%PDF-1.4 broken")
    r = kg("build", str(docs), "--out", str(out), "--no-cache")
    assert r.returncode == 1
    assert "previous dataset is left as it was" in r.stdout
    assert {p.name: p.read_bytes() for p in out.glob("hankegraph.*")} == before
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    assert report["exit_status"] == 1 and report["dataset"].startswith("kept")
    assert len(report["skipped"]) == 2


@pytest.mark.parametrize("missing", ["no/such/folder", "no-such-file.txt"])
def test_a_path_that_does_not_exist_is_named(tmp_path, missing):
    r = kg("build", str(tmp_path / missing), "--out", str(tmp_path / "out"), "--no-cache")
    assert r.returncode == 1
    assert f"{missing.rsplit('/', 1)[-1]}: unreadable: No such file" in r.stderr
    assert not (tmp_path / "out" / "hankegraph.trig").exists()


def _three_projects(tmp_path):
    """Documents a, b and c, each with one project and its administrator."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, org in (("a", GOOD_ORGS[0]), ("b", GOOD_ORGS[1]), ("c", GOOD_ORGS[2])):
        (docs / f"{name}.txt").write_text(f"{FILLER} {_fact(f'Koehanke {name}', org)}",
                                          encoding="utf-8")
    return docs


def test_a_crash_inside_extraction_is_reported_and_the_others_build(tmp_path):
    from kg.build import build
    from kg.extract import get_extractor, register
    from kg.settings import Settings

    @register("test.fails-on-b.v1")
    def fails_on_b(authority_dir=None, **_options):
        real = get_extractor("hankegraph.rules.v1", authority_dir=authority_dir)

        def extract(doc):
            if doc.doc_id == "b":
                raise RecursionError("the parser went round in circles")
            return real(doc)

        return extract

    docs = _three_projects(tmp_path)
    settings = Settings(progress=False, cache_dir=None, extractor="test.fails-on-b.v1")
    report = build([docs], settings, out_dir=tmp_path / "out")
    assert report.documents == 2 and report.exit_status == 3
    [skip] = report.skipped
    assert skip.path.endswith("b.txt")
    assert skip.reason == "extraction failed: RecursionError: the parser went round in circles"


@pytest.mark.parametrize("breaks", ["the rules", "the whole batch"])
def test_a_crash_inside_a_batch_costs_only_its_document(tmp_path, breaks):
    """The rule extractor reads documents in batches (``pipe``): a document the rules
    fail on, or one that breaks the batch as a whole, is the only one skipped."""
    from kg.build import build
    from kg.extract import get_extractor, register
    from kg.settings import Settings

    name = f"test.batch-fails-on-b-{breaks.replace(' ', '-')}.v1"

    @register(name)
    def fails_on_b(authority_dir=None, **_options):
        real = get_extractor("hankegraph.rules.v1", authority_dir=authority_dir)

        class Extractor:
            def __call__(self, doc):
                if doc.doc_id == "b":
                    raise RecursionError("the parser went round in circles")
                return real(doc)

            def pipe(self, docs):
                if breaks == "the whole batch" and any(d.doc_id == "b" for d in docs):
                    raise MemoryError("the batch is too big")
                for doc, result in zip(docs, real.pipe(docs), strict=True):
                    yield RecursionError("the parser went round in circles") \
                        if doc.doc_id == "b" else result

        return Extractor()

    docs = _three_projects(tmp_path)
    settings = Settings(progress=False, cache_dir=None, extractor=name, workers=1)
    report = build([docs], settings, out_dir=tmp_path / "out")
    assert report.documents == 2 and report.exit_status == 3
    [skip] = report.skipped
    assert skip.path.endswith("b.txt")
    assert skip.reason == "extraction failed: RecursionError: the parser went round in circles"
    assert report.entities_by_type.get("Project") == 2
