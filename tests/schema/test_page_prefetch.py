"""A connection page loads what its nodes are asked for in one batch per field (issue 11:
plain values instead of an awaited field per row). The values are those each node gives
alone through `nodes` (the per-field loaders), with the same scoping: a partner user's page
holds only its own partner's registrations and plans, and what R9 lets it see of their
opportunities. Asked through `nodes`, `edges { node }` and a fragment alike."""

from tests.schema.cosell import add_task, complete_task, create_plan, days
from tests.schema.discounts import add_policy_ok
from tests.schema.registrations import approved, register
from tests.schema.sales import add_partner_ok, create_account, create_contact, create_opportunity, gid

REGISTRATION = ("id customerName products opportunity { id name stage } "
                "discountQuote { route total lines { key label rate amount } }")
PLAN = "id opportunity { id name } progress { done total overdue }"
OPPORTUNITY = ("id name account { id name } partners { role isPrimary partner { id name } } "
               "contacts { role isPrimary contact { id name email } }")


def page_query(connection: str, type_name: str, fields: str) -> str:
    return (f"query {{ {connection}(first: 50) {{ nodes {{ {fields} }} edges {{ node {{ ...F }} }} }} }} "
            f"fragment F on {type_name} {{ {fields} }}")


def nodes_query(type_name: str, fields: str) -> str:
    return f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on {type_name} {{ {fields} }} }} }}"


async def page_and_alone(gql, token: str, connection: str, type_name: str, fields: str) -> list[dict]:
    page = (await gql(page_query(connection, type_name, fields), token=token))["data"][connection]
    alone = (await gql(nodes_query(type_name, fields), {"ids": [n["id"] for n in page["nodes"]]},
                       token=token))["data"]["nodes"]
    assert page["nodes"] == [edge["node"] for edge in page["edges"]] == alone
    return page["nodes"]


async def test_registration_page_fields_equal_each_nodes_own_and_stay_scoped(gql, world):
    await add_policy_ok(gql, world)
    mine = [await register(gql, world, customer={"prospect": {"name": f"Customer {i}"}}, products=["ci-cd"])
            for i in range(3)]
    await approved(gql, world, mine[0]["id"])
    theirs = await register(gql, world, "beta_user", customer={"prospect": {"name": "Beta's customer"}})

    alpha = await page_and_alone(gql, world.tokens["alpha_user"], "dealRegistrations", "DealRegistration",
                                 REGISTRATION)
    assert {n["id"] for n in alpha} == {r["id"] for r in mine}  # not beta's registration
    by_id = {n["id"]: n for n in alpha}
    assert by_id[mine[1]["id"]]["customerName"] == "Customer 1"
    assert by_id[mine[1]["id"]]["products"] == ["ci-cd"]
    assert by_id[mine[1]["id"]]["opportunity"] is None and by_id[mine[1]["id"]]["discountQuote"] is None
    assert by_id[mine[0]["id"]]["opportunity"] is not None and by_id[mine[0]["id"]]["discountQuote"]["lines"]

    staff = await page_and_alone(gql, world.tokens["cm_amer"], "dealRegistrations", "DealRegistration",
                                 REGISTRATION)
    assert theirs["id"] in {n["id"] for n in staff}


async def test_plan_page_fields_equal_each_nodes_own_and_stay_scoped(gql, world):
    plans = []
    for i, partner in enumerate(("alpha", "beta")):
        opportunity = await create_opportunity(gql, world, await create_account(gql, world, name=f"Acme {i}, Inc"),
                                               name=f"{partner.upper()} - Acme {i}- 50 Premium")
        await add_partner_ok(gql, world, opportunity["id"], partner, "RESELLER", is_primary=True)
        plans.append(await create_plan(gql, world, opportunity["id"], partner, kickoffDate=days(-30)))
    await add_task(gql, world, plans[0]["id"], "alpha_user", dueDate=days(-1))
    await complete_task(gql, world, (await add_task(gql, world, plans[0]["id"], "ae", dueDate=days(3)))["id"])

    alpha = await page_and_alone(gql, world.tokens["alpha_user"], "coSellPlans", "CoSellPlan", PLAN)
    assert [n["id"] for n in alpha] == [plans[0]["id"]]  # not beta's plan
    assert alpha[0]["progress"] == {"done": 1, "total": 2, "overdue": 1}
    assert alpha[0]["opportunity"]["id"] == plans[0]["opportunity"]["id"]

    staff = await page_and_alone(gql, world.tokens["cm_amer"], "coSellPlans", "CoSellPlan", PLAN)
    assert {n["id"] for n in staff} == {p["id"] for p in plans}


async def test_opportunity_page_account_team_and_contacts_equal_each_nodes_own_and_stay_scoped(gql, world):
    opportunities = []
    for i in range(2):
        account = await create_account(gql, world, name=f"Acme {i}, Inc")
        buyer, engineer = (await create_contact(gql, world, account, "Pat Buyer"),
                           await create_contact(gql, world, account, "Sam Engineer"))
        opportunities.append(await create_opportunity(gql, world, account, name=f"ALPHA - Acme {i}- 50 Premium",
                                                      contacts=[
            {"contactId": buyer, "role": "ECONOMIC_BUYER", "isPrimary": True},
            {"contactId": engineer, "role": "TECHNICAL_BUYER"}]))
    await add_partner_ok(gql, world, opportunities[0]["id"], "alpha", "RESELLER", is_primary=True)
    await add_partner_ok(gql, world, opportunities[0]["id"], "beta", "INFLUENCER")

    staff = await page_and_alone(gql, world.tokens["ae"], "opportunities", "Opportunity", OPPORTUNITY)
    by_id = {n["id"]: n for n in staff}
    first = by_id[opportunities[0]["id"]]
    assert first["account"]["name"] == "Acme 0, Inc"
    assert {(p["role"], p["partner"]["id"]) for p in first["partners"]} == {
        ("RESELLER", gid("Partner", world.partners["alpha"])), ("INFLUENCER", gid("Partner", world.partners["beta"]))}
    assert [(c["role"], c["isPrimary"], c["contact"]["name"]) for c in first["contacts"]][0] == (
        "ECONOMIC_BUYER", True, "Pat Buyer")  # primary first
    assert by_id[opportunities[1]["id"]]["partners"] == []

    # R9: alpha sees the opportunity it is on, its own place on the team only, and no account.
    alpha = await page_and_alone(gql, world.tokens["alpha_user"], "opportunities", "Opportunity", OPPORTUNITY)
    assert [n["id"] for n in alpha] == [opportunities[0]["id"]]
    assert alpha[0]["account"] is None
    assert [(p["role"], p["partner"]["id"]) for p in alpha[0]["partners"]] == [
        ("RESELLER", gid("Partner", world.partners["alpha"]))]
