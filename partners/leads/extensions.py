"""More time on a P11 deadline (issue 34): the partner holding a lead asks, before the
deadline, for 1 to 5 more business days with a reason, once per deadline of a share; a
channel manager of the region (or an admin) approves, granting 1 to 5 business days counted
from the current deadline, or denies.

While a request waits, the `lead-deadlines` job does not recall the lead (the partner asked
in time); a denial after the deadline lets the job recall it at its next run. An approved
accept deadline moves the action deadline by the same business days (the partner keeps its
five business days to act after accepting); the reminder goes again before a new deadline.
A request whose deadline goes away (answered, acted on, taken back, recalled) lapses.
"""

from __future__ import annotations

from typing import Any

from partners import business_days
from partners.business_days import add_business_days
from partners.business_days.holidays import holidays_of
from partners.infra.db import transaction
from partners.infra.errors import DomainError, Violation
from partners.leads import rules
from partners.leads.enums import ExtensionStatus, LeadDeadline, LeadStatus as Status
from partners.leads.notices import notify_extension_decision
from partners.leads.service import _record, _require_lead_partner, _require_region_manager, _update, open_for_write
from partners.leads.tables import Lead, LeadExtension
from partners.people.principal import Principal
from partners.people.standing import refuse_if_partner_denied


async def request_extension(principal: Principal, lead_id: int, days: int, reason: str,
                            expected_version: int | None = None) -> tuple[dict, dict]:
    reason = (reason or "").strip()
    violations = [v for v in (rules.extension_days_violation(days),) if v]
    if not reason:
        violations.append(Violation("REASON_REQUIRED", "Asking for more time needs a reason.", ("reason",),
                                          "P11"))
    if violations:
        raise DomainError(violations)
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1
        row = await open_for_write(principal, lead_id, expected_version)
        _require_lead_partner(principal, row)
        status = Status(row["status"])
        deadline = rules.extension_target(status)
        if deadline is None:
            raise DomainError.single("NO_DEADLINE", f"A {status.value} lead has no P11 deadline to extend.", "id",
                                     rule="P11")
        at = business_days.now()
        violation = rules.deadline_violation(status, row, at)
        if violation:
            raise DomainError([violation])
        if await LeadExtension.exists().where((LeadExtension.lead == row["id"]) & (
                LeadExtension.share_count == row["share_count"]) & (LeadExtension.deadline == deadline.value)):
            raise DomainError.single("EXTENSION_ALREADY_REQUESTED", "More time can be asked once per deadline of a "
                                     "share.", "id", rule="P11")
        due = row["accept_due_at"] if deadline is LeadDeadline.ACCEPT else row["action_due_at"]
        request = LeadExtension(lead=row["id"], share_count=row["share_count"], partner=row["partner"],
                                deadline=deadline.value, days=days, reason=reason, requested_by=principal.user_id,
                                requested_at=at, due_at=due)
        await request.save()
        updated = await _update(row, {Lead.extension_pending: True})
        await _record(updated, "EXTENSION_REQUESTED", principal, f"{deadline.value} +{days} business days: {reason}",
                      at)
        return updated, await LeadExtension.select().where(LeadExtension.id == request.id).first()


def _moved(row: dict, deadline: LeadDeadline, days: int, off: set) -> dict[Any, Any]:
    def later(value):
        return None if value is None else add_business_days(value, days, off)

    values: dict[Any, Any] = {Lead.action_due_at: later(row["action_due_at"]),
                              Lead.action_remind_at: later(row["action_remind_at"]), Lead.action_reminded: 0}
    if deadline is LeadDeadline.ACCEPT:
        values.update({Lead.accept_due_at: later(row["accept_due_at"]),
                       Lead.accept_remind_at: later(row["accept_remind_at"]), Lead.accept_reminded: 0})
    return values


async def decide_extension(principal: Principal, lead_id: int, approve: bool, days: int | None = None,
                           note: str = "", expected_version: int | None = None) -> tuple[dict, dict]:
    """The lead's pending request, approved (`days`: default the days asked) or denied."""
    if approve and days is not None:
        violation = rules.extension_days_violation(days)
        if violation:
            raise DomainError([violation])
    async with transaction():
        row = await open_for_write(principal, lead_id, expected_version)
        _require_region_manager(principal, row)
        request = await LeadExtension.select().where((LeadExtension.lead == row["id"]) & (
            LeadExtension.status == ExtensionStatus.PENDING.value)).first()
        if request is None:
            raise DomainError.single("NO_PENDING_EXTENSION", "The lead has no request for more time waiting.", "id",
                                     rule="P11")
        at = business_days.now()
        deadline = LeadDeadline(request["deadline"])
        values: dict[Any, Any] = {Lead.extension_pending: False}
        decision: dict[Any, Any] = {LeadExtension.decided_by: principal.user_id, LeadExtension.decided_at: at,
                                    LeadExtension.note: (note or "").strip()[:2000]}
        if approve:
            granted = days or request["days"]
            due = row["accept_due_at"] if deadline is LeadDeadline.ACCEPT else row["action_due_at"]
            values.update(_moved(row, deadline, granted, await holidays_of(row["region"], due.date())))
            new_due = values[Lead.accept_due_at if deadline is LeadDeadline.ACCEPT else Lead.action_due_at]
            decision.update({LeadExtension.status: ExtensionStatus.APPROVED.value,
                             LeadExtension.granted_days: granted, LeadExtension.new_due_at: new_due})
            text = f"{deadline.value} +{granted} business days, due {new_due:%Y-%m-%d %H:%M} UTC"
        else:
            decision[LeadExtension.status] = ExtensionStatus.DENIED.value
            text = f"{deadline.value} extension denied"
        updated = await _update(row, values)
        decided = (await LeadExtension.update(decision).where(LeadExtension.id == request["id"]).returning(
            *LeadExtension.all_columns()))[0]
        await _record(updated, "EXTENSION_APPROVED" if approve else "EXTENSION_DENIED", principal,
                      f"{text}{': ' + note.strip() if (note or '').strip() else ''}", at)
        await notify_extension_decision(updated, decided)
        return updated, decided
