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
# months in words: `tammikuusta 2024`, `vuoden 2019 huhtikuun loppuun`, `maaliskuun
# loppuun vuonna 2019`; a month without its year (`ensi elokuun alusta`) is no date
_YEAR_BEFORE = r"(?:vuoden\s+(?P<y0>\d{4})\s+)?"
_YEAR_AFTER = r"(?:\s+(?:vuonna\s+|vuoden\s+)?(?P<y>\d{4})(?!\s*[-–—]))?"
MONTH_FROM_RE = re.compile(
    rf"\b{_YEAR_BEFORE}(?P<month>{_MONTH_RE})(?P<how>n\s+alusta|sta){_YEAR_AFTER}\b", re.I)
MONTH_TO_RE = re.compile(
    rf"\b{_YEAR_BEFORE}(?P<month>{_MONTH_RE})(?P<how>n\s+loppuun|hun|n\s+(?P<y2>\d{{4}})\s+loppuun)"
    rf"{_YEAR_AFTER}\b", re.I)


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
        if re.search(rf"(?:{_MONTH_RE})n\s+$", text[max(0, m.start() - 16):m.start()], re.I):
            continue  # `maaliskuun 2019 loppuun`: the end of a month, read below
        out.append(Period(m.start(), m.end(), None, f"{int(m.group('y')):04d}-12-31",
                          "date.until.year_end"))
    if not out:
        out = find_month_words(text)
    if not out:
        out = find_start_end(text)
    return out


def _month_match_date(m: re.Match) -> str | None:
    year = m.group("y0") or m.group("y") or m.groupdict().get("y2")
    if not year:
        return None
    month = _MONTHS[m.group("month").lower()]
    if "alusta" in m.group("how"):
        return _iso(int(year), month, 1)
    if "loppuun" in m.group("how"):
        last = _DAYS_IN_MONTH[month - 1]
        if month == 2 and not (int(year) % 4 == 0 and (int(year) % 100 or int(year) % 400 == 0)):
            last = 28
        return _iso(int(year), month, last)
    return _iso(int(year), month)  # `tammikuusta 2024`, `joulukuuhun 2025`: the month


def find_month_words(text: str) -> list[Period]:
    """`Toteutusaika on tammikuusta 2024 joulukuuhun 2025`, `… huhtikuun alusta
    maaliskuun loppuun vuonna 2019`: a period whose end month is written in words
    with its year; the start counts only when its own year is written too."""
    out = []
    for to in MONTH_TO_RE.finditer(text):
        ends = _month_match_date(to)
        if ends is None:
            continue
        begins = None
        frm = [m for m in MONTH_FROM_RE.finditer(text[:to.start()])
               if to.start() - m.end() <= 3]
        if frm:
            begins = _month_match_date(frm[-1])
            if begins is not None and begins > ends:
                begins = None
        start = frm[-1].start() if frm else to.start()
        out.append(Period(start, to.end(), begins, ends, "date.month_words"))
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
