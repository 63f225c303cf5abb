"""Accounts (A1–A10) and their contacts: the writes, in transactions.

The segment is stored (for filtering) and recomputed for the whole hierarchy in the
same transaction as any change to a member's employee counts or to the tree (A2). The
pure rules they apply are in `partners.accounts.rules`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from partners.accounts.enums import Ranking, ScreeningStatus, Segment
from partners.accounts.events import AccountChannelChanged
from partners.accounts.rules import (
    AddressInput,
    contact_violations,
    descendants,
    field_violations,
    hierarchy_segment,
    ranking_violations,
    require_clear,
    review_request_violations,
    row_effective_employees,
)
from partners.accounts.tables import Account, AccountAddress, Contact
from partners.infra.clock import now
from partners.infra.db import transaction
from partners.infra.errors import DomainError, NotFound, Violation, require_roles
from partners.infra.events import publish
from partners.money.amounts import round_to_minor
from partners.money.currencies import currency_of_country, currency_violation
from partners.money.given import GivenAmount, check_amounts
from partners.people.enums import Role
from partners.people.principal import STAFF_ROLES, Principal
from partners.people.tables import Partner, User

ACCOUNT_MANAGERS = (Role.ADMIN, Role.SALES_OPS)
CONTACT_WRITERS = (Role.ADMIN, Role.SALES_OPS, Role.ACCOUNT_EXECUTIVE, Role.SDR)


# ---------------------------------------------------------------- hierarchy


async def _hierarchy_rows(root_id: int) -> list[dict]:
    return await Account.select(
        Account.id, Account.parent, Account.employees_datafox, Account.employees_zoominfo,
        Account.employees_override, Account.segment,
    ).where(Account.ultimate_parent == root_id)


async def recompute_hierarchy(root_id: int) -> None:
    """A2: store on every member of the hierarchy the maximum segment found in it."""
    rows = await _hierarchy_rows(root_id)
    segment = hierarchy_segment(row_effective_employees(r) for r in rows)
    value = segment.value if segment else None
    stale = [r["id"] for r in rows if r["segment"] != value]
    if stale:
        await Account.update({Account.segment: value}).where(Account.id.is_in(stale))


# ---------------------------------------------------------------- reads used by writes


async def get_account(account_id: int) -> dict:
    row = await Account.select().where(Account.id == account_id).first()
    if row is None:
        raise NotFound.of("Account")
    return row


async def require_staff_user(user_id: int, field: str) -> dict:
    user = await User.select(User.id, User.role, User.active).where(User.id == user_id).first()
    if user is None:
        raise NotFound.of("User", field)
    if Role(user["role"]) not in STAFF_ROLES or not user["active"]:
        raise DomainError.single("OWNER_NOT_STAFF", "Accounts are owned by active vendor staff.", field)
    return user


# ---------------------------------------------------------------- writes


ACCOUNT_FIELDS = (
    "name", "website", "account_type", "region", "country", "owner", "employees_datafox",
    "employees_zoominfo", "ranking", "ranking_note", "carr", "potential_users", "first_order_available", "partner",
    "currency",
)


# A3: counts from the data sources are set when an account is created from them (the
# import), never typed over later: a user-entered count is a review request.
DATA_SOURCE_FIELDS = {"employees_datafox": "employeesDataFox", "employees_zoominfo": "employeesZoomInfo"}


async def _save_addresses(account_id: int, addresses: list[AddressInput]) -> None:
    if not addresses:
        return
    await AccountAddress.delete().where(
        (AccountAddress.account == account_id) & AccountAddress.source.is_in([a.source.value for a in addresses])
    )
    await AccountAddress.insert(*[
        AccountAddress(account=account_id, source=a.source.value, street=a.street, city=a.city, state=a.state,
                       postal_code=a.postal_code, country=a.country.upper())
        for a in addresses
    ])


def _db_values(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.value if hasattr(v, "value") else v) for k, v in fields.items()}


async def _check_ranking(account_id: int) -> None:
    row = await get_account(account_id)
    segment = Segment(row["segment"]) if row["segment"] else None
    ranking = Ranking(row["ranking"]) if row["ranking"] else None
    violations = ranking_violations(segment, ranking, row["potential_users"], row["ranking_note"])
    if violations:
        raise DomainError(violations)


async def create_account(
    principal: Principal, *, fields: dict[str, Any], parent_id: int | None = None,
    addresses: list[AddressInput] | None = None,
) -> dict:
    require_roles(principal, *ACCOUNT_MANAGERS)
    fields = {k: v for k, v in fields.items() if k in ACCOUNT_FIELDS}
    violations = field_violations(principal, fields, addresses)
    _set_currency_and_carr(fields, violations)
    if violations:
        raise DomainError(violations)
    if not str(fields.get("name") or "").strip():
        raise DomainError.single("NAME_REQUIRED", "An account needs a name.", "name")
    async with transaction():
        if fields.get("owner") is not None:
            await require_staff_user(fields["owner"], "ownerId")
        await _require_partner(fields.get("partner"))
        root_id = None
        if parent_id is not None:
            parent = await Account.select(Account.id, Account.ultimate_parent).where(Account.id == parent_id).first()
            if parent is None:
                raise NotFound.of("Parent account", "parentId")
            root_id = parent["ultimate_parent"]
        account = Account(**_db_values(fields), parent=parent_id, created_at=now())
        await account.save()
        root_id = root_id or account.id
        await Account.update({Account.ultimate_parent: root_id}).where(Account.id == account.id)
        await _save_addresses(account.id, addresses or [])
        await recompute_hierarchy(root_id)
        await _check_ranking(account.id)
        return await get_account(account.id)


def _set_currency_and_carr(fields: dict[str, Any], violations: list[Violation]) -> None:
    """A new account's currency: the one given, else its country's legal tender, else
    COSELL_DEFAULT_CURRENCY (issue 40; D5); its cARR is in that currency (A7)."""
    if fields.get("currency") is None:
        fields["currency"] = currency_of_country(fields.get("country") or "US")
    else:
        bad = currency_violation(fields["currency"], "currency")
        if bad is not None:
            violations.append(bad)
            return
    given: GivenAmount | None = fields.pop("carr", None)
    try:
        (carr,) = check_amounts([given], fields["currency"], rule="A7")
    except DomainError as exc:
        violations.extend(exc.violations)
        return
    fields["carr"] = carr if carr is not None else round_to_minor(Decimal(0), fields["currency"])


async def _require_partner(partner_id: int | None) -> None:
    if partner_id is not None and not await Partner.exists().where(Partner.id == partner_id):
        raise NotFound.of("Partner", "partnerId")


async def update_account(
    principal: Principal, rules: Any, account_id: int, *, fields: dict[str, Any],
    addresses: list[AddressInput] | None = None,
) -> dict:
    """A change of type or partner organisation is checked against the account's
    opportunities by the rule plugins (R1)."""
    require_roles(principal, *ACCOUNT_MANAGERS)
    fields = {k: v for k, v in fields.items() if k in ACCOUNT_FIELDS}
    typed = [label for key, label in DATA_SOURCE_FIELDS.items() if key in fields]
    if typed:
        raise DomainError([Violation("DATA_SOURCE_FIELD", f"{label} comes from its data source (A3): a count you "
                                     "found is a review request (requestEmployeeCountReview), applied by an admin.",
                                     (label,), "A3") for label in typed])
    fields.pop("currency", None)  # set when the account is created; its cARR is in it
    violations = field_violations(principal, fields, addresses)
    if violations:
        raise DomainError(violations)
    async with transaction():
        account = await get_account(account_id)
        require_clear(account)
        if "carr" in fields:
            (carr,) = check_amounts([fields.pop("carr")], account["currency"], rule="A7")
            if carr is not None:
                fields["carr"] = carr
        if fields.get("owner") is not None:
            await require_staff_user(fields["owner"], "ownerId")
        await _require_partner(fields.get("partner"))
        if fields:
            await Account.update(_db_values(fields)).where(Account.id == account_id)
        if "account_type" in fields or "partner" in fields:
            await publish(AccountChannelChanged(principal, rules, account_id, "updateAccount"))  # R1
        await _save_addresses(account_id, addresses or [])
        await recompute_hierarchy(account["ultimate_parent"])
        await _check_ranking(account_id)
        return await get_account(account_id)


async def move_account(principal: Principal, account_id: int, parent_id: int | None) -> dict:
    """Re-parent an account (None = make it a global account); no cycles; A2 for both trees."""
    require_roles(principal, *ACCOUNT_MANAGERS)
    async with transaction():
        account = await get_account(account_id)
        require_clear(account)
        old_root = account["ultimate_parent"]
        old_tree = await _hierarchy_rows(old_root)
        subtree = descendants(old_tree, account_id) | {account_id}
        if parent_id is None:
            new_root = account_id
        else:
            parent = await Account.select(Account.id, Account.ultimate_parent).where(Account.id == parent_id).first()
            if parent is None:
                raise NotFound.of("Parent account", "parentId")
            if parent_id in subtree:
                raise DomainError.single(
                    "HIERARCHY_CYCLE", "An account cannot move under itself or one of its descendants.",
                    "parentId", rule="A2",
                )
            new_root = parent["ultimate_parent"]
        await Account.update({Account.parent: parent_id}).where(Account.id == account_id)
        await Account.update({Account.ultimate_parent: new_root}).where(Account.id.is_in(sorted(subtree)))
        if old_root not in subtree:
            await recompute_hierarchy(old_root)
        await recompute_hierarchy(new_root)
        await _check_ranking(account_id)
        return await get_account(account_id)


async def set_screening_status(principal: Principal, account_id: int, status: ScreeningStatus) -> dict:
    """A6: the screening result itself may always be recorded (that is how an account clears)."""
    require_roles(principal, *ACCOUNT_MANAGERS)
    async with transaction():
        await get_account(account_id)
        await Account.update({Account.screening_status: status.value}).where(Account.id == account_id)
        return await get_account(account_id)


async def request_employee_count_review(principal: Principal, account_id: int, count: int, source_url: str) -> dict:
    """A3: a user-entered count with its source is only a review request."""
    require_roles(principal, *STAFF_ROLES)
    violations = review_request_violations(count, source_url)
    if violations:
        raise DomainError(violations)
    async with transaction():
        await get_account(account_id)
        await Account.update(
            {Account.employees_review_count: count, Account.employees_review_url: source_url.strip()}
        ).where(Account.id == account_id)
        return await get_account(account_id)


async def apply_employee_count_override(principal: Principal, account_id: int, count: int | None = None) -> dict:
    """A3: only an admin applies a review request (or sets an explicit override; null count
    with no pending request clears the override). A2 then recomputes the hierarchy."""
    if not principal.is_admin:
        raise DomainError.single("ADMIN_ONLY", "Only an admin overrides the employee count.", "id", rule="A3")
    async with transaction():
        account = await get_account(account_id)
        require_clear(account)
        value = count if count is not None else account["employees_review_count"]
        if value is not None and value < 0:
            raise DomainError.single("NEGATIVE_COUNT", "Counts cannot be negative.", "count", rule="A3")
        await Account.update({
            Account.employees_override: value, Account.employees_review_count: None,
            Account.employees_review_url: "",
        }).where(Account.id == account_id)
        await recompute_hierarchy(account["ultimate_parent"])
        return await get_account(account_id)


# ---------------------------------------------------------------- contacts


async def create_contact(principal: Principal, account_id: int, fields: dict[str, Any]) -> dict:
    require_roles(principal, *CONTACT_WRITERS)
    violations = contact_violations({"name": fields.get("name", ""), **fields})
    if violations:
        raise DomainError(violations)
    async with transaction():
        account = await Account.select(Account.id, Account.account_type).where(Account.id == account_id).first()
        if account is None:
            raise NotFound.of("Account", "accountId")
        contact = Contact(account=account_id, created_at=now(), **fields)
        await contact.save()
        return await Contact.select().where(Contact.id == contact.id).first()


async def update_contact(principal: Principal, contact_id: int, fields: dict[str, Any]) -> dict:
    require_roles(principal, *CONTACT_WRITERS)
    violations = contact_violations(fields)
    if violations:
        raise DomainError(violations)
    async with transaction():
        if not await Contact.exists().where(Contact.id == contact_id):
            raise NotFound.of("Contact")
        if fields:
            await Contact.update(fields).where(Contact.id == contact_id)
        return await Contact.select().where(Contact.id == contact_id).first()
