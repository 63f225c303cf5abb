"""The built-in reseller rules (R1–R4, R6, R7) and the precedence (R8) as pure functions."""

from dataclasses import replace
from itertools import permutations

import pytest

from partners.accounts.enums import AccountType
from partners.opportunities.enums import (
    ContactRole,
    OpportunityPartnerRole as TeamRole,
    OpportunityStage,
    OpportunityType,
)
from partners.opportunities.reseller import OpportunitySnapshot, TeamContact, TeamPartner
from partners.people.enums import PartnerStatus
from plugins.builtin import precedence as p, reseller_rules as r

CUSTOMER = 1


def partner(pid: int, role: TeamRole, *, authorized: bool = True, primary: bool = False, chosen_by: str = ""):
    return TeamPartner(partner_id=pid, name=f"Partner {pid}", nickname=f"P{pid}",
                       status=PartnerStatus.AUTHORIZED if authorized else PartnerStatus.PROSPECT, role=role,
                       is_primary=primary, chosen_by=chosen_by)


def contact(cid: int, *, account: int = CUSTOMER, role: ContactRole = ContactRole.OTHER, primary: bool = False,
            partner_id: int | None = None):
    return TeamContact(contact_id=cid, name=f"Contact {cid}", account_id=account, partner_id=partner_id, role=role,
                       is_primary=primary)


def opp(*, name: str = "Acme, Inc- 50 Premium", partners=(), contacts=(), account_type=AccountType.CUSTOMER,
        account_partner_id=None) -> OpportunitySnapshot:
    return OpportunitySnapshot(
        id=1, name=name, opportunity_type=OpportunityType.NEW_BUSINESS, stage=OpportunityStage.PENDING_ACCEPTANCE,
        account_id=CUSTOMER, account_name="Acme, Inc", account_type=account_type,
        account_partner_id=account_partner_id, partners=tuple(partners), contacts=tuple(contacts))


def rules_of(violations) -> list[str]:
    return [v.rule for v in violations]


@pytest.mark.parametrize("account_type", [AccountType.RESELLER, AccountType.PROSPECTIVE_RESELLER,
                                          AccountType.INTEGRATOR])
def test_r1_refuses_channel_type_accounts(account_type):
    assert rules_of(r.r1_end_customer_account(opp(account_type=account_type))) == ["R1"]


def test_r1_refuses_a_partner_organisation_and_accepts_end_customers():
    assert rules_of(r.r1_end_customer_account(opp(account_partner_id=7))) == ["R1"]
    for account_type in (AccountType.PROSPECT, AccountType.CUSTOMER, AccountType.FORMER_CUSTOMER):
        assert r.r1_end_customer_account(opp(account_type=account_type)) == []


def test_r2_name_starts_with_the_authorized_resellers_nickname():
    team = [partner(4, TeamRole.RESELLER, primary=True)]
    assert r.r2_reseller_nickname(opp(name="P4 - Acme, Inc- 50 Premium", partners=team)) == []
    (v,) = r.r2_reseller_nickname(opp(partners=team))
    assert (v.code, v.rule, v.field) == ("NAME_NEEDS_RESELLER_NICKNAME", "R2", ("name",))
    assert "P4 - Acme, Inc- 50 Premium" in v.message
    assert r.r2_reseller_nickname(opp(name="P4-Acme", partners=team)), "nickname and ' - '"


def test_r2_ignores_unofficial_partners_and_influencers_and_uses_the_primary():
    assert r.r2_reseller_nickname(opp(partners=[partner(4, TeamRole.RESELLER, authorized=False)])) == []
    assert r.r2_reseller_nickname(opp(partners=[partner(4, TeamRole.INFLUENCER)])) == []
    team = [partner(4, TeamRole.DISTRIBUTOR), partner(5, TeamRole.DEAL_REGISTRANT, primary=True)]
    assert r.r2_reseller_nickname(opp(name="P5 - Acme", partners=team)) == []
    assert rules_of(r.r2_reseller_nickname(opp(name="P4 - Acme", partners=team))) == ["R2"]


def test_r3_one_primary_contact_of_the_customer():
    assert r.r3_primary_contact_is_the_customers(opp()) == []
    assert r.r3_primary_contact_is_the_customers(opp(contacts=[contact(1, primary=True), contact(2)])) == []
    assert rules_of(r.r3_primary_contact_is_the_customers(opp(contacts=[contact(1), contact(2)]))) == ["R3"]
    two = [contact(1, primary=True), contact(2, primary=True)]
    assert [v.code for v in r.r3_primary_contact_is_the_customers(opp(contacts=two))] == ["ONE_PRIMARY_CONTACT"]
    resellers = [contact(1, account=9, partner_id=4, role=ContactRole.INFLUENCER, primary=True)]
    (v,) = r.r3_primary_contact_is_the_customers(opp(contacts=resellers))
    assert (v.code, v.rule) == ("PRIMARY_CONTACT_NOT_CUSTOMER", "R3")


def test_r4_reseller_contacts_only_as_influencer():
    ok = [contact(1, primary=True), contact(2, account=9, partner_id=4, role=ContactRole.INFLUENCER)]
    assert r.r4_reseller_contacts_only_influence(opp(contacts=ok)) == []
    bad = [contact(1, primary=True), contact(2, account=9, partner_id=4, role=ContactRole.EVALUATOR)]
    assert [(v.code, v.rule) for v in r.r4_reseller_contacts_only_influence(opp(contacts=bad))] == [
        ("FOREIGN_CONTACT_ROLE", "R4")]


def test_r6_unofficial_partner_never_primary():
    assert r.r6_unofficial_reseller_never_primary(opp(partners=[partner(1, TeamRole.FULFILLER, primary=True)])) == []
    unofficial = [partner(1, TeamRole.FULFILLER, authorized=False, primary=True)]
    assert rules_of(r.r6_unofficial_reseller_never_primary(opp(partners=unofficial))) == ["R6"]


def test_r7_exactly_one_primary_with_an_authorized_reseller():
    assert r.r7_one_primary_with_authorized_reseller(opp()) == []
    assert r.r7_one_primary_with_authorized_reseller(opp(partners=[partner(1, TeamRole.INFLUENCER)])) == []
    assert r.r7_one_primary_with_authorized_reseller(opp(partners=[partner(1, TeamRole.RESELLER,
                                                                          authorized=False)])) == []
    assert rules_of(r.r7_one_primary_with_authorized_reseller(opp(partners=[partner(1, TeamRole.RESELLER)]))) == ["R7"]
    two = [partner(1, TeamRole.RESELLER, primary=True), partner(2, TeamRole.FULFILLER, primary=True)]
    assert rules_of(r.r7_one_primary_with_authorized_reseller(opp(partners=two))) == ["R7"]
    one = [partner(1, TeamRole.RESELLER, primary=True), partner(2, TeamRole.FULFILLER)]
    assert r.r7_one_primary_with_authorized_reseller(opp(partners=one)) == []


def test_disabled_rules_do_not_run():
    from partners.opportunities.reseller import ValidationContext

    bad = opp(account_type=AccountType.RESELLER, partners=[partner(1, TeamRole.RESELLER)])
    all_rules = r.cosell_validate_opportunity(bad, ValidationContext("test"))
    assert sorted(rules_of(all_rules)) == ["R1", "R2", "R7"]
    some = r.cosell_validate_opportunity(bad, ValidationContext("test", disabled_rules=frozenset({"R1", "R7"})))
    assert rules_of(some) == ["R2"]


ORDER = (TeamRole.DEAL_REGISTRANT, TeamRole.FULFILLER, TeamRole.DISTRIBUTOR)


@pytest.mark.parametrize("added", list(permutations(ORDER)), ids=lambda roles: "-".join(x.value for x in roles))
def test_r8_precedence_whatever_the_order_they_were_added(added):
    team = [partner(i, role) for i, role in enumerate(added)]
    for present in range(3, 0, -1):
        # With the registrant, then without it, then with the distributor alone (R8).
        kept = [t for t in team if t.role in ORDER[3 - present:]]
        choice = p.precedence(kept)
        assert choice.partner.role is ORDER[3 - present]
        assert choice.reason == f"{ORDER[3 - present].value.lower().replace('_', ' ')} (R8)"


@pytest.mark.parametrize("added", list(permutations(ORDER)), ids=lambda roles: "-".join(x.value for x in roles))
def test_r8_unofficial_partners_are_never_primary(added):
    team = [partner(i, role, authorized=role is not TeamRole.DEAL_REGISTRANT) for i, role in enumerate(added)]
    assert p.precedence(team).partner.role is TeamRole.FULFILLER
    unofficial = [replace(t, status=PartnerStatus.DENIED) for t in team]
    assert p.precedence(unofficial) is None


def test_r8_reseller_role_only_and_explicit_choice():
    assert p.precedence([partner(1, TeamRole.INFLUENCER)]) is None
    choice = p.precedence([partner(1, TeamRole.INFLUENCER), partner(2, TeamRole.RESELLER)])
    assert (choice.partner.partner_id, choice.reason) == (2, "authorized reseller (R7)")
    team = [partner(1, TeamRole.DEAL_REGISTRANT), partner(2, TeamRole.DISTRIBUTOR, chosen_by="Ann AE")]
    chosen = p.cosell_primary_partner(opp(partners=team), team)
    assert (chosen.partner.partner_id, chosen.reason) == (2, "set by Ann AE")
    assert p.cosell_primary_partner(opp(), []) is None
