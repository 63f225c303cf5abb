"""A10 holdovers: an account's transfer to a new owner, the hand-over of its opportunities, and
extension requests for keeping a held-over opportunity past day 180.

After an account transfer its open opportunities younger than 180 days stay with their
owner until day 180 (`transfer_ownership`), then go to the account's owner
(`hand_over_expired_holdovers`). The owner may ask, by day 120 after the
opportunity's creation, to keep it longer, with evidence of close within 90 days: an
expected close date at most 90 days after the request and a note. ADMIN or SALES_OPS
approve or refuse. Approved, the holdover ends EXTENSION_DAYS (90) after its day-180 end,
i.e. day 270, which covers the promised close with room to slip. One approved extension per
opportunity; one pending request at a time. While a request is pending the hand-over job
leaves the opportunity with its owner (they asked in time; the decision is the vendor's).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from partners.accounts.rules import holdover_until, require_clear
from partners.accounts.service import ACCOUNT_MANAGERS, get_account, require_staff_user
from partners.accounts.tables import Account, AccountOwnershipTransfer
from partners.infra import versions
from partners.infra.clock import now
from partners.infra.db import lock_for_update, transaction
from partners.infra.pacing import Pace
from partners.infra.errors import DomainError, NotFound, Violation, require_roles
from partners.opportunities.enums import HoldoverExtensionStatus as Status, OpportunityStage
from partners.opportunities.rules import OPEN_STAGES
from partners.opportunities.scoping import holdover_extension_scope
from partners.opportunities.service import get_visible, open_for_write, refresh_sales_qualified_source
from partners.opportunities.tables import HoldoverExtension, Opportunity
from partners.people.enums import Role
from partners.people.principal import Principal
from partners.people.scoping import scoped
from partners.people.standing import refuse_if_partner_denied

REQUEST_BY_DAY = 120
CLOSE_WITHIN_DAYS = 90
EXTENSION_DAYS = 90
NOTE_MAX = 5000
DECIDERS = (Role.ADMIN, Role.SALES_OPS)


# ---------------------------------------------------------------- pure rules


def request_violations(opp: dict, *, at: datetime, expected_close: date, note: str) -> list[Violation]:
    """A10: a held-over open opportunity, asked by day 120, with a close date within 90 days
    of the request (not in the past) and a note as evidence."""
    violations = []
    if opp["owner_holdover_until"] is None or OpportunityStage(opp["stage"]) not in OPEN_STAGES:
        violations.append(Violation("NOT_HELD_OVER", "Only an open opportunity held over after an account "
                                    "transfer can be extended.", ("opportunityId",), "A10"))
    if at > opp["created_at"] + timedelta(days=REQUEST_BY_DAY):
        violations.append(Violation("EXTENSION_TOO_LATE", f"An extension is asked by day {REQUEST_BY_DAY} after "
                                    "the opportunity's creation.", ("opportunityId",), "A10"))
    if not at.date() <= expected_close <= at.date() + timedelta(days=CLOSE_WITHIN_DAYS):
        violations.append(Violation("CLOSE_NOT_WITHIN_90_DAYS", f"The expected close date is within "
                                    f"{CLOSE_WITHIN_DAYS} days from today.", ("expectedCloseDate",), "A10"))
    if not note.strip():
        violations.append(Violation("EVIDENCE_REQUIRED", "Say why the deal will close by then.", ("note",), "A10"))
    elif len(note) > NOTE_MAX:
        violations.append(Violation("NOTE_TOO_LONG", f"At most {NOTE_MAX} characters.", ("note",)))
    return violations


def extended_holdover(holdover_until: datetime) -> datetime:
    """A10: an approved extension keeps the opportunity EXTENSION_DAYS past its day-180 end."""
    return holdover_until + timedelta(days=EXTENSION_DAYS)


# ---------------------------------------------------------------- reads


async def get_extension(principal: Principal, extension_id: int, field: str = "id") -> dict:
    row = await scoped(HoldoverExtension.select(), holdover_extension_scope(principal)).where(
        HoldoverExtension.id == extension_id).first()
    if row is None:
        raise NotFound.of("Holdover extension request", field)
    return row


# ---------------------------------------------------------------- writes


async def request_extension(principal: Principal, opportunity_id: int, *, expected_close_date: date,
                            note: str) -> dict:
    """A10: the opportunity's owner asks to keep it past its holdover."""
    note = (note or "").strip()
    async with transaction():
        await refuse_if_partner_denied(principal, "opportunityId")  # P1: a DENIED partner's users do not act
        await get_visible(principal, opportunity_id, "opportunityId")
        # Requests of one opportunity queue: the pending/approved checks below hold.
        await lock_for_update(Opportunity, opportunity_id)
        opp = await get_visible(principal, opportunity_id, "opportunityId")
        if opp["owner"] != principal.user_id:
            raise DomainError.single("NOT_OWNER", "Only the opportunity's owner asks to extend its holdover.",
                                     "opportunityId", rule="A10")
        at = now()
        violations = request_violations(opp, at=at, expected_close=expected_close_date, note=note)
        if violations:
            raise DomainError(violations)
        earlier = {r["status"] for r in await HoldoverExtension.select(HoldoverExtension.status).where(
            HoldoverExtension.opportunity == opportunity_id)}
        if Status.PENDING.value in earlier:
            raise DomainError.single("EXTENSION_PENDING", "A request for this opportunity awaits a decision.",
                                     "opportunityId", rule="A10")
        if Status.APPROVED.value in earlier:
            raise DomainError.single("ALREADY_EXTENDED", "This opportunity's holdover was extended already.",
                                     "opportunityId", rule="A10")
        row = HoldoverExtension(opportunity=opportunity_id, requested_by=principal.user_id,
                                expected_close_date=expected_close_date, note=note,
                                status=Status.PENDING.value, created_at=at)
        await row.save()
        return await get_extension(principal, row.id)


async def decide_extension(principal: Principal, extension_id: int, *, approve: bool, note: str = "") -> dict:
    """A10: ADMIN or SALES_OPS approve (the holdover ends 90 days later) or refuse (a reason
    is required) a pending request."""
    require_roles(principal, *DECIDERS)
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError.single("REASON_REQUIRED", "Say why the extension is refused.", "reason", rule="A10")
    if len(note) > NOTE_MAX:
        raise DomainError.single("NOTE_TOO_LONG", f"At most {NOTE_MAX} characters.", "reason" if not approve else "note")
    async with transaction():
        request = await get_extension(principal, extension_id)
        # The opportunity before its request (the order every writer takes).
        opp = await open_for_write(principal, request["opportunity"]) if approve else None
        await lock_for_update(HoldoverExtension, extension_id)
        request = await get_extension(principal, extension_id)
        if request["status"] != Status.PENDING.value:
            raise DomainError.single("ALREADY_DECIDED", f"The request is {request['status']} already.", "id",
                                     rule="A10")
        at = now()
        values = {HoldoverExtension.status: (Status.APPROVED if approve else Status.REFUSED).value,
                  HoldoverExtension.decided_by: principal.user_id, HoldoverExtension.decided_at: at,
                  HoldoverExtension.decision_note: note}
        if approve:
            if opp["owner_holdover_until"] is None or OpportunityStage(opp["stage"]) not in OPEN_STAGES:
                raise DomainError.single("NOT_HELD_OVER", "The opportunity is no longer held over (closed or "
                                         "handed over): nothing to extend.", "id", rule="A10")
            until = extended_holdover(opp["owner_holdover_until"])
            values[HoldoverExtension.extended_until] = until
            await Opportunity.update({Opportunity.owner_holdover_until: until}).where(
                Opportunity.id == opp["id"])
        await HoldoverExtension.update(values).where(HoldoverExtension.id == extension_id)
        return await get_extension(principal, extension_id)


async def transfer_ownership(principal: Principal, account_id: int, new_owner_id: int) -> tuple[dict, dict]:
    """A10: the account moves to the new owner; its open opportunities younger than 180 days
    stay with their owner until day 180, older ones move now. Recorded as a transfer."""
    require_roles(principal, *ACCOUNT_MANAGERS)
    async with transaction():
        account = await get_account(account_id)
        require_clear(account)
        await require_staff_user(new_owner_id, "newOwnerId")
        if account["owner"] == new_owner_id:
            raise DomainError.single("SAME_OWNER", "The account already has this owner.", "newOwnerId", rule="A10")
        moment = now()
        open_opps = await Opportunity.select(Opportunity.id, Opportunity.owner, Opportunity.created_at).where(
            (Opportunity.account == account_id) & Opportunity.stage.is_in([s.value for s in OPEN_STAGES])
        )
        held, moved = [], []
        for opp in open_opps:
            if opp["owner"] == new_owner_id:
                continue
            until = holdover_until(opp["created_at"])
            (held if until > moment else moved).append((opp["id"], until))
        for opp_id, until in held:
            await Opportunity.update({Opportunity.owner_holdover_until: until, **versions.bumped(Opportunity)}).where(
                Opportunity.id == opp_id)
        if moved:
            ids = [opp_id for opp_id, _ in moved]
            await Opportunity.update({Opportunity.owner: new_owner_id, Opportunity.owner_holdover_until: None,
                                      **versions.bumped(Opportunity)}).where(
                Opportunity.id.is_in(ids)
            )
            await refresh_sales_qualified_source(ids)
        await Account.update({Account.owner: new_owner_id}).where(Account.id == account_id)
        transfer = AccountOwnershipTransfer(
            account=account_id, from_owner=account["owner"], to_owner=new_owner_id,
            transferred_by=principal.user_id, opportunities_held_over=len(held), opportunities_moved=len(moved),
            created_at=moment,
        )
        await transfer.save()
        return await get_account(account_id), transfer.to_dict()


async def hand_over_expired_holdovers(at: datetime | None = None, *, batch: int = 200,
                                      should_stop=lambda: False) -> int:
    """A10: an open opportunity held over after an account transfer goes to the account's
    current owner once its 180 days have passed. Safe to run in every instance at once:
    the update is idempotent. Returns how many opportunities changed owner. An opportunity
    whose owner asked for an extension still undecided stays (`partners.opportunities.holdover`).
    Batches of `batch` from the partial index `opportunity_holdover_due` (held-over rows
    only), resting between them (`partners.infra.pacing`)."""
    moment = at or now()
    handed = 0
    pace = Pace()
    while not should_stop():
        await pace.rest()
        async with transaction():
            asked = sorted({r["opportunity"] for r in await HoldoverExtension.select(
                HoldoverExtension.opportunity).where(HoldoverExtension.status == Status.PENDING.value)})
            condition = (Opportunity.owner_holdover_until.is_not_null() & (Opportunity.owner_holdover_until <= moment)
                         & Opportunity.stage.is_in([s.value for s in OPEN_STAGES]))
            if asked:
                condition &= Opportunity.id.not_in(asked)
            due = await Opportunity.select(
                Opportunity.id, Opportunity.account.owner.as_alias("account_owner")).where(condition).order_by(
                Opportunity.owner_holdover_until).limit(batch)
            by_owner: dict[int, list[int]] = {}
            for row in due:
                by_owner.setdefault(row["account_owner"], []).append(row["id"])
            for owner, ids in by_owner.items():
                await Opportunity.update({Opportunity.owner: owner, Opportunity.owner_holdover_until: None,
                                          **versions.bumped(Opportunity)}).where(
                    Opportunity.id.is_in(ids)
                )
            if due:
                await refresh_sales_qualified_source([row["id"] for row in due])
        handed += len(due)
        if len(due) < batch:
            return handed
    return handed
