"""Finnish words that mark organisation names, roles, money and places.

These are words of the language (organisation-type head words, role nouns,
funding verbs), not names of any particular actor: gazetteers of names come
from the authority data only.
"""

from __future__ import annotations

#: Head words (nominative, lower case) that end an organisation's name. A
#: compound ending in one of them counts too (maakuntaliitto → liitto).
ORG_HEADS = (
    "ammattikorkeakoulu", "korkeakoulu", "yliopisto", "ammattiopisto", "opisto", "oppilaitos",
    "lukio", "kuntayhtymä", "yhtymä", "hyvinvointialue", "liitto", "säätiö", "yhdistys",
    "seura", "osuuskunta", "osuuskauppa", "keskus", "toimisto", "ministeriö", "virasto",
    "laitos", "instituutti", "kauppakamari", "kamari", "seurakunta", "yhtiö", "konserni",
    "työryhmä", "valmisteluryhmä", "valmistelutyöryhmä", "yhteistyöryhmä", "ohjausryhmä",
    "akatemia", "museo", "kirjasto", "sairaanhoitopiiri", "klinikka", "rahasto",
    "neuvosto", "järjestö", "klusteri", "kirkko", "koulutuskeskus",
    "palvelukeskus", "oy", "unioni", "komissio", "sihteeristö", "hallitus", "lautakunta",
    "valtuusto", "jaosto",
)

#: Abbreviated head words written after a genitive (`Turun AMK`).
HEAD_ABBREVIATIONS = {"amk": "ammattikorkeakoulu"}

#: Cue words after which a list of member names follows (`osatoteuttajat ovat A,
#: B ja C`, `Kumppanit: …`, `Hankekonsortiossa ovat mukana …`).
LIST_CUES = ("osatoteuttaj", "toteuttajat", "toteuttajina", "toteuttajia", "kumppane",
             "toteuttivat", "toteuttavat", "pilottikun",
             "kumppanit", "konsorti", "hankekonsorti", "mukana", "jäseninä", "jäsenet")

#: Generic words of section headings (`Tietoa hankkeesta`, `Hakijan perustiedot`):
#: a heading made of these and common words is no project name.
SECTION_WORDS = ("tietoa", "tiedot", "perustiedot", "hankkeesta", "hankkeen", "hanke",
                 "projektista", "projektin", "yhteystiedot", "kuvaus", "hakijan", "hakija",
                 "lisätietoja", "ajankohtaista", "uutiset", "tiedotteet", "hankkeet")

#: Heads that make the name a fund rather than an organisation.
FUNDING_HEADS = ("rahasto", "määräraha", "kehittämisraha", "rahoitusohjelma", "tukiohjelma")

#: Heads for which the name is an area, not an actor.
PLACE_HEADS = ("maakunta", "seutukunta", "seutu", "alue")

#: Heads that turn a municipality's genitive into the municipality as an actor.
MUNICIPALITY_HEADS = ("kaupunki", "kunta")

#: Base forms of the words that mark a project's name before them
#: (`KOTONA! -hanke`, `Tuuli-pilotissa`, `Blue path -esiselvitys`).
PROJECT_MARKERS = ("hanke", "projekti", "pilotti", "kehittämishanke", "investointihanke",
                   "kärkihanke", "esiselvityshanke", "selvityshanke", "matkailuhanke",
                   "selvitys", "esiselvitys", "kokeilu", "pilottihanke", "yhteishanke")
#: Their stems as written before any case ending (consonant gradation:
#: hanke → hankkeessa, pilotti → pilotissa).
PROJECT_MARKER_STEMS = ("hank", "projekt", "pilot", "selvity", "esiselvity", "kokeilu",
                        "kehittämishank", "investointihank", "kärkihank", "matkailuhank",
                        "pilottihank", "yhteishank", "selvityshank", "esiselvityshank")

#: Role cues: stems matched against the lower-cased word (prefix match). A stem
#: stops before the inflecting vowel (`osatoteuttaj-a`, `-at`, `-ia`, `-ina`); the
#: longest matching stem decides the role.
ROLE_CUES = {
    "administers": ("hallinnoi", "hallinnoij", "hallinnointi", "hallinoi", "päätoteuttaj",
                    "hakij", "vastuutaho", "koordinoi", "koordinaattor", "päähakij",
                    "vetää", "vetäj", "hakee", "hakevat", "hakenut", "toteuttajana",
                    "toteuttaa", "toteutti"),
    "implements": ("osatoteuttaj", "toteuttajat", "toteuttajina", "toteuttajia",
                   "konsorti", "hankekonsorti", "yhteistoteuttaj", "osahanke",
                   "toteuttivat", "toteuttavat"),
    "partners": ("kumppan", "kehittämiskumppan", "yhteistyökumppan", "mukana", "pilottialu",
                 "yhteistyötaho", "verkostokumppan", "pilottikun", "pilottikaupun"),
}

#: Funding cues (prefix match on the lower-cased word).
FUNDING_CUES = ("rahoittaj", "rahoitus", "rahoitta", "rahoitet", "myönsi", "myönnet",
                "myöntä", "myöntänyt", "puolsi", "puolta", "puoltaa", "eu-rahoitus", "tuki",
                "tukea", "tuen", "avustus", "avustusta", "kehittämisraha", "rahoituksella")

#: Cues that a money amount is the project's total, not one funder's part.
TOTAL_COST_CUES = ("kokonaiskustannu", "kokonaisbudjet", "budjetti", "kustannusarvio",
                   "kokonaisrahoitus", "kustannukset", "hankkeen koko", "kokonaiskulut")

#: Cues that the following lines name contact persons.
CONTACT_CUES = ("lisätietoja", "yhteyshenkilö", "yhteystiedot", "lisätiedot",
                "projektipäällikkö", "hankepäällikkö", "hankekoordinaattori",
                "projektikoordinaattori", "projektiasiantuntija", "vastuuhenkilö")

#: Keys of key–value page layouts: a key alone on its line with the value
#: below (`Rahoittaja` / `Erasmus+`), or inline (`Hakija: Kuopion kaupunki`).
#: Matched against the lower-cased key as a prefix, so `kokonaiskustannusarvio`
#: and `haettu eakr- ja valtion rahoitus` find their group.
LAYOUT_KEYS = {
    "period": ("kesto", "toteutusaika", "hankeaika", "aikataulu", "projektin kesto",
               "hankkeen kesto", "ajankohta", "toteutus", "hankkeen toteutusaika"),
    "funder": ("rahoittaja", "rahoitus", "rahoituslähde", "rahoitusohjelma", "rahasto",
               "rahoitusväline", "ohjelma"),
    "amount": ("haettu tuki", "haettu", "myönnetty tuki", "myönnetty", "tuki", "eu-tuki",
               "eu-rahoitus", "tukisumma", "avustus"),
    "budget": ("budjetti", "kokonaisbudjetti", "kokonaiskustannu", "kustannusarvio",
               "hankkeen budjetti", "kokonaisrahoitus"),
    "administrator": ("hallinnointi", "hallinointi", "hallinnoija", "päätoteuttaja",
                      "toteuttaja", "hakija", "hakijan nimi", "vastuutaho", "koordinaattori"),
    "implementers": ("hallinointi ja osatoteuttajat", "hallinnointi ja osatoteuttajat",
                     "osatoteuttaja", "toteuttajat", "yhteistoteuttaja"),
    "partners": ("kumppanit", "yhteistyökumppanit", "kehittämiskumppanit", "partnerit"),
    "area": ("toiminta-alue", "kohdealue", "alue", "kohdekunnat", "kunnat"),
    "contact": CONTACT_CUES,
    # addresses: a town in a postal address is not where a project works
    "address": ("postitoimipaikka", "jakeluosoite", "postinumero", "postiosoite",
                "käyntiosoite", "osoite", "www-osoite", "puhelinnumero", "sähköposti"),
    # the section headings of a project page
    "section": ("kohderyhmä", "kohderyhmät", "tavoitteet", "tavoite", "päätavoite",
                "toimenpiteet", "hankkeen tavoitteet", "tulokset", "kuvaus", "hankkeen kuvaus",
                "yhteystiedot"),
}

#: Key groups that belong to one project's description (a heading above them
#: names the project).
PROJECT_KEY_GROUPS = ("period", "funder", "amount", "budget", "administrator",
                      "implementers", "partners")

#: Anaphoric words that point back to the project in focus.
PROJECT_ANAPHORA = ("hanke", "hankkeen", "hanketta", "hankkeelle", "hankkeessa", "hankkeesta",
                    "hankkeeseen", "hankkeella", "projekti", "projektin", "projektia",
                    "projektille", "projektissa", "projektiin", "pilotti", "pilotin",
                    "pilottia", "pilotissa", "hankkeen nimi", "hankkeena")

#: Head words of job titles (`toimitusjohtaja`, `kehittämispäällikkö`): a title
#: between an organisation in the genitive and a person says whom they work for.
TITLE_HEADS = ("johtaja", "päällikkö", "asiantuntija", "koordinaattori", "sihteeri",
               "suunnittelija", "esihenkilö", "edustaja", "jäsen", "neuvos", "tutkija",
               "lehtori", "opettaja", "rehtori", "ohjaaja", "insinööri", "kehittäjä",
               "valmistelija", "pormestari", "puheenjohtaja", "vastaava", "työntekijä",
               "projektipäällikkö", "manageri", "koordinaattori", "agentti")

#: Active verbs of granting: their subject is the funder (`maakuntahallitus myönsi`).
GRANT_VERBS_ACTIVE = ("myönsi", "myönsivät", "myöntää", "myöntänyt", "myönsimme", "puolsi",
                      "puoltaa", "päätti myöntää", "rahoittaa", "rahoitti")
#: Passive or receiving grant phrases: the funder is not in the sentence.
GRANT_PASSIVE = ("myönnettiin", "myönnetään", "myönnetty", "sai rahoitusta", "saa rahoitusta",
                 "sai tukea", "saa tukea", "osarahoitetaan", "rahoitetaan", "on myönnetty",
                 "osoitettiin", "on osoitettu")
#: Organs that act for the organisation named in their genitive.
ORGAN_HEADS = ("hallitus", "maakuntahallitus", "lautakunta", "valtuusto", "jaosto",
               "kaupunginhallitus", "kunnanhallitus", "aluehallitus")
#: Words after an acronym that make it a funding instrument (`AIKO-rahoitus`).
FUNDING_SUFFIXES = ("rahoitus", "tuki", "raha", "avustus", "ohjelma", "määräraha")

#: Legal forms written before the name (`Osuuskunta A. Vipunen`).
LEGAL_FORM_PREFIXES = ("Osuuskunta", "Kommandiittiyhtiö", "Avoin yhtiö", "Säätiö")
#: Head words of organisation names in English (partner lists of EU projects).
ENGLISH_ORG_HEADS = ("College", "University", "Institute", "Council", "Foundation",
                     "Association", "Agency", "Centre", "Center", "Company", "Academy",
                     "School", "Society", "Chamber", "Ltd", "Inc", "GmbH", "Municipality",
                     "Authority", "Office", "Network")
