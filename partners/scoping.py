"""What each principal may read: one scoping function per entity.

Every resolver, DataLoader and `node` lookup that reads an entity goes through the
function for that entity, so a partner user can never reach another partner's records
by any path (lists, `node`, nested fields, filters). Each function returns a Piccolo
`where` condition, or `None` when the principal may read every row.
"""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.enums import OpportunityPartnerRole
from partners.identity import Principal
from partners.tables import Account, ApiToken, Contact, Opportunity, OpportunityPartner, Partner, User

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


# R9: the team roles that let a partner user see an opportunity.
PARTNER_VISIBLE_ROLES = (OpportunityPartnerRole.RESELLER, OpportunityPartnerRole.DEAL_REGISTRANT)


def _partner_opportunity_ids(partner_id: int | None):
    """Sub-select of the opportunities a partner is on as reseller or deal registrant (R9)."""
    return OpportunityPartner.select(OpportunityPartner.opportunity).where(
        (OpportunityPartner.partner == partner_id)
        & OpportunityPartner.role.is_in([r.value for r in PARTNER_VISIBLE_ROLES])
    )


def opportunity_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every opportunity; a partner user reads only those their partner is on
    with the role Reseller or as deal registrant (R9)."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return Opportunity.id.is_in(_partner_opportunity_ids(principal.partner_id))
    return None


def opportunity_child_scope(principal: Principal | None, opportunity_column) -> Where | WhereRaw | None:
    """For rows hanging off an opportunity (stage history, team): the opportunity must be visible."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return opportunity_column.is_in(_partner_opportunity_ids(principal.partner_id))
    return None


def holdover_extension_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """A10 extension requests: seen by whoever sees their opportunity (R9 for partner users)."""
    from partners.tables import HoldoverExtension

    return opportunity_child_scope(principal, HoldoverExtension.opportunity)


def opportunity_partner_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """A partner user sees only their own partner's place on the teams of the opportunities
    they may see (never which other partners are on the deal)."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return (OpportunityPartner.partner == principal.partner_id) & OpportunityPartner.opportunity.is_in(
            _partner_opportunity_ids(principal.partner_id)
        )
    return None


def account_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every account; partner users read none (they see only an opportunity's
    `accountName`)."""
    if principal is None or principal.is_partner_user:
        return NOTHING
    return None


def contact_scope(principal: Principal | None, contact_column=None) -> Where | WhereRaw | None:
    """Staff read every contact; a partner user reads the contacts of their own partner
    organisation's accounts (their colleagues, who may be on opportunities as influencers, R4).
    `contact_column` applies the scope to rows referencing a contact (default: Contact.id)."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        own_accounts = Account.select(Account.id).where(Account.partner == principal.partner_id)
        column = Contact.id if contact_column is None else contact_column
        return column.is_in(Contact.select(Contact.id).where(Contact.account.is_in(own_accounts)))
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


# Co-sell plans (D3). Imported here so that parallel additions above do not collide.
from partners.tables import CoSellPlan, CoSellTask  # noqa: E402


def _partner_plan_ids(partner_id: int | None):
    return CoSellPlan.select(CoSellPlan.id).where(CoSellPlan.partner == partner_id)


def cosell_plan_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every co-sell plan; a partner user reads the plans of their own partner
    (D3: they work its tasks), whatever their partner's role on the opportunity. The plan's
    `opportunity` link still follows R9."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return CoSellPlan.partner == principal.partner_id
    return None


def cosell_task_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every task; a partner user reads the tasks (vendor and partner side) of
    their own partner's plans."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return CoSellTask.plan.is_in(_partner_plan_ids(principal.partner_id))


def deal_registration_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every deal registration; a partner user reads only their own partner's (issue 5)."""
    from partners.tables import DealRegistration

    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return DealRegistration.partner == principal.partner_id
    return None


# Partner discounts (issue 7). Imported here so that parallel additions above do not collide.
from partners.tables import DiscountApproval  # noqa: E402


def discount_policy_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read the discount policy; partner users never (the percentages per track are
    not public: a partner sees its own quotes only)."""
    if principal is None or principal.is_partner_user:
        return NOTHING
    return None


def discount_approval_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every reduction approval (P8); a partner user reads its own partner's on
    the opportunities it may see (R9), so it can quote the reduced rate."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return (DiscountApproval.partner == principal.partner_id) & DiscountApproval.opportunity.is_in(
            _partner_opportunity_ids(principal.partner_id))
    return None


def partner_child_scope(principal: Principal | None, partner_column) -> Where | WhereRaw | None:
    """Rows hanging off a partner (agreements, trainings, history): whoever sees the partner."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return partner_column == principal.partner_id
    return None
