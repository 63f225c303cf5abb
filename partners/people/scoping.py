"""Who sees which partners, users, tokens and audit rows; `scoped` applies any scope."""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.people.principal import Principal
from partners.people.tables import ApiToken, Partner, User

# A condition that matches nothing, for principals who may read no row at all.
NOTHING = WhereRaw("1 = 0")


def partner_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every partner; a partner user reads only their own partner."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return Partner.id == principal.partner_id
    return None


def user_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every user; a partner user reads the users of their own partner."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return User.partner == principal.partner_id
    return None


def scoped(query, condition):
    """Apply a scope condition (or none) to a Piccolo select/objects query."""
    return query if condition is None else query.where(condition)


def api_token_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Users see their own API tokens (never the hash); administrators see every token."""
    if principal is None:
        return NOTHING
    if principal.is_admin:
        return None
    return ApiToken.user == principal.user_id


def audit_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Only administrators read the audit log."""
    if principal is not None and principal.is_admin:
        return None
    return NOTHING


def partner_child_scope(principal: Principal | None, partner_column) -> Where | WhereRaw | None:
    """Rows hanging off a partner (agreements, trainings, history): whoever sees the partner."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return partner_column == principal.partner_id
    return None
