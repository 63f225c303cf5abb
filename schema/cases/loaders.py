"""Per-request loaders for cases; every one applies `case_scope` / `case_comment_scope`, so
a partner user reaches only its partner's cases and their public comments (D9)."""

from __future__ import annotations

from partners.cases.scoping import case_comment_scope, case_scope
from partners.cases.tables import CaseComment, PartnerCase
from partners.people.scoping import scoped
from schema.core.loaders import grouped
from schema.core.rows import scoped_rows_by_ids


async def load_cases(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(PartnerCase, case_scope, context.principal, ids)


async def load_case_comments(context, ids: list[int]) -> list[list[dict]]:
    rows = await scoped(CaseComment.select().where(CaseComment.case.is_in(sorted(set(ids)))),
                        case_comment_scope(context.principal)).order_by(CaseComment.created_at).order_by(
        CaseComment.id)
    return grouped(ids, rows, "case")
