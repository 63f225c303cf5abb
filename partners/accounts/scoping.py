"""Who sees which accounts and contacts."""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.accounts.tables import Account, Contact
from partners.people.principal import Principal
from partners.people.scoping import NOTHING


def account_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every account; partner users read none (they see only an opportunity's
    `accountName`)."""
    if principal is None or principal.is_partner_user:
        return NOTHING
    return None


def contact_scope(principal: Principal | None, contact_column=None) -> Where | WhereRaw | None:
    """Staff read every contact; a partner user reads the contacts of their own partner
    organisation's accounts (their colleagues, who may be on opportunities as influencers, R4).
    `contact_column` applies the scope to rows referencing a contact (default: Contact.id)."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        own_accounts = Account.select(Account.id).where(Account.partner == principal.partner_id)
        column = Contact.id if contact_column is None else contact_column
        return column.is_in(Contact.select(Contact.id).where(Contact.account.is_in(own_accounts)))
    return None
