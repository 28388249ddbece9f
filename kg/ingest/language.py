"""A light, offline language check: is this text Finnish or Swedish?

Counting function words is enough to tell a Finnish or Swedish document from an
English, German, French, Spanish or Estonian one, needs no model, and is
deterministic. A word that is a function word in both groups (``on``, ``de``)
counts for neither. A text is rejected only when the other languages' function
words are many (at least ``MIN_EVIDENCE``) and outnumber the Finnish and Swedish
ones more than ``RATIO`` to one: a Finnish text quoting an English programme
name, or with an English abstract, passes; so does a text too short to judge.
"""

from __future__ import annotations

import re
from collections import Counter


def _words(text: str) -> set[str]:
    return set(text.split())


FINNISH = _words("""ja on ei että se ovat oli olivat myös kuin sekä tai joka jotka jossa joissa
jonka joiden mukaan kanssa olla ole tämä tämän nämä niin kun mutta sen sitä ne hän he me
siitä siihen sekä vuonna vuoden hanke hankkeen hankkeessa hankkeen hankkeella alueen
alueella kunnan kaupungin toteuttaa toteutetaan tavoitteena osana lisäksi sekä eri
välillä kautta jälkeen aikana yhteistyössä yhteistyö""")
SWEDISH = _words("""och att det som är av för med till på har inte ett också kan från
eller vid sig samt projektet projekt inom genom mellan efter skall ska detta dessa vara
blev""")
OTHER = {
    "English": _words("""the and of to in is that for it with as was on are be by this which
        from or an were have has not but their its will would been they these project
        projects"""),
    "German": _words("""der die und das ist nicht mit von den zu sich auf für ein eine dem des
        wird werden auch bei nach"""),
    "French": _words("""le la les et des est une du que pour dans pas qui sur au avec sont
        par ce"""),
    "Spanish": _words("""el los las y que del por con para una es se al lo como más
        pero"""),
    "Estonian": _words("""ning või mis aga kes seda selle ka olid"""),
}
_OURS = FINNISH | SWEDISH
_OTHERS = {lang: words - _OURS for lang, words in OTHER.items()}
_ALL_OTHER = set().union(*_OTHERS.values())
_OURS_ONLY = _OURS - _ALL_OTHER

MIN_EVIDENCE = 10
RATIO = 2.0
_WORD = re.compile(r"[^\W\d_]+")


def foreign_language(text: str) -> str | None:
    """The reason to skip ``text`` as not Finnish or Swedish, or None to keep it."""
    words = Counter(_WORD.findall(text.lower()))
    ours = sum(n for w, n in words.items() if w in _OURS_ONLY)
    others = {lang: sum(n for w, n in words.items() if w in ws) for lang, ws in _OTHERS.items()}
    lang, hits = max(others.items(), key=lambda kv: (kv[1], kv[0]))
    total = sum(others.values())
    if total >= MIN_EVIDENCE and total > RATIO * ours:
        return (f"not Finnish or Swedish (reads as {lang}: {hits} of its function words, "
                f"{ours} Finnish or Swedish ones)")
    return None
