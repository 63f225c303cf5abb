"""Partner Opp case writes (D9). Roles and rules are checked in partners.cases.service."""

from __future__ import annotations

import strawberry

from partners.cases import service
from partners.people.enums import Role
from partners.people.principal import STAFF_ROLES
from schema.cases.types import CaseComment, CaseNode
from schema.core.access import access, roles
from schema.core.context import Info
from schema.core.domain import call_domain, expected_version_field
from schema.core.errors import UserError
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.opportunities.types import OpportunityNode

PARTNER_SIDE = tuple(sorted(frozenset(Role) - STAFF_ROLES, key=lambda r: r.value))
CASE_OPENERS = roles(*PARTNER_SIDE, description="partner users")
CASE_ADVOCATES = roles(*service.ADVOCATES, description="SMB advocates")
CASE_CLOSERS = roles(*service.CLOSERS, description="the SMB advocate holding the case, admins")
CASE_COMMENTERS = roles(*PARTNER_SIDE, *service.STAFF_COMMENTERS,
                        description="the case's partner users (public only), SMB advocates, admins")


@strawberry.input(description='D9: the subject gets the "Partner Opp" prefix; name the opportunity or the account.')
class OpenCaseInput:
    subject: str
    description: str
    opportunity_id: strawberry.ID | None = None
    account_name: str = ""


@strawberry.input
class PickUpCaseInput:
    id: strawberry.ID
    expected_version: int | None = expected_version_field()


@strawberry.input(description="D9: internal comments are for staff only.")
class CommentOnCaseInput:
    id: strawberry.ID
    body: str
    internal: bool = False
    expected_version: int | None = expected_version_field()


@strawberry.input(description="D9: a resolution is required.")
class CloseCaseInput:
    id: strawberry.ID
    resolution: str
    expected_version: int | None = expected_version_field()


@strawberry.type
class CasePayload:
    case: CaseNode | None
    errors: list[UserError]


@strawberry.type
class CommentOnCasePayload:
    case: CaseNode | None
    comment: CaseComment | None
    errors: list[UserError]


def _payload(row: dict | None, errors: list[UserError]) -> CasePayload:
    return CasePayload(case=CaseNode.from_row(row) if row else None, errors=errors)


def _id(info: Info, value) -> int:
    return decode_node_id(info, value, CaseNode)


@strawberry.type
class CaseMutation:
    @strawberry.mutation(description="D9: a partner user opens a Partner Opp case into the SMB queue.",
                         extensions=[access(CASE_OPENERS)])
    async def open_case(self, info: Info, input: OpenCaseInput) -> CasePayload:
        principal = require_principal(info)
        opp = decode_node_id(info, input.opportunity_id, OpportunityNode, "opportunityId") \
            if input.opportunity_id else None
        return _payload(*await call_domain(service.open_case(principal, input.subject, input.description, opp,
                                                             input.account_name)))

    @strawberry.mutation(description=f"D9: an SMB advocate picks up an OPEN case (at most {service.MAX_IN_PROGRESS} "
                                     "in progress).",
                         extensions=[access(CASE_ADVOCATES)])
    async def pick_up_case(self, info: Info, input: PickUpCaseInput) -> CasePayload:
        principal = require_principal(info)
        return _payload(*await call_domain(service.pick_up(principal, _id(info, input.id), input.expected_version)))

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

    @strawberry.mutation(description="D9: close a case in progress with a resolution.",
                         extensions=[access(CASE_CLOSERS)])
    async def close_case(self, info: Info, input: CloseCaseInput) -> CasePayload:
        principal = require_principal(info)
        return _payload(*await call_domain(service.close(principal, _id(info, input.id), input.resolution,
                                                         input.expected_version)))
