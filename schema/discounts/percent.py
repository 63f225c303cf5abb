"""Exact percentages and amounts in discount inputs (issue 40): a new Decimal field beside
a deprecated Float one, read by its repr; giving both is ambiguous."""

from __future__ import annotations

from decimal import Decimal

from partners.infra.errors import Violation
from partners.money import to_decimal

RATE_DEPRECATION = "Use {name}: an exact percentage (issue 40)."
AMOUNT_DEPRECATION = "Use {name}: exact, with its currency (issue 40)."


def rate_deprecated(replacement: str) -> str:
    return RATE_DEPRECATION.format(name=replacement)


def amount_deprecated(replacement: str) -> str:
    return AMOUNT_DEPRECATION.format(name=replacement)


def pick_percent(exact: Decimal | None, legacy: float | None, path: tuple[str, ...], exact_name: str,
                 legacy_name: str, *, required: bool, rule: str | None = None,
                 found: list[Violation]) -> Decimal | None:
    """The percentage given as `exact_name` (Decimal) or, deprecated, `legacy_name` (Float,
    by its repr: 12.5 is 12.5). Both: AMBIGUOUS_RATE; neither, when required: REQUIRED.
    Problems are appended to `found`."""
    if exact is not None and legacy is not None:
        found.append(Violation("AMBIGUOUS_RATE", f"Give {exact_name} or the deprecated {legacy_name}, not both.",
                               (*path, exact_name), rule))
        return None
    if exact is not None:
        return exact
    if legacy is not None:
        return to_decimal(legacy)
    if required:
        found.append(Violation("REQUIRED", f"Give {exact_name} (a percentage).", (*path, exact_name), rule))
    return None
