"""Business IDs (Y-tunnus, ``1234567-8``) that a document gives an organisation.

Read from the document text beside the organisation's own mention, never guessed:

- on the same line, right after the name: ``Beta Palvelut Oy, 1234567-1``,
  ``Beta Palvelut Oy (Y-tunnus 1234567-1)``, ``Beta Palvelut Oy, Y-tunnus: 1234567-1``;
- a line of its own, ``Y-tunnus: 1234567-1``, in an application's key–value
  block, belongs to the organisation named a few lines above it
  (``Hakijan virallinen nimi: Beta Palvelut Oy``).

Every ID is checked with its check digit before an organisation carries it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.model import Document, EntityType, Mention

ID = re.compile(r"(?<![\d-])(\d{7})-(\d)(?![\d-])")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
#: what may stand between a name and its ID on one line: a short form of the name
#: (`Oy Keuke`), a comma or a bracket, the label
_BETWEEN = re.compile(r"(?:\s+[A-ZÅÄÖ][\w-]{1,15})?\s*[,(]?\s*(?:[Yy]-tunnus\s*:?\s*)?")
_OWN_LINE = re.compile(r"\s*y-tunnus\s*:?\s*(\d{7}-\d)\s*\)?\s*$", re.I)
#: how many non-empty lines above a ``Y-tunnus:`` line the organisation may be named
_LOOK_BACK = 4
_HEADING = re.compile(r"^\s*\d+(\.\d+)*\.? +[A-ZÅÄÖ]")
ACTORS = (EntityType.ORGANISATION, EntityType.MUNICIPALITY)


def valid_business_id(value: str) -> bool:
    """The check digit rule: weights 7, 9, 10, 5, 8, 4, 2; the sum modulo 11 is 0 → 0,
    1 → no valid ID has it, otherwise the check digit is 11 − remainder."""
    m = re.fullmatch(r"(\d{7})-(\d)", value)
    if not m:
        return False
    remainder = sum(int(d) * w for d, w in zip(m.group(1), _WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return False
    return int(m.group(2)) == (0 if remainder == 0 else 11 - remainder)


@dataclass(frozen=True)
class Found:
    key: str  # the mention key of the organisation within its document
    value: str
    valid: bool
    line: str


def business_ids(document: Document, mentions: tuple[Mention, ...]) -> list[Found]:
    """The business IDs the text gives to organisation mentions, valid or not (the
    caller keeps the valid ones and reports the others)."""
    text = document.text
    actors = sorted((m for m in mentions if m.type in ACTORS and not m.rule.endswith(".alias")),
                    key=lambda m: (m.span.start, m.span.end))
    out: list[Found] = []
    taken: set[int] = set()
    for m in ID.finditer(text):
        start = m.start()
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        value = m.group(0)
        owner = _same_line(text, actors, line_start, start)
        if owner is None and _OWN_LINE.fullmatch(text[line_start:line_end]):
            owner = _above(text, actors, line_start)
        if owner is not None and start not in taken:
            taken.add(start)
            out.append(Found(owner.key, value, valid_business_id(value),
                             text[line_start:line_end].strip()))
    return out


def _same_line(text: str, actors: list[Mention], line_start: int, id_start: int):
    """The organisation written just before the ID on its line, nothing else between."""
    before = [a for a in actors if line_start <= a.span.start and a.span.end <= id_start]
    if not before:
        return None
    last = before[-1]
    gap = text[last.span.end:id_start]
    return last if _BETWEEN.fullmatch(gap) else None


def _above(text: str, actors: list[Mention], line_start: int):
    """The one organisation named as a value (``key: NAME``) in the few lines above
    a ``Y-tunnus:`` line, within the same block (no heading between)."""
    pos = line_start - 1
    seen = 0
    while pos > 0 and seen < _LOOK_BACK:
        start = text.rfind("\n", 0, pos) + 1
        line = text[start:pos]
        pos = start - 1
        if not line.strip():
            continue
        seen += 1
        if _HEADING.match(line):
            return None
        on_line = [a for a in actors if start <= a.span.start < start + len(line)]
        if len(on_line) == 1:
            a = on_line[0]
            key_part = text[start:a.span.start]
            if key_part.rstrip().endswith(":") and not text[a.span.end:start + len(line)].strip():
                return a
            return None
        if len(on_line) > 1:
            return None
    return None
