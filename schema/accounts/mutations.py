"""Account and contact writes. Roles and rules are checked in partners.accounts.service."""

from __future__ import annotations

from typing import Any

import strawberry

from partners.accounts import service as accounts
from partners.accounts.rules import AddressInput
from partners.opportunities import holdover
from schema.accounts.access import ACCOUNT_MANAGERS, CONTACT_WRITERS
from schema.accounts.types import AccountNode, AccountOwnershipTransfer, ContactNode
from schema.core.access import STAFF, access
from schema.core.context import Info
from schema.core.domain import call_domain
from schema.core.enums import AccountType, AddressSource, Ranking, Region, ScreeningStatus
from schema.core.errors import UserError
from schema.core.money import MoneyInput, deprecated_amount, given_amount
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.identity.types import PartnerNode, UserNode

UNSET: Any = strawberry.UNSET
CARR_HELP = ("cARR in the account's currency (omitted currency: that one; another: CURRENCY_MISMATCH); not "
             "together with the deprecated carr (AMBIGUOUS_AMOUNT). Zero when never given.")


@strawberry.input(description="An address candidate; it replaces the account's address from the same source (A4).")
class AccountAddressInput:
    source: AddressSource
    street: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""

    def to_domain(self) -> AddressInput:
        return AddressInput(source=self.source, street=self.street, city=self.city, state=self.state,
                            postal_code=self.postal_code, country=self.country)


@strawberry.input
class CreateAccountInput:
    name: str
    website: str = ""
    type: AccountType = AccountType.PROSPECT
    region: Region = Region.AMER
    country: str = "US"
    parent_id: strawberry.ID | None = None
    owner_id: strawberry.ID | None = None
    employees_data_fox: int | None = None
    employees_zoom_info: int | None = None
    ranking: Ranking | None = None
    ranking_note: str = ""
    currency: str | None = strawberry.field(default=None, description="ISO 4217 code of its cARR and the default "
                                            "of its opportunities'; by default the country's currency, else "
                                            "COSELL_DEFAULT_CURRENCY (issue 40). Set once: updates keep it.")
    carr: float | None = strawberry.field(default=None, deprecation_reason=deprecated_amount("carrMoney"))
    carr_money: MoneyInput | None = strawberry.field(default=None, description=CARR_HELP)
    potential_users: int | None = None
    first_order_available: bool = False
    addresses: list[AccountAddressInput] | None = None
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Set when this account is a partner organisation (A5): no opportunity may "
        "belong to it (R1); its contacts are the partner's people (R4).")


@strawberry.input(description="Only the given fields change. Only CLEAR accounts can be updated (A6).")
class UpdateAccountInput:
    id: strawberry.ID
    name: str | None = UNSET
    website: str | None = UNSET
    type: AccountType | None = UNSET
    region: Region | None = UNSET
    country: str | None = UNSET
    owner_id: strawberry.ID | None = UNSET
    employees_data_fox: int | None = strawberry.field(
        default=UNSET, deprecation_reason="A3: set by the data-source import only; refused (DATA_SOURCE_FIELD). "
        "Use requestEmployeeCountReview.")
    employees_zoom_info: int | None = strawberry.field(
        default=UNSET, deprecation_reason="A3: set by the data-source import only; refused (DATA_SOURCE_FIELD). "
        "Use requestEmployeeCountReview.")
    ranking: Ranking | None = UNSET
    ranking_note: str | None = UNSET
    carr: float | None = strawberry.field(default=UNSET, deprecation_reason=deprecated_amount("carrMoney"))
    carr_money: MoneyInput | None = strawberry.field(default=UNSET, description=CARR_HELP)
    potential_users: int | None = UNSET
    first_order_available: bool | None = UNSET
    addresses: list[AccountAddressInput] | None = UNSET
    partner_id: strawberry.ID | None = strawberry.field(default=UNSET, description="See CreateAccountInput.")


# GraphQL input attribute -> Account column; the nullable ones may be cleared with null.
_COLUMNS = {
    "name": "name", "website": "website", "type": "account_type", "region": "region", "country": "country",
    "owner_id": "owner", "employees_data_fox": "employees_datafox", "employees_zoom_info": "employees_zoominfo",
    "ranking": "ranking", "ranking_note": "ranking_note", "potential_users": "potential_users", "currency": "currency",
    "first_order_available": "first_order_available", "partner_id": "partner",
}
_NULLABLE = {"owner_id", "partner_id", "employees_data_fox", "employees_zoom_info", "ranking", "potential_users"}


def _fields(info: Info, data) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attr, column in _COLUMNS.items():
        value = getattr(data, attr, UNSET)
        if value is UNSET or (value is None and attr not in _NULLABLE):
            continue
        if attr == "owner_id" and value is not None:
            value = decode_node_id(info, value, UserNode, "ownerId")
        if attr == "partner_id" and value is not None:
            value = decode_node_id(info, value, PartnerNode, "partnerId")
        if attr == "country" and value:
            value = value.upper()
        out[column] = value
    carr = given_amount(getattr(data, "carr", UNSET), getattr(data, "carr_money", UNSET), "carr", "carrMoney")
    if carr is not None and (carr.amount is not None or carr.other is not None):  # null leaves it as it is
        out["carr"] = carr
    return out


def _addresses(data) -> list[AddressInput] | None:
    if not data.addresses:
        return None
    return [a.to_domain() for a in data.addresses]


@strawberry.type
class AccountPayload:
    account: AccountNode | None
    errors: list[UserError]


@strawberry.type
class TransferAccountOwnershipPayload:
    account: AccountNode | None
    transfer: AccountOwnershipTransfer | None
    errors: list[UserError]


@strawberry.type
class ContactPayload:
    contact: ContactNode | None
    errors: list[UserError]


@strawberry.input(description="parentId null makes it a global account. No cycles; A2 recomputes both hierarchies.")
class MoveAccountInput:
    id: strawberry.ID
    parent_id: strawberry.ID | None = None


@strawberry.input
class TransferAccountOwnershipInput:
    id: strawberry.ID
    new_owner_id: strawberry.ID


@strawberry.input
class SetAccountScreeningStatusInput:
    id: strawberry.ID
    status: ScreeningStatus


@strawberry.input(description="A3: a user-entered count with its source URL, applied only by an admin.")
class RequestEmployeeCountReviewInput:
    id: strawberry.ID
    count: int
    source_url: str


@strawberry.input(description="A3: admin only. Without count, the pending review request is applied.")
class ApplyEmployeeCountOverrideInput:
    id: strawberry.ID
    count: int | None = None


@strawberry.input
class CreateContactInput:
    account_id: strawberry.ID
    name: str
    email: str = ""
    title: str = ""


@strawberry.input
class UpdateContactInput:
    id: strawberry.ID
    name: str | None = UNSET
    email: str | None = UNSET
    title: str | None = UNSET


def _account_payload(row: dict | None, errors: list[UserError]) -> AccountPayload:
    return AccountPayload(account=AccountNode.from_row(row) if row else None, errors=errors)


def _account_id(info: Info, value: strawberry.ID, field: str = "id") -> int:
    return decode_node_id(info, value, AccountNode, field)


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="ADMIN, SALES_OPS.", extensions=[access(ACCOUNT_MANAGERS)])
    async def create_account(self, info: Info, input: CreateAccountInput) -> AccountPayload:
        principal = require_principal(info)
        parent_id = _account_id(info, input.parent_id, "parentId") if input.parent_id else None
        row, errors = await call_domain(accounts.create_account(
            principal, fields=_fields(info, input), parent_id=parent_id, addresses=_addresses(input)))
        return _account_payload(row, errors)

    @strawberry.mutation(description="ADMIN, SALES_OPS; CLEAR accounts only (A6).", extensions=[access(ACCOUNT_MANAGERS)])
    async def update_account(self, info: Info, input: UpdateAccountInput) -> AccountPayload:
        principal = require_principal(info)
        row, errors = await call_domain(accounts.update_account(
            principal, info.context.rules, _account_id(info, input.id), fields=_fields(info, input), addresses=_addresses(input)))
        return _account_payload(row, errors)

    @strawberry.mutation(description="ADMIN, SALES_OPS: move an account in the hierarchy.",
                         extensions=[access(ACCOUNT_MANAGERS)])
    async def move_account(self, info: Info, input: MoveAccountInput) -> AccountPayload:
        principal = require_principal(info)
        parent_id = _account_id(info, input.parent_id, "parentId") if input.parent_id else None
        row, errors = await call_domain(accounts.move_account(principal, _account_id(info, input.id), parent_id))
        return _account_payload(row, errors)

    @strawberry.mutation(description="ADMIN, SALES_OPS. A10: young open opportunities stay with their owner.",
                         extensions=[access(ACCOUNT_MANAGERS)])
    async def transfer_account_ownership(
        self, info: Info, input: TransferAccountOwnershipInput
    ) -> TransferAccountOwnershipPayload:
        principal = require_principal(info)
        new_owner = decode_node_id(info, input.new_owner_id, UserNode, "newOwnerId")
        result, errors = await call_domain(holdover.transfer_ownership(principal, _account_id(info, input.id), new_owner))
        if result is None:
            return TransferAccountOwnershipPayload(account=None, transfer=None, errors=errors)
        row, transfer = result
        return TransferAccountOwnershipPayload(account=AccountNode.from_row(row),
                                               transfer=AccountOwnershipTransfer.from_row(transfer), errors=[])

    @strawberry.mutation(description="ADMIN, SALES_OPS: record the denied-party screening result (A6).",
                         extensions=[access(ACCOUNT_MANAGERS)])
    async def set_account_screening_status(self, info: Info, input: SetAccountScreeningStatusInput) -> AccountPayload:
        principal = require_principal(info)
        row, errors = await call_domain(
            accounts.set_screening_status(principal, _account_id(info, input.id), input.status))
        return _account_payload(row, errors)

    @strawberry.mutation(description="Any staff member (A3).", extensions=[access(STAFF)])
    async def request_employee_count_review(
        self, info: Info, input: RequestEmployeeCountReviewInput
    ) -> AccountPayload:
        principal = require_principal(info)
        row, errors = await call_domain(accounts.request_employee_count_review(
            principal, _account_id(info, input.id), input.count, input.source_url))
        return _account_payload(row, errors)

    @strawberry.mutation(description="ADMIN only: other staff get the A3 UserError ADMIN_ONLY.", extensions=[access(STAFF)])
    async def apply_employee_count_override(
        self, info: Info, input: ApplyEmployeeCountOverrideInput
    ) -> AccountPayload:
        principal = require_principal(info)
        row, errors = await call_domain(
            accounts.apply_employee_count_override(principal, _account_id(info, input.id), input.count))
        return _account_payload(row, errors)

    @strawberry.mutation(description="ADMIN, SALES_OPS, ACCOUNT_EXECUTIVE, SDR.", extensions=[access(CONTACT_WRITERS)])
    async def create_contact(self, info: Info, input: CreateContactInput) -> ContactPayload:
        principal = require_principal(info)
        row, errors = await call_domain(accounts.create_contact(
            principal, _account_id(info, input.account_id, "accountId"),
            {"name": input.name.strip(), "email": input.email.strip().lower(), "title": input.title.strip()}))
        return ContactPayload(contact=ContactNode.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(description="ADMIN, SALES_OPS, ACCOUNT_EXECUTIVE, SDR.", extensions=[access(CONTACT_WRITERS)])
    async def update_contact(self, info: Info, input: UpdateContactInput) -> ContactPayload:
        principal = require_principal(info)
        fields = {k: getattr(input, k).strip() for k in ("name", "email", "title")
                  if getattr(input, k) is not UNSET and getattr(input, k) is not None}
        if "email" in fields:
            fields["email"] = fields["email"].lower()
        contact_id = decode_node_id(info, input.id, ContactNode)
        row, errors = await call_domain(accounts.update_contact(principal, contact_id, fields))
        return ContactPayload(contact=ContactNode.from_row(row) if row else None, errors=errors)
