"""Partner records for staff, a partner's own record, and the user directory."""

from __future__ import annotations

import strawberry

from partners.infra.clock import now
from partners.people.enums import Role as DomainRole
from partners.people.principal import STAFF_ROLES
from partners.people.scoping import partner_scope, scoped, user_scope
from partners.people.tables import Partner, User
from partners.program.invitations import InvitationStatus as DomainInvitationStatus
from partners.program.invitations import invitation_scope, invitation_select, status_condition
from partners.program.tables import UserInvitation
from schema.core.access import AUTHENTICATED, STAFF, access, roles
from schema.core.connection import Connection, paginate
from schema.core.context import Info
from schema.core.enums import PartnerStatus, PartnerTrack, PartnerType, Region, Role
from schema.core.filters import all_of, name_contains
from schema.core.node import decode_node_id
from schema.identity.invitation_types import InvitationNode, InvitationStatus
from schema.identity.loaders import load_partners
from schema.identity.types import PartnerNode, UserNode

INVITATION_READERS = roles(*STAFF_ROLES, DomainRole.PARTNER_ADMIN,
                           description="staff: every invitation; partner admins: their partner's")


@strawberry.input(description="All given criteria must match.")
class PartnerFilter:
    status: PartnerStatus | None = None
    track: PartnerTrack | None = None
    type: PartnerType | None = None
    region: Region | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2 code.")
    text: str | None = strawberry.field(default=None, description="Case-insensitive text in the name or nickname.")


@strawberry.input(description="All given criteria must match.")
class UserFilter:
    role: Role | None = None
    region: Region | None = strawberry.field(default=None, description="Covered (channel managers) or home region.")
    partner_id: strawberry.ID | None = None
    text: str | None = strawberry.field(default=None, description="Case-insensitive text in the name or email.")
    active: bool | None = None


@strawberry.input(description="All given criteria must match.")
class InvitationFilter:
    statuses: list[InvitationStatus] = strawberry.field(
        default_factory=lambda: [InvitationStatus.PENDING], description="Default: PENDING only.")
    partner_id: strawberry.ID | None = strawberry.field(default=None, description="Invitations into this partner.")
    text: str | None = strawberry.field(default=None, description="Case-insensitive text in the name or email.")


def _either(*conditions):
    present = [c for c in conditions if c is not None]
    if not present:
        return None
    result = present[0]
    for condition in present[1:]:
        result = result | condition
    return result


def partner_filter_condition(f: PartnerFilter | None):
    if f is None:
        return None
    return all_of([
        Partner.status == f.status.value if f.status else None,
        Partner.track == f.track.value if f.track else None,
        Partner.partner_type == f.type.value if f.type else None,
        Partner.region == f.region.value if f.region else None,
        Partner.country == f.country.strip().upper() if f.country else None,
        _either(name_contains(Partner.name, f.text), name_contains(Partner.nickname, f.text)) if f.text else None,
    ])


def user_filter_condition(info: Info, f: UserFilter | None):
    if f is None:
        return None
    return all_of([
        User.role == f.role.value if f.role else None,
        User.regions.any(f.region.value) if f.region else None,
        User.partner == decode_node_id(info, f.partner_id, PartnerNode, "filter.partnerId") if f.partner_id else None,
        _either(name_contains(User.name, f.text), name_contains(User.email, f.text)) if f.text else None,
        User.active == f.active if f.active is not None else None,
    ])


def invitation_filter_condition(info: Info, f: InvitationFilter):
    at = now()
    statuses = [DomainInvitationStatus(getattr(s, "value", s)) for s in dict.fromkeys(f.statuses)]
    user = UserInvitation.user
    return all_of([
        _either(*[status_condition(s, at) for s in statuses]) if statuses else None,
        user.partner == decode_node_id(info, f.partner_id, PartnerNode, "filter.partnerId") if f.partner_id else None,
        _either(name_contains(user.name, f.text), name_contains(user.email, f.text)) if f.text else None,
    ])


@strawberry.type
class PartnerProgramQuery:
    @strawberry.field(description="Invitations, newest first: staff see every one (filter by partner), partner "
                      "admins those into their own partner.", extensions=[access(INVITATION_READERS)])
    async def invitations(
        self, info: Info, first: int | None = None, after: str | None = None, filter: InvitationFilter | None = None
    ) -> Connection[InvitationNode]:
        condition = all_of([invitation_scope(info.context.principal),
                            invitation_filter_condition(info, filter or InvitationFilter())])
        query = scoped(invitation_select(), condition).order_by(UserInvitation.id, ascending=False)
        return await paginate(info, query, scoped(UserInvitation.count(), condition), first=first, after=after,
                              to_node=InvitationNode.from_row)

    @strawberry.field(description="Partners (staff), by name.", extensions=[access(STAFF)])
    async def partners(
        self, info: Info, first: int | None = None, after: str | None = None, filter: PartnerFilter | None = None
    ) -> Connection[PartnerNode]:
        condition = all_of([partner_scope(info.context.principal), partner_filter_condition(filter)])
        query = scoped(Partner.select(), condition).order_by(Partner.name).order_by(Partner.id)
        return await paginate(info, query, scoped(Partner.count(), condition), first=first, after=after,
                              to_node=PartnerNode.from_row)

    @strawberry.field(description="A partner by id (staff), or without an id your own partner (partner users). "
                      "Null when you may not see it.", extensions=[access(AUTHENTICATED)])
    async def partner(self, info: Info, id: strawberry.ID | None = None) -> PartnerNode | None:
        principal = info.context.principal
        partner_id = decode_node_id(info, id, PartnerNode) if id else principal.partner_id
        if partner_id is None:
            return None
        row = await info.context.loaders(load_partners).load(partner_id)
        return PartnerNode.from_row(row) if row else None

    @strawberry.field(description="The user directory: staff see every user (e.g. to find an account executive); "
                      "partner users the users of their own partner. By name.", extensions=[access(AUTHENTICATED)])
    async def users(
        self, info: Info, first: int | None = None, after: str | None = None, filter: UserFilter | None = None
    ) -> Connection[UserNode]:
        condition = all_of([user_scope(info.context.principal), user_filter_condition(info, filter)])
        query = scoped(User.select(), condition).order_by(User.name).order_by(User.id)
        return await paginate(info, query, scoped(User.count(), condition), first=first, after=after,
                              to_node=UserNode.from_row)
