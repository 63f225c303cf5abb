"""Access rules of the deal-registration fields: the roles partners.registrations.rules names."""

from partners.registrations.rules import REGISTRANTS, REVIEWERS
from schema.core.access import roles

REGISTRATION_SUBMITTERS = roles(*REGISTRANTS, description="partner users; channel managers and admins for "
                                "alliance partners")
REGISTRATION_REVIEWERS = roles(*REVIEWERS, description="channel managers (of the customer's region, decided per "
                               "registration) and admins")
# Withdraw and resubmit: the partner's users, or whoever registered on its behalf (decided per registration).
REGISTRATION_OWNERS = roles(*REGISTRANTS, description="the registering partner's users, the channel manager who "
                            "registered it, admins")
