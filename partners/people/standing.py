"""P1: what a DENIED partner's people may still do.

Decision (DOMAIN.md P1 is silent about a denied partner's users): they keep their
accounts, because P1 lets a DENIED partner be AUTHORIZED again and its people then carry
on; but while the partner is DENIED they may not act. Every partner-side write is refused
with PARTNER_DENIED (rule P1) and writes nothing — no row, no history, no outbox event;
the audit log keeps its one row of the refused call (USER_ERROR, PARTNER_DENIED), as for
every refusal. Reading their own history stays as scoped as ever.

Refused while DENIED (partner users and partner admins):
- people: `inviteUser` (no new users for a denied partner, whoever invites), `deactivateUser`
  (vendor admins still deactivate a denied partner's users), `claimInvitation` of an
  invitation sent before the denial (a new user and a new token; the invitation stays
  claimable once the partner is authorized again, until it expires);
- credentials: `createApiToken`;
- deals: `registerDeal`, `resubmitDealRegistration`, `withdrawDealRegistration`;
- leads (P11): `acceptLead`, `rejectLead`, `recordLeadAction`;
- cases (D9): `openCase`, `commentOnCase`; co-sell (D3): `updateCoSellTask`, `completeCoSellTask`;
- opportunities a partner user owns: `updateOpportunity`, `moveOpportunityStage`,
  `requestHoldoverExtension` (A10);
- webhooks (partner admins): `createWebhookEndpoint`, `updateWebhookEndpoint`,
  `rotateWebhookSecret`, `deleteWebhookEndpoint`, `redeliverWebhookDelivery` (vendor
  admins still manage a denied partner's endpoints).

Still allowed: `revokeApiToken` — taking away one's own credential is a security action
that must never be refused — and `applyAsPartner`, which anyone may call without a token
(refusing it for a token would refuse nothing; the application is a new PROSPECT a channel
manager reviews). The profile of a partner (`updatePartner`) and its roles are staff-only.

Order of checks: authentication and the role's permission first (FORBIDDEN), then the
input's own shape (REQUIRED, TOO_LONG …), then P1, before the record is looked up — so a
DENIED partner's user is told PARTNER_DENIED whatever record they name, and learns nothing
about records. The error's field is the input that names what was refused ("id" for a
record, "partnerId" for the partner the write is for, "token" for an invitation), or none.
"""

from __future__ import annotations

from partners.infra.errors import DomainError
from partners.people.enums import PartnerStatus
from partners.people.principal import Principal
from partners.people.tables import Partner

CODE = "PARTNER_DENIED"


def denied_error(field: str | tuple[str, ...] = ()) -> DomainError:
    return DomainError.single(CODE, "Your partner's participation in the program was denied: it cannot act "
                              "until it is authorized again.", field, "P1")


async def is_denied(partner_id: int | None) -> bool:
    """Whether the partner with this id is DENIED (P1); None (staff) never is."""
    if partner_id is None:
        return False
    row = await Partner.select(Partner.status).where(Partner.id == partner_id).first()
    return row is not None and row["status"] == PartnerStatus.DENIED.value


async def refuse_if_partner_denied(principal: Principal | None, field: str | tuple[str, ...] = ()) -> None:
    """P1: raise PARTNER_DENIED when `principal` is a user of a DENIED partner."""
    if principal is None or not principal.is_partner_user:
        return
    if await is_denied(principal.partner_id):
        raise denied_error(field)
