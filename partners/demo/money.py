"""Money in the demo world (issue 40): accounts pay in their country's currency (EUR, GBP,
JPY, BHD…), and a year of monthly USD exchange rates (source "demo") lets O11's and A7's
USD thresholds convert. Nothing here draws from the world's random stream."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from partners.infra.clock import now
from partners.money import Money
from partners.money.tables import ExchangeRate

# 1 USD in each currency of the demo's countries (about the 2025 reference rates).
USD_RATES = {
    "EUR": "0.92", "GBP": "0.79", "JPY": "151", "BHD": "0.376", "CAD": "1.36", "SEK": "10.6", "AED": "3.6725",
    "ZAR": "18.4", "AUD": "1.52", "SGD": "1.34", "INR": "83.4", "KRW": "1350", "BRL": "5.05", "MXN": "17.1",
    "ARS": "870", "CLP": "930", "COP": "3900",
}
MONTHS = 13
# Month k's rate is the reference rate moved by DRIFT[k % 5] percent: conversions change with the day.
DRIFT = (Decimal("-1"), Decimal("0"), Decimal("1"), Decimal("0.5"), Decimal("-0.5"))


def local(usd: object, currency: str) -> Decimal:
    """A USD figure of the demo as the amount a customer in `currency` would see."""
    rate = Decimal(1) if currency == "USD" else Decimal(USD_RATES.get(currency, "1"))
    return Money.of(Decimal(str(usd)) * rate, currency).amount


def _first_days(today: date) -> list[date]:
    days, day = [], today.replace(day=1)
    for _ in range(MONTHS):
        days.append(day)
        day = (day - timedelta(days=1)).replace(day=1)
    return days


def monthly_rates(today: date) -> list[tuple[date, str, Decimal]]:
    """(day, quote, 1 USD in quote) on the first day of each of the last 13 months."""
    return [(day, quote, Decimal(rate) * (100 + DRIFT[k % len(DRIFT)]) / 100)
            for k, day in enumerate(_first_days(today)) for quote, rate in sorted(USD_RATES.items())]


async def create_exchange_rates() -> int:
    """USD to every demo currency on the first day of each of the last 13 months."""
    at = now()
    known = {(r["day"], r["base"], r["quote"]) for r in await ExchangeRate.select(
        ExchangeRate.day, ExchangeRate.base, ExchangeRate.quote)}  # imported rates stay as they are
    rows = [ExchangeRate(day=day, base="USD", quote=quote, rate=rate, source="demo", imported_at=at)
            for day, quote, rate in monthly_rates(at.date()) if (day, "USD", quote) not in known]
    if rows:
        await ExchangeRate.insert(*rows)
    return len(rows)
