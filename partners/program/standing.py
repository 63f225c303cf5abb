"""P1: what a DENIED partner's people may still do.

Decision (DOMAIN.md P1 is silent about a denied partner's users): they keep their
accounts, because P1 lets a DENIED partner be AUTHORIZED again and its people then carry
on; but while the partner is DENIED they may not act — every partner-side write (a case
opened or commented on, a co-sell task updated, a user invited, a deal registered) is
refused with PARTNER_DENIED (rule P1) and writes nothing. Reading their own history stays
as scoped as ever."""

from __future__ import annotations

from partners.enums import PartnerStatus
from partners.errors import DomainError
from partners.identity import Principal
from partners.tables import Partner

CODE = "PARTNER_DENIED"


def denied_error(field: str | tuple[str, ...] = ()) -> DomainError:
    return DomainError.single(CODE, "Your partner's participation in the program was denied: it cannot act "
                              "until it is authorized again.", field, "P1")


async def refuse_if_partner_denied(principal: Principal | None, field: str | tuple[str, ...] = ()) -> None:
    """P1: raise PARTNER_DENIED when `principal` is a user of a DENIED partner."""
    if principal is None or not principal.is_partner_user or principal.partner_id is None:
        return
    status = await Partner.select(Partner.status).where(Partner.id == principal.partner_id).first()
    if status is not None and status["status"] == PartnerStatus.DENIED.value:
        raise denied_error(field)
