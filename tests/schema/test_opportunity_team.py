"""Reseller opportunities through GraphQL: R1–R4, R6–R8 accepted and refused (refusals
carry the rule id and write nothing), explicit primaries, COSELL_DISABLE_RULES, who may
change a team, and R9 visibility of the team, primary partner and contacts."""

from itertools import permutations

import pytest

from partners.accounts.tables import Account
from partners.opportunities.tables import Opportunity, OpportunityPartner
from partners.people.enums import PartnerStatus
from server.testing import GraphQLClient, make_partner
from tests.schema.sales import (
    ERRORS,
    REMOVE_PARTNER,
    SET_PRIMARY,
    add_partner,
    add_partner_ok,
    create_account,
    create_contact,
    create_opportunity,
    gid,
    make_registrant_ok,
    only_error,
    pk,
)

UPDATE = f"""mutation($input: UpdateOpportunityInput!) {{
  updateOpportunity(input: $input) {{ opportunity {{ id name }} {ERRORS} }} }}"""
TEAM_OF = """query($id: ID!) { node(id: $id) { ... on Opportunity { name primaryReason primaryPartner { name }
  partners { role isPrimary partner { name } } contacts { role isPrimary contact { name } } } } }"""


async def team_rows(opportunity_id: str) -> list[tuple[int, str, bool]]:
    rows = await OpportunityPartner.select(OpportunityPartner.partner, OpportunityPartner.role,
                                           OpportunityPartner.is_primary).where(
        OpportunityPartner.opportunity == pk(opportunity_id)).order_by(OpportunityPartner.id)
    return [(r["partner"], r["role"], r["is_primary"]) for r in rows]


async def deal(gql, world, name: str = "Acme, Inc- 50 Premium", **fields) -> dict:
    acme = await create_account(gql, world)
    return await create_opportunity(gql, world, acme, name=name, **fields)


async def set_primary(gql, world, opportunity_id: str, partner: str | None, token: str = "ae", **extra) -> dict:
    partner_id = gid("Partner", world.partners[partner]) if partner else None
    body = await gql(SET_PRIMARY, {"input": {"opportunityId": opportunity_id, "partnerId": partner_id, **extra}},
                     token=world.tokens[token])
    return body["data"]["setPrimaryPartner"]


# ---------------------------------------------------------------- R1


async def test_r1_no_opportunity_on_a_reseller_or_partner_organisation_account(gql, world):
    reseller = await create_account(gql, world, name="Resell Co", type="RESELLER")
    alpha_org = await create_account(gql, world, name="Alpha Resellers Inc",
                                     partnerId=gid("Partner", world.partners["alpha"]))
    for account in (reseller, alpha_org):
        body = await gql("""mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
            opportunity { id } errors { code field rule } } }""", {"input": {"accountId": account, "name": "X"}},
                         token=world.tokens["ae"])
        error = only_error(body["data"]["createOpportunity"])
        assert (error["code"], error["rule"], error["field"]) == ("RESELLER_ACCOUNT", "R1", ["accountId"])
    assert await Opportunity.count() == 0, "nothing written"
    accepted = await deal(gql, world)
    assert accepted["accountName"] == "Acme, Inc"


async def test_r1_an_account_with_opportunities_does_not_become_a_reseller(gql, world):
    opp = await deal(gql, world)
    account = await Opportunity.select(Opportunity.account).where(Opportunity.id == pk(opp["id"])).first()
    body = await gql(f"""mutation($input: UpdateAccountInput!) {{ updateAccount(input: $input) {{ {ERRORS} }} }}""",
                     {"input": {"id": gid("Account", account["account"]), "type": "RESELLER"}},
                     token=world.tokens["sales_ops"])
    assert only_error(body["data"]["updateAccount"])["rule"] == "R1"
    row = await Account.select(Account.account_type).where(Account.id == account["account"]).first()
    assert row["account_type"] == "PROSPECT", "nothing written"


# ---------------------------------------------------------------- R2


async def test_r2_an_authorized_reseller_needs_its_nickname_in_front(gql, world):
    opp = await deal(gql, world)
    refused = await add_partner(gql, world, opp["id"], "alpha", "RESELLER")
    error = only_error(refused)
    assert (error["code"], error["rule"], error["field"]) == ("NAME_NEEDS_RESELLER_NICKNAME", "R2", ["name"])
    assert "ALPHA - Acme, Inc- 50 Premium" in error["message"]
    assert await team_rows(opp["id"]) == [], "nothing written"
    renamed = await gql(UPDATE, {"input": {"id": opp["id"], "name": "ALPHA - Acme, Inc- 50 Premium"}},
                        token=world.tokens["ae"])
    assert renamed["data"]["updateOpportunity"]["errors"] == []
    team = await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER")
    assert team["primaryPartner"]["name"] == "Alpha Resellers"
    back = await gql(UPDATE, {"input": {"id": opp["id"], "name": "Acme, Inc- 50 Premium"}}, token=world.tokens["ae"])
    assert only_error(back["data"]["updateOpportunity"])["rule"] == "R2"


async def test_r2_does_not_apply_to_unofficial_partners_or_influencers(gql, world):
    opp = await deal(gql, world)
    prospect = await make_partner("Gamma Prospects", nickname="GAMMA", status=PartnerStatus.PROSPECT)
    await add_partner_ok(gql, world, opp["id"], prospect, "RESELLER")
    await add_partner_ok(gql, world, opp["id"], "alpha", "INFLUENCER")


# ---------------------------------------------------------------- R3, R4


async def test_r3_r4_reseller_contacts_are_influencers_and_never_the_customers(gql, world):
    acme = await create_account(gql, world)
    alpha_org = await create_account(gql, world, name="Alpha Resellers Inc", type="RESELLER",
                                     partnerId=gid("Partner", world.partners["alpha"]))
    pat = await create_contact(gql, world, acme, "Pat Buyer")
    rita = await create_contact(gql, world, alpha_org, "Rita Reseller")
    values = {"accountId": acme, "name": "Acme, Inc- 50 Premium"}
    create = """mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
        opportunity { id } errors { code field rule } } }"""
    primary = await gql(create, {"input": {**values, "contacts": [
        {"contactId": rita, "role": "INFLUENCER", "isPrimary": True}]}}, token=world.tokens["ae"])
    assert only_error(primary["data"]["createOpportunity"])["rule"] == "R3"
    evaluator = await gql(create, {"input": {**values, "contacts": [
        {"contactId": pat, "role": "DECISION_MAKER", "isPrimary": True},
        {"contactId": rita, "role": "EVALUATOR"}]}}, token=world.tokens["ae"])
    assert only_error(evaluator["data"]["createOpportunity"])["rule"] == "R4"
    assert await Opportunity.count() == 0
    opp = await create_opportunity(gql, world, acme, contacts=[
        {"contactId": pat, "role": "DECISION_MAKER", "isPrimary": True}, {"contactId": rita, "role": "INFLUENCER"}])
    # Changing the contacts later is checked the same way.
    swapped = await gql(UPDATE, {"input": {"id": opp["id"], "contacts": [
        {"contactId": rita, "role": "INFLUENCER", "isPrimary": True}]}}, token=world.tokens["ae"])
    assert only_error(swapped["data"]["updateOpportunity"])["rule"] == "R3"
    # R4: the reseller's contact is never one of the customer's account.
    account = await gql("query($id: ID!) { node(id: $id) { ... on Account { contacts { name } } } }", {"id": acme},
                        token=world.tokens["ae"])
    assert account["data"]["node"]["contacts"] == [{"name": "Pat Buyer"}]
    # R9: Alpha's user sees the deal once Alpha resells it, and of its contacts only their own colleague.
    await gql(UPDATE, {"input": {"id": opp["id"], "name": "ALPHA - Acme, Inc- 50 Premium"}}, token=world.tokens["ae"])
    await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER")
    seen = (await gql(TEAM_OF, {"id": opp["id"]}, token=world.tokens["alpha_user"]))["data"]["node"]
    assert seen["contacts"] == [{"role": "INFLUENCER", "isPrimary": False, "contact": {"name": "Rita Reseller"}}]
    assert (await gql(TEAM_OF, {"id": opp["id"]}, token=world.tokens["beta_user"]))["data"]["node"] is None


# ---------------------------------------------------------------- R6, R7, R8 and explicit choices


async def test_r6_an_unofficial_partner_is_never_primary(gql, world):
    opp = await deal(gql, world, name="BETA - Acme, Inc- 50 Premium")
    prospect = await make_partner("Gamma Prospects", nickname="GAMMA", status=PartnerStatus.PROSPECT)
    explicit = await add_partner(gql, world, opp["id"], prospect, "FULFILLER", is_primary=True)
    assert (only_error(explicit)["code"], only_error(explicit)["rule"]) == ("UNOFFICIAL_PRIMARY", "R6")
    assert await team_rows(opp["id"]) == []
    automatic = await make_registrant_ok(gql, world, opp["id"], prospect)
    assert automatic["primaryPartner"] is None, "the unofficial registrant is not primary (R6, R8)"
    team = await add_partner_ok(gql, world, opp["id"], "beta", "DISTRIBUTOR")
    assert (team["primaryPartner"]["name"], team["primaryReason"]) == ("Beta Distribution", "distributor (R8)")
    refused = await set_primary(gql, world, opp["id"], None) and await gql(
        SET_PRIMARY, {"input": {"opportunityId": opp["id"], "partnerId": gid("Partner", prospect)}},
        token=world.tokens["ae"])
    assert only_error(refused["data"]["setPrimaryPartner"])["rule"] == "R6"
    assert [row[2] for row in await team_rows(opp["id"])] == [False, True], "nothing written"


async def test_p5_add_opportunity_partner_refuses_the_deal_registrant_role(gql, world):
    """Issue 16: only an approved registration makes a DEAL_REGISTRANT (P5, R8); adding one by
    hand is refused, whatever else is asked, and writes nothing."""
    opp = await deal(gql, world, name="ALPHA - Acme, Inc- 50 Premium")
    for primary in (False, True):
        refused = await add_partner(gql, world, opp["id"], "alpha", "DEAL_REGISTRANT", is_primary=primary,
                                    token="admin")
        error = only_error(refused)
        assert (error["code"], error["field"], error["rule"]) == (
            "REGISTRANT_NEEDS_APPROVED_REGISTRATION", ["role"], "P5")
        assert refused["opportunity"] is None
    assert await team_rows(opp["id"]) == []
    # The partner still sees nothing of the deal (R9): it was never put on the team.
    hidden = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": opp["id"]}, token=world.tokens["alpha_user"])
    assert hidden["data"]["node"] is None
    assert (await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER"))["primaryPartner"]["name"] == \
        "Alpha Resellers"


async def test_explicit_primary_against_r8_then_back_to_the_precedence(gql, world):
    opp = await deal(gql, world, name="ALPHA - Acme, Inc- 50 Premium")
    await make_registrant_ok(gql, world, opp["id"], "alpha")
    team = await add_partner(gql, world, opp["id"], "beta", "DISTRIBUTOR")
    assert team["opportunity"]["primaryReason"] == "deal registrant (R8)"
    # Choosing the distributor is allowed (R6, R7 hold) but R2 then wants its nickname,
    # and renaming alone is refused while Alpha is primary: both go in one write.
    assert only_error(await set_primary(gql, world, opp["id"], "beta"))["rule"] == "R2"
    renamed = await gql(UPDATE, {"input": {"id": opp["id"], "name": "BETA - Acme"}}, token=world.tokens["ae"])
    assert only_error(renamed["data"]["updateOpportunity"])["rule"] == "R2"
    chosen = await set_primary(gql, world, opp["id"], "beta", name="BETA - Acme, Inc- 50 Premium")
    assert chosen["errors"] == []
    assert chosen["opportunity"]["primaryPartner"]["name"] == "Beta Distribution"
    assert chosen["opportunity"]["primaryReason"] == "set by Ae"
    assert [p["isPrimary"] for p in chosen["opportunity"]["partners"]] == [False, True]
    # Removing the chosen partner returns to the precedence (renaming in the same write, R2).
    beta_id = gid("Partner", world.partners["beta"])
    body = await gql(REMOVE_PARTNER, {"input": {"opportunityId": opp["id"], "partnerId": beta_id}},
                     token=world.tokens["ae"])
    assert only_error(body["data"]["removeOpportunityPartner"])["rule"] == "R2"
    body = await gql(REMOVE_PARTNER, {"input": {"opportunityId": opp["id"], "partnerId": beta_id,
                                                "name": "ALPHA - Acme, Inc- 50 Premium"}}, token=world.tokens["ae"])
    removed = body["data"]["removeOpportunityPartner"]
    assert removed["errors"] == [] and removed["opportunity"]["primaryReason"] == "deal registrant (R8)"
    assert removed["opportunity"]["name"] == "ALPHA - Acme, Inc- 50 Premium"
    missing = await gql(REMOVE_PARTNER, {"input": {"opportunityId": opp["id"],
                                                   "partnerId": gid("Partner", world.partners["beta"])}},
                        token=world.tokens["ae"])
    assert only_error(missing["data"]["removeOpportunityPartner"])["code"] == "NOT_ON_TEAM"
    again = await add_partner(gql, world, opp["id"], "alpha", "FULFILLER")
    assert only_error(again)["code"] == "ALREADY_ON_TEAM"


@pytest.mark.parametrize("order", list(permutations(["DEAL_REGISTRANT", "FULFILLER", "DISTRIBUTOR"])),
                         ids=lambda roles: "-".join(roles))
async def test_r8_precedence_table_through_graphql(cosell_app_factory, world, order):
    """Any order of adding registrant, fulfiller and distributor: the primary after each
    addition is the highest of R8 present. R2 is switched off here (COSELL_DISABLE_RULES),
    since the name would have to follow every change of primary."""
    gamma = await make_partner("Gamma Fulfilment", nickname="GAMMA")
    partners = {"DEAL_REGISTRANT": world.partners["alpha"], "FULFILLER": gamma, "DISTRIBUTOR": world.partners["beta"]}
    names = {world.partners["alpha"]: "Alpha Resellers", gamma: "Gamma Fulfilment",
             world.partners["beta"]: "Beta Distribution"}
    async with cosell_app_factory(disabled_rules=frozenset({"R2"})) as client:
        gql = GraphQLClient(client)
        opp = await deal(gql, world)
        present = []
        for role in order:
            present.append(role)
            team = (await make_registrant_ok(gql, world, opp["id"], partners[role]) if role == "DEAL_REGISTRANT"
                    else await add_partner_ok(gql, world, opp["id"], partners[role], role))
            best = next(r for r in ("DEAL_REGISTRANT", "FULFILLER", "DISTRIBUTOR") if r in present)
            assert team["primaryPartner"]["name"] == names[partners[best]], (order, present)
            assert team["primaryReason"] == f"{best.lower().replace('_', ' ')} (R8)"
        unofficial = await make_partner("Delta Unofficial", nickname="DELTA", status=PartnerStatus.PROSPECT)
        team = await add_partner_ok(gql, world, opp["id"], unofficial, "RESELLER")
        assert team["primaryReason"] == "deal registrant (R8)"


async def test_disabled_rules_are_not_checked(cosell_app_factory, world):
    async with cosell_app_factory(disabled_rules=frozenset({"R2", "R1"})) as client:
        gql = GraphQLClient(client)
        reseller = await create_account(gql, world, name="Resell Co", type="RESELLER")
        opp = await create_opportunity(gql, world, reseller, name="No nickname")
        team = await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER")
        assert team["primaryPartner"]["name"] == "Alpha Resellers"


# ---------------------------------------------------------------- who may change a team; R9


async def test_only_staff_who_may_update_the_opportunity_change_its_team(gql, world):
    opp = await deal(gql, world, name="ALPHA - Acme, Inc- 50 Premium")
    await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER")
    for token in ("alpha_user", "beta_user", "cm_amer"):
        body = await gql(SET_PRIMARY, {"input": {"opportunityId": opp["id"]}}, token=world.tokens[token], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", token
    # Sales ops may (the distributor would outrank Alpha, so R2 asks for its nickname).
    body = await add_partner(gql, world, opp["id"], "beta", "DISTRIBUTOR", token="sales_ops")
    assert only_error(body)["rule"] == "R2"
    sdr = await gql(SET_PRIMARY, {"input": {"opportunityId": opp["id"]}}, token=world.tokens["sdr"], errors=True)
    assert sdr["errors"][0]["extensions"]["code"] == "FORBIDDEN", "not the owner or SDR of this deal"


async def test_r9_partner_users_see_the_team_primary_and_reason_only_for_their_own_partner(gql, world):
    opp = await deal(gql, world, name="ALPHA - Acme, Inc- 50 Premium")
    await make_registrant_ok(gql, world, opp["id"], "alpha")
    await add_partner_ok(gql, world, opp["id"], "beta", "RESELLER")
    alpha = (await gql(TEAM_OF, {"id": opp["id"]}, token=world.tokens["alpha_user"]))["data"]["node"]
    assert alpha["primaryPartner"] == {"name": "Alpha Resellers"} and alpha["primaryReason"] == "deal registrant (R8)"
    assert alpha["partners"] == [{"role": "DEAL_REGISTRANT", "isPrimary": True, "partner": {"name": "Alpha Resellers"}}]
    beta = (await gql(TEAM_OF, {"id": opp["id"]}, token=world.tokens["beta_user"]))["data"]["node"]
    assert beta["primaryPartner"] is None and beta["primaryReason"] is None, "not who else is primary, nor why"
    assert beta["partners"] == [{"role": "RESELLER", "isPrimary": False, "partner": {"name": "Beta Distribution"}}]
    listed = await gql("""{ opportunities { nodes { name accountName account { name }
        primaryPartner { name } partners { partner { name } } } } }""", token=world.tokens["beta_user"])
    assert listed["data"]["opportunities"]["nodes"] == [{
        "name": "ALPHA - Acme, Inc- 50 Premium", "accountName": "Acme, Inc", "account": None,
        "primaryPartner": None, "partners": [{"partner": {"name": "Beta Distribution"}}]}]
    staff = (await gql(TEAM_OF, {"id": opp["id"]}, token=world.tokens["cm_amer"]))["data"]["node"]
    assert [p["partner"]["name"] for p in staff["partners"]] == ["Alpha Resellers", "Beta Distribution"]
