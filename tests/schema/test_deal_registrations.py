"""Deal registrations through GraphQL (issue 5): D1, D2, P1–P6, P9, R2, R8, R9."""

import asyncio
from datetime import datetime, timedelta, timezone

from partners.accounts.tables import Account
from partners.infra.tables import OutboxMessage
from partners.people.enums import PartnerType
from partners.people.tables import Partner
from partners.program.tables import PartnerAgreement, PartnerTraining
from partners.registrations.tables import DealRegistration, DealRegistrationChange
from server.testing import make_partner
from tests.schema.registrations import (
    ADVANCE,
    APPROVE,
    DENY,
    DISSOLVE,
    EXTEND,
    REGISTER,
    RESUBMIT,
    RETURN,
    WITHDRAW,
    approved,
    call,
    deal_input,
    ok,
    register,
    to_manager_review,
)
from tests.schema.sales import add_partner_ok, create_account, create_opportunity, gid, move_ok, only_error, pk

HISTORY = "query($id: ID!) { node(id: $id) { ... on DealRegistration { status history { event fromStatus toStatus changedAt changedBy { email } } } } }"
LIST = "query($f: DealRegistrationFilter) { dealRegistrations(filter: $f) { totalCount nodes { id status } } }"
OPP_TEAM = "query($id: ID!) { node(id: $id) { ... on Opportunity { name partners { role isPrimary partner { name } } } } }"


async def _approved_count(partner_id: int) -> int:
    row = await Partner.select(Partner.approved_registrations).where(Partner.id == partner_id).first()
    return row["approved_registrations"]


async def _ids(gql, world, token: str, **filters) -> list[str]:
    body = await gql(LIST, {"f": filters or None}, token=world.tokens[token])
    return [n["id"] for n in body["data"]["dealRegistrations"]["nodes"]]


# ---------------------------------------------------------------- register (P1–P3)


async def test_p4_happy_path_to_approval_converts_into_an_opportunity_r2_r8(gql, world):
    reg = await register(gql, world)
    assert reg["status"] == "SUBMITTED" and reg["customerName"] == "Acme, Inc" and not reg["customerMatched"]
    assert reg["reviewDueAt"] and reg["decisionDueAt"] and reg["partner"]["name"] == "Alpha Resellers"
    assert reg["region"] == "AMER" and reg["products"] == ["ci-cd"]
    first = await ok(gql, world, ADVANCE, "cm_amer", id=reg["id"])
    assert first["status"] == "PENDING_SALES_REVIEW" and first["reviewDueAt"] == reg["decisionDueAt"]
    reg = await ok(gql, world, ADVANCE, "cm_amer", id=reg["id"])
    assert reg["status"] == "PENDING_MANAGER_REVIEW"
    reg = await ok(gql, world, APPROVE, "cm_amer", id=reg["id"], accountExecutiveId=gid("User", world.user_ids["ae"]))
    assert reg["status"] == "APPROVED" and reg["reviewDueAt"] is None
    approved_at = datetime.fromisoformat(reg["approvedAt"])
    assert datetime.fromisoformat(reg["expiresAt"]) - approved_at == timedelta(days=90)  # P6
    assert reg["opportunity"]["name"] == "ALPHA - Acme, Inc- 50 Premium"  # R2 + O10
    assert reg["assignedAccountExecutive"] == {"id": gid("User", world.user_ids["ae"])}
    assert await _approved_count(world.partners["alpha"]) == 1
    # R8: the registrant is the primary DEAL_REGISTRANT; the AE owns the opportunity (D1).
    team = (await gql(OPP_TEAM, {"id": reg["opportunity"]["id"]}, token=world.tokens["ae"]))["data"]["node"]
    assert team["partners"] == [{"role": "DEAL_REGISTRANT", "isPrimary": True, "partner": {"name": "Alpha Resellers"}}]
    owned = await gql('{ opportunities(filter: {search: "ALPHA"}) { nodes { owner { email } stage } } }',
                      token=world.tokens["ae"])
    assert owned["data"]["opportunities"]["nodes"] == [{"owner": {"email": "ae@cosell.test"}, "stage": "PENDING_ACCEPTANCE"}]
    # Every transition is recorded with who and when (P4).
    history = (await gql(HISTORY, {"id": reg["id"]}, token=world.tokens["alpha_user"]))["data"]["node"]["history"]
    assert [(h["event"], h["fromStatus"], h["toStatus"]) for h in history] == [
        ("SUBMITTED", None, "SUBMITTED"), ("PENDING_SALES_REVIEW", "SUBMITTED", "PENDING_SALES_REVIEW"),
        ("PENDING_MANAGER_REVIEW", "PENDING_SALES_REVIEW", "PENDING_MANAGER_REVIEW"),
        ("APPROVED", "PENDING_MANAGER_REVIEW", "APPROVED")]
    assert all(h["changedAt"] for h in history)
    # A partner user sees only users of their own partner: the reviewer's name stays hidden.
    assert history[0]["changedBy"] == {"email": "alpha_user@cosell.test"} and history[-1]["changedBy"] is None
    staff_view = (await gql(HISTORY, {"id": reg["id"]}, token=world.tokens["admin"]))["data"]["node"]["history"]
    assert staff_view[-1]["changedBy"] == {"email": "cm_amer@cosell.test"}


async def test_p1_p2_ineligible_partner_is_refused_and_nothing_is_written(gql, world):
    await Partner.update({Partner.status: "PROSPECT"}).where(Partner.id == world.partners["alpha"])
    await PartnerAgreement.delete().where(PartnerAgreement.partner == world.partners["alpha"])
    await PartnerTraining.delete().where(PartnerTraining.partner == world.partners["alpha"])
    payload = await call(gql, world, REGISTER, "alpha_user", **deal_input())
    assert payload["dealRegistration"] is None
    assert [(e["code"], e["rule"]) for e in payload["errors"]] == [
        ("PARTNER_NOT_AUTHORIZED", "P1"), ("AGREEMENT_NOT_SIGNED", "P2"), ("NO_TRAINED_EMPLOYEE", "P2")]
    assert await DealRegistration.count() == 0 and await Account.count() == 0
    assert await OutboxMessage.count() == 0


async def test_input_is_validated_with_rule_ids(gql, world):
    payload = await call(gql, world, REGISTER, "alpha_user", **deal_input(products=[" "], seats=0, edition=""))
    assert {(e["code"], tuple(e["field"]), e["rule"]) for e in payload["errors"]} == {
        ("PRODUCTS_REQUIRED", ("products",), "D2"), ("SEATS_REQUIRED", ("seats",), "O10"),
        ("EDITION_REQUIRED", ("edition",), "O10")}
    both = await call(gql, world, REGISTER, "alpha_user", **deal_input(
        customer={"accountId": gid("Account", 1), "prospect": {"name": "X"}}))
    assert only_error(both)["code"] == "ONE_CUSTOMER" and only_error(both)["rule"] == "P3"
    # Partner users cannot read accounts: an account id is "not found" for them.
    acme = await create_account(gql, world)
    hidden = await call(gql, world, REGISTER, "alpha_user", **deal_input(customer={"accountId": acme}))
    assert only_error(hidden)["code"] == "NOT_FOUND"
    assert await DealRegistration.count() == 0


STAFF_VIEW = "query($id: ID!) { node(id: $id) { ... on DealRegistration { customerName customerMatched region } } }"


async def test_prospect_details_match_an_existing_account_by_domain_then_name(gql, world):
    acme = await create_account(gql, world, name="Acme, Inc", website="https://www.acme.test/")
    by_domain = await register(gql, world, customer={"prospect": {"name": "Acme Holdings", "website": "ACME.test/about"}})
    by_name = await register(gql, world, customer={"prospect": {"name": "ACME Inc."}}, products=["security"])
    for reg in (by_domain, by_name):  # staff see the match (the partner does not: see below)
        staff = (await gql(STAFF_VIEW, {"id": reg["id"]}, token=world.tokens["cm_amer"]))["data"]["node"]
        assert staff["customerMatched"] and staff["customerName"] == "Acme, Inc"
    new = await register(gql, world, customer={"prospect": {"name": "Initech, Ltd", "region": "EMEA"}})
    assert new["customerMatched"] is None and new["region"] == "EMEA"
    assert (await gql(STAFF_VIEW, {"id": new["id"]}, token=world.tokens["admin"]))["data"]["node"][
        "customerMatched"] is False
    rows = await DealRegistration.select(DealRegistration.account).order_by(DealRegistration.id)
    assert [r["account"] for r in rows[:2]] == [pk(acme), pk(acme)]
    assert await Account.count() == 2


async def test_d1_channel_managers_register_only_for_alliance_partners(gql, world):
    alliance = await make_partner("Cloudy Alliance", nickname="CLOUDY", partner_type=PartnerType.CLOUD_ALLIANCE)
    acme = await create_account(gql, world)
    missing = await call(gql, world, REGISTER, "cm_amer", **deal_input(customer={"accountId": acme}))
    assert (only_error(missing)["code"], only_error(missing)["rule"]) == ("PARTNER_REQUIRED", "D1")
    reseller = await call(gql, world, REGISTER, "cm_amer", **deal_input(
        customer={"accountId": acme}, partnerId=gid("Partner", world.partners["alpha"])))
    assert (only_error(reseller)["code"], only_error(reseller)["rule"]) == ("NOT_AN_ALLIANCE_PARTNER", "D1")
    reg = await register(gql, world, "cm_amer", customer={"accountId": acme}, partnerId=gid("Partner", alliance))
    assert reg["partner"]["name"] == "Cloudy Alliance" and reg["customerName"] == "Acme, Inc"
    # Roles that may not register at all are refused before anything runs.
    body = await gql(REGISTER, {"input": deal_input()}, token=world.tokens["ae"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# ---------------------------------------------------------------- review flow (P4, D1)


async def test_p4_refused_transitions_carry_the_rule(gql, world):
    reg = await register(gql, world)
    early = await call(gql, world, APPROVE, "cm_amer", id=reg["id"])
    assert (only_error(early)["code"], only_error(early)["rule"]) == ("INVALID_TRANSITION", "P4")
    no_reason = await call(gql, world, DENY, "cm_amer", id=reg["id"], reason="  ")
    assert (only_error(no_reason)["code"], only_error(no_reason)["rule"]) == ("REASON_REQUIRED", "P4")
    no_reason = await call(gql, world, RETURN, "cm_amer", id=reg["id"], reason="")
    assert only_error(no_reason)["code"] == "REASON_REQUIRED"
    other_region = await call(gql, world, ADVANCE, "cm_emea", id=reg["id"])
    assert (only_error(other_region)["code"], only_error(other_region)["rule"]) == ("NOT_REGION_REVIEWER", "D1")
    not_returned = await call(gql, world, RESUBMIT, "alpha_user", id=reg["id"])
    assert only_error(not_returned)["code"] == "INVALID_TRANSITION"
    for role in ("ae", "alpha_user"):
        body = await gql(APPROVE, {"input": {"id": reg["id"]}}, token=world.tokens[role], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await to_manager_review(gql, world, reg["id"])
    no_ae = await call(gql, world, APPROVE, "cm_amer", id=reg["id"])
    assert (only_error(no_ae)["code"], only_error(no_ae)["rule"]) == ("ACCOUNT_EXECUTIVE_REQUIRED", "D1")
    not_ae = await call(gql, world, APPROVE, "cm_amer", id=reg["id"], accountExecutiveId=gid("User", world.user_ids["sdr"]))
    assert only_error(not_ae)["code"] == "NOT_AN_ACCOUNT_EXECUTIVE"
    assert (await gql(HISTORY, {"id": reg["id"]}, token=world.tokens["admin"]))["data"]["node"]["status"] == \
        "PENDING_MANAGER_REVIEW"
    # An admin reviews any region.
    denied = await ok(gql, world, DENY, "admin", id=reg["id"], reason="Customer already in a direct deal")
    assert denied["status"] == "DENIED" and denied["reason"] == "Customer already in a direct deal"
    for query, extra in ((APPROVE, {}), (WITHDRAW, {}), (DENY, {"reason": "again"}), (ADVANCE, {})):
        again = await call(gql, world, query, "admin", id=reg["id"], **extra)
        assert only_error(again)["code"] == "INVALID_TRANSITION"


async def test_p4_return_resubmit_and_withdraw(gql, world):
    reg = await register(gql, world)
    returned = await ok(gql, world, RETURN, "cm_amer", id=reg["id"], reason="Which team is buying?")
    assert returned["status"] == "RETURNED" and returned["reason"] == "Which team is buying?"
    assert returned["reviewDueAt"] is None
    other = await call(gql, world, RESUBMIT, "beta_user", id=reg["id"], notes="sneaky")
    assert only_error(other)["code"] == "NOT_FOUND"
    again = await ok(gql, world, RESUBMIT, "alpha_user", id=reg["id"], notes="The platform team", seats=80)
    assert again["status"] == "SUBMITTED" and again["seats"] == 80 and again["reason"] == ""
    assert again["reviewDueAt"] and again["submittedAt"] == reg["submittedAt"]
    await ok(gql, world, ADVANCE, "cm_amer", id=reg["id"])
    other = await call(gql, world, WITHDRAW, "beta_user", id=reg["id"])
    assert only_error(other)["code"] == "NOT_FOUND"
    cm_not_registrant = await call(gql, world, WITHDRAW, "cm_amer", id=reg["id"])
    assert (only_error(cm_not_registrant)["code"], only_error(cm_not_registrant)["rule"]) == ("NOT_THE_REGISTRANT", "P4")
    gone = await ok(gql, world, WITHDRAW, "alpha_user", id=reg["id"], note="Lost interest")
    assert gone["status"] == "WITHDRAWN"
    history = (await gql(HISTORY, {"id": reg["id"]}, token=world.tokens["alpha_user"]))["data"]["node"]["history"]
    assert [h["event"] for h in history] == ["SUBMITTED", "RETURNED", "RESUBMITTED", "PENDING_SALES_REVIEW", "WITHDRAWN"]


async def test_approved_registration_cannot_be_withdrawn(gql, world):
    reg = await register(gql, world)
    await approved(gql, world, reg["id"])
    refused = await call(gql, world, WITHDRAW, "alpha_user", id=reg["id"])
    assert (only_error(refused)["code"], only_error(refused)["rule"]) == ("INVALID_TRANSITION", "P4")


# ---------------------------------------------------------------- visibility (R9, scoping)


async def test_partner_users_cannot_see_or_act_on_another_partners_registration(gql, world):
    alpha = await register(gql, world)
    beta = await register(gql, world, "beta_user", customer={"prospect": {"name": "Vandelay", "region": "EMEA"}})
    assert await _ids(gql, world, "alpha_user") == [alpha["id"]]
    assert await _ids(gql, world, "beta_user") == [beta["id"]]
    assert await _ids(gql, world, "alpha_user", partnerId=gid("Partner", world.partners["beta"])) == []
    assert set(await _ids(gql, world, "sales_ops")) == {alpha["id"], beta["id"]}
    nodes = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [alpha["id"], beta["id"]]},
                      token=world.tokens["beta_user"])
    assert nodes["data"]["nodes"] == [None, {"id": beta["id"]}]
    for query, extra in ((WITHDRAW, {}), (RESUBMIT, {})):
        refused = await call(gql, world, query, "beta_user", id=alpha["id"], **extra)
        assert only_error(refused)["code"] == "NOT_FOUND"
    # R9: once approved, the registrant sees its opportunity; the other partner does not.
    done = await approved(gql, world, alpha["id"])
    opp_id = done["opportunity"]["id"]
    seen = await gql(OPP_TEAM, {"id": opp_id}, token=world.tokens["alpha_user"])
    assert seen["data"]["node"]["name"] == "ALPHA - Acme, Inc- 50 Premium"
    assert (await gql(OPP_TEAM, {"id": opp_id}, token=world.tokens["beta_user"]))["data"]["node"] is None
    mine = await gql("{ dealRegistrations { nodes { account { id } opportunity { id } } } }",
                     token=world.tokens["alpha_user"])
    assert mine["data"]["dealRegistrations"]["nodes"] == [{"account": None, "opportunity": {"id": opp_id}}]


# ---------------------------------------------------------------- conflicts (D2, P5)


async def test_d2_conflicts_are_flagged_with_ids_and_filterable(gql, world):
    a = await register(gql, world, products=["ci-cd", "security"])
    b = await register(gql, world, "beta_user", customer={"prospect": {"name": "ACME Inc", "website": "acme.test"}},
                       products=["Security"])
    c = await register(gql, world, "beta_user", customer={"prospect": {"name": "Acme, Inc"}}, products=["observability"])
    other_customer = await register(gql, world, customer={"prospect": {"name": "Globex"}}, products=["security"])
    query = "query($id: ID!) { node(id: $id) { ... on DealRegistration { conflicts { id } } } }"

    async def conflicts(reg, token="cm_amer"):
        body = await gql(query, {"id": reg["id"]}, token=world.tokens[token])
        return [n["id"] for n in body["data"]["node"]["conflicts"]]

    assert await conflicts(a) == [b["id"]] and await conflicts(b) == [a["id"]]
    assert await conflicts(c) == [] and await conflicts(other_customer) == []
    assert set(await _ids(gql, world, "cm_amer", conflicting=True)) == {a["id"], b["id"]}
    assert set(await _ids(gql, world, "cm_amer", conflicting=False)) == {c["id"], other_customer["id"]}
    # Partner users see conflicts only among their own registrations: no leak of competitors.
    assert await conflicts(b, "beta_user") == []
    assert await _ids(gql, world, "beta_user", conflicting=True) == [], "the filter agrees with conflicts (R9)"
    # A denied registration conflicts with nothing any more.
    await ok(gql, world, DENY, "cm_amer", id=b["id"], reason="Alpha registered first")
    assert await conflicts(a) == [] and await _ids(gql, world, "cm_amer", conflicting=True) == []


async def test_p5_approval_holds_the_others_and_dissolving_reopens_them_in_submission_order(gql, world):
    a = await register(gql, world, products=["ci-cd"])
    b = await register(gql, world, "beta_user", customer={"prospect": {"name": "Acme, Inc"}}, products=["ci-cd"])
    c = await register(gql, world, "beta_user", customer={"prospect": {"name": "Acme"}}, products=["ci-cd", "security"])
    await to_manager_review(gql, world, b["id"])
    done = await approved(gql, world, a["id"])
    held = await gql(LIST.replace("status }", "status heldBy { id } }"), {"f": {"status": "ON_HOLD"}},
                     token=world.tokens["cm_amer"])
    assert held["data"]["dealRegistrations"]["nodes"] == [
        {"id": b["id"], "status": "ON_HOLD", "heldBy": {"id": a["id"]}},
        {"id": c["id"], "status": "ON_HOLD", "heldBy": {"id": a["id"]}}]
    refused = await call(gql, world, APPROVE, "cm_amer", id=b["id"], accountExecutiveId=gid("User", world.user_ids["ae"]))
    assert (only_error(refused)["code"], only_error(refused)["rule"]) == ("OPPORTUNITY_ALREADY_REGISTERED", "P5")
    no_reason = await call(gql, world, DISSOLVE, "cm_amer", id=a["id"], reason="")
    assert (only_error(no_reason)["code"], only_error(no_reason)["rule"]) == ("REASON_REQUIRED", "P5")
    gone = await ok(gql, world, DISSOLVE, "cm_amer", id=a["id"], reason="Alpha stopped working the deal")
    assert gone["status"] == "DISSOLVED" and gone["expiresAt"] is None
    assert await _approved_count(world.partners["alpha"]) == 0
    # The dissolved partner leaves the team (and loses sight of the deal, R9).
    team = (await gql(OPP_TEAM, {"id": done["opportunity"]["id"]}, token=world.tokens["admin"]))["data"]["node"]
    assert team["partners"] == []
    reopened = await gql(LIST.replace("status }", "status reviewDueAt }"), {"f": {"dueForReview": True}},
                         token=world.tokens["cm_amer"])
    nodes = reopened["data"]["dealRegistrations"]["nodes"]
    assert [(n["id"], n["status"]) for n in nodes] == [(b["id"], "PENDING_MANAGER_REVIEW"),
                                                       (c["id"], "PENDING_MANAGER_REVIEW")]
    assert nodes[0]["reviewDueAt"] <= nodes[1]["reviewDueAt"]
    events = await DealRegistrationChange.select(DealRegistrationChange.registration).where(
        DealRegistrationChange.event == "REOPENED").order_by(DealRegistrationChange.id)
    assert [e["registration"] for e in events] == [pk(b["id"]), pk(c["id"])]  # submission order
    # Reconsidered: the next one may now be approved.
    second = await ok(gql, world, APPROVE, "cm_amer", id=b["id"], accountExecutiveId=gid("User", world.user_ids["ae"]))
    assert second["status"] == "APPROVED" and second["opportunity"]["name"].startswith("BETA - ")


async def _opportunity_with_two_registrations(gql, world):
    """Alpha and Beta both resell on one opportunity and both register it (P5)."""
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme)
    # Alpha, the first authorized reseller, is primary: the name carries its nickname (R2, R7).
    await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER", name=f"ALPHA - {opp['name']}")
    await add_partner_ok(gql, world, opp["id"], "beta", "RESELLER")
    regs = []
    for token in ("alpha_user", "beta_user"):
        reg = await register(gql, world, token, customer=None, opportunityId=opp["id"])
        await to_manager_review(gql, world, reg["id"])
        regs.append(reg)
    return opp, regs


async def test_approving_links_an_existing_opportunity_and_makes_the_registrant_primary_r8(gql, world):
    opp, (alpha, _) = await _opportunity_with_two_registrations(gql, world)
    assert alpha["customerName"] == "Acme, Inc"
    done = await ok(gql, world, APPROVE, "cm_amer", id=alpha["id"])
    assert done["opportunity"]["id"] == opp["id"]
    assert done["assignedAccountExecutive"] == {"id": gid("User", world.user_ids["ae"])}  # the owner
    team = (await gql(OPP_TEAM, {"id": opp["id"]}, token=world.tokens["admin"]))["data"]["node"]["partners"]
    assert {(t["partner"]["name"], t["role"], t["isPrimary"]) for t in team} == {
        ("Alpha Resellers", "DEAL_REGISTRANT", True), ("Beta Distribution", "RESELLER", False)}


async def test_p5_two_concurrent_approvals_exactly_one_wins(gql, world):
    opp, (alpha, beta) = await _opportunity_with_two_registrations(gql, world)
    results = await asyncio.gather(
        call(gql, world, APPROVE, "cm_amer", id=alpha["id"]),
        call(gql, world, APPROVE, "admin", id=beta["id"]),
    )
    winners = [r for r in results if not r["errors"]]
    losers = [r for r in results if r["errors"]]
    assert len(winners) == 1 and len(losers) == 1, results
    assert (only_error(losers[0])["code"], only_error(losers[0])["rule"]) == ("OPPORTUNITY_ALREADY_REGISTERED", "P5")
    assert await DealRegistration.count().where(DealRegistration.status == "APPROVED") == 1


async def test_p5_the_database_refuses_a_second_approved_registration_per_opportunity(gql, world):
    """The guarantee does not depend on the service's checks: the partial unique index refuses it."""
    import pytest

    opp, (alpha, beta) = await _opportunity_with_two_registrations(gql, world)
    await DealRegistration.update({DealRegistration.status: "APPROVED"}).where(DealRegistration.id == pk(alpha["id"]))
    with pytest.raises(Exception) as raised:
        await DealRegistration.update({DealRegistration.status: "APPROVED"}).where(DealRegistration.id == pk(beta["id"]))
    assert "unique" in str(raised.value).lower() or "UNIQUE" in type(raised.value).__name__


# ---------------------------------------------------------------- expiry and extension (P6)


async def test_p6_extension_once_by_a_channel_manager_longer_by_an_admin(gql, world):
    reg = await register(gql, world)
    not_yet = await call(gql, world, EXTEND, "cm_amer", id=reg["id"])
    assert (only_error(not_yet)["code"], only_error(not_yet)["rule"]) == ("INVALID_TRANSITION", "P4")
    reg = await approved(gql, world, reg["id"])
    too_long = await call(gql, world, EXTEND, "cm_amer", id=reg["id"], days=45)
    assert (only_error(too_long)["code"], only_error(too_long)["rule"]) == ("EXTENSION_TOO_LONG", "P6")
    other_region = await call(gql, world, EXTEND, "cm_emea", id=reg["id"])
    assert only_error(other_region)["code"] == "NOT_REGION_REVIEWER"
    once = await ok(gql, world, EXTEND, "cm_amer", id=reg["id"])
    expires = datetime.fromisoformat(reg["expiresAt"])
    assert datetime.fromisoformat(once["expiresAt"]) - expires == timedelta(days=30) and once["extensionCount"] == 1
    twice = await call(gql, world, EXTEND, "cm_amer", id=reg["id"], days=10)
    assert (only_error(twice)["code"], only_error(twice)["rule"]) == ("EXTENSION_USED", "P6")
    admin = await ok(gql, world, EXTEND, "admin", id=reg["id"], days=60)
    assert datetime.fromisoformat(admin["expiresAt"]) - expires == timedelta(days=90) and admin["extensionCount"] == 2
    body = await gql(EXTEND, {"input": {"id": reg["id"]}}, token=world.tokens["alpha_user"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_p6_due_registrations_expire_by_the_background_job_once(gql, world, cosell_client):
    from partners.opportunities.reseller import RuleSet
    from partners.registrations.expire import expire_due

    first = await approved(gql, world, (await register(gql, world))["id"])
    second = await approved(gql, world, (await register(gql, world, customer={"prospect": {"name": "Globex"}}))["id"])
    assert await _approved_count(world.partners["alpha"]) == 2
    assert set(await _ids(gql, world, "cm_amer", expiringWithinDays=91)) == {first["id"], second["id"]}
    assert await _ids(gql, world, "cm_amer", expiringWithinDays=10) == []
    past = datetime.now(timezone.utc) - timedelta(minutes=1)
    await DealRegistration.update({DealRegistration.expires_at: past}).where(DealRegistration.id == pk(first["id"]))
    assert await _ids(gql, world, "cm_amer", expiringWithinDays=0) == [first["id"]]
    result = await cosell_client.app.state.background.run_once()
    assert result["registration-expiry"] == 1
    assert await _ids(gql, world, "cm_amer", status="EXPIRED") == [first["id"]]
    assert await _ids(gql, world, "cm_amer", status="APPROVED") == [second["id"]]
    assert await _approved_count(world.partners["alpha"]) == 1
    history = (await gql(HISTORY, {"id": first["id"]}, token=world.tokens["admin"]))["data"]["node"]["history"]
    assert (history[-1]["event"], history[-1]["changedBy"]) == ("EXPIRED", None)
    # Several instances at once: each due row is expired (and announced) once.
    await DealRegistration.update({DealRegistration.expires_at: past}).where(DealRegistration.id == pk(second["id"]))
    rules = RuleSet(cosell_client.app.state.plugins)
    counts = await asyncio.gather(*(expire_due(rules) for _ in range(4)))
    assert sum(counts) == 1
    assert await DealRegistrationChange.count().where(DealRegistrationChange.event == "EXPIRED") == 2


async def test_p6_an_opportunity_closed_lost_closes_its_registration(gql, world):
    reg = await approved(gql, world, (await register(gql, world))["id"])
    body = await gql("""mutation($id: ID!) { moveOpportunityStage(input: {id: $id, stage: CLOSED_LOST,
        lossReason: NO_BUDGET}) { errors { code } } }""", {"id": reg["opportunity"]["id"]}, token=world.tokens["ae"])
    assert body["data"]["moveOpportunityStage"]["errors"] == []
    closed = (await gql(HISTORY, {"id": reg["id"]}, token=world.tokens["admin"]))["data"]["node"]
    assert closed["status"] == "CLOSED" and closed["history"][-1]["event"] == "CLOSED"
    assert await _approved_count(world.partners["alpha"]) == 0


# ---------------------------------------------------------------- services attach (P3, P9)


async def test_p9_services_attach_on_a_closed_won_opportunity_first_come_first_served(gql, world):
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme)
    await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER", name=f"ALPHA - {opp['name']}")
    await add_partner_ok(gql, world, opp["id"], "beta", "RESELLER")
    open_opp = await call(gql, world, REGISTER, "alpha_user", **deal_input(None, type="SERVICES_ATTACH",
                                                                            opportunityId=opp["id"]))
    assert (only_error(open_opp)["code"], only_error(open_opp)["rule"]) == ("SERVICES_ATTACH_NEEDS_CLOSED_WON", "P3")
    no_opp = await call(gql, world, REGISTER, "alpha_user", **deal_input(type="SERVICES_ATTACH"))
    assert only_error(no_opp)["rule"] == "P9"
    await move_ok(gql, world, opp["id"], "DISCOVERY", "CLOSED_WON")
    first = await register(gql, world, customer=None, type="SERVICES_ATTACH", opportunityId=opp["id"])
    assert first["type"] == "SERVICES_ATTACH"
    second = await call(gql, world, REGISTER, "beta_user", **deal_input(None, type="SERVICES_ATTACH",
                                                                          opportunityId=opp["id"]))
    assert (only_error(second)["code"], only_error(second)["rule"]) == ("SERVICES_ATTACH_TAKEN", "P9")
    resale_on_won = await call(gql, world, REGISTER, "beta_user", **deal_input(None, opportunityId=opp["id"]))
    assert (only_error(resale_on_won)["code"], only_error(resale_on_won)["rule"]) == ("OPPORTUNITY_CLOSED", "P3")
    # Services attach does not take the opportunity's sourcing place (P5): the team is unchanged.
    done = await approved(gql, world, first["id"])
    assert done["status"] == "APPROVED" and done["opportunity"]["id"] == opp["id"]
    team = (await gql(OPP_TEAM, {"id": opp["id"]}, token=world.tokens["admin"]))["data"]["node"]["partners"]
    assert {t["role"] for t in team} == {"RESELLER"}


async def test_d2_conflicts_on_a_page_that_holds_both_registrations(gql, world):
    """The page's own rows serve D2's lookups: the conflicting registration comes back
    whole (status, partner), and a partner user's page still shows no competitor (R9)."""
    a = await register(gql, world, products=["ci-cd"])
    b = await register(gql, world, "beta_user", customer={"prospect": {"name": "ACME Inc", "website": "acme.test"}},
                       products=["ci-cd"])
    query = "{ dealRegistrations(first: 10) { nodes { id conflicts { id status partner { name } } } } }"
    nodes = (await gql(query, token=world.tokens["cm_amer"]))["data"]["dealRegistrations"]["nodes"]
    conflicts = {n["id"]: n["conflicts"] for n in nodes}
    assert conflicts[a["id"]] == [{"id": b["id"], "status": "SUBMITTED", "partner": {"name": "Beta Distribution"}}]
    assert conflicts[b["id"]] == [{"id": a["id"], "status": "SUBMITTED", "partner": {"name": "Alpha Resellers"}}]
    # Staff get the conflicting registrations' partners with them: no statement more.
    ids_only = await gql("{ dealRegistrations(first: 10) { nodes { id conflicts { id } } } }",
                         token=world.tokens["cm_amer"])
    body = await gql(query, token=world.tokens["cm_amer"])
    assert body["extensions"]["sqlStatements"] == ids_only["extensions"]["sqlStatements"]
    for token in ("alpha_user", "beta_user"):
        nodes = (await gql(query, token=world.tokens[token]))["data"]["dealRegistrations"]["nodes"]
        assert [n["conflicts"] for n in nodes] == [[]], token


async def test_a_page_brings_its_registrations_partners_for_staff(gql, world):
    """Staff may read every partner: the page joins its registrations' partners, so asking
    for them costs no statement more; a partner user's page shows their own partner."""
    await register(gql, world, products=["ci-cd"])
    await register(gql, world, "beta_user", customer={"prospect": {"name": "Globex"}}, products=["security"])
    plain = "{ dealRegistrations(first: 10) { nodes { id } } }"
    with_partner = "{ dealRegistrations(first: 10) { nodes { id partner { name track } } } }"
    without = await gql(plain, token=world.tokens["cm_amer"])
    body = await gql(with_partner, token=world.tokens["cm_amer"])
    assert sorted(n["partner"]["name"] for n in body["data"]["dealRegistrations"]["nodes"]) == [
        "Alpha Resellers", "Beta Distribution"]
    assert body["extensions"]["sqlStatements"] == without["extensions"]["sqlStatements"]
    own = await gql(with_partner, token=world.tokens["beta_user"])
    assert [n["partner"]["name"] for n in own["data"]["dealRegistrations"]["nodes"]] == ["Beta Distribution"]


# ---------------------------------------------------------------- lists


async def test_review_queue_filters_and_no_n_plus_one(gql, world):
    for i in range(12):
        reg = await register(gql, world, customer={"prospect": {"name": f"Customer {i}"}}, products=["ci-cd"])
        if i % 3 == 0:
            await approved(gql, world, reg["id"])
    await register(gql, world, "beta_user", customer={"prospect": {"name": "Customer 1"}}, products=["ci-cd"])
    assert len(await _ids(gql, world, "cm_amer", dueForReview=True)) == 9
    assert len(await _ids(gql, world, "cm_amer", status="APPROVED", type="RESALE", region="AMER")) == 4
    late = (await DealRegistration.select(DealRegistration.id).where(DealRegistration.status == "SUBMITTED")
            .order_by(DealRegistration.id).first())["id"]
    await DealRegistration.update({DealRegistration.review_due_at: datetime.now(timezone.utc) - timedelta(hours=1)}).where(
        DealRegistration.id == late)
    assert await _ids(gql, world, "cm_amer", overdue=True) == [gid("DealRegistration", late)]  # P4 target missed
    query = """query($n: Int) { dealRegistrations(first: $n) { totalCount nodes { id customerName products
        partner { name } account { name } opportunity { name partners { role } } registeredBy { email }
        conflicts { id } history { event changedBy { email } } } } }"""
    small = await gql(query, {"n": 2}, token=world.tokens["cm_amer"])
    large = await gql(query, {"n": 13}, token=world.tokens["cm_amer"])
    assert len(large["data"]["dealRegistrations"]["nodes"]) == 13
    # No N+1: 13 rows cost no more statements than 2 (fewer when the conflicting
    # registrations are on the page itself: D2 then finds them among the page's rows).
    assert large["extensions"]["sqlStatements"] <= small["extensions"]["sqlStatements"] <= 16


async def test_p6_cosell_registrations_expire_command(gql, world, cosell_database_url):
    import os
    import sys

    reg = await approved(gql, world, (await register(gql, world))["id"])
    await DealRegistration.update({DealRegistration.expires_at: datetime.now(timezone.utc) - timedelta(seconds=1)}).where(
        DealRegistration.id == pk(reg["id"]))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.cli", "registrations", "expire", stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "DATABASE_URL": cosell_database_url})
    out, _ = await process.communicate()
    assert process.returncode == 0 and "1 deal registration(s) expired" in out.decode()
    assert await _ids(gql, world, "admin", status="EXPIRED") == [reg["id"]]


async def test_expiring_within_days_is_bounded(gql, world):
    """P6: a horizon beyond ten years is a clear BAD_USER_INPUT, not an internal error (found by fuzzing)."""
    body = await gql("{ dealRegistrations(filter: {expiringWithinDays: 1000000000}) { totalCount } }",
                     token=world.tokens["admin"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_approval_and_dissolution_keep_the_name_with_the_primary_r2(gql, world):
    """R2/R8: approving Beta's registration makes Beta primary and the name follows it;
    dissolving it hands the deal back to Alpha, name included. The rules check each step."""
    opp, (_, beta) = await _opportunity_with_two_registrations(gql, world)
    base = opp["name"]
    done = await ok(gql, world, APPROVE, "cm_amer", id=beta["id"])
    assert done["opportunity"]["name"] == f"BETA - {base}"
    team = (await gql(OPP_TEAM, {"id": opp["id"]}, token=world.tokens["admin"]))["data"]["node"]
    assert {(t["partner"]["name"], t["isPrimary"]) for t in team["partners"]} == {
        ("Alpha Resellers", False), ("Beta Distribution", True)}
    await ok(gql, world, DISSOLVE, "cm_amer", id=beta["id"], reason="Beta stopped working the deal")
    after = (await gql(OPP_TEAM, {"id": opp["id"]}, token=world.tokens["admin"]))["data"]["node"]
    assert after["name"] == f"ALPHA - {base}"
    assert [(t["partner"]["name"], t["isPrimary"]) for t in after["partners"]] == [("Alpha Resellers", True)]
