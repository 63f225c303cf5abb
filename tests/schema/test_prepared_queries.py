"""Issue 17: statements built once per (query, scope shape) and run with each caller's
values (partners/infra/prepared.py). One prepared statement serves partner users of
different partners in turn, and each still sees only their own partner's rows (R9,
D3, issue 5); a cursor page and a filtered page go through the same statements."""

import pytest

from partners.infra.prepared import Param, PreparedQuery, PreparedQueryError
from partners.registrations.tables import DealRegistration
from schema.deal_registrations import queries as registration_queries
from tests.schema.registrations import register

LIST = """query($first: Int, $after: String, $f: DealRegistrationFilter) {
  dealRegistrations(first: $first, after: $after, filter: $f) {
    totalCount nodes { id customerName } pageInfo { endCursor hasNextPage } } }"""


async def _names(gql, world, token: str, **variables) -> dict:
    data = await gql(LIST, variables, token=world.tokens[token])
    assert "errors" not in data, data
    return data["data"]["dealRegistrations"]


async def test_one_prepared_page_serves_each_partner_only_its_own_registrations(gql, world):
    await register(gql, world, "alpha_user", customer={"prospect": {"name": "Alpha One", "region": "EMEA",
                                                                     "country": "DE"}})
    await register(gql, world, "alpha_user", customer={"prospect": {"name": "Alpha Two", "region": "EMEA",
                                                                     "country": "FR"}})
    await register(gql, world, "beta_user", customer={"prospect": {"name": "Beta One", "region": "EMEA",
                                                                    "country": "DE"}})
    for _ in range(2):  # alternating callers on the same prepared statements
        alpha = await _names(gql, world, "alpha_user")
        beta = await _names(gql, world, "beta_user")
        assert [n["customerName"] for n in alpha["nodes"]] == ["Alpha One", "Alpha Two"]
        assert alpha["totalCount"] == 2
        assert [n["customerName"] for n in beta["nodes"]] == ["Beta One"]
        assert beta["totalCount"] == 1
    staff = await _names(gql, world, "cm_emea")
    assert staff["totalCount"] == 3

    # The next page after a cursor, and an enum filter: prepared too, same scoping.
    first = await _names(gql, world, "alpha_user", first=1)
    assert first["pageInfo"]["hasNextPage"] is True
    second = await _names(gql, world, "alpha_user", first=1, after=first["pageInfo"]["endCursor"])
    assert [n["customerName"] for n in second["nodes"]] == ["Alpha Two"]
    assert second["pageInfo"]["hasNextPage"] is False
    submitted = await _names(gql, world, "beta_user", f={"status": "SUBMITTED", "region": "EMEA"})
    assert [n["customerName"] for n in submitted["nodes"]] == ["Beta One"]

    plans = registration_queries._PAGE._rows._plans
    partner_plans = [key for key in plans if key[1][0] is not None and key[1][1] is False]
    assert partner_plans, "the partner users' pages ran prepared statements"


async def test_a_filter_whose_sql_would_hold_a_callers_id_runs_unprepared_and_stays_scoped(gql, world):
    # D2 `conflicting` writes the partner's id into its SQL for partner users: that shape
    # cannot be prepared, and the page is built per request as before.
    await register(gql, world, "alpha_user")
    await register(gql, world, "beta_user")
    alpha = await _names(gql, world, "alpha_user", f={"conflicting": False})
    beta = await _names(gql, world, "beta_user", f={"conflicting": False})
    assert alpha["totalCount"] == 1 and beta["totalCount"] == 1
    assert alpha["nodes"][0]["id"] != beta["nodes"][0]["id"]


def test_a_value_formatted_into_sql_text_is_refused_when_the_query_is_built():
    with pytest.raises(PreparedQueryError):
        f"{Param('partner_id')}"
    with pytest.raises(PreparedQueryError):
        int(Param("partner_id"))
    # A list of keys is one parameter (`any_of`), never one placeholder per key.
    with pytest.raises(PreparedQueryError, match="any_of"):
        DealRegistration.select().where(DealRegistration.partner.is_in(Param(0)))


async def test_prepared_queries_refuse_limits_written_into_the_text(gql, world):
    prepared = PreparedQuery(lambda who, ids: DealRegistration.select().limit(5))
    with pytest.raises(PreparedQueryError):
        await prepared.run(None, [1])


async def test_a_prepared_statement_runs_its_sql_with_each_runs_values(gql, world):
    from partners.infra.prepared import PreparedStatement
    from partners.infra.tables import CostBudget

    upsert = PreparedStatement(
        "INSERT INTO cost_budget (bucket, principal, window_start, used) VALUES ({}, {}, {}, {}) "
        "ON CONFLICT (bucket) DO UPDATE SET used = cost_budget.used + excluded.used RETURNING used", CostBudget)
    assert await upsert.run("test:0", "test", 0, 5) == [{"used": 5}]
    assert await upsert.run("test:0", "test", 0, 7) == [{"used": 12}]
    with pytest.raises(PreparedQueryError):
        await upsert.run("test:0", "test", 0)
