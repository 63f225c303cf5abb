"""The pool skips asyncpg's reset query after a release unless session-level state was
used (issue 17, partners/infra/pool.py): what a connection leaves behind never reaches the
next request either way."""

from __future__ import annotations

import os

import pytest

from partners.infra.db import current_engine
from partners.infra.engines import is_postgres_url
from partners.infra.pool import mark_session_state

pytestmark = pytest.mark.skipif(not is_postgres_url(os.environ.get("DATABASE_URL", "")),
                                reason="asyncpg's pool: PostgreSQL only")


async def _one_connection(pool, sql: str):
    async with pool.acquire() as connection:
        return await connection.fetchval(sql)


async def test_marked_session_state_is_reset_and_an_open_transaction_rolled_back(cosell_client):
    pool = current_engine().pool
    async with pool.acquire() as connection:
        mark_session_state(connection)
        await connection.execute("SET application_name = 'left-behind'")
        await connection.execute("BEGIN")
        await connection.execute("SET LOCAL statement_timeout = 1234")
    # Every connection of the pool is clean, whichever one comes back next.
    for _ in range(pool.get_size()):
        assert await _one_connection(pool, "SHOW application_name") != "left-behind"
        assert await _one_connection(pool, "SHOW statement_timeout") != "1234ms"
        assert await _one_connection(pool, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0
