"""API token mutations: a user creates and revokes their own tokens (admins: anyone's)."""

from __future__ import annotations

import strawberry

from partners.infra.errors import DomainError
from partners.people import identity
from schema.core.access import AUTHENTICATED, access
from schema.core.context import Info
from schema.core.errors import InvalidArgument, UserError
from schema.core.node import decode_node_id
from schema.identity.types import ApiTokenNode


@strawberry.input
class CreateApiTokenInput:
    name: str = strawberry.field(description="What the token is for, e.g. the integration using it.")


@strawberry.type
class CreateApiTokenPayload:
    api_token: ApiTokenNode | None
    token: str | None = strawberry.field(
        description="The secret bearer token. Shown only in this response: store it now."
    )
    errors: list[UserError]


@strawberry.input
class RevokeApiTokenInput:
    id: strawberry.ID = strawberry.field(description="The ApiToken's global id.")


@strawberry.type
class RevokeApiTokenPayload:
    api_token: ApiTokenNode | None
    errors: list[UserError]


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(description="Create an API token for yourself.", extensions=[access(AUTHENTICATED)])
    async def create_api_token(self, info: Info, input: CreateApiTokenInput) -> CreateApiTokenPayload:
        try:
            row, plaintext = await identity.create_token_for(info.context.principal, input.name)
        except DomainError as exc:
            return CreateApiTokenPayload(api_token=None, token=None, errors=UserError.from_domain_error(exc))
        return CreateApiTokenPayload(api_token=ApiTokenNode.from_row(row.to_dict()), token=plaintext, errors=[])

    @strawberry.mutation(
        description="Revoke one of your API tokens (administrators: anyone's). Revoking twice is harmless.",
        extensions=[access(AUTHENTICATED)],
    )
    async def revoke_api_token(self, info: Info, input: RevokeApiTokenInput) -> RevokeApiTokenPayload:
        try:
            token_id = decode_node_id(info, input.id, ApiTokenNode, field="id")
        except InvalidArgument as exc:
            error = UserError(code="INVALID_ID", message=exc.message, field=["id"], rule=None)
            return RevokeApiTokenPayload(api_token=None, errors=[error])
        try:
            row = await identity.revoke_token_by_id(info.context.principal, token_id)
        except DomainError as exc:
            return RevokeApiTokenPayload(api_token=None, errors=UserError.from_domain_error(exc))
        return RevokeApiTokenPayload(api_token=ApiTokenNode.from_row(row.to_dict()), errors=[])
