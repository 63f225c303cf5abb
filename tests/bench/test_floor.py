"""The benchmark's floor (bench/floor.py) is only a floor if it answers what the GraphQL
operations answer: the GraphQL/floor ratios of bench/RESULTS.md compare like with like.
On the demo world (discount policy in effect, D2 conflicts, R9 teams), as every login
the operation is for: the same data, field for field."""

from __future__ import annotations

from bench.floor import add_floor_routes
from bench.run import DASHBOARD, OPPORTUNITIES, REGISTER_DEAL, REVIEW_QUEUE
from partners.demo import load_demo
from partners.people.enums import Role


async def _pair(client, token: str, document: str, variables: dict, floor_path: str) -> tuple[dict, dict]:
    headers = {"Authorization": f"Bearer {token}"}
    graphql = (await client.post("/graphql", json={"query": document, "variables": variables}, headers=headers)).json()
    floor = (await client.post(floor_path, headers=headers)).json()
    assert "errors" not in graphql, graphql["errors"]
    return {"data": graphql["data"]}, floor


async def test_the_floor_answers_what_operations_1_to_3_answer(cosell_app_factory):
    async with cosell_app_factory() as client:
        add_floor_routes(client.app)
        logins = await load_demo(partner_count=40, parent_accounts=12)
        # Two partners register the same EMEA prospect's product: D2 conflicts on the queue.
        for login in [l for l in logins if l.role is Role.PARTNER_USER][:2]:
            body = (await client.post("/graphql", headers={"Authorization": f"Bearer {login.token}"}, json={
                "query": REGISTER_DEAL, "variables": {"input": {
                    "type": "RESALE", "products": ["premium"], "edition": "Premium", "seats": 50,
                    "estimatedAmount": 25000, "customer": {"prospect": {
                        "name": "Floor GmbH", "website": "floor.test", "country": "DE", "region": "EMEA"}}}}})).json()
            assert body["data"]["registerDeal"]["errors"] == [], body
        quotes = conflicts = 0
        for login in logins:
            if login.role is Role.PARTNER_USER:
                graphql, floor = await _pair(client, login.token, DASHBOARD, {}, "/floor/dashboard")
                assert graphql == floor, login.email
                quotes += sum(n["discountQuote"] is not None for n in graphql["data"]["dealRegistrations"]["nodes"])
            elif login.role is Role.CHANNEL_MANAGER:
                for region in ("EMEA", "AMER"):
                    graphql, floor = await _pair(client, login.token, REVIEW_QUEUE, {"region": region},
                                                 f"/floor/review?region={region}")
                    assert graphql == floor, (login.email, region)
                    conflicts += sum(len(n["conflicts"]) for n in graphql["data"]["dealRegistrations"]["nodes"])
            elif login.role is Role.ACCOUNT_EXECUTIVE:
                graphql, floor = await _pair(client, login.token, OPPORTUNITIES, {}, "/floor/opportunities")
                assert graphql == floor, login.email
                assert graphql["data"]["opportunities"]["nodes"]
        # Not only empty answers: quotes and conflicts were compared too.
        assert quotes and conflicts
