"""The SMB case workflow through GraphQL (D10–D13): statuses and transitions, Next Steps,
contact and lead, closing criteria, the linked opportunity; each refusal names its rule."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from partners import business_days
from partners.opportunities.tables import Opportunity
from server.testing import global_id
from tests.schema.cases import (
    CONVERT_LEAD, OPEN_CASE, PICK_UP_CASE, REASSIGN_CASE, REOPEN_CASE, RESUME_CASE, SET_ADMIN_CONTACT, SET_WAITING, UPDATE_CASE,
    close, codes, picked_up, staff_case,
)
from tests.schema.leads import call, ok
from tests.schema.sales import create_account, create_contact, create_opportunity, pk

UTC = timezone.utc
MONDAY = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
TODAY = MONDAY.date().isoformat()


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        at = MONDAY

        def __call__(self) -> datetime:
            return self.at

    c = Clock()
    monkeypatch.setattr(business_days, "now", c)
    return c


@pytest.fixture
async def advocate_two(world):
    from partners.people.enums import Role
    from server.testing import make_user

    return await make_user(world, "advocate_two", Role.SMB_ADVOCATE)


def json_of(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value


HISTORY = "query($id: ID!) { node(id: $id) { ... on Case { history { event fromStatus toStatus reason " \
          "fromOwner { id } toOwner { id } } } } }"


async def history(gql, world, case_id: str, token: str = "admin") -> list[dict]:
    return (await gql(HISTORY, {"id": case_id}, token=world.tokens[token]))["data"]["node"]["history"]


async def test_d10_pick_up_owns_waiting_and_back_closing_sets_the_time(gql, world, clock):
    case = await staff_case(gql, world)
    assert (case["status"], case["origin"], case["type"], case["partner"]) == ("OPEN", "STAFF", "GENERAL", None)
    picked = await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=case["id"])
    assert picked["status"] == "IN_PROGRESS"
    assert picked["advocate"] == {"id": global_id("User", world.user_ids["advocate"])}
    # D11: no Next Steps given: the cadence's first step, signed with the advocate's initials.
    assert (picked["nextSteps"], picked["nextStepsDate"]) == (f"{TODAY} A First touch email to the customer", TODAY)
    no_team = await call(gql, world, SET_WAITING, "advocate", id=case["id"], waitingOn=" ")
    assert codes(no_team) == [("TEAM_REQUIRED", "D10")]
    waiting = await ok(gql, world, SET_WAITING, "advocate", key="case", id=case["id"], waitingOn="Billing")
    assert (waiting["status"], waiting["waitingOn"]) == ("WAITING", "Billing")
    again = await call(gql, world, SET_WAITING, "advocate", id=case["id"], waitingOn="Billing")
    assert codes(again) == [("WRONG_STATUS", "D10")]
    resumed = await ok(gql, world, RESUME_CASE, "advocate", key="case", id=case["id"])
    assert (resumed["status"], resumed["waitingOn"]) == ("IN_PROGRESS", "")
    clock.at = MONDAY + timedelta(days=1)
    closed = await close(gql, world, case["id"])
    assert closed["errors"] == [] and closed["case"]["status"] == "CLOSED_RESOLVED"
    assert datetime.fromisoformat(closed["case"]["closedAt"]) == clock.at
    assert [(h["event"], h["toStatus"]) for h in await history(gql, world, case["id"])] == [
        ("OPENED", "OPEN"), ("PICKED_UP", "IN_PROGRESS"), ("WAITING", "WAITING"), ("RESUMED", "IN_PROGRESS"),
        ("CLOSED", "CLOSED_RESOLVED")]
    closed_again = await close(gql, world, case["id"])
    assert codes(closed_again) == [("CASE_NOT_IN_PROGRESS", "D10")]


async def test_d10_an_open_case_closes_only_once_picked_up_and_a_duplicate_names_its_case(gql, world):
    first = await staff_case(gql, world)
    assert codes(await close(gql, world, first["id"], "admin")) == [("CASE_NOT_IN_PROGRESS", "D10")]
    case = await picked_up(gql, world)
    missing = await close(gql, world, case["id"], status="CLOSED_DUPLICATE")
    assert codes(missing) == [("DUPLICATE_OF_REQUIRED", "D10")]
    itself = await close(gql, world, case["id"], status="CLOSED_DUPLICATE", duplicateOfId=case["id"])
    assert codes(itself) == [("DUPLICATE_OF_ITSELF", "D10")]
    done = await close(gql, world, case["id"], status="CLOSED_DUPLICATE", duplicateOfId=first["id"])
    assert done["case"]["status"] == "CLOSED_DUPLICATE" and done["case"]["duplicateOf"] == {"id": first["id"]}


async def test_d10_closed_unresponsive_only_after_15_days_of_trying_to_reach_the_customer(gql, world, clock):
    case = await picked_up(gql, world, contact=False)  # trying starts with the first Next Steps (the pick-up)
    clock.at = MONDAY + timedelta(days=14, hours=23)
    early = await close(gql, world, case["id"], status="CLOSED_UNRESPONSIVE", resolutionAction="FAILED_TO_ENGAGE")
    assert codes(early) == [("NOT_UNRESPONSIVE_YET", "D10")]
    clock.at = MONDAY + timedelta(days=15)
    done = await close(gql, world, case["id"], status="CLOSED_UNRESPONSIVE", resolutionAction="FAILED_TO_ENGAGE")
    assert done["errors"] == [] and done["case"]["status"] == "CLOSED_UNRESPONSIVE"


async def test_d10_reassignment_needs_a_reason_and_an_advocate_and_tells_the_new_owner(gql, world, advocate_two):
    from partners.infra.tables import OutboxMessage

    case = await picked_up(gql, world)
    two = global_id("User", world.user_ids["advocate_two"])
    no_reason = await call(gql, world, REASSIGN_CASE, "advocate", id=case["id"], advocateId=two, reason=" ")
    assert codes(no_reason) == [("REASON_REQUIRED", "D10")]
    not_advocate = await call(gql, world, REASSIGN_CASE, "advocate", id=case["id"], reason="Language",
                              advocateId=global_id("User", world.user_ids["ae"]))
    assert codes(not_advocate) == [("NOT_AN_ADVOCATE", "D10")]
    not_owner = await call(gql, world, REASSIGN_CASE, "advocate_two", id=case["id"], advocateId=two, reason="Mine")
    assert codes(not_owner) == [("NOT_THE_ADVOCATE", "D10")]
    moved = await ok(gql, world, REASSIGN_CASE, "advocate", key="case", id=case["id"], advocateId=two,
                     reason="The customer speaks German #languagebarrier")
    assert moved["advocate"] == {"id": two}
    step = (await history(gql, world, case["id"]))[-1]
    assert step["event"] == "REASSIGNED" and step["reason"] == "The customer speaks German #languagebarrier"
    assert step["fromOwner"]["id"] == global_id("User", world.user_ids["advocate"]) and step["toOwner"]["id"] == two
    emails = await OutboxMessage.select(OutboxMessage.payload).where(OutboxMessage.kind == "email")
    assert [json_of(m["payload"])["to"] for m in emails] == [["advocate_two@cosell.test"]]
    # The former owner no longer works it.
    assert codes(await close(gql, world, case["id"])) == [("NOT_THE_ADVOCATE", "D10")]


async def test_d10_the_advocate_who_held_it_reopens_within_30_days_with_a_reason(gql, world, clock, advocate_two):
    case = await picked_up(gql, world)
    await close(gql, world, case["id"])
    assert codes(await call(gql, world, REOPEN_CASE, "advocate", id=case["id"], reason="")) == [
        ("REASON_REQUIRED", "D10")]
    other = await call(gql, world, REOPEN_CASE, "advocate_two", id=case["id"], reason="Customer wrote again")
    assert codes(other) == [("NOT_THE_ADVOCATE", "D10")]
    reopened = await ok(gql, world, REOPEN_CASE, "advocate", key="case", id=case["id"], reason="Customer wrote again")
    assert (reopened["status"], reopened["closedAt"], reopened["resolutionAction"]) == ("IN_PROGRESS", None, "")
    clock.at = MONDAY + timedelta(days=1)
    await close(gql, world, case["id"])
    clock.at = MONDAY + timedelta(days=32)
    late = await call(gql, world, REOPEN_CASE, "admin", id=case["id"], reason="Late")
    assert codes(late) == [("REOPEN_WINDOW_PASSED", "D10")]
    forbidden = await gql(REOPEN_CASE, {"input": {"id": case["id"], "reason": "x"}}, token=world.tokens["alpha_user"],
                          errors=True)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_d11_next_steps_are_dated_and_signed_with_the_advocates_initials(gql, world, clock):
    case = await staff_case(gql, world)
    bad = await call(gql, world, PICK_UP_CASE, "advocate", id=case["id"], nextSteps="Contact", nextStepsDate=TODAY)
    assert codes(bad) == [("NEXT_STEPS_FORMAT", "D11")]
    await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=case["id"],
             nextSteps=f"{TODAY} A First touch email to discuss promo", nextStepsDate=TODAY)

    async def refused(**fields) -> list:
        return codes(await call(gql, world, UPDATE_CASE, "advocate", id=case["id"], **fields))

    assert await refused(nextSteps="Waiting on billing") == [("NEXT_STEPS_FORMAT", "D11")]
    assert await refused(nextSteps="2024-02-30 A Follow up") == [("NEXT_STEPS_FORMAT", "D11")]
    assert await refused(nextSteps="2024-07-12 MS Send quote to customer") == [("NEXT_STEPS_INITIALS", "D11")]
    assert await refused(nextSteps=" ") == [("NEXT_STEPS_REQUIRED", "D11")]
    assert await refused(nextStepsDate=None) == [("NEXT_STEPS_DATE_REQUIRED", "D11")]
    done = await ok(gql, world, UPDATE_CASE, "advocate", key="case", id=case["id"],
                    nextSteps="2030-03-05 a Followed up with billing", nextStepsDate="2030-03-06")
    assert (done["nextSteps"], done["nextStepsDate"]) == ("2030-03-05 a Followed up with billing", "2030-03-06")


async def test_d11_the_main_contact_is_one_of_the_accounts_and_a_lead_is_converted_before_closing(gql, world):
    account = await create_account(gql, world)
    elsewhere = await create_contact(gql, world, await create_account(gql, world, name="Other, Inc"))
    wrong = await call(gql, world, OPEN_CASE, "ae", subject="Q", description="D", accountId=account,
                       contactId=elsewhere)
    assert codes(wrong) == [("CONTACT_NOT_ON_ACCOUNT", "D11")]
    case = await picked_up(gql, world, accountId=account, contact=False, leadName="Robin Lead",
                           leadEmail="robin@acme.test")
    assert (case["leadName"], case["leadEmail"], case["contact"]) == ("Robin Lead", "robin@acme.test", None)
    assert codes(await call(gql, world, UPDATE_CASE, "advocate", id=case["id"], contactId=elsewhere)) == [
        ("CONTACT_NOT_ON_ACCOUNT", "D11")]
    refused = await close(gql, world, case["id"])
    assert codes(refused) == [("LEAD_NOT_CONVERTED", "D11"), ("CONTACT_REQUIRED", "D12")]
    converted = await call(gql, world, CONVERT_LEAD, "advocate", id=case["id"], title="CTO")
    assert converted["errors"] == [] and converted["contact"]["name"] == "Robin Lead"
    assert converted["case"]["contact"] == {"id": converted["contact"]["id"]}
    assert (converted["case"]["leadName"], converted["case"]["leadEmail"]) == ("", "")
    assert codes(await call(gql, world, CONVERT_LEAD, "advocate", id=case["id"])) == [("NO_LEAD", "D11")]
    assert (await close(gql, world, case["id"]))["errors"] == []


async def test_d12_closing_needs_an_action_of_the_dictionary_feedback_a_contact_and_no_future_next_steps(
        gql, world, clock):
    case = await picked_up(gql, world, contact=False)
    refused = await close(gql, world, case["id"], resolutionAction="SOLVED_IT", feedback=" ")
    assert codes(refused) == [("UNKNOWN_RESOLUTION_ACTION", "D12"), ("FEEDBACK_REQUIRED", "D12"),
                              ("CONTACT_REQUIRED", "D12")]
    account = pk(case["account"]["id"])
    contact = await create_contact(gql, world, global_id("Account", account))
    await ok(gql, world, UPDATE_CASE, "advocate", key="case", id=case["id"], contactId=contact,
             nextSteps=f"{TODAY} A Call back next week", nextStepsDate="2030-03-11")
    assert codes(await close(gql, world, case["id"])) == [("NEXT_STEPS_DATE_IN_FUTURE", "D12")]
    # The dictionary is data: an admin adds a value, which then closes cases.
    add = """mutation($input: AddCaseResolutionActionInput!) { addCaseResolutionAction(input: $input) {
        resolutionAction { code label } errors { code rule } } }"""
    by_advocate = await gql(add, {"input": {"code": "PARTNER_HANDLED", "label": "Partner handled"}},
                            token=world.tokens["advocate"], errors=True)
    assert by_advocate["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    added = await gql(add, {"input": {"code": "partner_handled", "label": "Partner handled"}},
                      token=world.tokens["admin"])
    assert added["data"]["addCaseResolutionAction"]["resolutionAction"] == {"code": "PARTNER_HANDLED",
                                                                           "label": "Partner handled"}
    listed = await gql("{ caseResolutionActions { code } }", token=world.tokens["advocate"])
    actions = [a["code"] for a in listed["data"]["caseResolutionActions"]]
    assert actions[:2] == ["ANSWERED_QUESTION", "RECOMMENDED_RESOURCE"] and actions[-1] == "PARTNER_HANDLED"
    assert len(actions) == 10 and "REQUEST_NOT_POSSIBLE" in actions
    clock.at = MONDAY + timedelta(days=7)
    done = await close(gql, world, case["id"], resolutionAction="PARTNER_HANDLED",
                       feedback="Thank you for helping me resolve my problem very quickly")
    assert done["errors"] == [] and done["case"]["resolutionAction"] == "PARTNER_HANDLED"
    assert done["case"]["feedback"] == "Thank you for helping me resolve my problem very quickly"


async def test_d13_a_linked_opportunity_keeps_a_current_close_date_and_closes_won_or_lost_first(gql, world, clock):
    account = await create_account(gql, world)
    opportunity = await create_opportunity(gql, world, account)
    case = await picked_up(gql, world, accountId=account, opportunityId=opportunity["id"])
    assert case["opportunity"] == {"id": opportunity["id"]}
    await Opportunity.update({Opportunity.close_date: date(2030, 3, 1)}).where(
        Opportunity.id == pk(opportunity["id"]))
    past = await call(gql, world, UPDATE_CASE, "advocate", id=case["id"], nextStepsDate=TODAY)
    assert [(e["code"], e["field"], e["rule"]) for e in past["errors"]] == [
        ("OPPORTUNITY_CLOSE_DATE_PAST", ["opportunityId"], "D13")]
    flag = "query($id: ID!) { node(id: $id) { ... on Case { opportunityCloseDatePast } } }"
    assert (await gql(flag, {"id": case["id"]}, token=world.tokens["advocate"]))["data"]["node"] == {
        "opportunityCloseDatePast": True}
    await Opportunity.update({Opportunity.close_date: date(2030, 3, 31)}).where(
        Opportunity.id == pk(opportunity["id"]))
    assert codes(await close(gql, world, case["id"])) == [("OPPORTUNITY_NOT_CLOSED", "D13")]
    await Opportunity.update({Opportunity.stage: "7-Closed Won"}).where(Opportunity.id == pk(opportunity["id"]))
    assert codes(await close(gql, world, case["id"])) == [("CUSTOMER_ADMIN_REQUIRED", "D13")]
    other = await create_contact(gql, world, await create_account(gql, world, name="Other, Inc"))
    wrong = await call(gql, world, SET_ADMIN_CONTACT, "advocate", accountId=account, contactId=other)
    assert codes(wrong) == [("CONTACT_NOT_ON_ACCOUNT", "D13")]
    admin_contact = await create_contact(gql, world, account, name="Ada Admin")
    await ok(gql, world, SET_ADMIN_CONTACT, "advocate", key="contact", accountId=account, contactId=admin_contact)
    assert (await close(gql, world, case["id"]))["errors"] == []
    # Linking: an open opportunity of the case's account only.
    closed_opportunity = await create_opportunity(gql, world, account, name="Acme, Inc- 5 Premium")
    await Opportunity.update({Opportunity.stage: "8-Closed Lost"}).where(
        Opportunity.id == pk(closed_opportunity["id"]))
    another = await picked_up(gql, world, accountId=account)
    assert codes(await call(gql, world, UPDATE_CASE, "advocate", id=another["id"],
                            opportunityId=closed_opportunity["id"])) == [("OPPORTUNITY_NOT_OPEN", "D13")]
    foreign = await create_opportunity(gql, world, await create_account(gql, world, name="Third, Inc"))
    assert codes(await call(gql, world, UPDATE_CASE, "advocate", id=another["id"], opportunityId=foreign["id"])) == [
        ("OPPORTUNITY_NOT_ON_ACCOUNT", "D13")]


async def test_d13_closed_lost_closes_the_case_without_an_admin_contact(gql, world):
    account = await create_account(gql, world)
    opportunity = await create_opportunity(gql, world, account)
    case = await picked_up(gql, world, accountId=account, opportunityId=opportunity["id"])
    await Opportunity.update({Opportunity.stage: "8-Closed Lost"}).where(Opportunity.id == pk(opportunity["id"]))
    assert (await close(gql, world, case["id"]))["errors"] == []
