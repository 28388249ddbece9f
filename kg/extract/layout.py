"""Page layout: key–value lines and headings.

Project pages and funding decisions describe a project as a heading followed
by keys (`Hakija: …`, `Toteutusaika: …`, or a key alone on its line with the
value below). These helpers recognise the keys; mentions.py and relations.py
use them to find the headings and to read the values.
"""

from __future__ import annotations

import re

from kg.extract import lexicon

_INLINE_KEY = re.compile(r"^[•*·\-–]?\s*(?P<key>[^\W\d][\w+ .\-–]{1,48}?)\s*:\s*(?P<value>\S.*)$")


def key_group(key: str) -> str | None:
    """The layout group of a key (`Kokonaiskustannusarvio` → `budget`), or None."""
    k = re.sub(r"\s+", " ", key.strip().rstrip(":").lower())
    if not k or len(k) > 50:
        return None
    best = None
    last = k.split()[-1] if k.split() else k
    for group, keys in lexicon.LAYOUT_KEYS.items():
        for stem in keys:
            # the key's first words (`Haettu tuki`) or its head word, the last one
            # (`Suunnitelman mukainen toteutusaika`)
            # (`Suunnitelman mukainen toteutusaika`); the first words decide over the
            # head (`Haettu EAKR- ja valtion rahoitus` is an amount, not a funder)
            first = k == stem or (k.startswith(stem) and len(stem) >= 5)
            hit = first or (" " not in stem and len(stem) >= 6 and last.startswith(stem))
            score = (first, len(stem))
            if hit and (best is None or score > best[1]):
                best = (group, score)
    return best[0] if best else None


def line_key(line_text: str) -> tuple[str, str, int] | None:
    """(group, key text, offset of the value) for `Key: value` lines, or for a key
    alone on its line (offset = len(line)); None for other lines."""
    t = line_text.strip()
    group = key_group(t)
    if group and len(t.split()) <= 3 and ":" not in t.rstrip(":"):
        return group, t.rstrip(":"), len(line_text)
    m = _INLINE_KEY.match(line_text)
    if m:
        group = key_group(m.group("key"))
        if group:
            return group, m.group("key"), m.start("value")
    return None


def is_project_key(line_text: str) -> bool:
    k = line_key(line_text)
    return bool(k) and k[0] in lexicon.PROJECT_KEY_GROUPS
