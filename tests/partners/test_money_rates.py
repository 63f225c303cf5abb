"""Dated exchange rates, pure (issue 40): RateTable lookups and the rate files' parser."""

from datetime import date
from decimal import Decimal

from partners.money import Money, RateTable
from partners.money.rate_files import parse_rate, parse_rates_csv

D1, D2, D3 = date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)


def table(*rows):
    return RateTable([(day, base, quote, Decimal(rate)) for day, base, quote, rate in rows])


def test_a_direct_rate_is_the_latest_published_on_or_before_the_day():
    rates = table((D1, "EUR", "USD", "1.08"), (D3, "EUR", "USD", "1.10"))
    assert rates.rate("EUR", "USD", D1) == (Decimal("1.08"), D1)
    assert rates.rate("EUR", "USD", D2) == (Decimal("1.08"), D1)  # the weekend uses Friday's
    assert rates.rate("EUR", "USD", date(2027, 1, 1)) == (Decimal("1.10"), D3)


def test_there_is_no_rate_before_the_first_one():
    rates = table((D2, "EUR", "USD", "1.08"))
    assert rates.rate("EUR", "USD", D1) is None
    assert rates.convert(Money.of("10", "EUR"), "USD", D1) is None


def test_an_inverse_rate_is_one_over_the_published_one():
    rates = table((D1, "EUR", "USD", "1.25"))
    assert rates.rate("USD", "EUR", D2) == (Decimal("0.8"), D1)
    conversion = rates.convert(Money.of("100.00", "USD"), "EUR", D2)
    assert conversion.result == Money(Decimal("80.00"), "EUR") and conversion.rate_date == D1


def test_a_cross_rate_goes_through_eur_and_carries_the_older_day():
    rates = table((D1, "EUR", "JPY", "160"), (D3, "EUR", "JPY", "162"), (D2, "EUR", "USD", "1.08"))
    rate, published = rates.rate("JPY", "USD", D3)
    assert rate == Decimal("1.08") / Decimal("162") and published == D2  # JPY on D3, USD on D2: D2
    conversion = rates.convert(Money.of("16200", "JPY"), "USD", D3)
    assert conversion.result == Money(Decimal("108.00"), "USD") and conversion.rate_date == D2


def test_the_same_currency_converts_at_one_on_the_day_asked():
    rates = table()
    assert rates.rate("EUR", "EUR", D1) == (Decimal(1), D1)
    assert rates.convert(Money.of("12.30", "EUR"), "EUR", D1).result == Money(Decimal("12.30"), "EUR")


def test_conversions_round_half_up_to_the_target_minor_unit():
    rates = table((D1, "USD", "JPY", "150.5"), (D1, "USD", "BHD", "0.376"))
    assert rates.convert(Money.of("1.00", "USD"), "JPY", D1).result == Money(Decimal("151"), "JPY")  # 150.5 → 151
    assert rates.convert(Money.of("1.01", "USD"), "BHD", D1).result == Money(Decimal("0.380"), "BHD")  # 0.37976


def test_unknown_pairs_have_no_rate():
    rates = table((D1, "EUR", "USD", "1.08"))
    assert rates.rate("GBP", "CHF", D1) is None
    assert rates.rate("GBP", "USD", D1) is None


def test_rates_are_read_from_their_text_as_positive_exact_decimals():
    assert str(parse_rate("1.0800")) == "1.0800"
    for bad in ("0", "0.0", "-1.2", "1e3", "1,2", "NaN", "Infinity", "1_000", "", ".5"):
        assert parse_rate(bad) is None, bad


def test_the_ecb_layout_with_spaces_their_daily_date_form_and_a_trailing_comma():
    parsed = parse_rates_csv(["Date, USD, JPY, \n", "04 December 2026, 1.0823, 161.53, \n"])
    assert parsed.layout == "wide" and not parsed.errors
    assert [(r.day, r.base, r.quote, str(r.rate)) for r in parsed.rows] == [
        (date(2026, 12, 4), "EUR", "USD", "1.0823"), (date(2026, 12, 4), "EUR", "JPY", "161.53")]


def test_the_ecb_layout_refuses_unknown_columns_and_wrong_widths():
    parsed = parse_rates_csv(["Date,USD,XYZ\n", "2026-12-04,1.08,2\n", "2026-12-03,1.08\n"])
    assert parsed.errors == ["line 1: column 'XYZ' is not an ISO 4217 currency code",
                             "line 3: expected 3 values (a date and one per currency), got 2"]


def test_long_lines_may_not_repeat_a_pair_on_a_day_or_pair_a_currency_with_itself():
    parsed = parse_rates_csv(["date,base,quote,rate\n", "2026-12-01,EUR,EUR,1\n", "2026-12-01,eur,USD,1.08\n",
                              "2026-12-01,EUR,USD,1.08\n", "2026-12-01,EUR,USD,1.09\n"])
    assert parsed.errors == ["line 2: base and quote are both EUR",
                             "line 3: base 'eur' is not an ISO 4217 currency code",
                             "line 5: EUR/USD on 2026-12-01 was already given on line 4"]


def test_an_empty_file_and_a_bad_base_are_refused():
    assert parse_rates_csv([]).errors == ["line 1: the file is empty"]
    assert parse_rates_csv(["Date,USD\n"], base="EURO").errors == ["--base 'EURO' is not an ISO 4217 currency code"]
