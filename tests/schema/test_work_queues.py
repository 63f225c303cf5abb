"""What a caller may act on now, beyond registrations (issue 36): leads (P11) and cases
(D9, D10) with `filter: {actionableByMe: true}`, the next deadline first."""

from datetime import datetime, timedelta, timezone

from partners import business_days
from partners.cases.tables import PartnerCase
from partners.leads.tables import Lead
from partners.people.enums import Role
from server.testing import global_id, make_user
from tests.schema.leads import ACCEPT_LEAD, PICK_UP_CASE, REQUEST_EXTENSION, create_lead, ok, open_case, shared_lead

NOW = datetime(2030, 3, 6, 12, 0, tzinfo=timezone.utc)
LEADS = """query($f: LeadFilter, $after: String) { leads(first: 2, filter: $f, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { id status dueAt dueInHours overdueByHours } } }"""
CASES = """query($f: CaseFilter, $after: String) { cases(first: 2, filter: $f, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { id status dueAt dueInHours overdueByHours } } }"""


async def _all(gql, world, query: str, token: str, **filters) -> tuple[list[dict], int]:
    nodes, after, total = [], None, None
    while True:
        body = await gql(query, {"f": {"actionableByMe": True, **filters}, "after": after}, token=world.tokens[token])
        assert "errors" not in body, body
        (conn,) = body["data"].values()
        total = conn["totalCount"] if total is None else total
        nodes += conn["nodes"]
        if not conn["pageInfo"]["hasNextPage"]:
            return nodes, total
        after = conn["pageInfo"]["endCursor"]


def _lead_due(row):
    return row["accept_due_at"] if row["status"] == "SHARED" else row["action_due_at"]


async def test_p11_leads_waiting_for_the_partner_or_for_a_managers_decision_in_due_order(gql, world, monkeypatch):
    made = [await shared_lead(gql, world, company=f"Amer {i}") for i in range(4)]
    emea = await shared_lead(gql, world, "beta", "cm_emea", company="Emea", region="EMEA")
    await create_lead(gql, world, company="Not shared")  # NEW: no deadline, in nobody's queue
    await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=made[1]["id"])
    await ok(gql, world, REQUEST_EXTENSION, "alpha_user", key="lead", id=made[2]["id"], days=2, reason="Buyer away")
    await ok(gql, world, REQUEST_EXTENSION, "beta_user", key="lead", id=emea["id"], days=2, reason="Holidays")
    for lead, hours in zip(made, (30, -5, 2, 2)):
        column = Lead.action_due_at if lead is made[1] else Lead.accept_due_at
        await Lead.update({column: NOW + timedelta(hours=hours)}).where(Lead.id == _pk(lead))
    monkeypatch.setattr(business_days, "now", lambda: NOW)

    rows = await Lead.select()
    waiting = [r for r in rows if r["status"] in ("SHARED", "ACCEPTED")]
    expected = {
        "alpha_user": [r for r in waiting if r["partner"] == world.partners["alpha"]],
        "beta_user": [r for r in waiting if r["partner"] == world.partners["beta"]],
        "cm_amer": [r for r in waiting if r["extension_pending"] and r["region"] == "AMER"],
        "cm_emea": [r for r in waiting if r["extension_pending"] and r["region"] == "EMEA"],
        "admin": [r for r in waiting if r["extension_pending"]],
        "ae": [], "sdr": [], "advocate": [],
    }
    for token, mine in expected.items():
        nodes, total = await _all(gql, world, LEADS, token)
        ids = [global_id("Lead", r["id"]) for r in sorted(mine, key=lambda r: (_lead_due(r), r["id"]))]
        assert [n["id"] for n in nodes] == ids and total == len(ids), token
    alpha = {n["id"]: n for n in (await _all(gql, world, LEADS, "alpha_user"))[0]}
    assert len(alpha) == 4 and [n["status"] for n in alpha.values()][0] == "ACCEPTED"  # late: first
    assert (alpha[made[1]["id"]]["dueInHours"], alpha[made[1]["id"]]["overdueByHours"]) == (0.0, 5.0)
    assert (alpha[made[0]["id"]]["dueInHours"], alpha[made[0]["id"]]["overdueByHours"]) == (30.0, None)
    # regions narrows; false is the complement of what the caller sees.
    assert (await _all(gql, world, LEADS, "admin", regions=["EMEA"]))[0] == (await _all(gql, world, LEADS, "cm_emea"))[0]
    body = await gql("{ leads(first: 50, filter: {actionableByMe: false}) { nodes { id } } }",
                     token=world.tokens["alpha_user"])
    assert body["data"]["leads"]["nodes"] == []


def _pk(node: dict) -> int:
    from tests.schema.sales import pk

    return pk(node["id"])


async def test_d9_d10_cases_the_queue_and_what_the_advocate_holds_in_due_order(gql, world, monkeypatch):
    await make_user(world, "advocate2", Role.SMB_ADVOCATE)
    cases = [await open_case(gql, world, subject=f"Partner Opp {i}") for i in range(5)]
    await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=cases[0]["id"])
    await ok(gql, world, PICK_UP_CASE, "advocate2", key="case", id=cases[1]["id"])
    for case, hours in zip(cases, (-48, 5, 20, -3, 1)):
        await PartnerCase.update({PartnerCase.pickup_due_at: NOW + timedelta(hours=hours),
                                  PartnerCase.close_due_at: NOW + timedelta(hours=hours)}).where(
            PartnerCase.id == _pk(case))
    monkeypatch.setattr(business_days, "now", lambda: NOW)
    rows = await PartnerCase.select()

    def due(r):
        return r["pickup_due_at"] if r["status"] == "OPEN" else r["close_due_at"]

    expected = {
        "advocate": [r for r in rows if r["status"] == "OPEN" or r["advocate"] == world.user_ids["advocate"]],
        "advocate2": [r for r in rows if r["status"] == "OPEN" or r["advocate"] == world.user_ids["advocate2"]],
        "admin": rows, "cm_amer": [], "alpha_user": [], "ae": [],
    }
    for token, mine in expected.items():
        nodes, total = await _all(gql, world, CASES, token)
        ids = [global_id("Case", r["id"]) for r in sorted(mine, key=lambda r: (due(r), r["id"]))]
        assert [n["id"] for n in nodes] == ids and total == len(ids), token
    mine = (await _all(gql, world, CASES, "advocate"))[0]
    assert [n["id"] for n in mine][:1] == [cases[0]["id"]] and mine[0]["overdueByHours"] == 48.0
    assert len(mine) == 4  # three OPEN and the one it holds, not advocate2's


async def test_lead_and_case_queues_cost_the_same_statements_whatever_the_page_size(gql, world):
    for i in range(4):
        await shared_lead(gql, world, company=f"Lead {i}")
        await open_case(gql, world, subject=f"Partner Opp {i}")
    for query in ("query($n: Int) { leads(first: $n, filter: {actionableByMe: true}) { totalCount nodes { id dueAt "
                  "partner { name } history { event } } } }",
                  "query($n: Int) { cases(first: $n, filter: {actionableByMe: true}) { totalCount nodes { id dueAt "
                  "partner { name } } } }"):
        token = "alpha_user" if "leads" in query else "advocate"
        small = await gql(query, {"n": 1}, token=world.tokens[token])
        large = await gql(query, {"n": 4}, token=world.tokens[token])
        (conn,) = large["data"].values()
        assert len(conn["nodes"]) == 4
        assert large["extensions"]["sqlStatements"] <= small["extensions"]["sqlStatements"], query
