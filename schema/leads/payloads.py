"""What lead mutations return: the lead, the errors, and warnings that refuse nothing (issue
34: likely duplicates on create and edit)."""

from __future__ import annotations

import strawberry

from partners.leads.duplicates import duplicates_of
from partners.leads.links import DealSize
from partners.leads.scoping import lead_scope
from schema.core.context import Info
from schema.core.errors import UserError
from schema.core.money import MoneyInput
from schema.core.node import decode_node_id
from schema.leads.types import LeadExtensionRequest, LeadNode, PossibleDuplicate


@strawberry.type(description="Something to look at before going on; the write was made.")
class LeadWarning:
    code: str = strawberry.field(description="POSSIBLE_DUPLICATE")
    message: str
    possible_duplicate: PossibleDuplicate | None = None


@strawberry.type
class LeadPayload:
    lead: LeadNode | None
    errors: list[UserError]
    warnings: list[LeadWarning] = strawberry.field(
        default_factory=list, description="Possible duplicates among the open leads you see (createLead, "
        "updateLead); nothing is refused for them.")


@strawberry.type
class LeadExtensionPayload:
    lead: LeadNode | None
    extension: LeadExtensionRequest | None
    errors: list[UserError]


def payload(row: dict | None, errors: list[UserError]) -> LeadPayload:
    return LeadPayload(lead=LeadNode.from_row(row) if row else None, errors=errors)


async def payload_with_duplicates(info: Info, row: dict | None, errors: list[UserError]) -> LeadPayload:
    if row is None:
        return payload(row, errors)
    found = (await duplicates_of([row], lead_scope(info.context.principal)))[row["id"]]
    warnings = [LeadWarning(code="POSSIBLE_DUPLICATE", message=f"An open lead looks like this one ("
                            f"{', '.join(r.value.lower().replace('_', ' ') for r in d.reasons)}).",
                            possible_duplicate=PossibleDuplicate(reasons=list(d.reasons), lead_id=d.lead_id))
                for d in found]
    return LeadPayload(lead=LeadNode.from_row(row), errors=errors, warnings=warnings)


def lead_id(info: Info, value) -> int:
    return decode_node_id(info, value, LeadNode)


def deal_size(value: MoneyInput | None) -> DealSize | None:
    return None if value is None else DealSize(amount=value.amount, currency=value.currency)
