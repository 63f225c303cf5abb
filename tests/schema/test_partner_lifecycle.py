"""Partner records and their lifecycle through GraphQL (#18): create, apply, update,
authorize and deny (P1), tracks by invitation (P1), PSP, and eligibility from the agreement
and training records (P2), on both engines."""

from datetime import datetime, timedelta, timezone

import httpx

from partners.accounts.tables import Account, Contact
from partners.infra.tables import OutboxMessage
from partners.people.enums import Role
from partners.people.tables import Partner
from partners.program.tables import PartnerChange
from partners.registrations.tables import DealRegistration
from server.testing import GraphQLClient, make_user
from tests.schema.discounts import QUOTE, add_policy_ok
from tests.schema.program import (
    AGREEMENT,
    APPLY,
    AUTHORIZE,
    CREATE,
    DENY,
    PARTNERS,
    PSP,
    TRACK,
    TRAINING,
    UPDATE,
    codes,
    ok,
    run,
)
from tests.schema.registrations import DISSOLVE, REGISTER, approved, deal_input, register, to_manager_review
from tests.schema.sales import gid, pk
from tests.schema.test_locator import locate, names



def today():
    """The server's today (UTC), asked per use: a module constant goes stale when a run crosses midnight."""
    return datetime.now(timezone.utc).date()




async def _prospect(gql, world, name="Gamma Cloud", region="AMER", token="cm_amer", **fields) -> dict:
    payload = await ok(gql, CREATE, world.tokens[token], name=name, region=region, **fields)
    return payload["partner"]


async def _eligible(gql, world, partner_id: str, token="cm_amer") -> None:
    await ok(gql, AGREEMENT, world.tokens[token], partnerId=partner_id, version="2026.1",
             signedOn=today().isoformat(), signerName="Grace Signer")
    await ok(gql, TRAINING, world.tokens[token], partnerId=partner_id, personName="Tim Trained",
             personEmail="tim@gamma.test", completedOn=today().isoformat())


async def test_p1_create_partner_by_a_channel_manager_of_its_region(gql, world):
    partner = await _prospect(gql, world, nickname="gamma", country="us", city="Austin")
    assert (partner["status"], partner["track"], partner["isPsp"], partner["country"], partner["nickname"]) == (
        "PROSPECT", "OPEN", False, "US", "GAMMA")
    assert partner["history"] == [{"kind": "STATUS", "fromValue": "", "toValue": "PROSPECT", "reason": "Created.",
                                   "changedBy": {"email": "cm_amer@cosell.test"}}]
    assert partner["eligibility"]["eligibleToRegister"] is False

    before = await Partner.count()
    other_region = await run(gql, CREATE, world.tokens["cm_emea"], name="Delta", region="AMER")
    assert codes(other_region) == [("NOT_REGION_MANAGER", ("region",), "P1")]
    taken = await run(gql, CREATE, world.tokens["admin"], name="Gamma Two", nickname="GAMMA")
    assert codes(taken) == [("NICKNAME_TAKEN", ("nickname",), "R2")]
    bad = await run(gql, CREATE, world.tokens["admin"], name=" ", country="Germany", nickname="bad nick")
    assert {c[0] for c in codes(bad)} == {"REQUIRED", "INVALID_COUNTRY", "INVALID_NICKNAME"}
    assert await Partner.count() == before, "refusals write nothing"
    for token in ("ae", "sales_ops", "alpha_admin", "alpha_user"):
        body = await gql(CREATE, {"input": {"name": "Nope"}}, token=world.tokens[token], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", token


async def test_apply_as_partner_anonymously_creates_a_prospect_with_a_contact_and_is_rate_limited(gql, world):
    contact = {"name": "Ada Applicant", "email": "Ada@Omega.test", "title": "CEO"}
    payload = await ok(gql, APPLY, None, name="Omega IT", type="MSP", region="EMEA", country="FR",
                       website="https://omega.test", contact=contact)
    assert payload["application"]["status"] == "PROSPECT" and payload["application"]["name"] == "Omega IT"
    row = await Partner.select().where(Partner.name == "Omega IT").first()
    assert (row["status"], row["partner_type"], row["region"], row["track"]) == ("PROSPECT", "MSP", "EMEA", "OPEN")
    account = await Account.select().where(Account.partner == row["id"]).first()
    assert account["account_type"] == "PROSPECTIVE_RESELLER"  # the partner's own account (A5)
    assert [c["email"] for c in await Contact.select().where(Contact.account == account["id"])] == ["ada@omega.test"]
    [mail] = await OutboxMessage.select().where(OutboxMessage.kind == "email")
    assert "ada@omega.test" in str(mail["payload"])
    # Staff now find it among the prospects; the applicant sees nothing of other partners.
    found = (await gql(PARTNERS, {"f": {"status": "PROSPECT", "region": "EMEA"}}, token=world.tokens["cm_emea"]))
    assert [n["name"] for n in found["data"]["partners"]["nodes"]] == ["Omega IT"]

    bad = await run(gql, APPLY, None, name="Bad", contact={"name": "", "email": "nope"})
    assert {(c[0], c[1]) for c in codes(bad)} == {("REQUIRED", ("contact", "name")), ("INVALID_EMAIL", ("contact", "email"))}
    for i in range(3):
        await ok(gql, APPLY, None, name=f"Spam {i}", contact=contact)
    limited = await run(gql, APPLY, None, name="Spam 4", contact=contact)
    assert codes(limited) == [("RATE_LIMITED", (), None)]
    assert not await Partner.exists().where(Partner.name == "Spam 4")


async def _apply_from(app, host: str, name: str) -> dict:
    """applyAsPartner from the client address `host` (as the ASGI server reports it)."""
    transport = httpx.ASGITransport(app=app, client=(host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://cosell.test") as client:
        return await run(GraphQLClient(client), APPLY, None, name=name,
                         contact={"name": "Spammer", "email": "spam@example.test"})


async def test_the_application_limit_counts_an_ipv6_64_once_and_survives_a_new_instance(cosell_app_factory):
    """Issue 33 (11): the limit is per IPv6 /64 (IPv4 address), counted in the database, so a
    new /128 is no new budget and a restart or another instance keeps the count."""
    async with cosell_app_factory() as client:
        for i in range(5):  # five addresses of one /64: one budget of 5
            assert (await _apply_from(client.app, f"2001:db8:1:2::{i + 1:x}", f"Spam {i}"))["errors"] == []
        limited = await _apply_from(client.app, "2001:db8:1:2:ffff:ffff:ffff:ffff", "Spam 5")
        assert codes(limited) == [("RATE_LIMITED", (), None)]
        assert (await _apply_from(client.app, "2001:db8:1:3::1", "Other net 1"))["errors"] == []
        assert (await _apply_from(client.app, "203.0.113.7", "IPv4 1"))["errors"] == []
    async with cosell_app_factory() as client:  # a new instance on the same database
        again = await _apply_from(client.app, "2001:db8:1:2::99", "Spam 6")
        assert codes(again) == [("RATE_LIMITED", (), None)]
        assert (await _apply_from(client.app, "2001:db8:1:3::2", "Other net 2"))["errors"] == []
    assert not await Partner.exists().where(Partner.name.is_in(["Spam 5", "Spam 6"]))
    assert await Partner.count().where(Partner.name.like("Spam %")) == 5


async def test_p1_authorize_and_deny_with_reasons_and_history(gql, world):
    partner = await _prospect(gql, world)
    refused = await run(gql, AUTHORIZE, world.tokens["cm_emea"], id=partner["id"])
    assert codes(refused) == [("NOT_REGION_MANAGER", ("id",), "P1")]
    done = (await ok(gql, AUTHORIZE, world.tokens["cm_amer"], id=partner["id"], reason="Vetted"))["partner"]
    assert done["status"] == "AUTHORIZED"
    again = await run(gql, AUTHORIZE, world.tokens["admin"], id=partner["id"])
    assert codes(again) == [("INVALID_STATUS_CHANGE", ("id",), "P1")]
    no_reason = await run(gql, DENY, world.tokens["cm_amer"], id=partner["id"], reason=" ")
    assert codes(no_reason) == [("REASON_REQUIRED", ("reason",), "P1")]
    denied = (await ok(gql, DENY, world.tokens["admin"], id=partner["id"], reason="Agreement breach"))["partner"]
    assert denied["status"] == "DENIED"
    assert [(h["fromValue"], h["toValue"], h["reason"]) for h in denied["history"]] == [
        ("AUTHORIZED", "DENIED", "Agreement breach"), ("PROSPECT", "AUTHORIZED", "Vetted"), ("", "PROSPECT", "Created.")]
    missing = await run(gql, DENY, world.tokens["admin"], id=gid("Partner", 999999), reason="x")
    assert codes(missing) == [("NOT_FOUND", ("id",), None)]


async def test_p1_a_denied_partner_loses_its_registrations_as_p5_and_p6_say_and_no_longer_quotes(gql, world):
    """Alpha's approved registration is dissolved (alpha leaves the team, beta's held one is
    reconsidered, P5); alpha's pending one closes; alpha can neither register nor quote."""
    won = await register(gql, world, products=["ci-cd"])
    held = await register(gql, world, "beta_user", customer={"prospect": {"name": "Acme, Inc"}}, products=["ci-cd"])
    await to_manager_review(gql, world, held["id"])
    won = await approved(gql, world, won["id"])
    pending = await register(gql, world, customer={"prospect": {"name": "Globex", "website": "globex.test"}})
    await add_policy_ok(gql, world)

    denied = await ok(gql, DENY, world.tokens["cm_amer"], id=gid("Partner", world.partners["alpha"]),
                      reason="Left the program")
    assert denied["partner"]["status"] == "DENIED"
    statuses = {r["id"]: r["status"] for r in await DealRegistration.select(DealRegistration.id, DealRegistration.status)}
    assert statuses == {pk(won["id"]): "DISSOLVED", pk(pending["id"]): "CLOSED",
                        pk(held["id"]): "PENDING_MANAGER_REVIEW"}
    team = await gql("query($id: ID!) { node(id: $id) { ... on Opportunity { partners { role partner { name } } } } }",
                     {"id": won["opportunity"]["id"]}, token=world.tokens["admin"])
    assert "Alpha Resellers" not in [p["partner"]["name"] for p in team["data"]["node"]["partners"]]

    refused = await run(gql, REGISTER, world.tokens["alpha_user"], **deal_input())
    assert codes(refused) == [("PARTNER_DENIED", ("partnerId",), "P1")]  # its users do not act (P1)
    quote = await gql(QUOTE, {"input": {"opportunityId": won["opportunity"]["id"],
                                        "partnerId": gid("Partner", world.partners["alpha"])}},
                      token=world.tokens["admin"])
    assert [e["code"] for e in quote["data"]["discountQuote"]["errors"]] == ["PARTNER_DENIED"]
    # A dissolved registration cannot be dissolved again: the denial did it once.
    again = await run(gql, DISSOLVE, world.tokens["cm_amer"], id=won["id"], reason="again")
    assert codes(again)[0][0] == "INVALID_TRANSITION"


async def test_p1_select_tracks_by_invitation_only_with_a_reason_and_kept_history(gql, world):
    alpha = gid("Partner", world.partners["alpha"])
    prospect = await _prospect(gql, world)
    not_authorized = await run(gql, TRACK, world.tokens["admin"], id=prospect["id"], track="SELECT", reason="Invited")
    assert codes(not_authorized) == [("PARTNER_NOT_AUTHORIZED", ("track",), "P1")]
    no_reason = await run(gql, TRACK, world.tokens["cm_amer"], id=alpha, track="SELECT", reason="")
    assert codes(no_reason) == [("REASON_REQUIRED", ("reason",), "P1")]
    other_region = await run(gql, TRACK, world.tokens["cm_emea"], id=alpha, track="SELECT", reason="Invited")
    assert codes(other_region) == [("NOT_REGION_MANAGER", ("id",), "P1")]
    for token in ("alpha_admin", "ae"):
        body = await gql(TRACK, {"input": {"id": alpha, "track": "SELECT", "reason": "me"}}, token=world.tokens[token],
                         errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    moved = (await ok(gql, TRACK, world.tokens["cm_amer"], id=alpha, track="SELECT", reason="Invited at QBR"))["partner"]
    assert moved["track"] == "SELECT"
    moved = (await ok(gql, TRACK, world.tokens["admin"], id=alpha, track="SELECT_SERVICES", reason="Services"))["partner"]
    assert [(h["kind"], h["fromValue"], h["toValue"], h["reason"], h["changedBy"]["email"]) for h in moved["history"]] == [
        ("TRACK", "SELECT", "SELECT_SERVICES", "Services", "admin@cosell.test"),
        ("TRACK", "OPEN", "SELECT", "Invited at QBR", "cm_amer@cosell.test")]
    same = await run(gql, TRACK, world.tokens["admin"], id=alpha, track="SELECT_SERVICES", reason="again")
    assert codes(same) == [("NO_CHANGE", ("track",), "P1")]
    # The partner's own users see the history of their partner, not the staff behind it.
    own = await gql("{ partner { track history { toValue changedBy { email } } } }", token=world.tokens["alpha_user"])
    assert own["data"]["partner"]["track"] == "SELECT_SERVICES"
    assert own["data"]["partner"]["history"][0] == {"toValue": "SELECT_SERVICES", "changedBy": None}


async def test_p1_psp_designation(gql, world):
    alpha = gid("Partner", world.partners["alpha"])
    on = (await ok(gql, PSP, world.tokens["cm_amer"], id=alpha, isPsp=True, reason="Services practice"))["partner"]
    assert on["isPsp"] is True and on["history"][0]["kind"] == "PSP"
    assert codes(await run(gql, PSP, world.tokens["admin"], id=alpha, isPsp=True)) == [("NO_CHANGE", ("isPsp",), "P1")]
    assert (await ok(gql, PSP, world.tokens["admin"], id=alpha, isPsp=False))["partner"]["isPsp"] is False


async def test_p2_eligibility_is_computed_from_agreement_and_current_trainings(gql, world):
    partner = await _prospect(gql, world, nickname="GAMMA")
    await ok(gql, AUTHORIZE, world.tokens["cm_amer"], id=partner["id"])
    token = await make_user(world, "gamma_user", Role.PARTNER_USER,
                            partner_id=pk(partner["id"]))
    refused = await run(gql, REGISTER, token, **deal_input())
    assert codes(refused) == [("AGREEMENT_NOT_SIGNED", ("partnerId",), "P2"),
                              ("NO_TRAINED_EMPLOYEE", ("partnerId",), "P2")]

    future = await run(gql, AGREEMENT, world.tokens["cm_amer"], partnerId=partner["id"], version="2026.1",
                       signedOn=(today() + timedelta(days=3)).isoformat(), signerName="")
    assert set(codes(future)) == {("DATE_IN_FUTURE", ("signedOn",), "P2"), ("REQUIRED", ("signerName",), None)}
    signed = await ok(gql, AGREEMENT, world.tokens["cm_amer"], partnerId=partner["id"], version="2026.1",
                      signedOn=today().isoformat(), signerName="Grace Signer", signerEmail="grace@gamma.test")
    assert signed["agreement"] == {"version": "2026.1", "signedOn": today().isoformat(), "signerName": "Grace Signer",
                                   "signerEmail": "grace@gamma.test"}
    assert signed["partner"]["eligibility"] == {
        "eligibleToRegister": False, "agreementSignedOn": today().isoformat(), "trainedPeople": 0,
        "reasons": [{"code": "NO_TRAINED_EMPLOYEE", "field": ["partnerId"], "rule": "P2"}]}

    expired = await ok(gql, TRAINING, world.tokens["cm_amer"], partnerId=partner["id"], personName="Old Timer",
                       personEmail="old@gamma.test", completedOn="2024-01-10", expiresOn="2025-01-10")
    assert expired["partner"]["eligibility"]["eligibleToRegister"] is False, "an expired completion does not count"
    other_course = await ok(gql, TRAINING, world.tokens["cm_amer"], partnerId=partner["id"], personName="Sam",
                            personEmail="sam@gamma.test", course="SALES_ACCREDITATION", completedOn=today().isoformat())
    assert other_course["partner"]["eligibility"]["trainedPeople"] == 0
    bad = await run(gql, TRAINING, world.tokens["cm_amer"], partnerId=partner["id"], personName="X",
                    personEmail="x@gamma.test", completedOn=today().isoformat(), expiresOn="2020-01-01")
    assert codes(bad) == [("EXPIRES_BEFORE_COMPLETION", ("expiresOn",), "P2")]
    trained = await ok(gql, TRAINING, world.tokens["cm_amer"], partnerId=partner["id"], personName="Tim Trained",
                       personEmail="tim@gamma.test", completedOn=today().isoformat(),
                       expiresOn=(today() + timedelta(days=365)).isoformat())
    assert trained["partner"]["eligibility"]["eligibleToRegister"] is True
    assert trained["partner"]["eligibility"]["reasons"] == []
    assert (await run(gql, REGISTER, token, **deal_input()))["errors"] == []
    # Recording for a partner of another region is refused, for a missing one NOT_FOUND.
    assert codes(await run(gql, TRAINING, world.tokens["cm_emea"], partnerId=partner["id"], personName="X",
                           personEmail="x@gamma.test", completedOn=today().isoformat())) == [
        ("NOT_REGION_MANAGER", ("partnerId",), "P1")]


async def test_update_partner_and_locator_freshness_p1(gql, world):
    """Authorizing, denying and unpublishing change the locator's results at once (P1, D7)."""
    partner = await _prospect(gql, world, name="Gamma Cloud", nickname="GAMMA")

    async def listed() -> list[str]:
        return names(await locate(gql, world.tokens["ae"], text="gamma"))

    assert await listed() == []
    await ok(gql, AUTHORIZE, world.tokens["cm_amer"], id=partner["id"])
    assert await listed() == ["Gamma Cloud"]
    changed = (await ok(gql, UPDATE, world.tokens["cm_amer"], id=partner["id"], published=False,
                        website="https://gamma.test", city="Austin"))["partner"]
    assert (changed["published"], changed["website"], changed["city"]) == (False, "https://gamma.test", "Austin")
    assert await listed() == []
    await ok(gql, UPDATE, world.tokens["admin"], id=partner["id"], published=True)
    assert await listed() == ["Gamma Cloud"]
    await ok(gql, DENY, world.tokens["admin"], id=partner["id"], reason="Fraud")
    assert await listed() == []

    moved = await run(gql, UPDATE, world.tokens["cm_amer"], id=partner["id"], region="EMEA")
    assert codes(moved) == [("NOT_REGION_MANAGER", ("region",), "P1")]
    taken = await run(gql, UPDATE, world.tokens["admin"], id=partner["id"], nickname="alpha")
    assert codes(taken) == [("NICKNAME_TAKEN", ("nickname",), "R2")]
    assert codes(await run(gql, UPDATE, world.tokens["admin"], id=partner["id"], name="")) == [
        ("REQUIRED", ("name",), None)]


async def test_partners_list_is_for_staff_filtered_and_paginated(gql, world):
    for i in range(3):
        await _prospect(gql, world, name=f"Gamma {i}", country="CA")
    body = await gql(PARTNERS, {"f": {"country": "ca", "status": "PROSPECT"}, "first": 2}, token=world.tokens["ae"])
    page = body["data"]["partners"]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"] is True
    assert [n["name"] for n in page["nodes"]] == ["Gamma 0", "Gamma 1"]
    rest = await gql(PARTNERS, {"f": {"country": "CA"}, "first": 2, "after": page["pageInfo"]["endCursor"]},
                     token=world.tokens["ae"])
    assert [n["name"] for n in rest["data"]["partners"]["nodes"]] == ["Gamma 2"]
    by_text = await gql(PARTNERS, {"f": {"text": "beta"}}, token=world.tokens["sdr"])
    assert [n["name"] for n in by_text["data"]["partners"]["nodes"]] == ["Beta Distribution"]
    by_type = await gql(PARTNERS, {"f": {"type": "DISTRIBUTOR", "track": "OPEN", "region": "EMEA"}},
                        token=world.tokens["sdr"])
    assert by_type["data"]["partners"]["totalCount"] == 1
    for token in ("alpha_user", "alpha_admin"):
        refused = await gql(PARTNERS, {}, token=world.tokens[token], errors=True)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Partner users read their own partner only, by any path.
    own = await gql("query($id: ID) { partner(id: $id) { name eligibility { eligibleToRegister } } }",
                    {"id": None}, token=world.tokens["alpha_admin"])
    assert own["data"]["partner"] == {"name": "Alpha Resellers", "eligibility": {"eligibleToRegister": True}}
    other = await gql("query($id: ID) { partner(id: $id) { name } }", {"id": gid("Partner", world.partners["beta"])},
                      token=world.tokens["alpha_admin"])
    assert other["data"]["partner"] is None


async def test_partner_pages_do_not_grow_in_statements_with_the_page_size(gql, world):
    for i in range(6):
        partner = await _prospect(gql, world, name=f"Gamma {i}")
        await _eligible(gql, world, partner["id"])
    counts = []
    for first in (3, 8):  # both pages hold partners with history (its changedBy loads users)
        body = await gql(PARTNERS, {"first": first}, token=world.tokens["admin"])
        assert len(body["data"]["partners"]["nodes"]) == first
        counts.append(body["extensions"]["sqlStatements"])
    assert counts[0] == counts[1]


async def test_every_partner_change_is_audited(gql, world):
    partner = await _prospect(gql, world)
    await ok(gql, AUTHORIZE, world.tokens["cm_amer"], id=partner["id"], reason="ok")
    await run(gql, DENY, world.tokens["cm_amer"], id=partner["id"], reason="")
    body = await gql("{ auditLog(first: 10) { nodes { mutation actor result errorCodes } } }",
                     token=world.tokens["admin"])
    entries = {(n["mutation"], n["actor"], n["result"], tuple(n["errorCodes"])) for n in body["data"]["auditLog"]["nodes"]}
    assert {("createPartner", "cm_amer@cosell.test", "OK", ()), ("authorizePartner", "cm_amer@cosell.test", "OK", ()),
            ("denyPartner", "cm_amer@cosell.test", "USER_ERROR", ("REASON_REQUIRED",))} <= entries
    assert await PartnerChange.count() == 2
