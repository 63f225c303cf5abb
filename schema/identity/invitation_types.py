"""Invitations as GraphQL nodes (issue 34): staff read every one, a partner admin those of
their partner's people (partners.program.invitations.invitation_scope)."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

import strawberry
from strawberry import relay

from partners.infra.clock import now
from partners.people.scoping import scoped
from partners.program.invitations import InvitationStatus as DomainStatus, invitation_scope, invitation_select, status_of
from partners.program.tables import UserInvitation
from schema.core.access import node_access
from schema.core.context import Info
from schema.core.enums import Role, member
from schema.core.loaders import aligned
from schema.core.rows import int_ids
from schema.identity.loaders import load_partners, load_users
from schema.identity.types import PartnerNode, UserNode

InvitationStatus = strawberry.enum(DomainStatus, description="PENDING until claimed or expired; WITHDRAWN when its "
                                   "user was deactivated first; SUPERSEDED by a newer invitation to the same person.")


async def load_invitations(context, ids: list[int]) -> list[dict | None]:
    rows = await scoped(invitation_select(), invitation_scope(context.principal)).where(
        UserInvitation.id.is_in(sorted(set(ids)))) if ids else []
    return aligned(ids, rows)


@strawberry.type(name="Invitation", description="An invitation emailed to a person (a one-time claim token; only "
                 "its hash is kept).")
class InvitationNode(relay.Node):
    id: relay.NodeID[int]
    email: str
    name: str
    role: Role
    status: InvitationStatus
    sent_at: datetime
    expires_at: datetime
    claimed_at: datetime | None
    withdrawn_at: datetime | None
    superseded_at: datetime | None
    user_id: strawberry.Private[int]
    partner_id: strawberry.Private[int | None]
    invited_by_id: strawberry.Private[int | None]

    @strawberry.field(description="The invited person (inactive until they claim).")
    async def user(self, info: Info) -> UserNode | None:
        row = await info.context.loaders(load_users).load(self.user_id)
        return UserNode.from_row(row) if row else None

    @strawberry.field(description="The partner they are invited into (partner-side roles).")
    async def partner(self, info: Info) -> PartnerNode | None:
        if self.partner_id is None:
            return None
        row = await info.context.loaders(load_partners).load(self.partner_id)
        return PartnerNode.from_row(row) if row else None

    @strawberry.field(description="Who sent it, when you may see them.")
    async def invited_by(self, info: Info) -> UserNode | None:
        if self.invited_by_id is None:
            return None
        row = await info.context.loaders(load_users).load(self.invited_by_id)
        return UserNode.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict) -> "InvitationNode":
        return cls(id=row["id"], email=row["email"], name=row["name"], role=member(Role, row["role"]),
                   status=status_of(row, now()), sent_at=row["created_at"], expires_at=row["expires_at"],
                   claimed_at=row["claimed_at"], withdrawn_at=row["withdrawn_at"],
                   superseded_at=row["superseded_at"], user_id=row["user"], partner_id=row["partner"],
                   invited_by_id=row["invited_by"])

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_invitations).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(InvitationNode, UserInvitation, invitation_scope, "staff: every invitation; partner admins: their "
            "partner's people's")
