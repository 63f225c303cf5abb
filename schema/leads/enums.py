"""The lead vocabularies of issue 34, exposed under the same names and values."""

import strawberry

from partners.leads import enums

LeadPriority = strawberry.enum(enums.LeadPriority, description="How urgently staff want the lead worked.")
LeadDeadline = strawberry.enum(enums.LeadDeadline, description="P11: which deadline a request for more time is about.")
LeadExtensionStatus = strawberry.enum(enums.ExtensionStatus, name="LeadExtensionStatus",
                                      description="A request for more time: waiting, decided, or lapsed (its deadline "
                                      "went away before a decision).")
DuplicateReason = strawberry.enum(enums.DuplicateReason, name="LeadDuplicateReason",
                                  description="Why two open leads look like the same one.")
