"""GET /exports/review-queue.csv (issue 36): the review queue as CSV equals the GraphQL
answer, for every caller (D1 regions, R9 partners), page after page; the same token,
filters and cost budget as /graphql."""

import csv
import io

from partners import business_days
from server import exports_queue
from server.testing import World, make_partner, make_user
from tests.schema.test_review_queue import NOW, _spread_world

PAGE = """query($f: DealRegistrationFilter, $after: String) {
  dealRegistrations(filter: $f, first: 3, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id status type region customerName partner { name } products estimatedAmountMoney { amount currency }
            submittedAt dueAt dueInWorkingHours overdueByWorkingHours } } }"""


def _expected_row(n: dict) -> list[str]:
    def text(value):
        return "" if value is None else str(value)

    money = n["estimatedAmountMoney"] or {}
    return [n["id"], n["status"], n["type"], n["region"], n["customerName"], text((n["partner"] or {}).get("name")),
            ";".join(n["products"]), text(money.get("amount")), text(money.get("currency")), n["submittedAt"],
            text(n["dueAt"]), text(n["dueInWorkingHours"]), text(n["overdueByWorkingHours"])]


async def _graphql_rows(gql, token: str, f: dict) -> list[list[str]]:
    rows, after = [], None
    while True:
        body = await gql(PAGE, {"f": f, "after": after}, token=token)
        conn = body["data"]["dealRegistrations"]
        rows += [_expected_row(n) for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return rows
        after = conn["pageInfo"]["endCursor"]


async def _csv(client, token: str | None, params: str = ""):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.get(f"/exports/review-queue.csv{params}", headers=headers)


async def test_the_csv_equals_the_graphql_answer_for_every_caller(cosell_client, gql, world, monkeypatch):
    monkeypatch.setattr(business_days, "now", lambda: NOW)
    monkeypatch.setattr(exports_queue, "PAGE_SIZE", 2)  # several pages, streamed one after the other
    await _spread_world(gql, world)
    cases = [("cm_amer", "", {"actionableByMe": True}),
             ("cm_emea", "", {"actionableByMe": True}),
             ("admin", "?regions=EMEA,APJ", {"actionableByMe": True, "regions": ["EMEA", "APJ"]}),
             ("admin", "?regions=EMEA&regions=AMER&actionableByMe=false",
              {"actionableByMe": False, "regions": ["EMEA", "AMER"]}),
             ("alpha_user", "", {"actionableByMe": True}),
             ("beta_user", "?actionableByMe=false&status=SUBMITTED", {"actionableByMe": False, "status": "SUBMITTED"}),
             ("ae", "", {"actionableByMe": True})]
    for token, params, f in cases:
        response = await _csv(cosell_client, world.tokens[token], params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert "review-queue.csv" in response.headers["content-disposition"]
        header, *rows = list(csv.reader(io.StringIO(response.text)))
        assert header == [name for name, _ in exports_queue.COLUMNS]
        assert rows == await _graphql_rows(gql, world.tokens[token], f), (token, params)
    # Scoping: a partner user never gets another partner's registrations, whatever it asks.
    response = await _csv(cosell_client, world.tokens["alpha_user"], "?actionableByMe=false&regions=EMEA,AMER")
    assert {row[5] for row in list(csv.reader(io.StringIO(response.text)))[1:]} == {"Alpha Resellers"}


async def test_the_csv_refuses_what_graphql_refuses(cosell_client, world):
    assert (await _csv(cosell_client, None)).status_code == 401
    bad_token = await _csv(cosell_client, "cst_nope")
    assert bad_token.status_code == 401 and bad_token.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for params in ("?regions=MARS", "?colour=red", "?actionableByMe=maybe", "?status=SUBMITTED&status=APPROVED"):
        refused = await _csv(cosell_client, world.tokens["cm_amer"], params)
        assert refused.status_code == 400, params
        assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", params


async def test_the_csv_spends_the_callers_cost_budget(cosell_app_factory):
    async with cosell_app_factory(cost_budget_per_minute=500) as client:
        world = World()
        world.partners["alpha"] = await make_partner("Alpha Resellers", nickname="ALPHA")
        from partners.people.enums import Region, Role

        await make_user(world, "cm", Role.CHANNEL_MANAGER, regions=[Region.AMER])
        first = await _csv(client, world.tokens["cm"])
        assert first.status_code == 200  # a page of 100 costs about 300 points: once, not twice
        throttled = await _csv(client, world.tokens["cm"])
        assert throttled.status_code == 429
        assert throttled.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
        assert int(throttled.headers["retry-after"]) >= 0
