"""One pooled connection for a request's statements outside transactions (issue 17,
partners/infra/request_connection.py): the statements of one request share it, a
transaction keeps its own, it goes back to the pool when the request ends, and never more
than half of the pool is held that way."""

from __future__ import annotations

import asyncio
import os

import pytest

from partners.infra.db import current_engine
from partners.infra.engines import is_postgres_url
from partners.infra.request_connection import request_connection
from partners.people.tables import Partner
from server.testing import make_partner

pytestmark = pytest.mark.skipif(not is_postgres_url(os.environ.get("DATABASE_URL", "")),
                                reason="asyncpg's pool: PostgreSQL only")


async def _backend() -> int:
    rows = await Partner.raw("SELECT pg_backend_pid() AS pid")
    return rows[0]["pid"]


async def test_statements_of_a_block_share_one_connection_and_it_goes_back(cosell_client):
    pool = current_engine().pool
    idle_before = pool.get_idle_size() + (pool.get_max_size() - pool.get_size())
    async with request_connection(current_engine()):
        pids = await asyncio.gather(*(_backend() for _ in range(5)))  # concurrent, as DataLoader batches are
        assert len(set(pids)) == 1
        assert await _backend() == pids[0]
    assert pool.get_idle_size() + (pool.get_max_size() - pool.get_size()) == idle_before


async def test_a_refused_statement_keeps_the_connection_and_a_transaction_has_its_own(cosell_client):
    async with request_connection(current_engine()):
        first = await _backend()
        with pytest.raises(Exception):
            await Partner.raw("SELECT no_such_column FROM partner")
        assert await _backend() == first
        async with current_engine().transaction():
            inside = await _backend()
            partner_id = await make_partner("Written In A Transaction")
        assert inside != first
        # Committed: the request's connection sees it at once.
        assert await Partner.exists().where(Partner.id == partner_id)
        assert await _backend() == first


async def test_at_most_half_of_the_pool_is_held_by_requests(cosell_client):
    engine = current_engine()
    share = max(1, engine.pool.get_max_size() // 2)
    holding, release = asyncio.Event(), asyncio.Event()
    held_pids: list[int] = []

    async def request() -> None:
        async with request_connection(engine):
            held_pids.append(await _backend())
            if len(held_pids) == share:
                holding.set()
            await release.wait()

    requests = [asyncio.create_task(request()) for _ in range(share)]
    await asyncio.wait_for(holding.wait(), 10)
    async with request_connection(engine):
        # Over the share: each statement takes a pooled connection of its own, none of
        # the held ones, and the request still gets its answers.
        pids = {await _backend() for _ in range(3)}
        assert not pids & set(held_pids)
    release.set()
    await asyncio.gather(*requests)
    assert len(set(held_pids)) == share


async def test_graphql_requests_leave_no_connection_behind(gql, world):
    pool = current_engine().pool
    for _ in range(3):
        await gql("{ dealRegistrations(first: 5) { totalCount nodes { id } } viewer { id } }",
                  token=world.tokens["alpha_user"])
    # Every connection the pool has opened is idle again.
    assert pool.get_idle_size() == pool.get_size()
