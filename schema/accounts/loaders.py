"""Per-request loaders for accounts and contacts; every one applies the entity's scope."""

from __future__ import annotations

from partners.scoping import account_scope, contact_scope, scoped
from partners.tables import Account, AccountAddress, AccountOwnershipTransfer, Contact
from schema.core.loaders import grouped
from schema.core.rows import scoped_rows_by_ids
from schema.core.sql import any_of


async def load_accounts(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(Account, account_scope(context.principal), ids)


async def load_contacts(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(Contact, contact_scope(context.principal), ids)


async def _children(context, table, fk_column, scope, keys: list[int], order_by) -> list[list[dict]]:
    if not keys:
        return []
    rows = await scoped(table.select(), scope).where(any_of(fk_column, keys)).order_by(*order_by)
    return grouped(keys, rows, fk_column._meta.name)


async def load_account_children(context, parent_ids: list[int]) -> list[list[dict]]:
    return await _children(context, Account, Account.parent, account_scope(context.principal), parent_ids,
                           (Account.name, Account.id))


async def load_account_addresses(context, account_ids: list[int]) -> list[list[dict]]:
    # Addresses are part of the account: visible exactly when accounts are.
    scope = account_scope(context.principal)
    return await _children(context, AccountAddress, AccountAddress.account, scope, account_ids, (AccountAddress.id,))


async def load_account_contacts(context, account_ids: list[int]) -> list[list[dict]]:
    return await _children(context, Contact, Contact.account, contact_scope(context.principal), account_ids,
                           (Contact.name, Contact.id))


async def load_account_transfers(context, account_ids: list[int]) -> list[list[dict]]:
    scope = account_scope(context.principal)
    return await _children(context, AccountOwnershipTransfer, AccountOwnershipTransfer.account, scope, account_ids,
                           (AccountOwnershipTransfer.created_at, AccountOwnershipTransfer.id))
