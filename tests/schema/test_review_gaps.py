"""Gaps found in review, closed through GraphQL against the app and a real database:
no existence leak in a partner admin's `inviteUser`; a DENIED partner's users cannot act and
the partner cannot join a team (P1); a deal registrant's place goes only with its
registration (P5); program TOO_LONG errors carry their rule (P1, P2); a deactivated SMB
advocate's cases in progress go back to the queue (D9)."""

from __future__ import annotations

from partners.cases.tables import PartnerCase
from partners.infra.tables import AuditEntry, OutboxMessage
from partners.opportunities.tables import Opportunity, OpportunityPartner
from partners.people.enums import Role
from partners.people.tables import User
from partners.program.tables import UserInvitation
from server.testing import make_user
from tests.schema.leads import COMMENT_ON_CASE, OPEN_CASE, PICK_UP_CASE, call, ok as ok_case, open_case
from tests.schema.program import AGREEMENT, AUTHORIZE, CHANGE_ROLE, DEACTIVATE, DENY, INVITE, UPDATE, codes, ok, run
from tests.schema.registrations import approved, register
from tests.schema.sales import REMOVE_PARTNER, add_partner, create_account, create_opportunity, gid, pk

# ---------------------------------------------------------------- inviteUser: no existence leak


async def test_a_partner_admin_cannot_tell_where_an_address_has_an_account(gql, world):
    """Another partner's user, vendor staff, a colleague and an unclaimed invitation all get
    the same neutral EMAIL_UNAVAILABLE (same code, field, rule and message); admins still
    get EMAIL_TAKEN. Nothing is written."""
    pending = await ok(gql, INVITE, world.tokens["admin"], email="pending@elsewhere.test", name="P",
                       role="SDR", regions=["AMER"])
    assert pending["user"]["invitationPending"] is True
    users, invitations = await User.count(), await UserInvitation.count()
    answers = {}
    for email in ("beta_user@cosell.test", "ae@cosell.test", "alpha_user@cosell.test", "pending@elsewhere.test",
                  "BETA_USER@cosell.test "):
        payload = await run(gql, INVITE, world.tokens["alpha_admin"], email=email, name="X", role="PARTNER_USER")
        assert payload["user"] is None
        answers[email] = [(e["code"], tuple(e["field"]), e["rule"], e["message"]) for e in payload["errors"]]
    assert len({tuple(a) for a in answers.values()}) == 1, answers
    [(code, field, rule, message)] = answers["beta_user@cosell.test"]
    assert (code, field, rule) == ("EMAIL_UNAVAILABLE", ("email",), None)
    assert "beta" not in message.lower() and "exist" not in message.lower() and "@" not in message
    assert (await User.count(), await UserInvitation.count()) == (users, invitations), "nothing written"
    staff = await run(gql, INVITE, world.tokens["admin"], email="beta_user@cosell.test", name="X",
                      role="PARTNER_USER", partnerId=gid("Partner", world.partners["alpha"]))
    assert codes(staff) == [("EMAIL_TAKEN", ("email",), None)]
    fresh = await ok(gql, INVITE, world.tokens["alpha_admin"], email="new@alpha.test", name="New", role="PARTNER_USER")
    assert fresh["user"]["email"] == "new@alpha.test"


# ---------------------------------------------------------------- P1: a DENIED partner


async def _deny(gql, world, partner: str = "alpha") -> None:
    await ok(gql, DENY, world.tokens["cm_amer" if partner == "alpha" else "cm_emea"],
             id=gid("Partner", world.partners[partner]), reason="Failed the compliance review")


async def test_p1_a_denied_partners_users_keep_their_accounts_but_cannot_act(gql, world):
    earlier = await open_case(gql, world)
    await _deny(gql, world)
    cases = await PartnerCase.count()
    refused = await call(gql, world, OPEN_CASE, "alpha_user", subject="Quote", description="Help", accountName="Hooli")
    assert refused["case"] is None
    assert codes(refused) == [("PARTNER_DENIED", (), "P1")]
    comment = await call(gql, world, COMMENT_ON_CASE, "alpha_admin", id=earlier["id"], body="Any news?")
    assert codes(comment) == [("PARTNER_DENIED", (), "P1")] and comment["comment"] is None
    invite = await run(gql, INVITE, world.tokens["alpha_admin"], email="z@alpha.test", name="Z", role="PARTNER_USER")
    assert codes(invite) == [("PARTNER_DENIED", ("partnerId",), "P1")]
    assert await PartnerCase.count() == cases
    view = await gql("query($id: ID!) { node(id: $id) { ... on Case { comments { body } } } }",
                     {"id": earlier["id"]}, token=world.tokens["alpha_user"])
    assert view["data"]["node"] == {"comments": []}, "they still read their own history; nothing was added"
    # Another partner is not affected; authorized again (P1), alpha's people act again.
    assert (await open_case(gql, world, token="beta_user"))["status"] == "OPEN"
    await ok(gql, AUTHORIZE, world.tokens["cm_amer"], id=gid("Partner", world.partners["alpha"]), reason="Fixed")
    assert (await open_case(gql, world))["status"] == "OPEN"


async def test_p1_a_denied_partner_is_not_added_to_an_opportunitys_team(gql, world):
    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme, name="Acme, Inc- 50 Premium")
    await _deny(gql, world)
    version = (await Opportunity.select(Opportunity.version).where(Opportunity.id == pk(opp["id"])).first())["version"]
    for role in ("RESELLER", "INFLUENCER", "FULFILLER"):
        payload = await add_partner(gql, world, opp["id"], "alpha", role, token="admin")
        assert payload["opportunity"] is None
        assert codes(payload) == [("PARTNER_DENIED", ("partnerId",), "P1")]
    assert not await OpportunityPartner.exists().where(OpportunityPartner.opportunity == pk(opp["id"]))
    after = await Opportunity.select(Opportunity.version).where(Opportunity.id == pk(opp["id"])).first()
    assert after["version"] == version, "nothing written"


# ---------------------------------------------------------------- P5: the registrant's place


async def test_p5_the_deal_registrants_place_is_not_removed_without_its_registration(gql, world):
    reg = await approved(gql, world, (await register(gql, world))["id"])
    deal = reg["opportunity"]
    body = await gql(REMOVE_PARTNER, {"input": {"opportunityId": deal["id"],
                                                "partnerId": gid("Partner", world.partners["alpha"]),
                                                "name": "Acme, Inc- 50 Premium"}}, token=world.tokens["admin"])
    payload = body["data"]["removeOpportunityPartner"]
    assert payload["opportunity"] is None
    assert codes(payload) == [("REGISTRANT_PLACE_NEEDS_DISSOLUTION", ("partnerId",), "P5")]
    rows = await OpportunityPartner.select(OpportunityPartner.partner, OpportunityPartner.role).where(
        OpportunityPartner.opportunity == pk(deal["id"]))
    assert rows == [{"partner": world.partners["alpha"], "role": "DEAL_REGISTRANT"}], "nothing written"
    name = (await Opportunity.select(Opportunity.name).where(Opportunity.id == pk(deal["id"])).first())["name"]
    assert name == "ALPHA - Acme, Inc- 50 Premium"


# ---------------------------------------------------------------- program TOO_LONG carries its rule


async def test_program_too_long_errors_carry_the_rule_of_their_record(gql, world):
    alpha = gid("Partner", world.partners["alpha"])
    city = await run(gql, UPDATE, world.tokens["cm_amer"], id=alpha, city="x" * 101)
    assert codes(city) == [("TOO_LONG", ("city",), "P1")]
    reason = await run(gql, DENY, world.tokens["cm_amer"], id=alpha, reason="x" * 2001)
    assert codes(reason) == [("TOO_LONG", ("reason",), "P1")]
    agreement = await run(gql, AGREEMENT, world.tokens["cm_amer"], partnerId=alpha, version="v" * 41,
                          signedOn="2026-01-02", signerName="Sam")
    assert codes(agreement) == [("TOO_LONG", ("version",), "P2")]
    invite = await run(gql, INVITE, world.tokens["alpha_admin"], email="n@alpha.test", name="n" * 201,
                       role="PARTNER_USER")
    assert codes(invite) == [("TOO_LONG", ("name",), "P1")]


# ---------------------------------------------------------------- D9: a deactivated advocate's cases


async def _case_events(case_id: int) -> list[dict]:
    rows = await OutboxMessage.select(OutboxMessage.payload).where(OutboxMessage.kind == "case_event")
    payloads = [r["payload"] if isinstance(r["payload"], dict) else __import__("json").loads(r["payload"])
                for r in rows]
    return [p for p in payloads if p["case"]["id"] == case_id]


async def test_d9_a_deactivated_advocates_cases_in_progress_go_back_to_the_queue(gql, world):
    await make_user(world, "advocate2", Role.SMB_ADVOCATE)
    held = await open_case(gql, world, subject="Held")
    other = await open_case(gql, world, subject="Other's")
    picked = await ok_case(gql, world, PICK_UP_CASE, "advocate", key="case", id=held["id"])
    await ok_case(gql, world, PICK_UP_CASE, "advocate2", key="case", id=other["id"])
    done = await ok(gql, DEACTIVATE, world.tokens["admin"], id=gid("User", world.user_ids["advocate"]))
    assert done["user"]["active"] is False
    row = await PartnerCase.select().where(PartnerCase.id == pk(held["id"])).first()
    assert (row["status"], row["advocate"], row["picked_up_at"], row["version"]) == (
        "OPEN", None, None, picked["version"] + 1)
    untouched = await PartnerCase.select().where(PartnerCase.id == pk(other["id"])).first()
    assert (untouched["status"], untouched["advocate"]) == ("IN_PROGRESS", world.user_ids["advocate2"])
    [released] = [e for e in await _case_events(pk(held["id"])) if e["event"] == "RELEASED"]
    assert (released["reason"], released["released_from_id"], released["case"]["status"]) == (
        "ADVOCATE_DEACTIVATED", world.user_ids["advocate"], "OPEN")
    assert not [e for e in await _case_events(pk(other["id"])) if e["event"] == "RELEASED"]
    audit = await AuditEntry.select(AuditEntry.result).where(AuditEntry.mutation == "deactivateUser")
    assert [a["result"] for a in audit] == ["OK"]
    # Back in the queue: another advocate picks it up.
    again = await ok_case(gql, world, PICK_UP_CASE, "advocate2", key="case", id=held["id"])
    assert again["status"] == "IN_PROGRESS" and again["advocate"] == {"id": gid("User", world.user_ids["advocate2"])}


async def test_d9_an_advocate_moved_to_another_role_gives_their_cases_back(gql, world):
    case = await open_case(gql, world)
    await ok_case(gql, world, PICK_UP_CASE, "advocate", key="case", id=case["id"])
    await ok(gql, CHANGE_ROLE, world.tokens["admin"], id=gid("User", world.user_ids["advocate"]), role="SDR",
             regions=["AMER"])
    row = await PartnerCase.select(PartnerCase.status, PartnerCase.advocate).where(
        PartnerCase.id == pk(case["id"])).first()
    assert row == {"status": "OPEN", "advocate": None}
    [released] = [e for e in await _case_events(pk(case["id"])) if e["event"] == "RELEASED"]
    assert released["reason"] == "ADVOCATE_ROLE_CHANGED"


async def test_p1_a_denied_partners_users_do_not_work_co_sell_tasks(gql, world):
    from partners.plans.tables import CoSellTask
    from tests.schema.cosell import add_task, complete_task, create_plan, days, update_task
    from tests.schema.sales import add_partner_ok

    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme, name="ALPHA - Acme, Inc- 50 Premium")
    await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER", is_primary=True)
    plan = await create_plan(gql, world, opp["id"], "alpha", token="cm_amer", kickoffDate=days(0))
    task = await add_task(gql, world, plan["id"], "alpha_user", token="cm_amer", title="Run the POC", dueDate=days(9))
    await _deny(gql, world)
    for payload in (await update_task(gql, world, task["id"], token="alpha_user", status="IN_PROGRESS"),
                    await complete_task(gql, world, task["id"], token="alpha_user", notes="Done")):
        assert payload["task"] is None
        assert codes(payload) == [("PARTNER_DENIED", ("id",), "P1")]
    row = await CoSellTask.select(CoSellTask.status).where(CoSellTask.id == pk(task["id"])).first()
    assert row["status"] == "OPEN", "nothing written"
