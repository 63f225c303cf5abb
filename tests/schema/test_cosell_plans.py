"""Co-sell plans through GraphQL: plan and task flows (D3), the partner motion (D8), who
may write, and refusals that carry their rule and write nothing."""

from partners.infra.tables import OutboxMessage
from partners.opportunities.enums import OpportunityPartnerRole as TeamRole
from partners.plans.tables import CoSellPlan, CoSellTask
from tests.schema.cosell import (
    add_task,
    add_task_payload,
    complete_task,
    create_plan,
    create_plan_payload,
    days,
    update_plan,
    update_task,
)
from tests.schema.sales import add_partner_ok, create_account, create_opportunity, gid, move, only_error


async def _deal(gql, world, *, partners=(("alpha", TeamRole.RESELLER),), name="Acme, Inc", **account) -> str:
    """A deal with its team added through GraphQL; the first partner is primary by explicit
    choice (R7) and names the deal (R2)."""
    account_id = await create_account(gql, world, name=name, **account)
    prefix = f"{partners[0][0].upper()} - " if partners else ""
    opportunity = await create_opportunity(gql, world, account_id, name=f"{prefix}{name}- 50 Premium")
    for i, (partner, role) in enumerate(partners):
        await add_partner_ok(gql, world, opportunity["id"], partner, role.value, is_primary=i == 0)
    return opportunity["id"]


async def test_d3_a_plan_with_tasks_from_kickoff_to_done(gql, world):
    opportunity = await _deal(gql, world)
    plan = await create_plan(gql, world, opportunity, "alpha", token="cm_amer", kickoffDate=days(0),
                             goals="POC in two weeks, then a joint proposal.")
    assert plan["motion"] == "PARTNER_LED", "unranked account (D8)"
    assert plan["partner"] == {"name": "Alpha Resellers"}
    assert plan["opportunity"]["id"] == opportunity
    assert plan["progress"] == {"done": 0, "total": 0, "overdue": 0}

    partner_task = await add_task(gql, world, plan["id"], "alpha_user", token="cm_amer", title="Run the POC",
                                  dueDate=days(10), notes="Customer's staging cluster")
    vendor_task = await add_task(gql, world, plan["id"], "ae", token="ae", title="Send the proposal", dueDate=days(20))
    assert (partner_task["ownerSide"], partner_task["status"], partner_task["assigneeName"]) == \
        ("PARTNER", "OPEN", "Alpha User")
    assert (vendor_task["ownerSide"], vendor_task["assignee"]["email"]) == ("VENDOR", "ae@cosell.test")

    # The partner works its task: status and notes.
    started = await update_task(gql, world, partner_task["id"], token="alpha_user", status="IN_PROGRESS",
                                notes="Cluster access granted")
    assert started["errors"] == []
    assert (started["task"]["status"], started["task"]["notes"]) == ("IN_PROGRESS", "Cluster access granted")
    done = await complete_task(gql, world, partner_task["id"], token="alpha_user", notes="POC passed")
    assert done["errors"] == []
    assert done["task"]["status"] == "DONE" and done["task"]["completedAt"] and done["task"]["notes"] == "POC passed"

    query = "query($id: ID!) { node(id: $id) { ... on CoSellPlan { progress { done total overdue } " \
            "tasks { title status } } } }"
    seen = (await gql(query, {"id": plan["id"]}, token=world.tokens["ae"]))["data"]["node"]
    assert seen["progress"] == {"done": 1, "total": 2, "overdue": 0}
    assert [t["title"] for t in seen["tasks"]] == ["Run the POC", "Send the proposal"], "soonest due first"

    # Reopening clears the completion time; staff change any field.
    reopened = await update_task(gql, world, partner_task["id"], status="OPEN", title="Run the POC again",
                                 dueDate=days(12))
    assert reopened["errors"] == []
    assert (reopened["task"]["status"], reopened["task"]["completedAt"], reopened["task"]["title"],
            reopened["task"]["dueDate"]) == ("OPEN", None, "Run the POC again", days(12))


async def test_d8_the_motion_follows_the_account_ranking(gql, world):
    ranked = await _deal(gql, world, name="Ranked, Inc", ranking="RANK_1_5", rankingNote="Top account")
    refused = await create_plan_payload(gql, world, ranked, "alpha", motion="PARTNER_LED")
    error = only_error(refused)
    assert (error["code"], error["field"], error["rule"]) == ("MOTION_CONTRADICTS_D8", ["motion"], "D8")
    assert refused["plan"] is None and await CoSellPlan.count() == 0
    assert (await create_plan(gql, world, ranked, "alpha"))["motion"] == "SERVICES_AND_SUPPORT"

    unranked = await _deal(gql, world, name="Unranked, Inc")
    error = only_error(await create_plan_payload(gql, world, unranked, "alpha", motion="SERVICES_AND_SUPPORT"))
    assert (error["code"], error["rule"]) == ("MOTION_CONTRADICTS_D8", "D8")

    rank_3 = await _deal(gql, world, name="Third, Inc", ranking="RANK_3", rankingNote="Low priority",
                         partners=(("alpha", TeamRole.RESELLER), ("beta", TeamRole.FULFILLER)))
    assert (await create_plan(gql, world, rank_3, "alpha"))["motion"] == "PARTNER_LED"
    assert (await create_plan(gql, world, rank_3, "beta", motion="SERVICES_AND_SUPPORT"))["motion"] == \
        "SERVICES_AND_SUPPORT"


async def test_d3_who_writes_plans(gql, world):
    """The channel manager of the account's region, the opportunity's owner (the AE who
    created it), SALES_OPS and ADMIN; a channel manager of another region is refused with D3;
    SDRs and partner users may not call the mutation at all."""
    team = tuple((p, TeamRole.RESELLER) for p in ("alpha", "beta"))
    amer = await _deal(gql, world, partners=team)
    error = only_error(await create_plan_payload(gql, world, amer, "alpha", token="cm_emea"))
    assert (error["code"], error["field"], error["rule"]) == ("NOT_PLAN_MANAGER", ["opportunityId"], "D3")
    for token in ("sdr", "alpha_user"):
        body = await gql("""mutation($input: CreateCoSellPlanInput!) { createCoSellPlan(input: $input) {
            errors { code } } }""", {"input": {"opportunityId": amer, "partnerId": gid("Partner", world.partners["alpha"]),
                                              "kickoffDate": days(0)}}, token=world.tokens[token], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await CoSellPlan.count() == 0
    assert await create_plan(gql, world, amer, "alpha", token="ae")
    assert await create_plan(gql, world, amer, "beta", token="cm_amer")
    emea = await _deal(gql, world, name="Euro, GmbH", region="EMEA", partners=team)
    assert await create_plan(gql, world, emea, "alpha", token="cm_emea")
    assert await create_plan(gql, world, emea, "beta", token="admin")
    # Task writers are the same people.
    plan = await create_plan(gql, world, await _deal(gql, world, name="Third, Inc"), "alpha")
    error = only_error(await add_task_payload(gql, world, plan["id"], "alpha_user", token="cm_emea"))
    assert (error["code"], error["rule"]) == ("NOT_PLAN_MANAGER", "D3")


async def test_d3_the_partner_is_on_the_team_once_and_the_deal_is_alive(gql, world):
    opportunity = await _deal(gql, world)
    error = only_error(await create_plan_payload(gql, world, opportunity, "beta"))
    assert (error["code"], error["field"], error["rule"]) == ("PARTNER_NOT_ON_TEAM", ["partnerId"], "D3")
    await create_plan(gql, world, opportunity, "alpha")
    error = only_error(await create_plan_payload(gql, world, opportunity, "alpha"))
    assert (error["code"], error["rule"]) == ("PLAN_EXISTS", "D3")
    unqualified = await _deal(gql, world, name="Gone, Inc")
    assert (await move(gql, world, unqualified, "UNQUALIFIED"))["errors"] == []
    error = only_error(await create_plan_payload(gql, world, unqualified, "alpha"))
    assert (error["code"], error["rule"]) == ("OPPORTUNITY_ENDED", "D3")
    error = only_error(await create_plan_payload(gql, world, gid("Opportunity", 999999), "alpha"))
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["opportunityId"])
    assert await CoSellPlan.count() == 1


async def test_d3_task_input_is_checked_and_nothing_is_written(gql, world):
    plan = await create_plan(gql, world, await _deal(gql, world), "alpha", kickoffDate=days(0))
    cases = [
        ({"assignee": "beta_user", "side": "PARTNER"}, "ASSIGNEE_NOT_OF_PLAN_PARTNER", ["assigneeId"]),
        ({"assignee": "ae", "side": "PARTNER"}, "ASSIGNEE_NOT_OF_PLAN_PARTNER", ["assigneeId"]),
        ({"assignee": "alpha_user", "side": "VENDOR"}, "ASSIGNEE_NOT_STAFF", ["assigneeId"]),
        ({"assignee": "alpha_user", "dueDate": days(-1)}, "DUE_BEFORE_KICKOFF", ["dueDate"]),
        ({"assignee": "alpha_user", "title": "  "}, "TITLE_REQUIRED", ["title"]),
    ]
    for fields, code, field in cases:
        assignee = fields.pop("assignee")
        error = only_error(await add_task_payload(gql, world, plan["id"], assignee, **fields))
        assert (error["code"], error["field"], error["rule"]) == (code, field, "D3"), code
    assert await CoSellTask.count() == 0
    assert await OutboxMessage.count() == 0, "a refused task sends no confirmation (D4)"


async def test_d3_partner_users_change_only_status_and_notes_of_partner_side_tasks(gql, world):
    plan = await create_plan(gql, world, await _deal(gql, world), "alpha")
    partner_task = await add_task(gql, world, plan["id"], "alpha_user")
    vendor_task = await add_task(gql, world, plan["id"], "ae")

    refused = await update_task(gql, world, partner_task["id"], token="alpha_user", title="Mine now",
                                dueDate=days(40), status="IN_PROGRESS")
    assert [(e["code"], e["field"], e["rule"]) for e in refused["errors"]] == [
        ("PARTNER_MAY_NOT_CHANGE", ["title"], "D3"), ("PARTNER_MAY_NOT_CHANGE", ["dueDate"], "D3")]
    error = only_error(await update_task(gql, world, vendor_task["id"], token="alpha_user", status="DONE"))
    assert (error["code"], error["rule"]) == ("VENDOR_SIDE_TASK", "D3")
    error = only_error(await complete_task(gql, world, vendor_task["id"], token="alpha_user"))
    assert error["code"] == "VENDOR_SIDE_TASK"
    error = only_error(await update_task(gql, world, partner_task["id"], token="cm_emea", status="BLOCKED"))
    assert (error["code"], error["rule"]) == ("NOT_PLAN_MANAGER", "D3")
    rows = await CoSellTask.select(CoSellTask.title, CoSellTask.status).order_by(CoSellTask.id)
    assert rows == [{"title": "Run the technical demo", "status": "OPEN"}] * 2, "nothing was written"

    assert (await update_task(gql, world, partner_task["id"], token="alpha_user", status="BLOCKED",
                              notes="Waiting for credentials"))["errors"] == []
    assert (await complete_task(gql, world, partner_task["id"], token="alpha_user"))["errors"] == []
    error = only_error(await complete_task(gql, world, partner_task["id"], token="alpha_user"))
    assert (error["code"], error["rule"]) == ("TASK_ALREADY_DONE", "D3")
    for field, value, code in [("assigneeId", None, "ASSIGNEE_REQUIRED"), ("dueDate", None, "DUE_DATE_REQUIRED"),
                               ("ownerSide", "VENDOR", "ASSIGNEE_NOT_STAFF")]:
        error = only_error(await update_task(gql, world, vendor_task["id"] if field != "ownerSide"
                                             else partner_task["id"], **{field: value}))
        assert (error["code"], error["rule"]) == (code, "D3")


async def test_d3_overdue_tasks_progress_and_filters(gql, world):
    late_deal = await _deal(gql, world, partners=(("alpha", TeamRole.RESELLER), ("beta", TeamRole.RESELLER)))
    on_time_deal = await _deal(gql, world, name="Globex, Corp")
    late = await create_plan(gql, world, late_deal, "alpha", kickoffDate=days(-30))
    overdue = await add_task(gql, world, late["id"], "alpha_user", dueDate=days(-1))
    await add_task(gql, world, late["id"], "ae", dueDate=days(5))
    await add_task(gql, world, late["id"], "ae", dueDate=days(-2))
    await complete_task(gql, world, (await add_task(gql, world, late["id"], "ae", dueDate=days(-3)))["id"])
    assert overdue["overdue"] is True
    on_time = await create_plan(gql, world, on_time_deal, "alpha", kickoffDate=days(-30))
    await add_task(gql, world, on_time["id"], "alpha_user", dueDate=days(3))
    beta_plan = await create_plan(gql, world, late_deal, "beta")

    query = """query($f: CoSellPlanFilter) { coSellPlans(filter: $f) { totalCount nodes { id
        progress { done total overdue } } } }"""

    async def ids(token="cm_amer", **f):
        body = await gql(query, {"f": f}, token=world.tokens[token])
        return [n["id"] for n in body["data"]["coSellPlans"]["nodes"]]

    body = await gql(query, {"f": {"hasOverdueTasks": True}}, token=world.tokens["cm_amer"])
    assert body["data"]["coSellPlans"]["nodes"] == [
        {"id": late["id"], "progress": {"done": 1, "total": 4, "overdue": 2}}]
    assert await ids(hasOverdueTasks=False) == [beta_plan["id"], on_time["id"]]
    assert await ids(partnerId=gid("Partner", world.partners["alpha"])) == [on_time["id"], late["id"]]
    assert await ids(opportunityId=late_deal) == [beta_plan["id"], late["id"]]
    assert await ids(opportunityId=late_deal, partnerId=gid("Partner", world.partners["beta"])) == [beta_plan["id"]]
    assert await ids(token="alpha_user", hasOverdueTasks=True) == [late["id"]]

    await complete_task(gql, world, overdue["id"], token="alpha_user")
    await update_task(gql, world, (await _task_ids(gql, world, late["id"]))[1], dueDate=days(1))
    assert await ids(hasOverdueTasks=True) == []


async def _task_ids(gql, world, plan_id: str) -> list[str]:
    body = await gql("query($id: ID!) { node(id: $id) { ... on CoSellPlan { tasks { id dueDate } } } }",
                     {"id": plan_id}, token=world.tokens["admin"])
    return [t["id"] for t in body["data"]["node"]["tasks"]]


async def test_d3_two_concurrent_plans_for_one_partner_one_wins(gql, world):
    """D3: one plan per opportunity and partner, also when two clients create it at once:
    the loser gets PLAN_EXISTS (the database's unique index answers the race), not a 500."""
    import asyncio

    opportunity = await _deal(gql, world)
    payloads = await asyncio.gather(*(create_plan_payload(gql, world, opportunity, "alpha") for _ in range(4)))
    winners = [p for p in payloads if not p["errors"]]
    losers = [p["errors"][0] for p in payloads if p["errors"]]
    assert len(winners) == 1
    assert losers and all(e["code"] == "PLAN_EXISTS" and e["rule"] == "D3" for e in losers)
    assert await CoSellPlan.count() == 1


async def test_d3_update_a_plan_kickoff_goals_and_motion(gql, world):
    """updateCoSellPlan changes only the given fields; the kickoff stays on or before every
    task's due date (D3); the motion follows the ranking (D8); refusals write nothing."""
    opportunity = await _deal(gql, world, ranking="RANK_3", rankingNote="Low priority")
    plan = await create_plan(gql, world, opportunity, "alpha", token="cm_amer", kickoffDate=days(0), goals="First")
    await add_task(gql, world, plan["id"], "alpha_user", token="cm_amer", dueDate=days(10))

    moved = await update_plan(gql, world, plan["id"], token="cm_amer", kickoffDate=days(5), goals="  POC first  ")
    assert moved["errors"] == []
    assert (moved["plan"]["kickoffDate"], moved["plan"]["goals"], moved["plan"]["motion"]) == \
        (days(5), "POC first", "PARTNER_LED")
    assert moved["plan"]["progress"]["total"] == 1
    switched = await update_plan(gql, world, plan["id"], motion="SERVICES_AND_SUPPORT")  # rank 3 allows both (D8)
    assert switched["plan"]["motion"] == "SERVICES_AND_SUPPORT" and switched["plan"]["goals"] == "POC first"

    refusals = [
        ({"kickoffDate": days(11)}, ("KICKOFF_AFTER_TASK_DUE", ["kickoffDate"], "D3")),
        ({"kickoffDate": None}, ("KICKOFF_DATE_REQUIRED", ["kickoffDate"], "D3")),
        ({"motion": None}, ("MOTION_REQUIRED", ["motion"], "D3")),
        ({"goals": "x" * 5001}, ("GOALS_TOO_LONG", ["goals"], None)),
        ({"id": gid("CoSellPlan", 999999), "goals": "x"}, ("NOT_FOUND", ["id"], None)),
    ]
    for fields, expected in refusals:
        payload = await update_plan(gql, world, plan["id"], **fields)
        error = only_error(payload)
        assert (error["code"], error["field"], error["rule"]) == expected, fields
        assert payload["plan"] is None
    row = await CoSellPlan.select().first()
    assert (row["kickoff_date"].isoformat(), row["goals"], row["motion"]) == (days(5), "POC first",
                                                                              "SERVICES_AND_SUPPORT")


async def test_d8_update_refuses_a_motion_the_ranking_does_not_allow(gql, world):
    ranked = await _deal(gql, world, name="Ranked, Inc", ranking="RANK_1", rankingNote="Top account")
    plan = await create_plan(gql, world, ranked, "alpha")
    error = only_error(await update_plan(gql, world, plan["id"], motion="PARTNER_LED"))
    assert (error["code"], error["field"], error["rule"]) == ("MOTION_CONTRADICTS_D8", ["motion"], "D8")
    assert (await CoSellPlan.select(CoSellPlan.motion).first())["motion"] == "SERVICES_AND_SUPPORT"


async def test_d3_who_updates_plans(gql, world):
    """The same people as createCoSellPlan: a channel manager of another region is refused
    with D3, SDRs and partner users may not call it, and a partner user of another partner
    gets FORBIDDEN too (never a hint the plan exists)."""
    plan = await create_plan(gql, world, await _deal(gql, world), "alpha", goals="Before")
    error = only_error(await update_plan(gql, world, plan["id"], token="cm_emea", goals="EMEA"))
    assert (error["code"], error["field"], error["rule"]) == ("NOT_PLAN_MANAGER", ["id"], "D3")
    for token in ("sdr", "alpha_user", "beta_user"):
        body = await gql("""mutation($input: UpdateCoSellPlanInput!) { updateCoSellPlan(input: $input) {
            errors { code } } }""", {"input": {"id": plan["id"], "goals": token}}, token=world.tokens[token],
                         errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for token in ("ae", "cm_amer", "admin"):
        assert (await update_plan(gql, world, plan["id"], token=token, goals=token))["plan"]["goals"] == token
