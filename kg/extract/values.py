"""Money, shares and dates as Finnish documents write them.

Amounts are whole euros: ``2 886 158 €`` → 2886158, ``noin 786 000 euroa`` →
786000, ``1,0 milj. euroa`` → 1000000. Vague amounts (``lähes miljoona euroa``,
``yli 2 miljoonaa``) are no amounts. Dates keep the precision of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_MILLION = r"(?:miljoonaa|miljoona|milj\.?|M)"
MONEY_RE = re.compile(
    rf"(?P<vague>\b(?:lähes|yli|alle|vajaa|runsaat|reilut|useita|kymmeniä|satoja)\s+)?"
    rf"(?P<approx>\b(?:noin|n\.|arviolta|yhteensä|enintään)\s+)?"
    rf"(?P<num>{_NUM})\s*(?P<mult>{_MILLION}\s*)?"
    rf"(?P<unit>€|euroa|euron|eurolla|eur\b|EUR\b)",
    re.IGNORECASE,
)
SHARE_RE = re.compile(r"(?P<num>\d{1,3}(?:,\d+)?)\s*(?:%|prosenttia|prosentin)")

_MONTHS = {
    "tammikuu": 1, "helmikuu": 2, "maaliskuu": 3, "huhtikuu": 4, "toukokuu": 5,
    "kesäkuu": 6, "heinäkuu": 7, "elokuu": 8, "syyskuu": 9, "lokakuu": 10,
    "marraskuu": 11, "joulukuu": 12,
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

DATE_RANGE_RE = re.compile(
    r"(?P<d1>\d{1,2})\.(?P<m1>\d{1,2})\.(?P<y1>\d{4})?\s*[-–—]\s*"
    r"(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})\.(?P<y2>\d{4})"
)
MONTH_RANGE_RE = re.compile(
    r"\b(?P<m1>\d{1,2})/(?P<y1>\d{4})\s*[-–—]\s*(?P<m2>\d{1,2})/(?P<y2>\d{4})\b")
YEAR_RANGE_RE = re.compile(r"\b(?P<y1>(?:19|20)\d{2})\s*[-–—]\s*(?P<y2>(?:19|20)\d{2})\b")
UNTIL_MONTH_RE = re.compile(
    rf"\b(?P<month>{_MONTH_RE})(?:hun|n)\s+(?P<y>\d{{4}})\s+(?:saakka|asti)", re.I)
UNTIL_YEAR_END_RE = re.compile(r"\b(?:vuoden\s+)?(?P<y>\d{4})\s+(?:vuoden\s+)?loppuun", re.I)


@dataclass(frozen=True)
class Money:
    start: int
    end: int
    euros: float


def parse_number(s: str) -> float:
    return float(re.sub(r"[ \u00a0\u202f]", "", s).replace(",", "."))


def find_money(text: str) -> list[Money]:
    """Precise euro amounts in the text; vague ones are left out."""
    out = []
    for m in MONEY_RE.finditer(text):
        if m.group("vague"):
            continue
        value = parse_number(m.group("num"))
        if m.group("mult"):
            value *= 1_000_000
        out.append(Money(m.start(), m.end(), round(value)))
    return out


def find_shares(text: str) -> list[tuple[int, int, float]]:
    return [(m.start(), m.end(), parse_number(m.group("num"))) for m in SHARE_RE.finditer(text)
            if 0 <= parse_number(m.group("num")) <= 100]


def _iso(y: int, m: int | None = None, d: int | None = None) -> str | None:
    if m is None:
        return f"{y:04d}"
    if not 1 <= m <= 12:
        return None
    if d is None:
        return f"{y:04d}-{m:02d}"
    if not 1 <= d <= _DAYS_IN_MONTH[m - 1]:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


@dataclass(frozen=True)
class Period:
    start: int
    end: int
    begins: str | None
    ends: str | None
    rule: str


def find_periods(text: str) -> list[Period]:
    """Project periods: explicit ranges, `syyskuuhun 2022 saakka`, `2023 vuoden loppuun`."""
    out: list[Period] = []
    for m in DATE_RANGE_RE.finditer(text):
        y2 = int(m.group("y2"))
        y1 = int(m.group("y1")) if m.group("y1") else y2
        b = _iso(y1, int(m.group("m1")), int(m.group("d1")))
        e = _iso(y2, int(m.group("m2")), int(m.group("d2")))
        if b and e and b <= e:
            out.append(Period(m.start(), m.end(), b, e, "date.range.dmy"))
    for m in MONTH_RANGE_RE.finditer(text):
        b = _iso(int(m.group("y1")), int(m.group("m1")))
        e = _iso(int(m.group("y2")), int(m.group("m2")))
        if b and e and b <= e:
            out.append(Period(m.start(), m.end(), b, e, "date.range.month"))
    for m in UNTIL_MONTH_RE.finditer(text):
        month = _MONTHS[m.group("month").lower()]
        out.append(Period(m.start(), m.end(), None, _iso(int(m.group("y")), month),
                          "date.until.month"))
    for m in UNTIL_YEAR_END_RE.finditer(text):
        out.append(Period(m.start(), m.end(), None, f"{int(m.group('y')):04d}-12-31",
                          "date.until.year_end"))
    if not out:
        out = find_start_end(text)
    return out


_DATE = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"
STARTS_ENDS_RE = re.compile(rf"\b(?:alkaa|alkoi|alkanut|käynnistyy|käynnistyi)\s+{_DATE}"
                            rf"(?:.{{0,40}}?\b(?:päättyy|päättyi|loppuu|päättynyt)\s+{_DATE})?",
                            re.I)


def find_start_end(text: str) -> list[Period]:
    """`Alkaa 1.1.2016 ja päättyy 31.12.2017`: a period in words."""
    out = []
    for m in STARTS_ENDS_RE.finditer(text):
        b = _iso(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        e = _iso(int(m.group(6)), int(m.group(5)), int(m.group(4))) if m.group(6) else None
        if b and (e is None or b <= e):
            out.append(Period(m.start(), m.end(), b, e, "date.starts_ends"))
    return out
