"""Contact data out: the one redaction of e-mail addresses and phone numbers that
the graph (and so every export) and the network pages apply to text taken from
documents. Persons are named by name and role only (ARCHITECTURE.md); their
names stay.

E-mail addresses are found in the forms people write to dodge harvesters
(`name(at)org.fi`, `name [at] org.fi`, `name (a) org.fi`, `name at org.fi`,
fullwidth `＠`, `mailto:` links), with any letters in the local part. Phone
numbers are runs of digit groups (`040 123 4567`, `040-1234567`, `040/111 3579`,
`040.111.2468`, `(09) 111 2345`, `+358 (0)44 111 4444`, `00358 …`, `tel:` links,
fullwidth digits, dashes and no-break spaces between groups) that pass a check
in Python: a Finnish number begins with 0 and has 8 to 12 digits, an
international one begins with + or 00 and has 8 to 15; dates (`01.02.2023`) and
business IDs (`0245437-2`) are not phone numbers.

Every pattern has bounded repetition, so text of any length is read in linear
time. ontology/shapes.ttl checks the result with patterns of its own (a second
opinion must not share the first one's blind spots).
"""

from __future__ import annotations

import itertools
import re
import unicodedata

REDACTED = "[yhteystieto poistettu]"

_AT_SIGN = "@\uff20\ufe6b"  # @, fullwidth ＠, small ﹫
_DOT = r"(?:[.\uff0e\u3002]|\s{0,3}[(\[{]\s{0,2}(?:dot|piste)\s{0,2}[)\]}]\s{0,3})"
# `name@org`, `name(at)org`, `name[at]org`: the sign, written tight, says it is an
# address, so the domain may lack its ending (`juha(at)ely-keskus`)
_AT_TIGHT = rf"(?:[{_AT_SIGN}]|[(\[{{<](?:at|ät|[{_AT_SIGN}])[)\]}}>])"
# `name @ org.fi`, `name (at) org.fi`, `name [at] org.fi`, `name (a) org.fi`,
# `name at org.fi`: only before a whole domain (`seuraa @ELYkeskus`, `kohta (a) ja
# (b)` and `kyläaluetta (AT) sekä` stay)
_AT_LOOSE = (rf"(?:\s{{0,3}}[{_AT_SIGN}]\s{{0,3}}"
             rf"|\s{{0,3}}[(\[{{<]\s{{0,2}}(?:at|ät|a|[{_AT_SIGN}])\s{{0,2}}[)\]}}>]\s{{0,3}}"
             r"|\s{1,3}(?:at|ät)\s{1,3})")
_LOCAL = r"[\w.+%'-]{1,64}"  # \w: letters of any script, so jörö.jöns@ too
_LABELS = rf"[\w-]{{1,63}}(?:{_DOT}[\w-]{{1,63}}){{0,8}}"
_DOMAIN = rf"{_LABELS}{_DOT}[^\W\d_]{{2,24}}"
EMAIL = re.compile(rf"(?:mailto:\s?)?(?<![\w.+%'-]){_LOCAL}"
                   rf"(?:{_AT_TIGHT}{_LABELS}|{_AT_LOOSE}{_DOMAIN})(?![\w-])",
                   re.IGNORECASE)

# the characters that may stand between the digit groups of one phone number
_SEP = r"[ \t\u00a0\u2009\u202f./\-\u2010-\u2015\u2212]"
_GROUP = r"(?:\+|00)?\(?\d{1,12}(?:\)\d{0,12})?"  # 040, +358, (09), (0)44
PHONE_RUN = re.compile(rf"(?<![\w+])(?:tel:\s?)?{_GROUP}(?:{_SEP}{{1,3}}{_GROUP})*",
                       re.IGNORECASE)
_SPLIT = re.compile(rf"{_SEP}{{1,3}}")
_DATE = re.compile(r"(?<!\d)\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})(?!\d)")
_MAX_GROUPS = 8  # the most groups one phone number is written in


def _is_phone(groups: list[str], counts: list[int], text: str, tel: bool) -> bool:
    """Whether the digit groups `groups` (with `counts` digits each, written as
    `text`) are one phone number."""
    n = sum(counts)
    first = groups[0]
    if tel:
        return 5 <= n <= 15
    if first.startswith("+") or (first.startswith("00") and counts[0] > 2):
        return 8 <= n <= 15 and counts[-1] >= 2
    if not 8 <= n <= 12 or not _digits(first).startswith("0"):
        return False
    # the last group has two digits or more (`0245437-2` is a business ID), and at
    # most one group after the area code has one (`0295 3 30315`)
    if counts[-1] < 2 or sum(c < 2 for c in counts[1:]) > 1:
        return False
    return not _DATE.search(_digits_only_text(text))


def _digits(s: str) -> str:
    return "".join(str(unicodedata.digit(c)) for c in s if c.isdigit())


def _digits_only_text(text: str) -> str:
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)


def _redact_phones(text: str) -> str:
    out: list[str] = []
    last = 0
    for run in PHONE_RUN.finditer(text):
        for a, b in _phones_in_run(text, run.start(), run.end()):
            out.append(text[last:a])
            out.append(REDACTED)
            last = b
    out.append(text[last:])
    return "".join(out)


def _phones_in_run(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where the phone numbers are in one run of digit groups, text[start:end]."""
    s = text[start:end]
    tel = s[:4].lower() == "tel:"
    body_start = start + (len(s) - len(s[4:].lstrip()) if tel else 0)
    # each group with where it starts and ends in `text`
    spans, seps, pos = [], [], body_start
    for sep in _SPLIT.finditer(text, body_start, end):
        spans.append((pos, sep.start()))
        seps.append(sep.group())
        pos = sep.end()
    spans.append((pos, end))
    # a chain of groups joined by a dot or a slash (a date, 040.111.2468, a case
    # number 2014/6713/09) is never cut, except a slash between two phone
    # numbers (0401234567/0501234567)
    joined = [sep in (".", "/") for sep in seps]
    # nor does a number begin after a space inside a run of groups: the `000` of
    # `20 000` is the end of a number, not the start of one
    spaced = [sep.strip(" \t\u00a0\u2009\u202f") == "" for sep in seps]
    counts = [sum(c.isdigit() for c in text[x:y]) for x, y in spans]
    upto = list(itertools.accumulate(counts, initial=0))  # digits before each group
    n = len(spans)
    phone_from: dict[int, int | None] = {}

    def longest(i: int, after_phone: bool) -> int | None:
        """Where the longest phone number that begins at group `i` ends (the group
        after it), or None; `after_phone`: one ends just before `i`."""
        first = tel and i == 0
        lead = text[spans[i][0]]
        if not first and lead not in "+(" and _digits(lead) != "0":
            return None  # a phone number begins with +, 00, 0 or (0
        if i > 0 and joined[i - 1] and not (seps[i - 1] == "/" and after_phone):
            return None
        if i > 0 and spaced[i - 1] and not after_phone:
            return None
        for j in range(min(n, i + _MAX_GROUPS), i, -1):  # the longest first
            if j < n and joined[j - 1] and not (seps[j - 1] == "/"
                                                and phone_from.get(j) is not None):
                continue
            if not 5 <= upto[j] - upto[i] <= 15:
                continue
            a, b = spans[i][0], spans[j - 1][1]
            if _is_phone([text[x:y] for x, y in spans[i:j]], counts[i:j], text[a:b], first):
                return j
        return None

    # the numbers that begin right after a slash, when one ends before it: from the
    # last to the first, so that each may rely on those after it
    for k in range(n - 1, 0, -1):
        if seps[k - 1] == "/":
            phone_from[k] = longest(k, True)
    found: list[tuple[int, int]] = []
    i, after = 0, -1
    while i < n:
        j = longest(i, after == i)
        if j is None:
            i += 1
            continue
        found.append((start if tel and i == 0 else spans[i][0], spans[j - 1][1]))
        i = after = j
    return found


def redact(text: str) -> str:
    """`text` with every e-mail address and phone number replaced by REDACTED."""
    return _redact_phones(EMAIL.sub(REDACTED, text))
