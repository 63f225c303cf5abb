"""Issue 34, the staff moves on a lead, through GraphQL: edit, archive, take back early,
reassign to another partner (a new P11 share), the named person at the partner, the email a
partner's users get when a lead is shared with them; scoping by every path."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from partners import business_days
from partners.infra.tables import AuditEntry
from partners.leads.tables import LeadEvent
from partners.people.enums import Role
from server.testing import global_id, make_user
from tests.schema.leads import (
    ACCEPT_LEAD,
    ARCHIVE_LEAD,
    LEAD_NODE,
    REASSIGN_LEAD,
    SET_PARTNER_CONTACT,
    SHARE_LEAD,
    TAKE_BACK_LEAD,
    UNARCHIVE_LEAD,
    UPDATE_LEAD,
    Clock,
    call,
    create_lead,
    emails,
    lead_events,
    ok,
    shared_lead,
)
from tests.schema.sales import pk

FRIDAY = datetime(2030, 3, 1, 10, 0, tzinfo=timezone.utc)
UTC = timezone.utc


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(FRIDAY)
    monkeypatch.setattr(business_days, "now", c)
    return c


def iso(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def codes(payload: dict) -> list[tuple[str, str | None]]:
    return [(e["code"], e["rule"]) for e in payload["errors"]]


async def node(gql, world, token: str, lead_id: str) -> dict | None:
    return (await gql(LEAD_NODE, {"id": lead_id}, token=world.tokens[token]))["data"]["node"]


async def test_p11_staff_edit_a_lead_and_its_share_and_deadlines_stay(gql, world, clock):
    lead = await shared_lead(gql, world)
    clock.at = FRIDAY + timedelta(days=1)
    edited = await ok(gql, world, UPDATE_LEAD, "cm_amer", id=lead["id"], company="Initech Corp",
                      contactName="Bill Lumbergh", priority="HIGH", notes="Budget confirmed.",
                      expectedVersion=lead["version"])
    assert edited["company"] == "Initech Corp" and edited["contactName"] == "Bill Lumbergh"
    assert edited["priority"] == "HIGH" and edited["version"] == lead["version"] + 1
    assert (edited["status"], edited["acceptDueAt"], edited["actionDueAt"]) == (
        "SHARED", lead["acceptDueAt"], lead["actionDueAt"])
    assert edited["history"][-1]["event"] == "UPDATED"
    assert "company" in edited["history"][-1]["note"] and "priority" in edited["history"][-1]["note"]
    # The partner sees the edit of the lead it holds.
    assert (await node(gql, world, "alpha_user", lead["id"]))["company"] == "Initech Corp"


async def test_p11_an_edit_is_checked_like_a_creation_and_writes_nothing_when_refused(gql, world, clock):
    lead = await shared_lead(gql, world)
    refused = await call(gql, world, UPDATE_LEAD, "cm_amer", id=lead["id"], company=" ", contactEmail="nope",
                         region="EMEA")
    assert codes(refused) == [("COMPANY_REQUIRED", "P11"), ("INVALID_EMAIL", "P11"), ("REGION_LOCKED", "P11")]
    assert refused["lead"] is None
    assert (await node(gql, world, "cm_amer", lead["id"]))["version"] == lead["version"]
    stale = await call(gql, world, UPDATE_LEAD, "cm_amer", id=lead["id"], notes="x", expectedVersion=99)
    assert [e["code"] for e in stale["errors"]] == ["STALE_VERSION"]
    # A NEW lead may move to another region.
    fresh = await create_lead(gql, world, company="Globex")
    moved = await ok(gql, world, UPDATE_LEAD, "sdr", id=fresh["id"], region="EMEA", country="de")
    assert (moved["region"], moved["country"]) == ("EMEA", "DE")


async def test_p11_partners_and_smb_advocates_cannot_edit_leads(gql, world, clock):
    lead = await shared_lead(gql, world)
    for token in ("alpha_user", "alpha_admin", "advocate"):
        body = await gql(UPDATE_LEAD, {"input": {"id": lead["id"], "notes": "mine"}}, token=world.tokens[token],
                         errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", token


async def test_p11_archive_a_lead_nobody_holds_and_unarchive_it(gql, world, clock):
    held = await shared_lead(gql, world)
    refused = await call(gql, world, ARCHIVE_LEAD, "sales_ops", id=held["id"])
    assert codes(refused) == [("LEAD_HELD", "P11")]

    lead = await create_lead(gql, world, company="Globex")
    archived = await ok(gql, world, ARCHIVE_LEAD, "sales_ops", id=lead["id"], note="Test record")
    assert archived["archivedAt"] and archived["history"][-1] == {"event": "ARCHIVED", "note": "Test record"}
    listed = "query($f: LeadFilter) { leads(filter: $f) { nodes { id } } }"
    default = (await gql(listed, token=world.tokens["admin"]))["data"]["leads"]["nodes"]
    assert {"id": lead["id"]} not in default and {"id": held["id"]} in default
    only = (await gql(listed, {"f": {"archived": True}}, token=world.tokens["admin"]))["data"]["leads"]["nodes"]
    assert only == [{"id": lead["id"]}]
    for query, fields in ((SHARE_LEAD, {"partnerId": global_id("Partner", world.partners["alpha"])}),
                          (UPDATE_LEAD, {"notes": "x"}), (ARCHIVE_LEAD, {})):
        refused = await call(gql, world, query, "cm_amer", id=lead["id"], **fields)
        assert codes(refused) == [("LEAD_ARCHIVED", "P11")]
    back = await ok(gql, world, UNARCHIVE_LEAD, "sales_ops", id=lead["id"])
    assert back["archivedAt"] is None
    assert codes(await call(gql, world, UNARCHIVE_LEAD, "sales_ops", id=lead["id"])) == [("LEAD_NOT_ARCHIVED", "P11")]


async def test_p11_a_channel_manager_takes_a_lead_back_early_with_a_reason(gql, world, clock):
    lead = await shared_lead(gql, world)
    await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"])
    assert codes(await call(gql, world, TAKE_BACK_LEAD, "cm_amer", id=lead["id"], reason=" ")) == [
        ("REASON_REQUIRED", "P11")]
    assert codes(await call(gql, world, TAKE_BACK_LEAD, "cm_emea", id=lead["id"], reason="Mine")) == [
        ("NOT_REGION_MANAGER", "P11")]
    body = await gql(TAKE_BACK_LEAD, {"input": {"id": lead["id"], "reason": "x"}}, token=world.tokens["sdr"],
                     errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    back = await ok(gql, world, TAKE_BACK_LEAD, "cm_amer", id=lead["id"], reason="The customer called us directly")
    assert (back["status"], back["partner"], back["recallReason"], back["recallCount"]) == (
        "NEW", None, "TAKEN_BACK", 1)
    assert back["reason"] == "The customer called us directly" and back["acceptDueAt"] is None
    assert back["history"][-1] == {"event": "TAKEN_BACK", "note": "The customer called us directly"}
    assert await node(gql, world, "alpha_user", lead["id"]) is None  # gone from the partner's view
    # The partner it was taken from hears of it (its webhook source), and it can be shared again.
    taken = [e for e in await lead_events() if e["event"] == "TAKEN_BACK"]
    assert [e["partner_id"] for e in taken] == [world.partners["alpha"]]
    assert codes(await call(gql, world, TAKE_BACK_LEAD, "cm_amer", id=lead["id"], reason="again")) == [
        ("LEAD_NOT_HELD", "P11")]
    again = await ok(gql, world, SHARE_LEAD, "cm_amer", id=lead["id"],
                     partnerId=global_id("Partner", world.partners["alpha"]))
    assert again["shareCount"] == 2


async def test_p11_reassigning_is_a_new_share_whose_clocks_start_again(gql, world, clock):
    lead = await shared_lead(gql, world)
    await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"])
    await ok(gql, world, SET_PARTNER_CONTACT, "alpha_admin", id=lead["id"],
             userId=global_id("User", world.user_ids["alpha_user"]))
    beta = global_id("Partner", world.partners["beta"])
    alpha = global_id("Partner", world.partners["alpha"])
    assert codes(await call(gql, world, REASSIGN_LEAD, "cm_amer", id=lead["id"], partnerId=alpha, reason="x")) == [
        ("SAME_PARTNER", "P11")]
    clock.at = FRIDAY + timedelta(days=3)  # Monday
    moved = await ok(gql, world, REASSIGN_LEAD, "cm_amer", id=lead["id"], partnerId=beta,
                     reason="Alpha has no capacity this month")
    assert moved["partner"]["name"] == "Beta Distribution" and moved["status"] == "SHARED"
    assert moved["shareCount"] == 2 and moved["recallReason"] == "REASSIGNED" and moved["partnerContact"] is None
    assert iso(moved["sharedAt"]) == clock.at
    assert iso(moved["acceptDueAt"]) == datetime(2030, 3, 11, 10, 0, tzinfo=UTC)  # 5 business days from Monday
    assert iso(moved["actionDueAt"]) == datetime(2030, 3, 18, 10, 0, tzinfo=UTC)
    assert [h["event"] for h in moved["history"]][-2:] == ["REASSIGNED", "SHARED"]
    assert await node(gql, world, "alpha_user", lead["id"]) is None
    beta_view = await node(gql, world, "beta_user", lead["id"])
    assert [h["event"] for h in beta_view["history"]] == ["SHARED"]  # never alpha's share
    assert [e["partner_id"] for e in await lead_events() if e["event"] == "REASSIGNED"] == [world.partners["alpha"]]
    # Beta's people are emailed as for any share.
    shared = await emails("lead-shared:")
    assert [m["to"] for m in shared] == [["alpha_admin@cosell.test", "alpha_user@cosell.test"],
                                         ["beta_user@cosell.test"]]


async def test_p11_p1_a_lead_is_not_reassigned_to_a_partner_that_is_not_authorized(gql, world, clock):
    from server.testing import make_partner
    from partners.people.enums import PartnerStatus

    lead = await shared_lead(gql, world)
    pending = await make_partner("Gamma Pending", status=PartnerStatus.PROSPECT)
    refused = await call(gql, world, REASSIGN_LEAD, "cm_amer", id=lead["id"],
                         partnerId=global_id("Partner", pending), reason="try")
    assert codes(refused) == [("PARTNER_NOT_AUTHORIZED", "P1")]
    assert (await node(gql, world, "alpha_user", lead["id"]))["status"] == "SHARED"


async def test_p11_the_partner_admin_names_a_contact_among_its_own_users_who_is_emailed(gql, world, clock):
    lead = await shared_lead(gql, world)
    alpha_user = global_id("User", world.user_ids["alpha_user"])
    # A plain partner user may not choose; another partner's admin does not see the lead.
    body = await gql(SET_PARTNER_CONTACT, {"input": {"id": lead["id"], "userId": alpha_user}},
                     token=world.tokens["alpha_user"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await make_user(world, "beta_admin", Role.PARTNER_ADMIN, partner_id=world.partners["beta"])
    hidden = await call(gql, world, SET_PARTNER_CONTACT, "beta_admin", id=lead["id"], userId=alpha_user)
    assert [e["code"] for e in hidden["errors"]] == ["NOT_FOUND"]
    # Someone not of the partner: another partner's user is invisible to alpha's admin; a
    # channel manager sees it but it is refused.
    beta_user = global_id("User", world.user_ids["beta_user"])
    assert [e["code"] for e in (await call(gql, world, SET_PARTNER_CONTACT, "alpha_admin", id=lead["id"],
                                           userId=beta_user))["errors"]] == ["NOT_FOUND"]
    assert codes(await call(gql, world, SET_PARTNER_CONTACT, "cm_amer", id=lead["id"], userId=beta_user)) == [
        ("NOT_A_PARTNER_USER", "P11")]

    named = await ok(gql, world, SET_PARTNER_CONTACT, "alpha_admin", id=lead["id"], userId=alpha_user)
    assert named["partnerContact"] == {"id": alpha_user}
    again = await ok(gql, world, SET_PARTNER_CONTACT, "cm_amer", id=lead["id"], userId=alpha_user)
    assert again["partnerContact"] == {"id": alpha_user}
    sent = await emails("lead-contact:")
    assert [m["to"] for m in sent] == [["alpha_user@cosell.test"]]  # once: the same person again is not re-sent
    cleared = await ok(gql, world, SET_PARTNER_CONTACT, "alpha_admin", id=lead["id"], userId=None)
    assert cleared["partnerContact"] is None
    # A NEW lead has nobody at a partner.
    fresh = await create_lead(gql, world, company="Globex")
    assert codes(await call(gql, world, SET_PARTNER_CONTACT, "cm_amer", id=fresh["id"], userId=alpha_user)) == [
        ("LEAD_NOT_HELD", "P11")]


async def test_p11_sharing_emails_the_partners_active_users_once_per_share(gql, world, clock):
    lead = await shared_lead(gql, world)
    sent = await emails("lead-shared:")
    assert [m["key"] for m in sent] == [f"lead-shared:{pk(lead['id'])}:1"]  # the lead and the share
    assert sent[0]["to"] == ["alpha_admin@cosell.test", "alpha_user@cosell.test"]
    assert sent[0]["subject"] == "New lead: Initech (accept by 2030-03-08 10:00 UTC)"
    assert "P11" in sent[0]["text"]


async def test_p11_every_move_is_in_the_audit_log_and_the_history(gql, world, clock):
    lead = await shared_lead(gql, world)
    await ok(gql, world, UPDATE_LEAD, "cm_amer", id=lead["id"], priority="URGENT")
    await ok(gql, world, TAKE_BACK_LEAD, "cm_amer", id=lead["id"], reason="Direct deal")
    await ok(gql, world, ARCHIVE_LEAD, "cm_amer", id=lead["id"])
    audited = [r["mutation"] for r in await AuditEntry.select(AuditEntry.mutation).order_by(AuditEntry.id)]
    assert audited[-3:] == ["updateLead", "takeBackLead", "archiveLead"]
    events = [r["event"] for r in await LeadEvent.select(LeadEvent.event).order_by(LeadEvent.id)]
    assert events == ["CREATED", "SHARED", "UPDATED", "TAKEN_BACK", "ARCHIVED"]
