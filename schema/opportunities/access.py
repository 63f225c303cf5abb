"""Access rules of the opportunity mutations."""

from partners.opportunities import CREATORS
from schema.core.access import AUTHENTICATED, Rule, roles

OPPORTUNITY_CREATORS = roles(*CREATORS, description="ADMIN, SALES_OPS, ACCOUNT_EXECUTIVE and SDR create opportunities")
# Any signed-in user may call; partners.opportunities decides per opportunity: its owner
# (an authorized reseller's user may own one, O9), its SDR, SALES_OPS or ADMIN.
OPPORTUNITY_WRITERS = Rule(
    "owner-sdr-managers",
    "the opportunity's owner or SDR, SALES_OPS or ADMIN (decided per opportunity)",
    AUTHENTICATED.roles,
)
