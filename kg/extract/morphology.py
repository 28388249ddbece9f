"""Finnish morphology with Voikko: base forms of inflected name heads.

A name's canonical form is its modifiers as written plus the nominative of its
head (last) word: ``Etelä-Savon maakuntaliitosta`` → ``Etelä-Savon
maakuntaliitto``. Never lemmatise every word of a name.

Voikko's first reading is not always the right one (``maakuntaliitosta`` is
first ``maakuntaliitos``, then ``maakuntaliitto``), so :func:`head_nominative`
chooses among the readings: a reading whose base form is a known name or ends
in a known organisation head word wins.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Case names as Voikko reports them (SIJAMUOTO), with the English terms.
CASES = {
    "nimento": "Nom", "omanto": "Gen", "osanto": "Par", "olento": "Ess", "tulento": "Tra",
    "sisaolento": "Ine", "sisaeronto": "Ela", "sisatulento": "Ill", "ulkoolento": "Ade",
    "ulkoeronto": "Abl", "ulkotulento": "All", "vajanto": "Abe", "seuranto": "Com",
    "keinonto": "Ins",
}

# Legal-form suffixes and their inflected spellings (`ry:n`, `Oy:lle`).
LEGAL_FORMS = ("Oyj", "Oy", "Ab", "Abp", "ry", "rf", "sr", "rs", "ky", "Ky", "Tmi", "oy")
_LEGAL_RE = re.compile(rf"^({'|'.join(LEGAL_FORMS)})(?::\w+)?\.?$")  # `ry.` ends a sentence

# Case endings tried, longest first, for words Voikko does not know (ViaDian → ViaDia).
_FALLBACK_ENDINGS = ("lle", "ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä",
                     "ksi", "na", "nä", "n", "a", "ä")


@lru_cache(maxsize=1)
def _voikko():
    import libvoikko

    try:
        return libvoikko.Voikko("fi")
    except OSError as e:  # the library or the Finnish dictionary is missing
        raise RuntimeError(
            "Voikko could not start: install libvoikko1 and voikko-fi "
            "(apt-get install libvoikko1 voikko-fi), or run `make run`, which does it"
        ) from e


@lru_cache(maxsize=200_000)
def analyses(word: str) -> tuple[dict[str, str], ...]:
    """Voikko's readings of one word (cached; Voikko is the slow part)."""
    if not word or len(word) > 80:
        return ()
    return tuple(dict(a) for a in _voikko().analyze(word))


def _restore_case(base: str, word: str) -> str:
    """Keep the writer's capitalisation: Voikko lower-cases some proper compounds."""
    if word[:1].isupper() and base[:1].islower():
        base = base[:1].upper() + base[1:]
    return base


def cases_of(word: str) -> set[str]:
    return {CASES[a["SIJAMUOTO"]] for a in analyses(word) if a.get("SIJAMUOTO") in CASES}


def word_classes(word: str) -> set[str]:
    """Voikko's CLASS values: nimisana, etunimi, sukunimi, paikannimi, nimi, teonsana, ..."""
    return {a.get("CLASS", "") for a in analyses(word)}


def legal_form(word: str) -> str | None:
    m = _LEGAL_RE.match(word)
    return m.group(1) if m else None


def head_nominative(word: str, prefer=lambda base: False) -> str:
    """The nominative of a name's head word, choosing among Voikko's readings.

    ``prefer(base)`` marks base forms that are known to be right (an
    organisation head word, an authority name).
    """
    if "-" in word and not analyses(word):
        # hyphenated compound Voikko does not know: inflection sits on the last part
        left, _, right = word.rpartition("-")
        if right:
            return f"{left}-{head_nominative(right, lambda b: prefer(f'{left}-{b}'))}"
    legal = legal_form(word)
    if legal:
        return legal
    readings = analyses(word)
    if readings:
        bases = [_restore_case(a["BASEFORM"], word) for a in readings if a.get("BASEFORM")]
        for b in bases:
            if prefer(b) or prefer(b.lower()):
                return b
        # a reading whose base equals the word itself means it is already nominative
        if word in bases or word.lower() in (b.lower() for b in bases):
            return word
        return bases[0] if bases else word
    return _fallback_nominative(word, prefer)


def _fallback_nominative(word: str, prefer) -> str:
    for ending in _FALLBACK_ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 3 and prefer(stem):
            return stem
    if word.endswith(":n"):
        return word[:-2]
    return word


def is_genitive(word: str) -> bool:
    """Genitive by Voikko's readings; a word Voikko does not know (a brand, a foreign
    name) counts when it ends in -n. A known word without a case (a verb such as
    `myönnettiin`) is not genitive."""
    if word.endswith(":n") or word.endswith("'n"):
        return True
    if analyses(word):
        return "Gen" in cases_of(word)
    return word.endswith("n")


def is_finite_verb(word: str) -> bool:
    """A verb in a mood (`myönsi`, `hallinnoi`), not a participle or infinitive
    (`kestävän`, `tukeminen`), which occur inside names."""
    return any(a.get("CLASS") == "teonsana" and a.get("MOOD") in ("indicative", "imperative",
                                                                   "conditional", "potential")
               for a in analyses(word))
