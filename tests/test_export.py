"""`kg export`: every format holds the same graph, the description counts what is there,
and the bytes are the same build after build, machine after machine."""

import csv
import io
import os
import subprocess
import sys

import pytest
from rdflib import RDF, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, VOID, XSD

from kg.export import ExportOptions, export, export_date
from kg.graph.vocab import HG
from kg.settings import REPO_ROOT

from .conftest import BUNDLED_DOCS

ALL = ("ttl", "nt", "trig", "jsonld", "csv")
DCAT = Namespace("http://www.w3.org/ns/dcat#")


@pytest.fixture(scope="module")
def exported(bundled_build, tmp_path_factory):
    out, _ = bundled_build
    dest = tmp_path_factory.mktemp("export")
    export(out, dest, ExportOptions(formats=ALL, date="2025-03-01",
                                    endpoint="http://localhost:7878/query"))
    return out, dest


def test_every_format_holds_the_built_graph(exported):
    built, dest = exported
    graph = Graph().parse(built / "hankegraph.ttl")
    for name, fmt in (("hankegraph.ttl", "turtle"), ("hankegraph.nt", "nt"),
                      ("hankegraph.jsonld", "json-ld")):
        assert isomorphic(Graph().parse(dest / name, format=fmt), graph), name
    ds = Dataset().parse(dest / "hankegraph.trig", format="trig")
    assert {str(g.identifier) for g in ds.graphs() if len(g)} == \
        {str(g.identifier) for g in Dataset().parse(built / "hankegraph.trig").graphs() if len(g)}


def test_csv_has_a_row_per_fact_and_per_entity(exported):
    built, dest = exported
    g = Graph().parse(built / "hankegraph.ttl")
    facts = list(csv.DictReader(io.StringIO((dest / "hankegraph-facts.csv").read_text("utf-8"))))
    assert len(facts) == len(set(g.subjects(RDF.type, RDF.Statement)))
    assert all(r["document"].endswith(".txt") and r["sentence"] for r in facts)
    ents = list(csv.DictReader(io.StringIO((dest / "hankegraph-entities.csv").read_text("utf-8"))))
    kuopio = [r for r in ents if r["municipalityCode"] == "297"]
    assert kuopio and kuopio[0]["type"] == "hg:Municipality"


def test_description_counts_sources_and_files(exported):
    built, dest = exported
    g = Graph().parse(built / "hankegraph.ttl")
    d = Graph().parse(dest / "hankegraph-void.ttl")
    ds = next(d.subjects(RDF.type, VOID.Dataset))
    assert (ds, RDF.type, DCAT.Dataset) in d
    assert d.value(ds, VOID.triples).toPython() == len(g)
    entity_classes = (HG.Organisation, HG.Municipality, HG.Region, HG.Project,
                      HG.FundingScheme, URIRef("http://xmlns.com/foaf/0.1/Person"))
    entities = {s for c in entity_classes for s in g.subjects(RDF.type, c)}
    assert d.value(ds, VOID.entities).toPython() == len(entities)
    assert d.value(ds, DCTERMS.created) == Literal("2025-03-01", datatype=XSD.date)
    assert d.value(ds, DCTERMS.license) is not None and d.value(ds, DCAT.version) is not None
    assert d.value(ds, VOID.sparqlEndpoint) == URIRef("http://localhost:7878/query")
    sources = {str(d.value(doc, HG.fileName)): str(d.value(doc, HG.checksum))
               for doc in d.objects(ds, DCTERMS.source)}
    import hashlib
    assert sources == {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                       for p in BUNDLED_DOCS.glob("*.txt")}
    for dist in d.objects(ds, DCAT.distribution):
        if d.value(dist, DCAT.accessService) is not None:
            continue  # the SPARQL endpoint, not a file
        name = str(d.value(dist, DCTERMS.title))
        assert d.value(dist, DCAT.byteSize).toPython() == (dest / name).stat().st_size


def test_facts_csv_has_each_grants_amount_share_and_scheme(exported):
    built, dest = exported
    g = Graph().parse(built / "hankegraph.ttl")
    grants = {(str(g.value(gr, HG.funder)), str(g.value(gr, HG.project)),
               str(g.value(gr, HG.amount) or ""), str(g.value(gr, HG.sharePercent) or ""))
              for gr in g.subjects(RDF.type, HG.Grant)}
    assert any(amount for _, _, amount, _ in grants), "the bundled graph states amounts"
    facts = list(csv.DictReader(io.StringIO((dest / "hankegraph-facts.csv").read_text("utf-8"))))
    funding = {(r["subject"], r["object"], r["amountEUR"], r["sharePercent"])
               for r in facts if r["property"] == "hg:funds"}
    assert funding == grants
    assert all(not (r["amountEUR"] or r["sharePercent"] or r["scheme"])
               for r in facts if r["property"] != "hg:funds")
    for r in facts:
        if r["property"] == "hg:funds" and \
                (URIRef(r["subject"]), RDF.type, HG.FundingScheme) in g:
            assert r["scheme"] == r["subjectName"]  # the fund itself is the scheme
    # an organisation's grant takes the scheme its sentence names, when it names one
    assert any(r["scheme"] and r["scheme"] != r["subjectName"] for r in facts)


def test_excel_csv_has_a_bom_semicolons_and_decimal_commas(exported, tmp_path):
    built, plain = exported
    export(built, tmp_path, ExportOptions(formats=("csv",), date="2025-03-01", excel=True))
    raw = (tmp_path / "hankegraph-facts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    base = list(csv.reader(io.StringIO((plain / "hankegraph-facts.csv").read_text("utf-8"))))
    assert rows[0] == base[0] and len(rows) == len(base)
    numeric = [base[0].index(c) for c in ("amountEUR", "sharePercent", "confidence")]
    for excel_row, plain_row in zip(rows[1:], base[1:], strict=True):
        for i, (e, p) in enumerate(zip(excel_row, plain_row, strict=True)):
            assert e == (p.replace(".", ",") if i in numeric else p)
    assert any("," in r[numeric[2]] for r in rows[1:])  # confidences like 0,85
    assert "ä" in raw.decode("utf-8-sig")
    entities = (tmp_path / "hankegraph-entities.csv").read_bytes()
    assert entities.startswith(b"\xef\xbb\xbf") and b";" in entities.splitlines()[0]


def test_description_has_the_dcat_ap_fields(exported):
    """DCAT-AP 3's mandatory and recommended properties of the catalogue, the dataset
    and each distribution (no SHACL shapes of DCAT-AP are packaged for Python)."""
    _, dest = exported
    d = Graph().parse(dest / "hankegraph-void.ttl")
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    foaf = Namespace("http://xmlns.com/foaf/0.1/")
    eu = "http://publications.europa.eu/resource/authority/"
    ds = next(d.subjects(RDF.type, DCAT.Dataset))
    catalog = next(d.subjects(RDF.type, DCAT.Catalog))
    for node in (catalog, ds):
        assert d.value(node, DCTERMS.title) and d.value(node, DCTERMS.description)
        publisher = d.value(node, DCTERMS.publisher)
        assert (publisher, RDF.type, foaf.Agent) in d and d.value(publisher, foaf.name)
    assert (catalog, DCAT.dataset, ds) in d
    contact = d.value(ds, DCAT.contactPoint)
    assert (contact, RDF.type, vcard.Organization) in d and d.value(contact, vcard.fn)
    assert isinstance(d.value(contact, vcard.hasURL) or d.value(contact, vcard.hasEmail),
                      URIRef)
    assert len(set(d.objects(ds, DCAT.keyword))) >= 2
    assert str(d.value(ds, DCAT.theme)).startswith(eu + "data-theme/")
    assert str(d.value(ds, DCTERMS.spatial)) == eu + "country/FIN"
    files = 0
    for dist in d.objects(ds, DCAT.distribution):
        assert isinstance(d.value(dist, DCAT.accessURL), URIRef), dist
        assert d.value(dist, DCTERMS.license) is not None
        if d.value(dist, DCAT.accessService) is not None:  # the SPARQL endpoint
            service = d.value(dist, DCAT.accessService)
            assert d.value(service, DCAT.endpointURL) == URIRef("http://localhost:7878/query")
            continue
        files += 1
        name = str(d.value(dist, DCTERMS.title))
        assert str(d.value(dist, DCAT.downloadURL)).endswith("/" + name)
        media = d.value(dist, DCAT.mediaType)
        assert isinstance(media, URIRef)
        assert str(media).startswith("http://www.iana.org/assignments/media-types/")
        assert str(d.value(dist, DCTERMS["format"])).startswith(eu + "file-type/")
    assert files == len([p for p in dest.iterdir() if p.name != "hankegraph-void.ttl"])


def test_download_url_publisher_and_contact_are_options(bundled_build, tmp_path):
    built, _ = bundled_build
    export(built, tmp_path, ExportOptions(
        date="2025-03-01", download_url="https://data.example.org/hg",
        publisher="Esimerkin yliopisto", contact="mailto:data@example.org"))
    d = Graph().parse(tmp_path / "hankegraph-void.ttl")
    dist = next(d.subjects(RDF.type, DCAT.Distribution))
    assert d.value(dist, DCAT.downloadURL) == URIRef("https://data.example.org/hg/hankegraph.ttl")
    assert d.value(dist, DCAT.accessURL) == URIRef("https://data.example.org/hg/")
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    contact = next(d.subjects(RDF.type, vcard.Organization))
    assert d.value(contact, vcard.hasEmail) == URIRef("mailto:data@example.org")
    assert Literal("Esimerkin yliopisto") in set(d.objects(None, None))


def test_date_comes_from_the_option_then_source_date_epoch():
    assert export_date("2024-02-29", {}) == "2024-02-29"
    assert export_date(None, {"SOURCE_DATE_EPOCH": "1700000000"}) == "2023-11-14"
    with pytest.raises(ValueError):
        export_date("29.2.2024", {})


def test_export_errors_name_the_problem(tmp_path):
    def kg(*a):
        return subprocess.run([sys.executable, "-m", "kg.cli", *a], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=120)
    r = kg("export", "--data", str(tmp_path), "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "kg build" in r.stderr
    r = kg("export", "--format", "xml")
    assert r.returncode == 2 and "invalid choice" in r.stderr


def _build_and_export(dest, seed):
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "SOURCE_DATE_EPOCH": "1700000000"}
    for args in (["build", str(BUNDLED_DOCS), "--out", str(dest / "ttl")],
                 ["export", "--data", str(dest / "ttl"), "--out", str(dest / "export"),
                  *(a for f in ALL for a in ("--format", f))]):
        r = subprocess.run([sys.executable, "-m", "kg.cli", "--no-progress", *args],
                           cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr


@pytest.mark.slow
def test_two_builds_under_different_hash_seeds_give_identical_bytes(tmp_path):
    _build_and_export(tmp_path / "a", 1)
    _build_and_export(tmp_path / "b", 4242)
    def written(root):  # the dataset, the build report and the exports; not the lock file
        return sorted(p.relative_to(root) for p in root.rglob("*")
                      if p.is_file() and not p.name.startswith("."))

    names = written(tmp_path / "a")
    assert names == written(tmp_path / "b")
    assert len(names) == 3 + 7  # ttl, trig, build-report.json; seven export files
    for n in names:
        assert (tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes(), n
