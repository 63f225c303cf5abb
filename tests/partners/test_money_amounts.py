"""Money and currencies, pure (issue 40; D5): minor units, half-up rounding, floats read by
their repr, amount violations, the currency of a country on a day."""

from datetime import date
from decimal import Decimal

import pytest

from partners.money import CurrencyMismatch, Money, currency_of_country, minor_units, to_decimal
from partners.money.amounts import amount_violations, total
from partners.money.currencies import Currencies, currency_violation


def test_minor_units_come_from_iso_4217():
    assert (minor_units("JPY"), minor_units("USD"), minor_units("BHD"), minor_units("CLF")) == (0, 2, 3, 4)
    with pytest.raises(ValueError):
        minor_units("XXX")


@pytest.mark.parametrize("amount, currency, expected", [
    ("1234.5", "JPY", "1235"), ("1233.5", "JPY", "1234"), ("0.005", "USD", "0.01"), ("0.004999", "USD", "0.00"),
    ("2.675", "USD", "2.68"), ("1.0005", "BHD", "1.001"), ("-0.005", "USD", "-0.01"), ("12.3", "USD", "12.30"),
])
def test_money_is_rounded_half_up_to_the_minor_unit(amount, currency, expected):
    money = Money.of(amount, currency)
    assert str(money.amount) == expected and money.currency == currency


def test_floats_are_read_by_their_shortest_repr():
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal(0.30000000000000004) == Decimal("0.30000000000000004")
    assert Money.of(0.30000000000000004, "USD").amount == Decimal("0.30")
    assert Money.of(2.675, "USD").amount == Decimal("2.68")  # the binary value is 2.67499999…: the repr counts
    assert to_decimal(15.0) == Decimal("15.0")
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError):
            to_decimal(bad)
    with pytest.raises(TypeError):
        to_decimal(True)
    with pytest.raises(ValueError):
        to_decimal("twelve")


def test_amounts_in_different_currencies_do_not_add_or_compare():
    with pytest.raises(CurrencyMismatch) as caught:
        Money.of(1, "USD") + Money.of(1, "EUR")
    assert caught.value.violations[0].code == "CURRENCY_MISMATCH"
    with pytest.raises(CurrencyMismatch):
        Money.of(1, "USD") < Money.of(1, "EUR")
    assert Money.of("1.10", "USD") + Money.of("2.20", "USD") == Money(Decimal("3.30"), "USD")


def test_a_total_is_the_exact_sum_of_rounded_lines():
    lines = [Money.of("10.00", "USD").percent(Decimal("12.5")) for _ in range(3)]  # 1.25 each
    assert total(lines, "USD") == Money(Decimal("3.75"), "USD")
    assert Money.of("0.10", "USD").percent(Decimal("5")) == Money(Decimal("0.01"), "USD")  # 0.005 → 0.01
    with pytest.raises(CurrencyMismatch):
        total([Money.of(1, "EUR")], "USD")


def test_amount_violations_name_their_codes():
    codes = lambda value, currency, **kw: [v.code for v in amount_violations(Decimal(value), currency, "amount", **kw)]
    assert codes("12.30", "USD") == []
    assert codes("12.345", "USD") == ["TOO_MANY_DECIMALS"]
    assert codes("1.5", "JPY") == ["TOO_MANY_DECIMALS"]
    assert codes("1.234", "BHD") == []
    assert codes("-1", "USD") == ["NEGATIVE_AMOUNT"]
    assert codes("-1", "USD", allow_negative=True) == []
    assert codes("10000000000000", "USD") == ["AMOUNT_TOO_LARGE"]
    assert codes("1", "usd") == ["INVALID_CURRENCY"]
    violation = amount_violations(Decimal("1"), "ABC", ("input", "amount"), rule="O11")[0]
    assert violation.field == ("input", "currency") and violation.rule == "D5"
    assert currency_violation("EUR") is None and currency_violation("EURO").code == "INVALID_CURRENCY"


def test_the_currency_of_a_country_follows_cldr_by_date():
    assert currency_of_country("JP") == "JPY"
    assert currency_of_country("de") == "EUR"
    assert currency_of_country("BG", date(2025, 6, 1)) == "BGN"
    assert currency_of_country("BG", date(2026, 6, 1)) == "EUR"  # Bulgaria joined the euro on 2026-01-01


def test_an_unknown_country_gets_the_default_currency(monkeypatch):
    assert currency_of_country("ZZ") == "USD"
    assert currency_of_country(None) == "USD"
    monkeypatch.setattr(Currencies, "default", "EUR")
    assert currency_of_country("XX") == "EUR" and currency_of_country("") == "EUR"
