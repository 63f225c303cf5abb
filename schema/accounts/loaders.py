"""Per-request loaders for accounts and contacts, and for the opportunities of an account;
every one applies the scope of what it returns."""

from __future__ import annotations

from partners.accounts.scoping import account_scope, contact_scope
from partners.accounts.tables import Account, AccountAddress, AccountOwnershipTransfer, Contact
from partners.infra.prepared import PreparedQuery
from partners.infra.sql import any_of
from partners.opportunities.scoping import opportunity_scope
from partners.opportunities.service import opportunity_select
from partners.opportunities.tables import Opportunity
from partners.people.scoping import scoped
from schema.core.loaders import grouped
from schema.core.rows import scoped_rows_by_ids


async def load_accounts(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(Account, account_scope, context.principal, ids)


async def load_contacts(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(Contact, contact_scope, context.principal, ids)


def _children(table, fk_column, scope, order_by) -> PreparedQuery:
    return PreparedQuery(lambda who, ids: scoped(table.select(), scope(who)).where(
        any_of(fk_column, ids)).order_by(*order_by))


_ACCOUNT_CHILDREN = _children(Account, Account.parent, account_scope, (Account.name, Account.id))
# Addresses are part of the account: visible exactly when accounts are.
_ACCOUNT_ADDRESSES = _children(AccountAddress, AccountAddress.account, account_scope, (AccountAddress.id,))
_ACCOUNT_CONTACTS = _children(Contact, Contact.account, contact_scope, (Contact.name, Contact.id))
_ACCOUNT_TRANSFERS = _children(AccountOwnershipTransfer, AccountOwnershipTransfer.account, account_scope,
                               (AccountOwnershipTransfer.created_at, AccountOwnershipTransfer.id))

# The rows Opportunity nodes are built from (opportunity_select), in both scopes: the
# opportunity's (R9) and the account's.
_ACCOUNT_OPPORTUNITIES = PreparedQuery(lambda who, ids: scoped(
    scoped(opportunity_select(), opportunity_scope(who)), account_scope(who)).where(
    any_of(Opportunity.account, ids)).order_by(Opportunity.id))


async def _grouped(prepared: PreparedQuery, context, keys: list[int], fk_column) -> list[list[dict]]:
    if not keys:
        return []
    return grouped(keys, await prepared.run(context.principal, keys), fk_column._meta.name)


async def load_account_children(context, parent_ids: list[int]) -> list[list[dict]]:
    return await _grouped(_ACCOUNT_CHILDREN, context, parent_ids, Account.parent)


async def load_account_addresses(context, account_ids: list[int]) -> list[list[dict]]:
    return await _grouped(_ACCOUNT_ADDRESSES, context, account_ids, AccountAddress.account)


async def load_account_contacts(context, account_ids: list[int]) -> list[list[dict]]:
    return await _grouped(_ACCOUNT_CONTACTS, context, account_ids, Contact.account)


async def load_account_transfers(context, account_ids: list[int]) -> list[list[dict]]:
    return await _grouped(_ACCOUNT_TRANSFERS, context, account_ids, AccountOwnershipTransfer.account)


async def load_account_opportunities(context, account_ids: list[int]) -> list[list[dict]]:
    return grouped(account_ids, await _ACCOUNT_OPPORTUNITIES.run(context.principal, account_ids), "account")
