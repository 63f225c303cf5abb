"""A10 extension requests through GraphQL: the owner of a held-over opportunity asks by day
120 with evidence of close within 90 days; ADMIN or SALES_OPS approve (the holdover ends 90
days later) or refuse; a pending request keeps the hand-over job away."""

from datetime import date, timedelta

from partners.infra.clock import now
from partners.opportunities.holdover import hand_over_expired_holdovers
from partners.opportunities.tables import HoldoverExtension, Opportunity
from tests.schema.sales import ERRORS, create_account, create_opportunity, gid, only_error, pk

FIELDS = "id status expectedCloseDate note decisionNote extendedUntil requestedBy { email } decidedBy { email }"
REQUEST = f"""mutation($input: RequestHoldoverExtensionInput!) {{ requestHoldoverExtension(input: $input) {{
  extension {{ {FIELDS} }} {ERRORS} }} }}"""
APPROVE = f"""mutation($input: ApproveHoldoverExtensionInput!) {{ approveHoldoverExtension(input: $input) {{
  extension {{ {FIELDS} }} {ERRORS} }} }}"""
REFUSE = f"""mutation($input: RefuseHoldoverExtensionInput!) {{ refuseHoldoverExtension(input: $input) {{
  extension {{ {FIELDS} }} {ERRORS} }} }}"""
HELD = """query($id: ID!) { node(id: $id) { ... on Opportunity { owner { email } ownerHoldoverUntil
  holdoverExtensions { status } } } }"""


def in_days(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


async def held_over(gql, world, *, age_days: int = 100, name: str = "Young") -> str:
    """An opportunity of the AE, `age_days` old, held over after its account moved to sales ops."""
    acme = await create_account(gql, world, name=f"{name}, Inc", ownerId=gid("User", world.user_ids["ae"]))
    opp = await create_opportunity(gql, world, acme, name=name)
    await Opportunity.update({Opportunity.created_at: now() - timedelta(days=age_days)}).where(
        Opportunity.id == pk(opp["id"]))
    body = await gql("""mutation($input: TransferAccountOwnershipInput!) { transferAccountOwnership(input: $input) {
        errors { code } } }""", {"input": {"id": acme, "newOwnerId": gid("User", world.user_ids["sales_ops"])}},
                     token=world.tokens["admin"])
    assert body["data"]["transferAccountOwnership"]["errors"] == []
    return opp["id"]


async def request(gql, world, opportunity_id: str, *, token: str = "ae", **fields) -> dict:
    values = {"opportunityId": opportunity_id, "expectedCloseDate": in_days(60),
              "note": "Signed order form in legal review", **fields}
    return (await gql(REQUEST, {"input": values}, token=world.tokens[token]))["data"]["requestHoldoverExtension"]


async def held(gql, world, opportunity_id: str) -> dict:
    return (await gql(HELD, {"id": opportunity_id}, token=world.tokens["admin"]))["data"]["node"]


async def test_a10_owner_asks_admin_approves_holdover_ends_90_days_later(gql, world):
    opp = await held_over(gql, world)
    before = await held(gql, world, opp)
    asked = await request(gql, world, opp)
    assert asked["errors"] == []
    assert (asked["extension"]["status"], asked["extension"]["requestedBy"]) == ("PENDING", {"email": "ae@cosell.test"})

    approved = (await gql(APPROVE, {"input": {"id": asked["extension"]["id"], "note": "OK"}},
                          token=world.tokens["sales_ops"]))["data"]["approveHoldoverExtension"]
    assert approved["errors"] == []
    extension = approved["extension"]
    assert (extension["status"], extension["decidedBy"]) == ("APPROVED", {"email": "sales_ops@cosell.test"})
    after = await held(gql, world, opp)
    row = await Opportunity.select(Opportunity.owner_holdover_until).where(Opportunity.id == pk(opp)).first()
    created = (await Opportunity.select(Opportunity.created_at).where(Opportunity.id == pk(opp)).first())["created_at"]
    assert row["owner_holdover_until"] == created + timedelta(days=270), "day 180 + 90"
    assert after["ownerHoldoverUntil"] == extension["extendedUntil"] != before["ownerHoldoverUntil"]
    assert after["holdoverExtensions"] == [{"status": "APPROVED"}]
    # Day 181: still the AE's; past day 270 the job hands it over.
    assert await hand_over_expired_holdovers(at=created + timedelta(days=181)) == 0
    assert await hand_over_expired_holdovers(at=created + timedelta(days=271)) == 1
    assert (await held(gql, world, opp))["owner"] == {"email": "sales_ops@cosell.test"}
    # One extension per opportunity (it is no longer held over either).
    assert only_error(await request(gql, world, opp))["rule"] == "A10"


async def test_a10_request_refusals_carry_the_rule_and_write_nothing(gql, world):
    opp = await held_over(gql, world)
    late = await held_over(gql, world, age_days=121, name="Late")
    cases = [
        (late, {}, "ae", ("EXTENSION_TOO_LATE", ["opportunityId"], "A10")),
        (opp, {"expectedCloseDate": in_days(91)}, "ae", ("CLOSE_NOT_WITHIN_90_DAYS", ["expectedCloseDate"], "A10")),
        (opp, {"expectedCloseDate": in_days(-1)}, "ae", ("CLOSE_NOT_WITHIN_90_DAYS", ["expectedCloseDate"], "A10")),
        (opp, {"note": "  "}, "ae", ("EVIDENCE_REQUIRED", ["note"], "A10")),
        (opp, {}, "sales_ops", ("NOT_OWNER", ["opportunityId"], "A10")),
        (gid("Opportunity", 999999), {}, "ae", ("NOT_FOUND", ["opportunityId"], None)),
    ]
    for opportunity_id, fields, token, expected in cases:
        payload = await request(gql, world, opportunity_id, token=token, **fields)
        error = only_error(payload)
        assert (error["code"], error["field"], error["rule"]) == expected, (fields, token)
        assert payload["extension"] is None
    assert await HoldoverExtension.count() == 0
    # Not held over: an opportunity on an account never transferred.
    plain = await create_opportunity(gql, world, await create_account(gql, world, name="Plain"), name="Plain")
    assert only_error(await request(gql, world, plain["id"]))["code"] == "NOT_HELD_OVER"
    # One pending request at a time.
    assert (await request(gql, world, opp))["errors"] == []
    assert only_error(await request(gql, world, opp))["code"] == "EXTENSION_PENDING"
    assert await HoldoverExtension.count() == 1


async def test_a10_refused_with_a_reason_and_only_by_admin_or_sales_ops(gql, world):
    opp = await held_over(gql, world)
    extension_id = (await request(gql, world, opp))["extension"]["id"]
    for token in ("ae", "cm_amer", "alpha_user"):
        body = await gql(REFUSE, {"input": {"id": extension_id, "reason": "No"}}, token=world.tokens[token],
                         errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    no_reason = (await gql(REFUSE, {"input": {"id": extension_id, "reason": " "}},
                           token=world.tokens["admin"]))["data"]["refuseHoldoverExtension"]
    assert (only_error(no_reason)["code"], only_error(no_reason)["rule"]) == ("REASON_REQUIRED", "A10")
    refused = (await gql(REFUSE, {"input": {"id": extension_id, "reason": "No PO in sight"}},
                         token=world.tokens["admin"]))["data"]["refuseHoldoverExtension"]
    assert (refused["extension"]["status"], refused["extension"]["decisionNote"]) == ("REFUSED", "No PO in sight")
    assert refused["extension"]["extendedUntil"] is None
    again = (await gql(APPROVE, {"input": {"id": extension_id}}, token=world.tokens["admin"]))["data"]
    assert only_error(again["approveHoldoverExtension"])["code"] == "ALREADY_DECIDED"
    # Refused: the holdover ends at day 180 as before, and a new request may be made.
    created = (await Opportunity.select(Opportunity.created_at).where(Opportunity.id == pk(opp)).first())["created_at"]
    assert await hand_over_expired_holdovers(at=created + timedelta(days=181)) == 1


async def test_a10_a_pending_request_keeps_the_opportunity_with_its_owner(gql, world):
    """Asked in time: the hand-over job waits for the decision, even past day 180."""
    opp = await held_over(gql, world)
    extension_id = (await request(gql, world, opp))["extension"]["id"]
    created = (await Opportunity.select(Opportunity.created_at).where(Opportunity.id == pk(opp)).first())["created_at"]
    assert await hand_over_expired_holdovers(at=created + timedelta(days=185)) == 0
    assert (await held(gql, world, opp))["owner"] == {"email": "ae@cosell.test"}
    approved = (await gql(APPROVE, {"input": {"id": extension_id}}, token=world.tokens["admin"]))["data"]
    assert approved["approveHoldoverExtension"]["extension"]["status"] == "APPROVED"
    assert await hand_over_expired_holdovers(at=created + timedelta(days=185)) == 0
