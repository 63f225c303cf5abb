"""Partner Opp cases (D9), through GraphQL: a partner opens, an SMB advocate picks up (at
most 50 in progress, exactly 50 win under concurrent pick-ups), comments publicly or
internally, and closes with a resolution; due times and overdue flags; scoping."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from partners import business_days
from partners.opportunities.enums import OpportunityPartnerRole
from server.testing import global_id
from tests.schema.cases import UPDATE_CASE, close
from tests.schema.leads import COMMENT_ON_CASE, PICK_UP_CASE, call, ok, open_case
from tests.schema.sales import create_account, create_contact, create_opportunity, put_partner

UTC = timezone.utc
MONDAY = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def iso(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        at = MONDAY

        def __call__(self) -> datetime:
            return self.at

    c = Clock()
    monkeypatch.setattr(business_days, "now", c)
    return c


async def test_d9_a_partner_opens_a_partner_opp_case_due_in_24_hours_and_15_days(gql, world, clock):
    case = await open_case(gql, world)
    assert case["subject"] == "Partner Opp: Help with a renewal quote"
    assert case["status"] == "OPEN" and case["accountName"] == "Hooli"
    assert iso(case["pickupDueAt"]) - iso(case["openedAt"]) == timedelta(hours=24)
    assert iso(case["closeDueAt"]) - iso(case["openedAt"]) == timedelta(days=15)
    kept = await open_case(gql, world, subject="partner opp - pricing")
    assert kept["subject"] == "Partner Opp - pricing"  # already prefixed: kept, spelled as D9 does


async def test_d9_a_case_names_one_opportunity_the_partner_sees_or_the_account(gql, world):
    refused = await call(gql, world, """mutation($input: OpenCaseInput!) { openCase(input: $input) {
        case { id } errors { code field rule } } }""", "alpha_user", subject=" ", description="", accountName="")
    assert refused["errors"] == [
        {"code": "SUBJECT_REQUIRED", "field": ["subject"], "rule": "D9"},
        {"code": "DESCRIPTION_REQUIRED", "field": ["description"], "rule": "D9"},
        {"code": "ONE_CONCERN", "field": ["opportunityId"], "rule": "D9"}]
    account = await create_account(gql, world)
    mine = await create_opportunity(gql, world, account)
    theirs = await create_opportunity(gql, world, account, name="Acme, Inc- 10 Premium")
    await put_partner(mine["id"], world.partners["alpha"], OpportunityPartnerRole.RESELLER)
    await put_partner(theirs["id"], world.partners["beta"], OpportunityPartnerRole.RESELLER)
    hidden = await call(gql, world, """mutation($input: OpenCaseInput!) { openCase(input: $input) {
        case { id } errors { code } } }""", "alpha_user", subject="Quote", description="Help",
                        opportunityId=theirs["id"])
    assert hidden == {"case": None, "errors": [{"code": "NOT_FOUND"}]}
    case = await open_case(gql, world, opportunityId=mine["id"], accountName="")
    assert case["opportunity"] == {"id": mine["id"]}
    # Nested fields follow R9: once alpha is off the team, its case no longer shows the deal.
    from partners.opportunities.tables import OpportunityPartner
    from tests.schema.sales import pk

    await OpportunityPartner.delete().where(OpportunityPartner.opportunity == pk(mine["id"]))
    query = "query($id: ID!) { node(id: $id) { ... on Case { opportunity { id } } } }"
    view = await gql(query, {"id": case["id"]}, token=world.tokens["alpha_user"])
    assert view["data"]["node"] == {"opportunity": None}
    staff = await gql(query, {"id": case["id"]}, token=world.tokens["advocate"])
    assert staff["data"]["node"] == {"opportunity": {"id": mine["id"]}}


async def test_d9_pick_up_comment_and_close_with_a_resolution(gql, world, clock):
    case = await open_case(gql, world)
    picked = await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=case["id"])
    assert picked["status"] == "IN_PROGRESS" and picked["advocate"] == {"id": global_id("User", world.user_ids["advocate"])}
    taken = await call(gql, world, PICK_UP_CASE, "advocate", id=case["id"])
    assert [(e["code"], e["rule"]) for e in taken["errors"]] == [("CASE_NOT_OPEN", "D9")]

    public = await ok(gql, world, COMMENT_ON_CASE, "advocate", key="comment", id=case["id"], body="On it")
    internal = await ok(gql, world, COMMENT_ON_CASE, "advocate", key="comment", id=case["id"],
                        body="Check the discount with the CM", internal=True)
    assert (public["internal"], internal["internal"]) == (False, True)
    answer = await ok(gql, world, COMMENT_ON_CASE, "alpha_user", key="comment", id=case["id"], body="Thanks")
    assert answer["internal"] is False
    no_internal = await call(gql, world, COMMENT_ON_CASE, "alpha_user", id=case["id"], body="psst", internal=True)
    assert [(e["code"], e["rule"]) for e in no_internal["errors"]] == [("INTERNAL_NOT_ALLOWED", "D9")]

    no_resolution = await close(gql, world, case["id"], resolutionAction="", resolution="Quote sent")
    assert [(e["code"], e["rule"]) for e in no_resolution["errors"]] == [("RESOLUTION_ACTION_REQUIRED", "D12"),
                                                                         ("CONTACT_REQUIRED", "D12")]
    account = await create_account(gql, world)
    await ok(gql, world, UPDATE_CASE, "advocate", key="case", id=case["id"], accountId=account,
             contactId=await create_contact(gql, world, account))
    clock.at = MONDAY + timedelta(days=2)
    closed = (await close(gql, world, case["id"], resolution="Quote sent"))["case"]
    assert closed["status"] == "CLOSED_RESOLVED" and closed["resolution"] == "Quote sent" and closed["closedAt"]
    assert [c["body"] for c in closed["comments"]] == ["On it", "Check the discount with the CM", "Thanks"]

    query = "query($id: ID!) { node(id: $id) { ... on Case { comments { body } internalCommentCount advocate { id } } } }"
    partner_view = (await gql(query, {"id": case["id"]}, token=world.tokens["alpha_user"]))["data"]["node"]
    assert partner_view == {"comments": [{"body": "On it"}, {"body": "Thanks"}], "internalCommentCount": None,
                            "advocate": None}
    staff_view = (await gql(query, {"id": case["id"]}, token=world.tokens["sales_ops"]))["data"]["node"]
    assert staff_view["internalCommentCount"] == 1 and len(staff_view["comments"]) == 3
    after = await call(gql, world, COMMENT_ON_CASE, "alpha_user", id=case["id"], body="One more thing")
    assert [e["code"] for e in after["errors"]] == ["CASE_CLOSED"]


async def test_d9_only_the_advocate_holding_a_case_closes_it(gql, world, make_advocate):
    case = await open_case(gql, world)
    await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=case["id"])
    await make_advocate("advocate_two")
    other = await close(gql, world, case["id"], "advocate_two", status="CLOSED_DUPLICATE", duplicateOfId=case["id"])
    assert [(e["code"], e["rule"]) for e in other["errors"]] == [("NOT_THE_ADVOCATE", "D10")]
    first = await open_case(gql, world, subject="The first one")
    by_admin = await close(gql, world, case["id"], "admin", status="CLOSED_DUPLICATE", duplicateOfId=first["id"],
                           resolutionAction="NO_ACTION_REQUIRED")
    assert by_admin["errors"] == [] and by_admin["case"]["status"] == "CLOSED_DUPLICATE"
    assert by_admin["case"]["duplicateOf"] == {"id": first["id"]}
    forbidden = await gql(PICK_UP_CASE, {"input": {"id": case["id"]}}, token=world.tokens["cm_amer"], errors=True)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.fixture
def make_advocate(world):
    from partners.people.enums import Role
    from server.testing import make_user

    async def make(key: str) -> str:
        return await make_user(world, key, Role.SMB_ADVOCATE)

    return make


async def test_d9_an_advocate_holds_at_most_50_cases_exactly_50_win_concurrent_pick_ups(gql, world, make_advocate):
    cases = [await open_case(gql, world, subject=f"Case {i}") for i in range(56)]
    results = await asyncio.gather(*(call(gql, world, PICK_UP_CASE, "advocate", id=c["id"]) for c in cases))
    won = [r for r in results if not r["errors"]]
    refused = [r["errors"] for r in results if r["errors"]]
    assert len(won) == 50
    assert all([(e["code"], e["rule"]) for e in errors] == [("ADVOCATE_AT_CAPACITY", "D9")] for errors in refused)
    held = await gql("query($a: ID!) { cases(filter: {advocateId: $a, status: IN_PROGRESS}) { totalCount } }",
                     {"a": global_id("User", world.user_ids["advocate"])}, token=world.tokens["admin"])
    assert held["data"]["cases"]["totalCount"] == 50
    # Another advocate takes the rest; closing one frees a place.
    await make_advocate("advocate_two")
    left = [c for c, r in zip(cases, results) if r["errors"]]
    assert not (await call(gql, world, PICK_UP_CASE, "advocate_two", id=left[0]["id"]))["errors"]
    done = await close(gql, world, won[0]["case"]["id"], status="CLOSED_DUPLICATE", duplicateOfId=left[0]["id"])
    assert done["errors"] == []
    assert not (await call(gql, world, PICK_UP_CASE, "advocate", id=left[1]["id"]))["errors"]


async def test_d9_two_advocates_racing_for_one_case_one_wins(gql, world, make_advocate):
    await make_advocate("advocate_two")
    case = await open_case(gql, world)
    results = await asyncio.gather(call(gql, world, PICK_UP_CASE, "advocate", id=case["id"]),
                                   call(gql, world, PICK_UP_CASE, "advocate_two", id=case["id"]))
    assert sorted(bool(r["errors"]) for r in results) == [False, True]


async def test_d9_overdue_flags_and_filters(gql, world, clock):
    await open_case(gql, world, subject="Waiting")
    held = await open_case(gql, world, subject="Held")
    await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=held["id"])
    query = """query($f: CaseFilter) { cases(filter: $f) { totalCount nodes { subject pickupOverdue closeOverdue } } }"""

    async def subjects(f: dict) -> list[str]:
        body = await gql(query, {"f": f}, token=world.tokens["advocate"])
        return [n["subject"] for n in body["data"]["cases"]["nodes"]]

    assert await subjects({"pickupOverdue": True}) == []
    clock.at = MONDAY + timedelta(hours=25)
    assert await subjects({"pickupOverdue": True}) == ["Partner Opp: Waiting"]
    assert await subjects({"pickupOverdue": False}) == ["Partner Opp: Held"]
    assert await subjects({"closeOverdue": True}) == []
    clock.at = MONDAY + timedelta(days=15, minutes=1)
    assert await subjects({"closeOverdue": True}) == ["Partner Opp: Waiting", "Partner Opp: Held"]
    body = await gql(query, {"f": {"status": "IN_PROGRESS"}}, token=world.tokens["advocate"])
    assert body["data"]["cases"]["nodes"] == [{"subject": "Partner Opp: Held", "pickupOverdue": False,
                                               "closeOverdue": True}]
    assert await subjects({"pickupOverdue": True, "partnerId": global_id("Partner", world.partners["alpha"])}) == [
        "Partner Opp: Waiting"]


SCOPED = """query($ids: [ID!]!, $alpha: ID!) {
  cases(first: 50) { totalCount nodes { id subject comments { body } } }
  filtered: cases(filter: {partnerId: $alpha}) { totalCount }
  nodes(ids: $ids) { id }
}"""


async def test_d9_partner_users_see_only_their_own_cases_by_every_path(gql, world):
    alpha = await open_case(gql, world, subject="Alpha's")
    beta = await open_case(gql, world, token="beta_user", subject="Beta's")
    await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=beta["id"])
    await ok(gql, world, COMMENT_ON_CASE, "advocate", key="comment", id=beta["id"], body="internal", internal=True)
    variables = {"ids": [alpha["id"], beta["id"]], "alpha": global_id("Partner", world.partners["alpha"])}

    alpha_view = (await gql(SCOPED, variables, token=world.tokens["alpha_user"]))["data"]
    assert [n["subject"] for n in alpha_view["cases"]["nodes"]] == ["Partner Opp: Alpha's"]
    assert alpha_view["filtered"]["totalCount"] == 1
    assert [n is not None for n in alpha_view["nodes"]] == [True, False]
    beta_view = (await gql(SCOPED, variables, token=world.tokens["beta_user"]))["data"]
    assert [(n["subject"], n["comments"]) for n in beta_view["cases"]["nodes"]] == [("Partner Opp: Beta's", [])]
    assert beta_view["filtered"]["totalCount"] == 0
    assert [n is not None for n in beta_view["nodes"]] == [False, True]
    staff = (await gql(SCOPED, variables, token=world.tokens["advocate"]))["data"]
    assert staff["cases"]["totalCount"] == 2 and all(staff["nodes"])
    # Another partner's case answers NOT_FOUND to every write.
    payload = await call(gql, world, COMMENT_ON_CASE, "alpha_user", id=beta["id"], body="Hello")
    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]


async def test_d9_the_cases_page_costs_the_same_statements_for_more_cases(gql, world):
    query = "{ cases(first: 50) { nodes { subject partner { name } openedBy { id } advocate { id } " \
            "comments { body author { id } } opportunity { id } } } }"

    async def statements() -> int:
        return (await gql(query, token=world.tokens["admin"]))["extensions"]["sqlStatements"]

    first = await open_case(gql, world)
    await ok(gql, world, COMMENT_ON_CASE, "alpha_user", key="comment", id=first["id"], body="More details")
    one = await statements()
    for i in range(5):
        case = await open_case(gql, world, subject=f"More {i}")
        await ok(gql, world, COMMENT_ON_CASE, "alpha_user", key="comment", id=case["id"], body="More details")
    assert await statements() == one
