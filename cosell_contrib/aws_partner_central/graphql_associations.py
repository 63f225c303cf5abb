"""GraphQL of the associations (issue 39): `AwsOpportunitySync.associations`, the input
`AwsAssociationInput` of `shareWithAws` and `setAwsAssociations` (associations.py)."""

from __future__ import annotations

from enum import Enum

import strawberry

from cosell_contrib.aws_partner_central.associations import Wanted
from cosell_contrib.aws_partner_central.tables import AwsAssociation


@strawberry.enum(name="AwsAssociationType", description="What an ACE opportunity is associated with "
                                                        "(AssociateOpportunity's RelatedEntityType).")
class AssociationType(Enum):
    SOLUTION = "Solutions"  # a partner solution, S-…
    AWS_PRODUCT = "AwsProducts"  # an AWS product code
    MARKETPLACE_OFFER = "AwsMarketplaceOffers"  # an AWS Marketplace offer's ARN


@strawberry.input(name="AwsAssociationInput")
class AssociationInput:
    type: AssociationType
    identifier: str = strawberry.field(description="S-… for a solution, the product code for an AWS product, "
                                                   "the offer's ARN for a Marketplace offer.")


@strawberry.type(name="AwsAssociation")
class AssociationNode:
    type: AssociationType
    identifier: str
    state: str = strawberry.field(description="PENDING (to associate), ASSOCIATED, REMOVING (to disassociate)")
    last_error: str | None


def wanted(items: list[AssociationInput]) -> list[Wanted]:
    return [Wanted(item.type.value, item.identifier.strip()) for item in items]


async def load_associations(context, opportunity_ids: list[int]) -> list[list[AssociationNode]]:
    """The associations of every opportunity asked for, in one statement."""
    rows = await AwsAssociation.select().where(AwsAssociation.opportunity.is_in(list(opportunity_ids))).order_by(
        AwsAssociation.id)
    found: dict[int, list[AssociationNode]] = {key: [] for key in opportunity_ids}
    for row in rows:
        found[row["opportunity"]].append(AssociationNode(
            type=AssociationType(row["entity_type"]), identifier=row["identifier"], state=row["state"],
            last_error=row["last_error"] or None))
    return [found[key] for key in opportunity_ids]
