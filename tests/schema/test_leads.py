"""Leads shared with partners (P11), through GraphQL: deadlines in business days (a Friday
share, a region holiday), accept / reject / act / convert, the leased recall job (exactly
once with two job runners at once), reminders, and scoping by every path."""

from __future__ import annotations

import asyncio
import email
from datetime import datetime, timedelta, timezone
from email import policy as email_policy

import pytest

from partners import business_days
from partners.infra.tables import OutboxMessage
from partners.leads import deadlines
from server.testing import GraphQLClient, global_id, make_partner
from tests.schema.leads import (
    ACCEPT_LEAD,
    RECORD_ACTION,
    REJECT_LEAD,
    SHARE_LEAD,
    call,
    create_lead,
    ok,
    shared_lead,
)
from tests.schema.registrations import register

FRIDAY = datetime(2030, 3, 1, 10, 0, tzinfo=timezone.utc)  # a Friday
UTC = timezone.utc


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The clock the lead rules read (partners.business_days.now), starting on a Friday."""
    c = Clock(FRIDAY)
    monkeypatch.setattr(business_days, "now", c)
    return c


def iso(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def partner_gid(world, name: str) -> str:
    return global_id("Partner", world.partners[name])


async def test_p11_a_lead_shared_on_a_friday_is_due_next_friday_and_in_two_weeks(gql, world, clock):
    lead = await shared_lead(gql, world)
    assert lead["status"] == "SHARED" and lead["partner"]["name"] == "Alpha Resellers"
    assert iso(lead["acceptDueAt"]) == datetime(2030, 3, 8, 10, 0, tzinfo=UTC)  # 5 business days
    assert iso(lead["actionDueAt"]) == datetime(2030, 3, 15, 10, 0, tzinfo=UTC)  # 10 business days
    assert [h["event"] for h in lead["history"]] == ["CREATED", "SHARED"]


async def test_p11_a_region_holiday_moves_the_deadlines_of_that_region_only(gql, world, clock):
    payload = await call(gql, world, """mutation($input: AddRegionHolidayInput!) {
        addRegionHoliday(input: $input) { holiday { region day name } errors { code rule } } }""", "admin",
                         region="AMER", day="2030-03-06", name="Founders' Day")
    assert payload["errors"] == [] and payload["holiday"]["day"] == "2030-03-06"
    again = await call(gql, world, """mutation($input: AddRegionHolidayInput!) {
        addRegionHoliday(input: $input) { errors { code rule } } }""", "admin", region="AMER", day="2030-03-06")
    assert again["errors"] == [{"code": "HOLIDAY_EXISTS", "rule": "P11"}]

    amer = await shared_lead(gql, world)
    assert iso(amer["acceptDueAt"]) == datetime(2030, 3, 11, 10, 0, tzinfo=UTC)  # Monday: Wednesday is off
    assert iso(amer["actionDueAt"]) == datetime(2030, 3, 18, 10, 0, tzinfo=UTC)
    emea = await shared_lead(gql, world, partner="beta", token="cm_emea", region="EMEA", country="DE")
    assert iso(emea["acceptDueAt"]) == datetime(2030, 3, 8, 10, 0, tzinfo=UTC)  # AMER's holiday is not EMEA's
    holidays = await gql("{ regionHolidays(region: AMER) { day name } }", token=world.tokens["cm_amer"])
    assert holidays["data"]["regionHolidays"] == [{"day": "2030-03-06", "name": "Founders' Day"}]


async def test_p11_accept_act_and_convert_link_the_lead_to_what_it_became(gql, world, clock):
    lead = await shared_lead(gql, world)
    registration = await register(gql, world)  # alpha's own registration
    clock.at = FRIDAY + timedelta(days=3)
    accepted = await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"], note="We know them")
    assert accepted["status"] == "ACCEPTED" and accepted["acceptedAt"]
    contacted = await ok(gql, world, RECORD_ACTION, "alpha_user", id=lead["id"], action="CONTACTED")
    assert contacted["status"] == "CONTACTED" and contacted["action"] == "CONTACTED"
    assert contacted["actionDueAt"] is None  # acted on: no recall any more

    refused = await call(gql, world, RECORD_ACTION, "alpha_user", id=lead["id"], action="CONVERTED")
    assert refused["errors"] == [{"code": "CONVERSION_NEEDS_LINK", "message": refused["errors"][0]["message"],
                                  "field": ["dealRegistrationId"], "rule": "P11"}]
    converted = await ok(gql, world, RECORD_ACTION, "alpha_user", id=lead["id"], action="CONVERTED",
                         dealRegistrationId=registration["id"])
    assert converted["status"] == "CONVERTED" and converted["dealRegistration"] == {"id": registration["id"]}
    # The partner reads its own share's history (not the creation by staff).
    assert [h["event"] for h in converted["history"]] == ["SHARED", "ACCEPTED", "CONTACTED", "CONVERTED"]
    final = await call(gql, world, RECORD_ACTION, "alpha_user", id=lead["id"], action="MEETING")
    assert final["errors"][0]["code"] == "INVALID_TRANSITION" and final["lead"] is None


async def test_p11_converting_to_a_hidden_registration_is_not_found(gql, world, clock):
    lead = await shared_lead(gql, world)
    betas = await register(gql, world, token="beta_user", customer={"prospect": {"name": "Vandelay", "region": "EMEA"}})
    await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"])
    payload = await call(gql, world, RECORD_ACTION, "alpha_user", id=lead["id"], action="CONVERTED",
                         dealRegistrationId=betas["id"])
    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]
    still = await gql("query($id: ID!) { node(id: $id) { ... on Lead { status } } }", {"id": lead["id"]},
                      token=world.tokens["alpha_user"])
    assert still["data"]["node"] == {"status": "ACCEPTED"}  # nothing written


async def test_p11_a_disqualification_needs_a_reason(gql, world, clock):
    lead = await shared_lead(gql, world)
    await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"])
    refused = await call(gql, world, RECORD_ACTION, "alpha_user", id=lead["id"], action="DISQUALIFIED")
    assert [(e["code"], e["rule"]) for e in refused["errors"]] == [("REASON_REQUIRED", "P11")]
    done = await ok(gql, world, RECORD_ACTION, "alpha_user", id=lead["id"], action="DISQUALIFIED",
                    reason="No budget this year")
    assert done["status"] == "DISQUALIFIED" and done["reason"] == "No budget this year"


async def test_p11_a_rejected_lead_leaves_the_partner_and_is_shareable_again(gql, world, clock):
    lead = await shared_lead(gql, world)
    refused = await call(gql, world, REJECT_LEAD, "alpha_user", id=lead["id"], reason=" ")
    assert [(e["code"], e["rule"]) for e in refused["errors"]] == [("REASON_REQUIRED", "P11")]
    rejected = await call(gql, world, REJECT_LEAD, "alpha_user", id=lead["id"], reason="Outside our territory")
    assert rejected["errors"] == [] and rejected["lead"]["status"] == "NEW"
    node = "query($id: ID!) { node(id: $id) { ... on Lead { status partner { id } reason } } }"
    assert (await gql(node, {"id": lead["id"]}, token=world.tokens["alpha_user"]))["data"]["node"] is None
    staff = (await gql(node, {"id": lead["id"]}, token=world.tokens["cm_amer"]))["data"]["node"]
    assert staff == {"status": "NEW", "partner": None, "reason": "Outside our territory"}
    again = await ok(gql, world, SHARE_LEAD, "cm_amer", id=lead["id"], partnerId=partner_gid(world, "beta"))
    assert again["status"] == "SHARED" and again["shareCount"] == 2


async def test_p11_only_a_channel_manager_of_the_region_shares_with_an_authorized_partner(gql, world, clock):
    lead = await create_lead(gql, world)
    other = await call(gql, world, SHARE_LEAD, "cm_emea", id=lead["id"], partnerId=partner_gid(world, "alpha"))
    assert [(e["code"], e["rule"]) for e in other["errors"]] == [("NOT_REGION_MANAGER", "P11")]
    prospect = await make_partner("Gamma Prospects", status="PROSPECT")
    payload = await call(gql, world, SHARE_LEAD, "cm_amer", id=lead["id"], partnerId=global_id("Partner", prospect))
    assert [(e["code"], e["field"], e["rule"]) for e in payload["errors"]] == [
        ("PARTNER_NOT_AUTHORIZED", ["partnerId"], "P1")]
    shared = await ok(gql, world, SHARE_LEAD, "cm_amer", id=lead["id"], partnerId=partner_gid(world, "alpha"))
    twice = await call(gql, world, SHARE_LEAD, "admin", id=lead["id"], partnerId=partner_gid(world, "beta"))
    assert [e["code"] for e in twice["errors"]] == ["INVALID_TRANSITION"]
    assert shared["status"] == "SHARED"
    forbidden = await gql(SHARE_LEAD, {"input": {"id": lead["id"]}}, token=world.tokens["sdr"], errors=True)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_p11_invalid_lead_input_is_refused_field_by_field(gql, world):
    payload = await call(gql, world, """mutation($input: CreateLeadInput!) {
        createLead(input: $input) { lead { id } errors { code field rule } } }""", "sdr",
                         company=" ", region="AMER", country="Germany", contactEmail="not-an-email")
    assert payload == {"lead": None, "errors": [
        {"code": "COMPANY_REQUIRED", "field": ["company"], "rule": "P11"},
        {"code": "INVALID_COUNTRY", "field": ["country"], "rule": "P11"},
        {"code": "INVALID_EMAIL", "field": ["contactEmail"], "rule": "P11"}]}
    total = await gql("{ leads { totalCount } }", token=world.tokens["admin"])
    assert total["data"]["leads"]["totalCount"] == 0


async def test_p11_past_the_deadline_a_lead_can_no_longer_be_accepted(gql, world, clock):
    lead = await shared_lead(gql, world)
    clock.at = iso(lead["acceptDueAt"]) + timedelta(minutes=1)
    overdue = await gql("{ leads(filter: {acceptOverdue: true}) { nodes { id acceptOverdue } } }",
                        token=world.tokens["cm_amer"])
    assert overdue["data"]["leads"]["nodes"] == [{"id": lead["id"], "acceptOverdue": True}]
    payload = await call(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"])
    assert [(e["code"], e["rule"]) for e in payload["errors"]] == [("ACCEPT_DEADLINE_PASSED", "P11")]


async def _run_jobs_at_once(cosell_app_factory) -> None:
    """Two instances' job runners at the same time."""
    async with cosell_app_factory() as one, cosell_app_factory() as two:
        await asyncio.gather(one.app.state.background.run_once(), two.app.state.background.run_once())
        await one.app.state.background.run_once()  # delivers what the runs enqueued


async def test_p11_two_job_runners_at_once_recall_each_overdue_lead_exactly_once(
        gql, world, clock, cosell_app_factory):
    unaccepted = [await shared_lead(gql, world, company=f"Unaccepted {i}") for i in range(4)]
    unacted = [await shared_lead(gql, world, company=f"Unacted {i}") for i in range(3)]
    for lead in unacted:
        await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"])
    acted = await shared_lead(gql, world, company="Acted")
    await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=acted["id"])
    await ok(gql, world, RECORD_ACTION, "alpha_user", id=acted["id"], action="MEETING")

    clock.at = iso(unacted[0]["actionDueAt"]) + timedelta(minutes=1)
    await _run_jobs_at_once(cosell_app_factory)

    query = "{ leads(first: 100) { nodes { id company status partner { id } recallReason recallCount history { event } } } }"
    nodes = {n["id"]: n for n in (await gql(query, token=world.tokens["cm_amer"]))["data"]["leads"]["nodes"]}
    for lead, reason in [*((lead, "NOT_ACCEPTED") for lead in unaccepted), *((lead, "NO_ACTION") for lead in unacted)]:
        node = nodes[lead["id"]]
        assert (node["status"], node["partner"], node["recallReason"], node["recallCount"]) == ("NEW", None, reason, 1)
        assert [h["event"] for h in node["history"]].count("RECALLED") == 1
    assert nodes[acted["id"]]["status"] == "MEETING"
    recalled = await OutboxMessage.select(OutboxMessage.payload).where(OutboxMessage.kind == "lead_event")
    events = [m["payload"] if isinstance(m["payload"], dict) else __import__("json").loads(m["payload"])
              for m in recalled]
    assert sorted(e["lead"]["company"] for e in events if e["event"] == "RECALLED") == sorted(
        [lead["company"] for lead in unaccepted + unacted])
    # The partner no longer sees them; the lead is shareable again (P11).
    mine = await gql("{ leads { totalCount } }", token=world.tokens["alpha_user"])
    assert mine["data"]["leads"]["totalCount"] == 1
    again = await ok(gql, world, SHARE_LEAD, "cm_amer", id=unaccepted[0]["id"], partnerId=partner_gid(world, "beta"))
    assert again["status"] == "SHARED" and again["recallReason"] is None and again["recallCount"] == 1


async def test_p11_reminders_go_once_before_each_deadline(gql, world, clock, cosell_app_factory, tmp_path):
    async with cosell_app_factory(var_dir=tmp_path) as client:
        local = GraphQLClient(client)
        lead = await shared_lead(local, world)
        start = FRIDAY
        clock.at = start + timedelta(days=6, minutes=1)  # Thursday: one business day before Friday's deadline
        assert await deadlines.send_reminders(worker="a") == 1
        assert await deadlines.send_reminders(worker="b") == 0
        await ok(local, world, ACCEPT_LEAD, "alpha_user", id=lead["id"])
        clock.at = iso(lead["actionDueAt"]) - timedelta(days=1) + timedelta(minutes=1)
        counts = await asyncio.gather(deadlines.send_reminders(worker="a"), deadlines.send_reminders(worker="b"))
        assert sorted(counts) == [0, 1]
        await client.app.state.background.run_once()
    messages = [email.message_from_bytes(f.read_bytes(), policy=email_policy.default)
                for f in sorted((tmp_path / "mail").glob("*.eml"))]
    # the partner's people: the share's email (issue 34), then one reminder per deadline
    assert [m["To"] for m in messages] == ["alpha_admin@cosell.test, alpha_user@cosell.test"] * 3
    subjects = sorted(m["Subject"] for m in messages)
    assert subjects == ["Lead Initech: accept by 2030-03-08 10:00 UTC", "Lead Initech: act by 2030-03-15 10:00 UTC",
                        "New lead: Initech (accept by 2030-03-08 10:00 UTC)"]


SCOPED = """query($ids: [ID!]!, $alpha: ID!) {
  leads(first: 50) { totalCount nodes { id company partner { id } history { event } } }
  filtered: leads(filter: {partnerId: $alpha}) { totalCount }
  nodes(ids: $ids) { id }
}"""


async def test_p11_partner_users_see_only_the_leads_shared_with_them_by_every_path(gql, world, clock):
    alpha = await shared_lead(gql, world, company="For Alpha")
    beta = await shared_lead(gql, world, partner="beta", token="cm_emea", company="For Beta", region="EMEA")
    fresh = await create_lead(gql, world, company="Not shared")
    # A lead beta rejected and alpha now has: alpha must not read beta's share of it.
    moved = await shared_lead(gql, world, partner="beta", company="Moved")
    await ok(gql, world, REJECT_LEAD, "beta_user", id=moved["id"], reason="Not ours")
    await ok(gql, world, SHARE_LEAD, "cm_amer", id=moved["id"], partnerId=partner_gid(world, "alpha"))

    ids = [alpha["id"], beta["id"], fresh["id"], moved["id"]]
    variables = {"ids": ids, "alpha": partner_gid(world, "alpha")}
    view = (await gql(SCOPED, variables, token=world.tokens["alpha_user"]))["data"]
    assert sorted(n["company"] for n in view["leads"]["nodes"]) == ["For Alpha", "Moved"]
    assert [n is not None for n in view["nodes"]] == [True, False, False, True]
    assert view["filtered"]["totalCount"] == 2
    moved_node = next(n for n in view["leads"]["nodes"] if n["company"] == "Moved")
    assert [h["event"] for h in moved_node["history"]] == ["SHARED"]  # not beta's share, not the creation

    beta_view = (await gql(SCOPED, variables, token=world.tokens["beta_user"]))["data"]
    assert [n["company"] for n in beta_view["leads"]["nodes"]] == ["For Beta"]
    assert beta_view["filtered"]["totalCount"] == 0  # filtering by another partner reveals nothing
    assert [n is not None for n in beta_view["nodes"]] == [False, True, False, False]

    staff = (await gql(SCOPED, variables, token=world.tokens["ae"]))["data"]
    assert staff["leads"]["totalCount"] == 4 and all(staff["nodes"])
    # Another partner's lead cannot be answered either: NOT_FOUND, nothing written.
    payload = await call(gql, world, ACCEPT_LEAD, "beta_user", id=alpha["id"])
    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]


async def test_p11_the_leads_page_costs_the_same_statements_for_more_leads(gql, world, clock):
    query = "{ leads(first: 50) { nodes { company partner { name } sharedBy { id } history { event actor { id } } " \
            "opportunity { id } dealRegistration { id } } } }"

    async def statements() -> int:
        body = await gql(query, token=world.tokens["admin"])
        return body["extensions"]["sqlStatements"]

    await shared_lead(gql, world)
    one = await statements()
    for i in range(5):
        await shared_lead(gql, world, company=f"More {i}")
    assert await statements() == one


async def test_p11_a_lead_linked_to_an_opportunity_shows_it_only_while_the_partner_may_see_it(gql, world, clock):
    from partners.opportunities.enums import OpportunityPartnerRole
    from partners.opportunities.tables import OpportunityPartner
    from tests.schema.sales import create_account, create_opportunity, pk, put_partner

    account = await create_account(gql, world)
    opportunity = await create_opportunity(gql, world, account)
    await put_partner(opportunity["id"], world.partners["alpha"], OpportunityPartnerRole.RESELLER)
    lead = await shared_lead(gql, world)
    accepted = await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"], opportunityId=opportunity["id"])
    assert accepted["opportunity"] == {"id": opportunity["id"]}  # accepting links what it became

    await OpportunityPartner.delete().where(OpportunityPartner.opportunity == pk(opportunity["id"]))
    query = "{ leads { nodes { opportunity { id } } } }"
    assert (await gql(query, token=world.tokens["alpha_user"]))["data"]["leads"]["nodes"] == [{"opportunity": None}]
    assert (await gql(query, token=world.tokens["cm_amer"]))["data"]["leads"]["nodes"] == [
        {"opportunity": {"id": opportunity["id"]}}]


async def test_p11_leads_page_with_cursors_newest_first(gql, world, clock):
    for i in range(3):
        clock.at = FRIDAY + timedelta(minutes=i)
        await create_lead(gql, world, company=f"Lead {i}")
    query = "query($after: String) { leads(first: 2, after: $after) { nodes { company } " \
            "pageInfo { hasNextPage endCursor } } }"
    first = (await gql(query, token=world.tokens["admin"]))["data"]["leads"]
    assert [n["company"] for n in first["nodes"]] == ["Lead 2", "Lead 1"] and first["pageInfo"]["hasNextPage"]
    rest = (await gql(query, {"after": first["pageInfo"]["endCursor"]}, token=world.tokens["admin"]))["data"]["leads"]
    assert [n["company"] for n in rest["nodes"]] == ["Lead 0"] and not rest["pageInfo"]["hasNextPage"]


async def test_p11_p1_denying_a_partner_recalls_its_live_leads_and_makes_them_shareable(gql, world, clock):
    """P11 shares leads with AUTHORIZED partners only (P1): a partner denied while holding
    leads no longer holds them, they are shareable again, and the recall is in the history."""
    from tests.schema.program import DENY

    shared = await shared_lead(gql, world, company="Shared")
    accepted = await shared_lead(gql, world, company="Accepted")
    await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=accepted["id"])
    contacted = await shared_lead(gql, world, company="Contacted")
    await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=contacted["id"])
    await ok(gql, world, RECORD_ACTION, "alpha_user", id=contacted["id"], action="CONTACTED")
    denied = await gql(DENY, {"input": {"id": partner_gid(world, "alpha"), "reason": "Agreement breach"}},
                       token=world.tokens["admin"])
    assert denied["data"]["denyPartner"]["errors"] == []
    node = "query($id: ID!) { node(id: $id) { ... on Lead { status partner { id } recallReason history { event } } } }"
    for lead in (shared, accepted, contacted):
        staff = (await gql(node, {"id": lead["id"]}, token=world.tokens["cm_amer"]))["data"]["node"]
        assert staff["status"] == "NEW" and staff["partner"] is None, staff
        assert staff["recallReason"] == "PARTNER_DENIED" and staff["history"][-1]["event"] == "RECALLED"
        assert (await gql(node, {"id": lead["id"]}, token=world.tokens["alpha_user"]))["data"]["node"] is None
    again = await ok(gql, world, SHARE_LEAD, "cm_amer", id=shared["id"], partnerId=partner_gid(world, "beta"))
    assert again["status"] == "SHARED"


async def test_p11_p1_a_share_racing_a_denial_waits_for_it_and_is_refused(gql, world, clock):
    """A share and a denial of the same partner at the same time: the share waits for the
    partner's row the denial holds, then sees DENIED and refuses (P1), so no lead is left
    with a denied partner (the denial's recall could not see a share not yet committed)."""
    from partners.infra.db import lock_for_update, transaction
    from partners.people.tables import Partner

    lead = await create_lead(gql, world)
    alpha = world.partners["alpha"]
    holding = asyncio.Event()

    async def deny_meanwhile():
        async with transaction():
            await lock_for_update(Partner, alpha)
            await Partner.update({Partner.status: "DENIED"}).where(Partner.id == alpha)
            holding.set()
            await asyncio.sleep(0.5)

    denial = asyncio.create_task(deny_meanwhile())
    await holding.wait()
    share = await call(gql, world, SHARE_LEAD, "cm_amer", id=lead["id"], partnerId=partner_gid(world, "alpha"))
    await denial
    assert [(e["code"], e["rule"]) for e in share["errors"]] == [("PARTNER_NOT_AUTHORIZED", "P1")]
