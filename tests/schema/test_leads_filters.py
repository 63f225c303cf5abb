"""Issue 34: the lead filter (text, source, date ranges, priority, archived, pending
extension) applied in SQL within the reader's scope; removing a region holiday."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from partners import business_days
from partners.infra.tables import AuditEntry
from server.testing import global_id
from tests.schema.leads import ARCHIVE_LEAD, REQUEST_EXTENSION, Clock, call, create_lead, ok, shared_lead

FRIDAY = datetime(2030, 3, 1, 10, 0, tzinfo=timezone.utc)
UTC = timezone.utc
LEADS = """query($f: LeadFilter) { leads(filter: $f, first: 50) { totalCount nodes { company } } }"""
HOLIDAY = """mutation($input: AddRegionHolidayInput!) { addRegionHoliday(input: $input) { errors { code } } }"""
REMOVE = """mutation($input: RemoveRegionHolidayInput!) {
  removeRegionHoliday(input: $input) { holiday { region day name } errors { code rule field } } }"""


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(FRIDAY)
    monkeypatch.setattr(business_days, "now", c)
    return c


async def companies(gql, world, token: str, **f) -> list[str]:
    body = await gql(LEADS, {"f": f}, token=world.tokens[token])
    assert "errors" not in body, body
    leads = body["data"]["leads"]
    assert leads["totalCount"] == len(leads["nodes"])
    return sorted(n["company"] for n in leads["nodes"])


@pytest.fixture
async def leads(gql, world, clock):
    """Initech (alpha, shared Friday), Globex (beta, EMEA, shared Monday), Hooli (NEW, event,
    URGENT, created Tuesday), Umbrella (NEW, archived)."""
    await shared_lead(gql, world, company="Initech", contactName="Peter Gibbons", contactEmail="peter@initech.test",
                      source="web form", priority="HIGH")
    clock.at = FRIDAY + timedelta(days=3)
    await shared_lead(gql, world, partner="beta", token="cm_emea", company="Globex", region="EMEA", country="DE",
                      contactName="Hank Scorpio", contactEmail="hank@globex.test", source="event")
    clock.at = FRIDAY + timedelta(days=4)
    await create_lead(gql, world, company="Hooli", contactName="Gavin Belson", contactEmail="gavin@hooli.test",
                      source="event", priority="URGENT")
    umbrella = await create_lead(gql, world, company="Umbrella 50%_off", contactName="Albert Wesker",
                                 contactEmail="albert@umbrella.test", source="event")
    await ok(gql, world, ARCHIVE_LEAD, "sdr", id=umbrella["id"])


async def test_p11_text_search_matches_company_contact_and_email_case_insensitively(gql, world, leads):
    assert await companies(gql, world, "admin", search="initech") == ["Initech"]
    assert await companies(gql, world, "admin", search="SCORPIO") == ["Globex"]
    assert await companies(gql, world, "admin", search="@hooli.") == ["Hooli"]
    assert await companies(gql, world, "admin", search="%") == []  # wildcards match themselves (not archived)
    assert await companies(gql, world, "admin", search="50%_", archived=True) == ["Umbrella 50%_off"]
    assert await companies(gql, world, "admin", search="  ") == ["Globex", "Hooli", "Initech"]


async def test_p11_source_priority_and_archived(gql, world, leads):
    assert await companies(gql, world, "admin", source="event") == ["Globex", "Hooli"]
    assert await companies(gql, world, "admin", source="event", archived=True) == ["Umbrella 50%_off"]
    assert await companies(gql, world, "admin", priority="URGENT") == ["Hooli"]
    assert await companies(gql, world, "admin", priority="NORMAL") == ["Globex"]
    assert await companies(gql, world, "admin", archived=False) == ["Globex", "Hooli", "Initech"]


async def test_p11_date_ranges_created_shared_and_due(gql, world, leads):
    monday = (FRIDAY + timedelta(days=3)).isoformat()
    assert await companies(gql, world, "admin", created={"since": monday}) == ["Globex", "Hooli"]
    assert await companies(gql, world, "admin", created={"until": monday}) == ["Initech"]
    assert await companies(gql, world, "admin", shared={"since": FRIDAY.isoformat(), "until": monday}) == ["Initech"]
    # Initech is due to be accepted Friday 8th, Globex Monday 11th; Hooli has no deadline.
    assert await companies(gql, world, "admin", due={"until": datetime(2030, 3, 9, tzinfo=UTC).isoformat()}) == [
        "Initech"]
    assert await companies(gql, world, "admin", due={"since": datetime(2030, 3, 9, tzinfo=UTC).isoformat()}) == [
        "Globex"]
    assert await companies(gql, world, "admin", due={}) == ["Globex", "Initech"]


async def test_p11_filters_stay_within_the_partners_own_leads(gql, world, leads):
    assert await companies(gql, world, "alpha_user", search="e") == ["Initech"]
    assert await companies(gql, world, "alpha_user", search="globex") == []
    assert await companies(gql, world, "alpha_user", source="event") == []
    assert await companies(gql, world, "alpha_user", archived=True) == []
    assert await companies(gql, world, "beta_user", due={}) == ["Globex"]
    assert await companies(gql, world, "beta_user", partnerId=global_id("Partner", world.partners["alpha"])) == []


async def test_p11_leads_waiting_for_an_extension_decision(gql, world, clock):
    lead = await shared_lead(gql, world)
    await shared_lead(gql, world, company="Globex")
    await ok(gql, world, REQUEST_EXTENSION, "alpha_user", id=lead["id"], days=1, reason="Buyer away")
    assert await companies(gql, world, "cm_amer", extensionPending=True) == ["Initech"]
    assert await companies(gql, world, "cm_amer", extensionPending=False) == ["Globex"]


async def test_p11_removing_a_holiday_keeps_computed_deadlines_and_is_audited(gql, world, clock):
    body = await gql(HOLIDAY, {"input": {"region": "AMER", "day": "2030-03-06", "name": "Founders' Day"}},
                     token=world.tokens["admin"])
    assert body["data"]["addRegionHoliday"]["errors"] == []
    before = await shared_lead(gql, world)
    assert before["acceptDueAt"].startswith("2030-03-11")  # the holiday counted
    forbidden = await gql(REMOVE, {"input": {"region": "AMER", "day": "2030-03-06"}}, token=world.tokens["cm_amer"],
                          errors=True)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    removed = (await gql(REMOVE, {"input": {"region": "AMER", "day": "2030-03-06"}},
                         token=world.tokens["admin"]))["data"]["removeRegionHoliday"]
    assert removed == {"holiday": {"region": "AMER", "day": "2030-03-06", "name": "Founders' Day"}, "errors": []}
    again = (await gql(REMOVE, {"input": {"region": "AMER", "day": "2030-03-06"}},
                       token=world.tokens["admin"]))["data"]["removeRegionHoliday"]
    assert again == {"holiday": None, "errors": [{"code": "HOLIDAY_NOT_FOUND", "rule": "P11", "field": ["day"]}]}
    audit = await AuditEntry.select(AuditEntry.mutation, AuditEntry.result, AuditEntry.input_summary,
                                    AuditEntry.actor).where(AuditEntry.mutation == "removeRegionHoliday").order_by(
        AuditEntry.id)
    assert [(a["result"], a["actor"]) for a in audit] == [
        ("REFUSED", "cm_amer@cosell.test"), ("OK", "admin@cosell.test"), ("USER_ERROR", "admin@cosell.test")]
    assert "2030-03-06" in audit[1]["input_summary"] and "AMER" in audit[1]["input_summary"]
    # The lead shared before keeps its deadlines; a new share counts the day again.
    node = await gql("query($id: ID!) { node(id: $id) { ... on Lead { acceptDueAt } } }", {"id": before["id"]},
                     token=world.tokens["cm_amer"])
    assert node["data"]["node"]["acceptDueAt"] == before["acceptDueAt"]
    after = await shared_lead(gql, world, company="Globex")
    assert after["acceptDueAt"].startswith("2030-03-08")
    holidays = await gql("{ regionHolidays(region: AMER) { day } }", token=world.tokens["admin"])
    assert holidays["data"]["regionHolidays"] == []


async def test_p11_an_unknown_filter_value_is_refused_by_the_schema(gql, world, clock):
    body = await gql(LEADS, {"f": {"priority": "SOMEDAY"}}, token=world.tokens["admin"], errors=True)
    assert body["errors"]
    refused = await call(gql, world, REQUEST_EXTENSION, "alpha_user", id=global_id("Lead", 1), days=1, reason="x")
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]
