"""Users and partners as GraphQL types, and a partner's P1 history."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

import strawberry
from strawberry import relay

from partners.people.scoping import api_token_scope, partner_scope, scoped, user_scope
from partners.people.tables import ApiToken, Partner, User
from partners.program.eligibility import eligibility_violations
from schema.core.access import node_access
from schema.core.connection import Connection, Keyset, connection_from_rows, page_size, paginate
from schema.core.context import Info
from schema.core.enums import PartnerChangeKind, PartnerStatus, PartnerTrack, PartnerType, Region, Role, member
from schema.core.errors import UserError
from schema.core.rows import int_ids
from schema.identity.loaders import (
    load_api_token_counts,
    load_api_tokens,
    load_first_api_tokens,
    load_partners,
    load_users,
)
from schema.identity.program_loaders import (
    load_agreements,
    load_countries_served,
    load_eligibility_inputs,
    load_invitation_expiry,
    load_invitation_pending,
    load_languages,
    load_partner_changes,
    load_regions_served,
    load_specializations,
    load_trainings,
)
from schema.identity.program_types import PartnerAgreement, PartnerEligibility, TrainingCompletion


@strawberry.type(name="Partner", description="A partner organisation (reseller, distributor, SI, MSP, alliance …).")
class PartnerNode(relay.Node):
    id: relay.NodeID[int]
    name: str
    nickname: str = strawberry.field(description="Prefix of the opportunity names of this reseller (R2).")
    partner_type: PartnerType = strawberry.field(name="type")
    track: PartnerTrack = strawberry.field(description="P1: OPEN, SELECT or SELECT_SERVICES.")
    is_psp: bool = strawberry.field(description="Professional services partner designation (P1).")
    status: PartnerStatus
    region: Region = strawberry.field(description="Region of the partner's headquarters.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code of the headquarters.")
    city: str
    website: str
    published: bool = strawberry.field(description="Listed in the partner locator (when AUTHORIZED, P1).")
    latitude: float | None = strawberry.field(description="Where the locator places it (D7 `near`).")
    longitude: float | None

    @strawberry.field(description="D7 directory profile: specialization codes, e.g. kubernetes.")
    async def specializations(self, info: Info) -> list[str]:
        return await info.context.loaders(load_specializations).load(self.id)

    @strawberry.field(description="D7 directory profile: ISO 639-1 codes of the languages it works in.")
    async def languages(self, info: Info) -> list[str]:
        return await info.context.loaders(load_languages).load(self.id)

    @strawberry.field(description="D7 directory profile: the regions it serves (its home region among them).")
    async def regions_served(self, info: Info) -> list[Region]:
        return [member(Region, r) for r in await info.context.loaders(load_regions_served).load(self.id)]

    @strawberry.field(description="D7 directory profile: ISO 3166-1 alpha-2 codes of the countries it serves "
                      "(its own among them).")
    async def countries_served(self, info: Info) -> list[str]:
        return await info.context.loaders(load_countries_served).load(self.id)

    @strawberry.field(description="P1/P2: may it register deals now, and the reasons it may not.")
    async def eligibility(self, info: Info) -> PartnerEligibility:
        inputs = await info.context.loaders(load_eligibility_inputs).load(self.id)
        violations = eligibility_violations({"status": self.status.value, **inputs}, field="partnerId")
        signed = inputs["agreement_signed_at"]
        return PartnerEligibility(eligible_to_register=not violations,
                                  reasons=[UserError.from_violation(v) for v in violations],
                                  agreement_signed_on=signed, trained_people=inputs["trained_employees"])

    @strawberry.field(description="P2: signed agreements, latest first.")
    async def agreements(self, info: Info) -> list[PartnerAgreement]:
        return [PartnerAgreement.from_row(r) for r in await info.context.loaders(load_agreements).load(self.id)]

    @strawberry.field(description="P2: training completions of its people, latest first.")
    async def trainings(self, info: Info) -> list[TrainingCompletion]:
        return [TrainingCompletion.from_row(r) for r in await info.context.loaders(load_trainings).load(self.id)]

    @strawberry.field(description="P1: status, track and PSP changes, latest first.")
    async def history(self, info: Info) -> list[PartnerChange]:
        return [PartnerChange.from_row(r) for r in await info.context.loaders(load_partner_changes).load(self.id)]

    @classmethod
    def from_row(cls, row: dict) -> "PartnerNode":
        return cls(
            id=row["id"],
            name=row["name"],
            nickname=row["nickname"],
            partner_type=member(PartnerType, row["partner_type"]),
            track=member(PartnerTrack, row["track"]),
            is_psp=row["is_psp"],
            status=member(PartnerStatus, row["status"]),
            region=member(Region, row["region"]),
            country=row["country"],
            city=row["city"],
            website=row["website"],
            published=row["published"],
            latitude=row["latitude"],
            longitude=row["longitude"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_partners).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


# Here rather than with the other program records (schema/identity/program_types.py) because it names
# a User: that module stays below this one.
@strawberry.type(description="P1 history: a status, track or PSP change, with why.")
class PartnerChange:
    kind: PartnerChangeKind
    from_value: str = strawberry.field(description="Empty for the first status.")
    to_value: str
    reason: str
    changed_at: datetime
    changed_by_id: strawberry.Private[int | None]

    @strawberry.field(description="Who made the change, when you may see them (null for an applicant).")
    async def changed_by(self, info: Info) -> UserNode | None:
        if self.changed_by_id is None:
            return None
        row = await info.context.loaders(load_users).load(self.changed_by_id)
        return UserNode.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict) -> "PartnerChange":
        return cls(kind=PartnerChangeKind(row["kind"]), from_value=row["from_value"], to_value=row["to_value"],
                   reason=row["reason"], changed_at=row["changed_at"], changed_by_id=row["changed_by"])


@strawberry.type(name="User", description="A person who signs in: vendor staff or a partner user.")
class UserNode(relay.Node):
    id: relay.NodeID[int]
    email: str
    name: str
    role: Role
    regions: list[Region] = strawberry.field(description="Regions a channel manager covers; home region otherwise.")
    created_at: datetime
    active: bool = strawberry.field(description="False once deactivated, and until an invitation is claimed.")
    partner_id: strawberry.Private[int | None]

    @strawberry.field(description="Invited and not yet claimed (the invitation is still valid).")
    async def invitation_pending(self, info: Info) -> bool:
        if self.active:
            return False
        return await info.context.loaders(load_invitation_pending).load(self.id)

    @strawberry.field(description="When the invitation not yet claimed ends (in the past: expired; renew it with "
                      "resendInvitation); null once claimed, withdrawn, or for users never invited.")
    async def invitation_expires_at(self, info: Info) -> datetime | None:
        if self.active:
            return None
        return await info.context.loaders(load_invitation_expiry).load(self.id)

    @strawberry.field(description="The partner a partner user belongs to.")
    async def partner(self, info: Info) -> PartnerNode | None:
        if self.partner_id is None:
            return None
        row = await info.context.loaders(load_partners).load(self.partner_id)
        return PartnerNode.from_row(row) if row else None

    @strawberry.field(description="The user's API tokens (their own, or any for administrators); never the secret.")
    async def api_tokens(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["ApiTokenNode"]:
        query = scoped(ApiToken.select(), api_token_scope(info.context.principal)).where(
            ApiToken.user == self.id).order_by(ApiToken.id)

        async def count() -> int:
            return await info.context.loaders(load_api_token_counts).load(self.id)

        if after is None:
            # The first page of every user of a `users` page loads in one batch (same order,
            # same keyset cursors as the query below): no N+1 in the directory (#18).
            limit = page_size(info, first)
            rows = await info.context.loaders(load_first_api_tokens).load((self.id, limit + 1)) if limit else []
            return connection_from_rows(rows, limit=limit, cursor_of=Keyset(query).cursor,
                                        to_node=ApiTokenNode.from_row, count_fn=count, has_previous=False)
        page = await paginate(info, query, ApiToken.count(), first=first, after=after, to_node=ApiTokenNode.from_row)
        page.count_fn = count
        return page

    @classmethod
    def from_row(cls, row: dict) -> "UserNode":
        return cls(
            id=row["id"],
            email=row["email"],
            name=row["name"],
            role=member(Role, row["role"]),
            regions=[Region(r) for r in row["regions"] or []],
            created_at=row["created_at"],
            active=row["active"],
            partner_id=row["partner"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_users).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(name="ApiToken", description="A bearer token. The secret is shown once, at creation; only its prefix is kept readable.")
class ApiTokenNode(relay.Node):
    id: relay.NodeID[int]
    name: str
    prefix: str = strawberry.field(description="The first characters of the token, to recognise it.")
    created_at: datetime
    revoked_at: datetime | None
    user_id: strawberry.Private[int]

    @strawberry.field(description="True until the token is revoked.")
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def from_row(cls, row: dict) -> "ApiTokenNode":
        return cls(
            id=row["id"], name=row["name"], prefix=row["prefix"], created_at=row["created_at"],
            revoked_at=row["revoked_at"], user_id=row["user"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_api_tokens).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(PartnerNode, Partner, partner_scope, "staff: every partner; partner users: their own partner")
node_access(UserNode, User, user_scope, "staff: every user; partner users: the users of their own partner")
node_access(ApiTokenNode, ApiToken, api_token_scope, "administrators: every token; others: their own tokens")
