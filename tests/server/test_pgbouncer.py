"""cosell behind pgbouncer in transaction pooling mode (issue 12).

pgbouncer lends a server connection for one transaction at a time, so a statement asyncpg
prepared and cached on one server connection is missing when the connection's next
transaction lands on another. `COSELL_DB_STATEMENT_CACHE_SIZE=0` turns the cache off; these
tests start Debian's pgbouncer in front of the test PostgreSQL and run `cosell serve`
through it: queries, mutations (multi-row transactions), idempotent retries, concurrent
requests over more client connections than pgbouncer has server connections, and the
background jobs (leasing with FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import os
import time

import asyncpg
import httpx
import pytest

from partners.accounts.tables import Account
from partners.infra.engines import is_postgres_url
from partners.infra.tables import OutboxMessage
from partners.registrations.tables import DealRegistration, DealRegistrationChange
from server.testing import GraphQLClient
from tests.schema.registrations import REGISTER, deal_input, register
from tests.schema.sales import CREATE_ACCOUNT, pk
from tests.server.processes import cosell_serve, pgbouncer

pytestmark = pytest.mark.skipif(
    not is_postgres_url(os.environ.get("DATABASE_URL", "")),
    reason="pgbouncer pools PostgreSQL connections: this run uses SQLite (set DATABASE_URL=postgresql://…)",
)


@pytest.fixture
def bouncer(cosell_database_url):
    with pgbouncer(cosell_database_url, pool_mode="transaction", pool_size=3) as url:
        yield url


async def test_the_statement_cache_is_the_trap_behind_transaction_pooling(bouncer):
    """Why the setting exists: with asyncpg's default cache, a statement prepared in one
    transaction is gone when the next one runs on another server connection."""
    for cache_size, fails in ((100, True), (0, False)):
        first = await asyncpg.connect(bouncer, statement_cache_size=cache_size)
        second = await asyncpg.connect(bouncer, statement_cache_size=cache_size)
        try:
            await first.fetch("SELECT $1::int AS x", 1)
            async with second.transaction():  # holds the server connection `first` just used
                await second.fetch("SELECT 2")
                if fails:
                    with pytest.raises(asyncpg.InvalidSQLStatementNameError):
                        await first.fetch("SELECT $1::int AS x", 1)
                else:
                    assert (await first.fetch("SELECT $1::int AS x", 1))[0]["x"] == 1
        finally:
            await first.close()
            await second.close()


async def test_the_app_works_through_pgbouncer_in_transaction_mode(bouncer, world, tmp_path):
    with cosell_serve(bouncer, tmp_path, COSELL_DB_STATEMENT_CACHE_SIZE="0", COSELL_DB_POOL_MAX="12",
                      COSELL_BACKGROUND_INTERVAL="0.2", COSELL_VAR_DIR=str(tmp_path)) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            gql = GraphQLClient(client)
            # Queries and a multi-row write transaction (registration, account, products,
            # history, outbox event), read back through other pooled connections.
            reg = await register(gql, world)
            body = await gql("{ dealRegistrations { totalCount edges { node { id status products } } } }",
                             token=world.tokens["cm_amer"])
            assert body["data"]["dealRegistrations"]["totalCount"] == 1
            assert body["data"]["dealRegistrations"]["edges"][0]["node"]["status"] == "SUBMITTED"

            # Refused input: a UserError and nothing written.
            refused = await gql(REGISTER, {"input": deal_input(seats=0)}, token=world.tokens["alpha_user"])
            assert refused["data"]["registerDeal"]["errors"][0]["code"] == "SEATS_REQUIRED"
            assert await DealRegistration.count() == 1

            # An idempotent retry replays the stored response and writes nothing.
            headers = {"Authorization": f"Bearer {world.tokens['sales_ops']}", "Idempotency-Key": "bouncer-1"}
            request = {"query": CREATE_ACCOUNT, "variables": {"input": {"name": "Initech"}}}
            first = (await client.post("/graphql", json=request, headers=headers)).json()
            again = (await client.post("/graphql", json=request, headers=headers)).json()
            assert first == again and first["data"]["createAccount"]["errors"] == []

            # 60 concurrent requests (reads and writes) over 12 app connections multiplexed
            # on 3 server connections.
            async def create(i: int) -> dict:
                return await gql(CREATE_ACCOUNT, {"input": {"name": f"Concurrent {i}"}}, token=world.tokens["sales_ops"])

            async def read(i: int) -> dict:
                return await gql("{ accounts(first: 50) { totalCount } viewer { email } }", token=world.tokens["ae"])

            results = await asyncio.gather(*(create(i) if i % 2 else read(i) for i in range(60)))
            assert all("errors" not in r for r in results)
            assert all(r["data"]["createAccount"]["errors"] == [] for r in results if "createAccount" in r["data"])
            names = {row["name"] for row in await Account.select(Account.name)}
            assert {f"Concurrent {i}" for i in range(1, 60, 2)} <= names

            # The outbox sender claims (FOR UPDATE SKIP LOCKED) and settles through pgbouncer.
            deadline = time.monotonic() + 15
            while await OutboxMessage.count().where(OutboxMessage.status != "SENT"):
                assert time.monotonic() < deadline, "the outbox was not delivered through pgbouncer"
                await asyncio.sleep(0.2)
            assert await DealRegistrationChange.count().where(DealRegistrationChange.registration == pk(reg["id"])) == 1
    assert "Traceback" not in server.output(), server.output()
