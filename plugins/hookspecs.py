"""THE contract between cosell and its plugins.

Every hook is prefixed `cosell_`. Implementations are validated when they are
registered: an unknown hook name, or an argument the spec does not offer, fails at
startup with the plugin's name (see `plugins.manager`). The domain objects passed to
hooks are plain Piccolo rows or dataclasses from `partners/`; plugins never see HTTP
or GraphQL.
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT_NAME = "cosell"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def cosell_validate_opportunity(opportunity: Any, context: Any) -> list[Any]:
    """Check an opportunity about to be written; return a list of rule violations.

    Every implementation runs on every write that touches an opportunity, its
    partners or its contacts; the violations of all of them are collected, and any
    violation refuses the write (nothing is written). The reseller rules R1–R7 are
    built-in implementations.
    """


@hookspec(firstresult=True)
def cosell_primary_partner(opportunity: Any, partners: list[Any]) -> Any | None:
    """Choose the primary partner among those on an opportunity (R8), or None.

    firstresult: the first implementation that returns something other than None
    decides. The built-in applies R8 (registrant, fulfiller, distributor) and runs last.
    """


@hookspec
def cosell_partner_discount(partner: Any, deal: Any, context: Any) -> Any | list[Any] | None:
    """Return discount line(s) for a partner on a deal, or None to add nothing (D5, P7–P10)."""


@hookspec(firstresult=True)
def cosell_locate_partners(region: Any, query: Any) -> Any | None:
    """Find partners for the locator in one region (D7), or None to let the next lookup answer.

    `region` is a `partners.enums.Region`, or None for a query across all regions (region
    lookups normally return None then, and the database lookup answers). `query` is a
    validated `partners.locator.LocatorQuery` (filters, optional `near`, `offset`/`limit`).

    Return one of (see `partners/locator.py`):
    - a list of `DirectoryEntry`: every entry of your directory matching the query
      (`partners.locator.matches` applies the standard filters); the locator orders it,
      counts the facets and cuts the page;
    - a `LocatorPage`: the page already ordered and cut, with total and facets;
    - an awaitable of either (a coroutine, for lookups doing I/O);
    - None to pass.
    List only AUTHORIZED, published partners (P1).

    firstresult: the first implementation that answers decides, so a plugin may serve one
    region from its own directory; the built-in database lookup
    (`plugins.builtin.locator_database`) is `trylast` and answers every region.
    """


@hookspec
def cosell_deal_registration_event(event: str, registration: Any) -> None:
    """Called after a deal registration change has been committed (D1, P4)."""
