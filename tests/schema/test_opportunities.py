"""Opportunities through GraphQL: O1–O11, A6 on closing won, roles."""

from datetime import timedelta

from partners.infra.clock import now
from partners.opportunities.tables import Opportunity
from tests.schema.sales import (
    CREATE_OPPORTUNITY,
    ERRORS,
    create_account,
    create_contact,
    create_opportunity,
    gid,
    move,
    move_ok,
    only_error,
    pk,
    set_screening,
)

OPP = """query($id: ID!) { node(id: $id) { ... on Opportunity {
  id name stage stageLabel type salesQualifiedSource accountName requiresClosePlan requiresCommandPlan
  requiresOpportunityConsult inRedGreenReview countsAsNewLogo
  stageHistory { fromStage toStage changedBy { email } }
  contacts { role isPrimary contact { name } }
  parent { id }
} } }"""


async def opportunity(gql, world, opp_id: str, token: str = "ae") -> dict:
    return (await gql(OPP, {"id": opp_id}, token=world.tokens[token]))["data"]["node"]


async def refused_create(gql, world, values: dict, token: str = "ae") -> dict:
    body = await gql(CREATE_OPPORTUNITY, {"input": values}, token=world.tokens[token])
    payload = body["data"]["createOpportunity"]
    assert payload["opportunity"] is None
    return only_error(payload)


async def test_o2_new_opportunities_start_at_00_or_0(gql, world):
    acme = await create_account(gql, world)
    error = await refused_create(gql, world, {"accountId": acme, "name": "X", "stage": "DISCOVERY"})
    assert (error["code"], error["rule"]) == ("INVALID_START_STAGE", "O2")
    pre = await create_opportunity(gql, world, acme, stage="PRE_OPPORTUNITY")
    assert pre["stage"] == "PRE_OPPORTUNITY"
    skipped = await move(gql, world, pre["id"], "DISCOVERY")
    assert only_error(skipped)["rule"] == "O2"
    await move_ok(gql, world, pre["id"], "PENDING_ACCEPTANCE", "DISCOVERY")


async def test_o3_acceptance_needs_an_amount_and_sets_the_accepted_date(gql, world):
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme, amount=None)
    error = only_error(await move(gql, world, opp["id"], "DISCOVERY"))
    assert (error["code"], error["rule"], error["field"]) == ("AMOUNT_REQUIRED", "O3", ["amount"])
    await gql(f"""mutation {{ updateOpportunity(input: {{id: "{opp['id']}", amount: 5000}}) {{ {ERRORS} }} }}""",
              token=world.tokens["ae"])
    moved = await move_ok(gql, world, opp["id"], "DISCOVERY")
    assert moved["salesAcceptedAt"] is not None and moved["salesQualified"] is False
    assert only_error(await move(gql, world, opp["id"], "UNQUALIFIED"))["rule"] == "O3"


async def test_o3_unqualified_from_pending_acceptance(gql, world):
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme)
    moved = await move_ok(gql, world, opp["id"], "UNQUALIFIED")
    assert moved["stage"] == "UNQUALIFIED" and moved["closedAt"] is not None


async def test_o4_leaving_discovery_qualifies_and_snapshots_initial_iacv(gql, world):
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme, netArr=9000.0)
    moved = await move_ok(gql, world, opp["id"], "DISCOVERY", "SCOPING")
    assert moved["salesQualified"] is True and moved["salesQualifiedAt"] is not None
    assert moved["initialIacv"] == 9000.0
    await gql(f"""mutation {{ updateOpportunity(input: {{id: "{opp['id']}", netArr: 20000}}) {{ {ERRORS} }} }}""",
              token=world.tokens["ae"])
    later = await move_ok(gql, world, opp["id"], "PROPOSAL")
    assert later["initialIacv"] == 9000.0, "the snapshot is taken once"
    history = (await opportunity(gql, world, opp["id"]))["stageHistory"]
    assert [h["toStage"] for h in history] == ["PENDING_ACCEPTANCE", "DISCOVERY", "SCOPING", "PROPOSAL"]
    assert history[1] == {"fromStage": "PENDING_ACCEPTANCE", "toStage": "DISCOVERY", "changedBy": {"email": "ae@cosell.test"}}


async def test_o5_a_qualified_opportunity_never_returns(gql, world):
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme)
    await move_ok(gql, world, opp["id"], "DISCOVERY", "SCOPING")
    error = only_error(await move(gql, world, opp["id"], "PENDING_ACCEPTANCE"))
    assert (error["code"], error["rule"]) == ("ALREADY_QUALIFIED", "O5")
    await move_ok(gql, world, opp["id"], "DISCOVERY")


async def test_o6_duplicates(gql, world):
    acme = await create_account(gql, world)
    original = await create_opportunity(gql, world, acme, name="Original")
    dup = await create_opportunity(gql, world, acme, name="Dup")
    assert only_error(await move(gql, world, dup["id"], "DUPLICATE"))["field"] == ["duplicateOfId"]
    result = await move(gql, world, dup["id"], "DUPLICATE", duplicateOfId=original["id"])
    assert result["errors"] == [] and result["opportunity"]["duplicateOf"]["id"] == original["id"]
    await move_ok(gql, world, original["id"], "DISCOVERY")
    other = await create_opportunity(gql, world, acme, name="Other")
    refused = only_error(await move(gql, world, original["id"], "DUPLICATE", duplicateOfId=other["id"]))
    assert (refused["code"], refused["rule"]) == ("ACCEPTED_CANNOT_BE_DUPLICATE", "O6")


async def test_o7_closed_lost_needs_reason_links_and_reopens_within_30_days(gql, world):
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme)
    target = await create_opportunity(gql, world, acme, name="Merged target")
    await move_ok(gql, world, opp["id"], "DISCOVERY")
    assert only_error(await move(gql, world, opp["id"], "CLOSED_LOST"))["field"] == ["lossReason"]
    assert only_error(await move(gql, world, opp["id"], "CLOSED_LOST", lossReason="MERGED"))["field"] == ["mergedIntoId"]
    competitive = only_error(await move(gql, world, opp["id"], "CLOSED_LOST", lossReason="COMPETITIVE_LOSS"))
    assert (competitive["field"], competitive["rule"]) == (["competitor"], "O7")
    lost = await move(gql, world, opp["id"], "CLOSED_LOST", lossReason="MERGED", mergedIntoId=target["id"])
    assert lost["errors"] == [] and lost["opportunity"]["mergedInto"]["id"] == target["id"]
    reopened = await move_ok(gql, world, opp["id"], "DISCOVERY")
    assert reopened["closedAt"] is None and reopened["lossReason"] is None
    await move_ok(gql, world, opp["id"], "SCOPING")
    result = await move(gql, world, opp["id"], "CLOSED_LOST", lossReason="NO_BUDGET")
    assert result["errors"] == []
    await Opportunity.update({Opportunity.closed_at: now() - timedelta(days=31)}).where(
        Opportunity.id == pk(opp["id"]))
    error = only_error(await move(gql, world, opp["id"], "SCOPING"))
    assert (error["code"], error["rule"]) == ("REOPEN_WINDOW_PASSED", "O7")


async def test_a6_closing_won_needs_a_clear_account(gql, world):
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme)
    await move_ok(gql, world, opp["id"], "DISCOVERY", "PROPOSAL")
    await set_screening(gql, world, acme, "ESCALATE")
    error = only_error(await move(gql, world, opp["id"], "CLOSED_WON"))
    assert (error["code"], error["rule"]) == ("ACCOUNT_NOT_CLEARED", "A6")
    assert (await opportunity(gql, world, opp["id"]))["stage"] == "PROPOSAL"
    await set_screening(gql, world, acme, "CLEAR")
    won = await move_ok(gql, world, opp["id"], "CLOSED_WON")
    assert won["stage"] == "CLOSED_WON" and won["salesQualified"] is True
    assert only_error(await move(gql, world, opp["id"], "NEGOTIATING"))["code"] == "CLOSED_WON_IS_FINAL"


async def test_o8_types_and_parents(gql, world):
    acme = await create_account(gql, world)
    new_business = await create_opportunity(gql, world, acme, name="NB")
    error = await refused_create(gql, world, {"accountId": acme, "name": "Add", "type": "ADD_ON"})
    assert (error["code"], error["rule"]) == ("PARENT_REQUIRED", "O8")
    add_on = await create_opportunity(gql, world, acme, name="Add", type="ADD_ON", parentId=new_business["id"])
    error = await refused_create(gql, world, {"accountId": acme, "name": "Add2", "type": "ADD_ON",
                                              "parentId": add_on["id"]})
    assert (error["code"], error["rule"]) == ("INVALID_PARENT_TYPE", "O8")
    error = await refused_create(gql, world, {"accountId": acme, "name": "PS", "type": "PROFESSIONAL_SERVICES"})
    assert error["rule"] == "O8"
    ps = await create_opportunity(gql, world, acme, name="PS", type="PROFESSIONAL_SERVICES", parentId=add_on["id"])
    assert (await opportunity(gql, world, ps["id"]))["parent"]["id"] == add_on["id"]


async def test_o8_a_closing_parent_turns_its_upside_children_into_duplicates(gql, world):
    acme = await create_account(gql, world)
    parent = await create_opportunity(gql, world, acme, name="Parent")
    upside = await create_opportunity(gql, world, acme, name="Upside", type="UPSIDE_IACV", parentId=parent["id"])
    add_on = await create_opportunity(gql, world, acme, name="Add", type="ADD_ON", parentId=parent["id"])
    await move_ok(gql, world, parent["id"], "DISCOVERY", "NEGOTIATING", "CLOSED_WON")
    assert (await opportunity(gql, world, upside["id"]))["stage"] == "DUPLICATE"
    assert (await opportunity(gql, world, add_on["id"]))["stage"] == "PENDING_ACCEPTANCE"


async def test_o6_o8_an_accepted_upside_child_is_closed_lost_as_merged_not_a_duplicate(gql, world):
    """O6: an accepted opportunity cannot be a duplicate; with its parent closing (O8) it is
    closed lost, merged into the parent (O7)."""
    acme = await create_account(gql, world)
    parent = await create_opportunity(gql, world, acme, name="Parent")
    accepted = await create_opportunity(gql, world, acme, name="Upside", type="UPSIDE_IACV", parentId=parent["id"])
    await move_ok(gql, world, accepted["id"], "DISCOVERY")
    await move_ok(gql, world, parent["id"], "DISCOVERY", "NEGOTIATING", "CLOSED_WON")
    body = await gql("""query($id: ID!) { node(id: $id) { ... on Opportunity {
        stage lossReason mergedInto { id } duplicateOf { id } stageHistory { toStage } } } }""",
                     {"id": accepted["id"]}, token=world.tokens["ae"])
    child = body["data"]["node"]
    assert (child["stage"], child["lossReason"], child["mergedInto"], child["duplicateOf"]) == (
        "CLOSED_LOST", "MERGED", {"id": parent["id"]}, None)
    assert child["stageHistory"][-1]["toStage"] == "CLOSED_LOST"


async def test_o9_sales_qualified_source_follows_sdr_and_owner(gql, world):
    acme = await create_account(gql, world)
    by_ae = await create_opportunity(gql, world, acme, token="ae")
    assert by_ae["salesQualifiedSource"] == "AE_GENERATED"
    by_sdr = await create_opportunity(gql, world, acme, token="sdr", ownerId=gid("User", world.user_ids["ae"]))
    assert by_sdr["salesQualifiedSource"] == "SDR_GENERATED"
    channel = await create_opportunity(gql, world, acme, token="sales_ops",
                                       ownerId=gid("User", world.user_ids["alpha_user"]))
    assert channel["salesQualifiedSource"] == "CHANNEL_GENERATED"
    web = await create_opportunity(gql, world, acme, token="admin")
    assert web["salesQualifiedSource"] == "WEB_DIRECT_GENERATED"
    error = await refused_create(gql, world, {"accountId": acme, "name": "X", "sdrId": gid("User", world.user_ids["ae"])})
    assert (error["code"], error["rule"]) == ("NOT_AN_SDR", "O9")
    body = await gql(f"""mutation {{ updateOpportunity(input: {{id: "{by_ae['id']}", sdrId: "{gid('User', world.user_ids['sdr'])}"}})
        {{ opportunity {{ salesQualifiedSource }} {ERRORS} }} }}""", token=world.tokens["ae"])
    assert body["data"]["updateOpportunity"]["opportunity"]["salesQualifiedSource"] == "SDR_GENERATED"


async def test_o10_name_follows_the_convention_when_not_given(gql, world):
    acme = await create_account(gql, world, name="Acme, Inc")
    opp = await create_opportunity(gql, world, acme, name=None, seats=50, product="Premium")
    assert opp["name"] == "Acme, Inc- 50 Premium"
    error = await refused_create(gql, world, {"accountId": acme})
    assert (error["code"], error["rule"]) == ("NAME_PARTS_REQUIRED", "O10")
    body = await gql("""{ suggestOpportunityName(input: {accountName: "Acme, Inc", type: RENEWAL, seats: 50,
        product: "Premium", closeDate: "2017-01-15"}) }""", token=world.tokens["ae"])
    assert body["data"]["suggestOpportunityName"] == "Acme, Inc- 50 Premium Renewal 01/17"


async def test_o11_threshold_flags_depend_on_the_segment(gql, world):
    smb = await create_account(gql, world, name="Smb", employeesDataFox=20, potentialUsers=80)
    mid = await create_account(gql, world, name="Mid", employeesDataFox=500)
    on_smb = await create_opportunity(gql, world, smb, amount=6000.0, netArr=12000.0)
    on_mid = await create_opportunity(gql, world, mid, amount=6000.0, netArr=12000.0)
    channel = await create_opportunity(gql, world, smb, name="P1 - Smb- 50 Premium Channel-Managed",
                                       amount=6000.0, netArr=12000.0)
    flags = ["requiresClosePlan", "requiresCommandPlan", "requiresOpportunityConsult", "inRedGreenReview"]
    smb_flags = await opportunity(gql, world, on_smb["id"])
    assert [smb_flags[f] for f in flags] == [True, True, True, True]
    assert smb_flags["countsAsNewLogo"] is True
    mid_flags = await opportunity(gql, world, on_mid["id"])
    assert [mid_flags[f] for f in flags] == [False, False, False, True]
    channel_flags = await opportunity(gql, world, channel["id"])
    assert channel_flags["requiresCommandPlan"] is False and channel_flags["requiresOpportunityConsult"] is True


async def test_contacts_with_roles_and_exactly_one_primary(gql, world):
    acme = await create_account(gql, world)
    other = await create_account(gql, world, name="Reseller Co", type="RESELLER")
    pat = await create_contact(gql, world, acme, "Pat Buyer")
    sam = await create_contact(gql, world, acme, "Sam Tech")
    rita = await create_contact(gql, world, other, "Rita Reseller")
    two_primaries = await refused_create(gql, world, {"accountId": acme, "name": "X", "contacts": [
        {"contactId": pat, "role": "DECISION_MAKER", "isPrimary": True},
        {"contactId": sam, "role": "TECHNICAL_BUYER", "isPrimary": True}]})
    assert (two_primaries["code"], two_primaries["rule"]) == ("ONE_PRIMARY_CONTACT", "R3")
    foreign_primary = await refused_create(gql, world, {"accountId": acme, "name": "X", "contacts": [
        {"contactId": rita, "role": "INFLUENCER", "isPrimary": True}]})
    assert foreign_primary["rule"] == "R3"
    foreign_role = await refused_create(gql, world, {"accountId": acme, "name": "X", "contacts": [
        {"contactId": pat, "role": "DECISION_MAKER", "isPrimary": True},
        {"contactId": rita, "role": "EVALUATOR"}]})
    assert foreign_role["rule"] == "R4"
    opp = await create_opportunity(gql, world, acme, contacts=[
        {"contactId": sam, "role": "TECHNICAL_BUYER"},
        {"contactId": pat, "role": "DECISION_MAKER", "isPrimary": True},
        {"contactId": rita, "role": "INFLUENCER"}])
    contacts = (await opportunity(gql, world, opp["id"]))["contacts"]
    assert contacts[0] == {"role": "DECISION_MAKER", "isPrimary": True, "contact": {"name": "Pat Buyer"}}
    assert len(contacts) == 3


async def test_who_may_create_and_move(gql, world):
    acme = await create_account(gql, world)
    body = await gql(CREATE_OPPORTUNITY, {"input": {"accountId": acme, "name": "X"}},
                     token=world.tokens["cm_amer"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    opp = await create_opportunity(gql, world, acme, token="ae")
    body = await gql("""mutation($input: MoveOpportunityStageInput!) { moveOpportunityStage(input: $input) { errors { code } } }""",
                     {"input": {"id": opp["id"], "stage": "DISCOVERY"}}, token=world.tokens["sdr"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await opportunity(gql, world, opp["id"]))["stage"] == "PENDING_ACCEPTANCE"
    await move_ok(gql, world, opp["id"], "DISCOVERY", token="sales_ops")


async def test_opportunity_filters(gql, world):
    big = await create_account(gql, world, name="Big", employeesDataFox=5000, region="EMEA", country="DE")
    small = await create_account(gql, world, name="Small", employeesDataFox=10)
    a = await create_opportunity(gql, world, big, name="Big- 500 Ultimate")
    await create_opportunity(gql, world, small, name="Small- 5 Premium", token="sales_ops")
    await create_opportunity(gql, world, small, name="Small- Add 5 Premium", type="ADD_ON", parentId=a["id"])
    await move_ok(gql, world, a["id"], "DISCOVERY")
    query = "query($f: OpportunityFilter) { opportunities(filter: $f) { totalCount nodes { name } } }"

    async def names(f):
        body = await gql(query, {"f": f}, token=world.tokens["cm_emea"])
        return sorted(n["name"] for n in body["data"]["opportunities"]["nodes"])

    assert await names({"segment": "LARGE"}) == ["Big- 500 Ultimate"]
    assert await names({"region": "AMER"}) == ["Small- 5 Premium", "Small- Add 5 Premium"]
    assert await names({"type": "ADD_ON"}) == ["Small- Add 5 Premium"]
    assert await names({"stage": "DISCOVERY"}) == ["Big- 500 Ultimate"]
    assert await names({"ownerId": gid("User", world.user_ids["sales_ops"])}) == ["Small- 5 Premium"]
    assert await names({"search": "premium", "accountId": small}) == ["Small- 5 Premium", "Small- Add 5 Premium"]
    assert await names({"isOpen": False}) == []
