"""An amount as a client gave it for a record (issue 40), checked against the record's
currency before anything is written.

A client gives an amount either through the deprecated Float input (read by its shortest
repr: 0.1 is 0.1, in the record's currency) or through a `MoneyInput` (an exact decimal
and, optionally, its currency). Both at once is refused (AMBIGUOUS_AMOUNT); a currency
other than the record's is refused (CURRENCY_MISMATCH: amounts are never converted
silently, D5); an amount with more decimals than the currency has is refused
(TOO_MANY_DECIMALS: 12.345 USD, 1.5 JPY), never rounded. Pure: no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from partners.infra.errors import DomainError, Violation
from partners.money.amounts import MAX_AMOUNT, amount_violations, round_to_minor, to_decimal
from partners.money.currencies import currency_violation


@dataclass(frozen=True)
class GivenAmount:
    """`amount` (None: cleared) in `currency` (None: the record's), given in the input
    field `field` (a path, e.g. ("amountMoney",)); `other` names the second input field
    when the client filled both."""

    amount: Decimal | None
    currency: str | None
    field: tuple[str, ...]
    other: str | None = None
    exact: bool = True  # False: given as a Float (its currency is always the record's)

    @classmethod
    def of_float(cls, value: float | None, field: str) -> "GivenAmount":
        return cls(None if value is None else to_decimal(value), None, (field,), exact=False)

    @classmethod
    def of_money(cls, amount: Decimal | None, currency: str | None, field: str) -> "GivenAmount":
        return cls(amount, currency, (field,))


def given_violations(given: GivenAmount, record_currency: str, *, rule: str | None = None,
                     allow_clear: bool = True) -> list[Violation]:
    """What is wrong with `given` for a record in `record_currency` (empty: accept it)."""
    field = given.field
    if given.other is not None:
        return [Violation("AMBIGUOUS_AMOUNT", f"Give either {field[-1]} or {given.other}, not both.", field, rule)]
    if given.currency is not None:
        bad = currency_violation(given.currency, field + ("currency",))
        if bad is not None:
            return [bad]
        if given.currency != record_currency:
            return [Violation("CURRENCY_MISMATCH", f"This record's amounts are in {record_currency}; "
                              f"{given.currency} is not converted (give the amount in {record_currency}).",
                              field + ("currency",), "D5")]
    if given.amount is None:
        return [] if allow_clear else [Violation("AMOUNT_REQUIRED", "An amount is required here.", field, rule)]
    amount_field = field + ("amount",) if given.exact else field
    if abs(given.amount) > MAX_AMOUNT:  # before any rounding arithmetic on a huge number
        return [Violation("AMOUNT_TOO_LARGE", f"Amounts are at most {MAX_AMOUNT:,}.", amount_field, rule)]
    return amount_violations(given.amount, record_currency, amount_field, rule=rule)


def check_amounts(given: "list[GivenAmount | None]", record_currency: str, *,
                  rule: str | None = None) -> "list[Decimal | None]":
    """Every given amount at once (all their violations in one DomainError: nothing is
    written); else the amounts to store, at exactly the currency's decimals (USD 1000 is
    1000.00, JPY 1000.0 is 1000: the digits dropped or added are zeros, never a rounding)."""
    violations = [v for g in given if g is not None for v in given_violations(g, record_currency, rule=rule)]
    if violations:
        raise DomainError(violations)
    return [None if g is None or g.amount is None else round_to_minor(g.amount, record_currency) for g in given]
