"""Working a held case (D10, D11, D13, D14, "#advocate" of D15). Rules in partners.cases.work."""

from __future__ import annotations

from datetime import date

import strawberry

from partners.cases import work
from schema.accounts.types import AccountNode, ContactNode
from schema.cases.enums import CaseType
from schema.cases.types import CaseNode
from schema.core.access import access, roles
from schema.core.context import Info
from schema.core.domain import call_domain, expected_version_field
from schema.core.errors import UserError
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.identity.types import UserNode
from schema.opportunities.types import OpportunityNode

CASE_WORKERS = roles(*work.CLOSERS, description="the SMB advocate holding the case, admins")
ESCALATORS = roles(*work.ESCALATORS, description="renewal managers (ACCOUNT_EXECUTIVE), admins")
ADMIN_CONTACT_SETTERS = roles(*work.ADMIN_CONTACT_SETTERS, description="SMB advocates, AEs, sales ops, admins")


@strawberry.input(description="D11/D13/D14: the working fields of a held case; omitted fields stay, null clears a "
                  "link. Next Steps are checked against your initials.")
class UpdateCaseInput:
    id: strawberry.ID
    next_steps: str | None = strawberry.UNSET
    next_steps_date: date | None = strawberry.UNSET
    contact_id: strawberry.ID | None = strawberry.UNSET
    account_id: strawberry.ID | None = strawberry.UNSET
    opportunity_id: strawberry.ID | None = strawberry.UNSET
    lead_name: str | None = strawberry.UNSET
    lead_email: str | None = strawberry.UNSET
    case_type: CaseType | None = strawberry.field(default=strawberry.UNSET, name="type")
    description: str | None = strawberry.UNSET
    expected_version: int | None = expected_version_field()


@strawberry.input(description="D10: the case depends on another business team (e.g. Billing).")
class SetCaseWaitingInput:
    id: strawberry.ID
    waiting_on: str
    expected_version: int | None = expected_version_field()


@strawberry.input
class ResumeCaseInput:
    id: strawberry.ID
    expected_version: int | None = expected_version_field()


@strawberry.input(description="D10: a reason is required (e.g. the customer's language).")
class ReassignCaseInput:
    id: strawberry.ID
    advocate_id: strawberry.ID
    reason: str
    expected_version: int | None = expected_version_field()


@strawberry.input(description='D15: adds "#advocate" to the subject.')
class EscalateCaseInput:
    id: strawberry.ID
    note: str = ""
    expected_version: int | None = expected_version_field()


@strawberry.input(description="D11: the lead becomes a contact of the case's account and its main contact.")
class ConvertCaseLeadInput:
    id: strawberry.ID
    title: str = ""
    expected_version: int | None = expected_version_field()


@strawberry.input(description="D13: the customer's admin contact on an account; null contactId unmarks it.")
class SetCustomerAdminContactInput:
    account_id: strawberry.ID
    contact_id: strawberry.ID | None = None


@strawberry.type
class WorkCasePayload:
    case: CaseNode | None
    errors: list[UserError]


@strawberry.type
class ConvertCaseLeadPayload:
    case: CaseNode | None
    contact: ContactNode | None
    errors: list[UserError]


@strawberry.type
class SetCustomerAdminContactPayload:
    contact: ContactNode | None
    errors: list[UserError]


def _payload(row: dict | None, errors: list[UserError]) -> WorkCasePayload:
    return WorkCasePayload(case=CaseNode.from_row(row) if row else None, errors=errors)


def _id(info: Info, value) -> int:
    return decode_node_id(info, value, CaseNode)


def _link(info: Info, value, node: type, field: str):
    if value is strawberry.UNSET:
        return work.UNSET
    return None if value is None else decode_node_id(info, value, node, field)


def _changes(info: Info, i: UpdateCaseInput) -> work.CaseChanges:
    def plain(value):
        return work.UNSET if value is strawberry.UNSET else value

    return work.CaseChanges(
        next_steps=plain(i.next_steps if i.next_steps is not None else ""),
        next_steps_date=plain(i.next_steps_date), contact_id=_link(info, i.contact_id, ContactNode, "contactId"),
        account_id=_link(info, i.account_id, AccountNode, "accountId"),
        opportunity_id=_link(info, i.opportunity_id, OpportunityNode, "opportunityId"),
        lead_name=plain(i.lead_name if i.lead_name is not None else ""),
        lead_email=plain(i.lead_email if i.lead_email is not None else ""),
        case_type=work.UNSET if i.case_type in (strawberry.UNSET, None) else i.case_type,
        description=work.UNSET if i.description in (strawberry.UNSET, None) else i.description)


@strawberry.type
class CaseWorkMutation:
    @strawberry.mutation(description="D11/D13/D14: update a held case's Next Steps, contact, lead, account, "
                         "opportunity or type (its owner or an admin).", extensions=[access(CASE_WORKERS)])
    async def update_case(self, info: Info, input: UpdateCaseInput) -> WorkCasePayload:
        principal = require_principal(info)
        changes = _changes(info, input)
        return _payload(*await call_domain(work.update_case(principal, _id(info, input.id), changes,
                                                            input.expected_version)))

    @strawberry.mutation(description="D10: IN_PROGRESS → WAITING on another business team.",
                         extensions=[access(CASE_WORKERS)])
    async def set_case_waiting(self, info: Info, input: SetCaseWaitingInput) -> WorkCasePayload:
        principal = require_principal(info)
        return _payload(*await call_domain(work.set_waiting(principal, _id(info, input.id), input.waiting_on,
                                                            input.expected_version)))

    @strawberry.mutation(description="D10: WAITING → IN_PROGRESS.", extensions=[access(CASE_WORKERS)])
    async def resume_case(self, info: Info, input: ResumeCaseInput) -> WorkCasePayload:
        principal = require_principal(info)
        return _payload(*await call_domain(work.resume(principal, _id(info, input.id), input.expected_version)))

    @strawberry.mutation(description="D10: move a held case to another advocate, with a reason (they are emailed).",
                         extensions=[access(CASE_WORKERS)])
    async def reassign_case(self, info: Info, input: ReassignCaseInput) -> WorkCasePayload:
        principal = require_principal(info)
        advocate = decode_node_id(info, input.advocate_id, UserNode, "advocateId")
        return _payload(*await call_domain(work.reassign(principal, _id(info, input.id), advocate, input.reason,
                                                         input.expected_version)))

    @strawberry.mutation(description='D15: a renewal manager escalates a case to the advocates ("#advocate").',
                         extensions=[access(ESCALATORS)])
    async def escalate_case(self, info: Info, input: EscalateCaseInput) -> WorkCasePayload:
        principal = require_principal(info)
        return _payload(*await call_domain(work.escalate(principal, _id(info, input.id), input.note,
                                                         input.expected_version)))

    @strawberry.mutation(description="D11: convert the lead on a case to a contact of its account.",
                         extensions=[access(CASE_WORKERS)])
    async def convert_case_lead(self, info: Info, input: ConvertCaseLeadInput) -> ConvertCaseLeadPayload:
        principal = require_principal(info)
        result, errors = await call_domain(work.convert_lead(principal, _id(info, input.id), input.title,
                                                             input.expected_version))
        if result is None:
            return ConvertCaseLeadPayload(case=None, contact=None, errors=errors)
        row, contact = result
        return ConvertCaseLeadPayload(case=CaseNode.from_row(row), contact=ContactNode.from_row(contact), errors=[])

    @strawberry.mutation(description="D13: mark the customer's admin contact on an account (needed to close a case "
                         "whose opportunity closed won).", extensions=[access(ADMIN_CONTACT_SETTERS)])
    async def set_customer_admin_contact(self, info: Info,
                                         input: SetCustomerAdminContactInput) -> SetCustomerAdminContactPayload:
        principal = require_principal(info)
        account = decode_node_id(info, input.account_id, AccountNode, "accountId")
        contact = decode_node_id(info, input.contact_id, ContactNode, "contactId") if input.contact_id else None
        row, errors = await call_domain(work.set_customer_admin(principal, account, contact))
        return SetCustomerAdminContactPayload(contact=ContactNode.from_row(row) if row else None, errors=errors)
