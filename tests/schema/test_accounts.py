"""Accounts through GraphQL: A1–A10, roles and scoping."""

from datetime import timedelta

from partners.infra.clock import now
from partners.opportunities.tables import Opportunity
from tests.schema.sales import (
    ERRORS,
    create_account,
    create_opportunity,
    gid,
    only_error,
    pk,
    set_screening,
)

ACCOUNT = """
query($id: ID!) { node(id: $id) { ... on Account {
  id name segment effectiveEmployeeCount isGlobalDigitalSmb isFirstOrderTarget screeningStatus ranking
  employeeCounts { dataFox zoomInfo adminOverride reviewRequest { count sourceUrl } }
  territoryAddress { source city } addresses { source city }
  parent { id } ultimateParent { id } children { id name }
  owner { email } contacts { name } opportunities { name }
  ownershipTransfers { fromOwner { email } toOwner { email } opportunitiesHeldOver opportunitiesMoved }
} } }"""

UPDATE = f"""mutation($input: UpdateAccountInput!) {{
  updateAccount(input: $input) {{ account {{ id segment effectiveEmployeeCount ranking }} {ERRORS} }} }}"""
MOVE = f"""mutation($input: MoveAccountInput!) {{
  moveAccount(input: $input) {{ account {{ id segment parent {{ id }} ultimateParent {{ id }} }} {ERRORS} }} }}"""


async def account(gql, world, account_id: str, token: str = "ae") -> dict:
    return (await gql(ACCOUNT, {"id": account_id}, token=world.tokens[token]))["data"]["node"]


async def test_a1_segment_from_the_global_account_and_a3_datafox_first(gql, world):
    acme = await create_account(gql, world, employeesDataFox=150, employeesZoomInfo=5000)
    data = await account(gql, world, acme)
    assert data["effectiveEmployeeCount"] == 150  # A3: ZoomInfo only when DataFox is blank
    assert data["segment"] == "MID_MARKET"
    blank = await create_account(gql, world, name="Blank DataFox", employeesZoomInfo=5000)
    assert (await account(gql, world, blank))["effectiveEmployeeCount"] == 5000
    assert (await account(gql, world, blank))["segment"] == "LARGE"


async def test_a3_update_account_refuses_data_source_counts_for_every_role(gql, world):
    """Issue 16: DataFox and ZoomInfo counts are set by the import (createAccount) or through
    the review (A3), never typed over by updateAccount, not even by an admin."""
    acme = await create_account(gql, world, employeesDataFox=150, employeesZoomInfo=5000)
    for token in ("sales_ops", "admin"):
        for fields in ({"employeesDataFox": 5000}, {"employeesDataFox": None}, {"employeesZoomInfo": 10},
                       {"employeesDataFox": 5000, "employeesZoomInfo": 10, "name": "Acme Renamed"}):
            body = await gql(UPDATE, {"input": {"id": acme, **fields}}, token=world.tokens[token])
            payload = body["data"]["updateAccount"]
            assert payload["account"] is None
            assert {(e["code"], tuple(e["field"]), e["rule"]) for e in payload["errors"]} == {
                ("DATA_SOURCE_FIELD", (label,), "A3") for label in fields if label.startswith("employees")}
    data = await account(gql, world, acme)
    assert (data["effectiveEmployeeCount"], data["segment"]) == (150, "MID_MARKET")
    assert (await gql("query($id: ID!) { node(id: $id) { ... on Account { name } } }", {"id": acme},
                      token=world.tokens["ae"]))["data"]["node"]["name"] == "Acme, Inc"
    # The review is the way: requested by staff, applied by an admin.
    review = await gql("""mutation($input: RequestEmployeeCountReviewInput!) {
        requestEmployeeCountReview(input: $input) { errors { code } } }""",
                       {"input": {"id": acme, "count": 5000, "sourceUrl": "https://example.test/acme"}},
                       token=world.tokens["ae"])
    assert review["data"]["requestEmployeeCountReview"]["errors"] == []
    applied = await gql("""mutation($input: ApplyEmployeeCountOverrideInput!) {
        applyEmployeeCountOverride(input: $input) { errors { code } } }""", {"input": {"id": acme}},
                        token=world.tokens["admin"])
    assert applied["data"]["applyEmployeeCountOverride"]["errors"] == []
    assert (await account(gql, world, acme))["segment"] == "LARGE"


async def test_a2_every_member_adopts_the_hierarchy_maximum_on_change(gql, world):
    root = await create_account(gql, world, name="Globex", employeesDataFox=50)
    child = await create_account(gql, world, name="Globex DE", parentId=root, employeesDataFox=10)
    assert (await account(gql, world, child))["segment"] == "SMB"
    await create_account(gql, world, name="Globex FR", parentId=root, employeesDataFox=2500)
    assert (await account(gql, world, root))["segment"] == "LARGE"
    assert (await account(gql, world, child))["segment"] == "LARGE"
    data = await account(gql, world, root)
    assert sorted(c["name"] for c in data["children"]) == ["Globex DE", "Globex FR"]
    assert data["ultimateParent"]["id"] == root


async def test_a2_moving_an_account_recomputes_both_hierarchies(gql, world):
    small = await create_account(gql, world, name="Small Co", employeesDataFox=20)
    big = await create_account(gql, world, name="Big Co", employeesDataFox=120)
    big_child = await create_account(gql, world, name="Big Co Sub", parentId=big, employeesDataFox=5)
    body = await gql(MOVE, {"input": {"id": big, "parentId": small}}, token=world.tokens["sales_ops"])
    payload = body["data"]["moveAccount"]
    assert payload["errors"] == []
    assert payload["account"]["ultimateParent"]["id"] == small
    assert (await account(gql, world, small))["segment"] == "MID_MARKET"
    assert (await account(gql, world, big_child))["ultimateParent"]["id"] == small
    # back out: the small company is SMB again, Big Co keeps its own segment
    await gql(MOVE, {"input": {"id": big, "parentId": None}}, token=world.tokens["sales_ops"])
    assert (await account(gql, world, small))["segment"] == "SMB"
    assert (await account(gql, world, big_child))["segment"] == "MID_MARKET"


async def test_moving_an_account_under_its_descendant_is_refused(gql, world):
    root = await create_account(gql, world, name="Root")
    child = await create_account(gql, world, name="Child", parentId=root)
    body = await gql(MOVE, {"input": {"id": root, "parentId": child}}, token=world.tokens["sales_ops"])
    error = only_error(body["data"]["moveAccount"])
    assert (error["code"], error["rule"], error["field"]) == ("HIERARCHY_CYCLE", "A2", ["parentId"])
    assert (await account(gql, world, root))["parent"] is None


async def test_a3_user_count_is_a_review_request_applied_only_by_an_admin(gql, world):
    acme = await create_account(gql, world, employeesDataFox=40)
    body = await gql("""mutation($input: RequestEmployeeCountReviewInput!) {
        requestEmployeeCountReview(input: $input) { account { effectiveEmployeeCount } errors { code rule } } }""",
                     {"input": {"id": acme, "count": 400, "sourceUrl": "https://acme.test/about"}},
                     token=world.tokens["ae"])
    assert body["data"]["requestEmployeeCountReview"]["account"]["effectiveEmployeeCount"] == 40
    no_url = await gql("""mutation($input: RequestEmployeeCountReviewInput!) {
        requestEmployeeCountReview(input: $input) { errors { code rule field } } }""",
                       {"input": {"id": acme, "count": 400, "sourceUrl": ""}}, token=world.tokens["ae"])
    assert only_error(no_url["data"]["requestEmployeeCountReview"])["rule"] == "A3"

    apply = """mutation($input: ApplyEmployeeCountOverrideInput!) {
        applyEmployeeCountOverride(input: $input) { account { effectiveEmployeeCount segment } errors { code rule } } }"""
    refused = await gql(apply, {"input": {"id": acme}}, token=world.tokens["sales_ops"])
    assert only_error(refused["data"]["applyEmployeeCountOverride"]) == {"code": "ADMIN_ONLY", "rule": "A3"}
    applied = await gql(apply, {"input": {"id": acme}}, token=world.tokens["admin"])
    assert applied["data"]["applyEmployeeCountOverride"]["account"] == {"effectiveEmployeeCount": 400,
                                                                         "segment": "MID_MARKET"}
    data = await account(gql, world, acme)
    assert data["employeeCounts"] == {"dataFox": 40, "zoomInfo": None, "adminOverride": 400, "reviewRequest": None}


async def test_a4_territory_address_and_admin_only_override(gql, world):
    acme = await create_account(gql, world, addresses=[
        {"source": "BILLING", "city": "Boston"}, {"source": "ZOOMINFO", "city": "Austin"}])
    assert (await account(gql, world, acme))["territoryAddress"] == {"source": "ZOOMINFO", "city": "Austin"}
    override = {"id": acme, "addresses": [{"source": "ADMIN_OVERRIDE", "city": "Chicago"}]}
    refused = await gql(UPDATE, {"input": override}, token=world.tokens["sales_ops"])
    assert only_error(refused["data"]["updateAccount"])["rule"] == "A4"
    assert (await account(gql, world, acme))["territoryAddress"]["city"] == "Austin"
    await gql(UPDATE, {"input": override}, token=world.tokens["admin"])
    data = await account(gql, world, acme)
    assert data["territoryAddress"] == {"source": "ADMIN_OVERRIDE", "city": "Chicago"}
    assert len(data["addresses"]) == 3


async def test_a6_only_clear_accounts_can_be_updated(gql, world):
    acme = await create_account(gql, world, clear=False)
    body = await gql(UPDATE, {"input": {"id": acme, "name": "Acme Corp"}}, token=world.tokens["sales_ops"])
    error = only_error(body["data"]["updateAccount"])
    assert (error["code"], error["rule"]) == ("ACCOUNT_NOT_CLEARED", "A6")
    await set_screening(gql, world, acme, "CLEAR")
    body = await gql(UPDATE, {"input": {"id": acme, "name": "Acme Corp"}}, token=world.tokens["sales_ops"])
    assert body["data"]["updateAccount"]["errors"] == []
    await set_screening(gql, world, acme, "RED")
    body = await gql(UPDATE, {"input": {"id": acme, "name": "Acme Red"}}, token=world.tokens["sales_ops"])
    assert only_error(body["data"]["updateAccount"])["rule"] == "A6"
    assert (await account(gql, world, acme))["name"] == "Acme Corp"


async def test_a7_and_a8_derived_flags(gql, world):
    digital = await create_account(gql, world, name="Tiny", employeesDataFox=30, carr=5000, country="US")
    japan = await create_account(gql, world, name="Tiny JP", employeesDataFox=30, carr=5000, country="JP",
                                 region="APJ")
    first_order = await create_account(gql, world, name="Mid", employeesDataFox=600, firstOrderAvailable=True,
                                       country="CA")
    no_flag = await create_account(gql, world, name="Mid2", employeesDataFox=600, firstOrderAvailable=False)
    assert (await account(gql, world, digital))["isGlobalDigitalSmb"] is True
    assert (await account(gql, world, japan))["isGlobalDigitalSmb"] is False
    assert (await account(gql, world, first_order))["isFirstOrderTarget"] is True
    assert (await account(gql, world, no_flag))["isFirstOrderTarget"] is False


async def test_a9_smb_rankings_need_potential_users_or_a_note(gql, world):
    body = await gql(
        """mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } errors { code rule field } } }""",
        {"input": {"name": "Smb", "employeesDataFox": 20, "ranking": "RANK_1"}}, token=world.tokens["sales_ops"])
    error = only_error(body["data"]["createAccount"])
    assert (error["code"], error["rule"], error["field"]) == ("POTENTIAL_USERS_REQUIRED", "A9", ["potentialUsers"])
    assert body["data"]["createAccount"]["account"] is None
    listed = await gql("{ accounts { totalCount } }", token=world.tokens["ae"])
    assert listed["data"]["accounts"]["totalCount"] == 0, "nothing was written"
    smb = await create_account(gql, world, name="Smb", employeesDataFox=20, ranking="RANK_1", potentialUsers=30)
    refused = await gql(UPDATE, {"input": {"id": smb, "ranking": "RANK_3"}}, token=world.tokens["sales_ops"])
    assert only_error(refused["data"]["updateAccount"])["code"] == "RANKING_NOTE_REQUIRED"
    ok = await gql(UPDATE, {"input": {"id": smb, "ranking": "RANK_3", "rankingNote": "No budget this year"}},
                   token=world.tokens["sales_ops"])
    assert ok["data"]["updateAccount"]["account"]["ranking"] == "RANK_3"


async def test_a10_transfer_keeps_young_open_opportunities_with_their_owner(gql, world):
    acme = await create_account(gql, world, ownerId=gid("User", world.user_ids["ae"]))
    young = await create_opportunity(gql, world, acme, name="Young")
    old = await create_opportunity(gql, world, acme, name="Old")
    await Opportunity.update({Opportunity.created_at: now() - timedelta(days=200)}).where(
        Opportunity.id == pk(old["id"]))
    transfer = """mutation($input: TransferAccountOwnershipInput!) { transferAccountOwnership(input: $input) {
        account { owner { email } } transfer { opportunitiesHeldOver opportunitiesMoved } errors { code rule } } }"""
    new_owner = gid("User", world.user_ids["sales_ops"])
    body = await gql(transfer, {"input": {"id": acme, "newOwnerId": new_owner}}, token=world.tokens["admin"])
    payload = body["data"]["transferAccountOwnership"]
    assert payload["account"]["owner"]["email"] == "sales_ops@cosell.test"
    assert payload["transfer"] == {"opportunitiesHeldOver": 1, "opportunitiesMoved": 1}
    owners = await gql("""query($ids: [ID!]!) { nodes(ids: $ids) { ... on Opportunity { name owner { email }
        ownerHoldoverUntil } } }""", {"ids": [young["id"], old["id"]]}, token=world.tokens["admin"])
    young_now, old_now = owners["data"]["nodes"]
    assert young_now["owner"]["email"] == "ae@cosell.test" and young_now["ownerHoldoverUntil"] is not None
    assert old_now["owner"]["email"] == "sales_ops@cosell.test"
    data = await account(gql, world, acme, token="admin")
    assert data["ownershipTransfers"][0]["fromOwner"]["email"] == "ae@cosell.test"
    again = await gql(transfer, {"input": {"id": acme, "newOwnerId": new_owner}}, token=world.tokens["admin"])
    assert only_error(again["data"]["transferAccountOwnership"])["rule"] == "A10"

    # Day 180 has passed: the held-over opportunity goes to the account's owner (A10).
    from partners.opportunities.holdover import hand_over_expired_holdovers

    assert await hand_over_expired_holdovers(at=now() + timedelta(days=1)) == 0
    assert await hand_over_expired_holdovers(at=now() + timedelta(days=181)) == 1
    handed = await gql("""query($id: ID!) { node(id: $id) { ... on Opportunity { owner { email }
        ownerHoldoverUntil } } }""", {"id": young["id"]}, token=world.tokens["admin"])
    assert handed["data"]["node"] == {"owner": {"email": "sales_ops@cosell.test"}, "ownerHoldoverUntil": None}
    assert await hand_over_expired_holdovers(at=now() + timedelta(days=181)) == 0


async def test_only_admin_and_sales_ops_manage_accounts(gql, world):
    body = await gql("""mutation { createAccount(input: {name: "Nope"}) { account { id } } }""",
                     token=world.tokens["ae"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql("""mutation { createAccount(input: {name: "Nope"}) { account { id } } }""",
                     token=world.tokens["alpha_user"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await create_account(gql, world, token="admin", name="Yes")


async def test_accounts_filters_and_search(gql, world):
    await create_account(gql, world, name="Initech Large", employeesDataFox=5000, region="EMEA", country="DE")
    await create_account(gql, world, name="Initech Small", employeesDataFox=5, type="CUSTOMER")
    await create_account(gql, world, name="Hooli", employeesDataFox=500)
    query = "query($f: AccountFilter) { accounts(filter: $f) { totalCount nodes { name } } }"

    async def names(f):
        return [n["name"] for n in (await gql(query, {"f": f}, token=world.tokens["cm_amer"]))["data"]["accounts"]["nodes"]]

    assert await names({"search": "initech"}) == ["Initech Large", "Initech Small"]
    assert await names({"segment": "LARGE"}) == ["Initech Large"]
    assert await names({"region": "EMEA"}) == ["Initech Large"]
    assert await names({"type": "CUSTOMER"}) == ["Initech Small"]
    assert await names({"search": "initech", "segment": "SMB"}) == ["Initech Small"]


async def test_partner_users_see_no_accounts_by_any_path(gql, world):
    acme = await create_account(gql, world)
    token = world.tokens["alpha_user"]
    listed = await gql("{ accounts { totalCount nodes { id } } }", token=token)
    assert listed["data"]["accounts"] == {"totalCount": 0, "nodes": []}
    assert (await gql(ACCOUNT, {"id": acme}, token=token))["data"]["node"] is None
    staff = await gql("{ accounts { totalCount } }", token=world.tokens["sdr"])
    assert staff["data"]["accounts"]["totalCount"] == 1


async def test_contacts_are_created_by_sales_and_hidden_from_partner_users(gql, world):
    acme = await create_account(gql, world)
    body = await gql(f"""mutation {{ createContact(input: {{accountId: "{acme}", name: "Pat", email: "not-an-email"}})
        {{ contact {{ id }} {ERRORS} }} }}""", token=world.tokens["sdr"])
    assert only_error(body["data"]["createContact"])["field"] == ["email"]
    body = await gql(f"""mutation {{ createContact(input: {{accountId: "{acme}", name: "Pat Buyer", email: "Pat@Acme.test",
        title: "CTO"}}) {{ contact {{ id email account {{ name }} }} {ERRORS} }} }}""", token=world.tokens["sdr"])
    contact = body["data"]["createContact"]["contact"]
    assert contact["email"] == "pat@acme.test" and contact["account"]["name"] == "Acme, Inc"
    assert [c["name"] for c in (await account(gql, world, acme))["contacts"]] == ["Pat Buyer"]
    hidden = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": contact["id"]},
                       token=world.tokens["alpha_user"])
    assert hidden["data"]["node"] is None
    updated = await gql(f"""mutation {{ updateContact(input: {{id: "{contact['id']}", title: "CEO"}})
        {{ contact {{ title }} {ERRORS} }} }}""", token=world.tokens["ae"])
    assert updated["data"]["updateContact"]["contact"]["title"] == "CEO"
