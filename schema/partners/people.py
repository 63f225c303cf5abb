"""A partner's people (partner admins, invitations) and the staff directory's users:
invite, re-send or renew an invitation, claim, deactivate, reactivate, change roles.
Who may act on whom is checked in partners.program.members."""

from __future__ import annotations

import strawberry

from partners.people.enums import Role as DomainRole
from partners.program import members
from schema.core.access import ADMIN, PUBLIC, access, roles
from schema.core.context import Info
from schema.core.domain import call_domain
from schema.core.enums import Region, Role
from schema.core.errors import UserError
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.identity.types import PartnerNode, UserNode

PEOPLE_MANAGERS = roles(DomainRole.ADMIN, DomainRole.PARTNER_ADMIN,
                        description="admins, and partner admins for their own partner")


@strawberry.input
class InviteUserInput:
    email: str
    name: str
    role: Role
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Partner-side roles: their partner (partner admins: always their own).")
    regions: list[Region] = strawberry.field(default_factory=list,
                                             description="Channel managers: the regions covered (D1).")


@strawberry.input
class ClaimInvitationInput:
    token: str = strawberry.field(description="The one-time token from the invitation email.")


@strawberry.input
class DeactivateUserInput:
    id: strawberry.ID


@strawberry.input
class ReactivateUserInput:
    id: strawberry.ID = strawberry.field(description="A deactivated User's global id.")


@strawberry.input
class ResendInvitationInput:
    id: strawberry.ID = strawberry.field(description="The invited User's global id (Invitation.user).")


@strawberry.input(description="Users have one role; a partner-side role needs the partner, a channel manager regions.")
class ChangeUserRolesInput:
    id: strawberry.ID
    role: Role
    partner_id: strawberry.ID | None = None
    regions: list[Region] | None = strawberry.field(default=None, description="Unchanged when omitted.")


@strawberry.type
class UserPayload:
    user: UserNode | None
    errors: list[UserError]


@strawberry.type
class ClaimInvitationPayload:
    user: UserNode | None
    token: str | None = strawberry.field(description="Your first API token. Shown only in this response: store it.")
    errors: list[UserError]


def _user_payload(row: dict | None, errors: list[UserError]) -> UserPayload:
    return UserPayload(user=UserNode.from_row(row) if row else None, errors=errors)


def _regions(values) -> list:
    return [Region(r) for r in values] if values is not None else None


def _partner_id(info: Info, value) -> int | None:
    return decode_node_id(info, value, PartnerNode, "partnerId") if value else None


@strawberry.type
class PartnerPeopleMutation:
    @strawberry.mutation(description="Invite a user: an inactive account and an email with a one-time claim "
                         "token. Admins: any role; partner admins: colleagues of their own partner. An address whose "
                         "user never claimed an invitation (pending, expired or withdrawn) is invited again: a new "
                         "token, the old one dead.", extensions=[access(PEOPLE_MANAGERS)])
    async def invite_user(self, info: Info, input: InviteUserInput) -> UserPayload:
        return _user_payload(*await call_domain(members.invite_user(
            require_principal(info), email=input.email, name=input.name, role=DomainRole(input.role.value),
            partner_id=_partner_id(info, input.partner_id), regions=_regions(input.regions))))

    @strawberry.mutation(description="Re-send an invitation, or renew an expired or withdrawn one: a new token and "
                         "expiry by email (the older token no longer claims). Admins: anyone; partner admins: their "
                         "partner's people. At most 5 invitations a day to one person.",
                         extensions=[access(PEOPLE_MANAGERS)])
    async def resend_invitation(self, info: Info, input: ResendInvitationInput) -> UserPayload:
        return _user_payload(*await call_domain(members.resend_invitation(
            require_principal(info), decode_node_id(info, input.id, UserNode))))

    @strawberry.mutation(description="Claim an invitation (no sign-in needed): the account becomes active and the "
                         "answer holds its first API token. A token claims once.", extensions=[access(PUBLIC)])
    async def claim_invitation(self, info: Info, input: ClaimInvitationInput) -> ClaimInvitationPayload:
        result, errors = await call_domain(members.claim_invitation(input.token))
        if result is None:
            return ClaimInvitationPayload(user=None, token=None, errors=errors)
        row, token = result
        return ClaimInvitationPayload(user=UserNode.from_row(row), token=token, errors=[])

    @strawberry.mutation(description="Deactivate a user: their tokens are revoked and stop at once here and within "
                         "COSELL_AUTH_CACHE_SECONDS elsewhere. Admins: anyone; partner admins: their colleagues.",
                         extensions=[access(PEOPLE_MANAGERS)])
    async def deactivate_user(self, info: Info, input: DeactivateUserInput) -> UserPayload:
        return _user_payload(*await call_domain(members.deactivate_user(
            require_principal(info), decode_node_id(info, input.id, UserNode))))

    @strawberry.mutation(description="Reactivate a deactivated user. Their old API tokens stay revoked: they are "
                         "emailed a one-time token to claim a new one (claimInvitation). Admins: anyone; partner "
                         "admins: their colleagues.", extensions=[access(PEOPLE_MANAGERS)])
    async def reactivate_user(self, info: Info, input: ReactivateUserInput) -> UserPayload:
        return _user_payload(*await call_domain(members.reactivate_user(
            require_principal(info), decode_node_id(info, input.id, UserNode))))

    @strawberry.mutation(description="Admins: change a user's role (one per user), partner and regions.",
                         extensions=[access(ADMIN)])
    async def change_user_roles(self, info: Info, input: ChangeUserRolesInput) -> UserPayload:
        return _user_payload(*await call_domain(members.change_role(
            require_principal(info), decode_node_id(info, input.id, UserNode), DomainRole(input.role.value),
            partner_id=_partner_id(info, input.partner_id), regions=_regions(input.regions))))
