"""Who reads which case (D9): staff the whole queue; a partner user only its partner's
cases, and only their public comments."""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.cases.tables import CaseComment, PartnerCase
from partners.people.principal import Principal
from partners.people.scoping import NOTHING


def case_scope(principal: Principal | None) -> Where | WhereRaw | None:
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return PartnerCase.partner == principal.partner_id
    return None


def case_comment_scope(principal: Principal | None) -> Where | WhereRaw | None:
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return (CaseComment.internal == False) & CaseComment.case.is_in(  # noqa: E712 (SQL comparison)
            PartnerCase.select(PartnerCase.id).where(PartnerCase.partner == principal.partner_id))
    return None
