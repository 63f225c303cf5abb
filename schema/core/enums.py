"""The domain's enums, exposed to GraphQL under the same names and values."""

import strawberry

from partners import enums

Region = strawberry.enum(enums.Region)
Role = strawberry.enum(enums.Role)
PartnerType = strawberry.enum(enums.PartnerType)
PartnerTrack = strawberry.enum(enums.PartnerTrack)
PartnerStatus = strawberry.enum(enums.PartnerStatus)
AccountType = strawberry.enum(enums.AccountType)
Segment = strawberry.enum(enums.Segment)
AddressSource = strawberry.enum(enums.AddressSource)
ScreeningStatus = strawberry.enum(enums.ScreeningStatus)
Ranking = strawberry.enum(enums.Ranking)
OpportunityStage = strawberry.enum(enums.OpportunityStage)
OpportunityType = strawberry.enum(enums.OpportunityType)
LossReason = strawberry.enum(enums.LossReason)
SalesQualifiedSource = strawberry.enum(enums.SalesQualifiedSource)
ContactRole = strawberry.enum(enums.ContactRole)
OpportunityPartnerRole = strawberry.enum(enums.OpportunityPartnerRole)
CoSellMotion = strawberry.enum(enums.CoSellMotion, description="D8: how the partner works the deal.")
CoSellTaskSide = strawberry.enum(enums.CoSellTaskSide, description="D3: who owns a co-sell task.")
CoSellTaskStatus = strawberry.enum(enums.CoSellTaskStatus)
HoldoverExtensionStatus = strawberry.enum(enums.HoldoverExtensionStatus, description="A10.")
DealRegistrationType = strawberry.enum(enums.DealRegistrationType)
DealRegistrationStatus = strawberry.enum(enums.DealRegistrationStatus)
DiscountLineKind = strawberry.enum(enums.DiscountLineKind, description="P8: the partner discount is its own line; "
                                   "customer discounts are separate lines.")
DiscountBasis = strawberry.enum(enums.DiscountBasis, description="Why the partner discount line has its rate (D5, P7).")
PurchaseRoute = strawberry.enum(enums.PurchaseRoute, description="P10: how the partner buys.")
LeadStatus = strawberry.enum(enums.LeadStatus, description="P11: where a lead is in its share with a partner.")
LeadAction = strawberry.enum(enums.LeadAction, description="P11: what the partner did with an accepted lead.")
LeadRecallReason = strawberry.enum(enums.LeadRecallReason, description="P11: why a lead was recalled.")
CaseStatus = strawberry.enum(enums.CaseStatus, description="D10: where a case of the SMB queue stands.")
TrainingCourse = strawberry.enum(enums.TrainingCourse, description="P2: PARTNER_FOUNDATIONS counts for eligibility.")
PartnerChangeKind = strawberry.enum(enums.PartnerChangeKind)


_MEMBERS: dict[type, dict] = {}


def member(enum_type, value):
    """`enum_type(value)` by a dict lookup: Enum's own call costs ten times as much, and a
    page of rows converts hundreds of values (issue 17). Unknown values raise as before."""
    members = _MEMBERS.get(enum_type)
    if members is None:
        members = _MEMBERS[enum_type] = {m.value: m for m in enum_type}
    found = members.get(value)
    return found if found is not None else enum_type(value)
