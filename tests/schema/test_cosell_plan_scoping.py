"""D3: partner users see and update only their own partner's plans and tasks, by every path
(lists, `node`/`nodes`, nested fields, filters, writes); and a page of plans with their
tasks and progress costs the same number of statements whatever its size."""

from partners.opportunities.enums import OpportunityPartnerRole as TeamRole
from tests.schema.cosell import add_task, create_plan, update_task
from tests.schema.sales import create_account, create_opportunity, gid, put_partner

LIST = """{ coSellPlans { totalCount nodes { id partner { name } opportunity { name }
    tasks { id title assigneeName assignee { email } plan { id } } } } }"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"


async def _plans(gql, world):
    acme = await create_account(gql, world)
    alpha_deal = await create_opportunity(gql, world, acme, name="Alpha resale")
    beta_deal = await create_opportunity(gql, world, acme, name="Beta registered")
    influenced = await create_opportunity(gql, world, acme, name="Alpha influences")
    await put_partner(alpha_deal["id"], world.partners["alpha"], TeamRole.RESELLER)
    await put_partner(beta_deal["id"], world.partners["beta"], TeamRole.DEAL_REGISTRANT)
    await put_partner(influenced["id"], world.partners["alpha"], TeamRole.INFLUENCER)
    plans = {}
    for key, deal, partner in [("alpha", alpha_deal, "alpha"), ("beta", beta_deal, "beta"),
                               ("influenced", influenced, "alpha")]:
        plan = await create_plan(gql, world, deal["id"], partner)
        tasks = [await add_task(gql, world, plan["id"], f"{partner}_user", title=f"{key} partner task"),
                 await add_task(gql, world, plan["id"], "ae", title=f"{key} vendor task")]
        plans[key] = (plan, tasks)
    return plans


async def test_d3_lists_show_partner_users_only_their_partners_plans_and_tasks(gql, world):
    plans = await _plans(gql, world)
    alpha = (await gql(LIST, token=world.tokens["alpha_user"]))["data"]["coSellPlans"]
    assert alpha["totalCount"] == 2
    assert [n["id"] for n in alpha["nodes"]] == [plans["influenced"][0]["id"], plans["alpha"][0]["id"]]
    assert {n["partner"]["name"] for n in alpha["nodes"]} == {"Alpha Resellers"}
    influenced, resale = alpha["nodes"]
    assert influenced["opportunity"] is None, "an influencer does not see the opportunity (R9)"
    assert resale["opportunity"] == {"name": "Alpha resale"}
    assert [t["title"] for t in resale["tasks"]] == ["alpha partner task", "alpha vendor task"]
    partner_task, vendor_task = resale["tasks"]
    assert partner_task["assignee"] == {"email": "alpha_user@cosell.test"}
    assert vendor_task["assignee"] is None and vendor_task["assigneeName"] == "Ae", \
        "vendor users are not readable by partner users; the name is"
    assert all(t["plan"]["id"] == resale["id"] for t in resale["tasks"])

    beta = (await gql(LIST, token=world.tokens["beta_user"]))["data"]["coSellPlans"]
    assert [n["id"] for n in beta["nodes"]] == [plans["beta"][0]["id"]]
    staff = (await gql(LIST, token=world.tokens["sdr"]))["data"]["coSellPlans"]
    assert staff["totalCount"] == 3


async def test_d3_node_and_nodes_do_not_leak(gql, world):
    plans = await _plans(gql, world)
    alpha_ids = [plans["alpha"][0]["id"], *[t["id"] for t in plans["alpha"][1]]]
    beta_ids = [plans["beta"][0]["id"], *[t["id"] for t in plans["beta"][1]]]
    alpha_view = (await gql(NODES, {"ids": alpha_ids + beta_ids}, token=world.tokens["alpha_user"]))["data"]["nodes"]
    assert [n is not None for n in alpha_view] == [True] * 3 + [False] * 3
    beta_view = (await gql(NODES, {"ids": alpha_ids + beta_ids}, token=world.tokens["beta_user"]))["data"]["nodes"]
    assert [n is not None for n in beta_view] == [False] * 3 + [True] * 3
    node = "query($id: ID!) { node(id: $id) { ... on CoSellTask { title plan { id tasks { id } } } } }"
    assert (await gql(node, {"id": beta_ids[1]}, token=world.tokens["alpha_user"]))["data"]["node"] is None
    seen = (await gql(node, {"id": alpha_ids[1]}, token=world.tokens["alpha_user"]))["data"]["node"]
    assert seen["plan"]["tasks"] == [{"id": alpha_ids[1]}, {"id": alpha_ids[2]}]


async def test_d3_filters_do_not_leak(gql, world):
    plans = await _plans(gql, world)
    query = "query($f: CoSellPlanFilter) { coSellPlans(filter: $f) { totalCount } }"
    beta_deal = plans["beta"][0]["opportunity"]["id"]
    influenced_deal = plans["influenced"][0]["opportunity"]["id"]
    token = world.tokens["alpha_user"]
    for f in [{"partnerId": gid("Partner", world.partners["beta"])}, {"opportunityId": beta_deal},
              {"opportunityId": influenced_deal}, {"hasOverdueTasks": False, "partnerId": gid(
                  "Partner", world.partners["beta"])}]:
        assert (await gql(query, {"f": f}, token=token))["data"]["coSellPlans"]["totalCount"] == 0, f
    assert (await gql(query, {"f": {"partnerId": gid("Partner", world.partners["alpha"])}}, token=token)
            )["data"]["coSellPlans"]["totalCount"] == 2


async def test_d3_partner_users_cannot_write_other_partners_tasks_or_add_tasks(gql, world):
    plans = await _plans(gql, world)
    beta_task = plans["beta"][1][0]
    refused = await update_task(gql, world, beta_task["id"], token="alpha_user", status="DONE")
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"], "never 'exists but hidden'"
    body = await gql("""mutation($input: AddCoSellTaskInput!) { addCoSellTask(input: $input) { errors { code } } }""",
                     {"input": {"planId": plans["alpha"][0]["id"], "title": "Mine", "ownerSide": "PARTNER",
                                "assigneeId": gid("User", world.user_ids["alpha_user"]), "dueDate": "2030-01-01"}},
                     token=world.tokens["alpha_user"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


PAGE = """query($first: Int) { coSellPlans(first: $first) { totalCount nodes {
  id kickoffDate motion goals partner { name } opportunity { name accountName owner { email } } createdBy { email }
  progress { done total overdue }
  tasks { id title status overdue dueDate assigneeName assignee { email partner { name } } plan { id } }
} } }"""


async def test_d3_statement_count_does_not_grow_with_the_page(gql, world):
    acme = await create_account(gql, world)
    for i in range(30):
        deal = await create_opportunity(gql, world, acme, name=f"Deal {i}")
        partner = "alpha" if i % 2 else "beta"
        await put_partner(deal["id"], world.partners[partner], TeamRole.RESELLER)
        plan = await create_plan(gql, world, deal["id"], partner)
        await add_task(gql, world, plan["id"], f"{partner}_user")
        await add_task(gql, world, plan["id"], "ae")
    for token in ("admin", "alpha_user"):
        counts = []
        for first in (1, 5, 30):
            body = await gql(PAGE, {"first": first}, token=world.tokens[token])
            nodes = body["data"]["coSellPlans"]["nodes"]
            assert len(nodes) == min(first, 30 if token == "admin" else 15)
            assert all(n["progress"]["total"] == 2 and len(n["tasks"]) == 2 for n in nodes)
            counts.append(body["extensions"]["sqlStatements"])
        # token, plans, count, tasks (with progress), opportunities, users, partners; users and
        # partners are asked for at two depths (owner after the opportunities, assignee after
        # the tasks), so whether those share a batch depends on which load finishes first:
        # a constant bound either way, far below one statement per plan.
        assert max(counts) <= 10, (token, counts)
        # Without the second depth, the count is exactly the same for every page size.
        shallow = PAGE.replace(" owner { email }", "")
        assert len({(await gql(shallow, {"first": first}, token=world.tokens[token]))["extensions"]["sqlStatements"]
                    for first in (1, 5, 30)}) == 1, token
