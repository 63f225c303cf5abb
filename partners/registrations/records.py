"""Deal registrations: what the writes of `submit`, `approve` and `expire` share.

Every change runs in one `transaction()`, writes a `DealRegistrationChange` row (who, when,
from, to) and enqueues a `deal_registration_event` outbox message carrying a plain-data
snapshot (`record`); plugins hear of it after commit (`server/background.py`).

Every write first claims the registration (`open_for_write`, `partners.infra.versions`): its
version moves by one, a stale `expectedVersion` is refused, and on PostgreSQL the row
stays locked until commit, so concurrent writes of one registration run one after the
other and none is lost. Statuses move only through `transition`, which also compares
the status read (compare-and-set). P5 and P9 are also
partial unique indexes (migration `cosell_2026_11_23t14_42_14_721225`); a write refused by
them becomes the same UserError as the check that normally catches it first.
"""

from __future__ import annotations

from datetime import datetime

from partners.accounts.tables import Account
from partners.infra import outbox, versions
from partners.infra.clock import now
from partners.infra.errors import DomainError, NotFound, require_roles
from partners.opportunities.tables import Opportunity
from partners.people.enums import Region
from partners.people.principal import Principal
from partners.people.scoping import scoped
from partners.registrations.enums import DealRegistrationStatus as Status, DealRegistrationType as RegType
from partners.registrations.rules import (
    EVENT_KIND,
    REVIEWERS,
    TRANSITIONS,
    review_durations,
    snapshot,
    transition_violation,
)
from partners.registrations.scoping import deal_registration_scope
from partners.registrations.tables import DealRegistration, DealRegistrationChange, DealRegistrationProduct


async def get_visible(principal: Principal, registration_id: int, field: str = "id") -> dict:
    row = await scoped(DealRegistration.select(), deal_registration_scope(principal)).where(
        DealRegistration.id == registration_id).first()
    if row is None:
        raise NotFound.of("Deal registration", field)
    return row


async def open_for_write(principal: Principal, registration_id: int, expected_version: int | None = None) -> dict:
    """The registration as this write will change it: visible to the caller (else NOT_FOUND,
    before any version check), then claimed (version + 1, row lock on PostgreSQL;
    STALE_VERSION when `expected_version` is no longer current)."""
    await get_visible(principal, registration_id)
    return await versions.claim(DealRegistration, registration_id, expected_version, "deal registration")


async def _products(registration_id: int) -> list[str]:
    rows = await DealRegistrationProduct.select(DealRegistrationProduct.product).where(
        DealRegistrationProduct.registration == registration_id).order_by(DealRegistrationProduct.id)
    return [r["product"] for r in rows]


async def record(row: dict, event: str, from_status: str | None, principal: Principal | None, note: str,
                 at: datetime, products: list[str] | None = None) -> None:
    """History row + outbox event, in the caller's transaction. A review step or decision
    carries its P4 working-time durations (`review_durations`, for the channel metrics).
    `products`: the registration's, in order, when the caller has them (else read)."""
    first_review, decision = review_durations(event, from_status, row.get("last_submitted_at"), at)
    await DealRegistrationChange(
        registration=row["id"], event=event, from_status=from_status, to_status=row["status"],
        changed_by=principal.user_id if principal else None, note=note.strip()[:2000], changed_at=at,
        first_review_seconds=first_review, decision_seconds=decision,
        partner=row["partner"], region=row["region"], registration_type=row["registration_type"],
    ).save()
    if products is None:
        products = await _products(row["id"])
    await outbox.enqueue(EVENT_KIND, {"event": event, "registration": snapshot(row, products)})


# Issue 36 item 2: the registration's partner, region and type onto history rows written without them.
COPY_KEYS_SQL = ('UPDATE "deal_registration_change" SET "partner" = r."partner", "region" = r."region", '
                 '"registration_type" = r."registration_type" FROM "deal_registration" r '
                 'WHERE r."id" = "deal_registration_change"."registration" '
                 'AND "deal_registration_change"."partner" IS NULL')


async def copy_registration_keys(registration_ids: list[int]) -> None:
    """The history rows of these registrations written without their partner, region and type
    (a bulk writer: the import) get them, in one UPDATE (bench.generate runs COPY_KEYS_SQL)."""
    from partners.infra.db import current_engine

    if registration_ids:
        ids = ", ".join(str(int(i)) for i in registration_ids)
        await current_engine().run_ddl(f'{COPY_KEYS_SQL} AND r."id" IN ({ids})')


async def transition(row: dict, event: str, principal: Principal | None, note: str = "",
                     changes: dict | None = None, at: datetime | None = None) -> dict:
    """Move `row` by `event` if its status is still the one read (compare-and-set). The
    caller claimed `row` (`open_for_write`), which already moved its version."""
    violation = transition_violation(Status(row["status"]), event)
    if violation:
        raise DomainError([violation])
    at = at or now()
    target = TRANSITIONS[event][1]
    values = {DealRegistration.status: target.value, **(changes or {})}
    updated = await DealRegistration.update(values).where(
        (DealRegistration.id == row["id"]) & (DealRegistration.status == row["status"])
    ).returning(*DealRegistration.all_columns())
    if not updated:
        raise DomainError.single("CHANGED_MEANWHILE", "The registration changed meanwhile; reload it and retry.",
                                 "id", rule="P4")
    await record(updated[0], event, row["status"], principal, note, at)
    return updated[0]


def require_reviewer(principal: Principal, row: dict) -> None:
    """D1: a channel manager of the customer's region, or an admin."""
    require_roles(principal, *REVIEWERS)
    if principal.is_admin or Region(row["region"]) in principal.regions:
        return
    raise DomainError.single("NOT_REGION_REVIEWER",
                             f"Only channel managers of {row['region']} (or admins) review this registration.",
                             "id", rule="D1")


def require_registrant_side(principal: Principal, row: dict) -> None:
    """P4: the partner (its users, or who registered on its behalf) or an admin."""
    if principal.is_admin or row["registered_by"] == principal.user_id:
        return
    if principal.is_partner_user and principal.partner_id == row["partner"]:
        return
    raise DomainError.single("NOT_THE_REGISTRANT", "Only the registering partner (or an admin) may do this.",
                             "id", rule="P4")


def required_text(value: str, field: str, rule: str, what: str) -> str:
    """The reason a return or denial (P4) or a dissolution (P5) must give, stripped."""
    text = (value or "").strip()
    if not text:
        raise DomainError.single("REASON_REQUIRED", f"{what} needs a reason.", field, rule=rule)
    return text


async def _lock_customer(account_id: int) -> None:
    """Serialise the approvals, dissolutions and holds of one end customer (P5): on
    PostgreSQL a row lock on the account, taken first, so two concurrent approvals wait
    for each other instead of deadlocking on each other's registrations (SQLite's
    IMMEDIATE transactions already serialise every write)."""
    if Account._meta.db.engine_type == "postgres":
        await Account.raw('SELECT id FROM "account" WHERE id = {} FOR UPDATE', account_id)


async def claim_customer(row: dict) -> None:
    """Before approving or dissolving `row`: the customer's lock (P5), then the claim of the
    opportunity whose team the decision changes (R8) — the same order as every other writer
    of that opportunity (opportunity, then its registrations), so they queue, not deadlock."""
    await _lock_customer(row["account"])
    if row["opportunity"] is not None and row["registration_type"] != RegType.SERVICES_ATTACH.value:
        await versions.claim(Opportunity, row["opportunity"], None, "opportunity")


def closed_values() -> dict:
    """What a registration that leaves review or a hold clears: its P4 clocks and its P5 holder."""
    return {DealRegistration.review_due_at: None, DealRegistration.decision_due_at: None,
            DealRegistration.held_by: None, DealRegistration.reply_due_at: None}
