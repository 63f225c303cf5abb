"""GraphQL enums of the case workflow (D10, D14)."""

from __future__ import annotations

from enum import Enum

import strawberry

from partners.cases import enums

CaseType = strawberry.enum(enums.CaseType, description="D14: what triggered the case; HIGH_VALUE_ACCOUNT, "
                           "RENEWAL_WILL_FAIL, PO_REQUIRED, FIRST_ORDER and CONTACT_LATER are exempt from the targets.")
CaseOrigin = strawberry.enum(enums.CaseOrigin, description="How the case came in.")
CaseHistoryEvent = strawberry.enum(enums.CaseHistoryEvent, description="What happened to a case.")


@strawberry.enum(description="D10: how a case closes.")
class CaseClosedStatus(Enum):
    CLOSED_RESOLVED = "CLOSED_RESOLVED"
    CLOSED_DUPLICATE = "CLOSED_DUPLICATE"
    CLOSED_UNRESPONSIVE = "CLOSED_UNRESPONSIVE"


CaseMessageDirection = strawberry.enum(enums.MessageDirection, name="CaseMessageDirection", description="D15: received by the SMB address, or sent "
                                       "from the case.")
