"""Deal registrations: how they end without a decision on them (P1, P4, P6).

expire_due (P6: 90 days after approval), close_unanswered_returns (P4: a return not
answered in time), close_for_lost_opportunity (P6) and close_for_denied_partner (P1: an
approved one dissolved as P5 says, the others closed). Each may run in any number of
instances at once: a row is ended, recorded and announced once. An approved registration
that ends leaves the opportunity's team and releases what it held, as `approve.dissolve`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from piccolo.columns.combination import WhereRaw

from partners.infra import leasing, versions
from partners.infra.clock import now
from partners.infra.db import transaction
from partners.infra.pacing import Pace
from partners.opportunities import reseller
from partners.people.principal import Principal
from partners.registrations.approve import adjust_counters, release_held, remove_registrant_from_team
from partners.registrations.enums import DealRegistrationStatus as Status, DealRegistrationType as RegType
from partners.registrations.records import claim_customer, closed_values, record, transition
from partners.registrations.rules import LIVE, RETURN_REPLY_DAYS
from partners.registrations.tables import DealRegistration


async def _end_approved(rows: list[dict], event: str, principal: Principal | None, note: str, at: datetime,
                        rules: reseller.RuleSet, validate: bool) -> None:
    """History, events and counters for registrations that just left APPROVED (or any live
    status). An engagement that ends by expiry or closing loses its DEAL_REGISTRANT place as
    by dissolution (P5, P6), so the partner no longer sees the deal (R9); `validate=False`
    when the caller checks the opportunity itself (a stage move) or nobody could act on a
    refusal (the expiry job: a rule broken before must not stop every expiry)."""
    deltas: dict[int, int] = {}
    for previous, updated in rows:
        await record(updated, event, previous, principal, note, at)
        if previous == Status.APPROVED.value and updated["registration_type"] != RegType.SERVICES_ATTACH.value:
            deltas[updated["partner"]] = deltas.get(updated["partner"], 0) - 1
            if updated["opportunity"] is not None:
                await remove_registrant_from_team(principal, rules, updated["opportunity"], updated["partner"],
                                                  f"registration {event.lower()}", validate=validate)
            await release_held(principal, updated, at)
    await adjust_counters(deltas)


async def expire_due(rules: reseller.RuleSet, at: datetime | None = None, limit: int = 100,
                     should_stop=lambda: False) -> int:
    """P6: approved registrations past `expires_at` become EXPIRED and leave the team (R9).
    One conditional UPDATE per batch decides which rows this caller expires, so any number
    of instances (the background job, `cosell registrations expire`) may run it at once: a
    row is expired, recorded and announced once. Batches of `limit` read from the partial
    index `deal_registration_expiry` (approved rows only: the expired ones are never walked
    again), resting between them (`partners.infra.pacing`), until none is due or
    `should_stop()`. Returns how many were expired."""
    at = at or now()
    total = 0
    pace = Pace()
    while not should_stop():
        await pace.rest()
        async with transaction():
            due = await DealRegistration.select(DealRegistration.id).where(
                APPROVED & (DealRegistration.expires_at <= at)
            ).order_by(DealRegistration.expires_at).limit(limit)
            if not due:
                return total
            updated = await DealRegistration.update({
                DealRegistration.status: Status.EXPIRED.value, **versions.bumped(DealRegistration)}).where(
                DealRegistration.id.is_in([r["id"] for r in due]) & APPROVED & (DealRegistration.expires_at <= at)
            ).returning(*DealRegistration.all_columns())
            await _end_approved([(Status.APPROVED.value, row) for row in updated], "EXPIRED", None,
                                "90 days after approval (P6).", at, rules, validate=False)
            total += len(updated)
            if len(due) < limit:
                return total
    return total


# The status as SQL text, not a parameter: a partial index's predicate matches only a
# constant (a prepared statement's generic plan cannot use it for `status = $1`).
APPROVED = WhereRaw(f"deal_registration.status = '{Status.APPROVED.value}'")
RETURNED = WhereRaw(f"deal_registration.status = '{Status.RETURNED.value}'")


RETURN_LEASE = timedelta(minutes=2)
UNANSWERED_NOTE = f"Not resubmitted within {RETURN_REPLY_DAYS} days of its return (P4)."


def unanswered_return(at: datetime):
    """RETURNED and past its `reply_due_at` (P4)."""
    return RETURNED & (DealRegistration.reply_due_at <= at)


async def close_unanswered_returns(*, worker: str, at: datetime | None = None, should_stop=lambda: False,
                                   batch: int = 100, lease_for: timedelta = RETURN_LEASE) -> int:
    """P4: RETURNED registrations past `reply_due_at` become CLOSED (event CLOSED). Each row is
    leased (`partners.infra.leasing`: SKIP LOCKED on PostgreSQL), then closed in one transaction by
    the holder of the lease only, and only if it is still unanswered (compare-and-set): a
    row is closed, recorded and announced once however many instances run. Returns how many
    this call closed."""
    at = at or now()
    closed = 0
    pace = Pace()
    while not should_stop():
        await pace.rest()
        lease, rows = await leasing.claim(DealRegistration, due=unanswered_return(at), worker=worker, limit=batch,
                                          lease_for=lease_for, order_by=[DealRegistration.reply_due_at], now=at)
        if not rows:
            return closed
        for index, row in enumerate(rows):
            if should_stop():
                await leasing.release(DealRegistration, [r["id"] for r in rows[index:]], lease)
                return closed
            async with transaction():
                if not await leasing.finish(DealRegistration, row["id"], lease, {}):
                    continue  # our lease expired and another worker took the row over
                updated = await DealRegistration.update({
                    DealRegistration.status: Status.CLOSED.value, **closed_values(),
                    **versions.bumped(DealRegistration)}).where(
                    (DealRegistration.id == row["id"]) & unanswered_return(at)).returning(
                    *DealRegistration.all_columns())
                if updated:
                    await record(updated[0], "CLOSED", Status.RETURNED.value, None, UNANSWERED_NOTE, at)
                    closed += 1
        if len(rows) < batch:
            return closed
    return closed


async def close_for_lost_opportunity(principal: Principal, rules: reseller.RuleSet, opportunity_id: int,
                                     at: datetime) -> None:
    """P6: an opportunity closed lost closes its live registrations (in the stage move's
    transaction, which validates the opportunity afterwards)."""
    live = await DealRegistration.select(DealRegistration.id, DealRegistration.status).where(
        (DealRegistration.opportunity == opportunity_id) & DealRegistration.status.is_in([s.value for s in LIVE]))
    closed = []
    for row in live:
        updated = await DealRegistration.update({
            DealRegistration.status: Status.CLOSED.value, **closed_values(), **versions.bumped(DealRegistration),
        }).where((DealRegistration.id == row["id"]) & (DealRegistration.status == row["status"])).returning(
            *DealRegistration.all_columns())
        if updated:
            closed.append((row["status"], updated[0]))
    await _end_approved(closed, "CLOSED", principal, "The opportunity was closed lost (P6).", at, rules,
                        validate=False)


async def close_for_denied_partner(principal: Principal, rules: reseller.RuleSet, partner_id: int, reason: str,
                                   at: datetime) -> None:
    """P1: a partner denied from the program keeps no live registration (in the denial's
    transaction). An approved one is dissolved as P5 says (the registrant leaves the team,
    the registrations it held are reconsidered in order of submission); the others close (P6)."""
    live = await DealRegistration.select().where(
        (DealRegistration.partner == partner_id) & DealRegistration.status.is_in([s.value for s in LIVE])
    ).order_by(DealRegistration.id)
    note = f"The partner was denied (P1): {reason}"
    closed = []
    for row in live:
        if row["status"] == Status.APPROVED.value:
            await claim_customer(row)
            row = await versions.claim(DealRegistration, row["id"], None, "deal registration")
            if row["status"] != Status.APPROVED.value:
                continue
            updated = await transition(row, "DISSOLVED", principal, note, {
                DealRegistration.reason: note[:2000], DealRegistration.expires_at: None}, at)
            if row["registration_type"] != RegType.SERVICES_ATTACH.value:
                # Not validated: the denial must not wait on the deal's other rules (as a lost deal's closing).
                await remove_registrant_from_team(principal, rules, row["opportunity"], row["partner"], "denyPartner",
                                                  validate=False)
                await adjust_counters({row["partner"]: -1})
            await release_held(principal, updated, at)
            continue
        updated = await DealRegistration.update({
            DealRegistration.status: Status.CLOSED.value, **closed_values(), **versions.bumped(DealRegistration),
        }).where((DealRegistration.id == row["id"]) & (DealRegistration.status == row["status"])).returning(
            *DealRegistration.all_columns())
        if updated:
            closed.append((row["status"], updated[0]))
    await _end_approved(closed, "CLOSED", principal, note, at, rules, validate=False)
