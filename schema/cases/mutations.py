"""Case writes (D9–D14). Roles and rules are checked in partners.cases; working a held case
is in schema/cases/work_mutations.py, attachments in schema/cases/attachments.py."""

from __future__ import annotations

from datetime import date

import strawberry

from partners.cases import closing, service
from partners.cases.enums import CaseStatus as StatusEnum, CaseType as CaseTypeEnum
from partners.people.enums import Role
from partners.people.principal import STAFF_ROLES
from schema.accounts.types import AccountNode, ContactNode
from schema.cases.attachments import CaseAttachmentMutation
from schema.cases.enums import CaseClosedStatus, CaseType
from schema.cases.types import CaseComment, CaseNode, CaseResolutionAction
from schema.cases.work_mutations import CaseWorkMutation
from schema.core.access import ADMIN, access, roles
from schema.core.context import Info
from schema.core.domain import call_domain, expected_version_field
from schema.core.errors import UserError
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.opportunities.types import OpportunityNode

PARTNER_SIDE = tuple(sorted(frozenset(Role) - STAFF_ROLES, key=lambda r: r.value))
CASE_OPENERS = roles(*PARTNER_SIDE, *service.STAFF_OPENERS, description="partner users, vendor staff")
CASE_ADVOCATES = roles(*service.ADVOCATES, description="SMB advocates")
CASE_CLOSERS = roles(*service.CLOSERS, description="the SMB advocate holding the case, admins")
CASE_COMMENTERS = roles(*PARTNER_SIDE, *service.STAFF_COMMENTERS,
                        description="the case's partner users (public only), SMB advocates, admins")


@strawberry.input(description='D9: a partner user\'s subject gets the "Partner Opp" prefix; it names the opportunity '
                  "or the account by name. Vendor staff open a case of any type on an account (or an opportunity), "
                  "with its contact or a lead (D11).")
class OpenCaseInput:
    subject: str
    description: str
    opportunity_id: strawberry.ID | None = None
    account_name: str = ""
    case_type: CaseType | None = strawberry.field(default=None, name="type", description="Staff only; GENERAL by "
                                                  "default (a partner's case is PARTNER_OPP).")
    account_id: strawberry.ID | None = strawberry.field(default=None, description="Staff only.")
    contact_id: strawberry.ID | None = strawberry.field(default=None, description="Staff only; a contact of the "
                                                        "account.")
    lead_name: str = strawberry.field(default="", description="D11: a person not yet a contact.")
    lead_email: str = ""


@strawberry.input(description="D10/D11: without Next Steps, pick-up writes the cadence's first step in your name.")
class PickUpCaseInput:
    id: strawberry.ID
    next_steps: str | None = None
    next_steps_date: date | None = None
    expected_version: int | None = expected_version_field()


@strawberry.input(description="D9: internal comments are for staff only.")
class CommentOnCaseInput:
    id: strawberry.ID
    body: str
    internal: bool = False
    expected_version: int | None = expected_version_field()


@strawberry.input(description="D10/D12/D13/D14: a resolution action of the dictionary and feedback (\"NA\" when none) "
                  "are required; CLOSED_DUPLICATE names the case it duplicates.")
class CloseCaseInput:
    id: strawberry.ID
    status: CaseClosedStatus = CaseClosedStatus.CLOSED_RESOLVED
    resolution_action: str = ""
    feedback: str = ""
    resolution: str = strawberry.field(default="", description="What was done, in words.")
    duplicate_of_id: strawberry.ID | None = None
    expected_version: int | None = expected_version_field()


@strawberry.input(description="D10: within 30 days of closing, by the advocate who held it or an admin.")
class ReopenCaseInput:
    id: strawberry.ID
    reason: str
    expected_version: int | None = expected_version_field()


@strawberry.input(description="D12: a new value of the dictionary (code in SCREAMING_SNAKE).")
class AddCaseResolutionActionInput:
    code: str
    label: str


@strawberry.type
class CasePayload:
    case: CaseNode | None
    errors: list[UserError]


@strawberry.type
class CommentOnCasePayload:
    case: CaseNode | None
    comment: CaseComment | None
    errors: list[UserError]


@strawberry.type
class AddCaseResolutionActionPayload:
    resolution_action: CaseResolutionAction | None
    errors: list[UserError]


def _payload(row: dict | None, errors: list[UserError]) -> CasePayload:
    return CasePayload(case=CaseNode.from_row(row) if row else None, errors=errors)


def _id(info: Info, value) -> int:
    return decode_node_id(info, value, CaseNode)


@strawberry.type
class CaseMutation(CaseWorkMutation, CaseAttachmentMutation):
    @strawberry.mutation(description="D9: a partner user opens a Partner Opp case; vendor staff open any case on an "
                         "account (D14 types).", extensions=[access(CASE_OPENERS)])
    async def open_case(self, info: Info, input: OpenCaseInput) -> CasePayload:
        principal = require_principal(info)
        opp = decode_node_id(info, input.opportunity_id, OpportunityNode, "opportunityId") \
            if input.opportunity_id else None
        staff = {
            "case_type": input.case_type, "lead_name": input.lead_name, "lead_email": input.lead_email,
            "account_id": decode_node_id(info, input.account_id, AccountNode, "accountId") if input.account_id else None,
            "contact_id": decode_node_id(info, input.contact_id, ContactNode, "contactId") if input.contact_id else None,
        }
        if principal.is_partner_user and staff["case_type"] is None:
            staff["case_type"] = CaseTypeEnum.PARTNER_OPP
        return _payload(*await call_domain(service.open_case(principal, input.subject, input.description, opp,
                                                             input.account_name, **staff)))

    @strawberry.mutation(description=f"D9/D10: an SMB advocate picks up an OPEN case and owns it (at most "
                                     f"{service.MAX_IN_PROGRESS} held).", extensions=[access(CASE_ADVOCATES)])
    async def pick_up_case(self, info: Info, input: PickUpCaseInput) -> CasePayload:
        principal = require_principal(info)
        return _payload(*await call_domain(service.pick_up(principal, _id(info, input.id), input.expected_version,
                                                           input.next_steps, input.next_steps_date)))

    @strawberry.mutation(description="D9: comment on a case (public, or internal for staff).",
                         extensions=[access(CASE_COMMENTERS)])
    async def comment_on_case(self, info: Info, input: CommentOnCaseInput) -> CommentOnCasePayload:
        principal = require_principal(info)
        result, errors = await call_domain(service.comment(principal, _id(info, input.id), input.body, input.internal,
                                                           input.expected_version))
        if result is None:
            return CommentOnCasePayload(case=None, comment=None, errors=errors)
        row, comment = result
        return CommentOnCasePayload(case=CaseNode.from_row(row), comment=CaseComment.from_row(comment), errors=[])

    @strawberry.mutation(description="D10/D12/D13/D14: close a held case.", extensions=[access(CASE_CLOSERS)])
    async def close_case(self, info: Info, input: CloseCaseInput) -> CasePayload:
        principal = require_principal(info)
        duplicate = _id_field(info, input.duplicate_of_id, "duplicateOfId")
        return _payload(*await call_domain(closing.close(
            principal, _id(info, input.id), status=StatusEnum(input.status.value),
            resolution_action=input.resolution_action, feedback=input.feedback, resolution=input.resolution,
            duplicate_of=duplicate, expected_version=input.expected_version,
            fiscal_year_start_month=info.context.settings.fiscal_year_start_month)))

    @strawberry.mutation(description="D10: reopen a closed case (back IN_PROGRESS to its advocate), with a reason.",
                         extensions=[access(CASE_CLOSERS)])
    async def reopen_case(self, info: Info, input: ReopenCaseInput) -> CasePayload:
        principal = require_principal(info)
        return _payload(*await call_domain(closing.reopen(principal, _id(info, input.id), input.reason,
                                                          input.expected_version)))

    @strawberry.mutation(description="D12: an admin adds a resolution action to the dictionary.",
                         extensions=[access(ADMIN)])
    async def add_case_resolution_action(self, info: Info,
                                         input: AddCaseResolutionActionInput) -> AddCaseResolutionActionPayload:
        principal = require_principal(info)
        row, errors = await call_domain(closing.add_resolution_action(principal, input.code, input.label))
        action = CaseResolutionAction(code=row["code"], label=row["label"], active=row["active"]) if row else None
        return AddCaseResolutionActionPayload(resolution_action=action, errors=errors)


def _id_field(info: Info, value, field: str) -> int | None:
    return decode_node_id(info, value, CaseNode, field) if value else None
