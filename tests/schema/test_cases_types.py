"""Case types and targets (D14), "#advocate" escalation (D15), scoping of the new fields, and
the migration of D9's CLOSED cases (D10), through GraphQL and the real database."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from partners import business_days
from server.testing import global_id
from tests.schema.cases import ESCALATE_CASE, OPEN_CASE, UPDATE_CASE, close, codes, picked_up, staff_case
from tests.schema.leads import COMMENT_ON_CASE, PICK_UP_CASE, call, ok, open_case
from tests.schema.sales import create_account

UTC = timezone.utc
MONDAY = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)  # in the fiscal year Feb 2030 – Jan 2031


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        at = MONDAY

        def __call__(self) -> datetime:
            return self.at

    c = Clock()
    monkeypatch.setattr(business_days, "now", c)
    return c


LIST = "query($f: CaseFilter) { cases(filter: $f) { nodes { subject targetOverdue closeOverdue overdue exempt } } }"


async def test_d14_targets_of_7_and_15_days_except_the_exempt_types(gql, world, clock):
    await staff_case(gql, world, subject="General")
    await staff_case(gql, world, subject="PO", type="PO_REQUIRED")
    await staff_case(gql, world, subject="Later", type="CONTACT_LATER")

    async def subjects(f: dict) -> list[str]:
        body = await gql(LIST, {"f": f}, token=world.tokens["advocate"])
        return [n["subject"] for n in body["data"]["cases"]["nodes"]]

    assert await subjects({"exempt": True}) == ["PO", "Later"]
    assert await subjects({"exempt": False}) == ["General"]
    clock.at = MONDAY + timedelta(days=7, minutes=1)
    assert await subjects({"targetOverdue": True}) == ["General"]
    assert await subjects({"closeOverdue": True}) == []
    assert await subjects({"overdue": True}) == ["General", "PO", "Later"]  # none picked up in 24 hours
    clock.at = MONDAY + timedelta(days=16)
    assert await subjects({"closeOverdue": True}) == ["General"]
    assert await subjects({"closeOverdue": False, "type": "PO_REQUIRED"}) == ["PO"]
    body = await gql(LIST, {"f": {"type": "CONTACT_LATER"}}, token=world.tokens["advocate"])
    assert body["data"]["cases"]["nodes"] == [{"subject": "Later", "targetOverdue": False, "closeOverdue": False,
                                               "overdue": True, "exempt": True}]


async def test_d14_a_high_value_account_case_stays_open_all_fiscal_year_unless_the_customer_churns(gql, world, clock):
    account = await create_account(gql, world)
    case = await picked_up(gql, world, accountId=account, type="HIGH_VALUE_ACCOUNT")
    until = "query($id: ID!) { node(id: $id) { ... on Case { staysOpenUntil exempt } } }"
    view = (await gql(until, {"id": case["id"]}, token=world.tokens["advocate"]))["data"]["node"]
    assert view == {"staysOpenUntil": "2031-02-01", "exempt": True}  # COSELL_FISCAL_YEAR_START_MONTH=2
    second = await call(gql, world, OPEN_CASE, "ae", subject="HVA", description="d", accountId=account,
                        type="HIGH_VALUE_ACCOUNT")
    assert codes(second) == [("HIGH_VALUE_CASE_EXISTS", "D14")]
    early = await close(gql, world, case["id"], resolutionAction="GROWTH_CONVERSATION")
    assert codes(early) == [("HIGH_VALUE_CASE_STAYS_OPEN", "D14")]
    churned = await close(gql, world, case["id"], resolutionAction="REQUEST_NOT_POSSIBLE",
                          feedback="Customer churns at renewal")
    assert churned["errors"] == []
    stopped = await call(gql, world, OPEN_CASE, "ae", subject="HVA", description="d", accountId=account,
                         type="HIGH_VALUE_ACCOUNT")
    assert codes(stopped) == [("HIGH_VALUE_STOPPED", "D14")]
    general = await picked_up(gql, world, accountId=account)
    assert codes(await call(gql, world, UPDATE_CASE, "advocate", id=general["id"], type="HIGH_VALUE_ACCOUNT")) == [
        ("HIGH_VALUE_STOPPED", "D14")]
    # Another account's HVA case closes normally once its fiscal year is over.
    other = await picked_up(gql, world, accountId=await create_account(gql, world, name="Other, Inc"),
                            type="HIGH_VALUE_ACCOUNT")
    clock.at = datetime(2031, 2, 1, 9, tzinfo=UTC)
    assert (await close(gql, world, other["id"], resolutionAction="GROWTH_CONVERSATION"))["errors"] == []


async def test_d15_a_renewal_manager_escalates_with_advocate_in_the_subject_and_the_advocates_hear(gql, world):
    from partners.infra.tables import OutboxMessage

    queued = await staff_case(gql, world, token="sales_ops")
    escalated = await ok(gql, world, ESCALATE_CASE, "ae", key="case", id=queued["id"], note="Renewal at risk")
    assert escalated["subject"] == "Renewal question #advocate" and escalated["escalated"] is True
    assert codes(await call(gql, world, ESCALATE_CASE, "ae", id=queued["id"])) == [("ALREADY_ESCALATED", "D15")]
    forbidden = await gql(ESCALATE_CASE, {"input": {"id": queued["id"]}}, token=world.tokens["advocate"], errors=True)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    held = await picked_up(gql, world, token="sales_ops")
    await ok(gql, world, ESCALATE_CASE, "ae", key="case", id=held["id"])
    emails = [json.loads(m["payload"]) if isinstance(m["payload"], str) else m["payload"]
              for m in await OutboxMessage.select(OutboxMessage.payload).where(OutboxMessage.kind == "email")]
    assert [(e["to"], e["subject"]) for e in emails] == [
        (["advocate@cosell.test"], "Case escalated: Renewal question"),  # in the queue: every active advocate
        (["advocate@cosell.test"], "Case escalated: Renewal question")]  # held: its owner
    body = await gql('{ cases(filter: {escalated: true}) { totalCount } }', token=world.tokens["admin"])
    assert body["data"]["cases"]["totalCount"] == 2


async def test_d9_partner_users_see_their_cases_but_not_staff_cases_nor_internal_fields(gql, world):
    mine = await open_case(gql, world, leadName="Robin Lead", leadEmail="robin@hooli.test")
    assert mine["type"] == "PARTNER_OPP" and mine["origin"] == "PARTNER"
    staff = await staff_case(gql, world)
    await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=mine["id"])
    await ok(gql, world, COMMENT_ON_CASE, "advocate", key="comment", id=mine["id"], body="psst", internal=True)
    query = """query($ids: [ID!]!) { cases { totalCount } nodes(ids: $ids) { ... on Case { id leadName feedback
        history { event } account { id } nextSteps } } }"""
    view = (await gql(query, {"ids": [mine["id"], staff["id"]]}, token=world.tokens["alpha_user"]))["data"]
    assert view["cases"]["totalCount"] == 1
    assert view["nodes"][1] is None
    assert view["nodes"][0]["leadName"] is None and view["nodes"][0]["feedback"] is None
    assert view["nodes"][0]["history"] == [] and view["nodes"][0]["account"] is None
    assert view["nodes"][0]["nextSteps"].endswith("First touch email to the customer")  # the opener follows it
    staff_view = (await gql(query, {"ids": [mine["id"]]}, token=world.tokens["advocate"]))["data"]
    assert staff_view["nodes"][0]["leadName"] == "Robin Lead" and len(staff_view["nodes"][0]["history"]) == 2
    # Partner users open Partner Opp cases only, and do not work cases.
    typed = await call(gql, world, OPEN_CASE, "alpha_user", subject="x", description="y", accountName="Hooli",
                       type="HIGH_VALUE_ACCOUNT")
    assert codes(typed) == [("STAFF_ONLY_FIELD", "D9")]
    refused = await gql(UPDATE_CASE, {"input": {"id": mine["id"], "nextStepsDate": None}},
                        token=world.tokens["alpha_user"], errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert codes(await call(gql, world, COMMENT_ON_CASE, "beta_user", id=mine["id"], body="hi")) == [
        ("NOT_FOUND", None)]


async def test_d10_the_migration_turns_d9_closed_cases_into_closed_resolved(gql, world):
    """The data step of migration 2026-12-07T16:10:01 on rows as D9 left them."""
    import importlib

    from piccolo.engine import engine_finder

    from partners.cases.tables import PartnerCase

    migration = importlib.import_module("migrations.cosell_2026_12_07t16_10_01_000000")
    old = await open_case(gql, world)
    held = await open_case(gql, world, subject="Held")
    await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=held["id"])
    from tests.schema.sales import pk

    await PartnerCase.update({PartnerCase.status: "CLOSED", PartnerCase.target_due_at: None,
                              PartnerCase.feedback: "", PartnerCase.case_type: "GENERAL"}).where(
        PartnerCase.id == pk(old["id"]))
    await PartnerCase.update({PartnerCase.target_due_at: None, PartnerCase.next_steps: ""}).where(
        PartnerCase.id == pk(held["id"]))
    await migration.convert_cases(engine_finder())
    rows = {r["id"]: r for r in await PartnerCase.select()}
    converted, still_held = rows[pk(old["id"])], rows[pk(held["id"])]
    assert (converted["status"], converted["feedback"], converted["case_type"]) == ("CLOSED_RESOLVED", "NA",
                                                                                    "PARTNER_OPP")
    assert converted["target_due_at"] == converted["opened_at"] + timedelta(days=7)
    assert still_held["next_steps"].endswith(" A Picked up before Next Steps were kept")
    assert still_held["next_steps_date"] == still_held["picked_up_at"].date()
    assert global_id("Case", converted["id"]) == old["id"]
