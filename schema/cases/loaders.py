"""Per-request loaders for cases; every one applies its scope (partners/cases/scoping.py),
so a partner user reaches only its partner's cases, their public comments and attachments,
and no history (D9)."""

from __future__ import annotations

from partners.cases.scoping import (
    case_attachment_scope, case_comment_scope, case_history_scope, case_message_scope, case_scope,
)
from partners.cases.tables import (
    CaseAttachment, CaseComment, CaseHistory, CaseMessage, CustomerAdminContact, PartnerCase,
)
from partners.people.scoping import NOTHING, scoped
from schema.core.loaders import aligned, grouped
from schema.core.rows import scoped_rows_by_ids


async def load_cases(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(PartnerCase, case_scope, context.principal, ids)


async def load_case_comments(context, ids: list[int]) -> list[list[dict]]:
    rows = await scoped(CaseComment.select().where(CaseComment.case.is_in(sorted(set(ids)))),
                        case_comment_scope(context.principal)).order_by(CaseComment.created_at).order_by(
        CaseComment.id)
    return grouped(ids, rows, "case")


async def load_case_history(context, ids: list[int]) -> list[list[dict]]:
    rows = await scoped(CaseHistory.select().where(CaseHistory.case.is_in(sorted(set(ids)))),
                        case_history_scope(context.principal)).order_by(CaseHistory.id)
    return grouped(ids, rows, "case")


async def load_case_attachments(context, ids: list[int]) -> list[list[dict]]:
    rows = await scoped(CaseAttachment.select().where(CaseAttachment.case.is_in(sorted(set(ids)))),
                        case_attachment_scope(context.principal)).order_by(CaseAttachment.id)
    return grouped(ids, rows, "case")


async def load_case_messages(context, ids: list[int]) -> list[list[dict]]:
    """D15: a case's emails, oldest first (partner users: not vendor staff's)."""
    rows = await scoped(CaseMessage.select().where(CaseMessage.case.is_in(sorted(set(ids)))),
                        case_message_scope(context.principal)).order_by(CaseMessage.received_at).order_by(
        CaseMessage.id)
    return grouped(ids, rows, "case")


async def load_customer_admins(context, account_ids: list[int]) -> list[dict | None]:
    """D13: the admin contact row per account (staff only: partner users read no account)."""
    principal = context.principal
    scope = NOTHING if principal is None or principal.is_partner_user else None
    rows = await scoped(CustomerAdminContact.select().where(
        CustomerAdminContact.account.is_in(sorted(set(account_ids)))), scope)
    return aligned(account_ids, rows, "account")
