"""Access rules of the account mutations: the same roles partners.accounts.service enforces."""

from partners.accounts.service import ACCOUNT_MANAGERS as _ACCOUNT_MANAGERS, CONTACT_WRITERS as _CONTACT_WRITERS
from schema.core.access import roles

ACCOUNT_MANAGERS = roles(*_ACCOUNT_MANAGERS, description="ADMIN and SALES_OPS manage accounts")
CONTACT_WRITERS = roles(*_CONTACT_WRITERS, description="ADMIN, SALES_OPS, ACCOUNT_EXECUTIVE and SDR write contacts")
