"""Issue 16, deal registrations: what a partner user learns through GraphQL (R9, D2, P5) and
R1 at submission. Each test failed before its fix."""

from partners.accounts.tables import Account
from partners.infra.tables import OutboxMessage
from partners.registrations.tables import DealRegistration, DealRegistrationChange
from tests.schema.registrations import REGISTER, approved, call, deal_input, ok, register
from tests.schema.sales import create_account, gid, only_error, pk

VIEW = """query($id: ID!) { node(id: $id) { ... on DealRegistration {
  customerName customerMatched region account { name } conflicts { id }
  history { event note } } } }"""
LIST = """query($f: DealRegistrationFilter) { dealRegistrations(filter: $f) {
  totalCount nodes { id customerName customerMatched region } } }"""


async def view(gql, world, token: str, reg_id: str) -> dict:
    return (await gql(VIEW, {"id": reg_id}, token=world.tokens[token]))["data"]["node"]


async def listed(gql, world, token: str, **filters) -> list[dict]:
    return (await gql(LIST, {"f": filters or None}, token=world.tokens[token]))["data"]["dealRegistrations"]["nodes"]


# ---------------------------------------------------------------- item 2: customer matching


async def test_a_partner_learns_nothing_of_the_account_its_prospect_matched_r9(gql, world):
    """The match is silent for staff: the partner reads back what it typed (name, region),
    `customerMatched` null, by every path (payload, node, list, region filter)."""
    vendor = await create_account(gql, world, name="Vendor Legal Name GmbH", website="https://secret.test",
                                  region="EMEA", country="DE")
    payload = await call(gql, world, REGISTER, "alpha_user", **deal_input(
        customer={"prospect": {"name": "Someone", "website": "www.SECRET.test/x", "region": "AMER"}}))
    assert payload["errors"] == []
    reg = payload["dealRegistration"]
    assert (reg["customerName"], reg["customerMatched"], reg["region"]) == ("Someone", None, "AMER")
    node = await view(gql, world, "alpha_user", reg["id"])
    assert (node["customerName"], node["customerMatched"], node["region"], node["account"]) == (
        "Someone", None, "AMER", None)
    assert await listed(gql, world, "alpha_user") == [
        {"id": reg["id"], "customerName": "Someone", "customerMatched": None, "region": "AMER"}]
    assert [n["id"] for n in await listed(gql, world, "alpha_user", region="AMER")] == [reg["id"]]
    assert await listed(gql, world, "alpha_user", region="EMEA") == []
    # Staff see the link: the vendor account, its region (its channel managers review it, D1).
    staff = await view(gql, world, "cm_emea", reg["id"])
    assert (staff["customerName"], staff["customerMatched"], staff["region"], staff["account"]) == (
        "Vendor Legal Name GmbH", True, "EMEA", {"name": "Vendor Legal Name GmbH"})
    assert (await DealRegistration.select(DealRegistration.account).first())["account"] == pk(vendor)
    assert [n["id"] for n in await listed(gql, world, "cm_emea", region="EMEA")] == [reg["id"]]


async def test_another_partners_typed_name_never_comes_back_r9(gql, world):
    beta = await register(gql, world, "beta_user", customer={"prospect": {
        "name": "Beta's Private Name For Initech", "website": "https://initech.test"}})
    alpha = await register(gql, world, "alpha_user", customer={"prospect": {
        "name": "Initech", "website": "initech.test"}}, products=["security"])
    assert alpha["customerName"] == "Initech" and alpha["customerMatched"] is None
    assert (await view(gql, world, "alpha_user", alpha["id"]))["customerName"] == "Initech"
    assert (await view(gql, world, "beta_user", beta["id"]))["customerName"] == "Beta's Private Name For Initech"
    assert await Account.count() == 1, "both registrations link to the one account (D2 sees them)"


# ---------------------------------------------------------------- item 3: conflicts and hold notes


async def test_conflicting_filter_agrees_with_conflicts_for_partner_users_d2_r9(gql, world):
    alpha = await register(gql, world, "alpha_user")
    beta = await register(gql, world, "beta_user")  # same customer, same product: a conflict (D2)
    staff = (await view(gql, world, "cm_amer", beta["id"]))["conflicts"]
    assert staff == [{"id": alpha["id"]}]
    assert {n["id"] for n in await listed(gql, world, "cm_amer", conflicting=True)} == {alpha["id"], beta["id"]}
    for token, own in (("alpha_user", alpha), ("beta_user", beta)):
        assert (await view(gql, world, token, own["id"]))["conflicts"] == []
        assert await listed(gql, world, token, conflicting=True) == [], "a competitor's registration is revealed"
        assert [n["id"] for n in await listed(gql, world, token, conflicting=False)] == [own["id"]]
    # Conflicts with the partner's own registrations still show, in the field and the filter.
    again = await register(gql, world, "alpha_user")
    assert (await view(gql, world, "alpha_user", again["id"]))["conflicts"] == [{"id": alpha["id"]}]
    assert {n["id"] for n in await listed(gql, world, "alpha_user", conflicting=True)} == {alpha["id"], again["id"]}


async def test_hold_and_reopen_notes_name_no_other_registration_p5_r9(gql, world):
    alpha = await register(gql, world, "alpha_user")
    beta = await register(gql, world, "beta_user")
    await approved(gql, world, alpha["id"])
    history = (await view(gql, world, "beta_user", beta["id"]))["history"]
    assert history[-1]["event"] == "ON_HOLD"
    notes = [h["note"] for h in history]
    assert not any(str(pk(alpha["id"])) in note for note in notes), notes
    assert history[-1]["note"] == "Another registration was approved for the same scope (P5)."
    await ok(gql, world, """mutation($input: DealRegistrationReasonInput!) {
        dissolveDealRegistration(input: $input) { dealRegistration { id } errors { code message field rule } } }""",
             "cm_amer", id=alpha["id"], reason="The partner left the deal")
    history = (await view(gql, world, "beta_user", beta["id"]))["history"]
    assert history[-1]["event"] == "REOPENED"
    assert not any(str(pk(alpha["id"])) in h["note"] for h in history), history
    # Staff still see which registration held it (heldBy), not through a note.
    rows = await DealRegistrationChange.select(DealRegistrationChange.note)
    assert not any(f"Registration {pk(alpha['id'])}" in r["note"] for r in rows)


# ---------------------------------------------------------------- item 7: R1 at submission


async def test_r1_a_reseller_or_partner_organisation_customer_is_refused_at_submission(gql, world):
    await create_account(gql, world, name="Resell Co", website="https://resell.test", type="RESELLER")
    await create_account(gql, world, name="Alpha Resellers HQ", website="https://alpha-hq.test", type="CUSTOMER",
                         partnerId=gid("Partner", world.partners["alpha"]))
    for website, name in (("resell.test", "Some Customer"), ("https://alpha-hq.test", "Our own office")):
        payload = await call(gql, world, REGISTER, "alpha_user", **deal_input(
            customer={"prospect": {"name": name, "website": website}}))
        error = only_error(payload)
        assert (error["code"], error["field"], error["rule"]) == ("RESELLER_ACCOUNT", ["customer", "prospect"], "R1")
        assert "Resell Co" not in error["message"] and "Alpha" not in error["message"]
        assert payload["dealRegistration"] is None
    integrator = await create_account(gql, world, name="Integrate Co", type="INTEGRATOR")
    from partners.people.enums import PartnerType
    from server.testing import make_partner

    alliance = await make_partner("Cloudy Alliance", nickname="CLOUDY", partner_type=PartnerType.CLOUD_ALLIANCE)
    staff = await call(gql, world, REGISTER, "cm_amer", **deal_input(
        customer={"accountId": integrator}, partnerId=gid("Partner", alliance)))
    assert (only_error(staff)["field"], only_error(staff)["rule"]) == (["customer", "accountId"], "R1")
    assert await DealRegistration.count() == 0 and await OutboxMessage.count() == 0
    # An end customer is still fine.
    await register(gql, world, "alpha_user")
