"""SHACL validation: the built graph conforms; a broken one is reported node by node,
with the shape and the source document; `kg build` keeps the old dataset when the new
one breaks a shape."""

import re
import shutil
import subprocess
import sys

import pytest
from rdflib import Graph, Namespace

from kg.graph.rdf import redact_contact_details
from kg.graph.validate import validate_path
from kg.privacy import REDACTED
from kg.settings import REPO_ROOT, Settings

from .conftest import BUNDLED_DOCS

BROKEN = REPO_ROOT / "tests" / "data" / "broken.ttl"
SH = Namespace("http://www.w3.org/ns/shacl#")


def kg(*args):
    return subprocess.run([sys.executable, "-m", "kg.cli", "--no-progress", *args],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


def test_bundled_build_conforms(bundled_build):
    out, report = bundled_build
    assert report.validation is not None and report.validation.conforms, \
        [str(v) for v in report.validation.violations]
    assert validate_path(out).conforms


def test_each_fault_is_reported_with_node_shape_and_document():
    report = validate_path(BROKEN)
    found = {(v.node.rsplit("/", 1)[-1].rstrip(">"), v.shape, v.documents)
             for v in report.violations}
    assert found == {
        ("nimeton", "hgsh:name", ("lehti.txt",)),
        ("hanke", "hgsh:ProjectShape / hg:startDate|hg:endDate", ("tiedote.txt",)),
        ("g1", "hgsh:GrantShape / hg:amount", ("tiedote.txt",)),
        ("g1", "hgsh:GrantShape / hg:sharePercent", ("tiedote.txt",)),
        ("p1", "hgsh:ParticipationShape / hg:role", ("lehti.txt",)),
        ("p1", "hgsh:sentenceWithoutContactDetails", ("lehti.txt",)),
        ("tiedote", "hgsh:DocumentShape / hg:checksum", ("tiedote.txt",)),
    }


def test_kg_validate_exit_codes_and_messages(bundled_build):
    out, _ = bundled_build
    r = kg("validate", str(out))
    assert r.returncode == 0 and "conforms" in r.stdout, r.stderr
    r = kg("validate", str(BROKEN))
    assert r.returncode == 4
    assert "tiedote.txt" in r.stderr and "hgsh:GrantShape / hg:sharePercent" in r.stderr
    assert "150.0" in r.stderr
    r = kg("validate", str(REPO_ROOT / "README.md"))
    assert r.returncode == 2 and "README.md" in r.stderr


def test_build_that_breaks_a_shape_writes_nothing_and_keeps_the_old_dataset(tmp_path):
    """A stricter copy of the shapes (every project must have a total cost) makes the
    bundled corpus fail: the previous files stay byte for byte."""
    from kg.build import build

    onto = tmp_path / "ontology"
    shutil.copytree(REPO_ROOT / "ontology", onto)
    with (onto / "shapes.ttl").open("a", encoding="utf-8") as f:
        f.write("\nhgsh:ProjectShape sh:property [ sh:path hg:totalCost ; sh:minCount 1 ] .\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "hankegraph.ttl").write_bytes(b"previous")
    settings = Settings(progress=False, ontology_dir=onto)
    report = build([BUNDLED_DOCS], settings, out_dir=out)
    assert report.validation is not None and not report.validation.conforms
    assert report.outputs == {}
    assert (out / "hankegraph.ttl").read_bytes() == b"previous"
    assert not (out / "hankegraph.trig").exists()
    report = build([BUNDLED_DOCS], settings, out_dir=out, validate=False)
    assert report.validation is None and (out / "hankegraph.trig").is_file()


def test_cli_build_fails_on_violations_unless_no_validate(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Hanketta hallinnoi Diakonia-ammattikorkeakoulu.",
                                encoding="utf-8")
    out = tmp_path / "out"
    r = kg("build", str(docs), "--out", str(out))
    assert r.returncode == 0 and "validation: conforms" in r.stdout, r.stderr
    r = kg("build", str(docs), "--out", str(out), "--no-validate")
    assert r.returncode == 0 and "validation" not in r.stdout


@pytest.mark.parametrize("text", [
    "Lisätietoja: Maija Meikäläinen, p. 040 123 4567",
    "puh. 0401234567 tai +358 40 123 4567",
    "satu.tynkkynen(at)esedu.fi",
    "maija.meikalainen@example.fi, 050-123 456",
    "Vaihde 0295 123 456 (arkisin)",  # a four-digit area code of a national service number
    "puh. 09 876 5432",
])
def test_contact_details_are_redacted_as_the_shape_finds_them(text):
    shapes = Graph().parse(REPO_ROOT / "ontology" / "shapes.ttl")
    pattern = str(shapes.value(Namespace("https://w3id.org/hankegraph/shapes#").ContactDetails,
                               SH.pattern))
    assert re.search(pattern, text)
    clean = redact_contact_details(text)
    assert REDACTED in clean and not re.search(pattern, clean)


@pytest.mark.parametrize("text", ["Budjetti on 1 040 831 euroa.", "vuosina 2021–2023",
                                  "Y-tunnus 0245437-2"])
def test_numbers_that_are_not_contact_details_stay(text):
    assert redact_contact_details(text) == text
