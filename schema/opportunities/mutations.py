"""Opportunity writes. Roles and rules are checked in partners.opportunities.service."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from partners.opportunities import service as opportunities
from partners.opportunities.rules import StageMove
from schema.accounts.types import AccountNode, ContactNode
from schema.core.access import access
from schema.core.context import Info
from schema.core.domain import call_domain, expected_version_field
from schema.core.enums import ContactRole, LossReason, OpportunityStage, OpportunityType
from schema.core.errors import UserError
from schema.core.money import MoneyInput, deprecated_amount, given_amount
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.identity.types import UserNode
from schema.opportunities.access import OPPORTUNITY_CREATORS, OPPORTUNITY_WRITERS
from schema.opportunities.types import OpportunityNode

UNSET: Any = strawberry.UNSET
MONEY_HELP = ("In the opportunity's currency (a currency omitted means it; another is refused: CURRENCY_MISMATCH). "
              "Not together with the deprecated Float field (AMBIGUOUS_AMOUNT).")


@strawberry.input(description="A contact on the opportunity; exactly one is primary (R3).")
class OpportunityContactInput:
    contact_id: strawberry.ID
    role: ContactRole = ContactRole.OTHER
    is_primary: bool = False


@strawberry.input(description="Without a name, the name follows O10 from seats and product.")
class CreateOpportunityInput:
    account_id: strawberry.ID
    type: OpportunityType = OpportunityType.NEW_BUSINESS
    stage: OpportunityStage = strawberry.field(default=OpportunityStage.PENDING_ACCEPTANCE, description="00 or 0 (O2).")
    name: str | None = None
    seats: int | None = None
    product: str = ""
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="O8.")
    currency: str | None = strawberry.field(default=None, description="ISO 4217 code of its amounts; by default "
                                            "the account's currency (issue 40).")
    amount: float | None = strawberry.field(default=None, deprecation_reason=deprecated_amount("amountMoney"))
    amount_money: MoneyInput | None = strawberry.field(default=None, description=MONEY_HELP)
    net_arr: float | None = strawberry.field(default=None, deprecation_reason=deprecated_amount("netArrMoney"))
    net_arr_money: MoneyInput | None = strawberry.field(default=None, description=MONEY_HELP)
    close_date: date | None = None
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="Defaults to the caller.")
    sdr_id: strawberry.ID | None = strawberry.field(default=None, description="Defaults to the caller if an SDR.")
    contacts: list[OpportunityContactInput] | None = None


@strawberry.input(description="Only the given fields change; the stage moves with moveOpportunityStage.")
class UpdateOpportunityInput:
    id: strawberry.ID
    name: str | None = UNSET
    type: OpportunityType | None = UNSET
    parent_id: strawberry.ID | None = UNSET
    amount: float | None = strawberry.field(default=UNSET, deprecation_reason=deprecated_amount("amountMoney"))
    amount_money: MoneyInput | None = strawberry.field(default=UNSET, description=MONEY_HELP + " Null clears it.")
    net_arr: float | None = strawberry.field(default=UNSET, deprecation_reason=deprecated_amount("netArrMoney"))
    net_arr_money: MoneyInput | None = strawberry.field(default=UNSET, description=MONEY_HELP + " Null clears it.")
    close_date: date | None = UNSET
    owner_id: strawberry.ID | None = UNSET
    sdr_id: strawberry.ID | None = UNSET
    contacts: list[OpportunityContactInput] | None = strawberry.field(
        default=UNSET, description="Replaces the contacts (an empty list removes them)."
    )
    expected_version: int | None = expected_version_field()


@strawberry.input(description="O1–O7: closing lost needs a reason, a duplicate its original.")
class MoveOpportunityStageInput:
    id: strawberry.ID
    stage: OpportunityStage
    loss_reason: LossReason | None = None
    competitor: str = ""
    merged_into_id: strawberry.ID | None = None
    duplicate_of_id: strawberry.ID | None = None
    note: str = ""
    expected_version: int | None = expected_version_field()


@strawberry.type
class OpportunityPayload:
    opportunity: OpportunityNode | None
    errors: list[UserError]


def _payload(row: dict | None, errors: list[UserError]) -> OpportunityPayload:
    return OpportunityPayload(opportunity=OpportunityNode.from_row(row) if row else None, errors=errors)


def _opp_id(info: Info, value, field: str = "id") -> int | None:
    return decode_node_id(info, value, OpportunityNode, field) if value else None


def _user_id(info: Info, value, field: str) -> int | None:
    return decode_node_id(info, value, UserNode, field) if value else None


def _contacts(info: Info, links: list[OpportunityContactInput] | None) -> list[opportunities.ContactLink] | None:
    if links is None or links is UNSET:
        return None
    return [
        opportunities.ContactLink(contact_id=decode_node_id(info, link.contact_id, ContactNode, f"contacts.{i}.contactId"),
                                  role=link.role, is_primary=link.is_primary)
        for i, link in enumerate(links)
    ]


@strawberry.type
class OpportunityMutation:
    @strawberry.mutation(description="ADMIN, SALES_OPS, ACCOUNT_EXECUTIVE, SDR.", extensions=[access(OPPORTUNITY_CREATORS)])
    async def create_opportunity(self, info: Info, input: CreateOpportunityInput) -> OpportunityPayload:
        principal = require_principal(info)
        row, errors = await call_domain(opportunities.create_opportunity(
            principal, info.context.rules, account_id=decode_node_id(info, input.account_id, AccountNode, "accountId"),
            opp_type=input.type, stage=input.stage, name=input.name, seats=input.seats, product=input.product,
            parent_id=_opp_id(info, input.parent_id, "parentId"), currency=input.currency,
            amount=given_amount(input.amount, input.amount_money, "amount", "amountMoney"),
            net_arr=given_amount(input.net_arr, input.net_arr_money, "netArr", "netArrMoney"),
            close_date=input.close_date, owner_id=_user_id(info, input.owner_id, "ownerId"),
            sdr_id=_user_id(info, input.sdr_id, "sdrId"), contacts=_contacts(info, input.contacts),
        ))
        return _payload(row, errors)

    @strawberry.mutation(description="The owner, the SDR, SALES_OPS or ADMIN.", extensions=[access(OPPORTUNITY_WRITERS)])
    async def update_opportunity(self, info: Info, input: UpdateOpportunityInput) -> OpportunityPayload:
        principal = require_principal(info)
        fields: dict[str, Any] = {}
        for attr in ("name", "close_date"):
            value = getattr(input, attr)
            if value is not UNSET:
                fields[attr] = value.strip() if isinstance(value, str) else value
        for attr, name in (("amount", "amount"), ("net_arr", "netArr")):
            given = given_amount(getattr(input, attr), getattr(input, f"{attr}_money"), name, f"{name}Money")
            if given is not None:
                fields[attr] = given
        if input.owner_id is not UNSET:
            fields["owner"] = _user_id(info, input.owner_id, "ownerId")
        if input.sdr_id is not UNSET:
            fields["sdr"] = _user_id(info, input.sdr_id, "sdrId")
        parent_given = input.parent_id is not UNSET
        row, errors = await call_domain(opportunities.update_opportunity(
            principal, info.context.rules, decode_node_id(info, input.id, OpportunityNode), fields=fields,
            opp_type=input.type if input.type not in (UNSET, None) else None,
            parent_id=_opp_id(info, input.parent_id, "parentId") if parent_given else None,
            parent_given=parent_given, contacts=_contacts(info, input.contacts),
            expected_version=input.expected_version,
        ))
        return _payload(row, errors)

    @strawberry.mutation(description="The only way to change the stage (O1–O7, A6 for closed won). "
                         "The owner, SALES_OPS or ADMIN.", extensions=[access(OPPORTUNITY_WRITERS)])
    async def move_opportunity_stage(self, info: Info, input: MoveOpportunityStageInput) -> OpportunityPayload:
        principal = require_principal(info)
        move = StageMove(
            target=input.stage, loss_reason=input.loss_reason, competitor=input.competitor,
            merged_into_id=_opp_id(info, input.merged_into_id, "mergedIntoId"),
            duplicate_of_id=_opp_id(info, input.duplicate_of_id, "duplicateOfId"),
        )
        row, errors = await call_domain(
            opportunities.move_stage(principal, info.context.rules, decode_node_id(info, input.id, OpportunityNode), move,
                                     input.note, expected_version=input.expected_version))
        return _payload(row, errors)
