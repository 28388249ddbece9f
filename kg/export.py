"""`kg export`: the built dataset in the formats researchers take away, and a VoID +
DCAT description of it.

Every output is a deterministic function of the built dataset and the options: the
same graph gives the same bytes on every machine and under every PYTHONHASHSEED.
Turtle and TriG come from kg.graph.io (the build's own writers); N-Triples are sorted
lines; JSON-LD is compacted with the dataset's prefixes and written with sorted keys
and sorted arrays; CSV rows are sorted. The description's dates are the only input
that is not in the graph: ``--date``, else SOURCE_DATE_EPOCH, else today.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, VOID

from kg.graph.io import (
    TRIG_NAME,
    TTL_NAME,
    _atomic_write,
    recover,
    serialise_dataset,
    serialize_trig,
    union_graph,
)
from kg.graph.rdf import CLASS, PREFIXES
from kg.graph.vocab import HG
from kg.settings import Settings

FORMATS = ("ttl", "nt", "trig", "jsonld", "csv")
STEM = "hankegraph"
DESCRIPTION_NAME = f"{STEM}-void.ttl"
MEDIA_TYPE = {
    "ttl": "text/turtle", "nt": "application/n-triples", "trig": "application/trig",
    "jsonld": "application/ld+json", "csv": "text/csv",
}
#: DCAT-AP wants media types as IANA IRIs and formats from the EU file-type table
IANA = "http://www.iana.org/assignments/media-types/"
EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPE = {"ttl": "RDF_TURTLE", "nt": "RDF_N_TRIPLES", "trig": "RDF_TRIG",
             "jsonld": "JSON_LD", "csv": "CSV"}
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
ONTOLOGY_VERSION_IRI = "https://w3id.org/hankegraph/ontology/0.3.0"
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")  # DCAT 3; rdflib knows DCAT 2
#: the classes whose instances VoID counts as entities
ENTITY_CLASSES = tuple(sorted(set(CLASS.values()), key=str))


@dataclass(frozen=True)
class ExportOptions:
    formats: tuple[str, ...] = ("ttl",)
    date: str | None = None  # YYYY-MM-DD; None: SOURCE_DATE_EPOCH, else today
    endpoint: str | None = None  # the SPARQL endpoint URL, when the dataset is served
    license: str = LICENSE
    excel: bool = False  # CSV for Excel: UTF-8 with a BOM, `;` between fields, decimal comma
    # where the files are published: dcat:downloadURL is this URL + the file's name;
    # None: BASE_IRI/dataset/ (the dataset's own IRI space)
    download_url: str | None = None
    publisher: str = "Hankegraph"
    contact: str | None = None  # a URL or mailto: of the publisher; None: the base IRI


def export_date(explicit: str | None = None, environ=os.environ) -> str:
    """The description's creation date: explicit, else SOURCE_DATE_EPOCH (the
    reproducible-builds convention), else today (then two exports can differ)."""
    if explicit:
        return dt.date.fromisoformat(explicit).isoformat()
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
    return dt.date.today().isoformat()


def load_dataset(data: str | Path) -> Dataset:
    """The build's TriG (it keeps the named graphs): a folder holding it, or the file."""
    path = Path(data)
    recover(path if path.is_dir() else path.parent)  # a build killed mid-commit: finish it
    if path.is_dir():
        path = path / TRIG_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no built dataset here (run `kg build` first)")
    return Dataset().parse(path, format="trig")


def export(data: str | Path, out_dir: str | Path, options: ExportOptions,
           settings: Settings | None = None) -> list[Path]:
    """Write ``hankegraph.<format>`` for each format and the description; return the paths."""
    settings = settings or Settings()
    unknown = set(options.formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown export format {sorted(unknown)}; choose from {FORMATS}")
    ds = redact_dataset(load_dataset(data))
    union = union_graph(ds)
    files: dict[str, bytes] = {}
    for fmt in options.formats:
        if fmt == "csv":
            files[f"{STEM}-entities.csv"] = entities_csv(union, options.excel)
            files[f"{STEM}-facts.csv"] = facts_csv(union, options.excel)
        else:
            files[f"{STEM}.{fmt}"] = SERIALIZERS[fmt](ds, union)
    description = describe(union, files, options, settings)
    files[DESCRIPTION_NAME] = description.serialize(format="turtle", encoding="utf-8")
    out = Path(out_dir)
    written = []
    for name in sorted(files):
        _atomic_write(out / name, files[name])
        written.append(out / name)
    return written


def redact_dataset(ds: Dataset) -> Dataset:
    """`ds` with contact data out of every text literal (kg.privacy.redact, as the
    build does): an export of a dataset from elsewhere, or an older build, carries
    none either. A dataset the build wrote is left as it is, byte for byte."""
    from kg.privacy import redact

    for g in ds.graphs():
        changes = []
        for s, p, o in g:
            if isinstance(o, Literal) and o.datatype in (None, XSD.string):
                clean = redact(str(o))
                if clean != str(o):
                    changes.append(((s, p, o), (s, p, Literal(clean, lang=o.language,
                                                              datatype=o.datatype))))
        for old, new in changes:
            g.remove(old)
            g.add(new)
    return ds


def turtle(ds: Dataset, _union: Graph) -> bytes:
    return serialise_dataset(ds)[TTL_NAME]  # the build's own Turtle, byte for byte


def trig(ds: Dataset, _union: Graph) -> bytes:
    return serialize_trig(ds)


def ntriples(_ds: Dataset, union: Graph) -> bytes:
    lines = union.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return ("\n".join(sorted(ln for ln in lines if ln.strip())) + "\n").encode("utf-8")


def _base_iri(ds: Dataset) -> str | None:
    """The base IRI the dataset was built with: its graphs are ``<base>graph/<id>``."""
    for g in sorted(str(g.identifier) for g in ds.graphs() if len(g)):
        if "/graph/" in g:
            return g.rsplit("/graph/", 1)[0] + "/"
    return None


def jsonld(ds: Dataset, union: Graph) -> bytes:
    context = {p: str(ns) for p, ns in sorted(PREFIXES.items())}
    if base := _base_iri(ds):
        context["hgr"] = base
    doc = json.loads(union.serialize(format="json-ld", context=context, auto_compact=True))
    return (json.dumps(_canonical(doc), ensure_ascii=False, indent=1, sort_keys=True)
            + "\n").encode("utf-8")


def _canonical(node):
    """Sorted arrays (RDF has no order; the data holds no rdf:List) and sorted keys."""
    if isinstance(node, dict):
        return {k: _canonical(v) for k, v in node.items()}
    if isinstance(node, list):
        items = [_canonical(v) for v in node]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return node


SERIALIZERS = {"ttl": turtle, "nt": ntriples, "trig": trig, "jsonld": jsonld}


def _csv(header: list[str], rows: list[list[str]], excel: bool = False,
         numbers: tuple[str, ...] = ()) -> bytes:
    """Plain CSV (RFC 4180 fields, `,`, UTF-8), or with `excel` what Excel opens
    right in a Finnish (or any comma-decimal) locale: a UTF-8 byte-order mark, so
    that ä and ö survive, `;` between fields and a decimal comma in the `numbers`
    columns."""
    rows = sorted(rows)
    if excel:
        cols = [header.index(n) for n in numbers]
        rows = [[v.replace(".", ",") if i in cols else v for i, v in enumerate(r)]
                for r in rows]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";" if excel else ",",
                   lineterminator="\r\n" if excel else "\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig" if excel else "utf-8")


def _text(node) -> str:
    return "" if node is None else str(node)


def entities_csv(g: Graph, excel: bool = False) -> bytes:
    """One row per actor, project, place, fund and person: IRI, type, name, codes."""
    codes = (HG.municipalityCode, HG.regionCode, HG.businessId)
    rows = []
    for cls in ENTITY_CLASSES:
        for s in set(g.subjects(RDF.type, cls)):
            rows.append([str(s), g.qname(cls), _text(g.value(s, RDFS.label)),
                         *(_text(g.value(s, p)) for p in codes),
                         " ".join(sorted(str(o) for o in g.objects(s, OWL.sameAs)))])
    return _csv(["iri", "type", "name", "municipalityCode", "regionCode", "businessId",
                 "sameAs"], rows, excel)


def _grants(g: Graph) -> dict[tuple, tuple[str, str, str]]:
    """(funder, project, document) → (amount in euros, share %, scheme) of each
    hg:Grant. The scheme is the fund, programme or instrument the money comes
    through: the funder itself when it is an hg:FundingScheme, else the funding
    schemes the same sentence names as funding the same project."""
    by_sentence: dict[tuple, set[str]] = {}
    grants = []
    for gr in set(g.subjects(RDF.type, HG.Grant)):
        funder, project = g.value(gr, HG.funder), g.value(gr, HG.project)
        doc, sentence = g.value(gr, PROV.wasDerivedFrom), g.value(gr, HG.sentence)
        grants.append((gr, funder, project, doc, sentence))
        if (funder, RDF.type, HG.FundingScheme) in g:
            by_sentence.setdefault((project, doc, sentence), set()).add(
                _text(g.value(funder, RDFS.label)) or str(funder))
    out = {}
    for gr, funder, project, doc, sentence in grants:
        if (funder, RDF.type, HG.FundingScheme) in g:
            schemes = {_text(g.value(funder, RDFS.label)) or str(funder)}
        else:
            schemes = by_sentence.get((project, doc, sentence), set())
        out[(funder, project, doc)] = (_text(g.value(gr, HG.amount)),
                                       _text(g.value(gr, HG.sharePercent)),
                                       " | ".join(sorted(schemes)))
    return out


def facts_csv(g: Graph, excel: bool = False) -> bytes:
    """One row per fact (each rdf:Statement), with its evidence; a funding fact also
    with the grant's amount (euros), share (% of the costs) and scheme."""
    grants = _grants(g)
    rows = []
    for st in set(g.subjects(RDF.type, RDF.Statement)):
        s, p, o = (g.value(st, t) for t in (RDF.subject, RDF.predicate, RDF.object))
        doc = g.value(st, PROV.wasDerivedFrom)
        amount, share, scheme = grants.get((s, o, doc), ("", "", "")) \
            if p == HG.funds else ("", "", "")
        rows.append([
            str(s), _text(g.value(s, RDFS.label)), g.qname(p),
            str(o) if isinstance(o, URIRef) else "",
            _text(g.value(o, RDFS.label)) if isinstance(o, URIRef) else _text(o),
            amount, share, scheme,
            _text(g.value(doc, HG.fileName)), _text(g.value(st, HG.sentence)),
            _text(g.value(st, HG.startOffset)), _text(g.value(st, HG.endOffset)),
            _text(g.value(st, HG.extractedBy)), _text(g.value(st, HG.confidence)),
        ])
    return _csv(["subject", "subjectName", "property", "object", "objectNameOrValue",
                 "amountEUR", "sharePercent", "scheme",
                 "document", "sentence", "startOffset", "endOffset", "rule", "confidence"],
                rows, excel, numbers=("amountEUR", "sharePercent", "confidence"))


def describe(g: Graph, files: dict[str, bytes], options: ExportOptions,
             settings: Settings) -> Graph:
    """VoID and DCAT: what the dataset is, under which licence, from which documents,
    how big, in which files. Only IRIs, no blank nodes, so the Turtle is stable."""
    from importlib.metadata import version

    base = Namespace(settings.base_iri if settings.base_iri.endswith(("/", "#"))
                     else settings.base_iri + "/")
    d = base["dataset"]
    out = Graph()
    for p, ns in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("hg", HG._NS),
                  ("prov", PROV), ("xsd", XSD), ("spdx", SPDX), ("foaf", FOAF),
                  ("vcard", VCARD)):
        out.bind(p, ns)
    day = Literal(export_date(options.date, os.environ), datatype=XSD.date)
    # DCAT-AP 3: a catalogue lists the dataset; both have a publisher (an agent with a
    # name), the dataset a contact point (a vCard with a URL or e-mail of the
    # publisher, never of a person), keywords, a theme, the country it covers and
    # its language; each distribution an access and download URL, an IANA media
    # type, a file format, a licence.
    catalog, publisher, contact = base["catalog"], base["publisher"], base["contact"]
    out.add((catalog, RDF.type, DCAT.Catalog))
    out.add((catalog, DCTERMS.title, Literal("Hankegraph", lang="en")))
    out.add((catalog, DCTERMS.description, Literal(
        "Datasets of Finnish regional development projects read from documents.",
        lang="en")))
    out.add((catalog, DCTERMS.publisher, publisher))
    out.add((catalog, DCAT.dataset, d))
    out.add((publisher, RDF.type, FOAF.Agent))
    out.add((publisher, FOAF.name, Literal(options.publisher)))
    out.add((d, DCTERMS.publisher, publisher))
    out.add((d, DCAT.contactPoint, contact))
    out.add((contact, RDF.type, VCARD.Organization))
    out.add((contact, VCARD.fn, Literal(options.publisher)))
    reach = options.contact or str(base)
    out.add((contact, VCARD.hasEmail if reach.startswith("mailto:") else VCARD.hasURL,
             URIRef(reach)))
    for word, lang in (("aluekehitys", "fi"), ("hankkeet", "fi"), ("rahoitus", "fi"),
                       ("regional development", "en"), ("projects", "en"),
                       ("funding", "en")):
        out.add((d, DCAT.keyword, Literal(word, lang=lang)))
    out.add((d, DCAT.theme, URIRef(EU + "data-theme/REGI")))
    out.add((d, DCTERMS.spatial, URIRef(EU + "country/FIN")))
    out.add((d, DCTERMS.language, URIRef(EU + "language/FIN")))
    out.add((d, DCAT.landingPage, URIRef(str(base))))
    download = options.download_url or f"{base}dataset/"
    download = download if download.endswith("/") else download + "/"
    out.add((d, RDF.type, VOID.Dataset))
    out.add((d, RDF.type, DCAT.Dataset))
    out.add((d, DCTERMS.title, Literal("Hankegraph", lang="en")))
    out.add((d, DCTERMS.title, Literal("Hankegraph", lang="fi")))
    out.add((d, DCTERMS.description, Literal(
        "Organisations, projects, funders, municipalities and regions of Finnish regional "
        "development, read from documents; every fact with the sentence it came from.",
        lang="en")))
    out.add((d, DCTERMS.description, Literal(
        "Alueellisen kehittämisen organisaatiot, hankkeet, rahoittajat, kunnat ja alueet "
        "asiakirjoista luettuina; jokainen tieto lähdelauseineen.", lang="fi")))
    out.add((d, DCTERMS.license, URIRef(options.license)))
    out.add((d, DCAT_VERSION, Literal(version("hankegraph"))))
    out.add((d, OWL.versionInfo, Literal(version("hankegraph"))))
    out.add((d, DCTERMS.created, day))
    out.add((d, DCTERMS.issued, day))
    out.add((d, DCTERMS.conformsTo, URIRef(ONTOLOGY_VERSION_IRI)))
    out.add((d, VOID.vocabulary, URIRef(str(HG._NS).rstrip("#"))))
    out.add((d, VOID.uriSpace, Literal(str(base))))
    out.add((d, VOID.triples, Literal(len(g), datatype=XSD.integer)))
    entities = {s for cls in ENTITY_CLASSES for s in g.subjects(RDF.type, cls)}
    out.add((d, VOID.entities, Literal(len(entities), datatype=XSD.integer)))
    out.add((d, VOID.distinctSubjects, Literal(len(set(g.subjects())), datatype=XSD.integer)))
    out.add((d, VOID.properties, Literal(len(set(g.predicates())), datatype=XSD.integer)))
    for cls in ENTITY_CLASSES:
        part = base[f"dataset/class/{str(cls).rsplit('#', 1)[-1].rsplit('/', 1)[-1]}"]
        out.add((d, VOID.classPartition, part))
        out.add((part, VOID["class"], cls))
        out.add((part, VOID.entities,
                 Literal(len(set(g.subjects(RDF.type, cls))), datatype=XSD.integer)))
    if options.endpoint:
        out.add((d, VOID.sparqlEndpoint, URIRef(options.endpoint)))
        service, dist = base["dataset/service"], base["dataset/distribution/sparql"]
        out.add((service, RDF.type, DCAT.DataService))
        out.add((service, DCTERMS.title, Literal("Hankegraph SPARQL endpoint", lang="en")))
        out.add((service, DCAT.endpointURL, URIRef(options.endpoint)))
        out.add((service, DCAT.servesDataset, d))
        out.add((d, DCAT.distribution, dist))
        out.add((dist, RDF.type, DCAT.Distribution))
        out.add((dist, DCTERMS.title, Literal("SPARQL endpoint")))
        out.add((dist, DCAT.accessURL, URIRef(options.endpoint)))
        out.add((dist, DCAT.accessService, service))
        out.add((dist, DCTERMS.license, URIRef(options.license)))
    for doc in sorted(set(g.subjects(RDF.type, HG.Document))):
        out.add((d, PROV.wasDerivedFrom, doc))
        out.add((d, DCTERMS.source, doc))
        out.add((doc, RDF.type, HG.Document))
        for p in (HG.fileName, HG.checksum, DCTERMS.title, DCTERMS.source):
            for o in g.objects(doc, p):
                out.add((doc, p, o))
    for name in sorted(files):
        dist = base[f"dataset/distribution/{name}"]
        data = files[name]
        out.add((d, DCAT.distribution, dist))
        out.add((dist, RDF.type, DCAT.Distribution))
        out.add((dist, DCTERMS.title, Literal(name)))
        suffix = name.rsplit(".", 1)[-1]
        out.add((dist, DCAT.accessURL, URIRef(download)))
        out.add((dist, DCAT.downloadURL, URIRef(download + name)))
        out.add((dist, DCAT.mediaType, URIRef(IANA + MEDIA_TYPE[suffix])))
        out.add((dist, DCTERMS["format"], URIRef(EU + "file-type/" + FILE_TYPE[suffix])))
        out.add((dist, DCTERMS.license, URIRef(options.license)))
        out.add((dist, DCAT.byteSize, Literal(len(data), datatype=XSD.integer)))
        ck = base[f"dataset/distribution/{name}/sha256"]
        out.add((dist, SPDX.checksum, ck))
        out.add((ck, RDF.type, SPDX.Checksum))
        out.add((ck, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        out.add((ck, SPDX.checksumValue, Literal(hashlib.sha256(data).hexdigest(),
                                                 datatype=XSD.hexBinary)))
    return out
