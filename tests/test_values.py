"""Money, shares and dates in the forms real documents write them."""

import pytest

from kg.extract.values import find_money, find_periods, find_shares


@pytest.mark.parametrize(
    "text, euros",
    [
        ("EU-rahoitus 2 886 158 € (tuki 80 %)", [2886158]),
        ("33 191 €", [33191]),
        ("noin 786 000 euroa", [786000]),
        ("1,0 milj. euroa", [1000000]),
        ("2,8 miljoonaa euroa", [2800000]),
        ("Ohjelman kokonaiskustannukset ovat 0,9 miljoonaa euroa.", [900000]),
        ("kehittämisrahaa 460 000 euroa", [460000]),
        ("lähes miljoona euroa", []),  # vague: no amount
        ("yli 2 miljoonaa euroa", []),
        ("vuonna 2023 hankkeeseen osallistui 120 henkilöä", []),
    ],
)
def test_money(text, euros):
    assert [m.euros for m in find_money(text)] == euros


@pytest.mark.parametrize(
    "text, shares",
    [("(tuki 80 %)", [80.0]), ("enintään 70%", [70.0]), ("tuki 150 %", []), ("ei osuutta", [])],
)
def test_shares(text, shares):
    assert [s for _, _, s in find_shares(text)] == shares


@pytest.mark.parametrize(
    "text, begins, ends",
    [
        ("15.6.2022-31.10.2022", "2022-06-15", "2022-10-31"),
        ("1.1.2025–31.12.2026", "2025-01-01", "2026-12-31"),
        ("ajalla 1.9.–30.11.2023", "2023-09-01", "2023-11-30"),
        ("Hanke kestää syyskuuhun 2022 saakka.", None, "2022-09"),
        ("Toteutusaika 2023 vuoden loppuun.", None, "2023-12-31"),
        ("kesto 2/2023-12/2024", "2023-02", "2024-12"),
    ],
)
def test_periods(text, begins, ends):
    p = find_periods(text)[0]
    assert (p.begins, p.ends) == (begins, ends)


def test_impossible_dates_are_not_dates():
    assert find_periods("31.2.2022-1.3.2022") == []
    assert find_periods("1.1.2023-1.1.2022") == []  # ends before it starts


@pytest.mark.parametrize(
    "text, begins, ends",
    [
        ("Hanke kestää tammikuusta 2024 joulukuuhun 2025.", "2024-01", "2025-12"),
        ("Toteutusaika on ensi syyskuun alusta vuoden 2027 helmikuun loppuun.",
         None, "2027-02-28"),
        ("Toteutusaika on kuluvan vuoden toukokuun alusta kesäkuun loppuun vuonna 2028.",
         None, "2028-06-30"),
        ("Hanke päättyy marraskuun 2026 loppuun.", None, "2026-11-30"),
        ("Työ alkaa vuoden 2025 maaliskuun alusta ja jatkuu lokakuun loppuun vuonna 2026.",
         None, "2026-10-31"),
    ],
)
def test_periods_with_months_in_words(text, begins, ends):
    p = find_periods(text)[0]
    assert (p.begins, p.ends) == (begins, ends)


def test_month_without_a_year_is_no_date():
    assert find_periods("Haku on auki elokuun loppuun.") == []
