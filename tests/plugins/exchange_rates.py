"""A third-party exchange-rate plugin (issue 40 tests): a "central bank" that publishes
fixed rates against USD, exactly, as decimal strings and Decimals; None for what it does
not publish. `FloatRates` answers with floats, which cosell refuses."""

from decimal import Decimal

from plugins import hookimpl

# 1 USD in each currency, as published.
PUBLISHED = {"EUR": "0.9240", "JPY": Decimal("150.25"), "GBP": "0.7891"}
CALLS: list[tuple[str, str, object]] = []


@hookimpl
def cosell_exchange_rate(base, quote, day):
    CALLS.append((base, quote, day))
    if base != "USD":
        return None
    return PUBLISHED.get(quote)


class FloatRates:
    @hookimpl
    def cosell_exchange_rate(self, base, quote, day):
        return 0.9240 if quote == "EUR" else None


class AsyncRates:
    """Awaitable answers (a plugin fetching over HTTP); tried before the module above when
    registered after it (pluggy calls the last registered first)."""

    @hookimpl
    async def cosell_exchange_rate(self, base, quote, day):
        return "1.3700" if quote == "CAD" else None
