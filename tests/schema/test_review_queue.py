"""The review queue a manager works (issue 36): dealRegistrations(filter: {actionableByMe, regions}),
D1 (a channel manager of the customer's region reviews), P4 (due order, working hours)."""

from datetime import datetime, timedelta, timezone

import pytest

from partners import business_days
from partners.registrations.tables import DealRegistration
from tests.schema.registrations import ADVANCE, DENY, RETURN, approved, ok, register
from tests.schema.sales import gid

UTC = timezone.utc
NOW = datetime(2030, 3, 6, 12, 0, tzinfo=UTC)  # a Wednesday, noon UTC
IN_REVIEW = {"SUBMITTED", "PENDING_SALES_REVIEW", "PENDING_MANAGER_REVIEW"}

QUEUE = """query($f: DealRegistrationFilter, $n: Int, $after: String) {
  dealRegistrations(filter: $f, first: $n, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id status region dueAt dueInWorkingHours overdueByWorkingHours reviewDueAt replyDueAt } } }"""


@pytest.fixture
def frozen(monkeypatch):
    """The clock the due fields read (partners.business_days.now)."""
    monkeypatch.setattr(business_days, "now", lambda: NOW)


async def _queue(gql, world, token: str, page: int = 2, **filters) -> tuple[list[dict], int]:
    """Every node of the caller's queue, page by page (keyset cursors), and its totalCount."""
    nodes, after, total = [], None, None
    while True:
        body = await gql(QUEUE, {"f": {"actionableByMe": True, **filters}, "n": page, "after": after},
                         token=world.tokens[token])
        assert "errors" not in body, body
        conn = body["data"]["dealRegistrations"]
        total = conn["totalCount"] if total is None else total
        nodes += conn["nodes"]
        if not conn["pageInfo"]["hasNextPage"]:
            return nodes, total
        after = conn["pageInfo"]["endCursor"]


async def _spread_world(gql, world) -> dict[str, str]:
    """Registrations in AMER and EMEA at every step, with P4 due times spread around NOW."""
    made = {}
    for i in range(5):
        made[f"amer{i}"] = (await register(gql, world, customer={"prospect": {"name": f"Amer {i}"}}))["id"]
        made[f"emea{i}"] = (await register(gql, world, "beta_user", customer={
            "prospect": {"name": f"Emea {i}", "region": "EMEA"}}))["id"]
    made["apj"] = (await register(gql, world, customer={"prospect": {"name": "Apj", "region": "APJ"}}))["id"]
    await ok(gql, world, ADVANCE, "cm_amer", id=made["amer1"])  # PENDING_SALES_REVIEW
    await ok(gql, world, ADVANCE, "cm_emea", id=made["emea1"])
    await ok(gql, world, ADVANCE, "cm_emea", id=made["emea1"])  # PENDING_MANAGER_REVIEW
    await approved(gql, world, made["amer2"])
    await ok(gql, world, RETURN, "cm_amer", id=made["amer3"], reason="Which business unit?")
    await ok(gql, world, RETURN, "cm_emea", id=made["emea3"], reason="Which budget?")
    await ok(gql, world, DENY, "cm_emea", id=made["emea4"], reason="Direct deal.")
    # Due times out of submission order: some late, ties broken by id.
    shifts = {"amer0": 3, "amer1": -30, "amer4": 3, "emea0": 1, "emea1": -2, "emea2": 50, "apj": -1}
    for key, hours in shifts.items():
        await DealRegistration.update({DealRegistration.review_due_at: NOW + timedelta(hours=hours)}).where(
            DealRegistration.id == int(_pk(made[key])))
    await DealRegistration.update({DealRegistration.reply_due_at: NOW + timedelta(days=3)}).where(
        DealRegistration.id == _pk(made["amer3"]))
    return made


def _pk(global_id: str) -> int:
    from tests.schema.sales import pk

    return pk(global_id)


async def _expected(world, token: str) -> list[str]:
    """The caller's queue computed from the rows: who takes which step (D1, P4), due order."""
    rows = await DealRegistration.select()
    regions = {"cm_amer": {"AMER"}, "cm_emea": {"EMEA"}, "admin": {"AMER", "EMEA", "APJ", "LATAM", "PUBSEC"}}
    partners = {"alpha_user": world.partners["alpha"], "alpha_admin": world.partners["alpha"],
                "beta_user": world.partners["beta"]}
    if token in partners:
        mine = [r for r in rows if r["status"] == "RETURNED" and r["partner"] == partners[token]]
        mine.sort(key=lambda r: (r["reply_due_at"], r["id"]))
    else:
        mine = [r for r in rows if r["status"] in IN_REVIEW and r["region"] in regions.get(token, set())]
        mine.sort(key=lambda r: (r["review_due_at"], r["id"]))
    return [gid("DealRegistration", r["id"]) for r in mine]


async def test_d1_p4_each_callers_queue_holds_exactly_what_they_may_act_on_in_due_order(gql, world, frozen):
    await _spread_world(gql, world)
    for token in ("cm_amer", "cm_emea", "admin", "alpha_user", "alpha_admin", "beta_user", "ae", "sdr",
                  "sales_ops", "advocate"):
        nodes, total = await _queue(gql, world, token)
        expected = await _expected(world, token)
        assert [n["id"] for n in nodes] == expected, token
        assert total == len(expected), token
        assert all(n["dueAt"] for n in nodes)
    assert len((await _queue(gql, world, "cm_amer"))[0]) == 3  # submitted, sales review, submitted
    assert len((await _queue(gql, world, "admin"))[0]) == 7
    assert [n["status"] for n in (await _queue(gql, world, "alpha_user"))[0]] == ["RETURNED"]
    assert (await _queue(gql, world, "ae"))[0] == []  # an AE takes no review step


async def test_p4_due_fields_say_how_long_is_left_or_how_late_in_working_hours(gql, world, frozen):
    made = await _spread_world(gql, world)
    nodes = {n["id"]: n for n in (await _queue(gql, world, "admin"))[0]}
    # Wednesday noon: due Tuesday 06:00 (30 h earlier) is late by Tuesday 9–17 and Wednesday 9–12.
    late = nodes[made["amer1"]]
    assert (late["dueInWorkingHours"], late["overdueByWorkingHours"]) == (0.0, 11.0)
    soon = nodes[made["amer0"]]  # due 15:00 today
    assert (soon["dueInWorkingHours"], soon["overdueByWorkingHours"]) == (3.0, None)
    later = nodes[made["emea2"]]  # due Friday 14:00: 5 h today, 8 h Thursday, 5 h Friday
    assert (later["dueInWorkingHours"], later["overdueByWorkingHours"]) == (18.0, None)
    assert later["dueAt"] == later["reviewDueAt"]
    (returned,) = (await _queue(gql, world, "alpha_user"))[0]
    assert returned["dueAt"] == returned["replyDueAt"] and returned["dueInWorkingHours"] == 21.0  # Saturday noon: Wed 5 + Thu 8 + Fri 8


async def test_regions_filter_and_the_deprecated_region_and_actionable_false(gql, world, frozen):
    made = await _spread_world(gql, world)
    everyone = "query($f: DealRegistrationFilter) { dealRegistrations(first: 50, filter: $f) { totalCount nodes { id } } }"

    async def ids(token, **f):
        body = await gql(everyone, {"f": f}, token=world.tokens[token])
        return {n["id"] for n in body["data"]["dealRegistrations"]["nodes"]}

    assert await ids("admin", regions=["AMER", "APJ"]) == {made[f"amer{i}"] for i in range(5)} | {made["apj"]}
    assert await ids("admin", regions=["EMEA"]) == await ids("admin", region="EMEA")
    assert await ids("admin", regions=[]) == set()
    # The admin's queue narrowed to a region is that region's channel manager's queue.
    assert [n["id"] for n in (await _queue(gql, world, "admin", regions=["EMEA"]))[0]] == \
        [n["id"] for n in (await _queue(gql, world, "cm_emea"))[0]]
    # false: what the caller sees but may not act on now; together with true, everything.
    queue = {n["id"] for n in (await _queue(gql, world, "cm_amer"))[0]}
    others = await ids("cm_amer", actionableByMe=False)
    assert queue.isdisjoint(others) and queue | others == await ids("cm_amer")
    # A partner user filters by the region it typed, and only ever sees its own (R9).
    assert await ids("beta_user", regions=["AMER", "EMEA"]) == {made[f"emea{i}"] for i in range(5)}


async def test_queue_pages_cost_the_same_statements_whatever_the_page_size(gql, world, frozen):
    await _spread_world(gql, world)
    query = """query($n: Int) { dealRegistrations(first: $n, filter: {actionableByMe: true}) { totalCount nodes {
        id dueAt dueInWorkingHours customerName products partner { name } account { name } registeredBy { email }
        conflicts { id } history { event } } } }"""
    small = await gql(query, {"n": 1}, token=world.tokens["admin"])
    large = await gql(query, {"n": 7}, token=world.tokens["admin"])
    assert len(large["data"]["dealRegistrations"]["nodes"]) == 7
    assert large["extensions"]["sqlStatements"] <= small["extensions"]["sqlStatements"]


async def test_queue_cursors_are_keyset_and_refuse_other_orders(gql, world, frozen):
    made = await _spread_world(gql, world)
    body = await gql(QUEUE, {"f": {"actionableByMe": True}, "n": 2}, token=world.tokens["cm_amer"])
    cursor = body["data"]["dealRegistrations"]["pageInfo"]["endCursor"]
    first_two = [n["id"] for n in body["data"]["dealRegistrations"]["nodes"]]
    # A registration that becomes due first meanwhile is not on page 2 (it is on a fresh page 1).
    await DealRegistration.update({DealRegistration.review_due_at: NOW - timedelta(days=9)}).where(
        DealRegistration.id == _pk(made["amer4"]))
    rest = await gql(QUEUE, {"f": {"actionableByMe": True}, "n": 5, "after": cursor}, token=world.tokens["cm_amer"])
    rest_ids = [n["id"] for n in rest["data"]["dealRegistrations"]["nodes"]]
    assert not set(rest_ids) & set(first_two)
    # A cursor of the submission-order list, or a partner's reply-date queue, is not this list's.
    plain = await gql(QUEUE, {"f": None, "n": 1}, token=world.tokens["cm_amer"])
    wrong = await gql(QUEUE, {"f": {"actionableByMe": True}, "n": 1,
                              "after": plain["data"]["dealRegistrations"]["pageInfo"]["endCursor"]},
                      token=world.tokens["cm_amer"], errors=True)
    assert wrong["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
    partner = await gql(QUEUE, {"f": {"actionableByMe": True}, "n": 1}, token=world.tokens["alpha_user"])
    foreign = await gql(QUEUE, {"f": {"actionableByMe": True}, "n": 1,
                                "after": partner["data"]["dealRegistrations"]["pageInfo"]["endCursor"]},
                        token=world.tokens["cm_amer"], errors=True)
    assert foreign["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_every_demo_channel_manager_has_their_regions_review_work_in_due_order(gql):
    """Issue 36: the demo world puts due review work in every region; each demo manager's
    queue (cm.amer … cm.global) is exactly their regions' registrations in review, due first."""
    from partners.demo import load_demo
    from partners.people.enums import Role
    from partners.people.tables import User

    logins = await load_demo(partner_count=40, parent_accounts=12)
    rows = await DealRegistration.select().where(DealRegistration.status.is_in(sorted(IN_REVIEW)))
    managers = [login for login in logins if login.role is Role.CHANNEL_MANAGER]
    assert {login.email.split("@")[0] for login in managers} >= {"cm.amer", "cm.emea", "cm.apj", "cm.latam",
                                                                 "cm.pubsec", "cm.global"}
    query = "{ dealRegistrations(first: 100, filter: {actionableByMe: true}) { nodes { id region dueAt } } }"
    for login in managers:
        user = await User.select(User.regions).where(User.email == login.email).first()
        expected = sorted((r for r in rows if r["region"] in user["regions"]), key=lambda r: (r["review_due_at"], r["id"]))
        body = await gql(query, token=login.token)
        got = [n["id"] for n in body["data"]["dealRegistrations"]["nodes"]]
        assert got == [gid("DealRegistration", r["id"]) for r in expected], login.email
        assert got, f"{login.email} has nothing to review"
