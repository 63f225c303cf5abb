"""What each hook implementation may return, and what "too slow" does per hook.

The plugin manager checks every answer of a plugin against its hook's contract (a wrong
type is a `PluginFailure` naming the plugin, like an exception) and times every call
against COSELL_PLUGIN_TIMEOUT_MS (see `plugins.manager._guarded`). What a failure then
does to the request is the calling code's policy, documented in docs/plugins.md
("Isolation"):

- `cosell_validate_opportunity`, `cosell_primary_partner`: the write fails (masked error
  with the request id) and rolls back;
- `cosell_partner_discount`: the quote fails (masked error with the request id); nothing
  is written around a quote;
- `cosell_locate_partners`: the failing lookup is skipped, the next one (in the end the
  built-in database lookup) answers;
- `cosell_deal_registration_event`, `cosell_lead_event`, `cosell_case_event`: the outbox
  retries the message (with backoff);
- `cosell_lead_partner`: the share fails (masked error) and rolls back;
- `cosell_startup`: the server (or command) does not start; `cosell_shutdown`: logged.

Which hooks the host awaits (`ASYNC_HOOKS`): an implementation of one of them may be
`async def` (or return an awaitable); any other hook is synchronous only, and an async
implementation of it is refused when the plugin is registered, i.e. at start-up (issue 41).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

# Hooks whose slow calls are only logged: the side effect already happened, and failing
# the call would make the outbox deliver it again.
SLOW_IS_LOGGED_ONLY = frozenset({"cosell_deal_registration_event", "cosell_lead_event", "cosell_case_event",
                                 "cosell_opportunity_event"})

# Hooks whose implementations may do I/O: the host calls them with `await
# CosellPluginManager.acall(...)` (or walks them itself, the locator and the rates fetch), so an
# `async def` implementation is awaited under COSELL_PLUGIN_TIMEOUT_MS and cancelled at the
# limit. Every hook not listed is synchronous only (`cosell_primary_partner`: a pure
# precedence decision taken on every team change; a hook added later, until it is listed).
ASYNC_HOOKS = frozenset({
    "cosell_validate_opportunity",
    "cosell_partner_discount",
    "cosell_locate_partners",
    "cosell_deal_registration_event",
    "cosell_lead_partner",
    "cosell_lead_event",
    "cosell_case_event",
    "cosell_opportunity_event",
    "cosell_exchange_rate",
    "cosell_startup",
    "cosell_shutdown",
})


def _violations(result: Any, kwargs: Mapping[str, Any]) -> str | None:
    from partners.infra.errors import Violation

    if result is None:
        return None
    if not isinstance(result, (list, tuple)):
        return f"must return a list of partners.errors.Violation or None, got {type(result).__name__}"
    wrong = [item for item in result if not isinstance(item, Violation)]
    if wrong:
        return f"must return partners.errors.Violation items, got {wrong[0]!r}"
    return None


def _primary_choice(result: Any, kwargs: Mapping[str, Any]) -> str | None:
    from partners.opportunities.reseller import PrimaryChoice

    if result is None:
        return None
    if not isinstance(result, PrimaryChoice):
        return f"must return a partners.reseller.PrimaryChoice or None, got {result!r}"
    team = {getattr(p, "partner_id", None) for p in kwargs.get("partners") or ()}
    if getattr(result.partner, "partner_id", None) not in team:
        return f"must choose one of the opportunity's partners, got {result.partner!r}"
    return None


def _locator_answer(result: Any, kwargs: Mapping[str, Any]) -> str | None:
    from partners.locator.search import DirectoryEntry, LocatorPage

    if result is None or isinstance(result, LocatorPage):
        return None
    if not isinstance(result, (list, tuple)):
        return f"must return a list of DirectoryEntry, a LocatorPage or None, got {type(result).__name__}"
    wrong = [item for item in result if not isinstance(item, DirectoryEntry)]
    if wrong:
        return f"must return partners.locator.DirectoryEntry items, got {wrong[0]!r}"
    return None


def _discount_lines(result: Any, kwargs: Mapping[str, Any]) -> str | None:
    from partners.discounts.rules import DiscountLine

    if result is None:
        return None
    if isinstance(result, DiscountLine):
        result = [result]
    if not isinstance(result, (list, tuple)):
        return f"must return a DiscountLine, a list of them or None, got {type(result).__name__}"
    wrong = [item for item in result if not isinstance(item, DiscountLine)]
    if wrong:
        return f"must return partners.discounts.DiscountLine items, got {wrong[0]!r}"
    # Issue 40 (D5): every line is in the deal's currency; a figure in another one would
    # need a conversion the quote does not make.
    currency = getattr(kwargs.get("deal"), "currency", None)
    foreign = [item for item in result if currency and item.amount.currency != currency]
    if foreign:
        return (f"CURRENCY_MISMATCH: line {foreign[0].key!r} is in {foreign[0].amount.currency}, the deal in "
                f"{currency} (D5: lines are Money in the deal's currency)")
    return None


def _lead_partner_choice(result: Any, kwargs: Mapping[str, Any]) -> str | None:
    from partners.leads.choice import PartnerChoice

    if result is None:
        return None
    if not isinstance(result, PartnerChoice):
        return f"must return a partners.leads.choice.PartnerChoice or None, got {result!r}"
    candidates = {getattr(c, "partner_id", None) for c in kwargs.get("candidates") or ()}
    if result.partner_id not in candidates:
        return f"must choose one of the candidates (AUTHORIZED partners of the lead's region, P1), got {result!r}"
    return None


def _outbox_handlers(result: Any, kwargs: Mapping[str, Any]) -> str | None:
    if result is None:
        return None
    if not isinstance(result, Mapping):
        return f"must return a dict of outbox kind -> async handler, or None, got {type(result).__name__}"
    wrong = [kind for kind, handler in result.items() if not isinstance(kind, str) or not kind or not callable(handler)]
    if wrong:
        return f"must map non-empty kind strings to callables, got {wrong[0]!r}"
    return None


def _background_jobs(result: Any, kwargs: Mapping[str, Any]) -> str | None:
    from plugins.jobs import BackgroundJob

    if result is None:
        return None
    if not isinstance(result, (list, tuple)):
        return f"must return a list of plugins.BackgroundJob or None, got {type(result).__name__}"
    wrong = [item for item in result if not isinstance(item, BackgroundJob)]
    if wrong:
        return f"must return plugins.BackgroundJob items, got {wrong[0]!r}"
    return None


# hook name -> check(result, call arguments) returning None, or what is wrong.
RESULT_CHECKS: dict[str, Callable[[Any, Mapping[str, Any]], str | None]] = {
    "cosell_validate_opportunity": _violations,
    "cosell_primary_partner": _primary_choice,
    "cosell_locate_partners": _locator_answer,
    "cosell_partner_discount": _discount_lines,
    "cosell_lead_partner": _lead_partner_choice,
    "cosell_outbox_handlers": _outbox_handlers,
    "cosell_background_jobs": _background_jobs,
}
