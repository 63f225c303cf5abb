"""Access rules of the lead fields: the roles partners.leads.service enforces."""

from partners.leads.service import CREATORS, SHARERS
from partners.people.enums import Role
from partners.people.principal import STAFF_ROLES
from schema.core.access import roles

# Partner-side roles (every role that is not staff), so a new partner role is included.
PARTNER_SIDE = tuple(sorted(frozenset(Role) - STAFF_ROLES, key=lambda r: r.value))

LEAD_CREATORS = roles(*CREATORS, description="vendor staff (not SMB advocates)")
LEAD_SHARERS = roles(*SHARERS, description="channel managers (of the lead's region, decided per lead) and admins")
LEAD_PARTNERS = roles(*PARTNER_SIDE, description="users of the partner the lead is shared with (decided per lead)")
