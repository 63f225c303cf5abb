"""Exact amounts with their currency (issue 40; D5: partners resell in local currency).

`Money` is a `Decimal` and an ISO 4217 code. Arithmetic between two `Money` of different
currencies raises `CurrencyMismatch` (CURRENCY_MISMATCH): a figure in another currency is
converted first, at a dated rate (`partners.money.rates`).

Rounding: an amount is kept at its currency's minor unit (USD cents, JPY yen, BHD fils),
rounded half up (0.5 cent goes up): commercial rounding, the rule of invoices and of the
ERPs that partners quote from, so a quote line equals the same line computed there. A sum
of lines is never rounded again: the total of a quote is the exact sum of its lines.
Rates (percentages, exchange rates) are exact decimals and are never rounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from partners.infra.errors import DomainError, Violation
from partners.money.currencies import currency_violation, minor_units

ROUNDING = ROUND_HALF_UP
# The largest amount accepted: 13 integer digits (ten trillion) and up to 4 decimals keep
# every amount within PostgreSQL's and Python's exact range and JavaScript's Number for
# clients that still read the deprecated Float fields.
MAX_AMOUNT = Decimal("9999999999999")
_QUANTUM = {units: Decimal(1).scaleb(-units) for units in range(5)}


class CurrencyMismatch(DomainError):
    """Two figures in different currencies met in one sum or comparison."""

    @classmethod
    def of(cls, a: str, b: str, field: tuple[str, ...] | str = ()) -> "CurrencyMismatch":
        path = (field,) if isinstance(field, str) and field else tuple(field or ())
        return cls([Violation("CURRENCY_MISMATCH", f"Amounts in {a} and {b} cannot be added or compared "
                              "without an exchange rate.", path, "D5")])


def quantum(currency: str) -> Decimal:
    return _QUANTUM[minor_units(currency)]


def round_to_minor(value: Decimal, currency: str) -> Decimal:
    """`value` at the currency's minor unit, half up (see the module docstring)."""
    return value.quantize(quantum(currency), rounding=ROUNDING)


def to_decimal(value: object) -> Decimal:
    """An exact Decimal from a Decimal, an int, a string or a float (a float by its
    shortest repr: 0.1 → Decimal('0.1'), not the binary expansion). Refuses NaN and
    infinities."""
    if isinstance(value, Decimal):
        out = value
    elif isinstance(value, bool):
        raise TypeError("a bool is not an amount")
    elif isinstance(value, int):
        out = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        out = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            out = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number") from None
    else:
        raise TypeError(f"{type(value).__name__} is not an amount")
    if not out.is_finite():
        raise ValueError("not a finite number")
    return out


def amount_violations(value: Decimal, currency: str, field: tuple[str, ...] | str, *,
                      rule: str | None = None, allow_negative: bool = False) -> list[Violation]:
    """What is wrong with an amount given in `currency`: negative, too large, or more
    decimals than the currency has (12.345 USD is refused, never silently rounded)."""
    path = (field,) if isinstance(field, str) else tuple(field)
    bad = currency_violation(currency, path[:-1] + ("currency",) if path else ("currency",))
    if bad is not None:
        return [bad]
    found = []
    if value < 0 and not allow_negative:
        found.append(Violation("NEGATIVE_AMOUNT", "Amounts cannot be negative.", path, rule))
    if abs(value) > MAX_AMOUNT:
        found.append(Violation("AMOUNT_TOO_LARGE", f"Amounts are at most {MAX_AMOUNT:,}.", path, rule))
    units = minor_units(currency)
    if value != value.quantize(quantum(currency), rounding=ROUNDING):
        found.append(Violation("TOO_MANY_DECIMALS", f"{currency} amounts have {units} decimal(s) at most.", path,
                               rule))
    return found


@dataclass(frozen=True, order=False)
class Money:
    """An exact amount in an ISO 4217 currency. Construct with `Money.of` to validate
    and round; the constructor takes the values as they are."""

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: object, currency: str) -> "Money":
        """The amount rounded to the currency's minor unit (half up)."""
        return cls(round_to_minor(to_decimal(amount), currency), currency)

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls(round_to_minor(Decimal(0), currency), currency)

    def _same(self, other: "Money") -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch.of(self.currency, other.currency)

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __lt__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount >= other.amount

    def percent(self, rate: Decimal) -> "Money":
        """`rate` percent of this amount, rounded to the minor unit (half up): a quote line."""
        return Money.of(self.amount * to_decimal(rate) / 100, self.currency)

    def rounded(self) -> "Money":
        return Money(round_to_minor(self.amount, self.currency), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def total(items: "list[Money] | tuple[Money, ...]", currency: str) -> Money:
    """The exact sum of `items`, all in `currency` (CURRENCY_MISMATCH otherwise)."""
    out = Money.zero(currency)
    for item in items:
        out = out + item
    return out
