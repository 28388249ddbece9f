"""Write a synthetic Hankegraph dataset of about N triples, shaped like the real one.

One named graph per document, as `kg build` writes: the document's project, its
organisations (labels repeated in every graph that mentions them), direct role
and funding triples, hg:Participation and hg:Grant nodes, an rdf:Statement with
provenance for every direct triple, and an authority graph of municipalities in
regions. TriG text is written directly (rdflib would take minutes). Deterministic:
the same N gives the same file.

    python benchmarks/generate.py OUT.trig [--triples 1000000]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

B = "https://w3id.org/hankegraph/"
HG = B + "ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPE_WORDS = ["ammattikorkeakoulu", "kuntayhtymä", "liitto", "yhdistys ry", "Oy", "säätiö sr",
              "kaupunki", "hyvinvointialue", "yliopisto", "kehittämisyhtiö Oy"]
ROLES = [("administers", "administrator"), ("implements", "coImplementer"),
         ("partnerIn", "partner")]
TRIPLES_PER_DOCUMENT = 171  # measured on this generator's output; sets the document count


def lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(out: Path, triples: int, seed: int = 7) -> int:
    rnd = random.Random(seed)
    documents = max(1, triples // TRIPLES_PER_DOCUMENT)
    organisations = max(50, documents // 3)
    funders = 40
    regions = 19
    municipalities = 300
    written = 0
    with open(out, "w", encoding="utf-8") as f:
        def t(s, p, o):
            nonlocal written
            f.write(f"  {s} {p} {o} .\n")
            written += 1

        f.write(f"<{B}graph/authority> {{\n")
        for r in range(regions):
            t(f"<{B}region/{r:02d}>", f"<{RDF}type>", f"<{HG}Region>")
            t(f"<{B}region/{r:02d}>", f"<{RDFS}label>", lit(f"Maakunta {r}"))
        for m in range(municipalities):
            t(f"<{B}municipality/{m:03d}>", f"<{RDF}type>", f"<{HG}Municipality>")
            t(f"<{B}municipality/{m:03d}>", f"<{RDFS}label>", lit(f"Kunta {m}"))
            t(f"<{B}municipality/{m:03d}>", f"<{HG}inRegion>", f"<{B}region/{m % regions:02d}>")
        f.write("}\n")
        for d in range(documents):
            doc = f"<{B}document/d{d}>"
            f.write(f"<{B}graph/d{d}> {{\n")
            t(doc, f"<{RDF}type>", f"<{HG}Document>")
            t(doc, f"<{HG}fileName>", lit(f"d{d}.txt"))
            project = f"<{B}project/p{d}>"
            t(project, f"<{RDF}type>", f"<{HG}Project>")
            t(project, f"<{RDFS}label>", lit(f"Hanke {d}"))
            t(project, f"<{HG}mentionedIn>", doc)
            direct = []
            # organisations: a skewed choice, so that some take part in many projects
            orgs = {int(organisations * rnd.random() ** 2) for _ in range(rnd.randint(3, 7))}
            for i, o in enumerate(sorted(orgs)):
                org = f"<{B}organisation/o{o}>"
                t(org, f"<{RDF}type>", f"<{HG}Organisation>")
                t(org, f"<{RDFS}label>", lit(f"Toimija {o} {TYPE_WORDS[o % len(TYPE_WORDS)]}"))
                t(org, f"<{HG}mentionedIn>", doc)
                prop, role = ROLES[0] if i == 0 else ROLES[1 + rnd.randrange(2)]
                direct.append((org, f"<{HG}{prop}>", project))
                part = f"<{B}participation/d{d}-{o}>"
                t(part, f"<{RDF}type>", f"<{HG}Participation>")
                t(part, f"<{HG}participant>", org)
                t(part, f"<{HG}project>", project)
                t(part, f"<{HG}role>", f"<{HG}{role}>")
            for _ in range(rnd.randint(1, 2)):
                fu = int(funders * rnd.random() ** 1.5)
                funder = f"<{B}organisation/f{fu}>"
                t(funder, f"<{RDF}type>", f"<{HG}Organisation>")
                t(funder, f"<{RDFS}label>", lit(f"Rahoittaja {fu}"))
                direct.append((funder, f"<{HG}funds>", project))
                direct.append((project, f"<{HG}fundedBy>", funder))
                grant = f"<{B}grant/d{d}-{fu}>"
                t(grant, f"<{RDF}type>", f"<{HG}Grant>")
                t(grant, f"<{HG}funder>", funder)
                t(grant, f"<{HG}project>", project)
                t(grant, f"<{HG}amount>", f'"{rnd.randrange(10_000, 3_000_000)}"^^<{XSD}decimal>')
                t(grant, f"<{HG}sharePercent>", f'"{rnd.choice([50, 70, 80])}"^^<{XSD}decimal>')
            for _ in range(rnd.randint(1, 3)):
                direct.append((project, f"<{HG}targetArea>",
                               f"<{B}municipality/{rnd.randrange(municipalities):03d}>"))
            year = rnd.randint(2015, 2026)
            direct.append((project, f"<{HG}startDate>", f'"{year}-01-01"^^<{XSD}date>'))
            for k, (s, p, o) in enumerate(direct):
                t(s, p, o)
                st = f"<{B}statement/d{d}-{k}>"
                t(st, f"<{RDF}type>", f"<{RDF}Statement>")
                t(st, f"<{RDF}subject>", s)
                t(st, f"<{RDF}predicate>", p)
                t(st, f"<{RDF}object>", o)
                t(st, f"<{PROV}wasDerivedFrom>", doc)
                t(st, f"<{HG}sentence>", lit(f"Lause {k} asiakirjasta {d}."))
                t(st, f"<{HG}startOffset>", f'"{k * 100}"^^<{XSD}integer>')
                t(st, f"<{HG}endOffset>", f'"{k * 100 + 80}"^^<{XSD}integer>')
                t(st, f"<{HG}extractedBy>", lit("benchmark.synthetic"))
                t(st, f"<{HG}confidence>", f'"0.8"^^<{XSD}decimal>')
            f.write("}\n")
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--triples", type=int, default=1_000_000)
    args = ap.parse_args()
    n = generate(args.out, args.triples)
    print(f"wrote {args.out}: {n} quads")


if __name__ == "__main__":
    main()
