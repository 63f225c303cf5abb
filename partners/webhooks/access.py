"""Who manages a partner's webhook endpoints, and what each principal may read (issue 20).

Administrators manage every partner's endpoints. On the partner side, `manages_own_partner`
is the one place that says which partner users do: the partner's PARTNER_ADMINs (issue 18),
who manage their partner's people and integrations; PARTNER_USERs work deals, not where the
partner's data is sent.
Channel managers and other staff neither see nor manage endpoints: an endpoint receives
the partner's data, so only the partner's own people (or an administrator acting for them)
choose where it goes.
"""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.infra.errors import PermissionDenied
from partners.people.enums import Role
from partners.people.principal import Principal
from partners.people.scoping import NOTHING
from partners.webhooks.tables import WebhookDelivery, WebhookEndpoint


def manages_own_partner(principal: Principal) -> bool:
    """The partner-side managers of webhooks (of their own partner only)."""
    return principal.role is Role.PARTNER_ADMIN


def may_manage(principal: Principal | None, partner_id: int) -> bool:
    if principal is None:
        return False
    if principal.is_admin:
        return True
    return manages_own_partner(principal) and principal.partner_id == partner_id


def may_manage_any(principal: Principal | None) -> bool:
    """Whether the role manages endpoints at all (of some partner)."""
    return principal is not None and (principal.is_admin or manages_own_partner(principal))


def require_manager_role(principal: Principal | None) -> None:
    """FORBIDDEN for roles that manage no partner's endpoints."""
    if not may_manage_any(principal):
        raise PermissionDenied("Webhook endpoints are managed by the partner's PARTNER_ADMINs or an administrator.")


def endpoint_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Administrators read every endpoint; partner-side managers their own partner's."""
    if principal is None:
        return NOTHING
    if principal.is_admin:
        return None
    if manages_own_partner(principal):
        return WebhookEndpoint.partner == principal.partner_id
    return NOTHING


def delivery_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """A delivery is read by whoever reads its endpoint."""
    condition = endpoint_scope(principal)
    if condition is None or condition is NOTHING:
        return condition
    return WebhookDelivery.endpoint.is_in(WebhookEndpoint.select(WebhookEndpoint.id).where(condition))
