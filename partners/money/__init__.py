"""Money (issue 40): exact amounts with an ISO 4217 currency, rounding to the minor unit,
and conversion at dated exchange rates. Plugins import `Money` from here."""

from partners.money.amounts import CurrencyMismatch, Money, round_to_minor, to_decimal
from partners.money.currencies import Currencies, currency_of_country, is_currency, minor_units
from partners.money.rates import Conversion, RateTable

__all__ = ["Conversion", "Currencies", "CurrencyMismatch", "Money", "RateTable", "currency_of_country",
           "is_currency", "minor_units", "round_to_minor", "to_decimal"]
