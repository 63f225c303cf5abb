from __future__ import annotations

from partners.scoping import api_token_scope, partner_scope, user_scope
from partners.tables import ApiToken, Partner, User
from schema.core.rows import scoped_rows_by_ids


async def load_partners(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(Partner, partner_scope(context.principal), ids)


async def load_users(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(User, user_scope(context.principal), ids)


async def load_api_tokens(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(ApiToken, api_token_scope(context.principal), ids)
