"""The reseller rules of DOMAIN.md (R1, R2, R3, R4, R6, R7) as one ordinary plugin.

Each rule is a small pure function of an `OpportunitySnapshot` returning `Violation`s.
Each can be switched off by its id with `COSELL_DISABLE_RULES=R2,R4` (the whole plugin
with `COSELL_DISABLE_PLUGINS=plugins.builtin.reseller_rules`).
"""

from __future__ import annotations

from typing import Callable

from partners.infra.errors import Violation
from partners.opportunities.enums import ContactRole
from partners.opportunities.reseller import CHANNEL_ACCOUNT_TYPES, OpportunitySnapshot, ValidationContext
from plugins import hookimpl

Rule = Callable[[OpportunitySnapshot], list[Violation]]


def r1_end_customer_account(opp: OpportunitySnapshot) -> list[Violation]:
    """R1: the opportunity belongs to the end customer's account, never a reseller's."""
    if opp.account_type in CHANNEL_ACCOUNT_TYPES or opp.account_partner_id is not None:
        return [Violation("RESELLER_ACCOUNT",
                          f"An opportunity belongs to the end customer's account, not to {opp.account_name!r} "
                          "(a reseller or partner organisation).", ("accountId",), "R1")]
    return []


def r2_reseller_nickname(opp: OpportunitySnapshot) -> list[Violation]:
    """R2: with an authorized reseller, the name starts with that partner's nickname and " - ".
    With several, the primary one names the deal (R7 reports a missing primary)."""
    resellers = opp.authorized_resellers
    primary = [p for p in resellers if p.is_primary]
    naming = primary[0] if primary else (resellers[0] if len(resellers) == 1 else None)
    if naming is None or opp.name.startswith(naming.name_prefix):
        return []
    return [Violation("NAME_NEEDS_RESELLER_NICKNAME",
                      f"With the authorized reseller {naming.name}, the name starts with "
                      f"{naming.name_prefix!r}, e.g. {naming.name_prefix + opp.name!r}.", ("name",), "R2")]


def r3_primary_contact_is_the_customers(opp: OpportunitySnapshot) -> list[Violation]:
    """R3: with contacts, exactly one is primary, and it is a contact of the end customer."""
    if not opp.contacts:
        return []
    primaries = opp.primary_contacts
    if len(primaries) != 1:
        return [Violation("ONE_PRIMARY_CONTACT", "Exactly one contact is the primary contact.", ("contacts",), "R3")]
    if primaries[0].account_id != opp.account_id:
        return [Violation("PRIMARY_CONTACT_NOT_CUSTOMER",
                          f"The primary contact is a contact of the customer's account, not {primaries[0].name}.",
                          ("contacts",), "R3")]
    return []


def r4_reseller_contacts_only_influence(opp: OpportunitySnapshot) -> list[Violation]:
    """R4: a contact from outside the customer's account (a reseller's) joins only as Influencer."""
    return [
        Violation("FOREIGN_CONTACT_ROLE",
                  f"{c.name} is not the customer's contact and joins only as Influencer.", ("contacts",), "R4")
        for c in opp.contacts
        if c.account_id != opp.account_id and c.role is not ContactRole.INFLUENCER
    ]


def r6_unofficial_reseller_never_primary(opp: OpportunitySnapshot) -> list[Violation]:
    """R6: an unofficial (not AUTHORIZED) reseller is never primary."""
    return [
        Violation("UNOFFICIAL_PRIMARY", f"{p.name} is not an authorized partner and cannot be primary.",
                  ("partnerId",), "R6")
        for p in opp.primary_partners if not p.authorized
    ]


def r7_one_primary_with_authorized_reseller(opp: OpportunitySnapshot) -> list[Violation]:
    """R7: if any authorized reseller is on the opportunity, exactly one partner is primary."""
    count = len(opp.primary_partners)
    if count > 1 or (opp.authorized_resellers and count != 1):
        return [Violation("ONE_PRIMARY_PARTNER",
                          f"With an authorized reseller on the deal exactly one partner is primary ({count} are).",
                          ("partnerId",), "R7")]
    return []


RULES: dict[str, Rule] = {
    "R1": r1_end_customer_account,
    "R2": r2_reseller_nickname,
    "R3": r3_primary_contact_is_the_customers,
    "R4": r4_reseller_contacts_only_influence,
    "R6": r6_unofficial_reseller_never_primary,
    "R7": r7_one_primary_with_authorized_reseller,
}


@hookimpl(trylast=True)
def cosell_validate_opportunity(opportunity: OpportunitySnapshot, context: ValidationContext) -> list[Violation]:
    return [v for rule_id, rule in RULES.items() if context.enabled(rule_id) for v in rule(opportunity)]
