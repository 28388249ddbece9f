"""A generator of realistic project documents, for benchmarks and tests.

Each document describes one regional development project the way funding
decisions and project pages do: a made-up project name, an administering
organisation and co-implementers from the authority data (universities of
applied sciences, wellbeing services counties, regional councils), a fund,
costs, dates and the municipalities of its area, in a few paragraphs of Finnish
prose with the clutter of real documents (a diary number, a date line). The
same seed gives the same corpus.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from kg.settings import REPO_ROOT

AUTHORITY = REPO_ROOT / "data" / "authority"

_THEMES = ["Osaava", "Vihreä", "Digitaalinen", "Elinvoimainen", "Kestävä", "Yhteinen",
           "Älykäs", "Turvallinen", "Hyvinvoiva", "Rohkea", "Uudistuva", "Avoin"]
_SUBJECTS = ["työikä", "maaseutu", "kasvu", "siirtymä", "osaaminen", "matkailu", "kylä",
             "nuoruus", "yrittäjyys", "energia", "metsä", "satama", "arki", "kotoutuminen"]
_FILLER = [
    "Hankkeen tavoitteena on vahvistaa alueen yritysten ja julkisten toimijoiden yhteistyötä "
    "sekä kehittää uusia toimintamalleja, jotka jäävät elämään hankkeen päätyttyä.",
    "Kohderyhmänä ovat alueen pienet ja keskisuuret yritykset, työttömät työnhakijat sekä "
    "kuntien ja hyvinvointialueen henkilöstö.",
    "Hankkeessa järjestetään työpajoja, koulutuksia ja pilotteja, ja sen tuloksista "
    "viestitään avoimesti hankkeen verkkosivuilla ja alueellisissa tilaisuuksissa.",
    "Toimenpiteet kohdistuvat erityisesti harvaan asutuille alueille, joissa palveluiden "
    "saavutettavuus on heikentynyt viime vuosina.",
    "Hankkeen ohjausryhmään kuuluu edustajia toteuttajaorganisaatioista, kunnista ja "
    "alueen elinkeinoelämästä.",
    "Alueen väestö ikääntyy ja työvoiman saatavuus on monilla aloilla heikentynyt, minkä "
    "vuoksi uusia keinoja osaavan työvoiman houkuttelemiseksi ja pitämiseksi tarvitaan "
    "pikaisesti. Samalla yritysten tarve täydennyskoulutukselle kasvaa.",
    "Hankkeen tuloksena syntyy toimintamalli, jota alueen toimijat voivat hyödyntää myös "
    "hankkeen jälkeen. Mallista laaditaan käsikirja, joka julkaistaan avoimesti.",
    "Hankkeessa kartoitetaan aluksi nykytila haastatteluin ja kyselyin. Sen jälkeen "
    "kehitetään ja pilotoidaan uusia palveluja yhdessä asiakkaiden ja henkilöstön kanssa, "
    "ja lopuksi arvioidaan pilottien vaikutukset.",
    "Hankkeen toimenpiteet tukevat maakuntaohjelman tavoitteita sekä alueellista "
    "älykkään erikoistumisen strategiaa, ja ne täydentävät alueella aiemmin toteutettuja "
    "kehittämishankkeita.",
    "Viestinnässä hyödynnetään sosiaalista mediaa, uutiskirjeitä ja alueellisia "
    "tapahtumia. Hankkeen tuloksista järjestetään loppuseminaari vuoden viimeisellä "
    "neljänneksellä.",
    "Arvioinnissa seurataan osallistujien määrää, syntyneitä yhteistyösopimuksia ja "
    "palvelujen käyttäjien kokemuksia. Väliraportti laaditaan hankkeen puolivälissä.",
]


def _rows(name: str) -> list[dict[str, str]]:
    with open(AUTHORITY / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def generate(n: int, seed: int = 1) -> list[tuple[str, str]]:
    """``n`` documents as (file name, text)."""
    rng = random.Random(seed)
    orgs = _rows("organisations.csv")
    actors = [o["name_fi"] for o in orgs if o["type"] in
              ("ammattikorkeakoulu", "yliopisto", "hyvinvointialue", "maakunnan_liitto")]
    funds = [o["name_fi"] for o in orgs if o["type"] in ("eu_fund", "funding_programme")]
    munis = [m["name_fi"] for m in _rows("municipalities.csv")]
    docs = []
    for i in range(n):
        name = f"{rng.choice(_THEMES)} {rng.choice(_SUBJECTS)} {i}"
        admin, *others = rng.sample(actors, 3)
        fund = rng.choice(funds)
        area = rng.sample(munis, rng.randint(2, 5))
        total = rng.randrange(150_000, 3_000_000, 1000)
        share = rng.choice([60, 70, 80])
        start = rng.randint(2021, 2025)
        paras = [
            f"{rng.randint(100, 9999)}/00.04.02/{start - 1}",
            f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.{start - 1}",
            f"Päätös hankkeen ”{name}” rahoittamisesta",
            f"Hankkeen nimi on ”{name}”. Hanketta hallinnoi {admin}. "
            f"Hankkeen osatoteuttajina toimivat {others[0]} ja {others[1]}.",
            f"Hankkeen rahoittaja on {fund}. Hankkeen kokonaiskustannukset ovat "
            f"{total:,} euroa ja tuen osuus on {share} prosenttia.".replace(",", " "),
            f"Hankkeen toteutusaika on 1.1.{start}–31.12.{start + 2}. "
            f"Hankkeen toiminta-alueena ovat {', '.join(area[:-1])} ja {area[-1]}.",
            f"Hankkeen budjetista henkilöstökulujen osuus on noin {rng.randint(40, 70)} "
            f"prosenttia ja ostopalvelujen {rng.randint(10, 30)} prosenttia. Kuntien "
            f"rahoitusosuus kerätään toteutuneiden kustannusten mukaan.",
            *rng.sample(_FILLER, len(_FILLER)),
        ]
        docs.append((f"gen_{i:05d}.txt", "\n\n".join(paras) + "\n"))
    return docs


def write(folder: Path, n: int, seed: int = 1) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in generate(n, seed):
        (folder / name).write_text(text, encoding="utf-8")
        out.append(folder / name)
    return out
