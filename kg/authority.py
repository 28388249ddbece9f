"""Reference data: municipalities, regions, wellbeing services counties, known
organisations and funds, loaded from the CSV files in ``data/authority``.

The files keep their own source notes (``SOURCES.md``); nothing from them is
copied into Python literals. Every record gets a stable ``authority_id``
(``municipality:297``, ``region:11``, ``org:<name>``, ``funding:<name>``) and
all the names it is known by, so that extraction can use them as a gazetteer
and resolution as identity.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.model import EntityType

#: organisations.csv types that are funds or programmes rather than organisations
FUNDING_TYPES = frozenset({"eu_fund", "funding_programme", "national_funding"})


@dataclass(frozen=True)
class AuthorityRecord:
    authority_id: str
    type: EntityType
    name: str  # the canonical display name, nominative, first letter capitalised
    names: tuple[str, ...]  # every name it is known by (the canonical one first)
    iri_key: str  # path below the base IRI
    identifiers: tuple[tuple[str, str], ...] = ()
    links: tuple[tuple[str, str], ...] = ()  # (property, authority_id)
    same_as: tuple[str, ...] = ()
    organisation_type: str | None = None
    abbreviation: str | None = None


#: When one name belongs to records of several kinds, the lower rank wins.
_KIND_RANK = {"municipality": 0, "region": 1, "subregion": 2}


def fold(name: str) -> str:
    """The comparison key for names: case-insensitive, white space and dashes folded."""
    name = name.replace("\u2013", "-").replace("\u2014", "-").replace("\u00ad", "")
    return re.sub(r"\s+", " ", name).strip().casefold()


def slug(name: str) -> str:
    """A readable, deterministic IRI path segment: lower case ASCII-ish, hyphens."""
    table = str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e", "ü": "u", "š": "s", "ž": "z"})
    s = fold(name).translate(table)
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "x"


def capitalise(name: str) -> str:
    return name[:1].upper() + name[1:] if name else name


class Authority:
    """All authority records with indexes by folded name."""

    def __init__(self, records: list[AuthorityRecord]):
        self.records: dict[str, AuthorityRecord] = {r.authority_id: r for r in records}
        index: dict[str, set[str]] = defaultdict(set)
        for r in records:
            for n in r.names:
                index[fold(n)].add(r.authority_id)
        self._by_name = {k: tuple(sorted(v)) for k, v in index.items()}
        self.municipality_by_name = {
            fold(r.name): r for r in records if r.type is EntityType.MUNICIPALITY
        }
        self.region_by_name = {fold(r.name): r for r in records if r.type is EntityType.REGION}

    def candidates(self, name: str) -> tuple[AuthorityRecord, ...]:
        return tuple(self.records[i] for i in self._by_name.get(fold(name), ()))

    def lookup(self, name: str) -> AuthorityRecord | None:
        """The one record known by this name, or None when none or several are.

        A municipality and its subregion often share a name (Kuopio): the bare
        name means the municipality, a region beats a subregion of the same name.
        """
        found = self._by_name.get(fold(name), ())
        if len(found) <= 1:
            return self.records[found[0]] if found else None
        ranked = sorted(found, key=lambda i: (_KIND_RANK.get(i.split(":")[0], 9), i))
        best, second = ranked[0], ranked[1]
        if _KIND_RANK.get(best.split(":")[0], 9) < _KIND_RANK.get(second.split(":")[0], 9):
            return self.records[best]
        return None

    def names(self) -> list[str]:
        """Every known name (for gazetteer matching), longest first."""
        return sorted(self._by_name, key=lambda n: (-len(n), n))

    def __len__(self) -> int:
        return len(self.records)


def _read(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]
    except FileNotFoundError as e:
        raise FileNotFoundError(f"{path}: authority file missing ({e.strerror})") from e


def _council_variants(name: str) -> list[str]:
    """A regional council is written both `X:n liitto` and `X:n maakuntaliitto`."""
    m = re.fullmatch(r"(.+) (maakunta)?liitto", name)
    if not m:
        return [name]
    stem = m.group(1)
    return [name, f"{stem} liitto", f"{stem} maakuntaliitto"]


@lru_cache(maxsize=4)
def load_authority(folder: Path) -> Authority:
    folder = Path(folder)
    regions = _read(folder / "regions.csv")
    municipalities = _read(folder / "municipalities.csv")
    counties = _read(folder / "wellbeing_counties.csv")
    organisations = _read(folder / "organisations.csv")
    records: list[AuthorityRecord] = []
    council_by_region: dict[str, str] = {}
    for r in organisations:
        if r["type"] == "maakunnan_liitto" and r["region_code"]:
            council_by_region[r["region_code"]] = r["name_fi"]
    county_id_by_name = {}
    for c in counties:
        if c["type"] == "hyvinvointialue":
            county_id_by_name[c["name_fi"]] = f"org:{c['name_fi']}"

    for r in regions:
        names = [r["name_fi"], r["name_sv"], r["name_en"]]
        same = (f"http://www.wikidata.org/entity/{r['wikidata']}",) if r["wikidata"] else ()
        records.append(
            AuthorityRecord(
                authority_id=f"region:{r['code']}",
                type=EntityType.REGION,
                name=r["name_fi"],
                names=tuple(dict.fromkeys(n for n in names if n)),
                iri_key=f"region/{r['code']}",
                identifiers=(("regionCode", r["code"]),),
                same_as=same,
            )
        )
    for m in municipalities:
        same = (f"http://www.wikidata.org/entity/{m['wikidata']}",) if m["wikidata"] else ()
        links = [("inRegion", f"region:{m['region_code']}")]
        if m["wellbeing_county"] in county_id_by_name:
            links.append(("inWellbeingCounty", county_id_by_name[m["wellbeing_county"]]))
        records.append(
            AuthorityRecord(
                authority_id=f"municipality:{m['code']}",
                type=EntityType.MUNICIPALITY,
                name=m["name_fi"],
                names=tuple(dict.fromkeys(n for n in (m["name_fi"], m["name_sv"]) if n)),
                iri_key=f"municipality/{m['code']}",
                identifiers=(("municipalityCode", m["code"]),),
                links=tuple(links),
                same_as=same,
            )
        )
    # Subregions (seutukunta) are areas named as places: "Suupohjan seutukunta".
    subregions = sorted({(m["subregion_code"], m["subregion_fi"]) for m in municipalities
                         if m["subregion_code"] and m["subregion_fi"]})
    for code, name in subregions:
        records.append(
            AuthorityRecord(
                authority_id=f"subregion:{code}",
                type=EntityType.REGION,
                name=name,
                names=(name,),
                iri_key=f"subregion/{code}",
                identifiers=(("subregionCode", code),),
            )
        )
    for o in organisations:
        is_funding = o["type"] in FUNDING_TYPES
        etype = EntityType.FUNDING if is_funding else EntityType.ORGANISATION
        name = capitalise(o["name_fi"])
        names = [name]
        if o["type"] == "maakunnan_liitto":
            names = [capitalise(n) for n in _council_variants(o["name_fi"])]
        if o["type"] == "ely_keskus" and o["name_fi"].endswith(" ELY-keskus"):
            # ELY is the abbreviation of `elinkeino-, liikenne- ja ympäristökeskus`
            stem = o["name_fi"][: -len(" ELY-keskus")]
            names.append(f"{stem} elinkeino-, liikenne- ja ympäristökeskus")
        # An abbreviation shared by several records (every ELY centre is "ELY")
        # is no name of any one of them; Authority.lookup refuses ambiguous names.
        names += [o["name_sv"], o["name_en"], o["abbreviation"]]
        identifiers: list[tuple[str, str]] = []
        if o["code_scheme"] == "statfi_hyvinvointialue" and o["code"]:
            identifiers.append(("wellbeingCountyCode", o["code"]))
        elif o["code"] and "oppilaitos" in o["code_scheme"]:
            identifiers.append(("institutionCode", o["code"]))
        links = []
        if o["type"] == "maakunnan_liitto" and o["region_code"]:
            links.append(("regionalCouncilOf", f"region:{o['region_code']}"))
        kind = "funding" if is_funding else "organisation"
        records.append(
            AuthorityRecord(
                authority_id=f"{'funding' if is_funding else 'org'}:{o['name_fi']}",
                type=etype,
                name=name,
                names=tuple(dict.fromkeys(n for n in names if n)),
                iri_key=f"{kind}/{slug(o['name_fi'])}",
                identifiers=tuple(identifiers),
                links=tuple(links),
                organisation_type=o["type"],
                abbreviation=o["abbreviation"] or None,
            )
        )
    return Authority(records)
