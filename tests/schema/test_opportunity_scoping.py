"""R9: partner users see only opportunities their partner is on as reseller or deal
registrant, by every path; and nested lists load without N+1."""

from partners.opportunities.enums import OpportunityPartnerRole as Role
from tests.schema.sales import (
    add_partner_ok,
    create_account,
    create_contact,
    create_opportunity,
    make_registrant_ok,
    put_partner,
)

LIST = "{ opportunities { totalCount nodes { id name accountName account { id } partners { role partner { name } } } } }"
NODE = "query($id: ID!) { node(id: $id) { ... on Opportunity { id name accountName account { id } } } }"


async def _deals(gql, world):
    acme = await create_account(gql, world)
    alpha_resale = await create_opportunity(gql, world, acme, name="ALPHA - Alpha resale")  # R2
    beta_registered = await create_opportunity(gql, world, acme, name="BETA - Beta registered")
    alpha_influencer = await create_opportunity(gql, world, acme, name="Alpha influences")
    await add_partner_ok(gql, world, alpha_resale["id"], "alpha", "RESELLER", is_primary=True)
    await add_partner_ok(gql, world, alpha_resale["id"], "beta", "DISTRIBUTOR")
    await make_registrant_ok(gql, world, beta_registered["id"], "beta")
    await add_partner_ok(gql, world, alpha_influencer["id"], "alpha", "INFLUENCER")
    return acme, alpha_resale, beta_registered, alpha_influencer


async def test_r9_partner_users_see_only_their_reseller_or_registered_opportunities(gql, world):
    acme, alpha_resale, beta_registered, alpha_influencer = await _deals(gql, world)
    alpha = (await gql(LIST, token=world.tokens["alpha_user"]))["data"]["opportunities"]
    assert alpha["totalCount"] == 1
    (seen,) = alpha["nodes"]
    assert seen["name"] == "ALPHA - Alpha resale" and seen["accountName"] == "Acme, Inc"
    assert seen["account"] is None, "partner users see the account's name only"
    assert seen["partners"] == [{"role": "RESELLER", "partner": {"name": "Alpha Resellers"}}], \
        "never which other partners are on the deal"
    beta = (await gql(LIST, token=world.tokens["beta_user"]))["data"]["opportunities"]
    assert [n["name"] for n in beta["nodes"]] == ["BETA - Beta registered"]
    staff = (await gql(LIST, token=world.tokens["cm_amer"]))["data"]["opportunities"]
    assert staff["totalCount"] == 3
    assert all(n["account"] == {"id": acme} for n in staff["nodes"])


async def test_r9_node_and_nodes_do_not_leak(gql, world):
    _, alpha_resale, beta_registered, alpha_influencer = await _deals(gql, world)
    token = world.tokens["alpha_user"]
    assert (await gql(NODE, {"id": alpha_resale["id"]}, token=token))["data"]["node"]["name"] == "ALPHA - Alpha resale"
    assert (await gql(NODE, {"id": beta_registered["id"]}, token=token))["data"]["node"] is None
    assert (await gql(NODE, {"id": alpha_influencer["id"]}, token=token))["data"]["node"] is None
    nodes = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                      {"ids": [alpha_resale["id"], beta_registered["id"]]}, token=world.tokens["beta_user"])
    assert nodes["data"]["nodes"] == [None, {"id": beta_registered["id"]}]


async def test_r9_nested_paths_and_filters_do_not_leak(gql, world):
    acme, alpha_resale, beta_registered, _ = await _deals(gql, world)
    token = world.tokens["alpha_user"]
    # An opportunity Alpha sees links to one it may not see: the link is null.
    await gql(f"""mutation {{ moveOpportunityStage(input: {{id: "{beta_registered['id']}", stage: DUPLICATE,
        duplicateOfId: "{alpha_resale['id']}"}}) {{ errors {{ code }} }} }}""", token=world.tokens["ae"])
    await gql(f"""mutation {{ moveOpportunityStage(input: {{id: "{alpha_resale['id']}", stage: DUPLICATE,
        duplicateOfId: "{beta_registered['id']}"}}) {{ errors {{ code }} }} }}""", token=world.tokens["ae"])
    body = await gql(NODE.replace("account { id }", "duplicateOf { id } contacts { role } stageHistory { toStage }"),
                     {"id": alpha_resale["id"]}, token=token)
    seen = body["data"]["node"]
    assert seen["duplicateOf"] is None and seen["contacts"] == []
    assert [h["toStage"] for h in seen["stageHistory"]] == ["PENDING_ACCEPTANCE", "DUPLICATE"]
    # Account criteria go through the account scope: nothing for partner users.
    filtered = await gql("query($f: OpportunityFilter) { opportunities(filter: $f) { totalCount } }",
                         {"f": {"accountId": acme}}, token=token)
    assert filtered["data"]["opportunities"]["totalCount"] == 0
    by_name = await gql("query($f: OpportunityFilter) { opportunities(filter: $f) { totalCount } }",
                        {"f": {"search": "Beta"}}, token=token)
    assert by_name["data"]["opportunities"]["totalCount"] == 0


async def test_a_partner_user_cannot_move_a_visible_opportunity_it_does_not_own(gql, world):
    _, alpha_resale, beta_registered, _ = await _deals(gql, world)
    mutation = """mutation($input: MoveOpportunityStageInput!) { moveOpportunityStage(input: $input) {
        errors { code field } } }"""
    hidden = await gql(mutation, {"input": {"id": beta_registered["id"], "stage": "UNQUALIFIED"}},
                       token=world.tokens["alpha_user"])
    assert hidden["data"]["moveOpportunityStage"]["errors"][0]["code"] == "NOT_FOUND"
    visible = await gql(mutation, {"input": {"id": alpha_resale["id"], "stage": "UNQUALIFIED"}},
                        token=world.tokens["alpha_user"], errors=True)
    assert visible["errors"][0]["extensions"]["code"] == "FORBIDDEN"


DEEP = """query($first: Int) { opportunities(first: $first) { nodes {
  id name account { name segment territoryAddress { city } } owner { email } sdr { email }
  contacts { role isPrimary contact { name } } partners { role partner { name } } stageHistory { toStage }
  primaryPartner { name } primaryReason
} } }"""


async def test_statement_count_does_not_grow_with_the_page(gql, world):
    acme = await create_account(gql, world, addresses=[{"source": "BILLING", "city": "Boston"}])
    contact = await create_contact(gql, world, acme)
    for i in range(100):
        opp = await create_opportunity(gql, world, acme, name=f"Deal {i}", token="sdr",
                                       contacts=[{"contactId": contact, "role": "DECISION_MAKER", "isPrimary": True}])
        await put_partner(opp["id"], world.partners["alpha" if i % 2 else "beta"], Role.RESELLER)
    ten = await gql(DEEP, {"first": 10}, token=world.tokens["admin"])
    hundred = await gql(DEEP, {"first": 100}, token=world.tokens["admin"])
    assert len(hundred["data"]["opportunities"]["nodes"]) == 100
    assert hundred["data"]["opportunities"]["nodes"][0]["partners"][0]["partner"]["name"]
    assert ten["extensions"]["sqlStatements"] == hundred["extensions"]["sqlStatements"]
    assert hundred["extensions"]["sqlStatements"] <= 12


async def test_staff_get_a_links_contact_and_partner_with_the_link_itself(gql, world):
    """Staff may read every account, contact and partner: a page brings its nodes'
    accounts and its links bring theirs (one join each), so asking for them costs no
    statement more; by `node` too. Partner users' pages and links do not (their scopes
    decide, tests above)."""
    acme = await create_account(gql, world)
    contact = await create_contact(gql, world, acme)
    opp = await create_opportunity(gql, world, acme, name="Linked", token="sdr",
                                   contacts=[{"contactId": contact, "role": "DECISION_MAKER", "isPrimary": True}])
    await put_partner(opp["id"], world.partners["alpha"], Role.RESELLER)
    links = "{ opportunities(first: 5) { nodes { contacts { role } partners { role } } } }"
    linked = ("{ opportunities(first: 5) { nodes { account { name } contacts { role contact { name email } } "
              "partners { role partner { name } } } } }")
    without = await gql(links, token=world.tokens["admin"])
    body = await gql(linked, token=world.tokens["admin"])
    (node,) = body["data"]["opportunities"]["nodes"]
    assert node["partners"] == [{"role": "RESELLER", "partner": {"name": "Alpha Resellers"}}]
    assert node["account"]["name"]
    assert node["contacts"][0]["role"] == "DECISION_MAKER" and node["contacts"][0]["contact"]["name"]
    assert body["extensions"]["sqlStatements"] == without["extensions"]["sqlStatements"]
    by_node = await gql("query($id: ID!) { node(id: $id) { ... on Opportunity { partners { partner { name } } "
                        "contacts { contact { email } } } } }", {"id": opp["id"]}, token=world.tokens["ae"])
    assert by_node["data"]["node"]["partners"] == [{"partner": {"name": "Alpha Resellers"}}]
    assert by_node["data"]["node"]["contacts"] == [{"contact": {"email": node["contacts"][0]["contact"]["email"]}}]


O11_FLAGS = ["requiresClosePlan", "requiresCommandPlan", "requiresOpportunityConsult", "inRedGreenReview",
             "countsAsNewLogo"]
FLAGS_QUERY = "{ opportunities { nodes { name amount %s } } }" % " ".join(O11_FLAGS)


async def test_o11_flags_are_internal_partner_users_read_null(gql, world):
    """O11 thresholds are the vendor's internal sales rules: staff read the flags, a partner
    user who sees the opportunity (R9) reads null for each, without an error, and still gets
    the opportunity's other fields."""
    smb = await create_account(gql, world, name="Smb", employeesDataFox=20, potentialUsers=80)
    deal = await create_opportunity(gql, world, smb, name="ALPHA - Smb- 50 Premium", amount=6000.0, netArr=12000.0)
    await add_partner_ok(gql, world, deal["id"], "alpha", "RESELLER", is_primary=True)

    staff = await gql(FLAGS_QUERY, token=world.tokens["ae"])
    (seen_by_staff,) = staff["data"]["opportunities"]["nodes"]
    assert [seen_by_staff[f] for f in O11_FLAGS] == [True, True, True, True, True]

    partner = await gql(FLAGS_QUERY, token=world.tokens["alpha_user"])
    assert "errors" not in partner
    (seen_by_partner,) = partner["data"]["opportunities"]["nodes"]
    assert seen_by_partner["name"] == "ALPHA - Smb- 50 Premium" and seen_by_partner["amount"] == 6000.0
    assert [seen_by_partner[f] for f in O11_FLAGS] == [None] * len(O11_FLAGS)
    node = await gql("query($id: ID!) { node(id: $id) { ... on Opportunity { requiresClosePlan countsAsNewLogo } } }",
                     {"id": deal["id"]}, token=world.tokens["alpha_user"])
    assert node["data"]["node"] == {"requiresClosePlan": None, "countsAsNewLogo": None}
