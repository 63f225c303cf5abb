"""Exchange rates and conversions (issue 40; staff only, like the discount policy: rates
and conversions are reporting tools, partners see amounts in their own currency)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from partners.infra.clock import now
from partners.infra.errors import Violation
from partners.money import Money
from partners.money.amounts import amount_violations
from partners.money.currencies import currency_violation
from partners.money.rates import current_rates
from partners.money.tables import ExchangeRate
from schema.core.access import STAFF, access
from schema.core.connection import Connection, paginate
from schema.core.context import Info
from schema.core.errors import InvalidArgument
from schema.core.money import CurrencyConversionType, MoneyInput
from schema.money.types import ExchangeRateType


class MoneyArgumentError(InvalidArgument):
    """An argument refused by a money rule: the error's code is the rule's
    (INVALID_CURRENCY, TOO_MANY_DECIMALS, AMOUNT_TOO_LARGE)."""

    def __init__(self, violation: Violation) -> None:
        super().__init__(violation.message, code=violation.code, field=list(violation.field),
                         **({"rule": violation.rule} if violation.rule else {}))


def _currency(code: str | None, field: tuple[str, ...]) -> str | None:
    if code is None:
        return None
    bad = currency_violation(code, field)
    if bad is not None:
        raise MoneyArgumentError(bad)
    return code


@strawberry.type
class MoneyQuery:
    @strawberry.field(description="Stored exchange rates, newest day first (staff). `from` and `to` are inclusive.",
                      extensions=[access(STAFF)])
    async def exchange_rates(self, info: Info, base: str | None = None, quote: str | None = None,
                             from_: Annotated[date | None, strawberry.argument(name="from")] = None,
                             to: date | None = None, first: int | None = None,
                             after: str | None = None) -> Connection[ExchangeRateType]:
        conditions = []
        if _currency(base, ("base",)):
            conditions.append(ExchangeRate.base == base)
        if _currency(quote, ("quote",)):
            conditions.append(ExchangeRate.quote == quote)
        if from_ is not None:
            conditions.append(ExchangeRate.day >= from_)
        if to is not None:
            conditions.append(ExchangeRate.day <= to)
        select = ExchangeRate.select(ExchangeRate.id, ExchangeRate.day, ExchangeRate.base, ExchangeRate.quote,
                                     ExchangeRate.rate, ExchangeRate.source).order_by(
            ExchangeRate.day, ascending=False).order_by(ExchangeRate.base, ExchangeRate.quote)
        count = ExchangeRate.count()
        for condition in conditions:
            select, count = select.where(condition), count.where(condition)
        return await paginate(info, select, count, first=first, after=after, to_node=ExchangeRateType.from_row)

    @strawberry.field(description="`amount` in `to` at the latest rate published on or before `date` (default "
                      "today, UTC): direct, inverse, or crossed through EUR or USD. Null when no rate is known up to "
                      "that day (staff).", extensions=[access(STAFF)])
    async def convert_money(self, info: Info, amount: MoneyInput, to: str,
                            date: date | None = None) -> CurrencyConversionType | None:
        if amount.currency is None:
            raise MoneyArgumentError(Violation("INVALID_CURRENCY", "Give the amount's currency (ISO 4217, e.g. EUR).",
                                               ("amount", "currency"), "D5"))
        _currency(amount.currency, ("amount", "currency"))
        _currency(to, ("to",))
        problems = amount_violations(amount.amount, amount.currency, ("amount", "amount"), allow_negative=True)
        if problems:
            raise MoneyArgumentError(problems[0])
        rates = await current_rates()
        conversion = rates.convert(Money.of(amount.amount, amount.currency), to, date or now().date())
        return CurrencyConversionType.of(conversion)
