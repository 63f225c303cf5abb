"""What an opportunity's ACE opportunity is associated with (issue 39): partner solutions,
AWS products and AWS Marketplace offers, chosen per opportunity by a channel manager or its
owner (`shareWithAws(input: {associations})`, `setAwsAssociations`); without a choice, the
configured SOLUTION_ID.

Each association is a row with its own state: PENDING -> AssociateOpportunity -> ASSOCIATED,
committed after its own call, so a retry after a crash repeats none that is done; a removed
ASSOCIATED one is REMOVING -> DisassociateOpportunity -> deleted. ACE answering
ConflictException to an association (already associated: a crash between the call and our
commit) or ResourceNotFoundException to a disassociation (already gone) counts as done."""

from __future__ import annotations

import re
from dataclasses import dataclass

from partners.infra import outbox
from partners.infra.db import transaction
from partners.infra.errors import DomainError, Violation
from partners.infra.leasing import utcnow
from partners.infra.outbox import Message, PermanentFailure
from cosell_contrib.aws_partner_central import ASSOCIATIONS_KIND, client as aws, plugin_settings
from cosell_contrib.aws_partner_central.tables import AwsAssociation, AwsOpportunitySync

# The identifier formats the partnercentral-selling model documents for each related entity
# type (GetOpportunity's RelatedEntityIdentifiers; AssociateOpportunity takes 1-255
# characters, AwsProducts codes have no pattern of their own). tests/plugins/test_aws_mapping.py
# checks them against the model.
FORMATS = {
    "Solutions": r"S-[0-9]{1,19}",
    "AwsProducts": r"[^\s]{1,255}",
    "AwsMarketplaceOffers": r"arn:aws:aws-marketplace:[a-z]{1,2}-[a-z]*-\d+:\d{12}:AWSMarketplace/Offer/.*",
}
MAX_ASSOCIATIONS = 20
FIELD = "associations"
PENDING, ASSOCIATED, REMOVING = "PENDING", "ASSOCIATED", "REMOVING"


@dataclass(frozen=True)
class Wanted:
    entity_type: str  # an ACE RelatedEntityType (a key of FORMATS)
    identifier: str


def defaults() -> list[Wanted]:
    solution = plugin_settings["solution_id"]
    return [Wanted("Solutions", solution)] if solution else []


def violations(wanted: list[Wanted]) -> list[Violation]:
    """D8 (what the cloud co-sell is about): identifiers in ACE's formats, each once."""
    found = []
    if len(wanted) > MAX_ASSOCIATIONS:
        found.append(Violation("TOO_MANY_ASSOCIATIONS", f"At most {MAX_ASSOCIATIONS} associations.", (FIELD,), "D8"))
    for i, item in enumerate(wanted):
        pattern = FORMATS.get(item.entity_type)
        if pattern is None or len(item.identifier) > 255 or not re.fullmatch(pattern, item.identifier):
            found.append(Violation("INVALID_AWS_IDENTIFIER",
                                   f"Not a {item.entity_type} identifier ACE accepts ({pattern}).",
                                   (FIELD, str(i), "identifier"), "D8"))
        elif item in wanted[:i]:
            found.append(Violation("DUPLICATE_ASSOCIATION", "Each association is listed once.",
                                   (FIELD, str(i), "identifier"), "D8"))
    return found


def _key(opportunity_id: int, item: Wanted) -> str:
    return f"{opportunity_id}:{item.entity_type}:{item.identifier}"


async def replace(opportunity_id: int, wanted: list[Wanted]) -> bool:
    """Make `wanted` the opportunity's associations (in the caller's transaction); True when
    some call to ACE is now due."""
    if found := violations(wanted):
        raise DomainError(found)
    rows = await AwsAssociation.select().where(AwsAssociation.opportunity == opportunity_id)
    existing = {Wanted(row["entity_type"], row["identifier"]): row for row in rows}
    at = utcnow()
    for item in wanted:
        row = existing.get(item)
        if row is None:
            await AwsAssociation.insert(AwsAssociation(
                opportunity=opportunity_id, entity_type=item.entity_type, identifier=item.identifier,
                association_key=_key(opportunity_id, item), state=PENDING, updated_at=at)).run()
        elif row["state"] == REMOVING:  # wanted again before it was disassociated: make sure
            await _set(row["id"], state=PENDING, updated_at=at)
    for item, row in existing.items():
        if item in wanted:
            continue
        if row["state"] == ASSOCIATED:
            await _set(row["id"], state=REMOVING, updated_at=at)
        elif row["state"] == PENDING:
            await AwsAssociation.delete().where(AwsAssociation.id == row["id"])
    return await AwsAssociation.exists().where(
        (AwsAssociation.opportunity == opportunity_id) & AwsAssociation.state.is_in([PENDING, REMOVING]))


async def _set(row_id: int, **values) -> None:
    await AwsAssociation.update({getattr(AwsAssociation, k): v for k, v in values.items()}).where(
        AwsAssociation.id == row_id)


def _code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


async def apply(opportunity_id: int, ace_id: str) -> int:
    """Associate the PENDING ones and disassociate the REMOVING ones, each committed after its
    call; returns how many calls were made. An error stops here (the caller records it)."""
    rows = await AwsAssociation.select().where(
        (AwsAssociation.opportunity == opportunity_id) & AwsAssociation.state.is_in([PENDING, REMOVING])
    ).order_by(AwsAssociation.id)
    for row in rows:
        entity = {"OpportunityIdentifier": ace_id, "RelatedEntityType": row["entity_type"],
                  "RelatedEntityIdentifier": row["identifier"]}
        removing = row["state"] == REMOVING
        try:
            await aws.call("DisassociateOpportunity" if removing else "AssociateOpportunity", **entity)
        except Exception as exc:
            done = _code(exc) == ("ResourceNotFoundException" if removing else "ConflictException")
            if not done:
                async with transaction():
                    await _set(row["id"], last_error=f"{_code(exc) or type(exc).__name__}: {exc}"[:2000])
                raise
        async with transaction():
            if removing:
                await AwsAssociation.delete().where(AwsAssociation.id == row["id"])
            else:
                await _set(row["id"], state=ASSOCIATED, last_error="", updated_at=utcnow())
    return len(rows)


async def enqueue(opportunity_id: int) -> None:
    """After `replace` of a shared opportunity: its delivery calls ACE (after commit)."""
    await outbox.enqueue(ASSOCIATIONS_KIND, {"opportunity_id": opportunity_id},
                         dedupe_key=f"{ASSOCIATIONS_KIND}:{opportunity_id}:{utcnow().isoformat()}")


async def deliver_associations(message: Message) -> None:
    from cosell_contrib.aws_partner_central.outbound import PERMANENT, _save

    sync = await AwsOpportunitySync.select().where(
        AwsOpportunitySync.opportunity == message.payload["opportunity_id"]).first()
    if sync is None:
        raise PermanentFailure("no sync row for this opportunity")
    if not sync["ace_id"] or not sync["engagement_task_id"]:
        if sync["state"] == "FAILED":
            raise PermanentFailure("the share failed: share it again first")
        raise RuntimeError("not submitted to ACE yet: the share associates them")
    try:
        await apply(sync["opportunity"], sync["ace_id"])
    except Exception as exc:  # noqa: BLE001 - recorded, then the outbox decides
        text = f"{_code(exc) or type(exc).__name__}: {exc}"[:2000]
        await _save(sync["id"], last_error=text)
        if _code(exc) in PERMANENT:
            raise PermanentFailure(text) from exc
        raise
    await _save(sync["id"], **({"state": "ASSOCIATED"} if sync["state"] == "SUBMITTED" else {}),
                last_synced_at=utcnow(), last_error="")
