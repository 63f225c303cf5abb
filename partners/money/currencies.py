"""ISO 4217 currencies: which codes exist and how many decimals (minor units) each has,
and the currency a country pays in (D5: partners resell in local currency).

The minor units are ISO 4217's, not CLDR's display digits (ISO: IQD 3, CLDR: 0): amounts are
stored and rounded as the standard and accounting systems have them. The country's
currency comes from CLDR's dated territory data (babel), so a country that changed its
currency (Bulgaria, BGN then EUR from 2026-01-01) answers by date. Withdrawn codes (HRK)
are not in the list, so Croatia before 2023 answers the default currency.
"""

from __future__ import annotations

from datetime import date

from babel.numbers import get_territory_currencies

from partners.infra.errors import Violation

# Active ISO 4217 codes (the 2025 list; funds codes such as CLF, USN included, precious
# metals and testing codes not). Two decimals unless listed below.
ISO_4217 = frozenset("""
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND
TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF
YER ZAR ZMW ZWG
""".split())
_MINOR_UNITS = {
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("CLF UYW".split(), 4),
}

# The rules' own currency: O11's and A7's thresholds are stated in USD.
USD = "USD"


class Currencies:
    """The deployment's defaults (COSELL_DEFAULT_CURRENCY, COSELL_REPORTING_CURRENCY),
    set once at startup by the server (`configure`)."""

    default = USD  # for a record whose country gives no currency
    reporting = USD  # sums across currencies (analytics) are shown in this one


def configure(*, default: str = USD, reporting: str = USD) -> None:
    for name, code in (("default", default), ("reporting", reporting)):
        if not is_currency(code):
            raise ValueError(f"{name} currency {code!r} is not an ISO 4217 code")
    Currencies.default, Currencies.reporting = default, reporting


def is_currency(code: object) -> bool:
    return isinstance(code, str) and code in ISO_4217


def minor_units(code: str) -> int:
    """Decimals of the currency's minor unit: JPY 0, USD 2, BHD 3."""
    if code not in ISO_4217:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return _MINOR_UNITS.get(code, 2)


def currency_violation(code: object, field: tuple[str, ...] | str = ("currency",)) -> Violation | None:
    """INVALID_CURRENCY unless `code` is an active ISO 4217 code (upper case, e.g. EUR)."""
    if is_currency(code):
        return None
    path = (field,) if isinstance(field, str) else tuple(field)
    return Violation("INVALID_CURRENCY", f"{code!r} is not an ISO 4217 currency code (three capitals, e.g. EUR).",
                     path, "D5")


def currency_of_country(country: str | None, on: date | None = None) -> str:
    """The legal tender of an ISO 3166 country on a day (today by default), else the
    deployment's default currency."""
    if country and len(country) == 2:
        try:
            found = get_territory_currencies(country.upper(), start_date=on or date.today(), tender=True)
        except Exception:  # babel raises on unknown territories
            found = []
        for code in found:
            if code in ISO_4217:
                return code
    return Currencies.default
