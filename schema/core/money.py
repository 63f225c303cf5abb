"""Money in the API (issue 40): `Money { amount: Decimal, currency }`, its input, and the
conversions made at dated exchange rates.

`Decimal` is a string of digits ("1234.50", "0.00637"), never in exponent notation and
never a JSON number, so no client reads it through a binary float. An amount has exactly
its currency's decimals (USD "12.30", JPY "1230", BHD "1.230"). As input, a Decimal is a
string or a JSON number given as it was written ("12.30" and 12.3 are both accepted).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import strawberry
from graphql import FloatValueNode, GraphQLError, IntValueNode, StringValueNode, VariableNode, print_ast

from partners.money import Conversion as DomainConversion, Money as DomainMoney
from partners.money.given import GivenAmount


def _serialize(value: Decimal) -> str:
    return format(value, "f")


# Digits before or after the point a Decimal input may have: far beyond any amount or rate,
# and small enough that no arithmetic on it leaves Decimal's 28 significant digits.
MAX_DIGITS = 20


def _refuse(message: str) -> GraphQLError:
    # A GraphQLError: the client's mistake, answered as a validation error (not an internal one).
    return GraphQLError(message)


def _parse(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise _refuse("A Decimal is a string of digits such as \"1234.50\".")
    try:
        out = Decimal(value.strip() if isinstance(value, str) else repr(value) if isinstance(value, float) else value)
    except InvalidOperation:
        raise _refuse(f"{str(value)[:40]!r} is not a decimal number.") from None
    if not out.is_finite():
        raise _refuse("A Decimal is a finite number.")
    if -out.as_tuple().exponent > MAX_DIGITS or (out and out.adjusted() >= MAX_DIGITS):  # type: ignore[operator]
        raise _refuse(f"A Decimal has at most {MAX_DIGITS} digits before and after the point.")
    return out


def _parse_literal(node, variables=None) -> Decimal:
    """A literal as written (`12345678901234.56` keeps every digit; no float in between).
    A refusal names the type and the literal, as graphql-core's own validation messages do."""
    try:
        if isinstance(node, (IntValueNode, FloatValueNode, StringValueNode)):
            return _parse(node.value)
        if isinstance(node, VariableNode) and variables:
            return _parse(variables.get(node.name.value))
        raise _refuse("A Decimal is a string of digits such as \"1234.50\".")
    except GraphQLError as refused:
        raise _refuse(f"Expected value of type 'Decimal', found {print_ast(node)}: {refused.message}") from None


DecimalScalar = strawberry.scalar(
    name="Decimal", serialize=_serialize, parse_value=_parse, parse_literal=_parse_literal,
    description="An exact decimal number as a string of digits, e.g. \"1234.50\" (never a float). Amounts have "
                "exactly their currency's decimals (ISO 4217 minor unit).",
)
SCALAR_MAP = {Decimal: DecimalScalar}  # StrawberryConfig.scalar_map: replaces Strawberry's own Decimal


@strawberry.type(name="Money", description="An exact amount in a currency. `amount` has the currency's minor "
                 "unit (USD 2 decimals, JPY 0, BHD 3), rounded half up where it was computed.")
class MoneyType:
    amount: Decimal
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")

    @classmethod
    def of(cls, money: DomainMoney | None) -> "MoneyType | None":
        return None if money is None else cls(amount=money.amount, currency=money.currency)

    @classmethod
    def from_parts(cls, amount: Decimal | None, currency: str) -> "MoneyType | None":
        return None if amount is None else cls(amount=amount, currency=currency)


@strawberry.input(name="MoneyInput", description="An amount and its currency. The amount may not have more "
                  "decimals than the currency (12.345 USD is refused: TOO_MANY_DECIMALS).")
class MoneyInput:
    amount: Decimal
    currency: str | None = strawberry.field(default=None, description="ISO 4217 code; omitted: the record's "
                                            "currency (e.g. the opportunity's, else its account's).")


@strawberry.type(name="CurrencyConversion", description="An amount converted at a dated exchange rate: the "
                 "latest rate published on or before the day asked for, and the day it was published.")
class CurrencyConversionType:
    source: MoneyType = strawberry.field(description="The amount as recorded.")
    result: MoneyType = strawberry.field(description="Converted, rounded to the target's minor unit (half up).")
    rate: Decimal = strawberry.field(description="1 unit of the source currency in the target currency.")
    rate_date: date = strawberry.field(description="The day the rate was published (a weekend uses Friday's).")

    @classmethod
    def of(cls, conversion: DomainConversion | None) -> "CurrencyConversionType | None":
        if conversion is None:
            return None
        return cls(source=MoneyType.of(conversion.source), result=MoneyType.of(conversion.result),
                   rate=conversion.rate, rate_date=conversion.rate_date)


def deprecated_amount(new_name: str) -> str:
    """The deprecation reason of a Float amount field replaced by `new_name` (issue 40)."""
    return f"Use {new_name}: exact, with its currency (issue 40)."


def given_amount(float_value: object, money_value: object, float_field: str, money_field: str) -> GivenAmount | None:
    """What the client gave for one amount through the deprecated Float input and/or the
    MoneyInput beside it: None when neither was given (UNSET), an amount of None when one
    is null (clears it on update; on create, where null is the default, the same as none).
    Both given is passed on as ambiguous: the domain refuses it (AMBIGUOUS_AMOUNT) with its
    other checks, so the refusal is a UserError and nothing is written."""
    float_given = float_value is not strawberry.UNSET and float_value is not None
    money_given = money_value is not strawberry.UNSET and money_value is not None
    if money_given:
        other = float_field if float_given else None
        amount, currency = money_value.amount, money_value.currency  # type: ignore[union-attr]
        return GivenAmount(amount, currency, (money_field,), other=other)
    if float_given:
        return GivenAmount.of_float(float_value, float_field)  # type: ignore[arg-type]
    if float_value is None or money_value is None:
        # An explicit null (update inputs, whose default is UNSET) clears the amount.
        explicit_null = (float_value is None and float_field) or (money_value is None and money_field)
        return GivenAmount(None, None, (explicit_null,), exact=False)
    return None
