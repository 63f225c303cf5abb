"""A lead's end-customer account and deal size (issue 34), checked the same way on create and
edit. The account link is staff data: staff name an account they may read (else NOT_FOUND);
partner users never read the link, only the account's name (schema/leads/types.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from partners.accounts.scoping import account_scope
from partners.accounts.tables import Account
from partners.infra.errors import DomainError, NotFound
from partners.leads.tables import Lead
from partners.money import Money, currency_of_country
from partners.money.amounts import amount_violations
from partners.people.principal import Principal
from partners.people.scoping import scoped


class Keep:
    """An edit that leaves a field as it is (distinct from None, which clears it)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = Keep()


@dataclass(frozen=True)
class DealSize:
    """As given: the currency may be omitted (then the account's, else the lead's country's)."""

    amount: Decimal
    currency: str | None = None


async def _account(principal: Principal | None, account_id: int) -> dict:
    query = Account.select(Account.id, Account.currency).where(Account.id == account_id)
    row = await (query if principal is None else scoped(query, account_scope(principal))).first()
    if row is None:
        raise NotFound.of("Account", "accountId")
    return row


async def account_values(principal: Principal | None, account_id: int | None | Keep, deal_size: DealSize | None | Keep,
                         country: str, current: dict | None = None) -> dict[Any, Any]:
    """The columns the account link and the deal size set (KEEP: unchanged)."""
    values: dict[Any, Any] = {}
    account = None
    if account_id is not KEEP:
        values[Lead.account] = account_id
        if account_id is not None:
            account = await _account(principal, account_id)
    if deal_size is KEEP or deal_size is None:
        if deal_size is None:
            values.update({Lead.deal_size: None, Lead.deal_size_currency: None})
        return values
    if account is None and current is not None and current["account"] is not None and account_id is KEEP:
        account = await Account.select(Account.id, Account.currency).where(Account.id == current["account"]).first()
    currency = (deal_size.currency or "").strip() or (
        account["currency"] if account else currency_of_country(country))
    violations = amount_violations(deal_size.amount, currency, ("dealSize", "amount"), rule="P11")
    if violations:
        raise DomainError(violations)
    money = Money.of(deal_size.amount, currency)
    values.update({Lead.deal_size: money.amount, Lead.deal_size_currency: money.currency})
    return values
