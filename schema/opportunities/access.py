"""Access rules of the opportunity mutations."""

from partners.opportunities.service import CREATORS
from schema.core.access import AUTHENTICATED, Rule, roles

OPPORTUNITY_CREATORS = roles(*CREATORS, description="ADMIN, SALES_OPS, ACCOUNT_EXECUTIVE and SDR create opportunities")
# Any signed-in user may call; partners.opportunities.service decides per opportunity: its owner
# (an authorized reseller's user may own one, O9), its SDR, SALES_OPS or ADMIN.
OPPORTUNITY_WRITERS = Rule(
    "owner-sdr-managers",
    "the opportunity's owner or SDR, SALES_OPS or ADMIN (decided per opportunity)",
    AUTHENTICATED.roles,
)

# The partner team (issue 4): staff who may update the opportunity (its owner or SDR,
# SALES_OPS, ADMIN, decided per opportunity). Never partner users, even owners: the team
# decides which partners see the deal (R9) and who is primary (R6–R8).
OPPORTUNITY_TEAM_WRITERS = roles(*CREATORS, description="the opportunity's owner or SDR (staff), SALES_OPS or ADMIN")
