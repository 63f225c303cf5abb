"""The domain's enums, exposed to GraphQL under the same names and values."""

import strawberry

from partners import enums

Region = strawberry.enum(enums.Region)
Role = strawberry.enum(enums.Role)
PartnerType = strawberry.enum(enums.PartnerType)
PartnerTrack = strawberry.enum(enums.PartnerTrack)
PartnerStatus = strawberry.enum(enums.PartnerStatus)
AccountType = strawberry.enum(enums.AccountType)
