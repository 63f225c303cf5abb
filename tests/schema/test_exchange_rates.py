"""`exchangeRates` and `convertMoney` (issue 40): staff read the stored rates and convert at
the latest rate on or before a day; partner users are refused, as for the discount policy."""

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from partners.money.tables import ExchangeRate

RATES = """query($base: String, $quote: String, $from: Date, $to: Date, $first: Int, $after: String) {
  exchangeRates(base: $base, quote: $quote, from: $from, to: $to, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { base quote rate date source } } }"""
CONVERT = """query($amount: MoneyInput!, $to: String!, $date: Date) {
  convertMoney(amount: $amount, to: $to, date: $date) {
    source { amount currency } result { amount currency } rate rateDate } }"""


async def _store(*rows):
    at = datetime(2026, 12, 7, tzinfo=timezone.utc)
    await ExchangeRate.insert(*[ExchangeRate(day=date.fromisoformat(day), base=base, quote=quote, rate=Decimal(rate),
                                             source=source, imported_at=at)
                                for day, base, quote, rate, source in rows])


@pytest.fixture
async def rates(world):
    await _store(("2026-12-01", "EUR", "USD", "1.0790", "ecb.csv"), ("2026-12-02", "EUR", "USD", "1.0811", "ecb.csv"),
                 ("2026-12-02", "EUR", "JPY", "161.10", "ecb.csv"), ("2026-12-04", "EUR", "JPY", "161.53", "ecb.csv"),
                 ("2026-12-03", "USD", "CAD", "1.3700", "bank"))
    return world


async def test_staff_page_through_rates_newest_first_with_exact_strings(gql, rates):
    token = rates.tokens["sales_ops"]
    first = (await gql(RATES, {"first": 2}, token=token))["data"]["exchangeRates"]
    assert first["totalCount"] == 5 and first["pageInfo"]["hasNextPage"]
    assert first["nodes"] == [
        {"base": "EUR", "quote": "JPY", "rate": "161.53", "date": "2026-12-04", "source": "ecb.csv"},
        {"base": "USD", "quote": "CAD", "rate": "1.3700", "date": "2026-12-03", "source": "bank"}]
    rest = (await gql(RATES, {"first": 10, "after": first["pageInfo"]["endCursor"]}, token=token))["data"]
    assert [(n["date"], n["quote"]) for n in rest["exchangeRates"]["nodes"]] == [
        ("2026-12-02", "JPY"), ("2026-12-02", "USD"), ("2026-12-01", "USD")]
    assert not rest["exchangeRates"]["pageInfo"]["hasNextPage"]


async def test_rates_filter_by_pair_and_inclusive_days(gql, rates):
    body = await gql(RATES, {"base": "EUR", "quote": "USD", "from": "2026-12-02", "to": "2026-12-04"},
                     token=rates.tokens["admin"])
    assert body["data"]["exchangeRates"]["nodes"] == [
        {"base": "EUR", "quote": "USD", "rate": "1.0811", "date": "2026-12-02", "source": "ecb.csv"}]
    bad = await gql(RATES, {"base": "eur"}, token=rates.tokens["admin"], errors=True)
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_CURRENCY"
    assert bad["errors"][0]["extensions"]["field"] == ["base"]


async def test_partner_users_and_anonymous_callers_get_nothing(gql, rates):
    for token in (rates.tokens["alpha_user"], rates.tokens["alpha_admin"]):
        for query, variables in ((RATES, {}), (CONVERT, {"amount": {"amount": "1", "currency": "EUR"}, "to": "USD"})):
            body = await gql(query, variables, token=token, errors=True)
            assert not any((body["data"] or {}).values())  # null (convertMoney) or no data at all
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(RATES, {}, errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_convert_uses_the_latest_rate_on_or_before_the_day_and_shows_it(gql, rates):
    body = await gql(CONVERT, {"amount": {"amount": "100.00", "currency": "EUR"}, "to": "USD", "date": "2026-12-05"},
                     token=rates.tokens["cm_amer"])
    assert body["data"]["convertMoney"] == {"source": {"amount": "100.00", "currency": "EUR"},
                                            "result": {"amount": "108.11", "currency": "USD"},
                                            "rate": "1.0811", "rateDate": "2026-12-02"}


async def test_convert_inverse_and_cross_rates(gql, rates):
    token = rates.tokens["ae"]
    inverse = (await gql(CONVERT, {"amount": {"amount": "1370", "currency": "CAD"}, "to": "USD",
                                   "date": "2026-12-03"}, token=token))["data"]["convertMoney"]
    assert inverse["result"] == {"amount": "1000.00", "currency": "USD"} and inverse["rateDate"] == "2026-12-03"
    # JPY → USD through EUR: JPY's rate of 12-04, USD's of 12-02: the older day is shown.
    cross = (await gql(CONVERT, {"amount": {"amount": "16153", "currency": "JPY"}, "to": "USD",
                                 "date": "2026-12-04"}, token=token))["data"]["convertMoney"]
    assert cross["result"] == {"amount": "108.11", "currency": "USD"} and cross["rateDate"] == "2026-12-02"
    assert Decimal(cross["rate"]) == Decimal("1.0811") / Decimal("161.53")


async def test_convert_is_null_without_a_rate_and_refuses_bad_input(gql, rates):
    token = rates.tokens["sales_ops"]
    before = await gql(CONVERT, {"amount": {"amount": "1.00", "currency": "EUR"}, "to": "USD", "date": "2026-11-30"},
                       token=token)
    assert before["data"]["convertMoney"] is None
    unknown = await gql(CONVERT, {"amount": {"amount": "1.00", "currency": "GBP"}, "to": "CHF"}, token=token)
    assert unknown["data"]["convertMoney"] is None
    for variables, code, field in [
        ({"amount": {"amount": "1.00", "currency": "EUR"}, "to": "XYZ"}, "INVALID_CURRENCY", ["to"]),
        ({"amount": {"amount": "1.00", "currency": "eur"}, "to": "USD"}, "INVALID_CURRENCY", ["amount", "currency"]),
        ({"amount": {"amount": "1.00"}, "to": "USD"}, "INVALID_CURRENCY", ["amount", "currency"]),
        ({"amount": {"amount": "1.005", "currency": "EUR"}, "to": "USD"}, "TOO_MANY_DECIMALS", ["amount", "amount"]),
    ]:
        body = await gql(CONVERT, variables, token=token, errors=True)
        error = body["errors"][0]
        assert (error["extensions"]["code"], error["extensions"]["field"]) == (code, field), error


async def test_a_new_import_is_seen_by_the_next_conversion(gql, rates):
    token = rates.tokens["sales_ops"]
    variables = {"amount": {"amount": "10.00", "currency": "EUR"}, "to": "USD", "date": "2026-12-10"}
    assert (await gql(CONVERT, variables, token=token))["data"]["convertMoney"]["rateDate"] == "2026-12-02"
    await _store(("2026-12-09", "EUR", "USD", "1.1000", "ecb.csv"))
    after = (await gql(CONVERT, variables, token=token))["data"]["convertMoney"]
    assert (after["rateDate"], after["result"]["amount"]) == ("2026-12-09", "11.00")


async def test_a_decimal_literal_that_is_no_number_is_a_validation_error_not_an_internal_one(gql, rates):
    for literal in ('"a\\u0000b"', '"12,30"', "true"):
        body = await gql(f'{{ convertMoney(amount: {{amount: {literal}, currency: "EUR"}}, to: "USD") {{ rate }} }}',
                         token=rates.tokens["admin"], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", body
        assert "Expected value of type 'Decimal'" in body["errors"][0]["message"]
