"""Access rule of the webhook fields and mutations (issue 20), derived from
partners.webhooks.access so that who manages webhooks is said in one place."""

from partners.people.enums import Role
from partners.people.principal import Principal
from partners.webhooks.access import may_manage_any
from schema.core.access import Rule

WEBHOOK_MANAGERS = Rule(
    "webhook-managers",
    "administrators (any partner's endpoints) and PARTNER_ADMINs (their own partner's)",
    frozenset(r for r in Role if may_manage_any(Principal(user_id=0, email="", name="", role=r, partner_id=0))),
)
