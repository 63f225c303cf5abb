"""Issue 34: a partner asks for more time on a P11 deadline and a channel manager decides;
the `lead-deadlines` job honours a pending request and an approved deadline. Through
GraphQL and the real job."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from partners import business_days
from partners.leads import deadlines
from tests.schema.leads import (
    ACCEPT_LEAD,
    DECIDE_EXTENSION,
    LEAD_NODE,
    RECORD_ACTION,
    REQUEST_EXTENSION,
    Clock,
    call,
    emails,
    ok,
    shared_lead,
)

FRIDAY = datetime(2030, 3, 1, 10, 0, tzinfo=timezone.utc)
UTC = timezone.utc
EXTENSIONS = """query($id: ID!) { node(id: $id) { ... on Lead { status extensionPending acceptDueAt actionDueAt
  extensionRequests { deadline days status reason grantedDays requestedBy { id } } } } }"""


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(FRIDAY)
    monkeypatch.setattr(business_days, "now", c)
    return c


def iso(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def codes(payload: dict) -> list[tuple[str, str | None]]:
    return [(e["code"], e["rule"]) for e in payload["errors"]]


async def extension(gql, world, token: str, lead_id: str) -> dict | None:
    return (await gql(EXTENSIONS, {"id": lead_id}, token=world.tokens[token]))["data"]["node"]


async def test_p11_a_partner_asks_once_per_deadline_with_a_reason_and_1_to_5_days(gql, world, clock):
    lead = await shared_lead(gql, world)
    for days, reason, expected in ((0, "Busy", [("EXTENSION_TOO_LONG", "P11")]),
                                   (6, "Busy", [("EXTENSION_TOO_LONG", "P11")]),
                                   (2, " ", [("REASON_REQUIRED", "P11")])):
        assert codes(await call(gql, world, REQUEST_EXTENSION, "alpha_user", id=lead["id"], days=days,
                                reason=reason)) == expected
    asked = await call(gql, world, REQUEST_EXTENSION, "alpha_user", id=lead["id"], days=3,
                       reason="Their buyer is away until Wednesday")
    assert asked["errors"] == [] and asked["lead"]["extensionPending"] is True
    assert asked["extension"] | {} == {"deadline": "ACCEPT", "days": 3, "reason": "Their buyer is away until Wednesday",
                                       "status": "PENDING", "dueAt": lead["acceptDueAt"], "newDueAt": None,
                                       "grantedDays": None, "note": "", "shareCount": 1}
    assert codes(await call(gql, world, REQUEST_EXTENSION, "alpha_admin", id=lead["id"], days=1, reason="More")) == [
        ("EXTENSION_ALREADY_REQUESTED", "P11")]
    # Another partner does not see the lead; staff do not ask.
    hidden = await call(gql, world, REQUEST_EXTENSION, "beta_user", id=lead["id"], days=1, reason="x")
    assert [e["code"] for e in hidden["errors"]] == ["NOT_FOUND"]
    staff = await gql(REQUEST_EXTENSION, {"input": {"id": lead["id"], "days": 1, "reason": "x"}},
                      token=world.tokens["cm_amer"], errors=True)
    assert staff["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_p11_approval_moves_the_deadlines_and_the_job_honours_them(gql, world, clock):
    lead = await shared_lead(gql, world)
    await ok(gql, world, REQUEST_EXTENSION, "alpha_user", id=lead["id"], days=3, reason="Buyer away")
    assert codes(await call(gql, world, DECIDE_EXTENSION, "cm_emea", id=lead["id"], approve=True)) == [
        ("NOT_REGION_MANAGER", "P11")]
    assert codes(await call(gql, world, DECIDE_EXTENSION, "cm_amer", id=lead["id"], approve=True, days=9)) == [
        ("EXTENSION_TOO_LONG", "P11")]
    decided = await call(gql, world, DECIDE_EXTENSION, "cm_amer", id=lead["id"], approve=True, days=2,
                         note="Two days are enough")
    assert decided["errors"] == []
    new_accept = datetime(2030, 3, 12, 10, 0, tzinfo=UTC)  # Friday 8th + 2 business days
    assert decided["extension"]["status"] == "APPROVED" and decided["extension"]["grantedDays"] == 2
    assert iso(decided["extension"]["newDueAt"]) == new_accept
    assert iso(decided["lead"]["acceptDueAt"]) == new_accept and decided["lead"]["extensionPending"] is False
    # The action deadline moves as much: five business days to act after accepting remain.
    assert iso(decided["lead"]["actionDueAt"]) == datetime(2030, 3, 19, 10, 0, tzinfo=UTC)
    assert decided["lead"]["history"][-1]["event"] == "EXTENSION_APPROVED"
    assert codes(await call(gql, world, DECIDE_EXTENSION, "cm_amer", id=lead["id"], approve=False)) == [
        ("NO_PENDING_EXTENSION", "P11")]

    clock.at = FRIDAY + timedelta(days=7, minutes=1)  # past the first deadline, before the new one
    assert await deadlines.recall_due_leads(worker="a") == 0
    # The reminder goes again one business day before the new deadline.
    clock.at = new_accept - timedelta(days=1) + timedelta(minutes=1)
    assert await deadlines.send_reminders(worker="a") == 1
    reminders = await emails("lead-reminder:accept:")
    assert [m["subject"] for m in reminders] == ["Lead Initech: accept by 2030-03-12 10:00 UTC"]
    accepted = await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"])
    assert accepted["status"] == "ACCEPTED"
    decision = await emails("lead-extension:")
    assert [m["to"] for m in decision] == [["alpha_user@cosell.test"]] and "approved" in decision[0]["text"]
    # Past the new deadline, the job recalls as P11 says.
    clock.at = datetime(2030, 3, 19, 10, 1, tzinfo=UTC)
    assert await deadlines.recall_due_leads(worker="a") == 1


async def test_p11_a_pending_request_holds_the_recall_and_a_denial_lets_it_go(gql, world, clock):
    lead = await shared_lead(gql, world)
    clock.at = FRIDAY + timedelta(days=6)  # Thursday, before the deadline
    await ok(gql, world, REQUEST_EXTENSION, "alpha_user", id=lead["id"], days=5, reason="Holiday week")
    clock.at = FRIDAY + timedelta(days=8)  # past the deadline, no decision yet
    assert await deadlines.recall_due_leads(worker="a") == 0
    assert (await extension(gql, world, "alpha_user", lead["id"]))["status"] == "SHARED"
    # Still past the deadline for the partner's answers until a decision.
    refused = await call(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"])
    assert codes(refused) == [("ACCEPT_DEADLINE_PASSED", "P11")]
    denied = await call(gql, world, DECIDE_EXTENSION, "cm_amer", id=lead["id"], approve=False, note="No")
    assert denied["extension"]["status"] == "DENIED" and iso(denied["lead"]["acceptDueAt"]) == iso(lead["acceptDueAt"])
    assert await deadlines.recall_due_leads(worker="a") == 1
    staff = await extension(gql, world, "cm_amer", lead["id"])
    assert staff["status"] == "NEW" and staff["extensionRequests"][0]["status"] == "DENIED"


async def test_p11_a_request_lapses_when_its_deadline_goes_and_past_a_deadline_none_is_taken(gql, world, clock):
    lead = await shared_lead(gql, world)
    await ok(gql, world, REQUEST_EXTENSION, "alpha_user", id=lead["id"], days=2, reason="Buyer away")
    await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"])
    view = await extension(gql, world, "alpha_user", lead["id"])
    assert view["extensionPending"] is False and view["extensionRequests"][0]["status"] == "LAPSED"
    # The action deadline is a new one: one request for it.
    asked = await ok(gql, world, REQUEST_EXTENSION, "alpha_user", id=lead["id"], key="extension", days=4,
                     reason="Budget meeting next month")
    assert asked["deadline"] == "ACTION"
    await ok(gql, world, DECIDE_EXTENSION, "cm_amer", id=lead["id"], approve=True)  # the days asked
    view = await extension(gql, world, "cm_amer", lead["id"])
    assert iso(view["actionDueAt"]) == datetime(2030, 3, 21, 10, 0, tzinfo=UTC)  # 15th + 4 business days
    assert iso(view["acceptDueAt"]) == iso(lead["acceptDueAt"])
    await ok(gql, world, RECORD_ACTION, "alpha_user", id=lead["id"], action="CONTACTED")
    assert codes(await call(gql, world, REQUEST_EXTENSION, "alpha_user", id=lead["id"], days=1, reason="x")) == [
        ("NO_DEADLINE", "P11")]

    late = await shared_lead(gql, world, company="Globex")
    clock.at = iso(late["acceptDueAt"]) + timedelta(minutes=1)
    assert codes(await call(gql, world, REQUEST_EXTENSION, "alpha_user", id=late["id"], days=1, reason="x")) == [
        ("ACCEPT_DEADLINE_PASSED", "P11")]


async def test_p11_partners_read_only_their_own_requests(gql, world, clock):
    lead = await shared_lead(gql, world)
    await ok(gql, world, REQUEST_EXTENSION, "alpha_user", id=lead["id"], days=2, reason="Buyer away")
    await ok(gql, world, DECIDE_EXTENSION, "cm_amer", id=lead["id"], approve=False)
    from tests.schema.leads import REASSIGN_LEAD
    from server.testing import global_id

    await ok(gql, world, REASSIGN_LEAD, "cm_amer", id=lead["id"], partnerId=global_id("Partner", world.partners["beta"]),
             reason="Beta covers it")
    beta = await extension(gql, world, "beta_user", lead["id"])
    assert beta["extensionRequests"] == []  # alpha's request is not beta's business
    assert await extension(gql, world, "alpha_user", lead["id"]) is None
    staff = await extension(gql, world, "cm_amer", lead["id"])
    assert [r["status"] for r in staff["extensionRequests"]] == ["DENIED"]
    assert staff["extensionRequests"][0]["requestedBy"] is not None
    # Beta asks for its own share's accept deadline.
    asked = await ok(gql, world, REQUEST_EXTENSION, "beta_user", id=lead["id"], key="extension", days=1, reason="x")
    assert asked["shareCount"] == 2
    assert len((await gql(LEAD_NODE, {"id": lead["id"]}, token=world.tokens["beta_user"]))["data"]["node"][
        "history"]) == 2  # SHARED, EXTENSION_REQUESTED
