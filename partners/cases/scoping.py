"""Who reads which case (D9): staff the whole queue; a partner user only its partner's
cases, their public comments and public attachments; history is for staff only."""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.cases.tables import CaseAttachment, CaseComment, CaseMessage, PartnerCase
from partners.people.principal import Principal
from partners.people.scoping import NOTHING


def case_scope(principal: Principal | None) -> Where | WhereRaw | None:
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return PartnerCase.partner == principal.partner_id
    return None


def _own_cases(principal: Principal):
    return PartnerCase.select(PartnerCase.id).where(PartnerCase.partner == principal.partner_id)


def case_comment_scope(principal: Principal | None) -> Where | WhereRaw | None:
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return (CaseComment.internal == False) & CaseComment.case.is_in(_own_cases(principal))  # noqa: E712 (SQL)
    return None


def case_attachment_scope(principal: Principal | None) -> Where | WhereRaw | None:
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return (CaseAttachment.internal == False) & CaseAttachment.case.is_in(_own_cases(principal))  # noqa: E712
    return None


def case_history_scope(principal: Principal | None) -> Where | WhereRaw | None:
    if principal is None or principal.is_partner_user:
        return NOTHING
    return None


def case_message_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """D15: partner users read the emails of their partner's cases, never vendor staff's."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return (CaseMessage.internal == False) & CaseMessage.case.is_in(_own_cases(principal))  # noqa: E712
    return None
