"""Per-request loaders for deal registrations and what hangs off them; every one applies
`deal_registration_scope`, so a partner user reaches only their own partner's rows."""

from __future__ import annotations

import json

from partners.infra.db import current_engine
from partners.infra.prepared import PreparedQuery, PreparedStatement
from partners.infra.sql import any_of
from partners.people.scoping import partner_scope, scoped
from partners.registrations.rules import CONFLICTS_WITH, LIVE, conflicts_sql
from partners.registrations.scoping import deal_registration_scope
from partners.registrations.tables import DealRegistration, DealRegistrationChange, DealRegistrationProduct
from schema.core.loaders import aligned, grouped, joined_rows
from schema.core.rows import scoped_rows_by_ids
from schema.identity.loaders import load_partners


async def load_deal_registrations(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(DealRegistration, deal_registration_scope, context.principal, ids)


def _visible(principal, column):
    """`column` (a registration id) names a registration the caller may see; None when they
    see every one (staff): a sub-select of all 300,000 ids would cost SQLite a second."""
    scope = deal_registration_scope(principal)
    return None if scope is None else column.is_in(DealRegistration.select(DealRegistration.id).where(scope))


_PRODUCTS = PreparedQuery(lambda who, ids: scoped(DealRegistrationProduct.select().where(
    any_of(DealRegistrationProduct.registration, ids)),
    _visible(who, DealRegistrationProduct.registration)).order_by(DealRegistrationProduct.id))

_HISTORY = PreparedQuery(lambda who, ids: scoped(DealRegistrationChange.select().where(
    any_of(DealRegistrationChange.registration, ids)),
    _visible(who, DealRegistrationChange.registration)).order_by(
    DealRegistrationChange.changed_at).order_by(DealRegistrationChange.id))

_CONFLICTING = PreparedQuery(lambda who, ids: scoped(
    DealRegistration.select(*DealRegistration.all_columns(), *DealRegistration.partner.all_columns())
    if partner_scope(who) is None else DealRegistration.select(),
    deal_registration_scope(who)).where(any_of(DealRegistration.id, ids)))

_CUSTOMER_NAMES = PreparedQuery(lambda who, ids: scoped(
    DealRegistration.select(DealRegistration.id, DealRegistration.account.name.as_alias("name")),
    deal_registration_scope(who)).where(any_of(DealRegistration.id, ids)))


def _conflicts_statement(keys_sql: str) -> PreparedStatement:
    """D2's conflict pairs (partners.registrations.rules.conflicts_sql) for keys given as one
    value: the same text every request, compiled once, where a `raw` query with one
    placeholder per key was built and compiled by Piccolo each time (issue 38)."""
    sql = conflicts_sql(1, CONFLICTS_WITH)
    one_key = "a.registration IN ({})"
    if one_key not in sql:
        raise RuntimeError("conflicts_sql changed: update _conflicts_statement")
    return PreparedStatement(sql.replace(one_key, f"a.registration {keys_sql}"), DealRegistration)


_CONFLICT_PAIRS = {"postgres": _conflicts_statement("= ANY({})"),
                   "sqlite": _conflicts_statement("IN (SELECT value FROM json_each({}))")}


async def _conflict_pairs(keys: list[int]) -> list[dict]:
    engine_type = current_engine().engine_type
    return await _CONFLICT_PAIRS[engine_type].run(keys if engine_type == "postgres" else json.dumps(keys))


async def load_registration_products(context, ids: list[int]) -> list[list[dict]]:
    return grouped(ids, await _PRODUCTS.run(context.principal, ids), "registration")


async def load_registration_history(context, ids: list[int]) -> list[list[dict]]:
    return grouped(ids, await _HISTORY.run(context.principal, ids), "registration")


async def load_registration_conflicts(context, ids: list[int]) -> list[list[int]]:
    """D2: ids of the conflicting registrations the caller may see, in submission order.
    Only live registrations have conflicts. The conflicting rows are read once and go to
    the request's registrations loader (a page asking for `conflicts` has put its own rows
    there), through which visibility and statuses are checked; the `conflicts` field then
    finds its rows there."""
    keys = sorted(set(ids))
    rows = await _conflict_pairs(keys) if keys else []
    others = sorted({r["other"] for r in rows})
    if others:
        # The conflicting registrations the caller may see, with their partners when the
        # caller may read every partner (staff): both loaders primed, for `conflicts`.
        try:
            found = await _CONFLICTING.run(context.principal, others)
        except Exception:  # noqa: BLE001 - read apart below, so a fault stays at its own field's path
            found = None
        if found is not None:
            context.loaders(load_partners).prime_many(joined_rows(found, "partner"))
            # What the scope let through, and None for the others, as the loader would give.
            context.loaders(load_deal_registrations).prime_many(
                {**dict.fromkeys(others), **{r["id"]: r for r in found}})
    wanted = list(dict.fromkeys(keys + others))
    visible = {r["id"]: r["status"] for r in await context.loaders(load_deal_registrations).load_many(wanted) if r}
    live = {s.value for s in LIVE}
    by_key: dict[int, list[int]] = {}
    for row in rows:
        if visible.get(row["id"]) in live and row["other"] in visible:
            by_key.setdefault(row["id"], []).append(row["other"])
    return [by_key.get(k, []) for k in ids]


async def load_customer_names(context, registration_ids: list[int]) -> list[str | None]:
    """The end customer's name of each registration the caller may see (partner users
    cannot read accounts, but they know whom they registered)."""
    rows = await _CUSTOMER_NAMES.run(context.principal, registration_ids)
    return [row["name"] if row else None for row in aligned(registration_ids, rows)]
