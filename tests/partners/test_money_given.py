"""Issue 40, pure: an amount as a client gave it, checked against its record's currency
(partners.money.given) — refused with a typed violation, never rounded or converted."""

from decimal import Decimal as D

import pytest

from partners.infra.errors import DomainError
from partners.money.given import GivenAmount, check_amounts, given_violations


def codes(given: GivenAmount, currency: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(v.code, v.field) for v in given_violations(given, currency, rule="O11")]


def test_a_float_is_read_by_its_repr_in_the_records_currency():
    assert GivenAmount.of_float(0.1, "amount").amount == D("0.1")
    assert check_amounts([GivenAmount.of_float(1234.5, "amount")], "USD") == [D("1234.50")]
    assert check_amounts([GivenAmount.of_float(1235.0, "amount")], "JPY") == [D("1235")]
    assert codes(GivenAmount.of_float(1.5, "amount"), "JPY") == [("TOO_MANY_DECIMALS", ("amount",))]
    assert codes(GivenAmount.of_float(12.345, "amount"), "USD") == [("TOO_MANY_DECIMALS", ("amount",))]


def test_money_inputs_keep_their_digits_at_the_currencys_decimals():
    given = GivenAmount.of_money(D("1.235"), None, "amountMoney")
    assert check_amounts([given], "BHD") == [D("1.235")]
    assert check_amounts([GivenAmount.of_money(D("7"), "BHD", "amountMoney")], "BHD") == [D("7.000")]
    assert codes(GivenAmount.of_money(D("12.345"), "USD", "amountMoney"), "USD") == [
        ("TOO_MANY_DECIMALS", ("amountMoney", "amount"))]
    assert codes(GivenAmount.of_money(D("-1"), None, "amountMoney"), "USD") == [
        ("NEGATIVE_AMOUNT", ("amountMoney", "amount"))]
    assert codes(GivenAmount.of_money(D("1E+14"), None, "amountMoney"), "USD") == [
        ("AMOUNT_TOO_LARGE", ("amountMoney", "amount"))]


def test_currency_refusals():
    assert codes(GivenAmount.of_money(D("10"), "EUR", "amountMoney"), "USD") == [
        ("CURRENCY_MISMATCH", ("amountMoney", "currency"))]
    assert codes(GivenAmount.of_money(D("10"), "eur", "amountMoney"), "EUR") == [
        ("INVALID_CURRENCY", ("amountMoney", "currency"))]
    mismatch = given_violations(GivenAmount.of_money(D("10"), "EUR", "amountMoney"), "USD")[0]
    assert mismatch.rule == "D5" and "USD" in mismatch.message


def test_both_inputs_are_ambiguous_and_all_violations_come_together():
    both = GivenAmount(D("10"), None, ("amountMoney",), other="amount")
    assert codes(both, "USD") == [("AMBIGUOUS_AMOUNT", ("amountMoney",))]
    with pytest.raises(DomainError) as refused:
        check_amounts([GivenAmount.of_float(1.5, "amount"), None, both], "JPY")
    assert [v.code for v in refused.value.violations] == ["TOO_MANY_DECIMALS", "AMBIGUOUS_AMOUNT"]


def test_null_clears_and_nothing_given_stays_none():
    assert check_amounts([GivenAmount(None, None, ("netArr",), exact=False), None], "USD") == [None, None]
